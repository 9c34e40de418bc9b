//! The binary as operators and outside checks use it.

// Helpers unwrap: a test that cannot set itself up should fail at once.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

mod checkpoints;
mod crash;
mod drill;
mod import;
mod keys;
mod open311_client;
mod org;
mod processes;
mod repack;
mod routing;
mod schemathesis;

/// Runs the binary to its end.
fn xinfang(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xinfang"))
        .args(args)
        .output()
        .unwrap()
}

/// What a run printed, on both streams.
fn said(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What a run that must succeed printed on stdout.
fn ok(out: &std::process::Output) -> String {
    assert!(out.status.success(), "{}", said(out));
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// What a receiver on loopback got: each request's idempotency key and JSON body.
type Received = std::sync::Arc<std::sync::Mutex<Vec<(String, serde_json::Value)>>>;

/// A receiver on loopback (an SMS gateway, the supervising level) that keeps every JSON it is
/// sent with its `Idempotency-Key`; returns its URL.
async fn receiver() -> (String, Received) {
    let got: Received = Default::default();
    let g = got.clone();
    let app = axum::Router::new().route(
        "/in",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::Json<serde_json::Value>| {
                let g = g.clone();
                async move {
                    let key = headers
                        .get("idempotency-key")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("none")
                        .to_string();
                    g.lock().unwrap().push((key, body.0));
                    axum::http::StatusCode::OK
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/in", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

/// A server on a fresh demo city of `cases` cases in `db` (more flags after), once it answers;
/// and its base URL.
async fn demo_server(db: &std::path::Path, cases: &str, more: &[&str]) -> (Server, String) {
    let port = free_port();
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_xinfang"))
            .args(["serve", "--db", &format!("sqlite://{}", db.display())])
            .args([
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--demo",
                "--demo-cases",
                cases,
            ])
            .args(more)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&reqwest::Client::new(), &base, Duration::from_secs(120)).await;
    (server, base)
}

/// A program of the Python tools `.ci/setup-schemathesis` installs (schemathesis, python).
fn python_tool(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/schemathesis/bin")
        .join(name)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// An SQLite database file and its WAL companions.
fn remove_db(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", ".key"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

/// Waits until the server answers `/healthz`.
async fn wait_ready(client: &reqwest::Client, base: &str, limit: Duration) {
    wait_for(client, &format!("{base}/healthz"), limit).await;
}

/// Waits until `url` answers 200.
async fn wait_for(client: &reqwest::Client, url: &str, limit: Duration) {
    let started = Instant::now();
    loop {
        if let Ok(r) = client.get(url).send().await
            && r.status() == 200
        {
            return;
        }
        assert!(started.elapsed() < limit, "{url} did not answer");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A GET of the API as the holder of `token`, its JSON answer.
async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> serde_json::Value {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The id of the demo unit named `name`.
async fn demo_unit(client: &reqwest::Client, base: &str, token: &str, name: &str) -> i64 {
    let units = get_json(client, &format!("{base}/api/v1/units"), token).await;
    units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// A session token for a demo account.
async fn demo_token(client: &reqwest::Client, base: &str, username: &str) -> String {
    let r = client
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"username": username, "password": "xinfang-demo"}))
        .send()
        .await
        .unwrap();
    r.json::<serde_json::Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn temp_db(name: &str) -> std::path::PathBuf {
    let p = std::env::temp_dir().join(format!("xinfang_cli_{name}_{}.db", std::process::id()));
    remove_db(&p);
    p
}

#[tokio::test]
async fn serve_demo_prints_logins_and_answers() {
    let db = temp_db("serve");
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_xinfang"))
        .args([
            "serve",
            "--db",
            &format!("sqlite://{}", db.display()),
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--demo",
            "--demo-cases",
            "300",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _server = Server(child);
    let lines = std::thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .take(80)
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&client, &base, Duration::from_secs(120)).await;
    for user in ["admin", "registrar"] {
        let r = client
            .post(format!("{base}/api/v1/session"))
            .json(&json!({"username": user, "password": "xinfang-demo"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "demo login {user}");
    }
    // The admin sees all 300 demo cases; the office, all but the reports it forwarded.
    let count = |token: String| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let list = get_json(&client, &format!("{base}/api/v1/cases?per_page=5"), &token).await;
            list["total"].as_i64().unwrap()
        }
    };
    assert_eq!(count(demo_token(&client, &base, "admin").await).await, 300);
    let token = demo_token(&client, &base, "registrar").await;
    let before = count(token.clone()).await;
    let r = client
        .post(format!("{base}/api/v1/cases"))
        .bearer_auth(&token)
        .json(&json!({"channel": "letter", "petitioner": {"name": "张三", "phone": "13800138000"}, "title": "路灯不亮", "content": "迎宾路路灯已坏一个月。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(count(token).await, before + 1);
    drop(_server);
    let printed = lines.join().unwrap().join("\n");
    assert!(
        printed.contains(&format!("http://127.0.0.1:{port}/")),
        "{printed}"
    );
    assert!(
        printed.contains("registrar")
            && printed.contains("admin")
            && printed.contains("xinfang-demo"),
        "{printed}"
    );
    remove_db(&db);
}

/// Start-up on a built database while officers log in and register at once: nothing the server
/// logs is an error (a login's write once made the writer's batch fail with "database is
/// locked").
#[tokio::test]
async fn start_up_under_load_logs_no_error() {
    let db = temp_db("startup");
    let url = format!("sqlite://{}", db.display());
    let bin = env!("CARGO_BIN_EXE_xinfang");
    let out = Command::new(bin)
        .args(["demo", "--db", &url, "--cases", "3000"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let port = free_port();
    let log = db.with_extension("log");
    let child = Command::new(bin)
        .args([
            "serve",
            "--db",
            &url,
            "--addr",
            &format!("127.0.0.1:{port}"),
        ])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let server = Server(child);
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&client, &base, Duration::from_secs(60)).await;
    let mut tasks = Vec::new();
    for t in 0..6 {
        let (client, base) = (client.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            let token = demo_token(&client, &base, "registrar").await;
            for i in 0..15 {
                let r = client
                    .post(format!("{base}/api/v1/cases"))
                    .bearer_auth(&token)
                    .json(&json!({"channel": "phone", "petitioner": {"name": "王五"}, "title": format!("来电{t}-{i}"), "content": "反映小区停水。"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    drop(server);
    let printed = std::fs::read_to_string(&log).unwrap();
    assert!(
        printed.contains("text index"),
        "the log was read: {printed}"
    );
    assert!(
        !printed.contains("ERROR") && !printed.contains("locked") && !printed.contains("refused"),
        "{printed}"
    );
    remove_db(&db);
    let _ = std::fs::remove_file(&log);
}

#[test]
fn the_holiday_table_includes_2026_and_imports_into_the_database() {
    let bin = env!("CARGO_BIN_EXE_xinfang");
    let out = Command::new(bin).arg("holidays").output().unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    let cal = xinfang_domain::Calendar::from_toml(&table).unwrap();
    assert!(cal.has_year(2026) && cal.has_year(2007));
    assert!(cal.holidays.contains(&"2026-10-07".parse().unwrap()));
    assert!(cal.workdays.contains(&"2026-10-10".parse().unwrap()));
    // `--holidays FILE` imports the file's years into the database's calendar.
    let db = temp_db("holidays");
    let file = db.with_extension("toml");
    std::fs::write(
        &file,
        "holidays = [\"2027-01-01\", \"2027-01-02\"]\nworkdays = []\n",
    )
    .unwrap();
    let url = format!("sqlite://{}", db.display());
    let out = Command::new(bin)
        .args(["migrate", "--db", &url, "--holidays"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("已导入节假日日历：2027"));
    let out = Command::new(bin)
        .args(["verify", "--db", &url])
        .output()
        .unwrap();
    assert!(out.status.success());
    remove_db(&db);
    let _ = std::fs::remove_file(&file);
}

#[test]
fn verify_catches_a_tampered_log() {
    let db = temp_db("verify");
    let url = format!("sqlite://{}", db.display());
    let bin = env!("CARGO_BIN_EXE_xinfang");
    let out = Command::new(bin)
        .args(["demo", "--db", &url, "--cases", "50"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(bin)
        .args(["verify", "--db", &url])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("完好"));
    // Tamper with event 100 the way someone with the file would: drop the guard, edit the row.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
        sqlx::query("DROP TRIGGER events_no_update")
            .execute(&mut conn)
            .await
            .unwrap();
        sqlx::query("UPDATE events SET at = at + 1 WHERE seq = 100")
            .execute(&mut conn)
            .await
            .unwrap();
    });
    let out = Command::new(bin)
        .args(["verify", "--db", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("第 100 号事件"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    remove_db(&db);
}
