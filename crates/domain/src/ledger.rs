//! 排查台账 (DESIGN.md §5): disputes found by screening, each with its responsible leader, unit
//! and person, resolution plan, risk level and due date; resolved where they are, or turned
//! into a case when someone petitions about them. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty, UnitPath};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, UnitId};
use crate::org::Actor;
use crate::supervision::Signed;

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
    pub id: i64,
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
}

/// Officers keep the ledger for units within their scope.
pub fn may_keep(by: &Actor, unit_path: &UnitPath) -> bool {
    access::may(by, Duty::KeepLedger, unit_path)
}

/// A new entry; `unit_path` is the responsible unit's.
pub fn record(
    id: i64,
    input: &DisputeInput,
    unit_path: &UnitPath,
    by: &Actor,
    today: NaiveDate,
) -> Result<Dispute, DomainError> {
    if !may_keep(by, unit_path) {
        return Err(DomainError::Forbidden("只能为本单位及下级单位登记排查台账"));
    }
    if input.due < today {
        return Err(DomainError::invalid("due", "化解期限不能早于今天"));
    }
    Ok(Dispute {
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
        found: Signed::of(Some(by), today),
        resolved: None,
        case_id: None,
    })
}

impl Dispute {
    pub fn handle(
        &mut self,
        cmd: &DisputeCommand,
        by: &Actor,
        unit_path: &UnitPath,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        if !may_keep(by, unit_path) {
            return Err(DomainError::Forbidden("只能办理本单位及下级单位的排查台账"));
        }
        if self.status != DisputeStatus::Open {
            return Err(DomainError::IllegalTransition {
                status: self.status.label(),
                action: "修改台账",
            });
        }
        match cmd {
            DisputeCommand::Revise { plan, risk, due } => {
                if *due < today {
                    return Err(DomainError::invalid("due", "化解期限不能早于今天"));
                }
                self.plan = text("plan", "化解方案", plan, 5000)?;
                self.risk = *risk;
                self.due = *due;
            }
            DisputeCommand::Resolve { note } => {
                self.resolved = Some((
                    text("note", "化解情况", note, 2000)?,
                    Signed::of(Some(by), today),
                ));
                self.status = DisputeStatus::Resolved;
            }
        }
        Ok(())
    }

    /// The entry continues as `case`.
    pub fn became(&mut self, case: CaseId) -> Result<(), DomainError> {
        if self.status != DisputeStatus::Open {
            return Err(DomainError::IllegalTransition {
                status: self.status.label(),
                action: "转为信访事项",
            });
        }
        self.case_id = Some(case);
        self.status = DisputeStatus::BecameCase;
        Ok(())
    }

    /// Open past its due date.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.status == DisputeStatus::Open && today > self.due
    }
}
