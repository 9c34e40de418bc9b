//! 排查台账: the entries of the units the officer oversees, and an entry turned into a case.

use xinfang_domain::ledger::{Dispute, DisputeStatus};
use xinfang_domain::{Actor, Case, DisputeId, NewCase};
use xinfang_store::records::RecordQuery;

use super::records;
use crate::AppState;
use crate::error::ApiResult;

/// Entries of the units the officer oversees, soonest due first.
pub async fn list(state: &AppState, actor: &Actor, open_only: bool) -> ApiResult<Vec<Dispute>> {
    let q = RecordQuery {
        status: open_only.then_some(DisputeStatus::Open.code()),
        by_due: true,
        limit: 500,
        ..Default::default()
    };
    records::list(state, actor, q).await
}

/// Registers a petition about an entry the officer may see; the entry continues as the case.
pub async fn to_case(
    state: &AppState,
    actor: &Actor,
    id: DisputeId,
    new: NewCase,
) -> ApiResult<Case> {
    records::one(state, actor, id).await?;
    let new = super::cases::typed_in(new)?;
    Ok(state.store.dispute_to_case(id, new, actor).await?)
}
