//! 领导包案 (DESIGN.md §5): a leader owns a hard case until it is resolved, with the 五个一
//! (one leader, one working team, one resolution plan, one set of meeting minutes, one set of
//! follow-up measures) each recorded with who filled it and when. Old cases are owned by
//! leaders (老案领导包); new ones are traced back to who let them grow (新案要倒查). The
//! follow-up measures are actions on the case, never on the petitioner as a person. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, OwnershipId, PersonId, UnitId};
use crate::org::{Actor, OrgChart, Role};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed};

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
    pub id: OwnershipId,
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

/// A leader attached to a case by a superior leader or supervisor; the leader must have
/// jurisdiction over the case.
#[derive(Debug, Clone)]
pub struct Attach {
    pub case_id: CaseId,
    pub leader: Actor,
    pub kind: OwnershipKind,
    /// The date the leader undertakes to resolve the case by.
    pub due: NaiveDate,
}

impl RecordOf for OwnershipId {
    type Record = Ownership;
}

impl Record for Ownership {
    const KIND: &'static str = "ownership";
    const NAME: &'static str = "包案";
    type Id = OwnershipId;
    type New = Attach;
    type Command = OwnershipCommand;

    fn create(
        id: OwnershipId,
        new: &Attach,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let why = "包案领导须由上级领导或督查部门确定";
        let by = ctx.officer(why)?;
        let case_path = ctx.path(ctx.case()?.responsible_unit())?;
        if !access::may(by, Duty::AssignLeader, case_path) {
            return Err(DomainError::Forbidden(why));
        }
        if !access::may(&new.leader, Duty::OwnCase, case_path) {
            return Err(DomainError::invalid(
                "leader_id",
                "包案人应为对该事项有管辖权的领导",
            ));
        }
        if new.due < ctx.today {
            return Err(DomainError::invalid("due", "化解期限不能早于今天"));
        }
        let o = Ownership {
            id,
            case_id: new.case_id,
            kind: new.kind,
            leader: new.leader.person,
            leader_name: new.leader.name.clone(),
            leader_unit: new.leader.unit,
            due: new.due,
            attached: Signed::of(Some(by), ctx.today),
            parts: Vec::new(),
            resolved: None,
        };
        Ok((o, "ownership_attached"))
    }

    fn decide(
        &self,
        cmd: &OwnershipCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let mut o = self.clone();
        match cmd {
            // The leader, or officers of the leader's unit or of the unit now handling the case.
            OwnershipCommand::Fill { part, text: body } => {
                let why = "只有包案领导及其工作班子可以填写";
                let by = ctx.officer(why)?;
                let case_unit = ctx.case()?.responsible_unit();
                let works_on = by.person == self.leader
                    || (by.unit == self.leader_unit || by.unit == case_unit)
                        && by.has_any(&[Role::Handler, Role::UnitHead, Role::Leader]);
                if !works_on {
                    return Err(DomainError::Forbidden(why));
                }
                if !self.is_open() {
                    return Err(DomainError::AlreadyDone("包案已化解"));
                }
                let filled = Filled {
                    part: *part,
                    text: text("text", part.label(), body, 5000)?,
                    filled: Signed::of(Some(by), ctx.today),
                };
                o.parts.retain(|f| f.part != *part);
                o.parts.push(filled);
                o.parts.sort_by_key(|f| f.part as u8);
                Ok((o, "ownership_filled"))
            }
            // The leader declares the case resolved; all of the 五个一 must be in place.
            OwnershipCommand::Resolve { note } => {
                let why = "只有包案领导可以确认化解";
                let by = ctx.officer(why)?;
                if by.person != self.leader {
                    return Err(DomainError::Forbidden(why));
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
                o.resolved = Some((
                    text("note", "化解情况", note, 2000)?,
                    Signed::of(Some(by), ctx.today),
                ));
                Ok((o, "ownership_resolved"))
            }
        }
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        // The leader sees their own.
        self.leader == actor.person || access::sees_record(actor, self.leader_unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.leader_unit,
            status: if self.is_open() { "open" } else { "resolved" },
            due: Some(self.due),
            listed: false,
            case_id: Some(self.case_id),
            ref_id: Some(self.leader.0),
        }
    }

    fn case_of_new(new: &Attach) -> Option<CaseId> {
        Some(new.case_id)
    }

    fn case_of_command(&self, _: &OwnershipCommand) -> Option<CaseId> {
        Some(self.case_id)
    }
}
