//! Lawful requests about a petitioner's personal data (PIPL arts. 46–47): who may act on them
//! and what each becomes. The data itself lives in the store's petitioner store; the case and
//! the log keep only its digest and standing.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::case::{Case, PersonalStanding};
use crate::error::DomainError;
use crate::org::{Actor, OrgChart, Role};
use crate::petitioner::{PETITIONER_FIELDS, Petitioner};
use crate::policy::Policy;

/// What the petitioner (or the law) asks of their data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum PersonalRequest {
    /// 更正: the record is rewritten with the corrected petitioner.
    Correct {
        petitioner: Petitioner,
        reason: String,
    },
    /// 限制处理: kept, but only stored; not shown, looked up or used for notices.
    Restrict { reason: String },
    /// 删除: removed where no retention duty applies, else restricted.
    Erase { reason: String },
}

impl PersonalRequest {
    pub fn reason(&self) -> &str {
        match self {
            PersonalRequest::Correct { reason, .. }
            | PersonalRequest::Restrict { reason }
            | PersonalRequest::Erase { reason } => reason,
        }
    }
}

/// What the store does with the petitioner record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersonalChange {
    Rewrite(Petitioner),
    Restrict,
    Erase,
}

/// Checks a request and decides what it becomes: who may (an admin, or a registrar of the unit
/// that registered the case and may see it), on what (nothing is done to erased data), and
/// whether the retention period still runs (then erasure restricts instead).
pub fn decide(
    case: &Case,
    request: &PersonalRequest,
    actor: &Actor,
    org: &OrgChart,
    policy: &Policy,
    today: NaiveDate,
) -> Result<PersonalChange, DomainError> {
    if !may_handle(actor, case, org) {
        return Err(DomainError::Forbidden(
            "只有登记单位的登记人员或系统管理员可以处理个人信息请求",
        ));
    }
    crate::error::text("reason", "依据", request.reason(), 500)?;
    if case.personal.standing == PersonalStanding::Erased {
        return Err(DomainError::AlreadyDone("该信访人的个人信息已删除"));
    }
    Ok(match request {
        PersonalRequest::Correct { petitioner, .. } => {
            if case.personal.standing == PersonalStanding::Restricted {
                return Err(DomainError::AlreadyDone("个人信息已限制处理，不能更正"));
            }
            PersonalChange::Rewrite(petitioner.clone().normalized(PETITIONER_FIELDS)?)
        }
        PersonalRequest::Restrict { .. } => PersonalChange::Restrict,
        PersonalRequest::Erase { .. } => match retention_ends(case, policy) {
            Some(end) if end <= today => PersonalChange::Erase,
            _ => PersonalChange::Restrict,
        },
    })
}

/// Whether the officer acts on requests about this case's personal data: an admin, or a
/// registrar of the unit that registered it, who may see the case.
pub fn may_handle(actor: &Actor, case: &Case, org: &OrgChart) -> bool {
    let registrar_here = actor.has(Role::Registrar) && actor.unit == case.registered_unit;
    (actor.has(Role::Admin) || registrar_here) && crate::access::may_see_case(actor, case, org)
}

/// The day the retention of a closed case's personal data ends; `None` while the case is open.
pub fn retention_ends(case: &Case, policy: &Policy) -> Option<NaiveDate> {
    let closed = case.closed_on.filter(|_| case.status.is_terminal())?;
    let years = policy.personal_data.retention_years as i32;
    let year = closed.year() + years;
    closed
        .with_year(year)
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
}
