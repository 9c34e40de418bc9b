//! The backup drill an office runs: back up an SQLite database while its server takes
//! registrations, restore into PostgreSQL, back that up and restore into SQLite again. Every
//! event, case, record and attachment of the snapshot comes back, the chain verifies with the
//! same head, and the last two databases hold the same rows table by table. A damaged backup
//! and a database that is not empty are refused and nothing is written.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use sqlx::Row;
use xinfang_adapters::files::FileStore;
use xinfang_store::backup::Manifest;
use xinfang_store::testing::TestDb;
use xinfang_store::{Backend, Settings, Store, Who};

use crate::{Server, demo_token, free_port, ok, xinfang};

/// A registered case carrying an attachment kept in `files`.
async fn case_with_attachment(url: &str, files: &Path) -> String {
    let store = Store::open(url, Settings::default()).await.unwrap();
    let (_, actor) = xinfang_store::testing::login(&store, "registrar", "xinfang-demo").await;
    let files = FileStore::open(files).unwrap();
    let mut upload = files.begin("现场照片说明.txt").await.unwrap();
    upload
        .push("东城镇前进村5组道路塌陷，附现场情况说明。".as_bytes())
        .await
        .unwrap();
    let (attachment, _) = files.keep(upload.finish().await.unwrap()).unwrap();
    let mut new = xinfang_store::testing::letter("道路塌陷");
    new.attachments = vec![attachment.clone()];
    let unit = actor.unit;
    store
        .register(new, Who::Officer(actor), unit)
        .await
        .unwrap();
    store.close().await;
    attachment.sha256
}

/// Events (sequence and hash) of a database, in order.
async fn chain(url: &str) -> Vec<(i64, Vec<u8>)> {
    let store = Store::open(url, Settings::default()).await.unwrap();
    let rows = sqlx::query("SELECT seq, hash FROM events ORDER BY seq")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("seq").unwrap(), r.try_get("hash").unwrap()))
        .collect();
    store.close().await;
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_under_load_restores_into_postgresql_and_back() {
    let a = TestDb::new(Backend::Sqlite).await;
    let work = std::env::temp_dir().join(format!("xinfang_cli_drill_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let files_a = work.join("files-a");
    ok(&xinfang(&["demo", "--db", &a.url, "--cases", "300"]));
    let sha = case_with_attachment(&a.url, &files_a).await;

    // The server runs and officers register while the backup is taken.
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_xinfang"))
        .args([
            "serve",
            "--db",
            &a.url,
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .arg("--files")
        .arg(&files_a)
        .arg("--index")
        .arg(work.join("index-a"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    crate::wait_ready(&client, &base, Duration::from_secs(60)).await;
    let token = demo_token(&client, &base, "registrar").await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for t in 0..4 {
        let (client, base, token, stop) =
            (client.clone(), base.clone(), token.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let r = client
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&json!({"channel": "phone", "petitioner": {"name": "王五"}, "title": format!("来电{t}-{n}"), "content": "反映路灯不亮。"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                n += 1;
            }
            n
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let one = work.join("backup-1");
    let printed = ok(&xinfang(&[
        "backup",
        "--db",
        &a.url,
        "--to",
        one.to_str().unwrap(),
        "--files",
        files_a.to_str().unwrap(),
    ]));
    assert!(printed.contains("已备份"), "{printed}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut registered = 0;
    for l in load {
        registered += l.await.unwrap();
    }
    drop(server);
    assert!(registered > 0);
    let m1 = Manifest::read(&one).unwrap();
    let chain_a = chain(&a.url).await;
    assert!(
        chain_a.len() as i64 > m1.head_seq,
        "registrations went on after the snapshot"
    );

    // SQLite → PostgreSQL.
    let b = TestDb::new(Backend::Postgres).await;
    let files_b = work.join("files-b");
    let printed = ok(&xinfang(&[
        "restore",
        "--from",
        one.to_str().unwrap(),
        "--db",
        &b.url,
        "--files",
        files_b.to_str().unwrap(),
        "--index",
        work.join("index-b").to_str().unwrap(),
    ]));
    assert!(printed.contains("链完好"), "{printed}");
    let chain_b = chain(&b.url).await;
    assert_eq!(
        chain_b,
        chain_a[..m1.head_seq as usize],
        "the snapshot's events, each with its hash"
    );
    let store_b = Store::open(&b.url, Settings::default()).await.unwrap();
    for t in &m1.tables {
        let n: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {}",
            t.name
        )))
        .fetch_one(store_b.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
        assert_eq!(n as u64, t.rows, "table {}", t.name);
    }
    assert!(
        FileStore::open(&files_b).unwrap().has(&sha),
        "the attachment came back"
    );
    let cases_b = store_b.count_cases().await.unwrap();
    store_b.close().await;

    // A backup refuses to land on a database that is not empty.
    let out = xinfang(&["restore", "--from", one.to_str().unwrap(), "--db", &b.url]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("不是空的"));

    // PostgreSQL → SQLite: the same rows, table by table (the backups' checksums agree).
    let two = work.join("backup-2");
    ok(&xinfang(&[
        "backup",
        "--db",
        &b.url,
        "--to",
        two.to_str().unwrap(),
        "--files",
        files_b.to_str().unwrap(),
    ]));
    let c = TestDb::new(Backend::Sqlite).await;
    let files_c = work.join("files-c");
    ok(&xinfang(&[
        "restore",
        "--from",
        two.to_str().unwrap(),
        "--db",
        &c.url,
        "--files",
        files_c.to_str().unwrap(),
    ]));
    let three = work.join("backup-3");
    ok(&xinfang(&[
        "backup",
        "--db",
        &c.url,
        "--to",
        three.to_str().unwrap(),
        "--files",
        files_c.to_str().unwrap(),
    ]));
    let (m2, m3) = (
        Manifest::read(&two).unwrap(),
        Manifest::read(&three).unwrap(),
    );
    for (t2, t3) in m2.tables.iter().zip(&m3.tables) {
        assert_eq!(
            (&t2.name, t2.rows, &t2.sha256),
            (&t3.name, t3.rows, &t3.sha256)
        );
    }
    assert_eq!(m2.tables.len(), m3.tables.len());
    assert_eq!((m3.head_seq, &m3.head_hash), (m1.head_seq, &m1.head_hash));
    let store_c = Store::open(&c.url, Settings::default()).await.unwrap();
    assert_eq!(store_c.count_cases().await.unwrap(), cases_b);
    store_c.close().await;

    // A damaged backup is refused before anything is written.
    let damaged = work.join("backup-damaged");
    std::fs::create_dir_all(damaged.join("tables")).unwrap();
    for t in &m2.tables {
        let name = format!("{}.jsonl.gz", t.name);
        std::fs::copy(
            two.join("tables").join(&name),
            damaged.join("tables").join(&name),
        )
        .unwrap();
    }
    std::fs::copy(two.join("manifest.json"), damaged.join("manifest.json")).unwrap();
    let events = damaged.join("tables").join("events.jsonl.gz");
    let bytes = std::fs::read(&events).unwrap();
    std::fs::write(&events, &bytes[..bytes.len() / 2]).unwrap();
    let d = TestDb::new(Backend::Sqlite).await;
    let out = xinfang(&[
        "restore",
        "--from",
        damaged.to_str().unwrap(),
        "--db",
        &d.url,
    ]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("events"), "{said}");
    let file = d.url.trim_start_matches("sqlite://").to_string();
    assert!(
        !Path::new(&file).exists(),
        "nothing was written, not even the database file"
    );
    let _ = std::fs::remove_dir_all(&work);
}
