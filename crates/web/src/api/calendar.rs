//! The holiday calendar through the API: read it; administrators set a year's schedule.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::calendar::CalendarView;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

/// The holiday calendar in force, newest year first, with next year's warning from December.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = CalendarView), (status = 401, body = ErrorBody)))]
pub async fn get(State(state): State<AppState>, _: Officer) -> Json<CalendarView> {
    Json(app::calendar::view(&state))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearBody {
    /// Days off that would otherwise be working days.
    pub holidays: BTreeSet<NaiveDate>,
    /// Weekend days that are working days (调休上班).
    #[serde(default)]
    pub workdays: BTreeSet<NaiveDate>,
}

#[derive(Serialize, ToSchema)]
pub struct YearSet {
    pub year: i32,
    /// Open cases whose working-day deadlines moved.
    pub cases_moved: usize,
}

/// Set (or replace) a year's schedule (administrators); the open cases' deadlines counted in
/// working days are counted again.
#[utoipa::path(put, path = "/api/v1/calendar/{year}", tag = "units", params(("year" = i32, Path)),
    request_body = YearBody, security(("bearer" = [])),
    responses((status = 200, body = YearSet), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_year(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(year): Path<i32>,
    ApiJson(b): ApiJson<YearBody>,
) -> ApiResult<Json<YearSet>> {
    let moved = app::calendar::set_year(&state, &actor, year, b.holidays, b.workdays).await?;
    Ok(Json(YearSet {
        year,
        cases_moved: moved,
    }))
}
