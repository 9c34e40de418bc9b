//! The crash drill, three times in a row on one database (SQLite, then PostgreSQL): the server is killed (SIGKILL)
//! while officers register and forward, citizens submit petitions with attachments through the
//! portal, and notices go out to an SMS gateway. After each crash every acknowledged write is
//! there (cases, steps, petitions and their files), the chain is intact, and the server starts
//! again without an error; over the three runs no notice reaches the gateway under two keys.

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use xinfang_adapters::files::FileStore;
use xinfang_domain::CaseId;
use xinfang_domain::case::CaseStatus;
use xinfang_store::chain::Verdict;
use xinfang_store::testing::TestDb;
use xinfang_store::{Backend, Settings, Store};

use crate::{Server, demo_token, demo_unit, free_port, receiver, wait_for};

/// What the clients saw acknowledged in one run.
#[derive(Default)]
struct Acked {
    registered: Vec<i64>,
    forwarded: Vec<i64>,
    /// Query codes of portal petitions, with their attachment's hash.
    petitions: Vec<(String, String)>,
}

/// A portal petition with a photo, its proof of work solved as a browser would.
async fn petition(client: &reqwest::Client, base: &str, n: usize) -> Option<(String, String)> {
    let page = client
        .get(format!("{base}/public"))
        .send()
        .await
        .ok()?
        .text()
        .await
        .ok()?;
    const FIELD: &str = r#"name="pow_challenge" value=""#;
    let at = page.find(FIELD)? + FIELD.len();
    let challenge = page[at..at + page[at..].find('"')?].to_string();
    let c = challenge.clone();
    let nonce = tokio::task::spawn_blocking(move || xinfang_web::pow::solve(&c))
        .await
        .ok()?;
    let photo = format!("现场情况说明 第{n}份：道路积水严重，影响通行。");
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(photo.as_bytes()));
    let form = reqwest::multipart::Form::new()
        .text("pow_challenge", challenge)
        .text("pow_nonce", nonce)
        .text("petitioner_name", "周小梅")
        .text("petitioner_phone", "13811112222")
        .text("region", "东城镇")
        .text("category", "cxjs-wygl")
        .text("title", format!("道路积水 {n}"))
        .text("content", "东城镇前进路雨后积水严重，请求疏通排水。")
        .part(
            "files",
            reqwest::multipart::Part::bytes(photo.into_bytes()).file_name("说明.txt"),
        );
    let r = client
        .post(format!("{base}/public/petitions"))
        .multipart(form)
        .send()
        .await
        .ok()?;
    if !r.status().is_success() {
        return None;
    }
    let html = r.text().await.ok()?;
    // The receipt shows the code in groups of four: read it back as the store keeps it.
    const CODE: &str = r#"<code id="query-code" class="query-code">"#;
    let at = html.find(CODE)? + CODE.len();
    let shown = &html[at..at + html[at..].find('<')?];
    Some((xinfang_store::auth::normalise_query_code(shown), sha))
}

