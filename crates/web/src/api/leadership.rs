//! 领导包案 through the API: attach a leader to a case, the 五个一, caseloads.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::ownership::{Ownership, OwnershipCommand, OwnershipKind};
use xinfang_domain::{Actor, CaseId, OwnershipId, PersonId};

use crate::app::leadership::Whose;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `me`: the officer's own; otherwise every leader's in the officer's scope.
    pub leader: Option<String>,
    pub open: Option<bool>,
    pub case_id: Option<i64>,
}

/// The ownerships the query asks for.
pub async fn visible_list(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
) -> ApiResult<Vec<Ownership>> {
    let mine = match q.leader.as_deref() {
        Some("me") => true,
        None | Some("") | Some("all") => false,
        Some(_) => return Err(ApiError::bad_request("bad_query", "leader 应为 me 或 all")),
    };
    let whose = match (q.case_id, mine) {
        (Some(id), _) => Whose::Case(CaseId(id)),
        (None, true) => Whose::Mine,
        (None, false) => Whose::Overseen,
    };
    let mut list = app::leadership::list(state, actor, whose, q.open.unwrap_or(false)).await?;
    if mine {
        list.retain(|o| o.leader == actor.person);
    }
    Ok(list)
}

/// Leader-owned cases: the officer's own (`leader=me`) or those of leaders in their scope.
#[utoipa::path(get, path = "/api/v1/leadership", tag = "leadership", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<Ownership>), (status = 400, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Ownership>>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    Ok(Json(visible_list(&state, &actor, &q).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachBody {
    pub leader_id: i64,
    pub kind: OwnershipKind,
    /// The date the leader undertakes to resolve the case by.
    pub due: NaiveDate,
}

/// Attach a leader to a case (superior leaders and supervisors).
#[utoipa::path(post, path = "/api/v1/cases/{id}/ownership", tag = "leadership", params(("id" = i64, Path)), request_body = AttachBody,
    security(("bearer" = [])),
    responses((status = 201, body = Ownership), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn attach(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AttachBody>,
) -> ApiResult<(StatusCode, Json<Ownership>)> {
    let o = app::leadership::attach(
        &state,
        &actor,
        CaseId(id),
        PersonId(b.leader_id),
        b.kind,
        b.due,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(o)))
}

/// Fill a part of the 五个一 (`{"action": "fill", "part": "plan", "text": "…"}`) or resolve
/// (`{"action": "resolve", "note": "…"}`).
#[utoipa::path(post, path = "/api/v1/leadership/{id}/actions", tag = "leadership", params(("id" = i64, Path)),
    request_body = OwnershipCommand, security(("bearer" = [])),
    responses((status = 200, body = Ownership), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(cmd): ApiJson<OwnershipCommand>,
) -> ApiResult<Json<Ownership>> {
    Ok(Json(
        app::leadership::act(&state, &actor, OwnershipId(id), cmd).await?,
    ))
}
