//! 督查督办 through the API on both databases: scope, raising, the sweeper's supervision in the
//! list, acting, and bad input refused with stable codes.

use crate::common::spawn;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use xinfang_domain::Command;
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

both_backends! {
    async fn supervision_through_the_api(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = || Who::Officer(c.registrar.clone());
        let case = app.store.register(letter("占道经营"), reg(), c.office).await.unwrap();
        app.store.act(case.id, Command::Forward { to_unit: c.town }, reg()).await.unwrap();
        app.store.clock().advance(Duration::days(16));
        assert_eq!(app.store.sweep_supervision().await.unwrap(), 1);

        let leader = app.login("city_handler").await;
        let (s, list) = app.get(Some(&leader), "/api/v1/supervision?status=open").await;
        assert_eq!(s, StatusCode::OK, "{list}");
        assert_eq!(list[0]["trigger"], "late_acceptance");
        assert_eq!(list[0]["unit"], c.town.0);
        let id = list[0]["id"].as_i64().unwrap();

        // The department sees nothing of the town's; the town sees its own.
        let dept = app.login("dept_head").await;
        let (_, list) = app.get(Some(&dept), "/api/v1/supervision").await;
        assert_eq!(list, json!([]));
        assert_eq!(app.get(Some(&dept), &format!("/api/v1/supervision/{id}")).await.0, StatusCode::FORBIDDEN);
        let town = app.login("town_handler").await;
        let (s, _) = app.get(Some(&town), &format!("/api/v1/supervision/{id}")).await;
        assert_eq!(s, StatusCode::OK);

        // Bad input: a stable code, nothing written.
        let before = app.event_count().await;
        let (s, e) = app.get(Some(&leader), "/api/v1/supervision?status=late").await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")));
        let (s, e) = app.post(Some(&town), &format!("/api/v1/supervision/{id}/actions"), &json!({"action": "answer", "text": ""})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")), "{e}");
        let (s, _) = app.post(Some(&town), &format!("/api/v1/supervision/{id}/actions"), &json!({"action": "close", "note": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, e) = app.post(Some(&leader), "/api/v1/supervision", &json!({"unit_id": c.dept.0, "reason": "x", "extra": 1})).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")), "{e}");
        assert_eq!(app.event_count().await, before);

        // Answer, list, raise by hand.
        let (s, v) = app.post(Some(&town), &format!("/api/v1/supervision/{id}/actions"), &json!({"action": "answer", "text": "已受理并约谈"})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("answered")));
        let (s, v) = app.post(Some(&leader), &format!("/api/v1/supervision/{id}/actions"), &json!({"action": "list", "listed": true})).await;
        assert_eq!((s, v["listed"].as_bool()), (StatusCode::OK, Some(true)));
        let (_, listed) = app.get(Some(&leader), "/api/v1/supervision?listed=true").await;
        assert_eq!(listed.as_array().unwrap().len(), 1);
        let (s, v) = app.post(Some(&leader), "/api/v1/supervision", &json!({"unit_id": c.dept.0, "case_id": case.id.0, "reason": "答复敷衍"})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unit_id")), "the case is not at the department: {v}");
        let (s, v) = app.post(Some(&leader), "/api/v1/supervision", &json!({"unit_id": c.town.0, "case_id": case.id.0, "reason": "答复敷衍"})).await;
        assert_eq!((s, v["trigger"].as_str()), (StatusCode::CREATED, Some("manual")), "{v}");
        let (s, _) = app.post(Some(&dept), "/api/v1/supervision", &json!({"unit_id": c.town.0, "reason": "越权"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, on_case) = app.get(Some(&leader), &format!("/api/v1/supervision?case_id={}", case.id.0)).await;
        assert_eq!(on_case.as_array().unwrap().len(), 2);
    }

    async fn the_served_app_sweeps_in_the_background(db: TestDb) {
        // Built and served as the binary does, with the sweep every few hundred milliseconds.
        let every = std::time::Duration::from_millis(300);
        let app = crate::common::spawn_configured(db, |c| c.sweep_every = every, |s| s).await;
        let c = &app.city;
        let reg = || Who::Officer(c.registrar.clone());
        let case = app.store.register(letter("路灯不亮"), reg(), c.office).await.unwrap();
        app.store.act(case.id, Command::Forward { to_unit: c.town }, reg()).await.unwrap();
        app.store.clock().advance(Duration::days(16));
        let leader = app.login("city_handler").await;
        let mut raised = serde_json::Value::Null;
        for _ in 0..50 {
            tokio::time::sleep(every).await;
            raised = app.get(Some(&leader), "/api/v1/supervision?status=open").await.1;
            if raised.as_array().is_some_and(|l| !l.is_empty()) {
                break;
            }
        }
        assert_eq!(raised[0]["trigger"], "late_acceptance", "{raised}");
        assert_eq!(raised[0]["case_id"], case.id.0);
    }
}
