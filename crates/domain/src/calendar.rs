//! Working-day calendar: weekends, public holidays and the make-up working days (调休).
//!
//! Stored as an editable TOML file so that the admin can add next year's table.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    /// Days off that would otherwise be working days.
    #[serde(default)]
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub workdays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn from_toml(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| format!("节假日日历格式错误: {e}"))
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("calendar serialises")
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.workdays.contains(&day) {
            return true;
        }
        if self.holidays.contains(&day) {
            return false;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The `n`-th working day after `start` (`start` itself not counted); `n = 0` gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day += Duration::days(1);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    pub fn last_year(&self) -> Option<i32> {
        self.holidays
            .iter()
            .chain(&self.workdays)
            .map(|d| d.year())
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn skips_weekends_and_holidays_and_honours_makeup_days() {
        let cal = Calendar::from_toml(
            r#"holidays = ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"]
               workdays = ["2026-10-10"]"#,
        )
        .unwrap();
        // Tue 29 Sep + 5 working days: 30 Sep, then the National Day week is off, 8, 9, 10 (Sat, make-up), 12.
        assert_eq!(cal.add_working_days(d("2026-09-29"), 5), d("2026-10-12"));
        assert_eq!(
            Calendar::default().add_working_days(d("2026-11-20"), 1),
            d("2026-11-23")
        );
    }

    proptest! {
        #[test]
        fn working_day_arithmetic(start in 0i64..4000, n in 0u32..60, extra in proptest::collection::btree_set(0i64..4100, 0..40)) {
            let base = d("2020-01-01");
            let cal = Calendar { holidays: extra.iter().map(|x| base + Duration::days(*x)).collect(), workdays: BTreeSet::new() };
            let s = base + Duration::days(start);
            let due = cal.add_working_days(s, n);
            prop_assert!(due >= s);
            prop_assert!(due >= s + Duration::days(n as i64));
            if n > 0 {
                prop_assert!(cal.is_working_day(due));
                prop_assert!(cal.add_working_days(s, n + 1) > due);
                let counted = (1..=(due - s).num_days()).filter(|k| cal.is_working_day(s + Duration::days(*k))).count();
                prop_assert_eq!(counted as u32, n);
            }
        }
    }
}
