//! 联席会议: meetings the officer may see, the cases waiting for one, tasks, and what officers
//! decide there.

use chrono::NaiveDate;
use xinfang_domain::conference::{
    AgendaItem, Convene, Meeting, MeetingCommand, Task, TaskCommand, TaskStatus,
};
use xinfang_domain::{Actor, CaseId, MeetingId, TaskId, UnitId};
use xinfang_store::conference::MeetingFile;
use xinfang_store::records::RecordQuery;

use super::records;
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Meetings the officer may see (hosted by units they oversee, or sat on by their unit),
/// soonest first.
pub async fn meetings(state: &AppState, actor: &Actor) -> ApiResult<Vec<Meeting>> {
    let q = RecordQuery {
        by_due: true,
        limit: 200,
        ..Default::default()
    };
    records::visible(state, actor, q).await
}

/// A meeting the officer may see, with its agenda and tasks.
pub async fn meeting(state: &AppState, actor: &Actor, id: MeetingId) -> ApiResult<MeetingFile> {
    records::one(state, actor, id).await?;
    state
        .store
        .meeting(id)
        .await?
        .ok_or_else(|| ApiError::not_found("会议"))
}

/// Cases waiting for the next meeting, in the units the officer oversees.
pub async fn waiting(state: &AppState, actor: &Actor) -> ApiResult<Vec<AgendaItem>> {
    let q = RecordQuery {
        status: Some("proposed"),
        by_due: true,
        limit: 500,
        ..Default::default()
    };
    records::list(state, actor, q).await
}

/// Tasks of the units the officer oversees (a department's own), soonest due first.
pub async fn tasks(state: &AppState, actor: &Actor, open_only: bool) -> ApiResult<Vec<Task>> {
    let q = RecordQuery {
        status: open_only.then_some(TaskStatus::Open.code()),
        by_due: true,
        limit: 500,
        ..Default::default()
    };
    records::list(state, actor, q).await
}

pub async fn convene(state: &AppState, actor: &Actor, new: Convene) -> ApiResult<Meeting> {
    Ok(state.store.convene(new, actor).await?)
}

pub async fn minutes(
    state: &AppState,
    actor: &Actor,
    id: MeetingId,
    minutes: String,
) -> ApiResult<Meeting> {
    records::act(state, actor, id, MeetingCommand::RecordMinutes { minutes }).await
}

/// A decision on a case of a meeting the officer may see.
pub async fn decide(
    state: &AppState,
    actor: &Actor,
    meeting: MeetingId,
    case_id: CaseId,
    unit: UnitId,
    task: &str,
    due: NaiveDate,
) -> ApiResult<Task> {
    records::one(state, actor, meeting).await?;
    Ok(state
        .store
        .decide_task(meeting, case_id, unit, task, due, actor)
        .await?)
}

/// Puts a case on the agenda by hand.
pub async fn propose(
    state: &AppState,
    actor: &Actor,
    case_id: CaseId,
    reason: &str,
) -> ApiResult<AgendaItem> {
    Ok(state.store.propose(case_id, reason, actor).await?)
}

/// The assigned unit reports a task done.
pub async fn complete(
    state: &AppState,
    actor: &Actor,
    id: TaskId,
    evidence: String,
) -> ApiResult<Task> {
    records::act(state, actor, id, TaskCommand::Complete { evidence }).await
}
