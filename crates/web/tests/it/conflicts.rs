//! Two officers, one case, through the API on both databases: the case's `ETag` is its version;
//! an action sent with a stale version (`If-Match` or `version`) is refused with 409 `conflict`
//! and the case as it is now, and writes nothing; without a version it is judged against the
//! current state.

use crate::common::{letter, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_store::both_backends;

both_backends! {
    async fn a_stale_action_is_refused_with_the_current_case(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let (_, created) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let id = created["id"].as_i64().unwrap();
        assert_eq!(created["version"], 1);
        let (s, v) = app.act(&reg, id, json!({"action": "forward", "to_unit": c.dept.0, "version": 1})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["version"], 2);

        // Both officers open the case: ETag "2".
        let handler = app.login("dept_handler").await;
        let head = app.login("dept_head").await;
        let r = app.client.get(app.url(&format!("/api/v1/cases/{id}"))).bearer_auth(&handler).send().await.unwrap();
        assert_eq!(r.headers()["etag"], "\"2\"");

        // One accepts (If-Match); the other's decline, drawn from the same version, is refused.
        let r = app.client.post(app.url(&format!("/api/v1/cases/{id}/actions")))
            .bearer_auth(&handler).header("If-Match", "\"2\"").json(&json!({"action": "accept"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["etag"], "\"3\"");
        let before = app.event_count().await;
        let r = app.client.post(app.url(&format!("/api/v1/cases/{id}/actions")))
            .bearer_auth(&head).header("If-Match", "\"2\"").json(&json!({"action": "decline", "reason": "不属于受理范围"})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "conflict", "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("已有新的办理进展"));
        assert_eq!(body["error"]["current"]["status"], "handling", "the case as it is now");
        assert_eq!(body["error"]["current"]["version"], 3);
        assert!(body["error"]["current"]["actions"].as_array().unwrap().contains(&json!("reply")));
        assert_eq!(app.event_count().await, before, "nothing written");

        // The same through the body's `version`.
        let (s, v) = app.act(&head, id, json!({"action": "extend", "days": 10, "reason": "需要调查", "version": 2})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
        // Without a version: judged against the current state (a decline no longer applies).
        let (s, v) = app.act(&head, id, json!({"action": "decline", "reason": "不属于受理范围"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("illegal_transition")));
        assert_eq!(app.event_count().await, before);

        // Bad versions are input errors.
        for (header, body) in [
            (Some("abc"), json!({"action": "reply", "outcome": "support", "text": "x"})),
            (None, json!({"action": "reply", "outcome": "support", "text": "x", "version": "3"})),
            (None, json!({"action": "reply", "outcome": "support", "text": "x", "version": -1})),
            (Some("\"3\""), json!({"action": "reply", "outcome": "support", "text": "x", "version": 4})),
        ] {
            let mut req = app.client.post(app.url(&format!("/api/v1/cases/{id}/actions"))).bearer_auth(&handler).json(&body);
            if let Some(h) = header {
                req = req.header("If-Match", h);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{header:?} {body}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["error"]["field"], "version", "{v}");
        }
        // An unknown field is still refused, as before.
        let (s, _) = app.act(&handler, id, json!({"action": "reply", "outcome": "support", "text": "x", "versoin": 3})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.event_count().await, before);

        // A current version goes through.
        let (s, v) = app.act(&handler, id, json!({"action": "reply", "outcome": "support", "text": "经核查，已整改。", "version": 3})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["status"].as_str(), v["draft"]["kind"].as_str()), (Some("handling"), Some("reply")), "{v}");
        // The head signs what they read: a signature drawn before a redraft is refused.
        let (s, v) = app.act(&head, id, json!({"action": "approve", "version": 3})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("conflict")));
        let (s, v) = app.act(&head, id, json!({"action": "approve", "version": 4})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "replied");
    }
}
