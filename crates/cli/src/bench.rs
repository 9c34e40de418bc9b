//! Benchmarks through real HTTP against an in-process server on a loopback port.
//! They print numbers; they assert nothing (see BENCHMARKS.md).

use std::time::{Duration, Instant};

use clap::Subcommand;
use rand::Rng;
use serde_json::json;

use crate::DbArgs;

#[derive(Subcommand)]
pub enum Which {
    /// Rows per second of `xinfang import`: writes a hotline export of N rows (CSV, GBK) into a
    /// temporary directory and imports it into the database (the demo city's, e.g. after
    /// `xinfang demo --cases 0`), then imports it again (everything skipped).
    Import {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 100_000)]
        rows: u64,
        /// Rows name their petitioner (姓名, 联系电话, 联系地址), as registers of visits and
        /// letters do: each is sealed and tagged for look-ups.
        #[arg(long)]
        petitioners: bool,
    },
    /// Registrations per second through POST /api/v1/cases (durable commits).
    Register {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 20_000)]
        requests: u64,
        #[arg(long, default_value_t = 64)]
        concurrency: u64,
    },
    /// Latency of case pages and worklists on an existing database (e.g. after `xinfang demo --cases 1000000`).
    Read {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 5_000)]
        requests: u64,
        #[arg(long, default_value_t = 4)]
        concurrency: u64,
    },
    /// Full-text search latency through GET /api/v1/cases/search on an existing database; builds
    /// the index first if it is missing and reports how long that took.
    Search {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 2_000)]
        requests: u64,
        #[arg(long, default_value_t = 4)]
        concurrency: u64,
    },
    /// Routing suggestions (`POST /api/v1/routing/suggest`) after training the models on every
    /// case of an existing database (the demo city's).
    Suggest {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 2_000)]
        requests: u64,
        #[arg(long, default_value_t = 4)]
        concurrency: u64,
    },
    /// Hot issues of a period through GET /api/v1/hot-issues on an existing database: groups
    /// the history first (as a server does at start) and reports how long that took, then asks
    /// for a month (each of the last twelve) and for the whole year.
    Hot {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 500)]
        requests: u64,
        #[arg(long, default_value_t = 4)]
        concurrency: u64,
    },
    /// The assessment of every unit for a year and the other figures, from the read models and
    /// recomputed over the cases, on an existing database (no HTTP: the text index is not needed).
    Stats {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 3)]
        requests: u64,
        /// The year assessed.
        #[arg(long, default_value_t = 2026)]
        year: i32,
        /// Time only the read models, backlog and sweeps (the plain paths take minutes at 10M).
        #[arg(long)]
        fast_only: bool,
    },
    /// How varied the petitions of a database are (words, distinct words, type/token ratio),
    /// beside as many real ones from a file when it is present.
    Texts {
        #[command(flatten)]
        db: DbArgs,
        /// Petitions taken, spread over the database.
        #[arg(long, default_value_t = 1479)]
        sample: usize,
        /// Real petitions to compare with (CSV or .xlsx).
        #[arg(long, default_value = "../shared/data/teddy2020/messages_train.csv")]
        compare: std::path::PathBuf,
        /// Its columns of title and text.
        #[arg(long, value_delimiter = ',', default_value = "title,detail")]
        columns: Vec<String>,
    },
    /// Every reading benchmark (read, search, suggest, hot, stats) on an existing database,
    /// each in a process of its own, then one markdown table: what, target, measured.
    All {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 300)]
        requests: u64,
        #[arg(long, default_value_t = 4)]
        concurrency: u64,
    },
    /// Portal submissions flooding in while an officer works.
    Flood {
        #[command(flatten)]
        db: DbArgs,
        /// Seconds of each phase (quiet, then flooded).
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent submitters.
        #[arg(long, default_value_t = 32)]
        submitters: u64,
        /// Bytes of the attachment each submission carries.
        #[arg(long, default_value_t = 200_000)]
        attachment: usize,
    },
}

