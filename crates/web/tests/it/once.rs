//! Nothing happens twice (#16 point 1), on both databases: the API's creates and acts honour
//! `Idempotency-Key` (a repeat by the same user returns the first answer and writes nothing,
//! also when both arrive at once; another user's same key is another request; a key reused for
//! another request is refused), the keys outlive the server, and a form sent twice with its
//! page's one-time token registers one case.

use crate::common::{App, letter, spawn_with};
use crate::ui::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_store::both_backends;

async fn keyed(
    app: &App,
    token: &str,
    path: &str,
    key: &str,
    body: &Value,
) -> (StatusCode, bool, Value) {
    let r = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap();
    let replayed = r.headers().get("idempotent-replayed").is_some();
    (r.status(), replayed, r.json().await.unwrap_or(Value::Null))
}

both_backends! {
    async fn a_create_or_act_sent_twice_with_one_key_happens_once(db: TestDb) {
        let app = spawn_with(db, |s| s).await;
        let reg = app.login("registrar").await;
        let before = app.event_count().await;
        let (s1, r1, first) = keyed(&app, &reg, "/api/v1/cases", "intake-0001", &letter()).await;
        let after_one = app.event_count().await;
        let (s2, r2, again) = keyed(&app, &reg, "/api/v1/cases", "intake-0001", &letter()).await;
        assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED), "{first} {again}");
        assert_eq!((r1, r2), (false, true));
        assert_eq!(first, again, "the first answer, again");
        assert!(after_one > before);
        assert_eq!(app.event_count().await, after_one, "the repeat wrote nothing");
        // Both at once: one case.
        let body = letter();
        let (a, b) = tokio::join!(
            keyed(&app, &reg, "/api/v1/cases", "intake-0002", &body),
            keyed(&app, &reg, "/api/v1/cases", "intake-0002", &body),
        );
        assert_eq!(a.2["id"], b.2["id"], "{a:?} {b:?}");
        assert!(a.1 ^ b.1, "exactly one of the two was replayed");
        // The same key for another request is refused and changes nothing.
        let mut other = letter();
        other["title"] = json!("另一件事");
        let count = app.event_count().await;
        let (s, _, v) = keyed(&app, &reg, "/api/v1/cases", "intake-0001", &other).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("idempotency_key_reused")), "{v}");
        assert_eq!(app.event_count().await, count);
        // Another officer's key is their own.
        let admin = app.login("admin").await;
        let (s, r, v) = keyed(&app, &admin, "/api/v1/cases", "intake-0001", &letter()).await;
        assert_eq!((s, r), (StatusCode::CREATED, false), "{v}");
        assert_ne!(v["id"], first["id"]);
        // Acts too: a forward sent twice forwards once.
        let id = first["id"].as_i64().unwrap();
        let fwd = json!({"action": "forward", "to_unit": app.city.dept.0});
        let path = format!("/api/v1/cases/{id}/actions");
        let (s1, _, v1) = keyed(&app, &reg, &path, "fwd-1", &fwd).await;
        let (s2, r2, v2) = keyed(&app, &reg, &path, "fwd-1", &fwd).await;
        assert_eq!((s1, s2, r2), (StatusCode::OK, StatusCode::OK, true), "{v1} {v2}");
        assert_eq!((v1["version"].clone(), v1["dispatches"].clone()), (v2["version"].clone(), json!(1)));
        // A malformed key is refused before anything is done.
        let (s, _, v) = keyed(&app, &reg, "/api/v1/cases", "空格 key", &letter()).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_idempotency_key")), "{v}");
        // Without a key nothing changes: two posts, two cases.
        let (_, a) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let (_, b) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        assert_ne!(a["id"], b["id"]);
    }

    async fn keys_outlive_the_server_and_expire_after_a_day(db: TestDb) {
        use xinfang_store::request_keys::{Claim, KeptAnswer};
        let url = db.url.clone();
        let store = xinfang_store::Store::open(&url, xinfang_store::Settings::default()).await.unwrap();
        assert_eq!(store.claim_request_key("person:1", "k", "f").await.unwrap(), Claim::Fresh);
        assert!(matches!(store.claim_request_key("person:1", "k", "f").await.unwrap(), Claim::Running { .. }));
        let answer = KeptAnswer { status: 201, headers: vec![("location".into(), "/cases/1".into())], body: "{}".into() };
        store.keep_request_answer("person:1", "k", &answer).await.unwrap();
        store.close().await;
        // Another process (or the same after a restart) on the database sees the answer.
        let other = xinfang_store::Store::open(&url, xinfang_store::Settings::default()).await.unwrap();
        assert_eq!(other.claim_request_key("person:1", "k", "f").await.unwrap(), Claim::Answered { fingerprint: "f".into(), answer });
        other.clock().advance(chrono::Duration::hours(25));
        assert_eq!(other.claim_request_key("person:1", "k", "f").await.unwrap(), Claim::Fresh, "a day later the key is new");
        // A key given up (the server failed) may be tried again.
        other.release_request_key("person:1", "k").await.unwrap();
        assert_eq!(other.claim_request_key("person:1", "k", "f").await.unwrap(), Claim::Fresh);
    }

    async fn a_form_sent_twice_registers_one_case(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let reg = Browser::login(&app.base, "registrar").await;
        let (_, page, _) = reg.get("/cases/new").await;
        let field = |name: &str| {
            let at = page.find(&format!(r#"name="{name}" value=""#)).unwrap() + name.len() + 15;
            page[at..at + page[at..].find('"').unwrap()].to_string()
        };
        let (csrf, once) = (field("csrf"), field("once"));
        let form = [
            ("csrf", csrf.as_str()), ("once", once.as_str()), ("channel", "letter"), ("class", "claim"),
            ("petitioner_name", "赵六"), ("petitioner_phone", "13600002222"),
            ("title", "路灯损坏"), ("content", "前进路路灯坏了一个月"), ("confirm", "1"),
        ];
        let before = app.store.count_cases().await.unwrap();
        let (s1, _, l1) = reg.post("/cases/new", &form).await;
        let (s2, _, l2) = reg.post("/cases/new", &form).await;
        assert_eq!((s1, s2), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER));
        assert_eq!(l1, l2, "the repeat lands on the same case");
        assert_eq!(app.store.count_cases().await.unwrap(), before + 1);
        // The case page it lands on carries a new token for its own forms.
        let (_, case_page, _) = reg.get(l1.as_deref().unwrap()).await;
        assert!(case_page.contains(r#"name="once""#) && !case_page.contains(&once));
    }
}
