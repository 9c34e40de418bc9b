//! Deadline warnings: green on track, yellow in the last 20% of the limit (at least 3 days), red overdue.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Warning {
    Green,
    Yellow,
    Red,
}

impl Warning {
    pub fn label(self) -> &'static str {
        match self {
            Warning::Green => "正常",
            Warning::Yellow => "临期",
            Warning::Red => "超期",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Warning::Green => "green",
            Warning::Yellow => "yellow",
            Warning::Red => "red",
        }
    }

    pub fn from_code(s: &str) -> Option<Self> {
        [Warning::Green, Warning::Yellow, Warning::Red]
            .into_iter()
            .find(|w| w.code() == s)
    }
}

/// Days before `due` at which the warning turns yellow, for a clock that ran from `start`.
pub fn yellow_window(start: NaiveDate, due: NaiveDate) -> i64 {
    let total = (due - start).num_days().max(0);
    ((total * 20 + 99) / 100).max(3)
}

/// The colour of a running deadline on `today`.
pub fn warning(start: NaiveDate, due: NaiveDate, today: NaiveDate) -> Warning {
    let left = (due - today).num_days();
    if left < 0 {
        Warning::Red
    } else if left < yellow_window(start, due) {
        Warning::Yellow
    } else {
        Warning::Green
    }
}

/// The first day on which a clock from `start` to `due` shows yellow; stored so lists can filter by colour.
pub fn yellow_from(start: NaiveDate, due: NaiveDate) -> NaiveDate {
    due - chrono::Duration::days(yellow_window(start, due) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn sixty_day_limit_turns_yellow_twelve_days_before() {
        let start = d("2026-01-01");
        let due = start + Duration::days(60);
        assert_eq!(
            warning(start, due, due - Duration::days(12)),
            Warning::Green
        );
        assert_eq!(
            warning(start, due, due - Duration::days(11)),
            Warning::Yellow
        );
        assert_eq!(warning(start, due, due), Warning::Yellow);
        assert_eq!(warning(start, due, due + Duration::days(1)), Warning::Red);
    }

    #[test]
    fn short_limits_warn_three_days_ahead() {
        let start = d("2026-01-01");
        let due = start + Duration::days(5);
        assert_eq!(warning(start, due, due - Duration::days(3)), Warning::Green);
        assert_eq!(
            warning(start, due, due - Duration::days(2)),
            Warning::Yellow
        );
    }

    proptest! {
        #[test]
        fn colours_progress_monotonically(len in 0i64..400, a in -50i64..500, b in -50i64..500) {
            let start = d("2026-03-01");
            let due = start + Duration::days(len);
            let (t1, t2) = (start + Duration::days(a.min(b)), start + Duration::days(a.max(b)));
            prop_assert!(warning(start, due, t1) <= warning(start, due, t2));
            prop_assert_eq!(warning(start, due, t1) == Warning::Red, t1 > due);
            let y = yellow_from(start, due);
            prop_assert_eq!(warning(start, due, t1) == Warning::Yellow, t1 >= y && t1 <= due);
        }
    }
}
