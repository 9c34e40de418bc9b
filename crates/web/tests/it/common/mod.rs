//! Test harness: the real app on a loopback port against a fresh database, driven over HTTP.
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::Value;
use xinfang_adapters::files::FileStore;
use xinfang_store::testing::{SmallCity, TEST_PASSWORD, TestDb, small_city};
use xinfang_store::{Settings, Store};
use xinfang_web::AppState;

pub struct App {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Store,
    pub city: SmallCity,
    pub files: FileStore,
    /// The routing suggestions the app answers from (tests retrain them at will).
    pub router: xinfang_text::routing::Router,
    _db: TestDb,
    _index: tempfile::TempDir,
}

pub async fn spawn(db: TestDb) -> App {
    spawn_with(db, |s| s).await
}

/// The app as the binary builds it ([`xinfang_web::App::build`]), with its background sweep
/// and notice delivery, serving on a loopback port; `adjust` changes its state first. The
/// background sweep runs hourly here, so that tests which sweep by hand see only their own
/// sweeps (`spawn_configured` sets it otherwise).
pub async fn spawn_with(db: TestDb, adjust: impl FnOnce(AppState) -> AppState) -> App {
    spawn_configured(
        db,
        |c| c.sweep_every = std::time::Duration::from_secs(3600),
        adjust,
    )
    .await
}

pub async fn spawn_configured(
    db: TestDb,
    configure: impl FnOnce(&mut xinfang_web::Config),
    adjust: impl FnOnce(AppState) -> AppState,
) -> App {
    let index = tempfile::tempdir().expect("index dir");
    let mut config = xinfang_web::Config::new(
        &db.url,
        Settings::default(),
        index.path().join("index"),
        index.path().join("files"),
    );
    configure(&mut config);
    let mut app = xinfang_web::App::build(config).await.expect("build app");
    let store = app.state.store.clone();
    let files = app.state.files.clone();
    let router = app.state.router.clone();
    let city = small_city(&store).await;
    app.state = adjust(app.state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { app.serve(listener).await.unwrap() });
    App {
        base,
        client: reqwest::Client::new(),
        store,
        city,
        files,
        router,
        _db: db,
        _index: index,
    }
}

impl App {
    /// The database the app serves, for a second process's store on it.
    pub fn db_url(&self) -> &str {
        &self._db.url
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn login(&self, username: &str) -> String {
        let (status, body) = self
            .post(
                None,
                "/api/v1/session",
                &serde_json::json!({"username": username, "password": TEST_PASSWORD}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {username}: {body}");
        body["token"].as_str().unwrap().to_string()
    }

    pub async fn post(&self, token: Option<&str>, path: &str, body: &Value) -> (StatusCode, Value) {
        let mut req = self.client.post(self.url(path)).json(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, token: Option<&str>, path: &str) -> (StatusCode, Value) {
        let mut req = self.client.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        let status = r.status();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn act(&self, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
        self.post(Some(token), &format!("/api/v1/cases/{id}/actions"), &body)
            .await
    }

    /// A written opinion (`reply`, `review`, `rereview`, `decline`) drafted by `token`'s officer
    /// and signed by the first head or leader who may sign it (the department's head, the
    /// city's leader, the second city leader); the answer of the signing, or of the command
    /// when it was refused or nothing was drafted (a body above the deployment's opinion).
    pub async fn issue(&self, token: &str, id: i64, body: Value) -> (StatusCode, Value) {
        let (status, drafted) = self.act(token, id, body).await;
        if status != StatusCode::OK || drafted["draft"].is_null() {
            return (status, drafted);
        }
        for signer in ["dept_head", "city_handler", "leader"] {
            let signer = self.login(signer).await;
            let (status, signed) = self
                .act(&signer, id, serde_json::json!({"action": "approve"}))
                .await;
            if status == StatusCode::OK {
                return (status, signed);
            }
        }
        panic!("nobody may sign the draft: {drafted}");
    }

    /// Rows in the event log: proves that refused requests wrote nothing.
    pub async fn event_count(&self) -> i64 {
        use sqlx::Row;
        sqlx::query("SELECT COUNT(*) AS n FROM events")
            .fetch_one(self.store.pool())
            .await
            .unwrap()
            .try_get("n")
            .unwrap()
    }
}

pub fn letter() -> Value {
    serde_json::json!({
        "channel": "letter",
        "petitioner": {"name": "李四", "phone": "13912345678", "id_number": "11010519491231002X"},
        "title": "小区物业乱收费",
        "content": "阳光花园小区物业擅自上调物业费，请求住建部门查处。"
    })
}
