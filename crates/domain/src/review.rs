//! 案件评查 and 回访 (DESIGN.md §5): a scored quality review of a closed case, and a follow-up
//! call on a case after its reply; both count in the handling unit's figures (评查得分率,
//! 回访解决率). The follow-up is about the case's outcome, never a watch on the person. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty, UnitPath};
use crate::case::{Case, CaseStatus};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, UnitId};
use crate::org::Actor;
use crate::supervision::Signed;
use crate::vocab::Rating;

/// Each item of the review form is scored 0–25; the total is out of 100.
pub const ITEM_MAX: u32 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scores {
    /// 受理规范: acceptance decided properly and in time.
    pub acceptance: u32,
    /// 办理规范: investigation and handling.
    pub handling: u32,
    /// 答复质量: the written reply answers the request with facts and law.
    pub reply: u32,
    /// 程序时限: deadlines and notices kept.
    pub procedure: u32,
}

impl Scores {
    pub fn total(&self) -> u32 {
        self.acceptance + self.handling + self.reply + self.procedure
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityReview {
    pub id: i64,
    pub case_id: CaseId,
    /// The handling unit reviewed.
    pub unit: UnitId,
    pub scores: Scores,
    pub findings: String,
    pub reviewed: Signed,
}

/// Reviews a closed case; `unit_path` is its handling unit's. Supervisors and leaders above.
pub fn review(
    id: i64,
    case: &Case,
    unit_path: &UnitPath,
    scores: Scores,
    findings: &str,
    by: &Actor,
    today: NaiveDate,
) -> Result<QualityReview, DomainError> {
    if !access::may(by, Duty::ReviewQuality, unit_path) {
        return Err(DomainError::Forbidden("案件评查须由上级督查或领导进行"));
    }
    let unit = case.handling_unit.ok_or(DomainError::IllegalTransition {
        status: case.status.label(),
        action: "评查",
    })?;
    if !matches!(case.status, CaseStatus::Closed | CaseStatus::Final) {
        return Err(DomainError::IllegalTransition {
            status: case.status.label(),
            action: "评查",
        });
    }
    for (field, v) in [
        ("scores.acceptance", scores.acceptance),
        ("scores.handling", scores.handling),
        ("scores.reply", scores.reply),
        ("scores.procedure", scores.procedure),
    ] {
        if v > ITEM_MAX {
            return Err(DomainError::invalid(
                field,
                format!("每项评分为0至{ITEM_MAX}分"),
            ));
        }
    }
    Ok(QualityReview {
        id,
        case_id: case.id,
        unit,
        scores,
        findings: text("findings", "评查意见", findings, 5000)?,
        reviewed: Signed::of(Some(by), today),
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: i64,
    pub case_id: CaseId,
    /// The handling unit whose work is followed up.
    pub unit: UnitId,
    /// Whether the petitioner could be reached.
    pub reached: bool,
    /// Whether the problem is solved, in the petitioner's words (when reached).
    pub resolved: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    pub note: String,
    pub called: Signed,
}

/// Records a follow-up call on a case that has been answered; officers in scope.
#[allow(clippy::too_many_arguments)]
pub fn follow_up(
    id: i64,
    case: &Case,
    unit_path: &UnitPath,
    reached: bool,
    resolved: bool,
    rating: Option<Rating>,
    note: &str,
    by: &Actor,
    today: NaiveDate,
) -> Result<FollowUp, DomainError> {
    if !access::may(by, Duty::FollowUp, unit_path) {
        return Err(DomainError::Forbidden("只能回访本单位及下级单位办理的事项"));
    }
    let (Some(unit), Some(_)) = (case.handling_unit, case.replied_on) else {
        return Err(DomainError::IllegalTransition {
            status: case.status.label(),
            action: "回访",
        });
    };
    Ok(FollowUp {
        id,
        case_id: case.id,
        unit,
        reached,
        resolved: reached && resolved,
        rating: rating.filter(|_| reached),
        note: text("note", "回访情况", note, 2000)?,
        called: Signed::of(Some(by), today),
    })
}
