//! 领导包案 (DESIGN.md §5): a leader owns a hard case until it is resolved, with the 五个一
//! (one leader, one working team, one resolution plan, one set of meeting minutes, one set of
//! follow-up measures) each recorded with who filled it and when. Old cases are owned by
//! leaders (老案领导包); new ones are traced back to who let them grow (新案要倒查). The
//! follow-up measures are actions on the case, never on the petitioner as a person. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty, UnitPath};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, PersonId, UnitId};
use crate::org::{Actor, Role};
use crate::supervision::Signed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OwnershipKind {
    /// 老案领导包.
    OldCase,
    /// 新案要倒查.
    NewCaseTracedBack,
}

impl OwnershipKind {
    pub fn label(self) -> &'static str {
        match self {
            OwnershipKind::OldCase => "老案领导包案",
            OwnershipKind::NewCaseTracedBack => "新案倒查",
        }
    }
}

/// The parts of the 五个一 after the leader himself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Part {
    Team,
    Plan,
    Minutes,
    FollowUp,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Team, Part::Plan, Part::Minutes, Part::FollowUp];

    pub fn code(self) -> &'static str {
        match self {
            Part::Team => "team",
            Part::Plan => "plan",
            Part::Minutes => "minutes",
            Part::FollowUp => "follow_up",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Part::Team => "一个工作班子",
            Part::Plan => "一个化解方案",
            Part::Minutes => "一份会议纪要",
            Part::FollowUp => "一套后续措施",
        }
    }

    pub fn from_code(code: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// What can be done to an ownership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum OwnershipCommand {
    Fill { part: Part, text: String },
    Resolve { note: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Filled {
    pub part: Part,
    pub text: String,
    pub filled: Signed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ownership {
    pub id: i64,
    pub case_id: CaseId,
    pub kind: OwnershipKind,
    pub leader: PersonId,
    pub leader_name: String,
    pub leader_unit: UnitId,
    /// The date the leader undertakes to resolve the case by.
    pub due: NaiveDate,
    pub attached: Signed,
    /// The latest text of each part filled (earlier versions are in the log).
    #[serde(default)]
    pub parts: Vec<Filled>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<(String, Signed)>,
}

impl Ownership {
    /// How many of the 五个一 are in place (the leader counts as the first).
    pub fn progress(&self) -> usize {
        1 + self.parts.len()
    }

    pub fn part(&self, p: Part) -> Option<&Filled> {
        self.parts.iter().find(|f| f.part == p)
    }

    pub fn is_open(&self) -> bool {
        self.resolved.is_none()
    }
}

/// Attaches `leader` to a case now with `case_unit_path` responsible. Superior leaders and
/// supervisors assign; the leader must be a leader whose scope covers the case.
#[allow(clippy::too_many_arguments)]
pub fn attach(
    id: i64,
    case_id: CaseId,
    case_unit_path: &UnitPath,
    kind: OwnershipKind,
    leader: &Actor,
    due: NaiveDate,
    by: &Actor,
    today: NaiveDate,
) -> Result<Ownership, DomainError> {
    if !access::may(by, Duty::AssignLeader, case_unit_path) {
        return Err(DomainError::Forbidden("包案领导须由上级领导或督查部门确定"));
    }
    if !access::may(leader, Duty::OwnCase, case_unit_path) {
        return Err(DomainError::invalid(
            "leader_id",
            "包案人应为对该事项有管辖权的领导",
        ));
    }
    if due < today {
        return Err(DomainError::invalid("due", "化解期限不能早于今天"));
    }
    Ok(Ownership {
        id,
        case_id,
        kind,
        leader: leader.person,
        leader_name: leader.name.clone(),
        leader_unit: leader.unit,
        due,
        attached: Signed::of(Some(by), today),
        parts: Vec::new(),
        resolved: None,
    })
}

impl Ownership {
    /// Fills (or updates) a part of the 五个一: the leader, or officers of the leader's unit
    /// or of the unit handling the case (`case_unit`).
    pub fn fill(
        &mut self,
        part: Part,
        body: &str,
        by: &Actor,
        case_unit: UnitId,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        let works_on = by.person == self.leader
            || (by.unit == self.leader_unit || by.unit == case_unit)
                && by.has_any(&[Role::Handler, Role::UnitHead, Role::Leader]);
        if !works_on {
            return Err(DomainError::Forbidden("只有包案领导及其工作班子可以填写"));
        }
        if !self.is_open() {
            return Err(DomainError::AlreadyDone("包案已化解"));
        }
        let filled = Filled {
            part,
            text: text("text", part.label(), body, 5000)?,
            filled: Signed::of(Some(by), today),
        };
        self.parts.retain(|f| f.part != part);
        self.parts.push(filled);
        self.parts.sort_by_key(|f| f.part as u8);
        Ok(())
    }

    /// The leader declares the case resolved; all of the 五个一 must be in place.
    pub fn resolve(&mut self, note: &str, by: &Actor, today: NaiveDate) -> Result<(), DomainError> {
        if by.person != self.leader {
            return Err(DomainError::Forbidden("只有包案领导可以确认化解"));
        }
        if !self.is_open() {
            return Err(DomainError::AlreadyDone("包案已化解"));
        }
        if let Some(missing) = Part::ALL.into_iter().find(|p| self.part(*p).is_none()) {
            return Err(DomainError::invalid(
                "parts",
                format!("“五个一”尚未齐全：缺{}", missing.label()),
            ));
        }
        self.resolved = Some((
            text("note", "化解情况", note, 2000)?,
            Signed::of(Some(by), today),
        ));
        Ok(())
    }
}
