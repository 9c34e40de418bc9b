//! 值班、信息报送 through the API: the roster, incidents and their reports, with flags.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use xinfang_domain::duty::{DutyDay, IncidentCommand, NoteIncident, SetDuty, Severity};
use xinfang_domain::{IncidentId, UnitId};

use crate::app::duty::{IncidentView, view};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

/// The roster of the officer's scope from today on.
#[utoipa::path(get, path = "/api/v1/duty", tag = "duty", security(("bearer" = [])),
    responses((status = 200, body = Vec<DutyDay>), (status = 401, body = ErrorBody)))]
pub async fn roster(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<DutyDay>>> {
    Ok(Json(app::duty::roster(&state, &actor).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DutyBody {
    pub unit_id: i64,
    pub date: NaiveDate,
    pub leader: String,
    pub officer: String,
    pub phone: String,
}

/// Set (or replace) a unit's duty for a day.
#[utoipa::path(put, path = "/api/v1/duty", tag = "duty", request_body = DutyBody, security(("bearer" = [])),
    responses((status = 200, body = DutyDay), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(b): ApiJson<DutyBody>,
) -> ApiResult<Json<DutyDay>> {
    let new = SetDuty {
        unit: UnitId(b.unit_id),
        date: b.date,
        leader: b.leader,
        officer: b.officer,
        phone: b.phone,
    };
    Ok(Json(app::duty::set(&state, &actor, new).await?))
}

/// Incidents of the officer's scope, newest first; late and missing reports flagged.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "duty", security(("bearer" = [])),
    responses((status = 200, body = Vec<IncidentView>), (status = 401, body = ErrorBody)))]
pub async fn incidents(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<IncidentView>>> {
    let list = app::duty::incidents(&state, &actor).await?;
    Ok(Json(list.into_iter().map(|i| view(&state, i)).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentBody {
    pub unit_id: i64,
    pub title: String,
    pub severity: Severity,
    /// When it happened, RFC 3339 (e.g. `2026-11-22T08:30:00+08:00`).
    pub occurred_at: chrono::DateTime<chrono::FixedOffset>,
    /// The report, if made at once.
    pub report: Option<String>,
}

/// Note an urgent incident (and report it at once, with `report`).
#[utoipa::path(post, path = "/api/v1/incidents", tag = "duty", request_body = IncidentBody, security(("bearer" = [])),
    responses((status = 201, body = IncidentView), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn note(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(b): ApiJson<IncidentBody>,
) -> ApiResult<(StatusCode, Json<IncidentView>)> {
    let new = NoteIncident {
        unit: UnitId(b.unit_id),
        title: b.title,
        severity: b.severity,
        occurred_at: b.occurred_at.timestamp_millis(),
        report: b.report,
    };
    let i = app::records::create(&state, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(view(&state, i))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    pub text: String,
}

/// Report a noted incident.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/report", tag = "duty", params(("id" = i64, Path)), request_body = ReportBody,
    security(("bearer" = [])),
    responses((status = 200, body = IncidentView), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReportBody>,
) -> ApiResult<Json<IncidentView>> {
    let cmd = IncidentCommand::Report { text: b.text };
    let i = app::records::act(&state, &actor, IncidentId(id), cmd).await?;
    Ok(Json(view(&state, i)))
}
