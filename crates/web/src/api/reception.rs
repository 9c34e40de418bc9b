//! 接访 through the API: rotations and reception days, sessions and what happens at them.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::reception::{Rotation, Session, SessionCommand, SessionKind};
use xinfang_domain::{NewCase, PersonId, SessionId, UnitId};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DaysQuery {
    /// How many weeks ahead (1–52, default 8).
    pub weeks: Option<u32>,
}

#[derive(Serialize, ToSchema)]
pub struct ReceptionDay {
    pub unit_id: i64,
    pub date: NaiveDate,
    pub leader_id: i64,
    pub leader_name: String,
}

/// Leaders' public reception days in the officer's scope.
#[utoipa::path(get, path = "/api/v1/reception/days", tag = "reception", params(DaysQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<ReceptionDay>), (status = 400, body = ErrorBody)))]
pub async fn days(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<DaysQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<ReceptionDay>>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    let weeks = q.weeks.unwrap_or(8);
    if !(1..=52).contains(&weeks) {
        return Err(ApiError::bad_request("bad_query", "weeks 应为1至52"));
    }
    let days = app::reception::days(&state, &actor, weeks).await?;
    Ok(Json(
        days.into_iter()
            .map(|(u, date, p, name)| ReceptionDay {
                unit_id: u.0,
                date,
                leader_id: p.0,
                leader_name: name,
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationBody {
    pub unit_id: i64,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    pub leaders: Vec<i64>,
    pub starts: NaiveDate,
}

/// Set (or replace) a unit's weekly reception rotation.
#[utoipa::path(put, path = "/api/v1/reception/rotation", tag = "reception", request_body = RotationBody, security(("bearer" = [])),
    responses((status = 200, body = Rotation), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rotation(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(b): ApiJson<RotationBody>,
) -> ApiResult<Json<Rotation>> {
    let leaders: Vec<PersonId> = b.leaders.into_iter().map(PersonId).collect();
    Ok(Json(
        app::reception::set_rotation(
            &state,
            &actor,
            UnitId(b.unit_id),
            b.weekday,
            &leaders,
            b.starts,
        )
        .await?,
    ))
}

/// Sessions held at units in the officer's scope, by date.
#[utoipa::path(get, path = "/api/v1/reception/sessions", tag = "reception", security(("bearer" = [])),
    responses((status = 200, body = Vec<Session>)))]
pub async fn sessions(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<Session>>> {
    Ok(Json(app::reception::sessions(&state, &actor).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrangeBody {
    pub kind: SessionKind,
    /// Where: the receiving unit, or the town visited.
    pub unit_id: i64,
    pub date: NaiveDate,
    pub leader_id: i64,
}

/// Arrange a reception or a field visit.
#[utoipa::path(post, path = "/api/v1/reception/sessions", tag = "reception", request_body = ArrangeBody, security(("bearer" = [])),
    responses((status = 201, body = Session), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn arrange(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(b): ApiJson<ArrangeBody>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let s = app::reception::arrange(
        &state,
        &actor,
        b.kind,
        UnitId(b.unit_id),
        b.date,
        PersonId(b.leader_id),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(s)))
}

#[utoipa::path(get, path = "/api/v1/reception/sessions/{id}", tag = "reception", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn session(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Session>> {
    Ok(Json(
        app::records::one(&state, &actor, SessionId(id)).await?,
    ))
}

/// Book an appointment, carry a case (field visit), or record whom the leader met.
#[utoipa::path(post, path = "/api/v1/reception/sessions/{id}/actions", tag = "reception", params(("id" = i64, Path)),
    request_body = SessionCommand, security(("bearer" = [])),
    responses((status = 200, body = Session), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(cmd): ApiJson<SessionCommand>,
) -> ApiResult<Json<Session>> {
    Ok(Json(
        app::records::act(&state, &actor, SessionId(id), cmd).await?,
    ))
}

/// Register a petition taken at the session (registrars); the case is linked to the session.
#[utoipa::path(post, path = "/api/v1/reception/sessions/{id}/cases", tag = "reception", params(("id" = i64, Path)),
    request_body = NewCase, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(new): ApiJson<NewCase>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let case = app::reception::register(&state, &actor, SessionId(id), new).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            serde_json::json!({"case_id": case.id.0, "case_no": case.case_no, "query_code": case.query_code}),
        ),
    ))
}
