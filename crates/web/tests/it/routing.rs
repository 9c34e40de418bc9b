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

both_backends! {
    async fn a_correction_changes_the_next_suggestion_for_the_same_text(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let registrar = app.login("registrar").await;
        let admin = app.login("admin").await;
        // The office's history: refuse collection has gone to the department, unpaid wages to
        // the town.
        let who = Who::Officer(c.registrar.clone());
        for (title, to) in [("小区垃圾清运不及时", c.dept), ("工地拖欠农民工工资", c.town)] {
            for i in 0..6 {
                let mut new = letter(&format!("{title}{i}"));
                new.content = format!("{title}，已经多日，第{i}次反映");
                let case = app.store.register(new, who.clone(), c.office).await.unwrap();
                app.store.act(case.id, Command::Forward { to_unit: to }, who.clone()).await.unwrap();
            }
        }
        assert_eq!(app.router.retrain(&app.store).await.unwrap(), 12);

        // A petition registered through the API with its category, then sent as suggested.
        let mut petition = crate::common::letter();
        petition["title"] = json!("菜市场门口垃圾堆放无人清运");
        petition["content"] = json!("菜市场门口垃圾堆放一周无人清运，气味难闻");
        petition["category"] = json!("城乡建设/物业管理");
        let (status, created) = app.post(Some(&registrar), "/api/v1/cases", &petition).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().unwrap();
        let case_no = created["case_no"].as_str().unwrap().to_string();
        let ask = json!({"title": petition["title"], "content": petition["content"]});
        let (_, s) = app.post(Some(&registrar), "/api/v1/routing/suggest", &ask).await;
        assert_eq!(s["units"][0]["id"], c.dept.0, "{s}");
        let (status, v) = app.act(&registrar, id, json!({"action": "forward", "to_unit": c.dept.0})).await;
        assert_eq!(status, StatusCode::OK, "{v}");

        // The department objects; the office sends the case to the town instead.
        app.store
            .act(xinfang_domain::CaseId(id), Command::Object { reason: "垃圾清运属镇里负责".into() }, Who::Officer(c.dept_handler.clone()))
            .await
            .unwrap();
        let (status, v) = app.act(&registrar, id, json!({"action": "forward", "to_unit": c.town.0})).await;
        assert_eq!(status, StatusCode::OK, "{v}");

        // The same text now goes to the town first, at once (no training in between), with
        // the corrected case named as the reason.
        let (_, s) = app.post(Some(&registrar), "/api/v1/routing/suggest", &ask).await;
        assert_eq!(s["units"][0]["id"], c.town.0, "{s}");
        assert!(s["units"][0]["reason"].as_str().unwrap().contains("内容相同"), "{s}");
        assert_eq!(s["units"][0]["examples"], json!([case_no]), "{s}");
        // Other text is unchanged: the model still knows where refuse collection usually goes.
        let (_, other) = app.post(Some(&registrar), "/api/v1/routing/suggest", &json!({"title": "垃圾清运不及时", "content": "楼下垃圾清运不及时"})).await;
        assert_eq!(other["units"][0]["id"], c.dept.0, "{other}");
        let examples = other["units"][0]["examples"].as_array().unwrap();
        assert_eq!(examples.len(), 2, "two past cases the caller may see: {other}");

        // Administrators see how the suggestions served this month: the category chosen at
        // registration, two sortings of which the first took the first suggestion, and the
        // final routing (the town) was not the first suggestion either time.
        let (status, figures) = app.get(Some(&admin), "/api/v1/routing/acceptance").await;
        assert_eq!(status, StatusCode::OK, "{figures}");
        let month = app.store.clock().today().format("%Y-%m").to_string();
        let of = |target: &str| figures.as_array().unwrap().iter().find(|f| f["month"] == month && f["target"] == target).cloned().unwrap_or_else(|| panic!("{target}: {figures}"));
        let units = of("unit");
        assert_eq!((units["decisions"].as_u64(), units["first_taken"].as_u64(), units["top1"].as_u64()), (Some(2), Some(1), Some(0)), "{figures}");
        assert_eq!(of("category")["decisions"].as_u64(), Some(1), "{figures}");
        let (status, _) = app.get(Some(&registrar), "/api/v1/routing/acceptance").await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A server started anew answers from the models kept in the database, at once.
        let restarted = xinfang_text::routing::Router::default();
        restarted.follow(app.store.clone());
        assert!(restarted.fresh(&app.store).await);
        assert_eq!(restarted.learned().cases, 12);
        let matter = xinfang_domain::dispatch::Matter { text: "楼下垃圾清运不及时", region: None, category: None, today: app.store.clock().today() };
        let units = restarted.units(&mut xinfang_text::routing::Featurizer::default(), &matter, None);
        assert_eq!(units[0].value, c.dept);
    }
}

