//! 接访: reception days, sessions the officer may see, petitions taken there.

use chrono::NaiveDate;
use xinfang_domain::reception::{Arrange, Rotation, Session, SessionKind};
use xinfang_domain::{Actor, Case, NewCase, PersonId, SessionId, UnitId, access};
use xinfang_store::records::RecordQuery;

use super::records;
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Leaders' reception days in the units the officer oversees, for `weeks` weeks from today.
pub async fn days(
    state: &AppState,
    actor: &Actor,
    weeks: u32,
) -> ApiResult<Vec<(UnitId, NaiveDate, PersonId, String)>> {
    let today = state.store.clock().today();
    Ok(state
        .store
        .reception_days(&access::oversight(actor), today, weeks)
        .await?)
}

/// Sessions held at the units the officer oversees, by date.
pub async fn sessions(state: &AppState, actor: &Actor) -> ApiResult<Vec<Session>> {
    let q = RecordQuery {
        by_due: true,
        limit: 500,
        ..Default::default()
    };
    records::list(state, actor, q).await
}

/// Registers a petition taken at a session the officer may see, linked to it.
pub async fn register(
    state: &AppState,
    actor: &Actor,
    id: SessionId,
    new: NewCase,
) -> ApiResult<Case> {
    records::one(state, actor, id).await?;
    let new = super::cases::typed_in(new)?;
    Ok(state.store.register_at_session(id, new, actor).await?)
}

/// Sets (or replaces) a unit's weekly reception rotation.
pub async fn set_rotation(
    state: &AppState,
    actor: &Actor,
    unit: UnitId,
    weekday: u32,
    leaders: &[PersonId],
    starts: NaiveDate,
) -> ApiResult<Rotation> {
    Ok(state
        .store
        .set_rotation(unit, weekday, leaders, starts, actor)
        .await?)
}

/// Arranges a reception or a field visit with a leader.
pub async fn arrange(
    state: &AppState,
    actor: &Actor,
    kind: SessionKind,
    unit: UnitId,
    date: NaiveDate,
    leader: PersonId,
) -> ApiResult<Session> {
    let leader = state
        .store
        .actor(leader)
        .await?
        .ok_or_else(|| ApiError::not_found("接访领导"))?;
    let new = Arrange {
        kind,
        unit,
        date,
        leader,
    };
    records::create(state, actor, new).await
}
