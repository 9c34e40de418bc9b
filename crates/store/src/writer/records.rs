//! Deciding a change to a mechanism's record: the record's rules ([`Record`]) with their kind
//! erased, so that the writer holds one kind of job for all of them.

use sqlx::{AnyConnection, Row};
use xinfang_domain::record::{Columns, RecordCtx};
use xinfang_domain::{CaseId, Record, RecordKey};

use super::Who;
use super::batch::Pending;
use crate::personal::fields;
use crate::{Settings, StoreError};

/// A change to one record, its kind erased.
pub(crate) trait Change: Send + Sync {
    fn kind(&self) -> &'static str;
    /// What a missing one is called.
    fn name(&self) -> &'static str;
    /// The record it changes; `None` for a new one.
    fn target(&self) -> Option<i64>;
    /// Makes raising a new record idempotent: none is made when one carries the key.
    fn auto_key(&self) -> Option<&str>;
    /// Whether the change makes the record anew (with `target`, in its place).
    fn creates(&self) -> bool;
    /// Where the kind holds personal data ([`Record::PERSONAL`]).
    fn personal(&self) -> &'static [&'static str];
    /// The case the change concerns, given the record's stored state.
    fn case(&self, current: Option<&str>) -> Result<Option<CaseId>, StoreError>;
    /// The record's new state, or why not.
    fn apply(
        &self,
        id: i64,
        current: Option<&str>,
        ctx: &RecordCtx,
    ) -> Result<(String, Columns, &'static str), StoreError>;
}

/// A record as a change left it: its new state and what logs it.
#[derive(Debug, Clone)]
pub(crate) struct Changed {
    pub id: i64,
    pub kind: &'static str,
    pub columns: Columns,
    /// The record as JSON (with its personal data; the store keeps that apart).
    pub state: String,
    /// Where the record holds personal data.
    pub personal: &'static [&'static str],
    pub event: &'static str,
    pub auto_key: Option<String>,
}

/// The changes of a kind of record.
pub(crate) enum Op<R: Record> {
    /// A new record; with `replace`, made anew in the place of that one.
    Create {
        new: R::New,
        replace: Option<R::Id>,
        auto_key: Option<String>,
    },
    Act {
        id: R::Id,
        cmd: R::Command,
    },
}

fn parse<R: Record>(current: Option<&str>) -> Result<R, StoreError> {
    let state = current.ok_or(StoreError::NotFound(R::NAME))?;
    Ok(serde_json::from_str(state)?)
}

impl<R: Record> Change for Op<R> {
    fn kind(&self) -> &'static str {
        R::KIND
    }

    fn name(&self) -> &'static str {
        R::NAME
    }

    fn target(&self) -> Option<i64> {
        match self {
            Op::Create { replace, .. } => replace.map(RecordKey::raw),
            Op::Act { id, .. } => Some(id.raw()),
        }
    }

    fn auto_key(&self) -> Option<&str> {
        match self {
            Op::Create { auto_key, .. } => auto_key.as_deref(),
            Op::Act { .. } => None,
        }
    }

    fn creates(&self) -> bool {
        matches!(self, Op::Create { .. })
    }

    fn personal(&self) -> &'static [&'static str] {
        R::PERSONAL
    }

    fn case(&self, current: Option<&str>) -> Result<Option<CaseId>, StoreError> {
        Ok(match self {
            Op::Create { new, .. } => R::case_of_new(new),
            Op::Act { cmd, .. } => parse::<R>(current)?.case_of_command(cmd),
        })
    }

    fn apply(
        &self,
        id: i64,
        current: Option<&str>,
        ctx: &RecordCtx,
    ) -> Result<(String, Columns, &'static str), StoreError> {
        let (record, event) = match self {
            Op::Create { new, .. } => R::create(R::Id::of(id), new, ctx)?,
            Op::Act { cmd, .. } => parse::<R>(current)?.decide(cmd, ctx)?,
        };
        Ok((serde_json::to_string(&record)?, record.columns(ctx), event))
    }
}

