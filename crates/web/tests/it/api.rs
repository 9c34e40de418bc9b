//! The JSON API end to end, on SQLite and on PostgreSQL.

use crate::common::{letter, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_store::both_backends;
use xinfang_store::testing::TestDb;

fn kinds(timeline: &Value) -> Vec<String> {
    timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect()
}

both_backends! {
    async fn a_case_lives_its_whole_life_through_the_api(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let mut visit = letter();
        visit["channel"] = json!("visit");
        visit["collective"] = json!({"head_count": 12, "representatives": [{"name": "王五", "phone": "13700001111"}, {"name": "赵六"}]});
        let (status, created) = app.post(Some(&reg), "/api/v1/cases", &visit).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().unwrap();
        let code = created["query_code"].as_str().unwrap().to_string();
        assert_eq!(code.len(), 16);
        let today = app.store.clock().today();
        assert_eq!(created["deadlines"]["sort_due"], json!((today + chrono::Duration::days(15)).to_string()));

        let (s, v) = app.act(&reg, id, json!({"action": "forward", "to_unit": c.dept.0})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["status"], "forwarded");
        assert_eq!(v["deadlines"]["accept_due"], json!((today + chrono::Duration::days(15)).to_string()));

        let handler = app.login("dept_handler").await;
        let head = app.login("dept_head").await;
        let (s, v) = app.get(Some(&handler), &format!("/api/v1/cases/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["actions"], json!(["object", "accept", "decline"]));
        let (s, v) = app.act(&handler, id, json!({"action": "accept"})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("handling")));
        assert_eq!(v["clock"]["step"], "办理");
        assert_eq!(v["clock"]["warning"], "green");
        // Only the unit head may extend; once; at most 30 days.
        let (s, v) = app.act(&handler, id, json!({"action": "extend", "days": 10, "reason": "需实地核查"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        let (s, v) = app.act(&head, id, json!({"action": "extend", "days": 31, "reason": "需实地核查"})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("days")));
        let (s, v) = app.act(&head, id, json!({"action": "extend", "days": 30, "reason": "需实地核查"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["deadlines"]["handle_due"], json!((today + chrono::Duration::days(90)).to_string()));
        let (s, v) = app.act(&head, id, json!({"action": "extend", "days": 5, "reason": "再延"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_done")));
        let (s, _) = app.issue(&handler, id, json!({"action": "reply", "outcome": "support", "text": "已责令物业退还多收费用。"})).await;
        assert_eq!(s, StatusCode::OK);

        // The petitioner follows, evaluates and appeals by query code.
        let public = format!("/api/v1/public/cases/{code}");
        let (s, p) = app.get(None, &public).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(p["reply"]["text"], "已责令物业退还多收费用。");
        assert_eq!(p["reply"]["outcome"], "支持");
        assert_eq!(p["actions"], json!(["evaluate", "request_review"]));
        let labels: Vec<&str> = p["steps"].as_array().unwrap().iter().map(|s| s["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["登记", "转送", "受理", "延期办理", "出具处理意见书"]);
        let (s, _) = app.post(None, &format!("{public}/actions"), &json!({"action": "evaluate", "office": "satisfied", "unit": "basically"})).await;
        assert_eq!(s, StatusCode::OK);
        let (s, v) = app.post(None, &format!("{public}/actions"), &json!({"action": "evaluate", "office": "satisfied", "unit": "satisfied"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("already_done")));
        let (s, v) = app.post(None, &format!("{public}/actions"), &json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
        let (s, _) = app.post(None, &format!("{public}/actions"), &json!({"action": "request_review", "reason": "退费不足"})).await;
        assert_eq!(s, StatusCode::OK);

        let city = app.login("city_handler").await;
        let (s, v) = app.issue(&city, id, json!({"action": "review", "outcome": "explain", "text": "维持原处理意见。"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (s, _) = app.post(None, &format!("{public}/actions"), &json!({"action": "request_rereview", "reason": "仍不服"})).await;
        assert_eq!(s, StatusCode::OK);
        let (_, v) = app.get(Some(&city), &format!("/api/v1/cases/{id}")).await;
        let due_before = v["deadlines"]["rereview_due"].as_str().unwrap().to_string();
        // The hearing is planned for today with its panel, then held with the planned panel.
        let today = app.store.clock().today();
        let plan = |on: chrono::NaiveDate| json!({"action": "schedule_hearing", "hearing_on": on.to_string(), "place": "市信访局听证室", "panel": ["人大代表", "律师"]});
        let (s, v) = app.act(&city, id, plan(today - chrono::Duration::days(1))).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("hearing_on")), "{v}");
        let (s, v) = app.act(&city, id, plan(today)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["planned_hearing"]["place"], "市信访局听证室");
        let (s, v) = app.act(&city, id, json!({"action": "start_hearing"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["planned_hearing"], serde_json::Value::Null);
        app.store.clock().advance(chrono::Duration::days(2));
        // Sessions last 12 hours: two days later the officer logs in again.
        assert_eq!(app.get(Some(&city), "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);
        let city = app.login("city_handler").await;
        let (s, v) = app.act(&city, id, json!({"action": "end_hearing", "conclusion": "原处理正确", "record": "信访人陈述，办理单位答辩，听证员提问"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let due_after: chrono::NaiveDate = v["deadlines"]["rereview_due"].as_str().unwrap().parse().unwrap();
        let due_before: chrono::NaiveDate = due_before.parse().unwrap();
        assert_eq!(due_after - due_before, chrono::Duration::days(3), "a three-day hearing moves the 复核 deadline by three days");
        assert_eq!(v["hearings"][0]["panel"], json!(["人大代表", "律师"]));
        assert_eq!(v["hearings"][0]["record"], "信访人陈述，办理单位答辩，听证员提问");
        let (s, v) = app.issue(&city, id, json!({"action": "rereview", "outcome": "not_support", "text": "复核维持。"})).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::OK, Some("final")));

        let (_, t) = app.get(Some(&city), &format!("/api/v1/cases/{id}/timeline")).await;
        assert_eq!(kinds(&t), [
            "registered", "forwarded", "accepted", "extended", "drafted", "draft_approved", "replied", "evaluated",
            "review_requested", "drafted", "draft_approved", "reviewed", "rereview_requested", "hearing_scheduled",
            "hearing_started", "hearing_ended",
            // The province's 复核 is entered as it decided: signed there, not here.
            "rereviewed",
        ]);
        assert_eq!(t[0]["actor"], "registrar");
        assert_eq!((t[4]["actor"].as_str(), t[4]["notice"].as_str()), (Some("dept_handler"), None), "a draft is no notice");
        assert_eq!(t[5]["actor"], "dept_head", "the head signs");
        assert_eq!(t[6]["notice"], "处理意见书");
        assert_eq!(t[7]["actor"], "信访人");

        // The same facts again: refused (不再受理).
        let reg = app.login("registrar").await;
        let mut again = letter();
        again["repeat_of"] = json!(id);
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &again).await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::CREATED, Some("refused")));
    }

    async fn bad_input_gets_a_clear_error_and_writes_nothing(db: TestDb) {
        let app = spawn(db).await;
        let reg = app.login("registrar").await;
        let (_, created) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let id = created["id"].as_i64().unwrap();
        let before = app.event_count().await;
        let raw = |body: &'static str| app.client.post(app.url("/api/v1/cases")).bearer_auth(&reg).header("content-type", "application/json").body(body).send();
        let r = raw("{\"channel\": ").await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "bad_json");
        let mut unknown = letter();
        unknown["colour"] = json!("red");
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &unknown).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field")));
        // A command without fields takes no others either (serde would let them pass).
        let events = app.event_count().await;
        let (s, v) = app.act(&reg, id, json!({"action": "accept", "force": true})).await;
        assert_eq!((s, v["error"]["code"].as_str(), v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_field"), Some("force")), "{v}");
        assert_eq!(app.event_count().await, events);
        let mut bad_channel = letter();
        bad_channel["channel"] = json!("pigeon");
        assert_eq!(app.post(Some(&reg), "/api/v1/cases", &bad_channel).await.0, StatusCode::UNPROCESSABLE_ENTITY);
        let mut bad_id = letter();
        bad_id["petitioner"]["id_number"] = json!("110105194912310021");
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &bad_id).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("petitioner.id_number")));
        assert_eq!(v["error"]["message"], "身份证号码校验位不正确");
        let mut huge = letter();
        huge["content"] = json!("很".repeat(200_000));
        // The server answers before reading the whole body and closes that connection: use its own client.
        let r = reqwest::Client::new().post(app.url("/api/v1/cases")).bearer_auth(&reg).json(&huge).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(r.json::<Value>().await.unwrap()["error"]["code"], "too_large");
        let r = app.client.post(app.url("/api/v1/cases")).bearer_auth(&reg).body("x").send().await.unwrap();
        assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // Illegal transition, wrong unit, unauthenticated, unknown case.
        let (s, v) = app.act(&reg, id, json!({"action": "reply", "outcome": "support", "text": "x"})).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("illegal_transition")));
        let town = app.login("town_handler").await;
        let (s, _) = app.act(&town, id, json!({"action": "forward", "to_unit": app.city.town.0})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.post(None, "/api/v1/cases", &letter()).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.post(Some("not-a-token"), "/api/v1/cases", &letter()).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(None, &format!("/api/v1/cases/{id}")).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(app.get(Some(&reg), "/api/v1/cases/424242").await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.get(Some(&reg), "/api/v1/cases?status=nonsense").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(app.get(Some(&reg), "/api/v1/cases?page=-1").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(app.get(Some(&reg), "/api/v1/cases?unit=999999").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(app.get(Some(&reg), "/api/v1/cases?waiting_on=999999").await.0, StatusCode::BAD_REQUEST);
        assert_eq!(app.get(None, "/api/v1/public/cases/AAAAAAAAAAAAAAAA").await.0, StatusCode::NOT_FOUND);
        assert_eq!(app.event_count().await, before, "refused requests must write nothing");
        assert_eq!(app.store.count_cases().await.unwrap(), 1);
    }

    async fn units_see_and_act_on_their_subtree_only(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let (_, created) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let id = created["id"].as_i64().unwrap();
        app.act(&reg, id, json!({"action": "assign", "to_unit": c.village.0, "report_due": (app.store.clock().today() + chrono::Duration::days(20)).to_string()})).await;
        let other = app.login("other_town_handler").await;
        let (s, v) = app.get(Some(&other), &format!("/api/v1/cases/{id}")).await;
        assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
        assert_eq!(app.act(&other, id, json!({"action": "accept"})).await.0, StatusCode::FORBIDDEN);
        let (_, list) = app.get(Some(&other), "/api/v1/cases").await;
        assert_eq!(list["total"], 0);
        // The village's town sees it, in its worklist, and may accept for the village.
        let town = app.login("town_handler").await;
        let (_, list) = app.get(Some(&town), "/api/v1/cases?open=true&status=assigned").await;
        assert_eq!(list["items"][0]["id"], id);
        assert_eq!(list["items"][0]["warning"], "green");
        let (s, v) = app.act(&town, id, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        // Masked by default even to the handler; shown in full when asked, and that is recorded.
        let (_, v) = app.get(Some(&town), &format!("/api/v1/cases/{id}")).await;
        assert_eq!((v["petitioner"]["phone"].as_str(), v["disclosure"].as_str(), v["may_reveal"].as_bool()), (Some("139****5678"), Some("masked"), Some(true)));
        let (_, v) = app.get(Some(&town), &format!("/api/v1/cases/{id}?reveal=true")).await;
        assert_eq!(v["petitioner"]["phone"], "13912345678");
        assert_eq!(v["disclosure"], "full");
        let (_, v) = app.get(Some(&town), "/api/v1/cases?phone=13912345678").await;
        assert_eq!(v["total"], 1);
        let admin = app.login("admin").await;
        let (s, log) = app.get(Some(&admin), "/api/v1/personal-data-log").await;
        assert_eq!(s, StatusCode::OK, "{log}");
        let kinds: Vec<(&str, Option<i64>)> = log.as_array().unwrap().iter().map(|l| (l["kind"].as_str().unwrap(), l["case_id"].as_i64())).collect();
        assert_eq!(kinds, [("search_phone", None), ("reveal", Some(id))], "newest first; the number searched for is not kept: {log}");
        assert!(!log.to_string().contains("13912345678"));
        assert_eq!(app.get(Some(&town), "/api/v1/personal-data-log").await.0, StatusCode::FORBIDDEN);
        // Nothing with personal data may be kept by a cache.
        let r = app.client.get(app.url(&format!("/api/v1/cases/{id}"))).bearer_auth(&town).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store");
    }

    async fn personal_data_requests_correct_and_restrict_through_the_api(db: TestDb) {
        let app = spawn(db).await;
        let reg = app.login("registrar").await;
        let (_, created) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let id = created["id"].as_i64().unwrap();
        let path = format!("/api/v1/cases/{id}/personal-data");
        // Checked like any input: no reason, an unknown action, a bad number change nothing.
        let (s, v) = app.post(Some(&reg), &path, &json!({"action": "restrict", "reason": " "})).await;
        assert_eq!((s, v["error"]["code"].as_str(), v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input"), Some("reason")), "{v}");
        let (s, _) = app.post(Some(&reg), &path, &json!({"action": "forget", "reason": "x"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let bad = json!({"action": "correct", "reason": "更正", "petitioner": {"name": "李四", "phone": "12345"}});
        let (s, v) = app.post(Some(&reg), &path, &bad).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("petitioner.phone")), "{v}");
        // A unit that does not hold the case cannot touch its petitioner.
        let other = app.login("other_town_handler").await;
        assert_eq!(app.post(Some(&other), &path, &json!({"action": "restrict", "reason": "x"})).await.0, StatusCode::FORBIDDEN);
        // Corrected: found by the new number only, and the act is in the personal-data log.
        let fix = json!({"action": "correct", "reason": "信访人来电更正", "petitioner": {"name": "李四", "phone": "13600136000"}});
        let (s, v) = app.post(Some(&reg), &path, &fix).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(app.get(Some(&reg), "/api/v1/cases?phone=13912345678").await.1["total"], 0);
        assert_eq!(app.get(Some(&reg), "/api/v1/cases?phone=13600136000").await.1["total"], 1);
        let (_, timeline) = app.get(Some(&reg), &format!("/api/v1/cases/{id}/timeline")).await;
        assert_eq!(kinds(&timeline).last().unwrap(), "personal_data");
        assert!(!timeline.to_string().contains("13600136000"), "the timeline names no number: {timeline}");
        // Erasure of an open case restricts: the answer and the page say so, nothing is shown.
        let (s, v) = app.post(Some(&reg), &path, &json!({"action": "erase", "reason": "信访人要求删除"})).await;
        assert_eq!((s, v["personal"]["standing"].as_str()), (StatusCode::OK, Some("restricted")), "{v}");
        assert_eq!(v["petitioner"]["name"], "");
        let admin = app.login("admin").await;
        let (_, log) = app.get(Some(&admin), "/api/v1/personal-data-log").await;
        let kinds: Vec<&str> = log.as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"correct") && kinds.contains(&"erase"), "{log}");
    }

    async fn a_report_never_reveals_its_petitioner_outside_discipline(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let mut report = letter();
        report["is_report"] = json!(true);
        report["accused_unit"] = json!(c.dept.0);
        report["title"] = json!("检举住建局工作人员索要好处费");
        let (s, created) = app.post(Some(&reg), "/api/v1/cases", &report).await;
        assert_eq!(s, StatusCode::CREATED);
        let id = created["id"].as_i64().unwrap();
        let (s, v) = app.act(&reg, id, json!({"action": "forward", "to_unit": c.dept.0})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to_unit")));
        let (s, _) = app.act(&reg, id, json!({"action": "forward", "to_unit": c.discipline.0})).await;
        assert_eq!(s, StatusCode::OK);
        // The reported unit cannot open it, list it or find it by the petitioner's phone.
        let accused = app.login("dept_head").await;
        assert_eq!(app.get(Some(&accused), &format!("/api/v1/cases/{id}")).await.0, StatusCode::FORBIDDEN);
        assert_eq!(app.get(Some(&accused), "/api/v1/cases?phone=13912345678").await.1["total"], 0);
        assert_eq!(app.get(Some(&accused), "/api/v1/cases/search?q=索要好处费").await.1["total"], 0);
        // A city-level officer who may see the case still sees no petitioner, and cannot find
        // it by its words.
        let city = app.login("city_handler").await;
        let search = format!("/api/v1/cases/search?q={}", "好处费");
        assert_eq!(app.get(Some(&city), &search).await.1["total"], 0);
        for path in [format!("/api/v1/cases/{id}"), format!("/api/v1/cases/{id}/timeline"), "/api/v1/cases".to_string(), search] {
            let (s, v) = app.get(Some(&city), &path).await;
            assert_eq!(s, StatusCode::OK);
            let text = v.to_string();
            assert!(!text.contains("李四") && !text.contains("13912345678") && !text.contains("11010519491231002X"), "{path} leaks the petitioner: {text}");
        }
        // The discipline commission sees everything.
        let jw = app.login("discipline_handler").await;
        let (_, v) = app.get(Some(&jw), &format!("/api/v1/cases/{id}?reveal=true")).await;
        assert_eq!(v["petitioner"]["name"], "李四");
        assert_eq!(v["disclosure"], "full");
    }

    async fn text_search_finds_words_in_the_cases_a_unit_may_see(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let mut ids = Vec::new();
        for (title, content) in [
            ("讨要工资", "某建筑公司拖欠农民工工资三个月未发"),
            ("夜间施工噪音扰民", "工地夜间施工，噪音很大，影响休息"),
            ("物业问题", "物业拖欠保洁员工资，小区夜间噪音"),
        ] {
            let mut l = letter();
            l["title"] = json!(title);
            l["content"] = json!(content);
            let (s, v) = app.post(Some(&reg), "/api/v1/cases", &l).await;
            assert_eq!(s, StatusCode::CREATED, "{v}");
            ids.push(v["id"].as_i64().unwrap());
        }
        let found = |v: &Value| -> Vec<i64> { v["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect() };
        let (s, v) = app.get(Some(&reg), "/api/v1/cases/search?q=拖欠工资").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!((v["total"].as_i64(), found(&v).len()), (Some(2), 2));
        // The index held every case committed before the call (read your writes).
        assert_eq!(v["complete"], true, "{v}");
        assert_eq!(found(&app.get(Some(&reg), "/api/v1/cases/search?q=工资%20噪音").await.1), vec![ids[2]]);
        assert_eq!(found(&app.get(Some(&reg), "/api/v1/cases/search?q=施工噪音").await.1)[0], ids[1]);
        let (_, v) = app.get(Some(&reg), "/api/v1/cases/search?q=工资&per_page=1&page=2").await;
        assert_eq!((found(&v).len(), v["total"].as_i64()), (1, Some(2)));
        // Other units see only what reaches them.
        let dept = app.login("dept_handler").await;
        assert_eq!(app.get(Some(&dept), "/api/v1/cases/search?q=工资").await.1["total"], 0);
        app.act(&reg, ids[0], json!({"action": "forward", "to_unit": c.dept.0})).await;
        assert_eq!(found(&app.get(Some(&dept), "/api/v1/cases/search?q=工资").await.1), vec![ids[0]]);
        // Bad queries are refused with a code.
        for bad in ["", "q=", &format!("q={}", "长".repeat(101)), "q=x&sort=1"] {
            let (s, v) = app.get(Some(&reg), &format!("/api/v1/cases/search?{bad}")).await;
            assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{bad}");
        }
        assert_eq!(app.get(None, "/api/v1/cases/search?q=工资").await.0, StatusCode::UNAUTHORIZED);
        // The duplicate check finds the case that reads alike, for those who may see it.
        let (s, v) = app.get(Some(&reg), "/api/v1/cases/similar?text=某建筑公司拖欠农民工三个月工资").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v[0]["id"].as_i64(), Some(ids[0]));
        assert!(app.get(Some(&app.login("other_town_handler").await), "/api/v1/cases/similar?text=某建筑公司拖欠农民工三个月工资").await.1.as_array().unwrap().is_empty());
        assert_eq!(app.get(Some(&reg), "/api/v1/cases/similar?text=").await.0, StatusCode::BAD_REQUEST);
        // Lists sort by a column; wide sorts by free columns are refused.
        let (s, v) = app.get(Some(&reg), &format!("/api/v1/cases?waiting_on={}&sort=-registered", c.office.0)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(found(&v), vec![ids[2], ids[1]]);
        for bad in ["sort=colour", "sort=title"] {
            let (s, v) = app.get(Some(&reg), &format!("/api/v1/cases?{bad}")).await;
            assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{bad}");
        }
    }

    async fn the_public_view_shows_nothing_internal(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let (_, created) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let (id, code) = (created["id"].as_i64().unwrap(), created["query_code"].as_str().unwrap().to_string());
        app.act(&reg, id, json!({"action": "forward", "to_unit": c.town.0})).await;
        let town = app.login("town_handler").await;
        app.act(&town, id, json!({"action": "object", "reason": "内部意见：此事应由住建局办理"})).await;
        // Typed with dashes and lower case, the code still works.
        let typed = format!("{}-{}", &code[..8], &code[8..]).to_lowercase();
        let (s, p) = app.get(None, &format!("/api/v1/public/cases/{typed}")).await;
        assert_eq!(s, StatusCode::OK);
        let text = p.to_string();
        for secret in ["李四", "13912345678", "11010519491231002X", "内部意见", "registrar", "town_handler"] {
            assert!(!text.contains(secret), "public view leaks {secret}: {text}");
        }
        assert_eq!(p["status"], "registered");
        assert_eq!(p["deadlines"][0]["what"], "信访部门分流办理");
    }
}

#[tokio::test]
async fn openapi_and_health_and_logout() {
    let app = spawn(TestDb::new(xinfang_store::Backend::Sqlite).await).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let (s, doc) = app.get(None, "/api/v1/openapi.json").await;
    assert_eq!(s, StatusCode::OK);
    for path in [
        "/api/v1/session",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/actions",
        "/api/v1/public/cases/{query_code}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
    }
    assert!(doc["components"]["schemas"].get("NewCase").is_some());
    let token = app.login("registrar").await;
    assert_eq!(
        app.get(Some(&token), "/api/v1/me").await.1["name"],
        "registrar"
    );
    let r = app
        .client
        .delete(app.url("/api/v1/session"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(Some(&token), "/api/v1/me").await.0,
        StatusCode::UNAUTHORIZED
    );
    let (s, v) = app
        .post(
            None,
            "/api/v1/session",
            &json!({"username": "registrar", "password": "wrong"}),
        )
        .await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("bad_credentials"))
    );
}

#[tokio::test]
async fn logins_and_public_lookups_are_rate_limited() {
    let app = crate::common::spawn_with(
        TestDb::new(xinfang_store::Backend::Sqlite).await,
        |mut s| {
            s.limits = std::sync::Arc::new(xinfang_web::limits::RateLimits::new(3, 5));
            s
        },
    )
    .await;
    let bad = json!({"username": "registrar", "password": "wrong"});
    for _ in 0..3 {
        assert_eq!(
            app.post(None, "/api/v1/session", &bad).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (s, v) = app.post(None, "/api/v1/session", &bad).await;
    assert_eq!(
        (s, v["error"]["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited"))
    );
    for _ in 0..5 {
        app.get(None, "/api/v1/public/cases/AAAAAAAAAAAAAAAA").await;
    }
    assert_eq!(
        app.get(None, "/api/v1/public/cases/AAAAAAAAAAAAAAAA")
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
}

both_backends! {
    async fn an_extension_is_asked_by_the_handler_and_decided_by_the_head(db: TestDb) {
        let app = crate::common::spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let handler = app.login("dept_handler").await;
        let head = app.login("dept_head").await;
        let (_, v) = app.post(Some(&reg), "/api/v1/cases", &crate::common::letter()).await;
        let id = v["id"].as_i64().unwrap();
        app.act(&reg, id, json!({"action": "forward", "to_unit": c.dept.0})).await;
        let (_, v) = app.act(&handler, id, json!({"action": "accept"})).await;
        let due: chrono::NaiveDate = v["deadlines"]["handle_due"].as_str().unwrap().parse().unwrap();
        let (s, v) = app.act(&handler, id, json!({"action": "request_extension", "days": 31, "reason": "需勘验"})).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("days")), "{v}");
        let (s, v) = app.act(&handler, id, json!({"action": "request_extension", "days": 15, "reason": "需勘验"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["extension_request"]["days"], 15);
        assert_eq!(app.act(&handler, id, json!({"action": "approve_extension"})).await.0, StatusCode::FORBIDDEN);
        let (s, v) = app.act(&head, id, json!({"action": "approve_extension"})).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v["deadlines"]["handle_due"], (due + chrono::Duration::days(15)).to_string());
        assert!(v["extension_request"].is_null() && v["extension"]["days"] == 15, "{v}");
        let (_, timeline) = app.get(Some(&head), &format!("/api/v1/cases/{id}/timeline")).await;
        let kinds: Vec<&str> = timeline.as_array().unwrap().iter().filter_map(|t| t["event"]["type"].as_str()).collect();
        assert!(kinds.contains(&"extension_requested") && kinds.contains(&"extended"), "{timeline}");
    }
}
