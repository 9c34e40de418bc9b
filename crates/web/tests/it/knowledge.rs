//! The knowledge base on both databases: administrators write, another administrator or a
//! leader approves each version, only versions in force are searched and offered, templates
//! come filled at the reply form, approved public Q&A is the portal's FAQ.

use reqwest::StatusCode;
use serde_json::json;
use xinfang_domain::Command;
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

use crate::common::spawn_with;
use crate::ui::Browser;

both_backends! {
    async fn entries_are_approved_by_another_searched_offered_filled_and_shown_to_citizens(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let admin = app.login("admin").await;
        let leader = app.login("leader").await;
        let handler = app.login("dept_handler").await;
        let template = json!({
            "kind": "template", "title": "物业乱收费答复模板", "category": "城乡建设/物业管理",
            "basis": "《物业管理条例》第四十条",
            "body": "{信访人}：您于{登记日期}反映的“{事项}”，经{单位}调查核实，根据{依据}，物业公司收费标准应当公示。{日期}",
        });

        // Administrators only; each bad term refused with its field.
        let (s, _) = app.post(Some(&handler), "/api/v1/knowledge", &template).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        for (body, field) in [
            (json!({"kind": "qa", "title": " ", "body": "答"}), "title"),
            (json!({"kind": "qa", "title": "问", "body": "答", "category": "火星事务"}), "category"),
            (json!({"kind": "template", "title": "问", "body": "答", "public": true}), "public"),
            (json!({"kind": "qa", "title": "问", "body": "答".repeat(20_001)}), "body"),
        ] {
            let (s, e) = app.post(Some(&admin), "/api/v1/knowledge", &body).await;
            assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{e}");
        }
        let (s, t) = app.post(Some(&admin), "/api/v1/knowledge", &template).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let tid = t["id"].as_i64().unwrap();
        assert_eq!((t["version"].as_i64(), t["pending"].as_bool()), (Some(1), Some(true)));

        // Not in force until approved, and not by the one who wrote it.
        let (_, found) = app.get(Some(&handler), "/api/v1/knowledge?q=物业收费").await;
        assert!(found.as_array().unwrap().is_empty(), "{found}");
        let act = |id: i64| format!("/api/v1/knowledge/{id}/actions");
        let (s, _) = app.post(Some(&admin), &act(tid), &json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, _) = app.post(Some(&handler), &act(tid), &json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, v) = app.post(Some(&leader), &act(tid), &json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, _) = app.post(Some(&leader), &act(tid), &json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (_, found) = app.get(Some(&handler), "/api/v1/knowledge?q=物业收费").await;
        assert_eq!(found[0]["id"], tid, "{found}");

        // A revision waits; the approved version stays in force until it is approved.
        let mut revised = template.clone();
        revised["body"] = json!("{信访人}：您反映的“{事项}”已由{单位}核实处理，物业费标准已公示。依据{依据}。");
        let (s, v) = app.post(Some(&admin), &act(tid), &json!({"action": "revise", "entry": revised})).await;
        assert_eq!((s, v["version"].as_i64(), v["pending"].as_bool()), (StatusCode::OK, Some(2), Some(true)), "{v}");
        let (_, found) = app.get(Some(&handler), "/api/v1/knowledge?q=物业收费").await;
        assert_eq!(found[0]["approved"]["version"], 1);
        let (s, _) = app.post(Some(&leader), &act(tid), &json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::OK);

        // At the reply form: the template, filled for the case.
        let who = Who::Officer(c.registrar.clone());
        let mut new = letter("幸福小区物业乱收费");
        new.content = "物业公司擅自上调物业费，收费标准从不公示。".into();
        new.category = Some("城乡建设/物业管理".into());
        let case = app.store.register(new, who.clone(), c.office).await.unwrap();
        app.store.act(case.id, Command::Forward { to_unit: c.dept }, who.clone()).await.unwrap();
        app.store.act(case.id, Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap();
        let page = Browser::login(&app.base, "dept_handler").await;
        let (_, html, _) = page.get(&format!("/cases/{}", case.id)).await;
        let dept_name = app.store.org().get(c.dept).unwrap().name.clone();
        let filled = format!("李四：您反映的“幸福小区物业乱收费”已由{dept_name}核实处理，物业费标准已公示。依据《物业管理条例》第四十条。");
        assert!(html.contains(&format!("data-use-template=\"{filled}\"")), "the filled template is offered");

        // A public Q&A must carry no phone or identity number before it is approved.
        let (_, qa) = app.post(Some(&admin), "/api/v1/knowledge", &json!({
            "kind": "qa", "title": "物业费上涨要经过业主同意吗？", "category": "城乡建设/物业管理", "public": true,
            "body": "物业服务收费实行政府指导价的，调整须经价格主管部门批准；详询13912345678。",
        })).await;
        let qid = qa["id"].as_i64().unwrap();
        let (s, e) = app.post(Some(&leader), &act(qid), &json!({"action": "approve"})).await;
        assert_eq!((s, e["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("body")), "{e}");
        assert!(e["error"]["message"].as_str().unwrap().contains("手机号"));
        let (s, _) = app.post(Some(&admin), &act(qid), &json!({"action": "revise", "entry": {
            "kind": "qa", "title": "物业费上涨要经过业主同意吗？", "category": "城乡建设/物业管理", "public": true,
            "body": "物业服务收费实行政府指导价的，调整须经价格主管部门批准；详询12345热线。",
        }})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, _) = app.post(Some(&leader), &act(qid), &json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::OK);

        // The portal: the FAQ, and the answers offered while a citizen writes.
        let (s, faq) = app.get(None, "/api/v1/public/faq?q=物业费上涨了").await;
        assert_eq!(s, StatusCode::OK, "{faq}");
        assert_eq!(faq[0]["question"], "物业费上涨要经过业主同意吗？", "{faq}");
        assert_eq!(faq.as_array().unwrap().len(), 1, "templates are not the citizens': {faq}");
        let (s, html) = {
            let r = reqwest::get(app.url("/public/faq")).await.unwrap();
            (r.status(), r.text().await.unwrap())
        };
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("物业费上涨要经过业主同意吗？") && !html.contains("13912345678"));
        let (s, e) = app.get(None, &format!("/api/v1/public/faq?q={}", "字".repeat(2_001))).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")));

        // Withdrawn: offered nowhere; restored: back.
        let (s, _) = app.post(Some(&admin), &act(qid), &json!({"action": "withdraw"})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, faq) = app.get(None, "/api/v1/public/faq?q=物业费上涨了").await;
        assert!(faq.as_array().unwrap().is_empty(), "{faq}");
        let (s, _) = app.post(Some(&admin), &act(qid), &json!({"action": "withdraw"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
        let (s, _) = app.post(Some(&admin), &act(qid), &json!({"action": "restore"})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, faq) = app.get(None, "/api/v1/public/faq").await;
        assert_eq!(faq.as_array().unwrap().len(), 1);

        // Every entry with its pending versions: those who approve (administrators, leaders),
        // as on the page.
        let (s, _) = app.get(Some(&handler), "/api/v1/knowledge?all=true").await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (_, all) = app.get(Some(&admin), "/api/v1/knowledge?all=true").await;
        assert_eq!(all.as_array().unwrap().len(), 2);
        let (_, all) = app.get(Some(&leader), "/api/v1/knowledge?all=true").await;
        assert_eq!(all.as_array().unwrap().len(), 2);

        // The page: search for everyone, the approve button for a leader.
        let (_, html, _) = page.get("/knowledge?q=物业").await;
        assert!(html.contains("物业乱收费答复模板") && !html.contains("id=\"knowledge-add\""));
        let (s, _, _) = page.get("/knowledge").await;
        assert_eq!(s, StatusCode::OK);
        let (_, new_entry) = app.post(Some(&admin), "/api/v1/knowledge", &json!({"kind": "policy", "title": "信访工作条例", "body": "第三十二条 ……"})).await;
        let lead = Browser::login(&app.base, "leader").await;
        let (_, html, _) = lead.get("/knowledge").await;
        assert!(html.contains("批准第1版"), "a leader is offered the approval");
        let csrf = lead.csrf("/knowledge").await;
        let id = new_entry["id"].as_i64().unwrap().to_string();
        let (s, _, location) = lead.post("/knowledge", &[("csrf", &csrf), ("id", &id), ("action", "approve")]).await;
        assert_eq!((s, location.as_deref().map(|l| l.starts_with("/knowledge?done="))), (StatusCode::SEE_OTHER, Some(true)));
    }
}
