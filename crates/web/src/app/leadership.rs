//! 领导包案: the leader's own cases, those of the leaders overseen, a case's owners.

use chrono::NaiveDate;
use xinfang_domain::ownership::{Ownership, OwnershipCommand, OwnershipKind};
use xinfang_domain::{Actor, CaseId, OwnershipId, PersonId};
use xinfang_store::records::RecordQuery;

use super::{cases, records};
use crate::AppState;
use crate::error::ApiResult;

/// Whose ownerships to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Whose {
    /// The officer's own, as a leader.
    Mine,
    /// Every leader's in the units the officer oversees.
    Overseen,
    /// A case's (whoever may see the case sees who owns it).
    Case(CaseId),
}

/// Ownerships, soonest due first.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    whose: Whose,
    open_only: bool,
) -> ApiResult<Vec<Ownership>> {
    let q = RecordQuery {
        status: open_only.then_some("open"),
        by_due: true,
        limit: 500,
        ..Default::default()
    };
    match whose {
        Whose::Mine => {
            let q = RecordQuery {
                ref_id: Some(actor.person.0),
                ..q
            };
            records::visible(state, actor, q).await
        }
        Whose::Overseen => records::list(state, actor, q).await,
        Whose::Case(id) => {
            cases::visible(state, actor, id).await?;
            let q = RecordQuery {
                case_id: Some(id.0),
                ..q
            };
            Ok(state.store.list(&q).await?)
        }
    }
}

/// Attaches a leader to a case (superior leaders and supervisors).
pub async fn attach(
    state: &AppState,
    actor: &Actor,
    case_id: CaseId,
    leader: PersonId,
    kind: OwnershipKind,
    due: NaiveDate,
) -> ApiResult<Ownership> {
    Ok(state
        .store
        .attach_leader(case_id, leader, kind, due, actor)
        .await?)
}

/// Fills a part of the 五个一 or resolves. The rules of the ownership say who may (the
/// leader, their team, the unit handling the case), which reaches beyond who sees the leader's
/// list, so the record's rules alone decide.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: OwnershipId,
    cmd: OwnershipCommand,
) -> ApiResult<Ownership> {
    Ok(state.store.act_on(id, cmd, actor).await?)
}
