//! 督查督办 through the API: list what the officer's scope holds, raise by hand, act on one.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::supervision::{Supervision, SupervisionCommand};
use xinfang_domain::{CaseId, SupervisionId, UnitId};

use crate::app::supervision::Filter;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// open, answered or closed.
    pub status: Option<String>,
    /// Only 挂牌督办.
    pub listed: Option<bool>,
    pub case_id: Option<i64>,
}

/// Supervision in the officer's scope, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/supervision", tag = "supervision", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<Supervision>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Supervision>>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    let f = Filter {
        status: Filter::status(q.status.as_deref())
            .map_err(|m| ApiError::bad_request("bad_query", m))?,
        listed: q.listed.unwrap_or(false),
        case_id: q.case_id.map(CaseId),
    };
    Ok(Json(app::supervision::list(&state, &actor, &f).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RaiseBody {
    /// The supervised unit.
    pub unit_id: i64,
    pub case_id: Option<i64>,
    pub reason: String,
}

/// Raise supervision by hand (supervisors and leaders over units in their scope).
#[utoipa::path(post, path = "/api/v1/supervision", tag = "supervision", request_body = RaiseBody, security(("bearer" = [])),
    responses((status = 201, body = Supervision), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn raise(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(body): ApiJson<RaiseBody>,
) -> ApiResult<(axum::http::StatusCode, Json<Supervision>)> {
    let s = app::supervision::raise(
        &state,
        &actor,
        UnitId(body.unit_id),
        body.case_id.map(CaseId),
        body.reason,
    )
    .await?;
    Ok((axum::http::StatusCode::CREATED, Json(s)))
}

#[utoipa::path(get, path = "/api/v1/supervision/{id}", tag = "supervision", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Supervision), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Supervision>> {
    Ok(Json(
        app::records::one(&state, &actor, SupervisionId(id)).await?,
    ))
}

/// Act on a supervision: `{"action": "answer", "text": "…"}`, `{"action": "list", "listed": true}`,
/// `{"action": "hold_accountable", "person": "…", "finding": "…", "measure": "…"}`,
/// `{"action": "close", "note": "…"}`.
#[utoipa::path(post, path = "/api/v1/supervision/{id}/actions", tag = "supervision", params(("id" = i64, Path)),
    request_body = SupervisionCommand, security(("bearer" = [])),
    responses((status = 200, body = Supervision), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(cmd): ApiJson<SupervisionCommand>,
) -> ApiResult<Json<Supervision>> {
    Ok(Json(
        app::records::act(&state, &actor, SupervisionId(id), cmd).await?,
    ))
}
