//! The mechanisms' records as officers reach them: one they may see (else 403; missing or of
//! another kind, 404), a change to it, and the records of the units they oversee.

use xinfang_domain::{Actor, Record, RecordOf, access};
use xinfang_store::records::RecordQuery;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// A record the officer may see.
pub async fn one<I: RecordOf>(state: &AppState, actor: &Actor, id: I) -> ApiResult<I::Record> {
    let name = <I::Record as Record>::NAME;
    let r = state
        .store
        .get(id)
        .await?
        .ok_or_else(|| ApiError::not_found(name))?;
    if !r.visible_to(actor, &state.store.org()) {
        return Err(ApiError::forbidden(format!("无权查看此{name}")));
    }
    Ok(r)
}

/// A command on a record the officer may see; the record's rules decide the rest.
pub async fn act<I: RecordOf>(
    state: &AppState,
    actor: &Actor,
    id: I,
    cmd: <I::Record as Record>::Command,
) -> ApiResult<I::Record> {
    one(state, actor, id).await?;
    Ok(state.store.act_on(id, cmd, actor).await?)
}

pub async fn create<R: Record>(state: &AppState, actor: &Actor, new: R::New) -> ApiResult<R> {
    Ok(state.store.create::<R>(new, actor).await?)
}

/// Records of the units the officer oversees, filtered further by `q`, each one they may see.
pub async fn list<R: Record>(state: &AppState, actor: &Actor, q: RecordQuery) -> ApiResult<Vec<R>> {
    let q = RecordQuery {
        under: access::oversight(actor).path().cloned(),
        ..q
    };
    visible(state, actor, q).await
}

/// The records `q` finds that the officer may see (wherever they are kept: a meeting's member
/// units, a leader's own sessions).
pub async fn visible<R: Record>(
    state: &AppState,
    actor: &Actor,
    q: RecordQuery,
) -> ApiResult<Vec<R>> {
    let org = state.store.org();
    let mut all: Vec<R> = state.store.list(&q).await?;
    all.retain(|r| r.visible_to(actor, &org));
    Ok(all)
}
