//! 派单目录 through the API: the rules (every officer reads them; administrators keep them).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use xinfang_domain::DispatchRuleId;
use xinfang_domain::dispatch::{DispatchRule, DispatchRuleCommand, DispatchRuleInput};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

/// Every rule of the catalogue, in force or stopped, oldest first.
#[utoipa::path(get, path = "/api/v1/dispatch-rules", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = Vec<DispatchRule>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(_actor, _): Officer,
) -> ApiResult<Json<Vec<DispatchRule>>> {
    Ok(Json(app::dispatch::list(&state).await?))
}

/// Add a rule (administrators): a category (group, leaf or code), a region or keywords, to
/// one to five units, with a priority (1–99), optional validity dates and its legal basis.
#[utoipa::path(post, path = "/api/v1/dispatch-rules", tag = "routing", request_body = DispatchRuleInput,
    security(("bearer" = [])),
    responses((status = 201, body = DispatchRule), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(input): ApiJson<DispatchRuleInput>,
) -> ApiResult<(StatusCode, Json<DispatchRule>)> {
    Ok((
        StatusCode::CREATED,
        Json(app::dispatch::create(&state, &actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/dispatch-rules/{id}", tag = "routing", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = DispatchRule), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<DispatchRule>> {
    Ok(Json(
        app::records::one(&state, &actor, DispatchRuleId(id)).await?,
    ))
}

/// `{"action": "revise", "rule": {…}}` (a new version), `{"action": "stop"}` or
/// `{"action": "restart"}` (administrators).
#[utoipa::path(post, path = "/api/v1/dispatch-rules/{id}/actions", tag = "routing", params(("id" = i64, Path)),
    request_body = DispatchRuleCommand, security(("bearer" = [])),
    responses((status = 200, body = DispatchRule), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(cmd): ApiJson<DispatchRuleCommand>,
) -> ApiResult<Json<DispatchRule>> {
    Ok(Json(
        app::dispatch::act(&state, &actor, DispatchRuleId(id), cmd).await?,
    ))
}
