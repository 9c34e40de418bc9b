//! 每月一题 and 专项治理 through the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use xinfang_domain::CampaignId;
use xinfang_domain::campaign::{Campaign, CampaignCommand};

use crate::app::campaigns::{CampaignBody, CampaignView};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

/// The campaigns the caller may see (leaders, the petition office, the lead unit and those
/// above it), newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "hot issues", security(("bearer" = [])),
    responses((status = 200, body = Vec<Campaign>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<Campaign>>> {
    Ok(Json(app::campaigns::list(&state, &actor).await?))
}

/// A leader takes up a hot issue as a campaign (每月一题 or 专项治理): its cases are linked,
/// and those that join the issue later count too.
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "hot issues", request_body = CampaignBody,
    security(("bearer" = [])),
    responses((status = 201, body = CampaignView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(body): ApiJson<CampaignBody>,
) -> ApiResult<(StatusCode, Json<CampaignView>)> {
    Ok((
        StatusCode::CREATED,
        Json(app::campaigns::create(&state, &actor, body).await?),
    ))
}

/// A campaign with its progress (resolved share, satisfaction, new cases and repeat petitions
/// since it began, per month) and the cases the caller may see.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}", tag = "hot issues", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<CampaignView>> {
    Ok(Json(
        app::campaigns::get(&state, &actor, CampaignId(id)).await?,
    ))
}

/// `{"action": "link", "cases": [ids]}` (the lead unit or a leader), `{"action": "revise",
/// "goal", "deadline"}` or `{"action": "close", "summary"}` (a leader).
#[utoipa::path(post, path = "/api/v1/campaigns/{id}/actions", tag = "hot issues", params(("id" = i64, Path)),
    request_body = CampaignCommand, security(("bearer" = [])),
    responses((status = 200, body = CampaignView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(cmd): ApiJson<CampaignCommand>,
) -> ApiResult<Json<CampaignView>> {
    Ok(Json(
        app::campaigns::act(&state, &actor, CampaignId(id), cmd).await?,
    ))
}
