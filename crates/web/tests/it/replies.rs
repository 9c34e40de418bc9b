//! The reply check (`POST /api/v1/replies/check`, the case page's 答复自查 and its 检查答复
//! button) on both databases.

use reqwest::StatusCode;
use serde_json::json;
use xinfang_domain::Command;
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

use crate::common::spawn_with;
use crate::ui::Browser;

const PETITION: &str = "幸福小区楼下烧烤店油烟噪音扰民\n幸福小区3栋楼下的烧烤店每天营业到凌晨两点，\
    油烟直冲楼上住户窗户，噪音吵得老人孩子无法入睡，多次找店主协商无果，希望有关部门查处。";

const GOOD: &str = "经调查核实，幸福小区3栋楼下烧烤店确存在夜间经营油烟、噪音扰民情况。根据《中华人民共和国\
    噪声污染防治法》第六十一条，区城管局已责令该烧烤店安装油烟净化设施，并将营业时间调整至晚上十点前。\
    如对本处理意见不服，可自收到本意见书之日起30日内向上一级行政机关请求复查。";

const OTHER: &str = "经调查核实，您反映的农民工工资拖欠问题属实。根据《保障农民工工资支付条例》第三十条，\
    人社局已责令建筑公司于本月底前足额支付所欠工资。如对本处理意见不服，可自收到本意见书之日起30日内请求复查。";

fn codes(v: &serde_json::Value) -> Vec<String> {
    v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

both_backends! {
    async fn a_reply_is_checked_against_its_petition_and_bad_input_is_refused(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let handler = app.login("dept_handler").await;
        let check = |reply: &str, kind: Option<&str>| {
            let mut body = json!({"petition": PETITION, "reply": reply});
            if let Some(k) = kind {
                body["kind"] = json!(k);
            }
            body
        };

        let (s, good) = app.post(Some(&handler), "/api/v1/replies/check", &check(GOOD, None)).await;
        assert_eq!(s, StatusCode::OK, "{good}");
        assert!(codes(&good).is_empty(), "{good}");
        assert!(good["score"].as_f64().unwrap() > 0.8, "{good}");

        // A reply to another matter: off topic, named by what it leaves out.
        let (_, other) = app.post(Some(&handler), "/api/v1/replies/check", &check(OTHER, None)).await;
        assert!(codes(&other).contains(&"off_topic".to_string()), "{other}");
        assert!(other["flags"][0]["message"].as_str().unwrap().contains("未提及"), "{other}");
        assert!(other["score"].as_f64().unwrap() < good["score"].as_f64().unwrap());

        // No remedy told: flagged for a 处理意见书 and a 复查意见书, not for a final 复核意见书,
        // a suggestion's answer or a report's feedback.
        let bare = GOOD.split("如对本处理意见不服").next().unwrap();
        for (kind, flagged) in [(None, true), (Some("review"), true), (Some("rereview"), false), (Some("suggestion"), false), (Some("report"), false)] {
            let (s, v) = app.post(Some(&handler), "/api/v1/replies/check", &check(bare, kind)).await;
            assert_eq!(s, StatusCode::OK);
            assert_eq!(codes(&v).contains(&"no_remedy".to_string()), flagged, "{kind:?}: {v}");
        }
        let (_, v) = app.post(Some(&handler), "/api/v1/replies/check", &check("已处理。", None)).await;
        for code in ["no_basis", "incomplete", "no_remedy"] {
            assert!(codes(&v).contains(&code.to_string()), "{code}: {v}");
        }

        // Bad input: refused with its field or a stable code; no officer, no check.
        for (body, status, field) in [
            (json!({"petition": PETITION, "reply": "  "}), StatusCode::UNPROCESSABLE_ENTITY, Some("reply")),
            (json!({"petition": "", "reply": GOOD}), StatusCode::UNPROCESSABLE_ENTITY, Some("petition")),
            (json!({"petition": PETITION, "reply": "字".repeat(20_001)}), StatusCode::UNPROCESSABLE_ENTITY, Some("reply")),
            (json!({"petition": PETITION, "reply": GOOD, "kind": "poem"}), StatusCode::UNPROCESSABLE_ENTITY, None),
            (json!({"petition": PETITION, "reply": GOOD, "extra": 1}), StatusCode::UNPROCESSABLE_ENTITY, None),
        ] {
            let (s, e) = app.post(Some(&handler), "/api/v1/replies/check", &body).await;
            assert_eq!(s, status, "{e}");
            if let Some(f) = field {
                assert_eq!(e["error"]["field"], f, "{e}");
            }
        }
        let (s, _) = app.post(None, "/api/v1/replies/check", &check(GOOD, None)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);

        // The case page: the drafted reply's check for the drafter and the head, and the form's
        // 检查答复 for a draft being written.
        let c = &app.city;
        let who = Who::Officer(c.registrar.clone());
        let mut new = letter("幸福小区楼下烧烤店油烟噪音扰民");
        new.content = PETITION.lines().nth(1).unwrap().to_string();
        let case = app.store.register(new, who.clone(), c.office).await.unwrap();
        app.store.act(case.id, Command::Forward { to_unit: c.dept }, who).await.unwrap();
        let id = case.id.0;
        let (s, v) = app.act(&handler, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");

        let drafter = Browser::login(&app.base, "dept_handler").await;
        let csrf = drafter.csrf(&format!("/cases/{id}")).await;
        let (s, body, _) = drafter.post(&format!("/cases/{id}/reply-check"), &[("csrf", &csrf), ("kind", "reply"), ("text", OTHER)]).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(codes(&v).contains(&"off_topic".to_string()), "{v}");
        let (s, _, _) = drafter.post(&format!("/cases/{id}/reply-check"), &[("csrf", "wrong"), ("kind", "reply"), ("text", OTHER)]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // An officer who may not see the case gets nothing about it.
        let stranger = Browser::login(&app.base, "other_town_handler").await;
        let theirs = stranger.csrf("/").await;
        let (s, _, _) = stranger.post(&format!("/cases/{id}/reply-check"), &[("csrf", &theirs), ("kind", "reply"), ("text", OTHER)]).await;
        assert!(s == StatusCode::NOT_FOUND || s == StatusCode::FORBIDDEN, "{s}");

        let (s, v) = app.act(&handler, id, json!({"action": "reply", "outcome": "support", "text": "已处理。"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let head = Browser::login(&app.base, "dept_head").await;
        let (_, html, _) = head.get(&format!("/cases/{id}")).await;
        assert!(html.contains("id=\"reply-check\""), "the head sees the check");
        assert!(html.contains("data-flag=\"no_basis\"") && html.contains("data-flag=\"no_remedy\""));
        // Advice only: the head may still sign.
        let (s, v) = app.act(&app.login("dept_head").await, id, json!({"action": "approve"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
    }
}
