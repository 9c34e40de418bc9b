//! 领导包案 on both databases: who may attach whom, the 五个一 filled by the leader's team with
//! who and when, resolution only when all five are in place, caseloads by leader and by scope.

use chrono::Duration;
use xinfang_domain::ownership::{Ownership, OwnershipCommand, OwnershipKind, Part};
use xinfang_domain::{Command, DomainError};
use xinfang_store::records::RecordQuery;
use xinfang_store::testing::{letter, small_city};
use xinfang_store::{Settings, Store, StoreError, Who, both_backends};

both_backends! {
    async fn a_leader_owns_a_case_through_the_five_ones(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let case = store.register(letter("征地补偿多年未解决"), reg(), c.office).await.unwrap();
        store.act(case.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        let due = store.clock().today() + Duration::days(90);
        let leader = c.city_handler.person;

        // A department head neither assigns nor may be assigned (not a leader).
        let by_dept = store.attach_leader(case.id, leader, OwnershipKind::OldCase, due, &c.dept_head).await;
        assert!(matches!(by_dept, Err(StoreError::Domain(DomainError::Forbidden(_)))), "{by_dept:?}");
        let not_leader = store.attach_leader(case.id, c.dept_head.person, OwnershipKind::OldCase, due, &c.city_handler).await;
        assert!(matches!(not_leader, Err(StoreError::Domain(DomainError::Invalid { field: "leader_id", .. }))));
        let o = store.attach_leader(case.id, leader, OwnershipKind::OldCase, due, &c.city_handler).await.unwrap();
        assert_eq!((o.progress(), o.is_open()), (1, true));
        let twice = store.attach_leader(case.id, leader, OwnershipKind::OldCase, due, &c.city_handler).await;
        assert!(matches!(twice, Err(StoreError::Conflict(_))));

        // The team fills the parts; an unrelated town may not.
        let fill = |part, text: &str| OwnershipCommand::Fill { part, text: text.into() };
        assert!(store.act_on(o.id, fill(Part::Team, "x"), &c.town_handler).await.is_err());
        let o = store.act_on(o.id, fill(Part::Team, "分管副市长牵头，住建局、自然资源局参加"), &c.city_handler).await.unwrap();
        let o = store.act_on(o.id, fill(Part::Plan, "重新核算补偿标准，三个月内兑付"), &c.dept_head).await.unwrap();
        assert_eq!(o.part(Part::Plan).unwrap().filled.by, Some(c.dept_head.person));
        let early = store.act_on(o.id, OwnershipCommand::Resolve { note: "已化解".into() }, &c.city_handler).await;
        assert!(matches!(early, Err(StoreError::Domain(DomainError::Invalid { field: "parts", .. }))), "{early:?}");
        let o = store.act_on(o.id, fill(Part::Minutes, "专题会议纪要〔2026〕3号"), &c.city_handler).await.unwrap();
        let o = store.act_on(o.id, fill(Part::FollowUp, "兑付后三十日回访，确认补偿到位"), &c.dept_head).await.unwrap();
        assert_eq!(o.progress(), 5);
        assert!(store.act_on(o.id, OwnershipCommand::Resolve { note: "已兑付".into() }, &c.dept_head).await.is_err(), "only the leader resolves");

        // Caseloads: the leader's own, the scope of a superior; resolved leaves the open list.
        let mine = RecordQuery { ref_id: Some(leader.0), status: Some("open"), limit: 500, ..Default::default() };
        assert_eq!(store.list::<Ownership>(&mine).await.unwrap().len(), 1);
        let city = RecordQuery { under: Some(store.org().get(c.city).unwrap().path.clone()), limit: 500, ..Default::default() };
        assert_eq!(store.list::<Ownership>(&city).await.unwrap().len(), 1);
        let town = RecordQuery { under: Some(store.org().get(c.town).unwrap().path.clone()), limit: 500, ..Default::default() };
        assert!(store.list::<Ownership>(&town).await.unwrap().is_empty());
        let o = store.act_on(o.id, OwnershipCommand::Resolve { note: "补偿已兑付，信访人息诉".into() }, &c.city_handler).await.unwrap();
        assert!(!o.is_open());
        assert!(store.list::<Ownership>(&mine).await.unwrap().is_empty());
        let on_case = RecordQuery { case_id: Some(case.id.0), limit: 500, ..Default::default() };
        assert_eq!(store.list::<Ownership>(&on_case).await.unwrap(), vec![o]);
    }
}
