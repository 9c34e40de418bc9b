//! 排查台账 through the API.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use xinfang_domain::ledger::{Dispute, DisputeCommand, DisputeInput};
use xinfang_domain::{DisputeId, NewCase};

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only entries still being resolved.
    pub open: Option<bool>,
}

/// Entries of units in the officer's scope, soonest due first.
#[utoipa::path(get, path = "/api/v1/ledger", tag = "ledger", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<Dispute>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Dispute>>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    Ok(Json(
        app::ledger::list(&state, &actor, q.open.unwrap_or(false)).await?,
    ))
}

/// Record a dispute found by screening.
#[utoipa::path(post, path = "/api/v1/ledger", tag = "ledger", request_body = DisputeInput, security(("bearer" = [])),
    responses((status = 201, body = Dispute), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(input): ApiJson<DisputeInput>,
) -> ApiResult<(StatusCode, Json<Dispute>)> {
    Ok((
        StatusCode::CREATED,
        Json(app::records::create(&state, &actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/ledger/{id}", tag = "ledger", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Dispute), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Dispute>> {
    Ok(Json(
        app::records::one(&state, &actor, DisputeId(id)).await?,
    ))
}

/// `{"action": "revise", "plan": "…", "risk": "high", "due": "2026-12-31"}` or
/// `{"action": "resolve", "note": "…"}`.
#[utoipa::path(post, path = "/api/v1/ledger/{id}/actions", tag = "ledger", params(("id" = i64, Path)), request_body = DisputeCommand,
    security(("bearer" = [])),
    responses((status = 200, body = Dispute), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(cmd): ApiJson<DisputeCommand>,
) -> ApiResult<Json<Dispute>> {
    Ok(Json(
        app::records::act(&state, &actor, DisputeId(id), cmd).await?,
    ))
}

/// Register a petition about the entry; the entry continues as that case.
#[utoipa::path(post, path = "/api/v1/ledger/{id}/case", tag = "ledger", params(("id" = i64, Path)), request_body = NewCase,
    security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn to_case(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(new): ApiJson<NewCase>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let case = app::ledger::to_case(&state, &actor, DisputeId(id), new).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({"case_id": case.id.0, "case_no": case.case_no})),
    ))
}
