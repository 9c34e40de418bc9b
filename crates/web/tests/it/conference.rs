//! 联席会议 through the API on both databases: the sweeper's proposals, convening, decisions as
//! tasks, completion by the assigned unit, scope and bad input.

use crate::common::spawn;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;
use xinfang_domain::Command;
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

both_backends! {
    async fn conference_through_the_api(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = || Who::Officer(c.registrar.clone());
        let case = app.store.register(letter("邻里宅基地纠纷"), reg(), c.office).await.unwrap();
        for (unit, officer) in [(c.town, &c.town_handler), (c.other_town, &c.other_town_handler)] {
            app.store.act(case.id, Command::Forward { to_unit: unit }, reg()).await.unwrap();
            app.store.act(case.id, Command::Object { reason: "不属本镇".into() }, Who::Officer(officer.clone())).await.unwrap();
        }
        assert_eq!(app.store.sweep_conference().await.unwrap(), 1);
        let leader = app.login("city_handler").await;
        let (s, waiting) = app.get(Some(&leader), "/api/v1/conference/agenda").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(waiting[0]["proposal"], "refused_by_units");

        let today = app.store.clock().today();
        let body = json!({"title": "联席会议", "host_unit": c.city.0, "members": [c.town.0, c.other_town.0], "date": today.to_string()});
        let dept = app.login("dept_head").await;
        let (s, e) = app.post(Some(&dept), "/api/v1/conference/meetings", &body).await;
        assert_eq!((s, e["error"]["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{e}");
        let (s, m) = app.post(Some(&leader), "/api/v1/conference/meetings", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        let id = m["id"].as_i64().unwrap();
        let (_, file) = app.get(Some(&leader), &format!("/api/v1/conference/meetings/{id}")).await;
        assert_eq!(file["agenda"][0]["case_id"], case.id.0);
        // A member town sees the meeting; the department, not a member, does not.
        let town = app.login("town_handler").await;
        assert_eq!(app.get(Some(&town), &format!("/api/v1/conference/meetings/{id}")).await.0, StatusCode::OK);
        assert_eq!(app.get(Some(&dept), &format!("/api/v1/conference/meetings/{id}")).await.0, StatusCode::FORBIDDEN);

        // Bad input changes nothing.
        let before = app.event_count().await;
        let (s, _) = app.post(Some(&leader), &format!("/api/v1/conference/meetings/{id}/tasks"), &json!({"case_id": case.id.0, "unit_id": c.town.0, "task": "调处", "due": "2001-01-01"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = app.post(Some(&leader), &format!("/api/v1/conference/meetings/{id}/tasks"), &json!({"case_id": case.id.0, "unit_id": c.town.0, "task": "调处", "due": "next week"})).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.event_count().await, before);

        let due = today + Duration::days(20);
        let (s, t) = app.post(Some(&leader), &format!("/api/v1/conference/meetings/{id}/tasks"), &json!({"case_id": case.id.0, "unit_id": c.town.0, "task": "东城镇牵头调处宅基地纠纷", "due": due.to_string()})).await;
        assert_eq!(s, StatusCode::CREATED, "{t}");
        let task = t["id"].as_i64().unwrap();
        let (_, mine) = app.get(Some(&town), "/api/v1/conference/tasks?open=true").await;
        assert_eq!(mine.as_array().unwrap().len(), 1);
        let other = app.login("other_town_handler").await;
        let (s, _) = app.post(Some(&other), &format!("/api/v1/conference/tasks/{task}/complete"), &json!({"evidence": "x"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        let (s, t) = app.post(Some(&town), &format!("/api/v1/conference/tasks/{task}/complete"), &json!({"evidence": "已组织双方调解达成协议"})).await;
        assert_eq!((s, t["status"].as_str()), (StatusCode::OK, Some("done")));
        let (s, m) = app.post(Some(&leader), &format!("/api/v1/conference/meetings/{id}/minutes"), &json!({"minutes": "议定东城镇牵头调处"})).await;
        assert_eq!(s, StatusCode::OK, "{m}");
        let (s, _) = app.post(Some(&leader), &format!("/api/v1/conference/meetings/{id}/minutes"), &json!({"minutes": "again"})).await;
        assert_eq!(s, StatusCode::CONFLICT);
    }
}

both_backends! {
    async fn members_read_the_cases_on_the_agenda_and_no_more(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = || Who::Officer(c.registrar.clone());
        let case = app.store.register(letter("两镇交界处垃圾堆放"), reg(), c.office).await.unwrap();
        for (unit, officer) in [(c.town, &c.town_handler), (c.other_town, &c.other_town_handler)] {
            app.store.act(case.id, Command::Forward { to_unit: unit }, reg()).await.unwrap();
            app.store.act(case.id, Command::Object { reason: "不属本镇".into() }, Who::Officer(officer.clone())).await.unwrap();
        }
        assert_eq!(app.store.sweep_conference().await.unwrap(), 1);
        let dept = app.login("dept_head").await;
        let path = format!("/api/v1/cases/{}", case.id.0);
        assert_eq!(app.get(Some(&dept), &path).await.0, StatusCode::FORBIDDEN, "not yet a member");
        let leader = app.login("city_handler").await;
        let today = app.store.clock().today();
        let body = json!({"title": "环境卫生联席会议", "host_unit": c.city.0, "members": [c.dept.0, c.town.0], "date": today.to_string()});
        let (s, m) = app.post(Some(&leader), "/api/v1/conference/meetings", &body).await;
        assert_eq!(s, StatusCode::CREATED, "{m}");
        // The department sits on the meeting: it reads the case and its timeline, masked, and
        // acts on nothing.
        let (s, read) = app.get(Some(&dept), &path).await;
        assert_eq!(s, StatusCode::OK, "{read}");
        assert_eq!(read["petitioner"]["phone"], "139****5678");
        assert_eq!(app.get(Some(&dept), &format!("{path}/timeline")).await.0, StatusCode::OK);
        let (s, _) = app.act(&dept, case.id.0, json!({"action": "accept"})).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        // Another unit that does not sit on it still reads nothing.
        let other = app.login("discipline_handler").await;
        assert_eq!(app.get(Some(&other), &path).await.0, StatusCode::FORBIDDEN);
    }
}
