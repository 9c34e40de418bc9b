//! 排查台账 through the API on both databases: recording in scope, revising, resolving, and an
//! entry turned into a registered case.

use crate::common::spawn;
use reqwest::StatusCode;
use serde_json::json;
use xinfang_store::both_backends;

both_backends! {
    async fn the_dispute_ledger_through_the_api(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let due = (app.store.clock().today() + chrono::Duration::days(30)).to_string();
        let entry = |unit: i64, due: &str| json!({"title": "前进村土地流转纠纷", "description": "村民与合作社就流转租金发生争议",
            "unit_id": unit, "leader": "李镇长", "person": "王主任", "plan": "镇司法所组织调解", "risk": "high", "due": due});
        let town = app.login("town_handler").await;
        let (s, _) = app.post(Some(&town), "/api/v1/ledger", &entry(c.dept.0, &due)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "another unit's ledger");
        let (s, e) = app.post(Some(&town), "/api/v1/ledger", &entry(c.village.0, "2001-01-01")).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")));
        let (s, d) = app.post(Some(&town), "/api/v1/ledger", &entry(c.village.0, &due)).await;
        assert_eq!(s, StatusCode::CREATED, "{d}");
        let id = d["id"].as_i64().unwrap();
        let (_, list) = app.get(Some(&town), "/api/v1/ledger?open=true").await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let other = app.login("other_town_handler").await;
        assert_eq!(app.get(Some(&other), &format!("/api/v1/ledger/{id}")).await.0, StatusCode::FORBIDDEN);

        let (s, d) = app.post(Some(&town), &format!("/api/v1/ledger/{id}/actions"), &json!({"action": "revise", "plan": "县调解中心介入", "risk": "medium", "due": due})).await;
        assert_eq!((s, d["risk"].as_str()), (StatusCode::OK, Some("medium")));

        // The villagers petition: a registrar registers it and the entry continues as that case.
        let petition = json!({"channel": "visit", "title": "土地流转租金纠纷", "content": "请求依法解决流转租金拖欠",
            "petitioner": {"name": "赵六", "phone": "13600001111"}});
        let (s, _) = app.post(Some(&town), &format!("/api/v1/ledger/{id}/case"), &petition).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "only registrars register");
        let registrar = app.login("registrar").await;
        let (s, r) = app.post(Some(&registrar), &format!("/api/v1/ledger/{id}/case"), &petition).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let case_id = r["case_id"].as_i64().unwrap();
        let case = app.store.case(xinfang_domain::CaseId(case_id)).await.unwrap().unwrap();
        assert_eq!(case.registered_unit, c.office);
        let (_, d) = app.get(Some(&town), &format!("/api/v1/ledger/{id}")).await;
        assert_eq!((d["status"].as_str(), d["case_id"].as_i64()), (Some("became_case"), Some(case_id)));
        let (s, _) = app.post(Some(&town), &format!("/api/v1/ledger/{id}/actions"), &json!({"action": "resolve", "note": "x"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
}
