//! 值班、信息报送 through the API and the page on both databases.

use crate::common::spawn;
use reqwest::StatusCode;
use serde_json::json;
use xinfang_store::both_backends;

both_backends! {
    async fn duty_and_incident_reports_through_the_api(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let town = app.login("town_handler").await;
        let tomorrow = (app.store.clock().today() + chrono::Duration::days(1)).to_string();
        let r = reqwest::Client::new()
            .put(app.url("/api/v1/duty"))
            .bearer_auth(&town)
            .json(&json!({"unit_id": c.town.0, "date": tomorrow, "leader": "李镇长", "officer": "小王", "phone": "12345678"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let (_, roster) = app.get(Some(&town), "/api/v1/duty").await;
        assert_eq!(roster[0]["leader"], "李镇长");

        let three_hours_ago = (chrono::Utc::now() - chrono::Duration::hours(3)).to_rfc3339();
        let (s, i) = app.post(Some(&town), "/api/v1/incidents", &json!({"unit_id": c.town.0, "title": "化工厂火灾", "severity": "major", "occurred_at": three_hours_ago})).await;
        assert_eq!(s, StatusCode::CREATED, "{i}");
        assert_eq!((i["report_state"].as_str(), i["flagged"].as_bool()), (Some("missing"), Some(true)));
        let (s, e) = app.post(Some(&town), "/api/v1/incidents", &json!({"unit_id": c.town.0, "title": "x", "severity": "apocalyptic", "occurred_at": three_hours_ago})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let id = i["id"].as_i64().unwrap();
        let (s, i) = app.post(Some(&town), &format!("/api/v1/incidents/{id}/report"), &json!({"text": "火已扑灭，无伤亡"})).await;
        assert_eq!((s, i["report_state"].as_str()), (StatusCode::OK, Some("late")));
        let leader = app.login("city_handler").await;
        let (_, all) = app.get(Some(&leader), "/api/v1/incidents").await;
        assert_eq!(all[0]["flagged"], true, "the level above sees the late report flagged");
        let dept = app.login("dept_head").await;
        let (_, none) = app.get(Some(&dept), "/api/v1/incidents").await;
        assert_eq!(none, json!([]));
    }
}
