//! The three classes of petitions walked through the API on both databases (#15): a suggestion
//! is studied, answered and closed without 复查/复核 or rating; a report accusing a firm goes to
//! the competent regulator, which never sees the reporter, and the reporter is told the result;
//! the sorting office changes a class with a reason; old clients' `is_report` still means a
//! report; the printed answer says what each class's answer says; volumes count by class.

use crate::common::{App, letter, spawn_with};
use crate::ui::Browser;
use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_store::both_backends;

async fn register(app: &App, token: &str, body: Value) -> Value {
    let (s, v) = app.post(Some(token), "/api/v1/cases", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

async fn act_ok(app: &App, token: &str, id: i64, body: Value) -> Value {
    let (s, v) = app.issue(token, id, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{body} → {v}");
    v
}

/// The printed document of the case's step `kind`, as the registering office reads it.
async fn document(app: &App, browser: &Browser, id: i64, kind: &str) -> String {
    let timeline = app
        .store
        .timeline(xinfang_domain::CaseId(id))
        .await
        .unwrap();
    let seq = timeline
        .iter()
        .find(|t| t.event.kind() == kind)
        .unwrap()
        .seq;
    let (s, html, _) = browser.get(&format!("/cases/{id}/documents/{seq}")).await;
    assert_eq!(s, StatusCode::OK, "{html}");
    html
}

both_backends! {
    async fn a_suggestion_is_answered_and_closed_without_review_or_rating(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let dept = app.login("dept_handler").await;
        let mut body = letter();
        body["class"] = json!("suggestion");
        body["title"] = json!("建议在前进路增设公交站");
        body["content"] = json!("前进路新建小区多，建议增设一个公交站点。");
        let v = register(&app, &reg, body).await;
        let id = v["id"].as_i64().unwrap();
        assert_eq!((v["class"].as_str(), v["is_report"].as_bool()), (Some("suggestion"), Some(false)));
        act_ok(&app, &reg, id, json!({"action": "forward", "to_unit": c.dept.0})).await;
        act_ok(&app, &dept, id, json!({"action": "accept"})).await;
        // A claim's outcome does not answer a suggestion; the message names the right ones.
        let (s, v) = app.act(&dept, id, json!({"action": "reply", "outcome": "support", "text": "支持"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!((v["error"]["code"].as_str(), v["error"]["field"].as_str()), (Some("invalid_input"), Some("outcome")), "{v}");
        assert!(v["error"]["message"].as_str().unwrap().contains("采纳"), "{v}");
        let v = act_ok(&app, &dept, id, json!({"action": "reply", "outcome": "adopted", "text": "建议采纳，已列入明年公交线网调整。"})).await;
        assert_eq!(v["status"], "closed", "{v}");
        assert!(v["deadlines"]["evaluation_due"].is_null() && v["deadlines"]["review_request_due"].is_null(), "{v}");
        // No 复查 and no rating: the petitioner's page offers neither, the API refuses both.
        let code = v["query_code"].as_str().unwrap().to_string();
        let (_, public) = app.get(None, &format!("/api/v1/public/cases/{code}")).await;
        assert_eq!(public["actions"], json!([]), "{public}");
        let (s, _) = app.act(&reg, id, json!({"action": "request_review", "reason": "不服"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, v) = app.act(&reg, id, json!({"action": "evaluate", "office": "satisfied", "unit": "satisfied"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
        // The answer names no body to appeal to.
        let office = Browser::login(&app.base, "registrar").await;
        let doc = document(&app, &office, id, "answered").await;
        assert!(doc.contains("建议意见答复书") && doc.contains("采纳") && doc.contains("不适用信访事项复查、复核程序"), "{doc}");
        assert!(!doc.contains("请求复查") && !doc.contains("处理意见书"), "{doc}");
        // The volumes count by class.
        let today = app.store.clock().today();
        let admin = app.login("admin").await;
        let (s, v) = app.get(Some(&admin), &format!("/api/v1/stats/volume?from={today}&to={today}&by=class")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v[0]["key"].as_str(), v[0]["cases"].as_u64()), (Some("建议意见类"), Some(1)), "{v}");
        // Not in the 满意率 cohort: nothing pending, nothing lapsing; completion counted.
        let (_, rows) = app.get(Some(&admin), &format!("/api/v1/stats/assessment?from={today}&to={}", today + chrono::Duration::days(90))).await;
        let row = rows.as_array().unwrap().iter().find(|r| r["unit_id"] == c.dept.0).unwrap();
        assert_eq!((row["counts"]["evaluated"].as_u64(), row["counts"]["done_on_time"].as_u64()), (Some(0), Some(1)), "{row}");
        // The drill-down names the class on every row.
        let (s, page) = app.get(Some(&admin), &format!("/api/v1/stats/cases?from={today}&to={}&unit={}&count=done_on_time", today + chrono::Duration::days(90), c.dept.0)).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!((page["items"][0]["id"].as_i64(), page["items"][0]["class"].as_str()), (Some(id), Some("suggestion")), "{page}");
        app.store.clock().advance(chrono::Duration::days(60));
        let later = app.store.clock().today();
        let admin = app.login("admin").await;
        let (_, rows) = app.get(Some(&admin), &format!("/api/v1/stats/assessment?from={today}&to={later}")).await;
        let row = rows.as_array().unwrap().iter().find(|r| r["unit_id"] == c.dept.0).unwrap();
        assert_eq!(row["counts"]["evaluation_lapsed"], 0, "{row}");
        assert_eq!(row["counts"]["first_closed"], 0, "一次性化解 counts claims only: {row}");
    }

    async fn a_report_against_a_firm_goes_to_the_regulator_which_never_sees_the_reporter(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let dept = app.login("dept_handler").await;
        let mut body = letter();
        body["class"] = json!("report");
        body["accused_kind"] = json!("other");
        body["title"] = json!("举报某建材厂偷排废水");
        body["content"] = json!("某建材厂夜间偷排废水，我在厂里上班，请为我保密。");
        // A firm is no public body: no accused unit with it.
        let mut bad = body.clone();
        bad["accused_unit"] = json!(c.town.0);
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &bad).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("accused_unit")), "{v}");
        // The class and the old flag must agree.
        let mut mixed = letter();
        mixed["class"] = json!("claim");
        mixed["is_report"] = json!(true);
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &mixed).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("class")), "{v}");
        let before = app.event_count().await;
        let v = register(&app, &reg, body).await;
        assert_eq!(app.event_count().await, before + 1);
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["is_report"].as_bool(), Some(true), "{v}");
        let code = v["query_code"].as_str().unwrap().to_string();
        act_ok(&app, &reg, id, json!({"action": "forward", "to_unit": c.dept.0})).await;
        // The regulator handles the matter without the reporter's name or number.
        let (s, seen) = app.get(Some(&dept), &format!("/api/v1/cases/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(seen["accused_kind"], "other", "{seen}");
        let text = seen.to_string();
        assert!(!text.contains("李四") && !text.contains("13912345678"), "{seen}");
        act_ok(&app, &dept, id, json!({"action": "accept"})).await;
        let v = act_ok(&app, &dept, id, json!({"action": "reply", "outcome": "substantiated", "text": "经查属实，已责令停产整改并处罚款。"})).await;
        assert_eq!(v["status"], "closed");
        let admin = Browser::login(&app.base, "admin").await;
        let doc = document(&app, &admin, id, "answered").await;
        assert!(doc.contains("检举控告处理结果告知书") && doc.contains("反映属实") && doc.contains("主管机关") && doc.contains("保密"), "{doc}");
        assert!(!doc.contains("请求复查"), "{doc}");
        // The regulator never holds the query code either: it is the reporter's key.
        assert!(!seen.to_string().contains(&code), "{seen}");
        let (s, v) = app.post(None, &format!("/api/v1/public/cases/{code}/actions"), &json!({"action": "request_review", "reason": "不服"})).await;
        assert_eq!(s, StatusCode::CONFLICT, "{v}");
    }

    async fn the_sorting_office_changes_the_class_with_a_reason_and_old_clients_still_report(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        // An old client's report (no class) is a report.
        let mut old = letter();
        old["is_report"] = json!(true);
        let v = register(&app, &reg, old).await;
        assert_eq!(v["class"], "report");
        // A claim found to be a report at sorting: the reason is required and kept in the log.
        let v = register(&app, &reg, letter()).await;
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["class"], "claim");
        let (s, v) = app.act(&reg, id, json!({"action": "reclassify", "class": "report", "reason": " "})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")), "{v}");
        let dept = app.login("dept_handler").await;
        let (s, _) = app.act(&dept, id, json!({"action": "reclassify", "class": "report", "reason": "举报"})).await;
        assert!(matches!(s, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{s}");
        let v = act_ok(&app, &reg, id, json!({"action": "reclassify", "class": "report", "reason": "内容系举报公职人员"})).await;
        assert_eq!((v["class"].as_str(), v["is_report"].as_bool()), (Some("report"), Some(true)));
        // Now a report: to 纪检监察 only, and the reporter is hidden at once.
        let (s, v) = app.act(&reg, id, json!({"action": "forward", "to_unit": c.dept.0})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let (_, list) = app.get(Some(&reg), "/api/v1/cases?phone=13912345678").await;
        assert!(list["items"].as_array().unwrap().iter().all(|i| i["id"] != id), "{list}");
        // Once sent, the class stays; 纪检监察 reads why it changed.
        act_ok(&app, &reg, id, json!({"action": "forward", "to_unit": c.discipline.0})).await;
        let jw = app.login("discipline_handler").await;
        let (_, timeline) = app.get(Some(&jw), &format!("/api/v1/cases/{id}/timeline")).await;
        let text = timeline.to_string();
        assert!(text.contains("reclassified") && text.contains("内容系举报公职人员"), "{timeline}");
        let (s, _) = app.act(&jw, id, json!({"action": "reclassify", "class": "claim", "reason": "改"})).await;
        assert!(matches!(s, StatusCode::CONFLICT | StatusCode::FORBIDDEN), "{s}");
    }
}
