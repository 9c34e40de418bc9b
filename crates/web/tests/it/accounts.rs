//! Accounts that hold against guessing, behind a proxy, on both databases: the per-account lock
//! and its unlock, the address limit keyed on the client behind a trusted proxy (and never on a
//! header anyone can write), Retry-After, the security log, idle sessions, the password change,
//! an administrator's password that must be changed, deactivation, and a login page that says
//! why it cannot keep a session over plain HTTP.

use crate::common::{App, spawn, spawn_configured};
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_store::both_backends;
use xinfang_store::testing::TEST_PASSWORD;

async fn login_from(
    app: &App,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> (StatusCode, Option<String>, Value) {
    let mut req = app
        .client
        .post(app.url("/api/v1/session"))
        .json(&json!({"username": username, "password": password}));
    if let Some(ip) = forwarded {
        req = req.header("X-Forwarded-For", format!("198.51.100.99, {ip}"));
    }
    let r = req.send().await.unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (r.status(), retry, r.json().await.unwrap_or(Value::Null))
}

async fn security_kinds(app: &App, admin: &str) -> Vec<String> {
    let (s, log) = app.get(Some(admin), "/api/v1/security-log").await;
    assert_eq!(s, StatusCode::OK, "{log}");
    log.as_array()
        .unwrap()
        .iter()
        .map(|l| {
            format!(
                "{}:{}:{}",
                l["kind"].as_str().unwrap(),
                l["username"].as_str().unwrap(),
                l["address"].as_str().unwrap_or("")
            )
        })
        .collect()
}

both_backends! {
    async fn an_account_locks_after_five_failures_and_an_admin_unlocks_it(db: TestDb) {
        let app = spawn(db).await;
        for n in 1..=4 {
            let (s, _, e) = login_from(&app, None, "registrar", "wrong-password").await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("bad_credentials")), "attempt {n}");
        }
        let (s, retry, e) = login_from(&app, None, "registrar", "wrong-password").await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::LOCKED, Some("account_locked")), "{e}");
        let retry: u64 = retry.expect("Retry-After").parse().unwrap();
        assert!((800..=900).contains(&retry), "about 15 minutes: {retry}");
        // Locked: even the right password waits; another officer at the same desk does not.
        let (s, _, _) = login_from(&app, None, "registrar", TEST_PASSWORD).await;
        assert_eq!(s, StatusCode::LOCKED);
        let admin = app.login("admin").await;
        let (_, accounts) = app.get(Some(&admin), "/api/v1/accounts").await;
        let registrar = accounts.as_array().unwrap().iter().find(|a| a["username"] == "registrar").unwrap().clone();
        assert!(registrar["locked_until"].as_i64().is_some(), "{registrar}");
        // Only an admin unlocks.
        let town = app.login("town_handler").await;
        let path = format!("/api/v1/people/{}/actions", registrar["id"]);
        let (s, _) = app.post(Some(&town), &path, &json!({"action": "unlock"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app.post(Some(&admin), &path, &json!({"action": "unlock"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        let (s, _, _) = login_from(&app, None, "registrar", TEST_PASSWORD).await;
        assert_eq!(s, StatusCode::OK);
        let kinds = security_kinds(&app, &admin).await;
        assert_eq!(kinds.iter().filter(|k| k.starts_with("login_failed:registrar:127.0.0.1")).count(), 5, "{kinds:?}");
        assert!(kinds.iter().any(|k| k.starts_with("locked:registrar")) && kinds.iter().any(|k| k.starts_with("unlocked:registrar")), "{kinds:?}");
        // The lock also lifts by itself.
        for _ in 0..5 {
            login_from(&app, None, "registrar", "wrong-password").await;
        }
        app.store.clock().advance(Duration::minutes(16));
        let (s, _, _) = login_from(&app, None, "registrar", TEST_PASSWORD).await;
        assert_eq!(s, StatusCode::OK);
    }

    async fn behind_a_trusted_proxy_each_client_has_its_own_budget(db: TestDb) {
        let proxy: ipnet::IpNet = "127.0.0.1/32".parse().unwrap();
        let app = spawn_configured(db, |c| c.trusted_proxies = vec![proxy], |s| s).await;
        // An attacker behind the proxy spends the address budget of 30 login attempts a minute…
        for _ in 0..30 {
            let (s, _, _) = login_from(&app, Some("203.0.113.7"), "nobody", "x").await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        // The budget refills one attempt every two seconds: on a loaded machine the thirty
        // attempts may have earned a few more, so keep trying until it runs out.
        let (mut s, mut retry, mut e) = login_from(&app, Some("203.0.113.7"), "nobody", "x").await;
        for _ in 0..30 {
            if s != StatusCode::UNAUTHORIZED {
                break;
            }
            (s, retry, e) = login_from(&app, Some("203.0.113.7"), "nobody", "x").await;
        }
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")));
        assert!(retry.expect("Retry-After").parse::<u64>().unwrap() >= 1);
        // …and an officer elsewhere in the city, through the same proxy, still logs in.
        let (s, _, e) = login_from(&app, Some("203.0.113.8"), "registrar", TEST_PASSWORD).await;
        assert_eq!(s, StatusCode::OK, "{e}");
        let admin = app.login("admin").await;
        let kinds = security_kinds(&app, &admin).await;
        assert!(kinds.iter().all(|k| !k.starts_with("login_failed") || k.ends_with(":203.0.113.7")), "the client's own address is logged: {kinds:?}");
        // The proxy says the browser came over HTTPS: the page login keeps its Secure cookie.
        let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = no_redirect.post(app.url("/login")).header("Host", "xinfang.city.gov.cn").header("X-Forwarded-Proto", "https")
            .header("X-Forwarded-For", "203.0.113.9").form(&[("username", "registrar"), ("password", TEST_PASSWORD)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }

    async fn a_forwarded_header_from_anyone_else_is_ignored(db: TestDb) {
        // No trusted proxy: changing X-Forwarded-For buys no new budget.
        let app = spawn(db).await;
        for n in 0..30 {
            let (s, _, _) = login_from(&app, Some(&format!("203.0.113.{n}")), "nobody", "x").await;
            assert_eq!(s, StatusCode::UNAUTHORIZED);
        }
        let (s, _, _) = login_from(&app, Some("203.0.113.200"), "nobody", "x").await;
        assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    }

    async fn sessions_end_when_idle_and_passwords_change(db: TestDb) {
        let app = spawn(db).await;
        let first = app.login("registrar").await;
        let second = app.login("registrar").await;
        // Used every 20 minutes, a session lives on; left for 31, it ends.
        for _ in 0..2 {
            app.store.clock().advance(Duration::minutes(20));
            tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
            assert_eq!(app.get(Some(&first), "/api/v1/me").await.0, StatusCode::OK);
        }
        assert_eq!(app.get(Some(&second), "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "idle 40 minutes");

        let second = app.login("registrar").await;
        let change = |current: &str, new: &str| json!({"current_password": current, "new_password": new});
        let put = |token: String, body: Value| {
            let app = &app;
            async move {
                let r = app.client.put(app.url("/api/v1/me/password")).bearer_auth(token).json(&body).send().await.unwrap();
                (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (s, e) = put(first.clone(), change("not-it", "a-new-long-password")).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("current_password")));
        let (s, e) = put(first.clone(), change(TEST_PASSWORD, "short")).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("new_password")));
        let (s, _) = put(first.clone(), change(TEST_PASSWORD, "a-new-long-password")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        assert_eq!(app.get(Some(&first), "/api/v1/me").await.0, StatusCode::OK, "the session that changed it stays");
        assert_eq!(app.get(Some(&second), "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "the others end");
        assert_eq!(login_from(&app, None, "registrar", TEST_PASSWORD).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(login_from(&app, None, "registrar", "a-new-long-password").await.0, StatusCode::OK);
    }

    async fn an_admins_password_must_be_changed_and_deactivation_ends_sessions(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let admin = app.login("admin").await;
        let (s, o) = app.post(Some(&admin), "/api/v1/people", &json!({"username": "newcomer", "name": "新同事", "unit_id": c.office.0, "roles": ["registrar"], "password": "given-by-admin-1"})).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let (s, _, body) = login_from(&app, None, "newcomer", "given-by-admin-1").await;
        assert_eq!((s, body["must_change_password"].as_bool()), (StatusCode::OK, Some(true)));
        let token = body["token"].as_str().unwrap().to_string();
        let (s, e) = app.get(Some(&token), "/api/v1/cases").await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("password_change_required")));
        let r = app.client.put(app.url("/api/v1/me/password")).bearer_auth(&token)
            .json(&json!({"current_password": "given-by-admin-1", "new_password": "my-own-password-2"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        assert_eq!(app.get(Some(&token), "/api/v1/cases").await.0, StatusCode::OK);

        // Deactivated: the session ends at once and the login is refused like a wrong password.
        let path = format!("/api/v1/people/{}/actions", o["id"]);
        let (s, e) = app.post(Some(&admin), &path, &json!({"action": "deactivate"})).await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{e}");
        assert_eq!(app.get(Some(&token), "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(login_from(&app, None, "newcomer", "my-own-password-2").await.0, StatusCode::UNAUTHORIZED);
        let (s, e) = app.post(Some(&admin), &format!("/api/v1/people/{}/actions", c.admin.person.0), &json!({"action": "deactivate"})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("person")), "not oneself");
        let kinds = security_kinds(&app, &admin).await;
        assert!(kinds.iter().any(|k| k.starts_with("password_changed:newcomer")) && kinds.iter().any(|k| k.starts_with("deactivated:newcomer")), "{kinds:?}");
    }

    async fn the_login_page_says_when_it_needs_https(db: TestDb) {
        let app = spawn(db).await;
        let form = [("username", "registrar"), ("password", TEST_PASSWORD)];
        let no_redirect = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = no_redirect.post(app.url("/login")).header("Host", "xinfang.city.gov.cn").form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.headers().get("set-cookie").is_none());
        assert!(r.text().await.unwrap().contains("HTTPS"));
        let r = no_redirect.post(app.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "this machine's own address keeps Secure cookies");
    }
}
