//! 检举控告 confidentiality on every path, on both databases: outside 纪检监察 (administrators
//! included) no look-up by phone, ID number or name and no search of words reaches a report,
//! the petition office stops seeing a report once it forwards it, and a report naming the office
//! that registers it leaves that office at once.

use crate::common::{App, letter, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_store::both_backends;

/// A report against the department, registered at the petition office.
async fn report(app: &App, reg: &str, accused: i64) -> i64 {
    let mut r = letter();
    r["is_report"] = json!(true);
    r["accused_unit"] = json!(accused);
    r["title"] = json!("检举某科长索要回扣");
    r["content"] = json!("某科长在工程验收中索要回扣五万元。");
    let (s, v) = app.post(Some(reg), "/api/v1/cases", &r).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v["id"].as_i64().unwrap()
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .map(|a| a.iter().map(|c| c["id"].as_i64().unwrap()).collect())
        .unwrap_or_default()
}

const LOOKUPS: [&str; 4] = [
    "/api/v1/cases?phone=13912345678",
    "/api/v1/cases?id_number=11010519491231002X",
    "/api/v1/cases?name=李四",
    "/api/v1/cases/search?q=回扣",
];

both_backends! {
    async fn no_lookup_or_search_reaches_a_report_outside_discipline(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let id = report(&app, &reg, c.dept.0).await;
        // An ordinary letter of the same petitioner is found as before.
        let (_, plain) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let plain = plain["id"].as_i64().unwrap();

        // From registration on: not even the office that registered it finds it by who or what.
        let admin = app.login("admin").await;
        let city = app.login("city_handler").await;
        for token in [&reg, &admin, &city] {
            for path in LOOKUPS {
                let (s, v) = app.get(Some(token), path).await;
                assert_eq!(s, StatusCode::OK, "{path}");
                assert!(!ids(&v).contains(&id), "{path} reaches the report: {v}");
            }
            let (_, v) = app.get(Some(token), "/api/v1/cases?phone=13912345678").await;
            assert!(ids(&v).contains(&plain), "the letter is still found");
            let (_, v) = app.get(Some(token), "/api/v1/cases/similar?text=某科长在工程验收中索要回扣五万元").await;
            assert!(v.as_array().unwrap().iter().all(|c| c["id"] != id), "the duplicate check reaches the report: {v}");
        }
        // Sorted by petitioner, a report sorts as no name.
        let (_, v) = app.get(Some(&city), &format!("/api/v1/cases?waiting_on={}&sort=petitioner", c.office.0)).await;
        assert_eq!(ids(&v).first(), Some(&id), "{v}");

        // The office forwards it to 纪检监察 and no longer sees it at all.
        let (s, _) = app.act(&reg, id, json!({"action": "forward", "to_unit": c.discipline.0})).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(app.get(Some(&reg), &format!("/api/v1/cases/{id}")).await.0, StatusCode::FORBIDDEN);
        let (_, v) = app.get(Some(&reg), "/api/v1/cases?per_page=100").await;
        assert!(!ids(&v).contains(&id));

        // 纪检监察 finds it every way.
        let jw = app.login("discipline_handler").await;
        for path in LOOKUPS {
            let (_, v) = app.get(Some(&jw), path).await;
            assert!(ids(&v).contains(&id), "纪检监察: {path}: {v}");
        }
    }

    async fn a_report_naming_the_office_leaves_it_at_registration(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let id = report(&app, &reg, c.office.0).await;
        let jw = app.login("discipline_handler").await;
        let (s, v) = app.get(Some(&jw), &format!("/api/v1/cases/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["status"], "forwarded");
        assert_eq!(v["handling_unit"], c.discipline.0);
        assert_eq!(v["petitioner"]["name"], "李四");
        // The office that registered it cannot open, list or look it up.
        assert_eq!(app.get(Some(&reg), &format!("/api/v1/cases/{id}")).await.0, StatusCode::FORBIDDEN);
        let (_, v) = app.get(Some(&reg), "/api/v1/cases?per_page=100").await;
        assert!(!ids(&v).contains(&id));
        // Naming the city government, whose own 纪委 may not take it: it goes to the 纪检监察
        // body above the city (an external unit), never a dead end.
        let mut r = letter();
        r["is_report"] = json!(true);
        r["accused_unit"] = json!(c.city.0);
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &r).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::CREATED, Some("forwarded")), "{v}");
        let above = app.store.case(xinfang_domain::CaseId(v["id"].as_i64().unwrap())).await.unwrap().unwrap();
        assert_eq!(above.handling_unit, Some(c.province_discipline));
        // A report against the department stays with the office to be sorted.
        let id = report(&app, &reg, c.dept.0).await;
        let (s, v) = app.get(Some(&reg), &format!("/api/v1/cases/{id}")).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("registered")));
        assert_eq!(v["disclosure"], "hidden");
    }
}
