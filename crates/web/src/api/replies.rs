//! The reply check through the API.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::app::replies::{ReplyCheck, ReplyKind};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// The petition, its title first (up to 20,300 characters).
    pub petition: String,
    /// The drafted reply (up to 20,000 characters).
    pub reply: String,
    /// What the reply is (default `reply`, a 处理意见书): it decides whether the petitioner
    /// must be told of a review (`no_remedy`).
    #[serde(default)]
    pub kind: ReplyKind,
}

/// Checks a drafted reply before sign-off: whether it addresses the petition (`off_topic`),
/// cites a basis (`no_basis`), tells the petitioner what may follow (`no_remedy`, for a
/// 处理意见书 or 复查意见书 only), says what was found and decided (`incomplete`), and keeps a
/// proper tone (`tone`). It advises; nothing is blocked.
#[utoipa::path(post, path = "/api/v1/replies/check", tag = "replies", request_body = CheckBody,
    security(("bearer" = [])),
    responses((status = 200, body = ReplyCheck), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn check(
    State(state): State<AppState>,
    Officer(_, _): Officer,
    ApiJson(b): ApiJson<CheckBody>,
) -> ApiResult<Json<ReplyCheck>> {
    Ok(Json(app::replies::check(
        &state,
        &b.petition,
        &b.reply,
        b.kind,
    )?))
}
