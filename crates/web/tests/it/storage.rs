//! A full disk loses nothing and heals: the database, the text index and the attachment files on
//! a small tmpfs (mounted for the test; the suite runs as root), registrations until the disk is
//! full, then space freed. Every acknowledged case is there afterwards, the chain is intact, the
//! refusals were 503 `storage_full`, `/readyz` said so while `/healthz` stayed 200, and service
//! resumed by itself.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;
use xinfang_domain::CaseId;
use xinfang_store::chain::Verdict;
use xinfang_store::testing::{TEST_PASSWORD, small_city};
use xinfang_store::{Settings, Store};

/// A tmpfs of `mb` megabytes, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(mb: u32) -> Tmpfs {
        let dir = std::env::temp_dir().join(format!(
            "xinfang-full-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(&dir)
            .output()
            .expect("mount(8) is needed for the full-disk test");
        assert!(
            out.status.success(),
            "the full-disk test mounts a tmpfs and needs root: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Tmpfs(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
        let _ = std::fs::remove_dir(&self.0);
    }
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// Chinese characters in no order, from two hundred (the store packs what repeats, and the
/// disk must fill; the text index stays small enough to catch up in the space freed).
fn unpackable_text(seed: usize, chars: usize) -> String {
    let mut x = (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..chars)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from_u32(0x4E00 + (x % 200) as u32).unwrap_or('中')
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_loses_nothing_and_heals() {
    let _ = tracing_subscriber::fmt().with_env_filter("warn").try_init();
    let fs = Tmpfs::mount(24);
    // Space to free later: a balloon written before the database starts.
    let balloon = fs.path().join("balloon");
    std::fs::write(&balloon, vec![0u8; 8 * 1024 * 1024]).unwrap();
    let url = format!("sqlite://{}", fs.path().join("xinfang.db").display());
    let mut config = xinfang_web::Config::new(
        &url,
        Settings::default(),
        fs.path().join("index"),
        fs.path().join("files"),
    );
    config.sweep_every = std::time::Duration::from_secs(3600);
    let app = xinfang_web::App::build(config).await.unwrap();
    let store = app.state.store.clone();
    small_city(&store).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { app.serve(listener).await.unwrap() });
    let client = reqwest::Client::new();
    let token: String = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": "registrar", "password": TEST_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let register = |n: usize| {
        let req = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&json!({
                "channel": "letter",
                "petitioner": {"name": "张三", "phone": "13800138000"},
                "title": format!("来信{n}"),
                "content": unpackable_text(n, 7000),
            }));
        async move {
            let r = req.send().await.unwrap();
            (
                r.status(),
                r.json::<serde_json::Value>().await.unwrap_or_default(),
            )
        }
    };

    // Until the disk is full: each answer is 201 (kept) or 503 storage_full (nothing kept).
    let mut kept: Vec<i64> = Vec::new();
    let mut refused = None;
    for n in 0..2000 {
        let (status, body) = register(n).await;
        match status {
            StatusCode::CREATED => kept.push(body["id"].as_i64().unwrap()),
            StatusCode::SERVICE_UNAVAILABLE => {
                refused = Some(body);
                break;
            }
            other => panic!("registration {n}: {other} {body}"),
        }
    }
    let refused = refused.expect("the disk filled up");
    assert_eq!(refused["error"]["code"], "storage_full", "{refused}");
    assert!(kept.len() > 10, "some registrations were kept first");
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        ready.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "storage_full"
    );
    let alive = client.get(format!("{base}/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), StatusCode::OK);
    // Reads go on while writes are refused.
    let (s, _) = {
        let r = client
            .get(format!("{base}/api/v1/cases/{}", kept[0]))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        (r.status(), ())
    };
    assert_eq!(s, StatusCode::OK);
    // The text index shares the full disk: search still answers (from what it holds).
    let search = client
        .get(format!("{base}/api/v1/cases/search?q=电梯"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(search.status(), StatusCode::OK);

    // Space returns: the server is ready again and takes registrations by itself.
    std::fs::remove_file(&balloon).unwrap();
    let ready = client.get(format!("{base}/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    for n in 0..5 {
        let (status, body) = register(10_000 + n).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        kept.push(body["id"].as_i64().unwrap());
    }

    // The index catches up by itself: the last case is found.
    let last = kept.last().copied().unwrap();
    let mut found = false;
    for _ in 0..50 {
        let page: serde_json::Value = client
            .get(format!(
                "{base}/api/v1/cases/search?q=来信10004&per_page=50"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if page["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|c| c["id"] == last))
        {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(found, "the text index caught up after the disk was freed");

    // Opened again: every acknowledged case is there and the chain holds.
    let reopened = Store::open(&url, Settings::default()).await.unwrap();
    for id in &kept {
        assert!(
            reopened.case(CaseId(*id)).await.unwrap().is_some(),
            "acknowledged case {id} is missing"
        );
    }
    assert!(matches!(
        reopened.verify_chain().await.unwrap(),
        Verdict::Intact { .. }
    ));
    reopened.close().await;
}

/// A PostgreSQL server of the test's own (the suite's shared one must not stop), run as the
/// `postgres` user from the installed binaries; stopped and removed when dropped.
struct OwnPostgres {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
}

impl OwnPostgres {
    fn start() -> OwnPostgres {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL is installed (.ci/setup-postgres)")
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("pg_ctl").exists())
            .max()
            .expect("a PostgreSQL version with pg_ctl");
        let data = std::env::temp_dir().join(format!(
            "xinfang-pg-{}-{}",
            std::process::id(),
            rand_suffix()
        ));
        std::fs::create_dir_all(&data).unwrap();
        let status = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&data)
            .status()
            .unwrap();
        assert!(status.success());
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let pg = OwnPostgres { bin, data, port };
        pg.as_postgres(&[
            "initdb",
            "-D",
            pg.data.to_str().unwrap(),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ]);
        pg.up();
        pg
    }

    fn as_postgres(&self, args: &[&str]) {
        let program = self.bin.join(args[0]);
        let out = Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c"])
            .arg(format!("{} {}", program.display(), args[1..].join(" ")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn up(&self) {
        // The server's output goes to a log file: a daemon holding our pipes would keep
        // `output()` waiting for ever.
        let opts = format!(
            "\"-p {} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off\"",
            self.port
        );
        let log = self.data.join("server.log");
        self.as_postgres(&[
            "pg_ctl",
            "-D",
            self.data.to_str().unwrap(),
            "-l",
            log.to_str().unwrap(),
            "-o",
            &opts,
            "-w",
            "start",
        ]);
    }

    /// Stops at once, as a crash or a failover would.
    fn stop_now(&self) {
        self.as_postgres(&[
            "pg_ctl",
            "-D",
            self.data.to_str().unwrap(),
            "-m",
            "immediate",
            "stop",
        ]);
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The store's settings on this server: the personal-data key kept with its data.
    fn settings(&self) -> Settings {
        Settings {
            personal_key: xinfang_store::personal::KeySource::File(self.data.with_extension("key")),
            ..Settings::default()
        }
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        let _ = Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c"])
            .arg(format!(
                "{} -D {} -m immediate stop",
                self.bin.join("pg_ctl").display(),
                self.data.display()
            ))
            .output();
        let _ = std::fs::remove_dir_all(&self.data);
        let _ = std::fs::remove_file(self.data.with_extension("key"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgresql_going_away_under_load_loses_nothing() {
    let pg = OwnPostgres::start();
    let store = Store::open(&pg.url(), pg.settings()).await.unwrap();
    let c = small_city(&store).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut clients = Vec::new();
    for t in 0..8 {
        let (store, who, stop) = (
            store.clone(),
            xinfang_store::Who::Officer(c.registrar.clone()),
            stop.clone(),
        );
        let office = c.office;
        clients.push(tokio::spawn(async move {
            let (mut kept, mut refused) = (Vec::new(), 0u32);
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                match store
                    .register(
                        xinfang_store::testing::letter(&format!("事项{t}-{n}")),
                        who.clone(),
                        office,
                    )
                    .await
                {
                    Ok(case) => kept.push(case.id),
                    Err(e) => {
                        assert!(e.is_storage(), "only the storage may refuse: {e}");
                        refused += 1;
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    }
                }
            }
            (kept, refused)
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    pg.stop_now();
    // Longer than a request waits for a connection, so some are refused.
    tokio::time::sleep(std::time::Duration::from_secs(7)).await;
    pg.up();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut kept, mut refused) = (Vec::new(), 0);
    for c in clients {
        let (k, r) = c.await.unwrap();
        kept.extend(k);
        refused += r;
    }
    assert!(refused > 0, "the outage was felt");
    let late = store
        .register(
            xinfang_store::testing::letter("恢复后"),
            xinfang_store::Who::Officer(c.registrar.clone()),
            c.office,
        )
        .await;
    assert!(late.is_ok(), "service resumed by itself: {late:?}");
    store.close().await;
    let reopened = Store::open(&pg.url(), pg.settings()).await.unwrap();
    for id in &kept {
        assert!(
            reopened.case(*id).await.unwrap().is_some(),
            "acknowledged case {id} is missing"
        );
    }
    assert!(matches!(
        reopened.verify_chain().await.unwrap(),
        Verdict::Intact { .. }
    ));
    println!(
        "PostgreSQL away for 7 s under load: {} registrations kept, {refused} refused as storage_unavailable",
        kept.len()
    );
    reopened.close().await;
}
