//! `POST /api/v1/routing/suggest` on both databases: suggestions before any model (never
//! empty), learned from where the office sent past cases, only to units the caller may route
//! to, and bad input refused with its field.

use reqwest::StatusCode;
use serde_json::json;
use xinfang_domain::Command;
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

use crate::common::spawn;

both_backends! {
    async fn suggestions_follow_the_office_s_own_routing(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let registrar = app.login("registrar").await;
        let ask = |title: &str| json!({"title": title, "content": format!("{title}，请求处理"), "region": "东城镇"});

        // No history yet: the tree's categories and routable units, never an empty answer.
        let (status, cold) = app.post(Some(&registrar), "/api/v1/routing/suggest", &ask("小区路灯不亮")).await;
        assert_eq!(status, StatusCode::OK, "{cold}");
        assert_eq!(cold["categories"].as_array().unwrap().len(), 3);
        assert_eq!(cold["units"].as_array().unwrap().len(), 3);

        // The office sends street lights to the department and unpaid wages to the town.
        let who = Who::Officer(c.registrar.clone());
        for (title, category, to) in [
            ("小区路灯不亮", "城乡建设/物业管理", c.dept),
            ("拖欠农民工工资", "劳动和社会保障/拖欠工资", c.town),
        ] {
            for i in 0..6 {
                let mut new = letter(&format!("{title}{i}"));
                new.content = format!("{title}，第{i}次反映，请尽快处理");
                new.category = Some(category.into());
                let case = app.store.register(new, who.clone(), c.office).await.unwrap();
                app.store.act(case.id, Command::Forward { to_unit: to }, who.clone()).await.unwrap();
            }
        }
        // Reports (检举控告) teach nothing: what anyone is suggested must not depend on them.
        for i in 0..4 {
            let mut report = letter(&format!("举报路灯工程贪污{i}"));
            report.is_report = true;
            let report = app.store.register(report, who.clone(), c.office).await.unwrap();
            app.store.act(report.id, Command::Forward { to_unit: c.discipline }, who.clone()).await.unwrap();
        }
        assert_eq!(app.router.retrain(&app.store).await.unwrap(), 12);

        for (title, category, unit) in [("路灯坏了不亮", "城乡建设/物业管理", c.dept), ("老板拖欠工资", "劳动和社会保障/拖欠工资", c.town)] {
            let (status, s) = app.post(Some(&registrar), "/api/v1/routing/suggest", &ask(title)).await;
            assert_eq!(status, StatusCode::OK, "{s}");
            assert_eq!(s["categories"][0]["name"], category, "{s}");
            assert!(s["categories"][0]["code"].as_str().is_some_and(|c| !c.is_empty()));
            assert_eq!(s["units"][0]["id"], unit.0, "{s}");
            assert!(s["units"][0]["score"].as_f64().unwrap() > s["units"][1]["score"].as_f64().unwrap());
            assert!(s["units"][0]["reason"].as_str().unwrap().contains("相似"));
            // The caller's own office is never a destination, and the reports' body is not
            // learned (it comes, if at all, only as a routable unit with no score).
            for u in s["units"].as_array().unwrap() {
                assert_ne!(u["id"], c.office.0, "{s}");
                if u["id"] == c.discipline.0 {
                    assert_eq!(u["score"].as_f64(), Some(0.0), "{s}");
                }
            }
        }

        // A department's officer does not sort: categories, but no unit to route to.
        let handler = app.login("dept_handler").await;
        let (status, s) = app.post(Some(&handler), "/api/v1/routing/suggest", &ask("路灯坏了")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(s["categories"].as_array().unwrap().len(), 3);
        assert!(s["units"].as_array().unwrap().is_empty(), "{s}");

        // Bad input: refused with its field, a stable code.
        for (body, field) in [
            (json!({"title": "", "content": " "}), "content"),
            (json!({"title": "路".repeat(201)}), "title"),
            (json!({"content": "路灯", "region": "镇".repeat(101)}), "region"),
        ] {
            let (status, e) = app.post(Some(&registrar), "/api/v1/routing/suggest", &body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
            assert_eq!((e["error"]["code"].as_str(), e["error"]["field"].as_str()), (Some("invalid_field"), Some(field)), "{e}");
        }
        let (status, e) = app.post(Some(&registrar), "/api/v1/routing/suggest", &json!({"content": "路灯", "unit": 1})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        let (status, _) = app.post(None, "/api/v1/routing/suggest", &ask("路灯")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
}
