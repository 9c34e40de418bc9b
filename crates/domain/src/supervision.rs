//! 督查督办 (DESIGN.md §5): supervision of a unit over a case it is late with, bouncing, or
//! answered carelessly. Raised automatically by the sweeper from the case's state, or by a
//! supervisor; the supervised unit answers within the limit (改进建议: 30 days); 挂牌督办 makes it
//! visible on leaders' pages; accountability records (who, what, measure taken) close the loop.
//! Pure: the store keeps the state and logs each change.

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty};
use crate::case::{Case, CaseStatus};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, SupervisionId, UnitId};
use crate::org::{Actor, OrgChart};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed};

/// Days the supervised unit has to answer a supervision notice (改进建议).
pub const ANSWER_DAYS: i64 = 30;

/// Why supervision was raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Received and neither accepted nor declined within the limit.
    LateAcceptance,
    /// Accepted and not answered within the limit.
    LateHandling,
    /// A written notice that never reached the petitioner.
    MissingNotice,
    /// Sent between units or sent back more than twice (踢皮球).
    Bounced,
    /// Raised by a supervisor (e.g. a careless reply).
    Manual,
}

impl Trigger {
    pub fn code(self) -> &'static str {
        match self {
            Trigger::LateAcceptance => "late_acceptance",
            Trigger::LateHandling => "late_handling",
            Trigger::MissingNotice => "missing_notice",
            Trigger::Bounced => "bounced",
            Trigger::Manual => "manual",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Trigger::LateAcceptance => "逾期未受理",
            Trigger::LateHandling => "逾期未办结",
            Trigger::MissingNotice => "告知未送达",
            Trigger::Bounced => "多次转送退回",
            Trigger::Manual => "督查督办",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SupervisionStatus {
    Open,
    Answered,
    Closed,
}

impl SupervisionStatus {
    pub fn code(self) -> &'static str {
        match self {
            SupervisionStatus::Open => "open",
            SupervisionStatus::Answered => "answered",
            SupervisionStatus::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SupervisionStatus::Open => "待答复",
            SupervisionStatus::Answered => "已答复",
            SupervisionStatus::Closed => "已办结",
        }
    }
}

/// 问责: who was held to account, for what, and the measure taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accountability {
    pub person: String,
    pub finding: String,
    pub measure: String,
    pub recorded: Signed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Supervision {
    pub id: SupervisionId,
    pub case_id: Option<CaseId>,
    /// The supervised unit.
    pub unit: UnitId,
    pub trigger: Trigger,
    pub reason: String,
    pub raised: Signed,
    pub answer_due: NaiveDate,
    /// 挂牌督办: shown on leaders' pages.
    pub listed: bool,
    pub status: SupervisionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<(String, Signed)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub accountability: Vec<Accountability>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<(String, Signed)>,
}

/// What can be done to a supervision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum SupervisionCommand {
    /// 挂牌督办 (or take it off the list).
    List { listed: bool },
    /// The supervised unit's answer: what it found and did.
    Answer { text: String },
    /// Record who is held to account.
    HoldAccountable {
        person: String,
        finding: String,
        measure: String,
    },
    /// Close the loop.
    Close { note: String },
}

impl SupervisionCommand {
    pub fn code(&self) -> &'static str {
        match self {
            SupervisionCommand::List { .. } => "supervision_listed",
            SupervisionCommand::Answer { .. } => "supervision_answered",
            SupervisionCommand::HoldAccountable { .. } => "supervision_accountability",
            SupervisionCommand::Close { .. } => "supervision_closed",
        }
    }
}

/// How a supervision comes to be.
#[derive(Debug, Clone)]
pub enum NewSupervision {
    /// Raised by a supervisor or leader over `unit` (about a case, if given).
    Manual {
        case_id: Option<CaseId>,
        unit: UnitId,
        reason: String,
    },
    /// Raised by the sweeper for what [`due_for`] found.
    Due { case_id: Option<CaseId>, due: Due },
}

/// A supervision the sweeper found due, with the key that makes raising it idempotent: the
/// same lateness of the same case never raises a second one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub key: String,
    pub trigger: Trigger,
    pub unit: UnitId,
    pub reason: String,
}

/// What the sweeper should raise for `case` as of `today`.
pub fn due_for(case: &Case, today: NaiveDate) -> Vec<Due> {
    let mut out = Vec::new();
    let d = &case.deadlines;
    let id = case.id.0;
    if let (CaseStatus::Forwarded | CaseStatus::Assigned, Some(unit), Some(received), Some(due)) = (
        case.status,
        case.handling_unit,
        case.received_on,
        d.accept_due,
    ) && today > due
    {
        out.push(Due {
            key: format!("late_acceptance:{id}:{received}"),
            trigger: Trigger::LateAcceptance,
            unit,
            reason: format!("{}收到信访事项后逾期未受理（受理期限{due}）", received),
        });
    }
    if let (CaseStatus::Handling, Some(unit), Some(accepted), Some(due)) = (
        case.status,
        case.handling_unit,
        case.accepted_on,
        d.handle_due,
    ) && today > due
    {
        out.push(Due {
            key: format!("late_handling:{id}:{accepted}"),
            trigger: Trigger::LateHandling,
            unit,
            reason: format!("已受理的信访事项逾期未出具处理意见（办理期限{due}）"),
        });
    }
    if case.dispatches > 2 || case.objections > 2 {
        out.push(Due {
            key: format!("bounced:{id}"),
            trigger: Trigger::Bounced,
            unit: case.responsible_unit(),
            reason: format!(
                "信访事项已转送交办{}次、被退回{}次，存在推诿",
                case.dispatches, case.objections
            ),
        });
    }
    out
}

