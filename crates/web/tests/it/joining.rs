//! Merge, split and link from the API and the case page (#17): the named cases are checked
//! against the caller's scope (a case they may not see is answered as missing, and nothing is
//! written), a report is joined only to reports, and the page shows what is joined.

use crate::common::{App, letter, spawn};
use crate::ui::Browser;
use chrono::{Datelike, Duration};
use reqwest::StatusCode;
use serde_json::json;
use xinfang_store::{Who, both_backends};

async fn registered(app: &App, token: &str, title: &str) -> (i64, String) {
    let mut body = letter();
    body["title"] = json!(title);
    let (s, case) = app.post(Some(token), "/api/v1/cases", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{case}");
    (
        case["id"].as_i64().unwrap(),
        case["case_no"].as_str().unwrap().to_string(),
    )
}

both_backends! {
    async fn merge_split_and_link_through_the_api_stay_in_the_callers_scope(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let (a, _) = registered(&app, &reg, "小区物业乱收费").await;
        let (b, _) = registered(&app, &reg, "小区物业乱收费").await;
        let (s, body) = app.act(&reg, a, json!({"action": "merge", "duplicates": [b], "reason": "重复来信"})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["merged"], json!([b]));
        let (_, dup) = app.get(Some(&reg), &format!("/api/v1/cases/{b}")).await;
        assert_eq!((dup["status"].as_str(), dup["merged_into"].as_i64()), (Some("merged"), Some(a)));

        // A split answers with the new cases' ids.
        let (d, _) = registered(&app, &reg, "物业费和停车位").await;
        let matters = json!([{"title": "物业费", "content": "物业费上涨"}, {"title": "停车位", "content": "停车位被占", "category": "城乡建设"}]);
        let (s, body) = app.act(&reg, d, json!({"action": "split", "matters": matters})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "split");
        assert_eq!(body["split_into"].as_array().unwrap().len(), 2);
        // Bad input: one matter only; an unknown category. Nothing written.
        let (e, _) = registered(&app, &reg, "另一件").await;
        let before = app.event_count().await;
        let (s, body) = app.act(&reg, e, json!({"action": "split", "matters": [{"title": "甲", "content": "乙"}]})).await;
        assert_eq!((s, body["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("matters")), "{body}");
        let bad = json!([{"title": "甲", "content": "乙"}, {"title": "丙", "content": "丁", "category": "不存在的分类"}]);
        let (s, _) = app.act(&reg, e, json!({"action": "split", "matters": bad})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.event_count().await, before);

        // The town sees only its own cases: naming the office's case is answered as missing.
        let office = Who::Officer(c.registrar.clone());
        let town_case = app.store.register(xinfang_store::testing::letter("道路积水"), office.clone(), c.office).await.unwrap();
        app.store.act(town_case.id, xinfang_domain::Command::Forward { to_unit: c.town }, office.clone()).await.unwrap();
        let town = app.login("town_handler").await;
        let before = app.event_count().await;
        let (s, body) = app.act(&town, town_case.id.0, json!({"action": "relate", "case": e, "reason": "同一事项"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
        let (s, _) = app.act(&town, town_case.id.0, json!({"action": "relate", "case": 999_999, "reason": "同一事项"})).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(app.event_count().await, before);

        // A report is joined only to reports, even by an officer who sees both.
        let mut report = letter();
        report["class"] = json!("report");
        report["title"] = json!("举报某局干部收受礼金");
        let (s, r) = app.post(Some(&reg), "/api/v1/cases", &report).await;
        assert_eq!(s, StatusCode::CREATED, "{r}");
        let admin = app.login("admin").await;
        let before = app.event_count().await;
        let (s, body) = app.act(&admin, e, json!({"action": "relate", "case": r["id"], "reason": "同一事项"})).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY || s == StatusCode::NOT_FOUND, "{s} {body}");
        assert_eq!(app.event_count().await, before);
    }

    async fn the_case_page_merges_splits_and_links_by_case_number(db: TestDb) {
        let app = spawn(db).await;
        let reg_token = app.login("registrar").await;
        let (a, a_no) = registered(&app, &reg_token, "小区物业乱收费").await;
        let (b, b_no) = registered(&app, &reg_token, "小区物业乱收费（重复来信）").await;
        let (d, _) = registered(&app, &reg_token, "物业费和停车位").await;
        let reg = Browser::login(&app.base, "registrar").await;
        let page = format!("/cases/{a}");
        let (_, html, _) = reg.get(&page).await;
        for anchor in ["merge", "split", "relate"] {
            assert!(html.contains(&format!(r#"id="{anchor}""#)), "no form {anchor}");
        }
        // An unknown number is shown beside the field; nothing written.
        let before = app.event_count().await;
        let csrf = reg.csrf(&page).await;
        let (s, html, _) = reg.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "merge"), ("cases", "XF2000999999")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("找不到编号为 XF2000999999 的信访事项"), "{html}");
        assert_eq!(app.event_count().await, before);
        // Merge by number: the survivor lists the duplicate with its petitioner.
        let csrf = reg.csrf(&page).await;
        let (s, _, loc) = reg.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "merge"), ("cases", &b_no.to_lowercase()), ("reason", "同一信件")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(loc.unwrap().contains("done="));
        let (_, html, _) = reg.get(&page).await;
        let joined = &html[html.find(r#"id="joined""#).expect("the joined cases")..];
        assert!(joined.contains("并入的重复件") && joined.contains(&b_no) && joined.contains("李四"), "{joined}");
        let (_, dup, _) = reg.get(&format!("/cases/{b}")).await;
        assert!(dup.contains("已合并（重复件）") && dup.contains("已并入") && dup.contains(&a_no), "{dup}");
        assert!(!dup.contains(r#"id="merge""#), "nothing more is done to a merged duplicate");

        // Split from the form's rows (blank rows left out).
        let split_page = format!("/cases/{d}");
        let csrf = reg.csrf(&split_page).await;
        let (s, _, _) = reg
            .post(&format!("{split_page}/act"), &[("csrf", &csrf), ("action", "split"),
                ("matter_title_1", "物业费"), ("matter_content_1", "物业费上涨未经业主大会"),
                ("matter_title_2", "停车位"), ("matter_content_2", "停车位被占用"), ("matter_category_2", "城乡建设"),
                ("matter_title_3", ""), ("matter_content_3", "")])
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = reg.get(&split_page).await;
        assert!(html.contains("已拆分") && html.matches("拆分为").count() >= 2, "{html}");
        // Link the survivor to one of the parts.
        let part = app.store.case(xinfang_domain::CaseId(d)).await.unwrap().unwrap().split_into[0];
        let part_no = app.store.case(part).await.unwrap().unwrap().case_no;
        let csrf = reg.csrf(&page).await;
        let (s, _, _) = reg.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "relate"), ("cases", &part_no), ("reason", "同一小区物业")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = reg.get(&format!("/cases/{}", part.0)).await;
        assert!(html.contains("关联事项") && html.contains("同一小区物业") && html.contains("拆分自"), "{html}");
    }

    async fn a_report_issued_for_a_closed_month_keeps_its_figures_after_a_merge(db: TestDb) {
        let app = spawn(db).await;
        let reg = app.login("registrar").await;
        let (a, _) = registered(&app, &reg, "小区物业乱收费").await;
        let (b, _) = registered(&app, &reg, "小区物业乱收费（重复来信）").await;
        let today = app.store.clock().today();
        let month = today.format("%Y-%m").to_string();
        let (from, to) = (today.with_day(1).unwrap(), today + Duration::days(1));
        // The month is not over: nothing to issue yet.
        let supervisor = Browser::login(&app.base, "supervisor").await;
        let csrf = supervisor.csrf("/stats").await;
        let (s, html, _) = supervisor.post("/stats/issue", &[("csrf", &csrf), ("month", &month), ("subtree", "true")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("只能印发已经结束的月份的报表"));

        // Next month, the supervisor issues it (the page offers last month).
        let next = (from + Duration::days(40)).with_day(2).unwrap();
        app.store.clock().set_today(next);
        let supervisor = Browser::login(&app.base, "supervisor").await;
        let reg = app.login("registrar").await;
        let (_, page, _) = supervisor.get("/stats").await;
        assert!(page.contains(&format!(r#"name="month" value="{month}""#)), "{page}");
        let csrf = supervisor.csrf("/stats").await;
        let (s, _, loc) = supervisor.post("/stats/issue", &[("csrf", &csrf), ("month", &month), ("subtree", "true")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let file = loc.unwrap();
        let issued_before = supervisor.bytes(&file).await;
        let id: i64 = file.trim_start_matches("/stats/issued/").trim_end_matches(".xlsx").parse().unwrap();
        let kept = app.store.issued_report(id).await.unwrap().unwrap();
        let office = kept.lines.iter().find(|l| l.unit_id == app.city.office).unwrap();
        assert_eq!(office.counts.cases, 2);
        let (_, page, _) = supervisor.get("/stats").await;
        assert!(page.contains(&file), "the page lists the issued report");

        // A merge changes the live figures, not the issued report.
        let (s, body) = app.act(&reg, a, json!({"action": "merge", "duplicates": [b]})).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let live = format!("/stats/export.xlsx?from={from}&to={to}&subtree=true");
        let live_now = supervisor.bytes(&live).await;
        let issued_after = supervisor.bytes(&file).await;
        assert_eq!(sheet(&issued_after), sheet(&issued_before), "issued as it was");
        assert_ne!(sheet(&live_now), sheet(&issued_before), "the live figures follow the merge");
        let period = xinfang_domain::metrics::Period { from, to };
        let figures = app.store.assessment(period).await.unwrap();
        assert_eq!(figures[&app.city.office].cases, 1);

        // Issued once; not issued by those who do not answer for figures; not seen outside scope.
        let csrf = supervisor.csrf("/stats").await;
        let (s, html, _) = supervisor.post("/stats/issue", &[("csrf", &csrf), ("month", &month), ("subtree", "true")]).await;
        assert_eq!(s, StatusCode::CONFLICT, "{html}");
        let handler = Browser::login(&app.base, "dept_handler").await;
        let csrf = handler.csrf("/stats").await;
        let (s, _, _) = handler.post("/stats/issue", &[("csrf", &csrf), ("month", &month)]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _, _) = handler.get(&file).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

/// The first sheet of a workbook, as XML: its numbers and layout.
fn sheet(bytes: &[u8]) -> String {
    crate::ui::xlsx_part(bytes, "xl/worksheets/sheet1.xml")
}
