//! Routing suggestions through the API.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use xinfang_domain::routing::Acceptance;

use crate::app::routing::Suggestions;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuggestBody {
    /// Up to 200 characters.
    #[serde(default)]
    pub title: String,
    /// Up to 20,000 characters; a title or a content is needed.
    #[serde(default)]
    pub content: String,
    /// Where the matter is (up to 100 characters).
    pub region: Option<String>,
}

/// The categories a petition's text points to and the units the caller may route it to, best
/// first (three of each), learned from the office's own decisions; before any model exists,
/// the most frequent ones.
#[utoipa::path(post, path = "/api/v1/routing/suggest", tag = "routing", request_body = SuggestBody,
    security(("bearer" = [])),
    responses((status = 200, body = Suggestions), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn suggest(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(b): ApiJson<SuggestBody>,
) -> ApiResult<Json<Suggestions>> {
    Ok(Json(
        app::routing::suggest(&state, &actor, &b.title, &b.content, b.region.as_deref()).await?,
    ))
}

/// The last twelve months: per month and target (`category` at registration, `unit` at
/// sorting), the decisions made with suggestions shown, how often the first was taken, and how
/// often the final routing was the first (top-1) or among the three (top-3). Administrators.
#[utoipa::path(get, path = "/api/v1/routing/acceptance", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = Vec<Acceptance>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn acceptance(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<Acceptance>>> {
    Ok(Json(app::routing::acceptance(&state, &actor).await?))
}
