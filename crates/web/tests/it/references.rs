//! Object-level authorization, walked: officers holding every mechanism role, in units that
//! stand to the unit handling a case as its own, an ancestor, a descendant, a sibling and an
//! unrelated unit, try every family of request that names the case. What they get is compared
//! with the table below, on both databases. A refusal never writes: the log does not grow.

use crate::common::{App, letter, spawn};
use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_domain::{Role, UnitKind};
use xinfang_store::testing::TEST_PASSWORD;
use xinfang_store::{Who, both_backends};

/// How the officer's unit stands to the town that handles the case.
const RELATIONS: [&str; 5] = ["own", "ancestor", "descendant", "sibling", "unrelated"];

/// Status by relation, in the order of [`RELATIONS`]. 2xx: done; 409/422: allowed to try, and
/// refused by the case's state or the request's content; 403: the case is not theirs to see;
/// 404: the case is not theirs to name (as if it did not exist).
const EXPECTED: &[(&str, [u16; 5])] = &[
    ("read the case", [200, 200, 403, 403, 403]),
    ("read its timeline", [200, 200, 403, 403, 403]),
    ("act on it (accept again)", [409, 409, 403, 403, 403]),
    (
        "raise supervision of their own unit naming it",
        [201, 422, 404, 404, 404],
    ),
    ("carry it on their field visit", [200, 200, 404, 404, 404]),
    ("put it on the conference agenda", [201, 201, 404, 404, 404]),
    ("attach themselves as its leader", [201, 201, 404, 404, 404]),
    (
        "record a follow-up call (not answered yet)",
        [409, 409, 404, 404, 404],
    ),
    (
        "review its quality (not closed yet)",
        [409, 409, 404, 404, 404],
    ),
];

async fn officer(app: &App, username: &str, unit: xinfang_domain::UnitId) -> (String, i64) {
    let roles = [
        Role::Handler,
        Role::UnitHead,
        Role::Leader,
        Role::Supervisor,
        Role::Registrar,
    ];
    let hash = xinfang_store::auth::hash_password(TEST_PASSWORD);
    let id = app
        .store
        .create_person(username, username, unit, &roles, hash, Who::System)
        .await
        .unwrap();
    (app.login(username).await, id.0)
}

async fn send(app: &App, token: &str, path: &str, body: Option<Value>) -> StatusCode {
    let req = match body {
        Some(b) => app.client.post(app.url(path)).json(&b),
        None => app.client.get(app.url(path)),
    };
    req.bearer_auth(token).send().await.unwrap().status()
}

