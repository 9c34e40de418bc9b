//! 案件评查 and 回访 through the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinfang_domain::review::{Call, FollowUp, QualityReview, Review, Scores};
use xinfang_domain::{CaseId, Rating};

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub scores: Scores,
    pub findings: String,
}

/// Review a closed case (supervisors and leaders above its handling unit).
#[utoipa::path(post, path = "/api/v1/cases/{id}/review", tag = "review", params(("id" = i64, Path)), request_body = ReviewBody,
    security(("bearer" = [])),
    responses((status = 201, body = QualityReview), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn review(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult<(StatusCode, Json<QualityReview>)> {
    let new = Review {
        case_id: CaseId(id),
        scores: b.scores,
        findings: b.findings,
    };
    let r = app::records::create(&state, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpBody {
    pub reached: bool,
    #[serde(default)]
    pub resolved: bool,
    pub rating: Option<Rating>,
    pub note: String,
}

/// Record a follow-up call on an answered case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/follow-ups", tag = "review", params(("id" = i64, Path)), request_body = FollowUpBody,
    security(("bearer" = [])),
    responses((status = 201, body = FollowUp), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn follow_up(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<FollowUpBody>,
) -> ApiResult<(StatusCode, Json<FollowUp>)> {
    let new = Call {
        case_id: CaseId(id),
        reached: b.reached,
        resolved: b.resolved,
        rating: b.rating,
        note: b.note,
    };
    let f = app::records::create(&state, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

#[derive(Serialize, ToSchema)]
pub struct Reviews {
    pub reviews: Vec<QualityReview>,
    pub follow_ups: Vec<FollowUp>,
}

/// The reviews and follow-up calls of a case the officer may see.
#[utoipa::path(get, path = "/api/v1/cases/{id}/reviews", tag = "review", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Reviews), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Reviews>> {
    let (reviews, follow_ups) = app::review::of_case(&state, &actor, CaseId(id)).await?;
    Ok(Json(Reviews {
        reviews,
        follow_ups,
    }))
}
