//! 督查督办 on both databases with a controlled clock: the sweeper raises each cause once, across
//! runs and restarts; the supervised unit answers; leaders list, hold to account and close.

use chrono::Duration;
use sqlx::Row;
use xinfang_domain::supervision::{
    NewSupervision, Supervision, SupervisionCommand, SupervisionStatus, Trigger,
};
use xinfang_domain::{Command, DomainError};
use xinfang_store::records::RecordQuery;
use xinfang_store::testing::{TestDb, letter, small_city};
use xinfang_store::{Settings, Store, StoreError, Who, both_backends};

async fn open(db: &TestDb, clock: Option<xinfang_store::Clock>) -> Store {
    let mut settings = Settings::default();
    if let Some(c) = clock {
        settings.clock = c;
    }
    Store::open(&db.url, settings).await.unwrap()
}

async fn events(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

fn all() -> RecordQuery {
    RecordQuery {
        limit: 100,
        ..Default::default()
    }
}

async fn raise(
    store: &Store,
    case_id: Option<xinfang_domain::CaseId>,
    unit: xinfang_domain::UnitId,
    reason: &str,
    by: &xinfang_domain::Actor,
) -> Result<Supervision, StoreError> {
    store
        .create::<Supervision>(
            NewSupervision::Manual {
                case_id,
                unit,
                reason: reason.into(),
            },
            by,
        )
        .await
}

both_backends! {
    async fn the_sweeper_raises_one_supervision_per_late_acceptance(db: TestDb) {
        let store = open(&db, None).await;
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let case = store.register(letter("道路破损"), reg(), c.office).await.unwrap();
        store.act(case.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        // Within the 15 days nothing is due.
        store.clock().advance(Duration::days(15));
        assert_eq!(store.sweep_supervision().await.unwrap(), 0);
        store.clock().advance(Duration::days(1));
        assert_eq!(store.sweep_supervision().await.unwrap(), 1);
        assert_eq!(store.sweep_supervision().await.unwrap(), 0, "raised once");
        // A restart changes nothing.
        let clock = store.clock().clone();
        store.close().await;
        let store = open(&db, Some(clock)).await;
        assert_eq!(store.sweep_supervision().await.unwrap(), 0, "raised once, across restarts");
        let list = store.list::<Supervision>(&all()).await.unwrap();
        assert_eq!(list.len(), 1);
        let s = &list[0];
        assert_eq!((s.trigger, s.unit, s.case_id), (Trigger::LateAcceptance, c.dept, Some(case.id)));
        assert_eq!(s.answer_due, store.clock().today() + Duration::days(30));
        assert_eq!(s.status, SupervisionStatus::Open);
        // Accepting late does not raise a second one; later late handling does.
        store.act(case.id, Command::Accept, Who::Officer(c.dept_head.clone())).await.unwrap();
        assert_eq!(store.sweep_supervision().await.unwrap(), 0);
        store.clock().advance(Duration::days(61));
        assert_eq!(store.sweep_supervision().await.unwrap(), 1);
        let list = store.list::<Supervision>(&all()).await.unwrap();
        assert_eq!(list[0].trigger, Trigger::LateHandling);
    }

    async fn bouncing_cases_and_undelivered_notices_are_supervised(db: TestDb) {
        let store = open(&db, None).await;
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let case = store.register(letter("排水不畅"), reg(), c.office).await.unwrap();
        // Sent and sent back twice: not yet bouncing; sent a third time: more than twice.
        for (unit, officer) in [(c.dept, c.dept_head.clone()), (c.town, c.town_handler.clone())] {
            store.act(case.id, Command::Forward { to_unit: unit }, reg()).await.unwrap();
            store.act(case.id, Command::Object { reason: "不属于本单位职责".into() }, Who::Officer(officer)).await.unwrap();
            assert_eq!(store.sweep_supervision().await.unwrap(), 0, "not yet bouncing");
        }
        store.act(case.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        assert_eq!(store.sweep_supervision().await.unwrap(), 1);
        let s = &store.list::<Supervision>(&all()).await.unwrap()[0];
        assert_eq!((s.trigger, s.unit), (Trigger::Bounced, c.dept));
        assert_eq!(store.sweep_supervision().await.unwrap(), 0);

        // The registration notice was given up after every attempt.
        sqlx::query("UPDATE outbox SET status = 'failed' WHERE case_id = $1")
            .bind(case.id.0)
            .execute(store.pool())
            .await
            .unwrap();
        assert_eq!(store.sweep_supervision().await.unwrap(), 1);
        assert_eq!(store.list::<Supervision>(&all()).await.unwrap()[0].trigger, Trigger::MissingNotice);
        assert_eq!(store.sweep_supervision().await.unwrap(), 0);
    }

    async fn the_minute_sweep_reads_new_events_and_every_case_once_a_day(db: TestDb) {
        let store = open(&db, None).await;
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let mut mark = xinfang_store::sweep::SweepMark::default();
        let late = store.register(letter("道路破损"), reg(), c.office).await.unwrap();
        store.act(late.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        assert_eq!(store.sweep_mechanisms(&mut mark).await.unwrap(), (0, 0), "the first pass reads all: nothing due");
        // Bounced in the same day: the next pass reads the touched case and raises it.
        let bounced = store.register(letter("排水不畅"), reg(), c.office).await.unwrap();
        for (unit, officer) in [(c.dept, c.dept_head.clone()), (c.town, c.town_handler.clone())] {
            store.act(bounced.id, Command::Forward { to_unit: unit }, reg()).await.unwrap();
            store.act(bounced.id, Command::Object { reason: "不属于本单位职责".into() }, Who::Officer(officer)).await.unwrap();
        }
        store.act(bounced.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        // Refused by two units: proposed for the conference; sent more than twice: supervised.
        assert_eq!(store.sweep_mechanisms(&mut mark).await.unwrap(), (1, 1));
        assert_eq!(store.sweep_mechanisms(&mut mark).await.unwrap(), (0, 0), "nothing new");
        // Days pass with no event: the day's full pass finds the late acceptance.
        store.clock().advance(Duration::days(16));
        let (raised, _) = store.sweep_mechanisms(&mut mark).await.unwrap();
        assert_eq!(raised, 2, "the late acceptances of both cases");
        let triggers: Vec<_> = store.list::<Supervision>(&all()).await.unwrap().iter().map(|s| (s.trigger, s.case_id)).collect();
        assert!(triggers.contains(&(Trigger::LateAcceptance, Some(late.id))), "{triggers:?}");
        assert!(triggers.contains(&(Trigger::Bounced, Some(bounced.id))), "{triggers:?}");
        assert_eq!(store.sweep_mechanisms(&mut mark).await.unwrap(), (0, 0));
    }

    async fn supervision_is_answered_listed_held_to_account_and_closed(db: TestDb) {
        let store = open(&db, None).await;
        let c = small_city(&store).await;
        let case = store.register(letter("噪音扰民"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        // A case is named with the unit it is at.
        let elsewhere = raise(&store, Some(case.id), c.dept, "答复敷衍", &c.city_handler).await;
        assert!(matches!(elsewhere, Err(StoreError::Domain(DomainError::Invalid { field: "unit_id", .. }))), "{elsewhere:?}");
        store.act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        // Only supervisors and leaders above the unit raise it.
        let refused = raise(&store, Some(case.id), c.dept, "答复敷衍", &c.town_handler).await;
        assert!(matches!(refused, Err(StoreError::Domain(DomainError::Forbidden(_)))), "{refused:?}");
        let bad = raise(&store, Some(case.id), c.dept, "  ", &c.city_handler).await;
        assert!(matches!(bad, Err(StoreError::Domain(DomainError::Invalid { field: "reason", .. }))));
        let s = raise(&store, Some(case.id), c.dept, "答复敷衍，未回应诉求", &c.city_handler).await.unwrap();
        assert_eq!((s.trigger, s.status, s.listed), (Trigger::Manual, SupervisionStatus::Open, false));

        // 挂牌: visible among listed supervision.
        let s = store.act_on(s.id, SupervisionCommand::List { listed: true }, &c.city_handler).await.unwrap();
        assert!(s.listed);
        let listed = RecordQuery { listed: true, ..all() };
        assert_eq!(store.list::<Supervision>(&listed).await.unwrap().len(), 1);
        let town_scope = RecordQuery { under: Some(store.org().get(c.town).unwrap().path.clone()), ..all() };
        assert!(store.list::<Supervision>(&town_scope).await.unwrap().is_empty(), "another unit's supervision");

        // Closing before the answer, or answering from another unit, is refused and writes nothing.
        let before = events(&store).await;
        let close = SupervisionCommand::Close { note: "已整改".into() };
        assert!(store.act_on(s.id, close.clone(), &c.city_handler).await.is_err());
        let answer = SupervisionCommand::Answer { text: "已重新约谈信访人并出具补充意见".into() };
        let wrong = store.act_on(s.id, answer.clone(), &c.town_handler).await;
        assert!(matches!(wrong, Err(StoreError::Domain(DomainError::Forbidden(_)))));
        assert_eq!(events(&store).await, before);

        let s = store.act_on(s.id, answer, &c.dept_head).await.unwrap();
        assert_eq!(s.status, SupervisionStatus::Answered);
        let hold = SupervisionCommand::HoldAccountable { person: "张某".into(), finding: "答复敷衍".into(), measure: "诫勉谈话".into() };
        let s = store.act_on(s.id, hold, &c.city_handler).await.unwrap();
        assert_eq!(s.accountability[0].measure, "诫勉谈话");
        let s = store.act_on(s.id, close, &c.city_handler).await.unwrap();
        assert_eq!(s.status, SupervisionStatus::Closed);
        assert_eq!(events(&store).await, before + 3);
        let on_case = RecordQuery { case_id: Some(case.id.0), ..all() };
        assert_eq!(store.list::<Supervision>(&on_case).await.unwrap(), vec![s]);
    }
}