both_backends! {
    async fn the_dispatch_catalogue_comes_first_while_its_rules_are_in_force(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let registrar = app.login("registrar").await;
        let admin = app.login("admin").await;
        let rule = json!({
            "name": "夜间施工噪音", "keywords": ["噪音", "噪声"], "units": [c.town.0, c.dept.0],
            "priority": 80, "basis": "《中华人民共和国噪声污染防治法》第四十三条"
        });
        // Only administrators keep the catalogue; bad rules are refused with their field.
        let (status, _) = app.post(Some(&registrar), "/api/v1/dispatch-rules", &rule).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for (change, field) in [
            (json!({"keywords": []}), "category"),
            (json!({"units": []}), "units"),
            (json!({"units": [999999]}), "units"),
            (json!({"units": [c.province.0]}), "units"),
            (json!({"priority": 0}), "priority"),
            (json!({"category": "没有这一类"}), "category"),
            (json!({"valid_from": "2026-12-01", "valid_to": "2026-11-01"}), "valid_to"),
        ] {
            let mut bad = rule.clone();
            for (k, v) in change.as_object().unwrap() {
                bad[k] = v.clone();
            }
            let (status, e) = app.post(Some(&admin), "/api/v1/dispatch-rules", &bad).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {e}");
            assert_eq!(e["error"]["field"].as_str(), Some(field), "{change}: {e}");
        }
        let (_, all) = app.get(Some(&admin), "/api/v1/dispatch-rules").await;
        assert_eq!(all, json!([]), "nothing refused was written");

        let (status, made) = app.post(Some(&admin), "/api/v1/dispatch-rules", &rule).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        let id = made["id"].as_i64().unwrap();
        assert_eq!(made["version"], 1);

        // A petition about noise: the rule's units first, in its order, with the rule as reason.
        let ask = json!({"title": "工地夜间施工噪音扰民", "content": "每天夜里施工到两点"});
        let (_, s) = app.post(Some(&registrar), "/api/v1/routing/suggest", &ask).await;
        assert_eq!((s["units"][0]["id"].as_i64(), s["units"][1]["id"].as_i64()), (Some(c.town.0), Some(c.dept.0)), "{s}");
        let reason = s["units"][0]["reason"].as_str().unwrap();
        assert!(reason.contains("派单目录：夜间施工噪音") && reason.contains("噪声污染防治法"), "{s}");
        // Another matter is not touched by it.
        let (_, other) = app.post(Some(&registrar), "/api/v1/routing/suggest", &json!({"title": "拖欠工资"})).await;
        assert!(other["units"].as_array().unwrap().iter().all(|u| !u["reason"].as_str().unwrap().contains("派单目录")), "{other}");

        // A revision is a new version; a stopped rule no longer counts, at once.
        let mut revised = rule.clone();
        revised["units"] = json!([c.dept.0]);
        let (status, r) = app.post(Some(&admin), &format!("/api/v1/dispatch-rules/{id}/actions"), &json!({"action": "revise", "rule": revised})).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        assert_eq!((r["version"].as_u64(), r["history"].as_array().unwrap().len()), (Some(2), 2));
        let (_, s) = app.post(Some(&registrar), "/api/v1/routing/suggest", &ask).await;
        assert_eq!(s["units"][0]["id"], c.dept.0, "{s}");
        let (status, r) = app.post(Some(&admin), &format!("/api/v1/dispatch-rules/{id}/actions"), &json!({"action": "stop"})).await;
        assert_eq!((status, r["active"].as_bool()), (StatusCode::OK, Some(false)), "{r}");
        let (_, s) = app.post(Some(&registrar), "/api/v1/routing/suggest", &ask).await;
        assert!(s["units"].as_array().unwrap().iter().all(|u| !u["reason"].as_str().unwrap().contains("派单目录")), "{s}");
        let (status, e) = app.post(Some(&admin), &format!("/api/v1/dispatch-rules/{id}/actions"), &json!({"action": "stop"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "{e}");
        // Every change is in the log.
        let (kinds,): (i64,) = sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM events WHERE kind LIKE 'dispatch_rule_%'")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert_eq!(kinds, 3);
    }
}

/// A workbook of the catalogue's columns with these rows.
fn catalogue(rows: &[[&str; 11]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in xinfang_web::app::dispatch::COLUMNS.iter().enumerate() {
        sheet.write_string(0, col as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (col, v) in row.iter().enumerate() {
            sheet.write_string(1 + r as u32, col as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn once(html: &str) -> String {
    html.split("name=\"once\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string()
}

both_backends! {
    async fn an_admin_keeps_the_catalogue_on_its_page_and_as_a_workbook(db: TestDb) {
        use reqwest::multipart::{Form, Part};
        use crate::ui::{Browser, xlsx_strings};
        let app = crate::common::spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let handler = Browser::login(&app.base, "dept_handler").await;
        assert_eq!(handler.get("/admin/dispatch").await.0, StatusCode::FORBIDDEN);
        assert_eq!(handler.get("/admin/dispatch/catalogue.xlsx").await.0, StatusCode::FORBIDDEN);
        let admin = Browser::login(&app.base, "admin").await;

        // A rule added on the page; a refused one comes back with its message and the form as typed.
        let (_, html, _) = admin.get("/admin/dispatch").await;
        let csrf = admin.csrf("/admin/dispatch").await;
        let town = c.town.0.to_string();
        let (s, html, _) = admin
            .post("/admin/dispatch", &[("csrf", &csrf), ("once", &once(&html)), ("action", "create"), ("name", "集贸市场管理"), ("priority", "60"), ("units", &town)])
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("请至少填写分类、地区或关键词中的一项") && html.contains("value=\"集贸市场管理\""), "{html}");
        let (s, _, loc) = admin
            .post("/admin/dispatch", &[("csrf", &csrf), ("once", &once(&html)), ("action", "create"), ("name", "集贸市场管理"), ("keywords", "集贸市场、早市"), ("priority", "60"), ("units", &town), ("basis", "市政府办公室关于集贸市场管理职责分工的通知")])
            .await;
        assert_eq!((s, loc.as_deref().map(|l| l.starts_with("/admin/dispatch?done="))), (StatusCode::SEE_OTHER, Some(true)));
        let (_, html, _) = admin.get("/admin/dispatch").await;
        assert!(html.contains("<td>集贸市场管理</td>") && html.contains("关键词：集贸市场、早市"), "{html}");

        // Out as a workbook, and back in: the numbered row revised, a new row added.
        let exported = admin.bytes("/admin/dispatch/catalogue.xlsx").await;
        let strings = xlsx_strings(&exported);
        assert!(strings.contains("集贸市场管理") && strings.contains("东城镇") && strings.contains("启用"), "{strings}");
        let id = app.store.all::<xinfang_domain::dispatch::DispatchRule>(None).await.unwrap()[0].id.0.to_string();
        let send = |bytes: Vec<u8>| {
            let admin = &admin;
            async move {
                let (_, html, _) = admin.get("/admin/dispatch").await;
                let csrf = admin.csrf("/admin/dispatch").await;
                let at = html.split("/admin/dispatch/import?once=").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
                let form = Form::new().text("csrf", csrf).part("file", Part::bytes(bytes).file_name("派单目录.xlsx"));
                admin.post_multipart(&format!("/admin/dispatch/import?once={at}"), form).await
            }
        };
        let dept = app.store.org().get(c.dept).unwrap().name.clone();
        let good = catalogue(&[
            [&id, "集贸市场管理", "", "", "集贸市场、早市", "东城镇", "70", "", "", "市政府办公室关于集贸市场管理职责分工的通知", "启用"],
            ["", "物业服务纠纷", "城乡建设/物业管理", "", "", &dept, "40", "2026-01-01", "2027-12-31", "《物业管理条例》第五条", "启用"],
        ]);
        let (s, html, loc) = send(good.clone()).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{html}");
        assert!(loc.unwrap().contains(&encoded("导入：新增1条，修改1条，未变0条")));
        let rules = app.store.all::<xinfang_domain::dispatch::DispatchRule>(None).await.unwrap();
        assert_eq!(rules.len(), 2);
        assert_eq!((rules[0].priority, rules[0].version), (70, 2));
        assert_eq!(rules[1].category.as_deref(), Some("城乡建设/物业管理"));

        // The same file again changes nothing; a file with one bad row writes nothing at all.
        let (s, _, loc) = send(good).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(loc.unwrap().contains(&encoded("未变2条")));
        let bad = catalogue(&[
            [&id, "集贸市场管理", "", "", "集贸市场", "东城镇", "90", "", "", "", "停用"],
            ["", "噪音", "", "", "噪音", "没有这个单位", "50", "", "", "", ""],
            ["", "", "", "", "", "东城镇", "abc", "", "", "", "暂停"],
        ]);
        let (s, html, _) = send(bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("2 行有误，未导入任何规则") && html.contains("没有单位“没有这个单位”") && html.contains("<td>4</td>"), "{html}");
        let after = app.store.all::<xinfang_domain::dispatch::DispatchRule>(None).await.unwrap();
        assert_eq!(after, rules, "nothing written");
        let (s, html, _) = send(b"not a workbook at all".to_vec()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("第1行应为表头"), "{html}");
    }
}

/// As the pages encode a notice into their address.
fn encoded(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
