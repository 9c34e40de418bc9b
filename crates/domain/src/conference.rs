//! 联席会议 (DESIGN.md §5): meetings of member units with an agenda of cases; each per-case
//! decision (which unit does what by when) is a task tracked like a case, with a deadline,
//! warning colours and evidence of completion. A case that units refuse in turn, or that nobody
//! accepts within the limit, is proposed for the next meeting automatically. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty, UnitPath};
use crate::case::{Case, CaseStatus};
use crate::deadline::{Warning, warning};
use crate::error::{DomainError, text};
use crate::ids::{CaseId, UnitId};
use crate::org::Actor;
use crate::supervision::Signed;

/// Who convenes and decides: leaders and supervisors (and the petition office for its level).
pub fn may_convene(by: &Actor, unit_path: &UnitPath) -> bool {
    access::may(by, Duty::Convene, unit_path)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub id: i64,
    pub title: String,
    /// The convening unit; the meeting's scope is what it may supervise.
    pub host: UnitId,
    pub members: Vec<UnitId>,
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<(String, Signed)>,
    pub convened: Signed,
}

impl Meeting {
    pub fn held(&self) -> bool {
        self.minutes.is_some()
    }
}

/// Schedules a meeting.
#[allow(clippy::too_many_arguments)]
pub fn convene(
    id: i64,
    title: &str,
    host: UnitId,
    host_path: &UnitPath,
    members: Vec<UnitId>,
    date: NaiveDate,
    by: &Actor,
    today: NaiveDate,
) -> Result<Meeting, DomainError> {
    if !may_convene(by, host_path) {
        return Err(DomainError::Forbidden("联席会议须由领导或督查召集"));
    }
    if date < today {
        return Err(DomainError::invalid("date", "会议日期不能早于今天"));
    }
    if members.is_empty() || members.len() > 60 {
        return Err(DomainError::invalid("members", "请选择1至60个成员单位"));
    }
    let mut members = members;
    members.sort();
    members.dedup();
    Ok(Meeting {
        id,
        title: text("title", "会议名称", title, 100)?,
        host,
        members,
        date,
        minutes: None,
        convened: Signed::of(Some(by), today),
    })
}

impl Meeting {
    /// Records the minutes; the meeting is then held.
    pub fn record_minutes(
        &mut self,
        minutes: &str,
        by: &Actor,
        host_path: &UnitPath,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        if !may_convene(by, host_path) {
            return Err(DomainError::Forbidden("会议纪要须由召集单位记录"));
        }
        if self.held() {
            return Err(DomainError::AlreadyDone("会议纪要已记录"));
        }
        if today < self.date {
            return Err(DomainError::invalid("minutes", "会议尚未召开"));
        }
        self.minutes = Some((
            text("minutes", "会议纪要", minutes, 20_000)?,
            Signed::of(Some(by), today),
        ));
        Ok(())
    }
}

/// Why a case is on the agenda.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Proposal {
    /// Two or more units sent it back as not theirs.
    RefusedByUnits,
    /// No unit accepted it within the limit.
    NotAccepted,
    /// Put on the agenda by a leader.
    Manual,
}

impl Proposal {
    pub fn label(self) -> &'static str {
        match self {
            Proposal::RefusedByUnits => "多个单位退回",
            Proposal::NotAccepted => "逾期无单位受理",
            Proposal::Manual => "领导提请",
        }
    }
}

/// A case on the agenda (of a meeting, or waiting for the next one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    pub id: i64,
    pub case_id: CaseId,
    /// The unit responsible for the case when it was proposed (the item's scope).
    pub unit: UnitId,
    pub proposal: Proposal,
    pub reason: String,
    /// The meeting it is on; None while it waits for one.
    pub meeting: Option<i64>,
    pub proposed: Signed,
}

/// Whether `case` should go to the conference, and the key that makes proposing it idempotent.
pub fn due_proposal(case: &Case, today: NaiveDate) -> Option<(String, Proposal, String)> {
    let id = case.id.0;
    if case.objections >= 2 && !case.status.is_terminal() {
        return Some((
            format!("conference:{id}:refused"),
            Proposal::RefusedByUnits,
            format!("已被{}个单位退回，责任单位不明", case.objections),
        ));
    }
    if let (CaseStatus::Forwarded | CaseStatus::Assigned, Some(due)) =
        (case.status, case.deadlines.accept_due)
        && today > due
    {
        let received = case.received_on.unwrap_or(case.registered_on);
        return Some((
            format!("conference:{id}:unaccepted:{received}"),
            Proposal::NotAccepted,
            format!("受理期限{due}已过，无单位受理"),
        ));
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    Open,
    Done,
}

impl TaskStatus {
    pub fn code(self) -> &'static str {
        match self {
            TaskStatus::Open => "open",
            TaskStatus::Done => "done",
        }
    }
}

/// A decision of a meeting on a case: which unit does what by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub id: i64,
    pub meeting: i64,
    pub case_id: CaseId,
    pub unit: UnitId,
    pub task: String,
    pub decided: Signed,
    pub due: NaiveDate,
    pub status: TaskStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<(String, Signed)>,
}

/// Decides on an agenda case at a held or sitting meeting.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    id: i64,
    meeting: &Meeting,
    host_path: &UnitPath,
    case_id: CaseId,
    unit: UnitId,
    task: &str,
    due: NaiveDate,
    by: &Actor,
    today: NaiveDate,
) -> Result<Task, DomainError> {
    if !may_convene(by, host_path) {
        return Err(DomainError::Forbidden("会议决定须由召集单位记录"));
    }
    if today < meeting.date {
        return Err(DomainError::invalid("due", "会议尚未召开"));
    }
    if due < today {
        return Err(DomainError::invalid("due", "完成期限不能早于今天"));
    }
    Ok(Task {
        id,
        meeting: meeting.id,
        case_id,
        unit,
        task: text("task", "任务内容", task, 1000)?,
        decided: Signed::of(Some(by), today),
        due,
        status: TaskStatus::Open,
        evidence: None,
    })
}

impl Task {
    /// The assigned unit reports the task done, with evidence.
    pub fn complete(
        &mut self,
        evidence: &str,
        by: &Actor,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        if by.unit != self.unit {
            return Err(DomainError::Forbidden("只有承办单位可以报告完成"));
        }
        if self.status == TaskStatus::Done {
            return Err(DomainError::AlreadyDone("任务已完成"));
        }
        self.evidence = Some((
            text("evidence", "完成情况", evidence, 2000)?,
            Signed::of(Some(by), today),
        ));
        self.status = TaskStatus::Done;
        Ok(())
    }

    /// Green, yellow or red while open, as for a case's clock.
    pub fn warning(&self, today: NaiveDate) -> Option<Warning> {
        (self.status == TaskStatus::Open).then(|| warning(self.decided.on, self.due, today))
    }
}
