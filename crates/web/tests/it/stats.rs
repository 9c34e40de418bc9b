//! Assessment figures through the API on both databases, with a controlled clock: the counts
//! behind each rate, the cases behind each count, units' scopes, volumes, bad queries.

use crate::common::spawn;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::Value;
use xinfang_domain::Command;
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

fn row(rows: &Value, unit: i64) -> &Value {
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == unit)
        .unwrap_or_else(|| panic!("no row for {unit}: {rows}"))
}

fn rate(row: &Value, code: &str) -> (u64, u64) {
    let r = row["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap();
    (
        r["numerator"].as_u64().unwrap(),
        r["denominator"].as_u64().unwrap(),
    )
}

both_backends! {
    async fn figures_show_their_counts_and_the_cases_behind_them(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = || Who::Officer(c.registrar.clone());
        let t0 = app.store.clock().today();
        let mut ids = Vec::new();
        for title in ["甲", "乙", "丙"] {
            let mut new = letter(title);
            new.skip_level = title == "甲"; // 越级访, counted in the volumes
            ids.push(app.store.register(new, reg(), c.office).await.unwrap().id);
        }
        app.store.act(ids[0], Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        app.store.act(ids[1], Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        app.store.act(ids[2], Command::Forward { to_unit: c.town }, reg()).await.unwrap();
        // The department accepts one in time; the other waits past its 15 days.
        app.store.act(ids[0], Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap();
        app.store.clock().advance(Duration::days(20));
        let from = t0 - Duration::days(1);
        let to = t0 + Duration::days(90);
        let admin = app.login("admin").await;
        let q = format!("/api/v1/stats/assessment?from={from}&to={to}");
        let (s, rows) = app.get(Some(&admin), &q).await;
        assert_eq!(s, StatusCode::OK, "{rows}");
        let dept = row(&rows, c.dept.0);
        assert_eq!(rate(dept, "timely_acceptance"), (1, 2));
        assert_eq!(dept["counts"]["accept_overdue"], 1);
        assert_eq!(rate(dept, "on_time_completion"), (0, 1), "the accepted case is open, not yet due");
        assert_eq!((dept["counts"]["cases"].as_u64(), dept["counts"]["people"].as_u64()), (Some(2), Some(2)));
        assert_eq!(rate(row(&rows, c.town.0), "timely_acceptance"), (0, 1));
        // The city's row alone is empty; with its subtree it holds everything.
        assert_eq!(rate(row(&rows, c.city.0), "timely_acceptance"), (0, 0));
        assert!(row(&rows, c.city.0)["rates"][0]["value"].is_null());
        let (_, whole) = app.get(Some(&admin), &format!("{q}&subtree=true")).await;
        assert_eq!(rate(row(&whole, c.city.0), "timely_acceptance"), (1, 3));

        // The cases behind a count.
        let behind = format!("/api/v1/stats/cases?from={from}&to={to}&unit={}&count=accept_overdue", c.dept.0);
        let (s, page) = app.get(Some(&admin), &behind).await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 1);
        assert_eq!(page["items"][0]["id"], ids[1].0);
        let (_, page) = app.get(Some(&admin), &format!("/api/v1/stats/cases?from={from}&to={to}&unit={}&subtree=true&count=accept_overdue", c.city.0)).await;
        let mut overdue: Vec<i64> = page["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        overdue.sort();
        assert_eq!(overdue, vec![ids[1].0, ids[2].0]);

        // A town sees its own subtree's figures only.
        let town = app.login("town_handler").await;
        let (_, rows) = app.get(Some(&town), &q).await;
        assert!(rows.as_array().unwrap().iter().all(|r| r["unit_path"].as_str().unwrap().starts_with(app.store.org().get(c.town).unwrap().path.as_str())));
        assert_eq!(app.get(Some(&town), &behind).await.0, StatusCode::FORBIDDEN);

        // Volumes.
        let (_, v) = app.get(Some(&admin), &format!("/api/v1/stats/volume?from={from}&to={to}&by=channel")).await;
        assert_eq!(v, serde_json::json!([{"key": "来信", "cases": 3, "people": 3, "collective": 0, "collective_people": 0, "skip_level": 1, "previous": 0, "year_ago": 0}]));
        // Against the period before: the three letters came in this one.
        let before = from - Duration::days(1);
        let (_, v) = app.get(Some(&admin), &format!("/api/v1/stats/volume?from={}&to={before}&by=channel", before - (to - from))).await;
        assert!(v.as_array().unwrap().is_empty(), "{v}");
        let (_, v) = app.get(Some(&admin), &format!("/api/v1/stats/volume?from={from}&to={to}&by=category&sort=rising")).await;
        assert_eq!((v[0]["key"].as_str(), v[0]["cases"].as_u64(), v[0]["previous"].as_u64()), (Some("城乡建设"), Some(3), Some(0)));
        let (_, v) = app.get(Some(&admin), &format!("/api/v1/stats/volume?from={from}&to={to}&by=unit")).await;
        assert_eq!(v[0]["cases"], 2);
        // Scoped like the assessment: the town counts its one case, never the city's three
        // nor a report at 纪委监委; the .xlsx says the same. The city's leader sees it all.
        let mut report = letter("举报某局长");
        report.is_report = true;
        let report = app.store.register(report, reg(), c.office).await.unwrap();
        app.store.act(report.id, Command::Forward { to_unit: c.discipline }, reg()).await.unwrap();
        let volume = format!("/api/v1/stats/volume?from={from}&to={to}&by=unit");
        let (_, v) = app.get(Some(&town), &volume).await;
        assert_eq!(v, serde_json::json!([{"key": "东城镇", "cases": 1, "people": 1, "collective": 0, "collective_people": 0, "skip_level": 0, "previous": 0, "year_ago": 0}]));
        let (_, v) = app.get(Some(&app.login("dept_head").await), &format!("/api/v1/stats/volume?from={from}&to={to}&by=channel")).await;
        assert_eq!((v[0]["cases"].as_u64(), v.as_array().unwrap().len()), (Some(2), 1), "{v}");
        let leader = app.login("city_handler").await;
        let (_, v) = app.get(Some(&leader), &format!("/api/v1/stats/volume?from={from}&to={to}&by=channel")).await;
        assert_eq!(v[0]["cases"], 4, "{v}");

        // The month's ranking: the department (acceptance 1/2, no repeats) above the town (0/1).
        let month = t0.format("%Y-%m").to_string();
        let (s, ranked) = app.get(Some(&admin), &format!("/api/v1/stats/ranking?month={month}")).await;
        assert_eq!(s, StatusCode::OK, "{ranked}");
        let order: Vec<i64> = ranked.as_array().unwrap().iter().map(|r| r["unit_id"].as_i64().unwrap()).collect();
        assert_eq!(order, vec![c.dept.0, c.town.0]);
        let score = ranked[0]["score"].as_f64().unwrap();
        assert!((score - 100.0 * (5.0 * 0.5 + 10.0) / 15.0).abs() < 1e-9, "{score}");
        assert_eq!(ranked[0]["trend"].as_array().unwrap().len(), 6);
        assert!(ranked[0]["trend"][4]["score"].is_null() && ranked[0]["trend"][5]["month"] == month.as_str());
        assert_eq!(app.get(Some(&admin), "/api/v1/stats/ranking?month=2026-13").await.0, StatusCode::BAD_REQUEST);
        // Backlog: the two unaccepted cases are 5 days past their limit; nothing has bounced yet.
        let (_, rows) = app.get(Some(&admin), "/api/v1/stats/backlog").await;
        assert_eq!(row(&rows, c.dept.0)["overdue_by_age"], serde_json::json!([1, 0, 0, 0]));
        assert_eq!(row(&rows, c.town.0)["bounced"], 0);
        assert_eq!(app.get(Some(&admin), "/api/v1/stats/bounced").await.1["total"], 0);
        // A new case goes back and forth: the town sends it back three times.
        let kicked = app.store.register(letter("丁"), reg(), c.office).await.unwrap().id;
        app.store.act(kicked, Command::Forward { to_unit: c.town }, reg()).await.unwrap();
        for _ in 0..3 {
            app.store.act(kicked, Command::Object { reason: "不属于本单位职责".into() }, Who::Officer(c.town_handler.clone())).await.unwrap();
            app.store.act(kicked, Command::Forward { to_unit: c.town }, reg()).await.unwrap();
        }
        let (_, page) = app.get(Some(&admin), "/api/v1/stats/bounced").await;
        assert_eq!((page["total"].as_i64(), page["items"][0]["id"].as_i64()), (Some(1), Some(kicked.0)));
        let (_, rows) = app.get(Some(&admin), "/api/v1/stats/backlog").await;
        assert_eq!(row(&rows, c.town.0)["bounced"], 1);
        assert_eq!(app.get(Some(&app.login("other_town_handler").await), "/api/v1/stats/bounced").await.1["total"], 0);
        // Bad queries.
        for bad in [
            format!("/api/v1/stats/assessment?from={to}&to={from}"),
            "/api/v1/stats/assessment?from=2026-13-01&to=2026-12-31".to_string(),
            format!("/api/v1/stats/volume?from={from}&to={to}&by=mood"),
            format!("/api/v1/stats/cases?from={from}&to={to}&unit={}&count=luck", c.dept.0),
            // Past the depth a drill-down pages to (each unit's rows up to the page are read).
            format!("/api/v1/stats/cases?from={from}&to={to}&unit={}&count=cases&page=101&per_page=100", c.dept.0),
        ] {
            let (s, v) = app.get(Some(&admin), &bad).await;
            assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{bad}");
        }
    }
}
