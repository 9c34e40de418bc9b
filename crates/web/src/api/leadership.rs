//! 领导包案 through the API: attach a leader to a case, the 五个一, caseloads.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::access;
use xinfang_domain::ownership::{Ownership, OwnershipCommand, OwnershipKind};
use xinfang_domain::{Actor, CaseId, PersonId};
use xinfang_store::ownership::OwnershipFilter;

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `me`: the officer's own; otherwise every leader's in the officer's scope.
    pub leader: Option<String>,
    pub open: Option<bool>,
    pub case_id: Option<i64>,
}

pub async fn visible_list(
    state: &AppState,
    actor: &Actor,
    q: &ListQuery,
) -> ApiResult<Vec<Ownership>> {
    let f = OwnershipFilter {
        leader: match q.leader.as_deref() {
            Some("me") => Some(actor.person),
            None | Some("") | Some("all") => None,
            Some(_) => return Err(ApiError::bad_request("bad_query", "leader 应为 me 或 all")),
        },
        under_path: (q.leader.as_deref() != Some("me") && q.case_id.is_none())
            .then(|| access::oversight(actor).path().cloned())
            .flatten(),
        case_id: q.case_id.map(CaseId),
        open_only: q.open.unwrap_or(false),
    };
    let mut list = state.store.ownerships(&f).await?;
    if let Some(id) = q.case_id {
        // On a case page: whoever may see the case sees who owns it.
        let case = state
            .store
            .case(CaseId(id))
            .await?
            .ok_or_else(|| ApiError::not_found("信访事项"))?;
        if !state.store.may_see(actor, &case) {
            return Err(ApiError::forbidden("无权查看此信访事项"));
        }
    } else {
        list.retain(|o| may_see(state, actor, o));
    }
    Ok(list)
}

fn may_see(state: &AppState, actor: &Actor, o: &Ownership) -> bool {
    o.leader == actor.person
        || state
            .store
            .org()
            .get(o.leader_unit)
            .is_ok_and(|u| access::oversight(actor).covers(&u.path))
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
    let o = state
        .store
        .attach_leader(CaseId(id), PersonId(b.leader_id), b.kind, b.due, &actor)
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
    Ok(Json(state.store.own(id, cmd, &actor).await?))
}
