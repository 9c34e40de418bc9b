//! Hot issues (`/api/v1/hot-issues`, the 热点 page) and their warnings on both databases: a
//! planted group of near-identical complaints among unrelated ones is found whole, a new case
//! joins it at once, reports never count, each officer counts only the cases they may see.

use reqwest::StatusCode;
use xinfang_domain::{Command, Petitioner};
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

use crate::common::spawn_with;
use crate::ui::Browser;

const UNRELATED: &[(&str, &str)] = &[
    (
        "拖欠农民工工资三个月",
        "建筑工地老板拖欠我们十二名农民工工资三个月共计八万元。",
    ),
    (
        "小学门口交通拥堵",
        "每天早晚接送孩子时学校门口车辆乱停，交通拥堵严重。",
    ),
    (
        "医保报销比例咨询",
        "异地就医住院费用的医保报销比例是多少，需要什么手续。",
    ),
    (
        "路灯损坏多日未修",
        "滨江路北段路灯损坏半个月了，晚上出行很不安全。",
    ),
    (
        "养老金资格认证问题",
        "退休职工养老金资格认证在手机上总是失败，请帮助解决。",
    ),
    (
        "菜市场占道经营",
        "南门菜市场摊贩占道经营，行人通行困难，垃圾遍地。",
    ),
    (
        "宅基地纠纷",
        "邻居建房占用我家宅基地一米多，村委会调解不成。",
    ),
    ("自来水水质发黄", "最近一周家里自来水发黄有异味，不敢饮用。"),
];

fn planted(i: usize) -> xinfang_domain::NewCase {
    let mut new = letter("丽发新城附近搅拌站噪音粉尘扰民");
    new.content = format!(
        "丽发新城小区旁边新建的搅拌站{}，粉尘和噪音严重影响居民休息，请求取缔。",
        [
            "日夜施工",
            "凌晨还在作业",
            "大车进出不断",
            "灰尘满天",
            "噪音刺耳"
        ][i % 5]
    );
    new.category = Some("城乡建设/物业管理".into());
    new.petitioner = Petitioner {
        name: format!("居民{i}"),
        phone: Some(format!("139{:08}", i)),
        id_number: None,
        address: None,
        email: None,
    };
    new
}

