//! The one shape of the mechanisms' records (DESIGN.md §5): supervision, joint meetings with
//! their agenda and tasks, leader ownership, receptions, the dispute ledger, duty and incidents,
//! quality reviews and follow-up calls. Each is a [`Record`]: made from an input, changed by
//! commands, each decision pure and taken here with who acts and the day; the store keeps them
//! all in one table through one engine and logs every change.

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::access::UnitPath;
use crate::calendar::Calendar;
use crate::case::Case;
use crate::error::DomainError;
use crate::ids::{CaseId, PersonId, RecordKey, UnitId};
use crate::org::{Actor, OrgChart};

/// What a record's rules know of the world when they decide.
#[derive(Clone, Copy)]
pub struct RecordCtx<'a> {
    /// The officer acting; `None` for the system (the minute sweep).
    pub by: Option<&'a Actor>,
    pub today: NaiveDate,
    /// Now, in milliseconds since the epoch.
    pub now_ms: i64,
    /// The day of an instant in the deployment's time zone.
    pub day_of: &'a (dyn Fn(i64) -> NaiveDate + Sync),
    pub org: &'a OrgChart,
    pub calendar: &'a Calendar,
    /// The case the change concerns ([`Record::case_of_new`], [`Record::case_of_command`]), as
    /// committed; the store loads it in the same transaction.
    pub case: Option<&'a Case>,
}

impl<'a> RecordCtx<'a> {
    /// The acting officer; the system may not do what only people do.
    pub fn officer(&self, why: &'static str) -> Result<&'a Actor, DomainError> {
        self.by.ok_or(DomainError::Forbidden(why))
    }

    /// The case the change concerns: missing when the store found none, and when the acting
    /// officer may not refer to it ([`crate::access::may_refer_to_case`]).
    pub fn case(&self) -> Result<&'a Case, DomainError> {
        let case = self.case.ok_or(DomainError::NotFound("信访事项"))?;
        match self.by {
            Some(actor) if !crate::access::may_refer_to_case(actor, case, self.org) => {
                Err(DomainError::NotFound("信访事项"))
            }
            _ => Ok(case),
        }
    }

    pub fn path(&self, unit: UnitId) -> Result<&'a UnitPath, DomainError> {
        Ok(&self.org.get(unit)?.path)
    }
}

/// The columns the store filters records by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    /// The unit the record belongs to: who sees it is decided by this unit's place.
    pub unit: UnitId,
    pub status: &'static str,
    /// The day lists sort by (a deadline, a meeting's date …).
    pub due: Option<NaiveDate>,
    /// Shown to leaders (挂牌督办, high-risk disputes).
    pub listed: bool,
    pub case_id: Option<CaseId>,
    /// The record or person this one belongs to (a meeting's items, a leader's sessions).
    pub ref_id: Option<i64>,
}

/// A kind of record and its rules.
pub trait Record: Sized + Clone + Serialize + DeserializeOwned + Send + Sync + 'static {
    /// Stable kind, as stored.
    const KIND: &'static str;
    /// What a missing one is called in messages (督办, 会议 …).
    const NAME: &'static str;
    type Id: RecordKey;
    /// How a new one comes to be.
    type New: Send + Sync + 'static;
    /// What can be done to one.
    type Command: Send + Sync + 'static;
    /// Where the record holds citizens' personal data (names, phone numbers), as JSON pointers
    /// with `*` for every item of an array (`/appointments/*/phone`): the store keeps those
    /// values sealed apart from the log and the read model.
    const PERSONAL: &'static [&'static str] = &[];

    /// A new record with id `id` and the event that logs it, or why not.
    fn create(
        id: Self::Id,
        new: &Self::New,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError>;

    /// The record after `cmd` and the event that logs it, or why not (the record is unchanged).
    fn decide(
        &self,
        cmd: &Self::Command,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError>;

    fn columns(&self, ctx: &RecordCtx) -> Columns;

    /// Whether `actor` may see the record (and so act on it, as its rules allow): see
    /// [`crate::access::sees_record`], which the kinds widen where the design says so.
    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool;

    /// The case a new record concerns, for [`RecordCtx::case`].
    fn case_of_new(_new: &Self::New) -> Option<CaseId> {
        None
    }

    /// The case a command concerns, for [`RecordCtx::case`].
    fn case_of_command(&self, _cmd: &Self::Command) -> Option<CaseId> {
        None
    }
}

/// One change of a kept record (a dispatch rule, a knowledge entry): its version, who made it
/// and when, and what it was (新建, 修改, 批准, 停用, 启用 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub version: u32,
    pub what: String,
    pub signed: Signed,
}

/// Who did something and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Signed {
    pub by: Option<PersonId>,
    pub by_name: String,
    pub on: NaiveDate,
}

impl Signed {
    pub(crate) fn of(by: Option<&Actor>, on: NaiveDate) -> Signed {
        Signed {
            by: by.map(|a| a.person),
            by_name: by.map_or_else(|| "系统".to_string(), |a| a.name.clone()),
            on,
        }
    }
}

/// The id of a record names its kind, so that `store.act_on(id, command, …)` needs no more.
pub trait RecordOf: RecordKey {
    type Record: Record<Id = Self>;
}

/// The command of records that are made once and never changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unchangeable {}
