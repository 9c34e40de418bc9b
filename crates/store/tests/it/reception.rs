//! 接访 on both databases: a weekly rotation of leaders, sessions with appointments, field
//! visits carrying cases, and petitions taken at a session registered as linked cases.

use chrono::Duration;
use xinfang_domain::DomainError;
use xinfang_domain::reception::{Arrange, Session, SessionCommand, SessionKind};
use xinfang_store::records::RecordQuery;
use xinfang_store::testing::{letter, small_city};
use xinfang_store::{Settings, Store, StoreError, both_backends};

async fn arrange_session(
    store: &Store,
    kind: SessionKind,
    unit: xinfang_domain::UnitId,
    date: chrono::NaiveDate,
    leader: xinfang_domain::PersonId,
    by: &xinfang_domain::Actor,
) -> Result<Session, StoreError> {
    let leader = store
        .actor(leader)
        .await?
        .ok_or(StoreError::NotFound("领导"))?;
    store
        .create::<Session>(
            Arrange {
                kind,
                unit,
                date,
                leader,
            },
            by,
        )
        .await
}

both_backends! {
    async fn leaders_receive_petitioners_and_petitions_become_linked_cases(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let today = store.clock().today();
        let leader = c.city_handler.person;
        let not_leader = store.set_rotation(c.city, 1, &[c.dept_head.person], today, &c.registrar).await;
        assert!(matches!(not_leader, Err(StoreError::Domain(DomainError::Invalid { field: "leaders", .. }))));
        store.set_rotation(c.city, 1, &[leader], today, &c.registrar).await.unwrap();
        let path = xinfang_domain::Scope::Under(store.org().get(c.city).unwrap().path.clone());
        let days = store.reception_days(&path, today, 4).await.unwrap();
        assert_eq!(days.len(), 4, "one Monday a week: {days:?}");
        assert!(days.iter().all(|(_, d, p, _)| chrono::Datelike::weekday(d) == chrono::Weekday::Mon && *p == leader));

        let day = days[0].1;
        let refused = arrange_session(&store, SessionKind::Reception, c.city, day, c.dept_head.person, &c.registrar).await;
        assert!(refused.is_err(), "only leaders receive");
        let s = arrange_session(&store, SessionKind::Reception, c.city, day, leader, &c.registrar).await.unwrap();
        let book = SessionCommand::Book { name: "王大爷".into(), phone: "13800001111".into(), matter: "养老金发放".into() };
        let s = store.act_on(s.id, book, &c.registrar).await.unwrap();
        assert_eq!(s.appointments.len(), 1);
        let bad = SessionCommand::Book { name: "王大爷".into(), phone: "call me".into(), matter: "x".into() };
        assert!(matches!(store.act_on(s.id, bad, &c.registrar).await, Err(StoreError::Domain(DomainError::Invalid { field: "phone", .. }))));

        // The day comes: whom the leader met, and a petition taken there becomes a linked case.
        store.clock().set_today(day);
        let case = store.register_at_session(s.id, letter("养老金少发"), &c.registrar).await.unwrap();
        let met = SessionCommand::RecordMet { names: vec!["王大爷".into(), "李阿姨".into()] };
        let s = store.act_on(s.id, met, &c.registrar).await.unwrap();
        assert_eq!((s.cases.clone(), s.met.len()), (vec![case.id], 2));
        // The names and numbers are sealed apart: not in the log, not in the record's row.
        let mut raw = String::new();
        for r in sqlx::query("SELECT payload AS t FROM events").fetch_all(store.pool()).await.unwrap() {
            raw.push_str(&xinfang_store::packed::unpack(sqlx::Row::try_get(&r, "t").unwrap()).unwrap());
        }
        for r in sqlx::query("SELECT state AS t FROM records").fetch_all(store.pool()).await.unwrap() {
            raw.push_str(&sqlx::Row::try_get::<String, _>(&r, "t").unwrap());
        }
        for secret in ["13800001111", "王大爷", "李阿姨"] {
            assert!(!raw.contains(secret), "{secret} is stored in the clear");
        }
        let read = store.get(s.id).await.unwrap().unwrap();
        assert_eq!((read.appointments[0].name.as_str(), read.appointments[0].phone.as_str()), ("王大爷", "13800001111"));
        assert_eq!(read.met, vec!["王大爷".to_string(), "李阿姨".to_string()]);
        assert!(matches!(store.verify_chain().await.unwrap(), xinfang_store::chain::Verdict::Intact { .. }));
        let late = SessionCommand::Book { name: "赵".into(), phone: "13800001111".into(), matter: "x".into() };
        store.clock().advance(Duration::days(1));
        assert!(matches!(store.act_on(s.id, late, &c.registrar).await, Err(StoreError::Domain(DomainError::WindowClosed(_)))));

        // A field visit carries the case down to the town.
        let visit = arrange_session(&store, SessionKind::FieldVisit, c.town, store.clock().today(), leader, &c.city_handler).await.unwrap();
        let v = store.act_on(visit.id, SessionCommand::Carry { case_id: case.id }, &c.city_handler).await.unwrap();
        assert_eq!(v.carried, vec![case.id]);
        assert!(store.act_on(s.id, SessionCommand::Carry { case_id: case.id }, &c.city_handler).await.is_err(), "a reception carries nothing");
        assert_eq!(store.list::<Session>(&RecordQuery::within(&path)).await.unwrap().len(), 2);
    }
}
