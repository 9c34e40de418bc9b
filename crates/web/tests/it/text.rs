//! One text rule on both databases: NUL and other control characters (but tab, line feed and
//! carriage return), bidirectional overrides and text blank but for zero-width characters are
//! refused with 422 wherever they arrive — the domain's fields, the API's filters, the login,
//! the pages' forms and Open311 — and nothing is written. PostgreSQL answered 500 to a NUL.

use crate::common::{letter, spawn};
use reqwest::StatusCode;
use serde_json::json;
use xinfang_store::both_backends;

both_backends! {
    async fn text_is_refused_alike_on_both_databases(db: TestDb) {
        let app = spawn(db).await;
        let reg = app.login("registrar").await;
        let before = app.event_count().await;
        let with = |field: &str, value: &str| {
            let mut body = letter();
            match field {
                "name" => body["petitioner"]["name"] = json!(value),
                f => body[f] = json!(value),
            }
            body
        };
        for (field, value, expected_field) in [
            ("title", "路灯\u{0}不亮", "title"),
            ("content", "请求\u{1b}[31m查处", "content"),
            ("title", "\u{202E}查处物业", "title"),
            ("title", "\u{200B}\u{200D} \u{FEFF}", "title"),
            ("name", "李\u{0}四", "petitioner.name"),
            ("content", "x\u{FFFF}", "content"),
        ] {
            let (s, e) = app.post(Some(&reg), "/api/v1/cases", &with(field, value)).await;
            assert_eq!(
                (s, e["error"]["code"].as_str(), e["error"]["field"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input"), Some(expected_field)),
                "{field} = {value:?}: {e}"
            );
        }
        // Filters and the login: refused at the edge, never a database error.
        let (s, e) = app.get(Some(&reg), "/api/v1/cases?name=%E6%9D%8E%00").await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")), "{e}");
        let (s, _) = app.post(None, "/api/v1/session", &json!({"username": "registrar\u{0}", "password": "x"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        // A page's form gets a page.
        let r = reqwest::Client::new()
            .post(app.url("/login"))
            .form(&[("username", "a\u{0}"), ("password", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("控制字符"));
        // Open311 answers in its own error format, as JSON for a .json path.
        let (_, key) = app.store.create_api_key("12345热线").await.unwrap();
        let r = reqwest::Client::new()
            .post(app.url("/open311/v2/requests.json"))
            .form(&[("api_key", key.as_str()), ("service_code", "cxjs-wygl"), ("description", "噪音\u{0}扰民")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let e: serde_json::Value = r.json().await.unwrap();
        assert_eq!(e[0]["code"], 400, "{e}");
        assert_eq!(app.event_count().await, before, "nothing written");

        // Real petitions keep their tabs and line breaks, on both databases.
        let mut body = letter();
        body["content"] = json!("一、事实：\r\n\t物业费上调\n二、请求：查处");
        let (s, case) = app.post(Some(&reg), "/api/v1/cases", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{case}");
        let (_, read) = app.get(Some(&reg), &format!("/api/v1/cases/{}", case["id"])).await;
        assert_eq!(read["content"], "一、事实：\r\n\t物业费上调\n二、请求：查处");
    }
}