both_backends! {
    async fn every_reference_to_a_case_is_checked_against_the_callers_scope(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let far = app.store.create_unit(Some(c.other_town), "西山镇后村", UnitKind::Village, Who::System).await.unwrap();
        let units = [c.town, c.city, c.village, c.other_town, far];
        // The case: registered by the office, handled by the town.
        let reg = Who::Officer(c.registrar.clone());
        let case = app.store.register(xinfang_store::testing::letter("道路积水"), reg.clone(), c.office).await.unwrap();
        app.store.act(case.id, xinfang_domain::Command::Forward { to_unit: c.town }, reg).await.unwrap();
        app.store.act(case.id, xinfang_domain::Command::Accept, Who::Officer(c.town_handler.clone())).await.unwrap();
        let id = case.id.0;
        let today = app.store.clock().today();

        let mut got: Vec<(&str, [u16; 5])> = EXPECTED.iter().map(|(f, _)| (*f, [0; 5])).collect();
        for (i, (relation, unit)) in RELATIONS.iter().zip(units).enumerate() {
            let (token, me) = officer(&app, &format!("rel_{relation}"), unit).await;
            let field_visit = json!({"kind": "field_visit", "unit_id": unit.0, "date": today, "leader_id": me});
            let (s, session) = app.post(Some(&token), "/api/v1/reception/sessions", &field_visit).await;
            assert_eq!(s, StatusCode::CREATED, "{relation} arranges a field visit: {session}");
            let session = session["id"].as_i64().unwrap();
            let requests: [(String, Option<Value>); 9] = [
                (format!("/api/v1/cases/{id}"), None),
                (format!("/api/v1/cases/{id}/timeline"), None),
                (format!("/api/v1/cases/{id}/actions"), Some(json!({"action": "accept"}))),
                ("/api/v1/supervision".into(), Some(json!({"unit_id": unit.0, "case_id": id, "reason": "久拖不决"}))),
                (format!("/api/v1/reception/sessions/{session}/actions"), Some(json!({"action": "carry", "case_id": id}))),
                ("/api/v1/conference/agenda".into(), Some(json!({"case_id": id, "reason": "跨部门协调"}))),
                (format!("/api/v1/cases/{id}/ownership"), Some(json!({"leader_id": me, "kind": "old_case", "due": today + chrono::Duration::days(30)}))),
                (format!("/api/v1/cases/{id}/follow-ups"), Some(json!({"reached": true, "resolved": true, "rating": "satisfied", "note": "已解决"}))),
                (format!("/api/v1/cases/{id}/review"), Some(json!({"scores": {"acceptance": 25, "handling": 25, "reply": 25, "procedure": 25}, "findings": "规范"}))),
            ];
            for (k, (path, body)) in requests.into_iter().enumerate() {
                let writes = body.is_some();
                let before = app.event_count().await;
                let status = send(&app, &token, &path, body).await;
                got[k].1[i] = status.as_u16();
                if writes && !status.is_success() {
                    assert_eq!(app.event_count().await, before, "{relation}: a refused {path} wrote");
                }
            }
        }
        let table = |rows: &[(&str, [u16; 5])]| rows.iter().map(|(f, r)| format!("{f:48} {r:?}")).collect::<Vec<_>>().join("\n");
        assert_eq!(table(&got), table(EXPECTED), "\n  got:\n{}\n  expected:\n{}", table(&got), table(EXPECTED));
    }

    async fn a_record_id_of_another_kind_is_not_found(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let (_, v) = app.post(Some(&reg), "/api/v1/cases", &letter()).await;
        let case = v["id"].as_i64().unwrap();
        app.act(&reg, case, json!({"action": "forward", "to_unit": c.dept.0})).await;
        let city = app.login("city_handler").await;
        let (s, sup) = app.post(Some(&city), "/api/v1/supervision", &json!({"unit_id": c.dept.0, "case_id": case, "reason": "久拖不决"})).await;
        assert_eq!(s, StatusCode::CREATED, "{sup}");
        let sid = sup["id"].as_i64().unwrap();
        let before = app.event_count().await;
        for (path, body) in [
            (format!("/api/v1/conference/tasks/{sid}/complete"), json!({"evidence": "已完成"})),
            (format!("/api/v1/ledger/{sid}/actions"), json!({"action": "resolve", "outcome": "已化解"})),
            (format!("/api/v1/leadership/{sid}/actions"), json!({"action": "release"})),
            (format!("/api/v1/incidents/{sid}/report"), json!({"text": "已上报"})),
            (format!("/api/v1/reception/sessions/{sid}/actions"), json!({"action": "carry", "case_id": case})),
        ] {
            let (s, v) = app.post(Some(&city), &path, &body).await;
            assert!(s == StatusCode::NOT_FOUND || s == StatusCode::UNPROCESSABLE_ENTITY, "{path}: {s} {v}");
            assert_ne!(s, StatusCode::INTERNAL_SERVER_ERROR);
        }
        for path in [format!("/api/v1/ledger/{sid}"), format!("/api/v1/reception/sessions/{sid}"), format!("/api/v1/conference/meetings/{sid}")] {
            assert_eq!(app.get(Some(&city), &path).await.0, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(app.event_count().await, before);
    }

    async fn attachments_cannot_be_named_by_hash(db: TestDb) {
        let app = spawn(db).await;
        let reg = app.login("registrar").await;
        let mut l = letter();
        l["attachments"] = json!([{"name": "x.png", "media_type": "image/png", "size": 1, "sha256": "00".repeat(32)}]);
        let before = app.event_count().await;
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &l).await;
        assert_eq!((s, v["error"]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("attachments")), "{v}");
        assert_eq!(app.event_count().await, before);
    }
}