/// Decides a record change and keeps it in the batch.
pub(super) async fn decide(
    conn: &mut AnyConnection,
    p: &mut Pending,
    s: &Settings,
    change: &dyn Change,
    who: &Who,
    now: i64,
) -> Result<Result<Option<Changed>, StoreError>, StoreError> {
    Ok(match prepare(conn, p, s, change, who, now).await? {
        Ok(Some(changed)) => {
            keep(p, changed.clone(), who, now)?;
            Ok(Some(changed))
        }
        other => other,
    })
}

/// Decides a record change without keeping it: `None` when an automatic record with its key
/// was raised before; the record's current state is this batch's, else the table's.
pub(super) async fn prepare(
    conn: &mut AnyConnection,
    p: &mut Pending,
    s: &Settings,
    change: &dyn Change,
    who: &Who,
    now: i64,
) -> Result<Result<Option<Changed>, StoreError>, StoreError> {
    if let Some(key) = change.auto_key() {
        let in_batch = p
            .records
            .values()
            .any(|r| r.auto_key.as_deref() == Some(key));
        let stored = sqlx::query("SELECT id FROM records WHERE auto_key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        if in_batch || stored.is_some() {
            return Ok(Ok(None));
        }
    }
    let (id, current, auto_key) = match change.target() {
        None => (
            p.head.next_record,
            None,
            change.auto_key().map(String::from),
        ),
        Some(id) => match p.records.get(&id) {
            Some(r) if r.kind == change.kind() => (id, Some(r.state.clone()), r.auto_key.clone()),
            Some(_) => return Ok(Err(StoreError::NotFound(change.name()))),
            None => {
                // A record of another kind is not found, whatever its id.
                let row = sqlx::query(
                    "SELECT records.state AS state, records.auto_key AS auto_key, record_personal.sealed AS sealed \
                     FROM records LEFT JOIN record_personal ON record_personal.record_id = records.id \
                     WHERE records.id = $1 AND records.kind = $2",
                )
                .bind(id)
                .bind(change.kind())
                .fetch_optional(&mut *conn)
                .await?;
                match row {
                    Some(r) => {
                        let state: String = r.try_get("state")?;
                        let sealed = crate::personal::sealed_column(&r, "sealed")?;
                        let full = fields::open(&p.keys, id, &state, sealed.as_deref())?;
                        (id, Some(full), r.try_get("auto_key")?)
                    }
                    None if change.creates() => (id, None, None),
                    None => return Ok(Err(StoreError::NotFound(change.name()))),
                }
            }
        },
    };
    let case = match change.case(current.as_deref()) {
        Ok(Some(case_id)) => p.load_case(conn, case_id).await?,
        Ok(None) => None,
        Err(e) => return Ok(Err(e)),
    };
    let (org, calendar) = (p.org.clone(), p.calendar.clone());
    let day_of = |ms: i64| s.clock.date_of(ms);
    let ctx = RecordCtx {
        by: who.actor(),
        today: s.clock.date_of(now),
        now_ms: now,
        day_of: &day_of,
        org: &org,
        calendar: &calendar,
        case: case.as_ref(),
    };
    Ok(match change.apply(id, current.as_deref(), &ctx) {
        Ok((state, columns, event)) => Ok(Some(Changed {
            id,
            kind: change.kind(),
            columns,
            state,
            personal: change.personal(),
            event,
            auto_key,
        })),
        Err(e) => Err(e),
    })
}

/// Keeps a decided change in the batch, with the event that logs it: the record's personal
/// data sealed apart, the log holding the state without it and the sealed values' digest.
pub(super) fn keep(
    p: &mut Pending,
    changed: Changed,
    who: &Who,
    now: i64,
) -> Result<(), StoreError> {
    if changed.id == p.head.next_record {
        p.head.next_record += 1;
    }
    let (kept, taken) = fields::split(&changed.state, changed.personal)?;
    let digest = if taken.is_empty() {
        if !changed.personal.is_empty() {
            p.record_personal.push((changed.id, None));
        }
        String::new()
    } else {
        let sealed = fields::seal(&p.keys, changed.id, taken)?;
        let digest = format!(r#","personal":"{}""#, sealed.digest);
        p.record_personal.push((changed.id, Some(sealed)));
        digest
    };
    let payload = format!(
        r#"{{"record":{},"kind":"{}","state":{kept}{digest}}}"#,
        changed.id, changed.kind
    );
    p.push_event(None, changed.event, payload, who, now);
    p.records.insert(changed.id, changed);
    Ok(())
}
