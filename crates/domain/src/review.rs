//! 案件评查 and 回访 (DESIGN.md §5): a scored quality review of a closed case, and a follow-up
//! call on a case after its reply; both count in the handling unit's figures (评查得分率,
//! 回访解决率). The follow-up is about the case's outcome, never a watch on the person. Pure.

use serde::{Deserialize, Serialize};

use crate::access::{self, Duty};
use crate::case::{Case, CaseStatus};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, FollowUpId, QualityReviewId, UnitId};
use crate::org::{Actor, OrgChart};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed, Unchangeable};
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
    pub id: QualityReviewId,
    pub case_id: CaseId,
    /// The handling unit reviewed.
    pub unit: UnitId,
    pub scores: Scores,
    pub findings: String,
    pub reviewed: Signed,
}

/// A review of a closed case, as scored.
#[derive(Debug, Clone)]
pub struct Review {
    pub case_id: CaseId,
    pub scores: Scores,
    pub findings: String,
}

/// The unit a case's review and follow-up concern: the handling unit, else the one responsible.
fn reviewed_unit(case: &Case) -> UnitId {
    case.handling_unit.unwrap_or(case.responsible_unit())
}

/// Whether the officer may do `duty` about the case's unit.
fn may<'a>(ctx: &RecordCtx<'a>, duty: Duty, why: &'static str) -> Result<&'a Case, DomainError> {
    let by = ctx.officer(why)?;
    let case = ctx.case()?;
    if access::may(by, duty, ctx.path(reviewed_unit(case))?) {
        Ok(case)
    } else {
        Err(DomainError::Forbidden(why))
    }
}

impl RecordOf for QualityReviewId {
    type Record = QualityReview;
}

impl Record for QualityReview {
    const KIND: &'static str = "quality_review";
    const NAME: &'static str = "评查";
    type Id = QualityReviewId;
    type New = Review;
    type Command = Unchangeable;

    /// Supervisors and leaders above review a closed case.
    fn create(
        id: QualityReviewId,
        new: &Review,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let case = may(ctx, Duty::ReviewQuality, "案件评查须由上级督查或领导进行")?;
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
        let scores = &new.scores;
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
        let r = QualityReview {
            id,
            case_id: case.id,
            unit,
            scores: scores.clone(),
            findings: text("findings", "评查意见", &new.findings, 5000)?,
            reviewed: Signed::of(ctx.by, ctx.today),
        };
        Ok((r, "case_reviewed"))
    }

    fn decide(
        &self,
        cmd: &Unchangeable,
        _: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        match *cmd {}
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: "done",
            due: Some(self.reviewed.on),
            listed: false,
            case_id: Some(self.case_id),
            ref_id: None,
        }
    }

    fn case_of_new(new: &Review) -> Option<CaseId> {
        Some(new.case_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub id: FollowUpId,
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

/// A follow-up call, as recorded.
#[derive(Debug, Clone)]
pub struct Call {
    pub case_id: CaseId,
    pub reached: bool,
    pub resolved: bool,
    pub rating: Option<Rating>,
    pub note: String,
}

impl RecordOf for FollowUpId {
    type Record = FollowUp;
}

impl Record for FollowUp {
    const KIND: &'static str = "follow_up";
    const NAME: &'static str = "回访";
    type Id = FollowUpId;
    type New = Call;
    type Command = Unchangeable;

    /// Officers in scope call back on a case that has been answered.
    fn create(
        id: FollowUpId,
        new: &Call,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let case = may(ctx, Duty::FollowUp, "只能回访本单位及下级单位办理的事项")?;
        let (Some(unit), Some(_)) = (case.handling_unit, case.replied_on) else {
            return Err(DomainError::IllegalTransition {
                status: case.status.label(),
                action: "回访",
            });
        };
        let f = FollowUp {
            id,
            case_id: case.id,
            unit,
            reached: new.reached,
            resolved: new.reached && new.resolved,
            rating: new.rating.filter(|_| new.reached),
            note: text("note", "回访情况", &new.note, 2000)?,
            called: Signed::of(ctx.by, ctx.today),
        };
        Ok((f, "case_followed_up"))
    }

    fn decide(
        &self,
        cmd: &Unchangeable,
        _: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        match *cmd {}
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: if self.reached { "reached" } else { "unreached" },
            due: Some(self.called.on),
            listed: false,
            case_id: Some(self.case_id),
            ref_id: None,
        }
    }

    fn case_of_new(new: &Call) -> Option<CaseId> {
        Some(new.case_id)
    }
}
