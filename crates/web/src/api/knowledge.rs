//! The knowledge base through the API, and the portal's FAQ.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use xinfang_domain::KnowledgeId;
use xinfang_domain::knowledge::{EntryCommand, EntryInput, KnowledgeEntry};

use crate::app::knowledge::{FaqItem, KnowledgeQuery};
use crate::error::{ApiResult, ErrorBody, bad_query};
use crate::extract::{ApiJson, ClientIp, Officer};
use crate::{AppState, app};

/// Entries in force matching the words (title counting double), those of `category` first;
/// `all=true` (administrators) lists every entry with its pending version, newest first.
#[utoipa::path(get, path = "/api/v1/knowledge", tag = "knowledge", params(KnowledgeQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<KnowledgeEntry>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<KnowledgeQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<KnowledgeEntry>>> {
    let Query(q) = query.map_err(bad_query)?;
    Ok(Json(app::knowledge::list(&state, &actor, q).await?))
}

/// A new entry (administrators): a policy document, a Q&A or a reply template; it is offered
/// once another administrator or a leader approves it.
#[utoipa::path(post, path = "/api/v1/knowledge", tag = "knowledge", request_body = EntryInput,
    security(("bearer" = [])),
    responses((status = 201, body = KnowledgeEntry), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(input): ApiJson<EntryInput>,
) -> ApiResult<(StatusCode, Json<KnowledgeEntry>)> {
    Ok((
        StatusCode::CREATED,
        Json(app::knowledge::create(&state, &actor, input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/knowledge/{id}", tag = "knowledge", params(("id" = i64, Path)),
    security(("bearer" = [])),
    responses((status = 200, body = KnowledgeEntry), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<KnowledgeEntry>> {
    Ok(Json(
        app::records::one(&state, &actor, KnowledgeId(id)).await?,
    ))
}

/// `{"action": "revise", "entry": {…}}` (a new version, administrators), `{"action":
/// "approve"}` (another administrator or a leader), `{"action": "withdraw"}` or `{"action":
/// "restore"}` (administrators).
#[utoipa::path(post, path = "/api/v1/knowledge/{id}/actions", tag = "knowledge", params(("id" = i64, Path)),
    request_body = EntryCommand, security(("bearer" = [])),
    responses((status = 200, body = KnowledgeEntry), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(cmd): ApiJson<EntryCommand>,
) -> ApiResult<Json<KnowledgeEntry>> {
    Ok(Json(
        app::knowledge::act(&state, &actor, KnowledgeId(id), cmd).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FaqQuery {
    /// What the citizen is asking or writing (up to 2,000 characters); all questions without.
    #[serde(default)]
    pub q: Option<String>,
}

/// The portal's FAQ (no login; rate-limited): approved public questions and answers, those
/// that match `q` first.
#[utoipa::path(get, path = "/api/v1/public/faq", tag = "public", params(FaqQuery),
    responses((status = 200, body = Vec<FaqItem>), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn faq(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    query: Result<Query<FaqQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<FaqItem>>> {
    state.limits.check_public(ip)?;
    let Query(q) = query.map_err(bad_query)?;
    Ok(Json(
        app::knowledge::faq(&state, q.q.as_deref().unwrap_or(""), 20).await?,
    ))
}
