//! 值班、信息报送 on both databases: a day's duty set and replaced, incidents flagged when their
//! report comes late or not at all by the deadline their severity sets.

use chrono::Duration;
use chrono::NaiveDate;
use xinfang_domain::duty::{
    DutyDay, Incident, IncidentCommand, NoteIncident, ReportState, SetDuty, Severity,
};
use xinfang_domain::{Actor, DomainError, IncidentId, UnitId};
use xinfang_store::records::RecordQuery;
use xinfang_store::testing::small_city;
use xinfang_store::{Settings, Store, StoreError, both_backends};

async fn set_duty(
    store: &Store,
    unit: UnitId,
    date: NaiveDate,
    leader: &str,
    officer: &str,
    phone: &str,
    by: &Actor,
) -> Result<DutyDay, StoreError> {
    store
        .set_duty(
            SetDuty {
                unit,
                date,
                leader: leader.into(),
                officer: officer.into(),
                phone: phone.into(),
            },
            by,
        )
        .await
}

async fn note_incident(
    store: &Store,
    unit: UnitId,
    title: &str,
    severity: Severity,
    occurred_at: i64,
    report: Option<String>,
    by: &Actor,
) -> Result<Incident, StoreError> {
    store
        .create::<Incident>(
            NoteIncident {
                unit,
                title: title.into(),
                severity,
                occurred_at,
                report,
            },
            by,
        )
        .await
}

async fn report_incident(
    store: &Store,
    id: IncidentId,
    text: &str,
    by: &Actor,
) -> Result<Incident, StoreError> {
    store
        .act_on(id, IncidentCommand::Report { text: text.into() }, by)
        .await
}

both_backends! {
    async fn duty_days_and_incident_reports(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let today = store.clock().today();
        let tomorrow = today + Duration::days(1);
        let past = set_duty(&store, c.town, today - Duration::days(1), "李镇长", "小王", "0571-1234567", &c.town_handler).await;
        assert!(matches!(past, Err(StoreError::Domain(DomainError::Invalid { field: "date", .. }))));
        let other = set_duty(&store, c.other_town, tomorrow, "李镇长", "小王", "12345678", &c.town_handler).await;
        assert!(matches!(other, Err(StoreError::Domain(DomainError::Forbidden(_)))));
        set_duty(&store, c.town, tomorrow, "李镇长", "小王", "12345678", &c.town_handler).await.unwrap();
        let d = set_duty(&store, c.town, tomorrow, "张书记", "小王", "12345678", &c.town_handler).await.unwrap();
        let path = xinfang_domain::Scope::Under(store.org().get(c.town).unwrap().path.clone());
        let roster = store.roster(&path, today).await.unwrap();
        assert_eq!(roster, vec![d], "setting a day again replaces it");
        assert_eq!(roster[0].leader, "张书记");

        // A critical incident that happened two hours ago, not yet reported: missing.
        let now = store.clock().now_ms();
        let hour = 3_600_000;
        let i = note_incident(&store, c.town, "东城镇化工厂火灾", Severity::Critical, now - 2 * hour, None, &c.town_handler).await.unwrap();
        assert_eq!(i.state(store.clock().now_ms()), ReportState::Missing);
        assert!(report_incident(&store, i.id, "已报", &c.other_town_handler).await.is_err(), "only the unit it happened in");
        let i = report_incident(&store, i.id, "火灾已扑灭，无人员伤亡", &c.town_handler).await.unwrap();
        assert_eq!(i.state(store.clock().now_ms()), ReportState::Late);
        assert!(report_incident(&store, i.id, "再报", &c.town_handler).await.is_err());
        // An ordinary one reported at once: on time.
        let j = note_incident(&store, c.town, "村民聚集", Severity::Ordinary, now - hour, Some("十余名村民聚集，已劝离".into()), &c.town_handler).await.unwrap();
        assert_eq!(j.state(store.clock().now_ms()), ReportState::OnTime);
        let future = note_incident(&store, c.town, "x", Severity::Ordinary, now + hour, None, &c.town_handler).await;
        assert!(future.is_err());
        assert_eq!(store.list::<Incident>(&RecordQuery::within(&path)).await.unwrap().len(), 2);
    }
}
