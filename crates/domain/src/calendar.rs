//! Working-day calendar: weekends, public holidays and the make-up working days (调休).
//!
//! The official tables ship built in ([`Calendar::official`]): those the holiday-cn crate embeds
//! (2007–2025) and the 2026 schedule of the State Council (国务院办公厅关于2026年部分节假日安排的
//! 通知, 2025-11-04). The store keeps the calendar in the database, where administrators add
//! each new year's schedule when it is published; TOML is its exchange format.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::DomainError;

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

/// 2026 (国务院办公厅关于2026年部分节假日安排的通知, 2025-11-04): days off, and the weekend days
/// that are working days (调休上班).
const OFFICIAL_2026_HOLIDAYS: &[(u32, u32, u32)] = &[
    (1, 1, 3),
    (2, 15, 23),
    (4, 4, 6),
    (5, 1, 5),
    (6, 19, 21),
    (9, 25, 27),
    (10, 1, 7),
];
const OFFICIAL_2026_WORKDAYS: &[(u32, u32)] =
    &[(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];

impl Calendar {
    /// The official tables built in: 2007–2025 from the holiday-cn crate, 2026 from the State
    /// Council's notice.
    pub fn official() -> Calendar {
        let mut cal = Calendar::default();
        let (Some(mut day), Some(last)) = (
            NaiveDate::from_ymd_opt(2007, 1, 1),
            NaiveDate::from_ymd_opt(2025, 12, 31),
        ) else {
            return cal;
        };
        while day <= last {
            let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            if let Ok((off, _)) = holiday_cn::is_offday(&day.format("%Y-%m-%d").to_string()) {
                if off && !weekend {
                    cal.holidays.insert(day);
                } else if !off && weekend {
                    cal.workdays.insert(day);
                }
            }
            day += Duration::days(1);
        }
        for &(month, first, last) in OFFICIAL_2026_HOLIDAYS {
            cal.holidays
                .extend((first..=last).filter_map(|d| NaiveDate::from_ymd_opt(2026, month, d)));
        }
        cal.workdays.extend(
            OFFICIAL_2026_WORKDAYS
                .iter()
                .filter_map(|&(m, d)| NaiveDate::from_ymd_opt(2026, m, d)),
        );
        cal
    }

    /// Whether the calendar holds `year`'s schedule (any holiday or make-up day in it).
    pub fn has_year(&self, year: i32) -> bool {
        self.holidays
            .iter()
            .chain(&self.workdays)
            .any(|d| d.year() == year)
    }

    /// The calendar with `year`'s schedule replaced by these days (the days must lie in `year`).
    pub fn with_year(
        &self,
        year: i32,
        holidays: &BTreeSet<NaiveDate>,
        workdays: &BTreeSet<NaiveDate>,
    ) -> Result<Calendar, DomainError> {
        if !(2000..=2100).contains(&year) {
            return Err(DomainError::invalid("year", "年份应为2000至2100年"));
        }
        if let Some(d) = holidays.iter().chain(workdays).find(|d| d.year() != year) {
            return Err(DomainError::invalid("days", format!("{d}不在{year}年内")));
        }
        if let Some(d) = holidays.intersection(workdays).next() {
            return Err(DomainError::invalid("days", format!("{d}不能既放假又上班")));
        }
        let mut cal = self.clone();
        cal.holidays.retain(|d| d.year() != year);
        cal.workdays.retain(|d| d.year() != year);
        cal.holidays.extend(holidays);
        cal.workdays.extend(workdays);
        Ok(cal)
    }

    /// The years the calendar holds a schedule for, with how many days off and days worked.
    pub fn years(&self) -> Vec<(i32, usize, usize)> {
        let mut years: std::collections::BTreeMap<i32, (usize, usize)> = Default::default();
        for d in &self.holidays {
            years.entry(d.year()).or_default().0 += 1;
        }
        for d in &self.workdays {
            years.entry(d.year()).or_default().1 += 1;
        }
        years.into_iter().map(|(y, (h, w))| (y, h, w)).collect()
    }

    /// From 1 December, the warning while next year's schedule is missing: limits counted in
    /// working days would count its holidays as working days.
    pub fn missing_next_year(&self, today: NaiveDate) -> Option<String> {
        let next = today.year() + 1;
        (today.month() == 12 && !self.has_year(next)).then(|| {
            format!(
                "节假日日历还没有{next}年的放假安排：按工作日计算的期限将把{next}年的节假日算作工作日。国务院办公厅公布{next}年放假安排后，请在“系统管理→节假日日历”中录入。"
            )
        })
    }

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
    fn the_2026_national_day_week_is_built_in() {
        // Forwarded on Monday 28 September 2026: the 5-working-day objection window counts
        // 29, 30 September, then skips 1–7 October and counts 8, 9 and Saturday 10 (调休).
        let cal = Calendar::official();
        assert_eq!(cal.add_working_days(d("2026-09-28"), 5), d("2026-10-10"));
        assert!(!cal.is_working_day(d("2026-02-16")), "Spring Festival");
        assert!(cal.is_working_day(d("2026-02-28")), "a Saturday worked");
        assert!(
            !cal.is_working_day(d("2025-10-01")),
            "earlier years from holiday-cn"
        );
        assert_eq!(cal.last_year(), Some(2026));
        assert!(cal.has_year(2026) && !cal.has_year(2027));
    }

    #[test]
    fn a_year_is_replaced_whole_and_next_year_is_asked_for_in_december() {
        let cal = Calendar::official();
        let days = |v: &[&str]| v.iter().map(|s| d(s)).collect::<BTreeSet<_>>();
        let y2027 = cal
            .with_year(2027, &days(&["2027-01-01"]), &days(&["2027-02-06"]))
            .unwrap();
        assert!(!y2027.is_working_day(d("2027-01-01")) && y2027.is_working_day(d("2027-02-06")));
        assert_eq!(y2027.years().last(), Some(&(2027, 1, 1)));
        assert!(
            cal.with_year(2027, &days(&["2026-12-31"]), &days(&[]))
                .is_err()
        );
        assert!(
            cal.with_year(2027, &days(&["2027-01-01"]), &days(&["2027-01-01"]))
                .is_err()
        );
        assert!(cal.missing_next_year(d("2026-11-30")).is_none());
        assert!(cal.missing_next_year(d("2026-12-01")).is_some());
        assert!(y2027.missing_next_year(d("2026-12-01")).is_none());
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
