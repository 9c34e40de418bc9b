//! The petitioner's side: the case by query code, evaluation and appeals. No login; rate-limited.

use axum::Json;
use axum::extract::{Path, State};
use xinfang_domain::Command;
use xinfang_store::Who;
use xinfang_store::auth::normalise_query_code;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp};
use crate::views::{PETITIONER_ACTIONS, PublicCase, public_view};

async fn by_code(state: &AppState, code: &str) -> ApiResult<xinfang_domain::Case> {
    let code = normalise_query_code(code);
    if code.len() != 16 {
        return Err(ApiError::not_found("查询码对应的信访事项"));
    }
    state
        .store
        .case_by_query_code(&code)
        .await?
        .ok_or_else(|| ApiError::not_found("查询码对应的信访事项"))
}

/// The petitioner's view of a case: steps with dates, notices, the reply and the deadlines now running.
#[utoipa::path(get, path = "/api/v1/public/cases/{query_code}", tag = "public", params(("query_code" = String, Path)),
    responses((status = 200, body = PublicCase), (status = 404, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn get_case(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
) -> ApiResult<Json<PublicCase>> {
    state.limits.check_public(ip)?;
    let case = by_code(&state, &code).await?;
    let entries = state.store.timeline(case.id).await?;
    Ok(Json(public_view(&state.store, &case, &entries)))
}

/// The petitioner evaluates (`evaluate`) or appeals (`request_review`, `request_rereview`).
#[utoipa::path(post, path = "/api/v1/public/cases/{query_code}/actions", tag = "public", params(("query_code" = String, Path)),
    request_body = Command,
    responses((status = 200, body = PublicCase), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(code): Path<String>,
    ApiJson(cmd): ApiJson<Command>,
) -> ApiResult<Json<PublicCase>> {
    state.limits.check_public(ip)?;
    if !PETITIONER_ACTIONS.contains(&cmd.code()) {
        return Err(ApiError::forbidden("信访人只能评价、申请复查或申请复核"));
    }
    let case = by_code(&state, &code).await?;
    let case = state.store.act(case.id, cmd, Who::Petitioner).await?;
    let entries = state.store.timeline(case.id).await?;
    Ok(Json(public_view(&state.store, &case, &entries)))
}
