//! The holiday calendar: what it holds, next year's warning, and administrators setting a
//! year's schedule (the open cases' working-day deadlines are then counted again).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::{Actor, Calendar};
use xinfang_store::Who;
use xinfang_store::calendar::YearSchedule;

use super::org::admin;
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// One year of the calendar.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Year {
    pub year: i32,
    /// Days off that would otherwise be working days.
    pub holidays: Vec<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    pub workdays: Vec<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarView {
    /// Newest first.
    pub years: Vec<Year>,
    /// From 1 December while next year's schedule is missing: what to do.
    pub warning: Option<String>,
}

/// The calendar in force, newest year first, and next year's warning.
pub fn view(state: &AppState) -> CalendarView {
    let cal = state.store.calendar();
    CalendarView {
        years: cal
            .years()
            .into_iter()
            .rev()
            .map(|(year, _, _)| {
                let s = YearSchedule::of(&cal, year);
                Year {
                    year,
                    holidays: s.holidays.into_iter().collect(),
                    workdays: s.workdays.into_iter().collect(),
                }
            })
            .collect(),
        warning: warning(state),
    }
}

/// Next year's warning, for administrators' pages.
pub fn warning(state: &AppState) -> Option<String> {
    state
        .store
        .calendar()
        .missing_next_year(state.store.clock().today())
}

/// Sets `year`'s schedule (administrators); returns how many open cases' deadlines moved.
pub async fn set_year(
    state: &AppState,
    actor: &Actor,
    year: i32,
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
) -> ApiResult<usize> {
    admin(actor)?;
    // Checked before anything is written: the store's writer would refuse it the same way.
    Calendar::default().with_year(year, &holidays, &workdays)?;
    let schedule = YearSchedule {
        year,
        holidays,
        workdays,
    };
    Ok(state
        .store
        .set_calendar_year(schedule, Who::Officer(actor.clone()))
        .await?)
}

/// Days as typed on a page: one a line, `YYYY-MM-DD`, or a range `YYYY-MM-DD..YYYY-MM-DD`
/// (also `至` or `~`); blank lines ignored.
pub fn parse_days(text: &str) -> Result<BTreeSet<NaiveDate>, ApiError> {
    let bad = |line: &str| {
        ApiError::from(xinfang_domain::DomainError::invalid(
            "days",
            format!("日期“{line}”不正确（应为 YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD）"),
        ))
    };
    let mut days = BTreeSet::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let (a, b) = match line
            .split_once("..")
            .or_else(|| line.split_once('至'))
            .or_else(|| line.split_once('~'))
        {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (line, line),
        };
        let (a, b): (NaiveDate, NaiveDate) = (
            a.parse().map_err(|_| bad(line))?,
            b.parse().map_err(|_| bad(line))?,
        );
        if b < a || (b - a).num_days() > 366 {
            return Err(bad(line));
        }
        days.extend(a.iter_days().take_while(|d| *d <= b));
    }
    Ok(days)
}
