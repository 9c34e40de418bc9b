//! 领导包案 through the API on both databases: attach, the 五个一, caseloads, refusals.

use crate::common::spawn;
use reqwest::StatusCode;
use serde_json::json;
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

both_backends! {
    async fn leader_owned_cases_through_the_api(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let case = app.store.register(letter("拆迁安置房迟迟未交付"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        let due = (app.store.clock().today() + chrono::Duration::days(60)).to_string();
        let leader = app.login("city_handler").await;
        let dept = app.login("dept_head").await;
        let path = format!("/api/v1/cases/{}/ownership", case.id.0);
        let body = json!({"leader_id": c.city_handler.person.0, "kind": "old_case", "due": due});
        // The department does not see the office's case: it is missing to them, not forbidden.
        let (s, e) = app.post(Some(&dept), &path, &body).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        let (s, e) = app.post(Some(&leader), &path, &json!({"leader_id": c.city_handler.person.0, "kind": "someday", "due": due})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (s, o) = app.post(Some(&leader), &path, &body).await;
        assert_eq!(s, StatusCode::CREATED, "{o}");
        let (s, _) = app.post(Some(&leader), &path, &body).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let id = o["id"].as_i64().unwrap();
        let act = format!("/api/v1/leadership/{id}/actions");
        for (part, text) in [("team", "副市长牵头专班"), ("plan", "三个月内交房"), ("minutes", "专题会纪要"), ("follow_up", "交房后回访")] {
            let (s, o) = app.post(Some(&leader), &act, &json!({"action": "fill", "part": part, "text": text})).await;
            assert_eq!(s, StatusCode::OK, "{o}");
        }
        let (s, e) = app.post(Some(&leader), &act, &json!({"action": "fill", "part": "budget", "text": "x"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (_, mine) = app.get(Some(&leader), "/api/v1/leadership?leader=me&open=true").await;
        assert_eq!(mine[0]["parts"].as_array().unwrap().len(), 4);
        let (_, theirs) = app.get(Some(&dept), "/api/v1/leadership").await;
        assert_eq!(theirs, json!([]), "the department oversees no leader");
        let (s, _) = app.get(Some(&leader), "/api/v1/leadership?leader=him").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        let (s, o) = app.post(Some(&leader), &act, &json!({"action": "resolve", "note": "已交房，信访人息诉"})).await;
        assert_eq!((s, o["resolved"][0].as_str()), (StatusCode::OK, Some("已交房，信访人息诉")));
    }
}
