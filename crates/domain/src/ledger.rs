//! 排查台账 (DESIGN.md §5): disputes found by screening, each with its responsible leader, unit
//! and person, resolution plan, risk level and due date; resolved where they are, or turned
//! into a case when someone petitions about them. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, DisputeId, UnitId};
use crate::org::{Actor, OrgChart};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    High,
    Medium,
    Low,
}

impl Risk {
    pub const ALL: [Risk; 3] = [Risk::High, Risk::Medium, Risk::Low];

    pub fn code(self) -> &'static str {
        match self {
            Risk::High => "high",
            Risk::Medium => "medium",
            Risk::Low => "low",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Risk::High => "高",
            Risk::Medium => "中",
            Risk::Low => "低",
        }
    }

    pub fn from_code(c: &str) -> Option<Risk> {
        Risk::ALL.into_iter().find(|r| r.code() == c)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    Open,
    Resolved,
    /// Someone petitioned about it: it continues as a case.
    BecameCase,
}

impl DisputeStatus {
    pub fn code(self) -> &'static str {
        match self {
            DisputeStatus::Open => "open",
            DisputeStatus::Resolved => "resolved",
            DisputeStatus::BecameCase => "became_case",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DisputeStatus::Open => "化解中",
            DisputeStatus::Resolved => "已化解",
            DisputeStatus::BecameCase => "已转为信访事项",
        }
    }
}

/// What a screening found, as entered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DisputeInput {
    pub title: String,
    pub description: String,
    /// The responsible unit.
    pub unit_id: UnitId,
    pub leader: String,
    pub person: String,
    pub plan: String,
    pub risk: Risk,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Dispute {
    pub id: DisputeId,
    pub title: String,
    pub description: String,
    pub unit: UnitId,
    pub leader: String,
    pub person: String,
    pub plan: String,
    pub risk: Risk,
    pub due: NaiveDate,
    pub status: DisputeStatus,
    pub found: Signed,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<(String, Signed)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<CaseId>,
}

/// What can be done to an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DisputeCommand {
    /// Revise the plan, risk or due date.
    Revise {
        plan: String,
        risk: Risk,
        due: NaiveDate,
    },
    Resolve {
        note: String,
    },
    /// Someone petitioned about it: it continues as this case (registered in the same
    /// transaction; never taken from outside).
    #[serde(skip)]
    BecameCase {
        case_id: CaseId,
    },
}

impl Dispute {
    /// Open past its due date.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == DisputeStatus::Open && today > self.due
    }
}

/// Officers keep the ledger of the units they oversee.
fn keeps(ctx: &RecordCtx, unit: UnitId, why: &'static str) -> Result<(), DomainError> {
    let by = ctx.officer(why)?;
    if access::may(by, Duty::KeepLedger, ctx.path(unit)?) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(why))
    }
}

impl RecordOf for DisputeId {
    type Record = Dispute;
}

impl Record for Dispute {
    const KIND: &'static str = "dispute";
    const NAME: &'static str = "台账";
    type Id = DisputeId;
    type New = DisputeInput;
    type Command = DisputeCommand;

    fn create(
        id: DisputeId,
        input: &DisputeInput,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        keeps(ctx, input.unit_id, "只能为本单位及下级单位登记排查台账")?;
        if input.due < ctx.today {
            return Err(DomainError::invalid("due", "化解期限不能早于今天"));
        }
        let d = Dispute {
            id,
            title: text("title", "矛盾纠纷名称", &input.title, 100)?,
            description: text("description", "基本情况", &input.description, 5000)?,
            unit: input.unit_id,
            leader: text("leader", "责任领导", &input.leader, 50)?,
            person: text("person", "责任人", &input.person, 50)?,
            plan: text("plan", "化解方案", &input.plan, 5000)?,
            risk: input.risk,
            due: input.due,
            status: DisputeStatus::Open,
            found: Signed::of(ctx.by, ctx.today),
            resolved: None,
            case_id: None,
        };
        Ok((d, "dispute_recorded"))
    }

    fn decide(
        &self,
        cmd: &DisputeCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        keeps(ctx, self.unit, "只能办理本单位及下级单位的排查台账")?;
        let action = match cmd {
            DisputeCommand::BecameCase { .. } => "转为信访事项",
            _ => "修改台账",
        };
        if self.status != DisputeStatus::Open {
            return Err(DomainError::IllegalTransition {
                status: self.status.label(),
                action,
            });
        }
        let mut d = self.clone();
        let event = match cmd {
            DisputeCommand::Revise { plan, risk, due } => {
                if *due < ctx.today {
                    return Err(DomainError::invalid("due", "化解期限不能早于今天"));
                }
                d.plan = text("plan", "化解方案", plan, 5000)?;
                d.risk = *risk;
                d.due = *due;
                "dispute_changed"
            }
            DisputeCommand::Resolve { note } => {
                d.resolved = Some((
                    text("note", "化解情况", note, 2000)?,
                    Signed::of(ctx.by, ctx.today),
                ));
                d.status = DisputeStatus::Resolved;
                "dispute_changed"
            }
            DisputeCommand::BecameCase { case_id } => {
                d.case_id = Some(*case_id);
                d.status = DisputeStatus::BecameCase;
                "dispute_became_case"
            }
        };
        Ok((d, event))
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: self.status.code(),
            due: Some(self.due),
            // High risk shows among what leaders must watch.
            listed: self.risk == Risk::High,
            case_id: self.case_id,
            ref_id: None,
        }
    }
}
