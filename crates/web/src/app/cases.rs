//! Cases as officers reach them: one they may see, a command on it, registration.

use xinfang_domain::{Actor, Case, CaseId, Command, NewCase, Record};
use xinfang_store::Who;
use xinfang_store::records::RecordQuery;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// A case the officer may see (404 when missing, 403 when not theirs to see).
pub async fn visible(state: &AppState, actor: &Actor, id: CaseId) -> ApiResult<Case> {
    let case = state
        .store
        .case(id)
        .await?
        .ok_or_else(|| ApiError::not_found("信访事项"))?;
    if !state.store.may_see(actor, &case) {
        return Err(ApiError::forbidden("无权查看此信访事项"));
    }
    Ok(case)
}

/// A command on a case the officer may see; the lifecycle's rules decide the rest.
pub async fn act(state: &AppState, actor: &Actor, id: CaseId, cmd: Command) -> ApiResult<Case> {
    visible(state, actor, id).await?;
    Ok(state
        .store
        .act(id, cmd, Who::Officer(actor.clone()))
        .await?)
}

/// Registers a petition taken in by the officer's unit.
pub async fn register(state: &AppState, actor: &Actor, new: NewCase) -> ApiResult<Case> {
    Ok(state
        .store
        .register(new, Who::Officer(actor.clone()), actor.unit)
        .await?)
}

/// The mechanisms' records about a case the officer sees (its supervision, its owners …):
/// whoever sees the case sees them.
pub async fn records_of<R: Record>(state: &AppState, case: &Case) -> ApiResult<Vec<R>> {
    let q = RecordQuery {
        case_id: Some(case.id.0),
        by_due: true,
        limit: 100,
        ..Default::default()
    };
    Ok(state.store.list(&q).await?)
}