both_backends! {
    async fn a_planted_group_is_found_whole_joined_at_once_and_warned_once(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let who = Who::Officer(c.registrar.clone());
        let today = app.store.clock().today();
        let period = format!("from={}&to={today}", today - chrono::Duration::days(29));
        let registrar = app.login("registrar").await;

        let mut group = Vec::new();
        for (i, (title, content)) in UNRELATED.iter().enumerate() {
            let mut new = letter(title);
            new.content = content.to_string();
            new.region = Some(format!("镇{i}"));
            app.store.register(new, who.clone(), c.office).await.unwrap();
            let case = app.store.register(planted(i), who.clone(), c.office).await.unwrap();
            group.push(case.id.0);
        }
        // A report with the same words: 纪检's alone, never counted.
        let mut report = planted(99);
        report.is_report = true;
        app.store.register(report, who.clone(), c.office).await.unwrap();

        let (s, v) = app.get(Some(&registrar), &format!("/api/v1/hot-issues?{period}")).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "only the planted group has two cases or more: {v}");
        let issue = &items[0];
        let mut ids: Vec<i64> = issue["case_ids"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
        ids.sort();
        assert_eq!(ids, group, "{issue}");
        assert_eq!(issue["cases"], 8);
        assert_eq!(issue["people"], 8);
        assert_eq!(issue["title"], "丽发新城附近搅拌站噪音粉尘扰民");
        assert_eq!(issue["regions"][0]["name"], "东城镇");
        assert_eq!(issue["first_day"], today.to_string());
        assert_eq!(issue["daily"][0]["cases"], 8);
        assert!(v["complete"].as_bool().unwrap());

        // Read your writes: a case committed before the call is in the answer.
        let joined = app.store.register(planted(8), who.clone(), c.office).await.unwrap();
        let (_, v) = app.get(Some(&registrar), &format!("/api/v1/hot-issues?{period}")).await;
        assert_eq!(v["items"][0]["cases"], 9);
        assert_eq!(v["items"][0]["case_ids"][0], joined.id.0, "latest first");

        // Nine cases in a week: no warning yet (the policy's threshold is ten); the tenth
        // raises one, the eleventh no second.
        let (s, w) = app.get(Some(&registrar), "/api/v1/hot-issues/warnings").await;
        assert_eq!((s, w.as_array().unwrap().len()), (StatusCode::OK, 0), "{w}");
        app.store.register(planted(9), who.clone(), c.office).await.unwrap();
        let (_, v) = app.get(Some(&registrar), &format!("/api/v1/hot-issues?{period}")).await;
        assert_eq!(v["items"][0]["cases"], 10);
        let (_, w) = app.get(Some(&registrar), "/api/v1/hot-issues/warnings").await;
        assert_eq!(w.as_array().unwrap().len(), 1, "{w}");
        assert_eq!((w[0]["case_count"].as_i64(), w[0]["days"].as_i64()), (Some(10), Some(7)));
        assert_eq!(w[0]["case_ids"].as_array().unwrap().len(), 10);
        app.store.register(planted(10), who.clone(), c.office).await.unwrap();
        let (_, v) = app.get(Some(&registrar), &format!("/api/v1/hot-issues?{period}")).await;
        assert_eq!(v["items"][0]["cases"], 11);
        let (_, w) = app.get(Some(&registrar), "/api/v1/hot-issues/warnings").await;
        assert_eq!(w.as_array().unwrap().len(), 1, "once per issue: {w}");

        // Warnings go to the petition office and leaders, not to a department.
        let dept = app.login("dept_handler").await;
        let (s, _) = app.get(Some(&dept), "/api/v1/hot-issues/warnings").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app.get(Some(&app.login("leader").await), "/api/v1/hot-issues/warnings").await;
        assert_eq!(s, StatusCode::OK);

        // A department counts only what it may see: two cases forwarded to it.
        for id in &group[..2] {
            app.store.act(xinfang_domain::CaseId(*id), Command::Forward { to_unit: c.dept }, who.clone()).await.unwrap();
        }
        let (_, v) = app.get(Some(&dept), &format!("/api/v1/hot-issues?{period}")).await;
        assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
        let mut seen: Vec<i64> = v["items"][0]["case_ids"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
        seen.sort();
        assert_eq!(seen, group[..2].to_vec());
        let other = app.login("other_town_handler").await;
        let (_, v) = app.get(Some(&other), &format!("/api/v1/hot-issues?{period}")).await;
        assert!(v["items"].as_array().unwrap().is_empty(), "{v}");
        // The discipline body sees no hot issue made of the report either.
        let (_, v) = app.get(Some(&app.login("discipline_handler").await), &format!("/api/v1/hot-issues?{period}")).await;
        assert!(v["items"].as_array().unwrap().is_empty(), "{v}");

        // A unit's own cases; a unit outside the caller's reach is refused.
        let (s, v) = app.get(Some(&app.login("leader").await), &format!("/api/v1/hot-issues?{period}&unit={}", c.dept.0)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["items"][0]["cases"], 2, "{v}");
        let (s, e) = app.get(Some(&dept), &format!("/api/v1/hot-issues?{period}&unit={}", c.town.0)).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        // Bad periods: a stable code, in Chinese.
        for q in ["from=2026-13-01&to=2026-12-31", "from=2026-05-01&to=2026-04-01", "from=2020-01-01&to=2026-01-01", "to=2026-01-01"] {
            let (s, e) = app.get(Some(&registrar), &format!("/api/v1/hot-issues?{q}")).await;
            assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{q}: {e}");
        }
        let (s, _) = app.get(None, &format!("/api/v1/hot-issues?{period}")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // The page: the issue with its trend and case links, the warning on top.
        let office = Browser::login(&app.base, "registrar").await;
        let (s, html, _) = office.get("/hot").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("丽发新城附近搅拌站噪音粉尘扰民"));
        assert!(html.contains("svg class=\"trend\""));
        assert!(html.contains(&format!("href=\"/cases/{}\"", joined.id.0)));
        assert!(html.contains("id=\"hot-warnings\"") && html.contains("7日内 10 件"));
        let dept_page = Browser::login(&app.base, "dept_handler").await;
        let (_, html, _) = dept_page.get("/hot").await;
        assert!(!html.contains("id=\"hot-warnings\""));
        assert!(!html.contains(&format!("href=\"/cases/{}\"", joined.id.0)), "a case the department may not see is not linked");
        let (s, html, _) = office.get("/hot?from=2026-05-01&to=2026-04-01").await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(html.contains("统计期间"));
    }
}

both_backends! {
    async fn a_leader_takes_up_a_hot_issue_as_a_campaign_and_its_new_cases_join(db: TestDb) {
        use serde_json::json;
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let who = Who::Officer(c.registrar.clone());
        let today = app.store.clock().today();
        let period = format!("from={}&to={today}", today - chrono::Duration::days(29));
        let mut unrelated = Vec::new();
        for (i, (title, content)) in UNRELATED.iter().take(3).enumerate() {
            let mut new = letter(title);
            new.content = content.to_string();
            new.region = Some(format!("镇{i}"));
            unrelated.push(app.store.register(new, who.clone(), c.office).await.unwrap());
            app.store.register(planted(i), who.clone(), c.office).await.unwrap();
        }
        let leader = app.login("leader").await;
        let (_, v) = app.get(Some(&leader), &format!("/api/v1/hot-issues?{period}")).await;
        let issue = v["items"][0]["id"].as_i64().unwrap();
        let deadline = (today + chrono::Duration::days(60)).to_string();
        let body = |issue: i64, leader_id: i64, deadline: &str| json!({
            "name": "丽发新城搅拌站扰民专项", "kind": "monthly_topic", "issue": issue,
            "lead_unit": c.dept.0, "leader_id": leader_id, "goal": "一个月内停止夜间作业", "deadline": deadline,
        });

        // Only a leader; each bad term refused with its field, nothing made.
        let registrar = app.login("registrar").await;
        let (s, _) = app.post(Some(&registrar), "/api/v1/campaigns", &body(issue, c.leader.person.0, &deadline)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let yesterday = (today - chrono::Duration::days(1)).to_string();
        for (b, field) in [
            (body(999_999, c.leader.person.0, &deadline), "issue"),
            (body(issue, c.dept_handler.person.0, &deadline), "leader_id"),
            (body(issue, 999_999, &deadline), "leader_id"),
            (body(issue, c.leader.person.0, &yesterday), "deadline"),
            (json!({"name": "", "kind": "special", "issue": issue, "lead_unit": c.dept.0, "leader_id": c.leader.person.0, "goal": "目标", "deadline": deadline}), "name"),
        ] {
            let (s, e) = app.post(Some(&leader), "/api/v1/campaigns", &b).await;
            assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{e}");
        }
        let (_, all) = app.get(Some(&leader), "/api/v1/campaigns").await;
        assert!(all.as_array().unwrap().is_empty());

        let (s, v) = app.post(Some(&leader), "/api/v1/campaigns", &body(issue, c.leader.person.0, &deadline)).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().unwrap();
        assert_eq!(v["progress"]["cases"], 3);
        assert_eq!(v["case_ids"].as_array().unwrap().len(), 3);
        assert!(v["lead_unit_name"].as_str().is_some_and(|n| !n.is_empty()));

        // A case that joins the issue later is the campaign's at once.
        let joined = app.store.register(planted(3), who.clone(), c.office).await.unwrap();
        let (_, v) = app.get(Some(&leader), &format!("/api/v1/campaigns/{id}")).await;
        assert_eq!(v["progress"]["cases"], 4);
        assert_eq!(v["progress"]["new_since_start"], 4);
        assert_eq!(v["case_ids"][0], joined.id.0, "latest first");

        // The lead unit sees the campaign and the cases it may see (none yet); another town
        // sees nothing.
        let dept = app.login("dept_handler").await;
        let (s, v) = app.get(Some(&dept), &format!("/api/v1/campaigns/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!((v["progress"]["cases"].as_i64(), v["case_ids"].as_array().unwrap().len()), (Some(4), 0));
        let other = app.login("other_town_handler").await;
        let (s, _) = app.get(Some(&other), &format!("/api/v1/campaigns/{id}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, mine) = app.get(Some(&other), "/api/v1/campaigns").await;
        assert!(mine.as_array().unwrap().is_empty());
        let (_, theirs) = app.get(Some(&dept), "/api/v1/campaigns").await;
        assert_eq!(theirs[0]["id"], id, "{theirs}");

        // The lead unit links a case it may see, not one it may not.
        let link = |case: i64| json!({"action": "link", "cases": [case]});
        let (s, e) = app.post(Some(&dept), &format!("/api/v1/campaigns/{id}/actions"), &link(unrelated[0].id.0)).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cases")), "{e}");
        app.store.act(unrelated[0].id, Command::Forward { to_unit: c.dept }, who.clone()).await.unwrap();
        let (s, v) = app.post(Some(&dept), &format!("/api/v1/campaigns/{id}/actions"), &link(unrelated[0].id.0)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["progress"]["cases"], 5);
        let (s, _) = app.post(Some(&dept), &format!("/api/v1/campaigns/{id}/actions"), &json!({"action": "close", "summary": "完成"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = app.post(Some(&leader), &format!("/api/v1/campaigns/{id}/actions"), &json!({"action": "close", "summary": "搅拌站已停止夜间作业"})).await;
        assert_eq!((s, v["open"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
        let (s, _) = app.post(Some(&leader), &format!("/api/v1/campaigns/{id}/actions"), &link(unrelated[0].id.0)).await;
        assert_eq!(s, StatusCode::CONFLICT);

        // The pages: a leader takes an issue up from 热点; the campaign's page shows its months.
        let page = Browser::login(&app.base, "leader").await;
        let (_, html) = { let (s, h, _) = page.get("/hot").await; (s, h) };
        assert!(html.contains("列为专项"));
        let csrf = page.csrf("/hot").await;
        let issue_s = issue.to_string();
        let leader_s = c.leader.person.0.to_string();
        let dept_s = c.dept.0.to_string();
        let (s, _, location) = page.post("/campaigns", &[("csrf", &csrf), ("issue", &issue_s), ("name", "第二个专项"), ("kind", "special"), ("lead_unit", &dept_s), ("leader_id", &leader_s), ("goal", "年底前解决"), ("deadline", &deadline)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let location = location.unwrap();
        assert!(location.starts_with("/campaigns/"), "{location}");
        let (s, html, _) = page.get(&location).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("第二个专项") && html.contains("专项治理") && html.contains("id=\"months\""));
        assert!(html.contains(&format!("href=\"/cases/{}\"", joined.id.0)));
        let (_, html, _) = page.get("/campaigns").await;
        assert!(html.contains("第二个专项") && html.contains("丽发新城搅拌站扰民专项"));
        let office = Browser::login(&app.base, "registrar").await;
        let (_, html, _) = office.get("/hot").await;
        assert!(!html.contains("列为专项"), "only leaders take issues up");
    }
}
