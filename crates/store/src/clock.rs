//! The deployment's clock: dates in its time zone, and a shift that tests use to move time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;

#[derive(Clone)]
pub struct Clock {
    tz: Tz,
    shift_ms: Arc<AtomicI64>,
}

impl Clock {
    pub fn system(tz: &str) -> Result<Clock, String> {
        let tz: Tz = tz.parse().map_err(|_| format!("未知时区: {tz}"))?;
        Ok(Clock {
            tz,
            shift_ms: Arc::new(AtomicI64::new(0)),
        })
    }

    pub fn now_ms(&self) -> i64 {
        Utc::now().timestamp_millis() + self.shift_ms.load(Ordering::Relaxed)
    }

    pub fn today(&self) -> NaiveDate {
        self.date_of(self.now_ms())
    }

    pub fn date_of(&self, ms: i64) -> NaiveDate {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&self.tz)
            .date_naive()
    }

    pub fn format_ms(&self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&self.tz)
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
    }

    /// Local date and time to the minute as people write it (`2026年11月29日 07:47`), for pages.
    pub fn minute_of(&self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms)
            .unwrap_or_default()
            .with_timezone(&self.tz)
            .format("%Y年%m月%d日 %H:%M")
            .to_string()
    }

    /// Milliseconds of a local wall-clock time on `date` (for generated histories).
    pub fn ms_at(&self, date: NaiveDate, minutes_after_midnight: u32) -> i64 {
        let t = date.and_hms_opt(0, 0, 0).expect("midnight")
            + Duration::minutes(minutes_after_midnight as i64);
        t.and_local_timezone(self.tz)
            .earliest()
            .map(|t| t.timestamp_millis())
            .unwrap_or_default()
    }

    /// Moves this clock (and every copy of it) forward; for tests and demos of deadlines.
    pub fn advance(&self, by: Duration) {
        self.shift_ms
            .fetch_add(by.num_milliseconds(), Ordering::Relaxed);
    }

    /// Sets the clock so that `today()` is `date` (noon local time).
    pub fn set_today(&self, date: NaiveDate) {
        let noon = date.and_hms_opt(12, 0, 0).expect("valid time");
        let target = noon
            .and_local_timezone(self.tz)
            .single()
            .expect("unambiguous noon")
            .timestamp_millis();
        self.shift_ms
            .store(target - Utc::now().timestamp_millis(), Ordering::Relaxed);
    }
}
