//! 联席会议 through the API: meetings, the agenda waiting for one, decisions as tasks.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::conference::{AgendaItem, Convene, Meeting, Task};
use xinfang_domain::{CaseId, MeetingId, TaskId, UnitId};
use xinfang_store::conference::MeetingFile;

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[utoipa::path(get, path = "/api/v1/conference/meetings", tag = "conference", security(("bearer" = [])),
    responses((status = 200, body = Vec<Meeting>), (status = 401, body = ErrorBody)))]
pub async fn meetings(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<Meeting>>> {
    Ok(Json(app::conference::meetings(&state, &actor).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConveneBody {
    pub title: String,
    /// The convening unit (its scope is what the meeting covers).
    pub host_unit: i64,
    pub members: Vec<i64>,
    pub date: NaiveDate,
}

/// Schedule a meeting; the cases waiting for one in its scope go on its agenda.
#[utoipa::path(post, path = "/api/v1/conference/meetings", tag = "conference", request_body = ConveneBody, security(("bearer" = [])),
    responses((status = 201, body = Meeting), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn convene(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(b): ApiJson<ConveneBody>,
) -> ApiResult<(StatusCode, Json<Meeting>)> {
    let new = Convene {
        title: b.title,
        host: UnitId(b.host_unit),
        members: b.members.into_iter().map(UnitId).collect(),
        date: b.date,
    };
    let m = app::conference::convene(&state, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[utoipa::path(get, path = "/api/v1/conference/meetings/{id}", tag = "conference", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn meeting(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<MeetingFile>> {
    Ok(Json(
        app::conference::meeting(&state, &actor, MeetingId(id)).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MinutesBody {
    pub minutes: String,
}

#[utoipa::path(post, path = "/api/v1/conference/meetings/{id}/minutes", tag = "conference", params(("id" = i64, Path)),
    request_body = MinutesBody, security(("bearer" = [])),
    responses((status = 200, body = Meeting), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn minutes(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MinutesBody>,
) -> ApiResult<Json<Meeting>> {
    Ok(Json(
        app::conference::minutes(&state, &actor, MeetingId(id), b.minutes).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    pub case_id: i64,
    /// The unit that does it.
    pub unit_id: i64,
    pub task: String,
    pub due: NaiveDate,
}

/// A decision on a case of the agenda: a task for a unit with a deadline.
#[utoipa::path(post, path = "/api/v1/conference/meetings/{id}/tasks", tag = "conference", params(("id" = i64, Path)),
    request_body = DecideBody, security(("bearer" = [])),
    responses((status = 201, body = Task), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    let t = app::conference::decide(
        &state,
        &actor,
        MeetingId(id),
        CaseId(b.case_id),
        UnitId(b.unit_id),
        &b.task,
        b.due,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Cases waiting for the next meeting, in the officer's scope.
#[utoipa::path(get, path = "/api/v1/conference/agenda", tag = "conference", security(("bearer" = [])),
    responses((status = 200, body = Vec<AgendaItem>), (status = 401, body = ErrorBody)))]
pub async fn agenda(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<AgendaItem>>> {
    Ok(Json(app::conference::waiting(&state, &actor).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeBody {
    pub case_id: i64,
    pub reason: String,
}

/// Put a case on the agenda by hand (the next meeting that covers it, else waiting).
#[utoipa::path(post, path = "/api/v1/conference/agenda", tag = "conference", request_body = ProposeBody, security(("bearer" = [])),
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn propose(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(b): ApiJson<ProposeBody>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
    let item = app::conference::propose(&state, &actor, CaseId(b.case_id), &b.reason).await?;
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": item.id })),
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TasksQuery {
    /// Only tasks not yet done.
    pub open: Option<bool>,
}

/// Tasks of units in the officer's scope (a department's own), soonest due first.
#[utoipa::path(get, path = "/api/v1/conference/tasks", tag = "conference", params(TasksQuery), security(("bearer" = [])),
    responses((status = 200, body = Vec<Task>), (status = 400, body = ErrorBody)))]
pub async fn tasks(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<TasksQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Task>>> {
    let Query(q) = query.map_err(|e| ApiError::bad_request("bad_query", e.body_text()))?;
    Ok(Json(
        app::conference::tasks(&state, &actor, q.open.unwrap_or(false)).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteBody {
    pub evidence: String,
}

/// The assigned unit reports a task done, with evidence.
#[utoipa::path(post, path = "/api/v1/conference/tasks/{id}/complete", tag = "conference", params(("id" = i64, Path)),
    request_body = CompleteBody, security(("bearer" = [])),
    responses((status = 200, body = Task), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn complete(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CompleteBody>,
) -> ApiResult<Json<Task>> {
    Ok(Json(
        app::conference::complete(&state, &actor, TaskId(id), b.evidence).await?,
    ))
}
