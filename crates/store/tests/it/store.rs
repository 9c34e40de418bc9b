//! Storage on both databases: durable writes, refused commands write nothing, the chain catches tampering.

use chrono::Duration;
use sqlx::Row;
use xinfang_domain::case::CaseStatus;
use xinfang_domain::{CaseId, Command, Outcome};
use xinfang_store::chain::Verdict;
use xinfang_store::read::CaseFilter;
use xinfang_store::testing::{TestDb, letter, small_city};
use xinfang_store::{Settings, Store, StoreError, Who, both_backends};

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url, Settings::default())
        .await
        .expect("open store")
}

async fn event_count(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

both_backends! {
    async fn a_case_survives_a_restart_with_its_history(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let case = store.register(letter("小区违建"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        store.act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        store.act(case.id, Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap();
        store.close().await;

        let store = open(&db).await;
        let again = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(again.status, CaseStatus::Handling);
        assert_eq!(again.query_code, case.query_code);
        let kinds: Vec<&str> = store.timeline(case.id).await.unwrap().iter().map(|t| t.event.kind()).collect();
        assert_eq!(kinds, ["registered", "forwarded", "accepted"]);
        assert!(matches!(store.verify_chain().await.unwrap(), Verdict::Intact { .. }));
        // New writes continue the same chain after the restart.
        c.issue(&store, case.id, Command::Reply { outcome: Outcome::Support, text: "已拆除".into() }, Who::Officer(c.dept_handler.clone())).await.unwrap();
        assert!(matches!(store.verify_chain().await.unwrap(), Verdict::Intact { .. }));
    }

    async fn a_refused_command_writes_nothing(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let case = store.register(letter("噪音扰民"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        let before = event_count(&store).await;
        // Wrong unit, illegal transition, bad input.
        let err = store.act(case.id, Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap_err();
        assert!(matches!(err, StoreError::Domain(_)));
        let err = store.act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.other_town_handler.clone())).await.unwrap_err();
        assert_eq!(err.to_string(), "无权执行此操作：分流须由受理该事项的信访部门办理");
        let mut bad = letter("x");
        bad.petitioner.id_number = Some("110105194912310021".into());
        assert!(store.register(bad, Who::Officer(c.registrar.clone()), c.office).await.is_err());
        assert!(matches!(store.act(CaseId(999_999), Command::Accept, Who::System).await, Err(StoreError::NotFound(_))));
        assert_eq!(event_count(&store).await, before);
        assert_eq!(store.case(case.id).await.unwrap().unwrap(), case);
        assert_eq!(store.count_cases().await.unwrap(), 1);
    }

    async fn concurrent_registrations_are_all_kept_in_one_chain(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let tasks: Vec<_> = (0..200)
            .map(|i| {
                let store = store.clone();
                let who = Who::Officer(c.registrar.clone());
                let office = c.office;
                tokio::spawn(async move { store.register(letter(&format!("第{i}件")), who, office).await.unwrap() })
            })
            .collect();
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(t.await.unwrap().id.0);
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 200);
        assert_eq!(store.count_cases().await.unwrap(), 200);
        match store.verify_chain().await.unwrap() {
            Verdict::Intact { events, .. } => assert!(events >= 200),
            broken => panic!("{broken:?}"),
        }
    }

    async fn verify_names_the_first_tampered_event(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let case = store.register(letter("征地补偿"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        store.act(case.id, Command::Forward { to_unit: c.town }, Who::Officer(c.registrar.clone())).await.unwrap();
        let seq: i64 = sqlx::query("SELECT seq FROM events WHERE kind = 'forwarded'")
            .fetch_one(store.pool()).await.unwrap().try_get("seq").unwrap();
        // The database itself refuses to change the log.
        let refused = sqlx::query("UPDATE events SET payload = 'x' WHERE seq = $1").bind(seq).execute(store.pool()).await;
        assert!(refused.is_err(), "the append-only trigger must refuse updates");
        // Someone with full access removes the guard and edits a row: verify names that row.
        let drop = match db.backend {
            xinfang_store::Backend::Sqlite => "DROP TRIGGER events_no_update",
            xinfang_store::Backend::Postgres => "DROP TRIGGER events_no_update ON events",
        };
        sqlx::query(drop).execute(store.pool()).await.unwrap();
        let payload: Vec<u8> = sqlx::query("SELECT payload FROM events WHERE seq = $1")
            .bind(seq).fetch_one(store.pool()).await.unwrap().try_get("payload").unwrap();
        let edited = xinfang_store::packed::unpack(payload).unwrap().replace("forwarded", "forwarded ");
        sqlx::query("UPDATE events SET payload = $1 WHERE seq = $2")
            .bind(xinfang_store::packed::pack(&edited).unwrap()).bind(seq).execute(store.pool()).await.unwrap();
        match store.verify_chain().await.unwrap() {
            Verdict::Broken { seq: broken, .. } => assert_eq!(broken, seq),
            intact => panic!("tampering not caught: {intact:?}"),
        }
    }

    async fn lists_show_each_unit_only_its_subtree(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let a = store.register(letter("甲"), reg(), c.office).await.unwrap();
        let b = store.register(letter("乙"), reg(), c.office).await.unwrap();
        store.act(a.id, Command::Forward { to_unit: c.village }, reg()).await.unwrap();
        store.act(b.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        let ids = |p: xinfang_store::read::Page<xinfang_store::read::CaseSummary>| p.items.iter().map(|s| s.id).collect::<Vec<_>>();
        let all = CaseFilter { per_page: 50, ..Default::default() };
        // The town sees its village's case; the other town sees nothing; the office sees both.
        assert_eq!(ids(store.list_cases(&c.town_handler, &all).await.unwrap()), vec![a.id.0]);
        assert!(ids(store.list_cases(&c.other_town_handler, &all).await.unwrap()).is_empty());
        assert_eq!(store.list_cases(&c.registrar, &all).await.unwrap().total, 2);
        let forwarded = CaseFilter { statuses: vec![CaseStatus::Forwarded], unit: Some(c.dept), ..all.clone() };
        assert_eq!(ids(store.list_cases(&c.admin, &forwarded).await.unwrap()), vec![b.id.0]);
        // Plain lists come newest first; a unit's own worklist holds only what waits on it.
        assert_eq!(ids(store.list_cases(&c.admin, &all).await.unwrap()), vec![b.id.0, a.id.0]);
        let village_work = CaseFilter { waiting_on: Some(c.village), open_only: true, ..all.clone() };
        assert_eq!(ids(store.list_cases(&c.town_handler, &village_work).await.unwrap()), vec![a.id.0]);
        let town_work = CaseFilter { waiting_on: Some(c.town), ..all.clone() };
        assert!(ids(store.list_cases(&c.town_handler, &town_work).await.unwrap()).is_empty());
        // Colours: nothing is late today; everything is red once the clock passes the 15-day limit.
        let red = CaseFilter { warning: Some(xinfang_domain::Warning::Red), ..all.clone() };
        assert_eq!(store.list_cases(&c.admin, &red).await.unwrap().total, 0);
        store.clock().advance(Duration::days(16));
        assert_eq!(store.list_cases(&c.admin, &red).await.unwrap().total, 2);
    }

    async fn subtree_lists_page_through_exactly_the_subtree_in_order(db: TestDb) {
        subtree_lists_hold(&db).await;
    }

    async fn lists_sort_by_any_column_both_ways(db: TestDb) {
        use xinfang_store::read::{Sort, SortKey};
        let store = open(&db).await;
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let mut ids = Vec::new();
        for (title, name) in [("B 噪音", "Zhang"), ("C 违建", "Li"), ("A 工资", "李四")] {
            let mut l = letter(title);
            l.petitioner.name = name.into();
            ids.push(store.register(l, reg(), c.office).await.unwrap().id.0);
        }
        // A later received date gives the third case a later sorting deadline.
        store.clock().advance(Duration::days(3));
        let late = store.register(letter("D 后来"), reg(), c.office).await.unwrap().id.0;
        // One case leaves the office: its clock now runs at the department.
        store.act(xinfang_domain::CaseId(ids[0]), Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        let listed = |key, descending| {
            let f = CaseFilter { waiting_on: Some(c.office), open_only: true, sort: Some(Sort { key, descending }), per_page: 50, ..Default::default() };
            let store = store.clone();
            let actor = c.registrar.clone();
            async move { store.list_cases(&actor, &f).await.unwrap().items.iter().map(|s| s.id).collect::<Vec<_>>() }
        };
        assert_eq!(listed(SortKey::Title, false).await, vec![ids[2], ids[1], late]);
        assert_eq!(listed(SortKey::Title, true).await, vec![late, ids[1], ids[2]]);
        // Names are kept encrypted: sorting by petitioner keeps each person's cases together
        // (ids[2] and `late` are both 李四's), the reverse order reversed.
        let by_person = listed(SortKey::Petitioner, false).await;
        let at = |id| by_person.iter().position(|x| *x == id).unwrap();
        assert_eq!(at(ids[2]).abs_diff(at(late)), 1, "{by_person:?}");
        assert_eq!(by_person.len(), 3);
        let mut reversed = listed(SortKey::Petitioner, true).await;
        reversed.reverse();
        assert_eq!(reversed, by_person);
        assert_eq!(listed(SortKey::Registered, true).await, vec![late, ids[2], ids[1]]);
        assert_eq!(listed(SortKey::Due, false).await, vec![ids[1], ids[2], late]);
        assert_eq!(listed(SortKey::Due, true).await, vec![late, ids[2], ids[1]]);
        assert_eq!(Sort::parse("-title"), Some(Sort { key: SortKey::Title, descending: true }));
        assert_eq!(Sort::parse("-title").unwrap().code(), "-title");
        assert_eq!(Sort::parse("colour"), None);
    }

    async fn lapsed_appeal_windows_close_cases(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let case = store.register(letter("工资拖欠"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        store.act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        store.act(case.id, Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap();
        c.issue(&store, case.id, Command::Reply { outcome: Outcome::Support, text: "已支付".into() }, Who::Officer(c.dept_handler.clone())).await.unwrap();
        assert_eq!(store.close_lapsed().await.unwrap(), 0);
        store.clock().advance(Duration::days(31));
        assert_eq!(store.close_lapsed().await.unwrap(), 1);
        assert_eq!(store.case(case.id).await.unwrap().unwrap().status, CaseStatus::Closed);
        assert_eq!(store.close_lapsed().await.unwrap(), 0, "closing is idempotent");
        // The 12-hour session opened before the month passed has expired and is purged.
        let (token, _) = xinfang_store::testing::login(&store, "registrar", xinfang_store::testing::TEST_PASSWORD).await;
        let day = 24 * 3_600_000;
        assert!(store.session(&token, day).await.unwrap().is_some());
        store.clock().advance(Duration::hours(13));
        assert_eq!(store.purge_sessions().await.unwrap(), 1);
        assert!(store.session(&token, day).await.unwrap().is_none());
    }
}

/// Every page of every subtree list, newest first and most urgent first, holds exactly the
/// subtree's cases in the whole-city list's order, and the viewer's scope still cuts it.
async fn subtree_lists_hold(db: &TestDb) {
    // Subtree lists are read unit by unit and merged (#20): every page, in order, must be
    // the subtree's cases as the whole-city list shows them, and nothing else.
    let store = open(db).await;
    let c = small_city(&store).await;
    let reg = || Who::Officer(c.registrar.clone());
    for i in 0..25 {
        let case = store
            .register(letter(&format!("事项{i}")), reg(), c.office)
            .await
            .unwrap();
        let to = [
            Some(c.village),
            Some(c.dept),
            Some(c.town),
            Some(c.other_town),
            None,
        ][i % 5];
        if let Some(to) = to {
            store
                .act(case.id, Command::Forward { to_unit: to }, reg())
                .await
                .unwrap();
        }
        if i % 10 == 1 {
            store
                .act(
                    case.id,
                    Command::Accept,
                    Who::Officer(c.dept_handler.clone()),
                )
                .await
                .unwrap();
        }
    }
    let everything = CaseFilter {
        per_page: 100,
        ..Default::default()
    };
    let all = store.list_cases(&c.admin, &everything).await.unwrap().items;
    assert_eq!(all.len(), 25);
    let listed = |actor: xinfang_domain::Actor, unit, open_only| {
        let store = store.clone();
        async move {
            let mut ids = Vec::new();
            for page in 1.. {
                let f = CaseFilter {
                    unit: Some(unit),
                    open_only,
                    page,
                    per_page: 4,
                    ..Default::default()
                };
                let p = store.list_cases(&actor, &f).await.unwrap();
                if p.items.is_empty() {
                    return (ids, p.total);
                }
                ids.extend(p.items.iter().map(|s| s.id));
            }
            unreachable!()
        }
    };
    for unit in [c.city, c.office, c.dept, c.town, c.village, c.other_town] {
        let top = store.org().get(unit).unwrap().clone();
        for open_only in [false, true] {
            let mut expected: Vec<_> = all
                .iter()
                .filter(|s| {
                    top.covers(
                        store
                            .org()
                            .get(xinfang_domain::UnitId(s.responsible_unit))
                            .unwrap(),
                    )
                })
                .filter(|s| !open_only || s.due.is_some())
                .collect();
            if open_only {
                expected.sort_by(|a, b| (&a.due, a.id).cmp(&(&b.due, b.id)));
            }
            let expected: Vec<i64> = expected.iter().map(|s| s.id).collect();
            let (ids, total) = listed(c.admin.clone(), unit, open_only).await;
            assert_eq!(ids, expected, "unit {unit:?}, open only: {open_only}");
            assert_eq!(total, expected.len() as i64);
            // Another condition keeps the plan by path range: the same cases.
            let by_path = CaseFilter {
                unit: Some(unit),
                open_only,
                channel: Some(xinfang_domain::Channel::Letter),
                sort: open_only.then_some(xinfang_store::read::Sort {
                    key: xinfang_store::read::SortKey::Due,
                    descending: false,
                }),
                per_page: 100,
                ..Default::default()
            };
            let page = store.list_cases(&c.admin, &by_path).await.unwrap();
            assert_eq!(
                page.items.iter().map(|s| s.id).collect::<Vec<_>>(),
                expected
            );
        }
    }
    // The viewer's scope still applies: the town's officer asking for the whole city gets
    // the town's subtree.
    assert_eq!(
        listed(c.town_handler.clone(), c.city, false).await,
        listed(c.admin.clone(), c.town, false).await
    );
    assert!(!listed(c.admin.clone(), c.town, false).await.0.is_empty());
}

/// Paths bound subtrees as ranges, which needs byte order: a database whose collation ignores
/// punctuation would put a town's villages outside the town (migration 0026 pins the columns).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subtrees_hold_whatever_the_databases_collation() {
    let db = TestDb::postgres_with_icu_locale("en-US-u-ka-shifted").await;
    let store = open(&db).await;
    let collated: bool = sqlx::query("SELECT '/1/4/7/' < '/1/40' AS inside")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get::<bool, _>("inside")
        .unwrap();
    assert!(
        !collated,
        "the database's own collation must ignore punctuation for this test to mean anything"
    );
    store.close().await;
    subtree_lists_hold(&db).await;
}
