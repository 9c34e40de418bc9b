//! 联席会议 on both databases with a controlled clock: refused and unaccepted cases reach the
//! agenda once, meetings take the waiting cases, decisions become tasks with deadlines and
//! colours, completed with evidence by the assigned unit only.

use chrono::Duration;
use chrono::NaiveDate;
use xinfang_domain::conference::{
    AgendaItem, Convene, Meeting, MeetingCommand, Proposal, Task, TaskCommand, TaskStatus,
};
use xinfang_domain::{Actor, Command, DomainError, MeetingId, Scope, TaskId, UnitId, Warning};
use xinfang_store::records::RecordQuery;
use xinfang_store::testing::{letter, small_city};
use xinfang_store::{Settings, Store, StoreError, Who, both_backends};

async fn convene(
    store: &Store,
    title: &str,
    host: UnitId,
    members: Vec<UnitId>,
    date: NaiveDate,
    by: &Actor,
) -> Result<Meeting, StoreError> {
    store
        .convene(
            Convene {
                title: title.into(),
                host,
                members,
                date,
            },
            by,
        )
        .await
}

async fn waiting_agenda(store: &Store, scope: &Scope) -> Result<Vec<AgendaItem>, StoreError> {
    store
        .list(&RecordQuery {
            status: Some("proposed"),
            ..RecordQuery::within(scope)
        })
        .await
}

async fn conference_tasks(
    store: &Store,
    scope: &Scope,
    open_only: bool,
) -> Result<Vec<Task>, StoreError> {
    store
        .list(&RecordQuery {
            status: open_only.then_some("open"),
            by_due: true,
            ..RecordQuery::within(scope)
        })
        .await
}

async fn complete_task(
    store: &Store,
    id: TaskId,
    evidence: &str,
    by: &Actor,
) -> Result<Task, StoreError> {
    store
        .act_on(
            id,
            TaskCommand::Complete {
                evidence: evidence.into(),
            },
            by,
        )
        .await
}

async fn record_minutes(
    store: &Store,
    id: MeetingId,
    minutes: &str,
    by: &Actor,
) -> Result<Meeting, StoreError> {
    store
        .act_on(
            id,
            MeetingCommand::RecordMinutes {
                minutes: minutes.into(),
            },
            by,
        )
        .await
}

both_backends! {
    async fn a_bounced_case_reaches_the_conference_and_its_decision_is_tracked(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let refused = store.register(letter("河道污染"), reg(), c.office).await.unwrap();
        store.act(refused.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        store.act(refused.id, Command::Object { reason: "属环保职责".into() }, Who::Officer(c.dept_head.clone())).await.unwrap();
        assert_eq!(store.sweep_conference().await.unwrap(), 0, "one refusal is not enough");
        store.act(refused.id, Command::Forward { to_unit: c.town }, reg()).await.unwrap();
        store.act(refused.id, Command::Object { reason: "属县级部门职责".into() }, Who::Officer(c.town_handler.clone())).await.unwrap();
        // Nobody accepts the other within the limit.
        let unaccepted = store.register(letter("企业欠薪"), reg(), c.office).await.unwrap();
        store.act(unaccepted.id, Command::Forward { to_unit: c.other_town }, reg()).await.unwrap();
        store.clock().advance(Duration::days(16));
        assert_eq!(store.sweep_conference().await.unwrap(), 2);
        assert_eq!(store.sweep_conference().await.unwrap(), 0, "proposed once");
        let scope = xinfang_domain::Scope::Under(store.org().get(c.city).unwrap().path.clone());
        let waiting = waiting_agenda(&store, &scope).await.unwrap();
        assert_eq!(waiting.len(), 2);
        let by_case = |id| waiting.iter().find(|i| i.case_id == id).unwrap().proposal;
        assert_eq!((by_case(refused.id), by_case(unaccepted.id)), (Proposal::RefusedByUnits, Proposal::NotAccepted));

        // Only leaders convene; the meeting takes the waiting cases.
        let today = store.clock().today();
        let refusal = convene(&store, "第一次联席会议", c.city, vec![c.dept, c.town], today + Duration::days(3), &c.dept_head).await;
        assert!(matches!(refusal, Err(StoreError::Domain(DomainError::Forbidden(_)))), "{refusal:?}");
        let past = convene(&store, "会议", c.city, vec![c.dept], today - Duration::days(1), &c.city_handler).await;
        assert!(matches!(past, Err(StoreError::Domain(DomainError::Invalid { field: "date", .. }))));
        let m = convene(&store, "第一次联席会议", c.city, vec![c.dept, c.town], today + Duration::days(3), &c.city_handler).await.unwrap();
        assert!(waiting_agenda(&store, &scope).await.unwrap().is_empty());
        let file = store.meeting(m.id).await.unwrap().unwrap();
        assert_eq!(file.agenda.len(), 2);
        // A case refused later goes straight onto the scheduled meeting.
        let third = store.register(letter("供暖不热"), reg(), c.office).await.unwrap();
        for (unit, officer) in [(c.dept, &c.dept_head), (c.town, &c.town_handler)] {
            store.act(third.id, Command::Forward { to_unit: unit }, reg()).await.unwrap();
            store.act(third.id, Command::Object { reason: "不属本单位".into() }, Who::Officer(officer.clone())).await.unwrap();
        }
        assert_eq!(store.sweep_conference().await.unwrap(), 1);
        assert_eq!(store.meeting(m.id).await.unwrap().unwrap().agenda.len(), 3);

        // Decisions are made at the meeting, not before; a case off the agenda is refused.
        let due = today + Duration::days(33);
        let early = store.decide_task(m.id, refused.id, c.dept, "牵头调查河道污染", due, &c.city_handler).await;
        assert!(early.is_err(), "the meeting has not sat");
        store.clock().advance(Duration::days(3));
        let stray = store.register(letter("无关事项"), reg(), c.office).await.unwrap();
        assert!(store.decide_task(m.id, stray.id, c.dept, "x", due, &c.city_handler).await.is_err());
        let t = store.decide_task(m.id, refused.id, c.dept, "牵头调查河道污染，十五日内答复", due, &c.city_handler).await.unwrap();
        let today = store.clock().today();
        assert_eq!(t.warning(today), Some(Warning::Green));
        assert_eq!(t.warning(due - Duration::days(2)), Some(Warning::Yellow));
        assert_eq!(t.warning(due + Duration::days(1)), Some(Warning::Red));
        let dept_path = xinfang_domain::Scope::Under(store.org().get(c.dept).unwrap().path.clone());
        assert_eq!(conference_tasks(&store, &dept_path, true).await.unwrap(), vec![t.clone()]);

        // Only the assigned unit completes it, with evidence.
        assert!(complete_task(&store, t.id, "已完成", &c.town_handler).await.is_err());
        assert!(complete_task(&store, t.id, " ", &c.dept_head).await.is_err());
        let t = complete_task(&store, t.id, "已会同环保部门查明污染源并责令整改", &c.dept_head).await.unwrap();
        assert_eq!((t.status, t.warning(today)), (TaskStatus::Done, None));
        let m = record_minutes(&store, m.id, "会议议定：住建局牵头……", &c.city_handler).await.unwrap();
        assert!(m.held());
        assert!(record_minutes(&store, m.id, "再记一次", &c.city_handler).await.is_err());
    }
}
