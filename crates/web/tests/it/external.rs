//! Bodies above the deployment (#15 point 2), on both databases: a town's case reviewed by the
//! city goes above the city for 复核, the petition office tracks it and enters the province's
//! decision; a report accusing the city leaves for the province's 纪检监察 at registration;
//! external bodies stay outside the deployment's tree and have no accounts.

use crate::common::{letter, spawn_with};
use crate::ui::Browser;
use reqwest::StatusCode;
use serde_json::json;
use xinfang_store::both_backends;

both_backends! {
    async fn a_rereview_above_the_city_is_sent_tracked_and_its_decision_entered(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let town = app.login("town_handler").await;
        let city = app.login("city_handler").await;
        // The units list names the bodies above the deployment.
        let (_, units) = app.get(Some(&reg), "/api/v1/units").await;
        let province = units.as_array().unwrap().iter().find(|u| u["id"] == c.province.0).unwrap();
        assert_eq!((province["external"].as_bool(), province["name"].as_str()), (Some(true), Some("测试省人民政府")));
        assert!(units.as_array().unwrap().iter().filter(|u| u["id"] == c.city.0).all(|u| u["external"] == false));

        let (_, v) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let id = v["id"].as_i64().unwrap();
        let code = v["query_code"].as_str().unwrap().to_string();
        let ok = |s: StatusCode, v: &serde_json::Value| assert_eq!(s, StatusCode::OK, "{v}");
        let (s, v) = app.act(&reg, id, json!({"action": "forward", "to_unit": c.town.0})).await; ok(s, &v);
        let (s, v) = app.act(&town, id, json!({"action": "accept"})).await; ok(s, &v);
        let (s, v) = app.issue(&town, id, json!({"action": "reply", "outcome": "not_support", "text": "不予支持。"})).await; ok(s, &v);
        let public = |action: serde_json::Value| {
            let (app, code) = (&app, code.clone());
            async move { app.post(None, &format!("/api/v1/public/cases/{code}/actions"), &action).await }
        };
        let (s, v) = public(json!({"action": "request_review", "reason": "不服"})).await;
        assert!(s.is_success(), "{v}");
        let (s, v) = app.issue(&city, id, json!({"action": "review", "outcome": "not_support", "text": "维持原处理意见。"})).await; ok(s, &v);
        assert_eq!(v["review_unit"], c.city.0);
        let (s, v) = public(json!({"action": "request_rereview", "reason": "仍不服"})).await;
        assert!(s.is_success(), "{v}");
        // Sent above the city, never back to it; the office tracks it in its worklist.
        let (_, v) = app.get(Some(&reg), &format!("/api/v1/cases/{id}")).await;
        assert_eq!((v["rereview_unit"].as_i64(), v["external_body"].as_i64()), (Some(c.province.0), Some(c.province.0)), "{v}");
        assert_eq!(v["responsible_unit_ref"]["id"], c.office.0, "{v}");
        assert!(v["actions"].as_array().unwrap().iter().any(|a| a == "rereview"), "{v}");
        let (_, list) = app.get(Some(&reg), &format!("/api/v1/cases?waiting_on={}", c.office.0)).await;
        assert!(list["items"].as_array().unwrap().iter().any(|i| i["id"] == id), "{list}");
        // The transfer letter tells the petitioner where it went and until when it is tracked.
        let office = Browser::login(&app.base, "registrar").await;
        let timeline = app.store.timeline(xinfang_domain::CaseId(id)).await.unwrap();
        let seq = timeline.iter().find(|t| t.event.kind() == "rereview_requested").unwrap().seq;
        let (s, doc, _) = office.get(&format!("/cases/{id}/documents/{seq}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(doc.contains("复核申请转送函") && doc.contains("已转送测试省人民政府") && doc.contains("30日内"), "{doc}");
        // Only the tracking office enters the province's decision; the town cannot.
        let (s, _) = app.act(&town, id, json!({"action": "rereview", "outcome": "not_support", "text": "维持"})).await;
        assert!(matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{s}");
        // The figures count it for the office that sent it, awaited until the decision comes.
        let today = app.store.clock().today();
        let admin = app.login("admin").await;
        let above = |counts: &serde_json::Value| (counts["sent_above"].as_u64(), counts["decided_above"].as_u64());
        let office_counts = || {
            let (app, admin) = (&app, admin.clone());
            async move {
                let (_, rows) = app.get(Some(&admin), &format!("/api/v1/stats/assessment?from={today}&to={today}")).await;
                rows.as_array().unwrap().iter().find(|r| r["unit_id"] == c.office.0).unwrap()["counts"].clone()
            }
        };
        assert_eq!(above(&office_counts().await), (Some(1), Some(0)));
        let (s, v) = app.act(&reg, id, json!({"action": "rereview", "outcome": "not_support", "text": "经复核，维持复查意见。"})).await; ok(s, &v);
        assert_eq!(above(&office_counts().await), (Some(1), Some(1)));
        let (_, page, _) = Browser::login(&app.base, "admin").await.get(&format!("/stats?from={today}&to={today}")).await;
        assert!(page.contains(r#"id="sent-above""#) && page.contains("转送上级机关"), "{page}");
        assert_eq!((v["status"].as_str(), v["rereview_opinion"]["unit"].as_i64()), (Some("final"), Some(c.province.0)), "{v}");
        let timeline = app.store.timeline(xinfang_domain::CaseId(id)).await.unwrap();
        let seq = timeline.iter().find(|t| t.event.kind() == "rereviewed").unwrap().seq;
        let (_, doc, _) = office.get(&format!("/cases/{id}/documents/{seq}")).await;
        assert!(doc.contains("复核意见书") && doc.contains("测试省人民政府") && doc.contains("不再受理"), "{doc}");
    }

    async fn a_report_accusing_the_city_leaves_for_the_discipline_body_above(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let mut r = letter();
        r["class"] = json!("report");
        r["accused_unit"] = json!(c.city.0);
        r["title"] = json!("检举市领导违规插手工程");
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &r).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        assert_eq!(v["status"], "forwarded", "no dead end: {v}");
        let id = v["id"].as_i64().unwrap();
        // Neither the accused city's office nor its own 纪委 holds it; the province's body does.
        for who in ["registrar", "discipline_handler", "city_handler"] {
            let token = app.login(who).await;
            assert_eq!(app.get(Some(&token), &format!("/api/v1/cases/{id}")).await.0, StatusCode::FORBIDDEN, "{who}");
        }
        let admin = app.login("admin").await;
        let (_, v) = app.get(Some(&admin), &format!("/api/v1/cases/{id}")).await;
        assert_eq!((v["handling_unit"].as_i64(), v["external_body"].as_i64()), (Some(c.province_discipline.0), Some(c.province_discipline.0)), "{v}");
        assert!(!v.to_string().contains("李四"), "the reporter stays hidden: {v}");
        let timeline = app.store.timeline(xinfang_domain::CaseId(id)).await.unwrap();
        assert!(timeline.iter().any(|t| t.event.notice() == Some("转送上级机关函")));
    }

    async fn external_bodies_stay_above_the_tree_and_have_no_accounts(db: TestDb) {
        let app = spawn_with(db, |s| s).await;
        let c = &app.city;
        let admin = app.login("admin").await;
        let (s, v) = app.post(Some(&admin), "/api/v1/people", &json!({"username": "sheng", "name": "省里人", "unit_id": c.province.0, "roles": ["handler"], "password": "a-long-password-1"})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unit_id")), "{v}");
        let (s, v) = app.post(Some(&admin), "/api/v1/units", &json!({"parent_id": c.province.0, "name": "某镇", "kind": "town"})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("parent_id")), "{v}");
        let (s, v) = app.post(Some(&admin), "/api/v1/units", &json!({"parent_id": c.province.0, "name": "测试省信访局", "kind": "petition_office", "external": true})).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let (s, v) = app.post(Some(&admin), "/api/v1/units", &json!({"parent_id": c.city.0, "name": "某省厅", "kind": "department", "external": true})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    }
}