/// What officers type: common matters (large result sets), and names of places and companies.
const SEARCH_QUERIES: &[&str] = &[
    "拖欠工资",
    "物业 电梯",
    "墙体开裂",
    "征地补偿",
    "噪音",
    "社会保险",
    "工程款",
    "阳光花园",
    "宏达建筑",
    "滨河大道",
    "好处费",
    "违章建筑",
    "农民工",
    "医疗保险",
    "渗水",
    "拆迁",
];

struct Server {
    base: String,
    client: reqwest::Client,
    text: xinfang_text::TextSearch,
    store: xinfang_store::Store,
    router: xinfang_text::routing::Router,
    hot: xinfang_text::hot::HotIssues,
}

async fn start(db: &DbArgs) -> Result<Server, String> {
    start_with(db, |s| s).await
}

async fn start_with(
    db: &DbArgs,
    adjust: impl FnOnce(xinfang_web::AppState) -> xinfang_web::AppState,
) -> Result<Server, String> {
    let app = xinfang_web::App::build(crate::config::app_config(db, None, None)?).await?;
    let store = app.state.store.clone();
    if store.is_empty().await.map_err(|e| e.to_string())? {
        xinfang_demo::build_city(&store)
            .await
            .map_err(|e| e.to_string())?;
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let base = format!(
        "http://{}",
        listener.local_addr().map_err(|e| e.to_string())?
    );
    let text = app.state.text.clone();
    let router = app.state.router.clone();
    let hot = app.state.hot.clone();
    let state = adjust(app.state);
    tokio::spawn(async move {
        let app = xinfang_web::router(state)
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        let _ = axum_serve(listener, app).await;
    });
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .map_err(|e| e.to_string())?;
    let server = Server {
        base,
        client,
        text,
        store,
        router,
        hot,
    };
    settle(&server).await;
    Ok(server)
}

/// Waits until the server's start-up work is done (the text index rebuilt or caught up, the
/// hot issues read from their snapshot or grouped anew), so that no benchmark measures beside it.
async fn settle(s: &Server) {
    let started = Instant::now();
    loop {
        // Each answers false at once while rebuilding, else waits a few seconds at most.
        let index = s.text.fresh().await;
        if index && s.hot.fresh(&s.store).await {
            break;
        }
        println!(
            "starting: index at event {}, hot issues {} after {:.0} s…",
            s.text.indexed(),
            if index { "grouping" } else { "waiting" },
            started.elapsed().as_secs_f64()
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    println!(
        "server ready after {:.1} s (index and hot issues at event {})",
        started.elapsed().as_secs_f64(),
        s.text.indexed()
    );
}

async fn axum_serve(
    listener: tokio::net::TcpListener,
    app: axum::extract::connect_info::IntoMakeServiceWithConnectInfo<
        axum::Router,
        std::net::SocketAddr,
    >,
) -> std::io::Result<()> {
    axum::serve(listener, app).await
}

async fn login(s: &Server, username: &str) -> Result<String, String> {
    let r = s
        .client
        .post(format!("{}/api/v1/session", s.base))
        .json(&json!({"username": username, "password": xinfang_demo::DEMO_PASSWORD}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
    v["token"]
        .as_str()
        .map(String::from)
        .ok_or_else(|| format!("login failed: {v}"))
}

/// GET `url` as the officer with `token`; an error unless it succeeds. The body is read whole.
async fn post_json(
    client: reqwest::Client,
    url: String,
    token: String,
    body: serde_json::Value,
) -> Result<(), String> {
    answered(client.post(url).bearer_auth(&token).json(&body)).await
}

async fn fetch(client: reqwest::Client, url: String, token: String) -> Result<(), String> {
    answered(client.get(url).bearer_auth(&token)).await
}

/// Sends a request and reads its whole answer, which must be a success.
async fn answered(request: reqwest::RequestBuilder) -> Result<(), String> {
    let r = request.send().await.map_err(|e| e.to_string())?;
    if !r.status().is_success() {
        return Err(format!("{}", r.status()));
    }
    r.bytes().await.map_err(|e| e.to_string())?;
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1000.0
}

fn report(name: &str, mut lat: Vec<Duration>, wall: Duration) {
    lat.sort();
    println!(
        "{name}: {} requests in {:.2} s = {:.0}/s; latency ms p50 {:.2} p95 {:.2} p99 {:.2} max {:.2}",
        lat.len(),
        wall.as_secs_f64(),
        lat.len() as f64 / wall.as_secs_f64(),
        percentile(&lat, 0.50),
        percentile(&lat, 0.95),
        percentile(&lat, 0.99),
        percentile(&lat, 1.0),
    );
}

/// Runs `requests` calls of `call` over `concurrency` tasks; returns each call's latency.
async fn drive<F, Fut>(
    requests: u64,
    concurrency: u64,
    call: F,
) -> Result<(Vec<Duration>, Duration), String>
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let started = Instant::now();
    let next = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (call, next) = (call.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= requests {
                    return Ok::<_, String>(lat);
                }
                let t = Instant::now();
                call(i).await?;
                lat.push(t.elapsed());
            }
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| e.to_string())??);
    }
    Ok((all, started.elapsed()))
}

/// A hotline export of `rows` rows as 12345 platforms write them (GBK CSV): most answered, some
/// consultations, varied matters and places.
fn hotline_export(rows: u64, petitioners: bool) -> Vec<u8> {
    const MATTERS: &[(&str, &str)] = &[
        ("拖欠工资", "工地老板拖欠工资三个月未发，请求督促支付"),
        ("噪音扰民", "夜间施工噪音很大，影响休息，请求查处"),
        ("物业收费", "物业擅自上调物业费，服务却越来越差"),
        ("路灯不亮", "晚上路灯不亮，行人出行不安全"),
        ("占道经营", "商贩长期占道经营，堵塞交通"),
        ("违章建筑", "邻居在楼顶私搭乱建，存在安全隐患"),
        ("社保转移", "社保关系转移手续办理困难，来回跑多次"),
        ("学位申请", "孩子入学学位申请被拒，请求说明理由"),
    ];
    const PLACES: &[&str] = &[
        "城关镇",
        "河西街道",
        "东城镇",
        "西山镇",
        "南湖新区",
        "北关村",
        "滨江社区",
    ];
    const KINDS: &[&str] = &["投诉", "投诉", "求助", "建议", "咨询", "举报"];
    const SOURCES: &[&str] = &["12345热线", "网站", "微信", "来信"];
    let mut rng = rand::rng();
    const SURNAMES: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    const GIVEN: &[&str] = &[
        "秀兰", "建国", "桂英", "志强", "丽", "伟", "芳", "军", "敏", "磊",
    ];
    let mut out = String::from(
        "工单编号,来电时间,诉求标题,诉求内容,信息来源,诉求类型,问题属地,承办单位,回复1,回复时间,满意度",
    );
    out.push_str(if petitioners {
        ",姓名,联系电话,联系地址\n"
    } else {
        "\n"
    });
    for i in 0..rows {
        let (matter, content) = MATTERS[rng.random_range(0..MATTERS.len())];
        let place = PLACES[rng.random_range(0..PLACES.len())];
        let day = rng.random_range(1..300);
        let received = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("a date")
            + chrono::Duration::days(day);
        let answered = rng.random_range(0..10) < 8;
        let (reply, replied) = if answered {
            let d = received + chrono::Duration::days(rng.random_range(1..40));
            (
                format!("经核查，{place}{matter}问题已责成相关单位处理。"),
                format!("{d} 16:00"),
            )
        } else {
            (String::new(), String::new())
        };
        out.push_str(&format!(
            "GD{i:08},{received} 09:{:02},{place}{matter},{place}{content}（第{i}号）,{},{},{place},清河市住房和城乡建设局,{reply},{replied},{}\n",
            rng.random_range(0..60),
            SOURCES[rng.random_range(0..SOURCES.len())],
            KINDS[rng.random_range(0..KINDS.len())],
            if answered { ["满意", "基本满意", "不满意"][rng.random_range(0..3)] } else { "" },
        ));
        if petitioners {
            // Some people come again (a phone among 20,000): their history and repeats.
            let person = rng.random_range(0..20_000u64);
            out.pop();
            out.push_str(&format!(
                ",{}{},139{:08},{place}{}号\n",
                SURNAMES[(person % 10) as usize],
                GIVEN[(person / 10 % 10) as usize],
                person,
                person % 300 + 1,
            ));
        }
    }
    encoding_rs::GBK.encode(&out).0.into_owned()
}

pub async fn run(which: Which) -> Result<(), String> {
    match which {
        Which::Import {
            db,
            rows,
            petitioners,
        } => {
            let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
            let file = dir.path().join("hotline.csv");
            std::fs::write(&file, hotline_export(rows, petitioners)).map_err(|e| e.to_string())?;
            for round in ["first import", "second import (all skipped)"] {
                println!("{round}:");
                let args = crate::import::ImportArgs::bench(db.clone(), file.clone());
                crate::import::run(args).await?;
            }
        }
        Which::Register {
            db,
            requests,
            concurrency,
        } => {
            let s = start(&db).await?;
            let token = login(&s, "registrar").await?;
            let url = format!("{}/api/v1/cases", s.base);
            let client = s.client.clone();
            let (lat, wall) = drive(requests, concurrency, move |i| {
                let (client, url, token) = (client.clone(), url.clone(), token.clone());
                async move {
                    let body = json!({
                        "channel": "letter",
                        "petitioner": {"name": "王秀兰", "phone": "13800138000"},
                        "title": format!("小区物业服务差 {i}"),
                        "content": "小区物业公司长期不履行服务合同，电梯经常故障，请求住建部门查处并督促整改。",
                        "category": "城乡建设/物业管理"
                    });
                    let r = client.post(&url).bearer_auth(&token).json(&body).send().await.map_err(|e| e.to_string())?;
                    if r.status() != reqwest::StatusCode::CREATED {
                        return Err(format!("registration failed: {}", r.status()));
                    }
                    Ok(())
                }
            })
            .await?;
            report(&format!("register (concurrency {concurrency})"), lat, wall);
        }
        Which::Stats {
            db,
            requests,
            year,
            fast_only,
        } => stats(&db, requests, year, fast_only).await?,
        Which::All {
            db,
            requests,
            concurrency,
        } => crate::bench_all::run(&db, requests, concurrency).await?,
        Which::Texts {
            db,
            sample,
            compare,
            columns,
        } => {
            let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
            crate::bench_texts::run(&db, sample, Some(&compare), &columns).await?
        }
        Which::Flood {
            db,
            seconds,
            submitters,
            attachment,
        } => flood(&db, seconds, submitters, attachment).await?,
        Which::Search {
            db,
            requests,
            concurrency,
        } => {
            let s = start(&db).await?;
            for user in ["admin", "registrar", "rsj_handler"] {
                let token = login(&s, user).await?;
                let (c, b) = (s.client.clone(), s.base.clone());
                let (lat, wall) = drive(requests, concurrency, move |i| {
                    let q = SEARCH_QUERIES[i as usize % SEARCH_QUERIES.len()];
                    fetch(
                        c.clone(),
                        format!("{b}/api/v1/cases/search?q={q}&per_page=20"),
                        token.clone(),
                    )
                })
                .await?;
                report(&format!("search as {user}, first page of 20"), lat, wall);
            }
            // The duplicate check at intake: a new petition's whole text against the index. The
            // petitions are the database's own, spread over it: what comes in again is like what
            // came before.
            let token = login(&s, "registrar").await?;
            let texts = crate::bench_texts::spread_texts(&s.store, 200, "。").await?;
            if texts.is_empty() {
                return Err("no cases to check against".into());
            }
            let texts = std::sync::Arc::new(texts);
            let (c, b) = (s.client.clone(), s.base.clone());
            let (lat, wall) = drive(requests, concurrency, move |i| {
                let text = &texts[i as usize % texts.len()];
                let url = reqwest::Url::parse_with_params(
                    &format!("{b}/api/v1/cases/similar"),
                    &[("text", text.as_str())],
                )
                .map(String::from)
                .map_err(|e| e.to_string());
                let (c, token) = (c.clone(), token.clone());
                async move { fetch(c, url?, token).await }
            })
            .await?;
            report("duplicate check at intake (registrar)", lat, wall);
        }
        Which::Suggest {
            db,
            requests,
            concurrency,
        } => {
            let s = start(&db).await?;
            let started = Instant::now();
            let cases = s
                .router
                .retrain(&s.store)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "routing models trained on {cases} cases in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            let token = login(&s, "registrar").await?;
            let (c, b) = (s.client.clone(), s.base.clone());
            let (lat, wall) = drive(requests, concurrency, move |i| {
                let q = SEARCH_QUERIES[i as usize % SEARCH_QUERIES.len()];
                let body = serde_json::json!({
                    "title": format!("{q}问题"),
                    "content": format!("{q}，已经{}个月了，多次反映无人处理，请求有关部门尽快解决。", i % 12 + 1),
                });
                post_json(c.clone(), format!("{b}/api/v1/routing/suggest"), token.clone(), body)
            })
            .await?;
            report("routing suggestion (registrar)", lat, wall);
        }
        Which::Hot {
            db,
            requests,
            concurrency,
        } => {
            let s = start(&db).await?;
            let admin = login(&s, "admin").await?;
            // A department's officer counts only the cases seen from its subtree.
            let department = login(&s, "rsj_handler").await?;
            let today = s.store.clock().today();
            for (name, months, token) in [
                ("hot issues of a month (admin)", 1, &admin),
                ("hot issues of the year (admin)", 12, &admin),
                (
                    "hot issues of the year (a department's officer)",
                    12,
                    &department,
                ),
            ] {
                let (c, b, t) = (s.client.clone(), s.base.clone(), token.clone());
                let (lat, wall) = drive(requests, concurrency, move |i| {
                    let to = today
                        - chrono::Duration::days(30 * (i % 12) as i64 * i64::from(months == 1));
                    let from = to - chrono::Duration::days(30 * months - 1);
                    fetch(
                        c.clone(),
                        format!("{b}/api/v1/hot-issues?from={from}&to={to}"),
                        t.clone(),
                    )
                })
                .await?;
                report(name, lat, wall);
            }
        }
        Which::Read {
            db,
            requests,
            concurrency,
        } => {
            let s = start(&db).await?;
            let store = crate::config::open(&db).await?;
            let max_id = store.next_case_id().await.map_err(|e| e.to_string())? - 1;
            if max_id < 1 {
                return Err("数据库中没有信访事项：先运行 xinfang demo --cases N".into());
            }
            println!("cases in database: {max_id}");
            let token = login(&s, "admin").await?;
            let (client, base) = (s.client.clone(), s.base.clone());
            let get =
                |url: String, client: reqwest::Client, token: String| fetch(client, url, token);
            let (c, b, t) = (client.clone(), base.clone(), token.clone());
            let (lat, wall) = drive(requests, concurrency, move |_| {
                let id = rand::rng().random_range(1..=max_id);
                get(format!("{b}/api/v1/cases/{id}"), c.clone(), t.clone())
            })
            .await?;
            report("case page GET /api/v1/cases/{id}", lat, wall);
            // Exact look-ups by phone go through the keyed SM3 tags (and each is recorded in
            // the personal-data log).
            let mut phones = Vec::new();
            for _ in 0..200 {
                let id = rand::rng().random_range(1..=max_id);
                if let Some(p) = store
                    .case(xinfang_domain::CaseId(id))
                    .await
                    .map_err(|e| e.to_string())?
                    .and_then(|c| c.petitioner.phone)
                {
                    phones.push(p);
                }
            }
            if !phones.is_empty() {
                let (c, b, t) = (client.clone(), base.clone(), token.clone());
                let (lat, wall) = drive(requests / 5, concurrency, move |_| {
                    let p = &phones[rand::rng().random_range(0..phones.len())];
                    get(
                        format!("{b}/api/v1/cases?phone={p}&per_page=20"),
                        c.clone(),
                        t.clone(),
                    )
                })
                .await?;
                report("look-up by phone (keyed SM3 tag), logged", lat, wall);
            }
            let units: Vec<i64> = store.org().units().map(|u| u.id.0).collect();
            for (name, query) in [
                (
                    "worklist: cases waiting on a unit, most urgent first",
                    "open=true&waiting_on={u}&per_page=20",
                ),
                (
                    "worklist: red cases waiting on a unit",
                    "warning=red&waiting_on={u}&per_page=20",
                ),
                (
                    "supervision: open cases in a unit's subtree, most urgent first",
                    "open=true&unit={u}&per_page=20",
                ),
                (
                    "list: a unit's subtree, newest first",
                    "unit={u}&per_page=20",
                ),
                ("list: city-wide, newest first", "per_page=20"),
            ] {
                let (c, b, t, units) = (client.clone(), base.clone(), token.clone(), units.clone());
                let (lat, wall) = drive(requests / 5, concurrency, move |_| {
                    let u = units[rand::rng().random_range(0..units.len())];
                    get(
                        format!("{b}/api/v1/cases?{}", query.replace("{u}", &u.to_string())),
                        c.clone(),
                        t.clone(),
                    )
                })
                .await?;
                report(name, lat, wall);
            }
        }
    }
    Ok(())
}

/// An officer's worklist latency, quiet and then under a flood of portal submissions. The flood
/// stands for many addresses with their proofs of work solved elsewhere: the per-address limit
/// is lifted and the difficulty lowered to one bit, so that only the server's own defences
/// (upload slots, body limits, the single writer) stand between the flood and the officers.
async fn flood(
    db: &DbArgs,
    seconds: u64,
    submitters: u64,
    attachment: usize,
) -> Result<(), String> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let s = start_with(db, |st| xinfang_web::AppState {
        pow: Arc::new(xinfang_web::pow::ProofOfWork::new(1)),
        limits: Arc::new(
            xinfang_web::limits::RateLimits::new(1_000_000, 1_000_000).with_submissions(1_000_000),
        ),
        ..st
    })
    .await?;
    let token = login(&s, "registrar").await?;
    let office = {
        let v: serde_json::Value = s
            .client
            .get(format!("{}/api/v1/me", s.base))
            .bearer_auth(&token)
            .send()
            .await
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        v["unit"]
            .as_i64()
            .ok_or_else(|| format!("no unit in {v}"))?
    };
    let worklist = format!(
        "{}/api/v1/cases?open=true&waiting_on={office}&per_page=20",
        s.base
    );
    let measure = |secs: u64| {
        let (client, url, token) = (s.client.clone(), worklist.clone(), token.clone());
        async move {
            let until = Instant::now() + Duration::from_secs(secs);
            let mut lat = Vec::new();
            let started = Instant::now();
            while Instant::now() < until {
                let t = Instant::now();
                let r = client
                    .get(&url)
                    .bearer_auth(&token)
                    .send()
                    .await
                    .map_err(|e| e.to_string())?;
                r.bytes().await.map_err(|e| e.to_string())?;
                lat.push(t.elapsed());
            }
            Ok::<_, String>((lat, started.elapsed()))
        }
    };
    let (lat, wall) = measure(seconds).await?;
    report("worklist, quiet", lat, wall);

    let stop = Arc::new(AtomicBool::new(false));
    let (accepted, refused) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::new();
    for i in 0..submitters {
        let (client, base, stop, accepted, refused) = (
            s.client.clone(),
            s.base.clone(),
            stop.clone(),
            accepted.clone(),
            refused.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let html = match client.get(format!("{base}/public")).send().await {
                    Ok(r) => r.text().await.unwrap_or_default(),
                    Err(_) => continue,
                };
                let Some(challenge) = html
                    .split(r#"name="pow_challenge" value=""#)
                    .nth(1)
                    .and_then(|r| r.split('"').next())
                    .map(String::from)
                else {
                    continue;
                };
                let nonce = xinfang_web::pow::solve(&challenge);
                let mut file = b"%PDF-1.7\n".to_vec();
                file.resize(attachment.max(16), b'x');
                let form = reqwest::multipart::Form::new()
                    .text("pow_challenge", challenge)
                    .text("pow_nonce", nonce)
                    .text("petitioner_name", "压力测试")
                    .text("petitioner_phone", "13800138000")
                    .text("category", "qt-qt")
                    .text("title", format!("压力测试 {i}-{n}"))
                    .text("content", "提交洪峰下的办公页面响应测试。")
                    .part(
                        "files",
                        reqwest::multipart::Part::bytes(file).file_name("材料.pdf"),
                    );
                match client
                    .post(format!("{base}/public/petitions"))
                    .multipart(form)
                    .send()
                    .await
                {
                    Ok(r) if r.status().is_success() => accepted.fetch_add(1, Ordering::Relaxed),
                    _ => refused.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (lat, wall) = measure(seconds).await?;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    report(
        &format!("worklist, under {submitters} concurrent submitters"),
        lat,
        wall,
    );
    println!(
        "flood: {} submissions accepted ({:.0}/s), {} turned away (busy or refused)",
        accepted.load(Ordering::Relaxed),
        accepted.load(Ordering::Relaxed) as f64 / (seconds + 1) as f64,
        refused.load(Ordering::Relaxed)
    );
    Ok(())
}

/// Times `requests` runs of `f` one after another and reports them.
async fn time<T, F, Fut>(name: &str, requests: u64, f: F) -> Result<T, String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, xinfang_store::StoreError>>,
{
    let started = Instant::now();
    let mut lat = Vec::new();
    let mut last = None;
    for _ in 0..requests.max(1) {
        let t = Instant::now();
        last = Some(f().await.map_err(|e| e.to_string())?);
        lat.push(t.elapsed());
    }
    report(name, lat, started.elapsed());
    Ok(last.expect("at least one run"))
}

async fn stats(db: &DbArgs, requests: u64, year: i32, fast_only: bool) -> Result<(), String> {
    use xinfang_domain::metrics::Period;
    use xinfang_store::stats::VolumeBy;
    let started = Instant::now();
    let store = crate::config::open(db).await?;
    println!(
        "store open (figures built if missing) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let day = |m: u32, d: u32| chrono::NaiveDate::from_ymd_opt(year, m, d).expect("a day");
    let whole = Period {
        from: day(1, 1),
        to: day(12, 31),
    };
    let months: Vec<Period> = (7..=12)
        .map(|m| Period {
            from: day(m, 1),
            to: day(m, 1)
                .checked_add_months(chrono::Months::new(1))
                .and_then(|d| d.pred_opt())
                .expect("a month"),
        })
        .collect();
    let fast = time(
        &format!("assessment of every unit for {year}, read model"),
        requests * 10,
        || store.assessment(whole),
    )
    .await?;
    time(
        "six months of every unit (ranking trend), read model",
        requests * 10,
        || store.assessments(&months),
    )
    .await?;
    time(
        &format!("volume by category for {year}, read model"),
        requests * 10,
        || store.volume(whole, VolumeBy::Category),
    )
    .await?;
    drill_downs(&store, &fast, whole, requests, year).await?;
    if !fast_only {
        slow_paths(&store, &fast, whole, requests, year).await?;
    }
    time(
        "backlog by age and bouncing, every unit",
        requests * 10,
        || store.backlog(),
    )
    .await?;
    // The minute sweep: the day's full pass raises what is due (and writes it); the passes after
    // it read only the cases touched since (none here).
    let mut mark = xinfang_store::sweep::SweepMark::default();
    for round in ["full (first of the day)", "next minute"] {
        let t = Instant::now();
        let (raised, proposed) = store
            .sweep_mechanisms(&mut mark)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "{round} sweep: {raised} supervisions raised, {proposed} cases proposed to the conference, in {:.3} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// The first page of the cases behind a count (drill-down), with its exact total, for the
/// busiest unit (the city petition office in the demo) and for the whole city.
async fn drill_downs(
    store: &xinfang_store::Store,
    fast: &std::collections::BTreeMap<xinfang_domain::UnitId, xinfang_domain::metrics::Counts>,
    whole: xinfang_domain::metrics::Period,
    requests: u64,
    year: i32,
) -> Result<(), String> {
    use xinfang_domain::metrics::drill_named;
    let org = store.org();
    let busiest = fast
        .iter()
        .max_by_key(|(_, c)| c.cases)
        .map(|(u, _)| *u)
        .ok_or("no figures")?;
    let city = org
        .units()
        .find(|u| u.parent.is_none() && !u.external)
        .ok_or("no city")?
        .id;
    for (what, unit, subtree) in [
        ("the busiest unit", busiest, false),
        ("the whole city", city, true),
    ] {
        for count in ["cases", "done_late", "satisfied", "open_overdue"] {
            let drill = drill_named(count).ok_or("no drill")?;
            let behind = time(
                &format!("drill-down: first page of the cases behind {count} of {what} for {year}"),
                requests,
                || store.cases_behind(whole, (unit, subtree), drill, (1, 20)),
            )
            .await?;
            println!(
                "{} cases in all, {} on the page",
                behind.total,
                behind.ids.len()
            );
        }
    }
    Ok(())
}

/// The plain paths the read models are compared with: recomputation over the cases, plain SQL,
/// and the drill-down that reads cases.
async fn slow_paths(
    store: &xinfang_store::Store,
    fast: &std::collections::BTreeMap<xinfang_domain::UnitId, xinfang_domain::metrics::Counts>,
    whole: xinfang_domain::metrics::Period,
    requests: u64,
    year: i32,
) -> Result<(), String> {
    let plain = time(
        &format!("assessment of every unit for {year}, recomputed over the cases"),
        requests,
        || store.assessment_recomputed(whole),
    )
    .await?;
    println!(
        "{} units assessed; read model and recomputation agree: {}",
        fast.len(),
        *fast == plain
    );
    if *fast != plain {
        return Err("the read model disagrees with the recomputed figures".into());
    }
    // What plain SQL can aggregate from the case columns alone: cases per owning unit.
    let sql = time(
        &format!("cases per unit for {year}, plain SQL GROUP BY over the cases"),
        requests,
        || store.cases_per_unit_sql(whole),
    )
    .await?;
    let fast_cases: std::collections::BTreeMap<_, _> = fast
        .iter()
        .filter(|(_, c)| c.cases > 0)
        .map(|(u, c)| (*u, c.cases))
        .collect();
    println!(
        "plain SQL and read model agree on cases per unit: {}",
        sql == fast_cases
    );
    // The drill-down of the busiest unit, alone and with its parent's subtree.
    let busiest = fast
        .iter()
        .max_by_key(|(_, c)| c.cases)
        .map(|(u, _)| *u)
        .ok_or("no figures")?;
    let parent = store.org().get(busiest).map_err(|e| e.to_string())?.parent;
    let done_late = xinfang_domain::metrics::drill_named("done_late").ok_or("no drill")?;
    let mut scopes = vec![("the busiest unit", busiest, false)];
    if let Some(parent) = parent {
        scopes.push(("its parent's subtree", parent, true));
    }
    for (what, unit, subtree) in scopes {
        let ids = time(
            &format!("cases behind one count (done_late) of {what} for the year, recomputed over the cases"),
            requests,
            || store.cases_behind_recomputed(whole, unit, subtree, done_late.count),
        )
        .await?;
        println!("{} cases listed", ids.len());
    }
    Ok(())
}
