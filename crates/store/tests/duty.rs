//! 值班、信息报送 on both databases: a day's duty set and replaced, incidents flagged when their
//! report comes late or not at all by the deadline their severity sets.

use chrono::Duration;
use xinfang_domain::DomainError;
use xinfang_domain::duty::{ReportState, Severity};
use xinfang_store::testing::small_city;
use xinfang_store::{Settings, Store, StoreError, both_backends};

both_backends! {
    async fn duty_days_and_incident_reports(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let today = store.clock().today();
        let tomorrow = today + Duration::days(1);
        let past = store.set_duty(c.town, today - Duration::days(1), "李镇长", "小王", "0571-1234567", &c.town_handler).await;
        assert!(matches!(past, Err(StoreError::Domain(DomainError::Invalid { field: "date", .. }))));
        let other = store.set_duty(c.other_town, tomorrow, "李镇长", "小王", "12345678", &c.town_handler).await;
        assert!(matches!(other, Err(StoreError::Domain(DomainError::Forbidden(_)))));
        store.set_duty(c.town, tomorrow, "李镇长", "小王", "12345678", &c.town_handler).await.unwrap();
        let d = store.set_duty(c.town, tomorrow, "张书记", "小王", "12345678", &c.town_handler).await.unwrap();
        let path = xinfang_domain::Scope::Under(store.org().get(c.town).unwrap().path.clone());
        let roster = store.roster(&path, today).await.unwrap();
        assert_eq!(roster, vec![d], "setting a day again replaces it");
        assert_eq!(roster[0].leader, "张书记");

        // A critical incident that happened two hours ago, not yet reported: missing.
        let now = store.clock().now_ms();
        let hour = 3_600_000;
        let i = store.note_incident(c.town, "东城镇化工厂火灾", Severity::Critical, now - 2 * hour, None, &c.town_handler).await.unwrap();
        assert_eq!(i.state(store.clock().now_ms()), ReportState::Missing);
        assert!(store.report_incident(i.id, "已报", &c.other_town_handler).await.is_err(), "only the unit it happened in");
        let i = store.report_incident(i.id, "火灾已扑灭，无人员伤亡", &c.town_handler).await.unwrap();
        assert_eq!(i.state(store.clock().now_ms()), ReportState::Late);
        assert!(store.report_incident(i.id, "再报", &c.town_handler).await.is_err());
        // An ordinary one reported at once: on time.
        let j = store.note_incident(c.town, "村民聚集", Severity::Ordinary, now - hour, Some("十余名村民聚集，已劝离".into()), &c.town_handler).await.unwrap();
        assert_eq!(j.state(store.clock().now_ms()), ReportState::OnTime);
        let future = store.note_incident(c.town, "x", Severity::Ordinary, now + hour, None, &c.town_handler).await;
        assert!(future.is_err());
        assert_eq!(store.incidents(&path).await.unwrap().len(), 2);
    }
}
