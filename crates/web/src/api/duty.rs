//! 值班、信息报送 through the API: the roster, incidents and their reports, with flags.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinfang_domain::access;
use xinfang_domain::duty::{DutyDay, Incident, ReportState, Severity};
use xinfang_domain::{Actor, UnitId};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};

/// The roster of the officer's scope from today on.
#[utoipa::path(get, path = "/api/v1/duty", tag = "duty", security(("bearer" = [])),
    responses((status = 200, body = Vec<DutyDay>), (status = 401, body = ErrorBody)))]
pub async fn roster(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<DutyDay>>> {
    let today = state.store.clock().today();
    Ok(Json(
        state
            .store
            .roster(&access::oversight(&actor), today)
            .await?,
    ))
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
    Ok(Json(
        state
            .store
            .set_duty(
                UnitId(b.unit_id),
                b.date,
                &b.leader,
                &b.officer,
                &b.phone,
                &actor,
            )
            .await?,
    ))
}

/// An incident with where its report stands now.
#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    #[serde(flatten)]
    pub incident: Incident,
    /// due, missing, on_time or late.
    #[schema(value_type = String)]
    pub report_state: ReportState,
    pub flagged: bool,
}

pub fn view(state: &AppState, i: Incident) -> IncidentView {
    let s = i.state(state.store.clock().now_ms());
    IncidentView {
        incident: i,
        report_state: s,
        flagged: s.flagged(),
    }
}

/// Incidents of the officer's scope, newest first; late and missing reports flagged.
#[utoipa::path(get, path = "/api/v1/incidents", tag = "duty", security(("bearer" = [])),
    responses((status = 200, body = Vec<IncidentView>), (status = 401, body = ErrorBody)))]
pub async fn incidents(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<IncidentView>>> {
    let list = state.store.incidents(&access::oversight(&actor)).await?;
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
    let i = state
        .store
        .note_incident(
            UnitId(b.unit_id),
            &b.title,
            b.severity,
            b.occurred_at.timestamp_millis(),
            b.report,
            &actor,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view(&state, i))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    pub text: String,
}

pub async fn visible(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Incident> {
    let i = state
        .store
        .incident(id)
        .await?
        .ok_or_else(|| ApiError::not_found("信息"))?;
    let org = state.store.org();
    if !org
        .get(i.unit)
        .is_ok_and(|u| access::oversight(actor).covers(&u.path))
    {
        return Err(ApiError::forbidden("无权查看此信息"));
    }
    Ok(i)
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
    visible(&state, &actor, id).await?;
    let i = state.store.report_incident(id, &b.text, &actor).await?;
    Ok(Json(view(&state, i)))
}