impl Supervision {
    /// Open past its answer deadline.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == SupervisionStatus::Open && today > self.answer_due
    }
}

/// Supervisors and leaders over the units they oversee.
fn supervises(ctx: &RecordCtx, unit: UnitId, why: &'static str) -> Result<(), DomainError> {
    let by = ctx.officer(why)?;
    if access::may(by, Duty::Supervise, ctx.path(unit)?) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(why))
    }
}

impl RecordOf for SupervisionId {
    type Record = Supervision;
}

impl Record for Supervision {
    const KIND: &'static str = "supervision";
    const NAME: &'static str = "督办";
    type Id = SupervisionId;
    type New = NewSupervision;
    type Command = SupervisionCommand;

    fn create(
        id: SupervisionId,
        new: &NewSupervision,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let (case_id, unit, trigger, reason, raised) = match new {
            NewSupervision::Manual {
                case_id,
                unit,
                reason,
            } => {
                supervises(ctx, *unit, "督查督办须由上级督查或领导发起")?;
                // A case named must be one the officer may refer to, and at the unit supervised.
                if case_id.is_some() && !access::seen_from(ctx.case()?).any(|u| u == *unit) {
                    return Err(DomainError::invalid(
                        "unit_id",
                        "督办单位应为该事项的办理或责任单位",
                    ));
                }
                let reason = text("reason", "督办事由", reason, 500)?;
                (
                    *case_id,
                    *unit,
                    Trigger::Manual,
                    reason,
                    Signed::of(ctx.by, ctx.today),
                )
            }
            NewSupervision::Due { case_id, due } => (
                *case_id,
                due.unit,
                due.trigger,
                due.reason.clone(),
                Signed::of(None, ctx.today),
            ),
        };
        let s = Supervision {
            id,
            case_id,
            unit,
            trigger,
            reason,
            raised,
            answer_due: ctx.today + Duration::days(ANSWER_DAYS),
            listed: false,
            status: SupervisionStatus::Open,
            answer: None,
            accountability: Vec::new(),
            closed: None,
        };
        Ok((s, "supervision_raised"))
    }

    fn decide(
        &self,
        cmd: &SupervisionCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        use SupervisionStatus as S;
        let illegal = |action| DomainError::IllegalTransition {
            status: self.status.label(),
            action,
        };
        let mut s = self.clone();
        match cmd {
            SupervisionCommand::List { listed } => {
                supervises(ctx, self.unit, "挂牌督办须由上级督查或领导决定")?;
                if self.status == S::Closed {
                    return Err(illegal("挂牌督办"));
                }
                s.listed = *listed;
            }
            SupervisionCommand::Answer { text: t } => {
                let by = ctx.officer("只有被督办单位可以答复")?;
                if !access::answers_for(by, self.unit) {
                    return Err(DomainError::Forbidden("只有被督办单位可以答复"));
                }
                if self.status != S::Open {
                    return Err(illegal("答复督办"));
                }
                let t = text("text", "答复内容", t, 2000)?;
                s.answer = Some((t, Signed::of(Some(by), ctx.today)));
                s.status = S::Answered;
            }
            SupervisionCommand::HoldAccountable {
                person,
                finding,
                measure,
            } => {
                supervises(ctx, self.unit, "问责须由上级督查或领导记录")?;
                if self.status == S::Closed {
                    return Err(illegal("记录问责"));
                }
                s.accountability.push(Accountability {
                    person: text("person", "被问责人", person, 50)?,
                    finding: text("finding", "问责事由", finding, 500)?,
                    measure: text("measure", "处理措施", measure, 200)?,
                    recorded: Signed::of(ctx.by, ctx.today),
                });
            }
            SupervisionCommand::Close { note } => {
                supervises(ctx, self.unit, "办结督办须由上级督查或领导决定")?;
                if self.status != S::Answered {
                    return Err(illegal("办结督办"));
                }
                let note = text("note", "办结意见", note, 500)?;
                s.closed = Some((note, Signed::of(ctx.by, ctx.today)));
                s.status = S::Closed;
            }
        }
        Ok((s, cmd.code()))
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: self.status.code(),
            due: (self.status == SupervisionStatus::Open).then_some(self.answer_due),
            listed: self.listed,
            case_id: self.case_id,
            ref_id: None,
        }
    }

    fn case_of_new(new: &NewSupervision) -> Option<CaseId> {
        match new {
            NewSupervision::Manual { case_id, .. } | NewSupervision::Due { case_id, .. } => {
                *case_id
            }
        }
    }
}