/// One run: the server up, the load on, a kill once enough is acknowledged.
async fn run_until_killed(
    url: &str,
    files: &std::path::Path,
    index: &std::path::Path,
    gateway: &str,
    log: &std::path::Path,
) -> Acked {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_xinfang"))
        .args([
            "serve",
            "--db",
            url,
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--sms-gateway",
            gateway,
        ])
        .arg("--files")
        .arg(files)
        .arg("--index")
        .arg(index)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    wait_for(&client, &format!("{base}/readyz"), Duration::from_secs(60)).await;
    let registrar = demo_token(&client, &base, "registrar").await;
    let dept = demo_unit(&client, &base, &registrar, "清河市住房和城乡建设局").await;
    let acked = Arc::new(Mutex::new(Acked::default()));
    let dead = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    // Registrars: register, then forward what they registered.
    for t in 0..8 {
        let (client, base, token, acked, dead) = (
            client.clone(),
            base.clone(),
            registrar.clone(),
            acked.clone(),
            dead.clone(),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0.. {
                if dead.load(Ordering::Relaxed) {
                    return;
                }
                let body = json!({"channel": "letter", "petitioner": {"name": "王五", "phone": "13912345678"},
                                  "title": format!("来信 {t}-{i}"), "content": "反映小区噪音扰民。"});
                let Ok(r) = client.post(format!("{base}/api/v1/cases")).bearer_auth(&token).json(&body).send().await else { return };
                if r.status() != 201 {
                    return;
                }
                let Ok(v) = r.json::<Value>().await else { return };
                let id = v["id"].as_i64().unwrap();
                acked.lock().unwrap().registered.push(id);
                if i % 2 == 0 {
                    let Ok(r) = client
                        .post(format!("{base}/api/v1/cases/{id}/actions"))
                        .bearer_auth(&token)
                        .json(&json!({"action": "forward", "to_unit": dept}))
                        .send()
                        .await
                    else {
                        return;
                    };
                    if r.status() == 200 && r.bytes().await.is_ok() {
                        acked.lock().unwrap().forwarded.push(id);
                    }
                }
            }
        }));
    }
    // A citizen at the portal.
    {
        let (client, base, acked, dead) =
            (client.clone(), base.clone(), acked.clone(), dead.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..3 {
                if dead.load(Ordering::Relaxed) {
                    return;
                }
                match petition(&client, &base, n).await {
                    Some(p) => acked.lock().unwrap().petitions.push(p),
                    None => return,
                }
            }
        }));
    }
    loop {
        let (registered, petitions) = {
            let a = acked.lock().unwrap();
            (a.registered.len(), a.petitions.len())
        };
        if registered >= 200 && petitions >= 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the load did not flow: {registered} {petitions}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    server.0.kill().unwrap(); // SIGKILL: no shutdown, no flush
    server.0.wait().unwrap();
    dead.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    Arc::try_unwrap(acked).ok().unwrap().into_inner().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_crashes_under_mixed_load_lose_no_acknowledged_write_on_sqlite() {
    drill(TestDb::new(Backend::Sqlite).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_crashes_under_mixed_load_lose_no_acknowledged_write_on_postgresql() {
    drill(TestDb::new(Backend::Postgres).await).await;
}

async fn drill(db: TestDb) {
    let url = db.url.clone();
    let work = std::env::temp_dir().join(format!(
        "xinfang_cli_crash_{}_{}",
        std::process::id(),
        db.backend == Backend::Postgres
    ));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_xinfang"))
        .args(["demo", "--db", &url, "--cases", "0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let files = work.join("files");
    let (gateway, received) = receiver().await;
    for run in 0..3 {
        let log = work.join(format!("serve{run}.log"));
        let acked = run_until_killed(&url, &files, &work.join("index"), &gateway, &log).await;
        let printed = std::fs::read_to_string(&log).unwrap();
        assert!(
            !printed.contains("ERROR"),
            "run {run} logged an error: {printed}"
        );

        let store = Store::open(&url, Settings::default()).await.unwrap();
        for id in &acked.registered {
            assert!(
                store.case(CaseId(*id)).await.unwrap().is_some(),
                "run {run}: acknowledged case {id} lost"
            );
        }
        for id in &acked.forwarded {
            let case = store.case(CaseId(*id)).await.unwrap().unwrap();
            assert_eq!(
                case.status,
                CaseStatus::Forwarded,
                "run {run}: acknowledged forward of {id} lost"
            );
        }
        let kept = FileStore::open(&files).unwrap();
        for (code, sha) in &acked.petitions {
            let case = store.case_by_query_code(code).await.unwrap();
            let case =
                case.unwrap_or_else(|| panic!("run {run}: acknowledged petition {code} lost"));
            assert_eq!(case.attachments.len(), 1);
            assert_eq!(&case.attachments[0].sha256, sha);
            assert!(kept.has(sha), "run {run}: the petition's file is kept");
        }
        assert!(
            matches!(store.verify_chain().await.unwrap(), Verdict::Intact { .. }),
            "run {run}"
        );
        println!(
            "crash {run}: {} registrations, {} forwards, {} petitions acknowledged, none lost",
            acked.registered.len(),
            acked.forwarded.len(),
            acked.petitions.len()
        );
        store.close().await;
    }
    // Notices: each outbox row reached the gateway under its own key only, whatever the crashes.
    let received = received.lock().unwrap().clone();
    assert!(!received.is_empty(), "notices were delivered");
    let mut keys: HashMap<i64, HashSet<String>> = HashMap::new();
    for (key, body) in &received {
        let id = body["id"].as_i64().unwrap_or(-1);
        assert_eq!(key, &format!("xinfang-outbox-{id}"));
        keys.entry(id).or_default().insert(key.clone());
    }
    assert!(keys.values().all(|k| k.len() == 1));
    let _ = std::fs::remove_dir_all(&work);
}
