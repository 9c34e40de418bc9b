//! The holiday calendar in the database, on both databases: the 2026 schedule built in, a
//! year changed by an administrator (in the log), the open cases' working-day deadlines and the
//! figures following, and the calendar read back after a restart.

use chrono::NaiveDate;
use sqlx::Row;
use xinfang_domain::Command;
use xinfang_domain::metrics::Period;
use xinfang_store::calendar::YearSchedule;
use xinfang_store::testing::{letter, small_city};
use xinfang_store::{Settings, Store, Who, both_backends};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

both_backends! {
    async fn working_day_windows_follow_the_calendar_in_the_database(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        store.clock().set_today(d("2026-09-28"));
        let reg = || Who::Officer(c.registrar.clone());
        let case = store.register(letter("楼道堆物"), reg(), c.office).await.unwrap();
        let case = store.act(case.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        // Monday 28 September: 29, 30 September, then the National Day week off, 8, 9 and the
        // make-up Saturday 10 October.
        assert_eq!(case.deadlines.object_due, Some(d("2026-10-10")));

        // An administrator changes 2026 (here: 6 and 7 October worked, no make-up Saturday).
        let mut year = YearSchedule::of(&store.calendar(), 2026);
        year.holidays.retain(|x| *x != d("2026-10-06") && *x != d("2026-10-07"));
        year.workdays.remove(&d("2026-10-10"));
        let moved = store.set_calendar_year(year, Who::Officer(c.admin.clone())).await.unwrap();
        assert_eq!(moved, 1, "the one open case with a working-day window");
        let now = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(now.deadlines.object_due, Some(d("2026-10-08")));
        assert_eq!(now.deadlines.accept_due, case.deadlines.accept_due, "calendar days do not move");
        let logged: Vec<(String, Option<i64>)> = sqlx::query("SELECT kind, actor_id FROM events ORDER BY seq DESC LIMIT 2")
            .fetch_all(store.pool()).await.unwrap().iter()
            .map(|r| (r.try_get("kind").unwrap(), r.try_get("actor_id").unwrap())).collect();
        assert_eq!(logged, vec![("deadlines_moved".to_string(), None), ("calendar_year_set".to_string(), Some(c.admin.person.0))]);
        assert_eq!(store.recompute_deadlines().await.unwrap(), 0, "nothing moves twice");

        // The figures follow the moved deadline; the recomputation agrees.
        let all = Period { from: d("2026-01-01"), to: d("2026-12-31") };
        assert_eq!(store.assessment(all).await.unwrap(), store.assessment_recomputed(all).await.unwrap());

        // A year whose days lie outside it is refused and changes nothing.
        let bad = YearSchedule { year: 2027, holidays: [d("2026-12-31")].into(), workdays: Default::default() };
        assert!(store.set_calendar_year(bad, Who::Officer(c.admin.clone())).await.is_err());
        assert!(!store.calendar().has_year(2027));

        // After a restart the calendar is the database's, not the built-in table.
        let clock = store.clock().clone();
        store.close().await;
        let store = Store::open(&db.url, Settings { clock, ..Settings::default() }).await.unwrap();
        assert!(store.calendar().is_working_day(d("2026-10-06")));
        assert!(!store.calendar().is_working_day(d("2026-10-05")));
    }
}
