//! 督查督办 through the API: list what the officer's scope holds, raise by hand, act on one.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::access;
use xinfang_domain::supervision::{Supervision, SupervisionCommand, SupervisionStatus};
use xinfang_domain::{Actor, CaseId, UnitId};
use xinfang_store::supervision::SupervisionFilter;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};

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

/// The supervision the officer may see: over units in their scope (the petition office's
/// scope is the level it serves).
pub async fn visible_list(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
) -> ApiResult<Vec<Supervision>> {
    let status = match q.status.as_deref() {
        None | Some("") => None,
        Some("open") => Some(SupervisionStatus::Open),
        Some("answered") => Some(SupervisionStatus::Answered),
        Some("closed") => Some(SupervisionStatus::Closed),
        Some(_) => {
            return Err(ApiError::bad_request(
                "bad_query",
                "status 应为 open、answered 或 closed",
            ));
        }
    };
    let filter = SupervisionFilter {
        under_path: access::oversight(actor).path().cloned(),
        status,
        listed: q.listed.unwrap_or(false),
        case_id: q.case_id.map(CaseId),
        limit: 500,
    };
    Ok(state.store.supervisions(&filter).await?)
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
    Ok(Json(visible_list(&state, &actor, &q).await?))
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
    let s = state
        .store
        .raise_supervision(
            body.case_id.map(CaseId),
            UnitId(body.unit_id),
            &body.reason,
            &actor,
        )
        .await?;
    Ok((axum::http::StatusCode::CREATED, Json(s)))
}

/// One supervision in the officer's scope.
pub async fn visible_one(state: &AppState, actor: &Actor, id: i64) -> ApiResult<Supervision> {
    let s = state
        .store
        .supervision(id)
        .await?
        .ok_or_else(|| ApiError::not_found("督办"))?;
    let org = state.store.org();
    if !org
        .get(s.unit)
        .is_ok_and(|u| access::oversight(actor).covers(&u.path))
    {
        return Err(ApiError::forbidden("无权查看此督办"));
    }
    Ok(s)
}

#[utoipa::path(get, path = "/api/v1/supervision/{id}", tag = "supervision", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Supervision), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Supervision>> {
    Ok(Json(visible_one(&state, &actor, id).await?))
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
    visible_one(&state, &actor, id).await?;
    Ok(Json(state.store.supervise(id, cmd, &actor).await?))
}
