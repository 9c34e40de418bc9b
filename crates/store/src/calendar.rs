//! The holiday calendar in the database: loaded at start, changed a year at a time through the
//! writer (each change in the log), and after a change the working-day deadlines of open cases
//! are counted again.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use sqlx::{AnyConnection, Row};
use xinfang_domain::{Calendar, CaseId, Command};

use crate::{Store, StoreError, Who};

/// The calendar kept in the database; `None` for a database that has none yet.
pub(crate) async fn load(conn: &mut AnyConnection) -> Result<Option<Calendar>, StoreError> {
    let rows = sqlx::query("SELECT day, kind FROM calendar_days")
        .fetch_all(conn)
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut cal = Calendar::default();
    for r in rows {
        let (day, kind): (String, String) = (r.try_get("day")?, r.try_get("kind")?);
        let day: NaiveDate = day
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("节假日日期 {day}")))?;
        match kind.as_str() {
            "holiday" => cal.holidays.insert(day),
            "workday" => cal.workdays.insert(day),
            other => return Err(StoreError::Corrupt(format!("节假日类型 {other}"))),
        };
    }
    Ok(Some(cal))
}

/// One year's schedule, as set by an administrator or imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearSchedule {
    pub year: i32,
    pub holidays: BTreeSet<NaiveDate>,
    pub workdays: BTreeSet<NaiveDate>,
}

impl YearSchedule {
    /// `year`'s days of `cal`.
    pub fn of(cal: &Calendar, year: i32) -> YearSchedule {
        let in_year = |days: &BTreeSet<NaiveDate>| {
            days.iter().copied().filter(|d| d.year() == year).collect()
        };
        YearSchedule {
            year,
            holidays: in_year(&cal.holidays),
            workdays: in_year(&cal.workdays),
        }
    }
}

impl Store {
    /// Sets `year`'s schedule (replacing what the calendar had for it), then counts the
    /// working-day deadlines of the open cases again. Returns how many cases' deadlines moved.
    pub async fn set_calendar_year(
        &self,
        schedule: YearSchedule,
        who: Who,
    ) -> Result<usize, StoreError> {
        self.change_calendar(schedule, who).await?;
        self.recompute_deadlines().await
    }

    /// Sets every year `cal` holds (the `--holidays` file, a new database's official tables).
    pub async fn import_calendar(&self, cal: &Calendar, who: Who) -> Result<usize, StoreError> {
        for (year, _, _) in cal.years() {
            self.change_calendar(YearSchedule::of(cal, year), who.clone())
                .await?;
        }
        self.recompute_deadlines().await
    }

    /// Counts the deadlines of every case with a running clock or window on the calendar in
    /// force; only those that move are written (an event each). Returns how many moved.
    pub async fn recompute_deadlines(&self) -> Result<usize, StoreError> {
        let ids: Vec<i64> = sqlx::query(
            "SELECT id FROM cases WHERE clock_due IS NOT NULL \
             UNION SELECT id FROM cases WHERE lapse_due IS NOT NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.try_get("id"))
        .collect::<Result<_, _>>()?;
        let mut moved = 0;
        for id in ids {
            let before = self.case(CaseId(id)).await?.map(|c| c.deadlines);
            let after = self
                .act(CaseId(id), Command::RecomputeDeadlines, Who::System)
                .await?;
            moved += usize::from(before.as_ref() != Some(&after.deadlines));
        }
        Ok(moved)
    }
}
