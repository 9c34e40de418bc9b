//! 联席会议 (DESIGN.md §5): meetings of member units with an agenda of cases; each per-case
//! decision (which unit does what by when) is a task tracked like a case, with a deadline,
//! warning colours and evidence of completion. A case that units refuse in turn, or that nobody
//! accepts within the limit, is proposed for the next meeting automatically. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty, Scope};
use crate::case::{Case, CaseStatus};
use crate::deadline::{Warning, warning};
use crate::error::{DomainError, text};
use crate::ids::{AgendaItemId, CaseId, MeetingId, TaskId, UnitId};
use crate::org::{Actor, OrgChart};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed};

/// Leaders and supervisors convene and decide over the units they oversee.
fn convenes(ctx: &RecordCtx, unit: UnitId, why: &'static str) -> Result<(), DomainError> {
    let by = ctx.officer(why)?;
    if access::may(by, Duty::Convene, ctx.path(unit)?) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(why))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Meeting {
    pub id: MeetingId,
    pub title: String,
    /// The convening unit; the meeting's reach is what it oversees ([`Meeting::reach`]).
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

    /// The units whose cases the meeting takes up: what its host oversees.
    pub fn reach(&self, org: &crate::OrgChart) -> Result<Scope, DomainError> {
        let host = org.get(self.host)?;
        Ok(access::unit_oversight(&host.path, host.kind))
    }
}

/// A meeting to schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Convene {
    pub title: String,
    /// The convening unit (its reach is what the meeting covers).
    pub host: UnitId,
    pub members: Vec<UnitId>,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum MeetingCommand {
    /// Records the minutes; the meeting is then held.
    RecordMinutes { minutes: String },
}

impl RecordOf for MeetingId {
    type Record = Meeting;
}

impl Record for Meeting {
    const KIND: &'static str = "conference_meeting";
    const NAME: &'static str = "会议";
    type Id = MeetingId;
    type New = Convene;
    type Command = MeetingCommand;

    fn create(
        id: MeetingId,
        new: &Convene,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        convenes(ctx, new.host, "联席会议须由领导或督查召集")?;
        if new.date < ctx.today {
            return Err(DomainError::invalid("date", "会议日期不能早于今天"));
        }
        if new.members.is_empty() || new.members.len() > 60 {
            return Err(DomainError::invalid("members", "请选择1至60个成员单位"));
        }
        for m in &new.members {
            ctx.org
                .get(*m)
                .map_err(|_| DomainError::invalid("members", "成员单位不存在"))?;
        }
        let mut members = new.members.clone();
        members.sort();
        members.dedup();
        let m = Meeting {
            id,
            title: text("title", "会议名称", &new.title, 100)?,
            host: new.host,
            members,
            date: new.date,
            minutes: None,
            convened: Signed::of(ctx.by, ctx.today),
        };
        Ok((m, "meeting_convened"))
    }

    fn decide(
        &self,
        cmd: &MeetingCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let MeetingCommand::RecordMinutes { minutes } = cmd;
        convenes(ctx, self.host, "会议纪要须由召集单位记录")?;
        if self.held() {
            return Err(DomainError::AlreadyDone("会议纪要已记录"));
        }
        if ctx.today < self.date {
            return Err(DomainError::invalid("minutes", "会议尚未召开"));
        }
        let mut m = self.clone();
        m.minutes = Some((
            text("minutes", "会议纪要", minutes, 20_000)?,
            Signed::of(ctx.by, ctx.today),
        ));
        Ok((m, "meeting_minutes"))
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        // Exception (DESIGN.md §3): the member units sit on it.
        access::sees_record(actor, self.host, org) || access::meeting_member(actor, &self.members)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.host,
            status: if self.held() { "held" } else { "scheduled" },
            due: Some(self.date),
            listed: false,
            case_id: None,
            ref_id: None,
        }
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
    pub id: AgendaItemId,
    pub case_id: CaseId,
    /// The unit responsible for the case when it was proposed (the item's scope).
    pub unit: UnitId,
    pub proposal: Proposal,
    pub reason: String,
    /// The meeting it is on; None while it waits for one.
    pub meeting: Option<MeetingId>,
    pub proposed: Signed,
}

/// A case put on the agenda: by a leader (`Manual`, with a reason) or by the sweeper.
#[derive(Debug, Clone)]
pub struct Propose {
    pub case_id: CaseId,
    pub proposal: Proposal,
    pub reason: String,
    /// The next meeting that covers the case, if one is scheduled.
    pub meeting: Option<MeetingId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgendaCommand {
    /// A waiting case goes on a meeting's agenda (the sweeper, when a meeting covers it).
    Schedule { meeting: MeetingId },
}

/// Whether `case` should go to the conference, and the key that makes proposing it idempotent.
pub fn due_proposal(case: &Case, today: NaiveDate) -> Option<(String, Propose)> {
    let id = case.id.0;
    let propose = |proposal, reason| Propose {
        case_id: case.id,
        proposal,
        reason,
        meeting: None,
    };
    if case.objections >= 2 && !case.status.is_terminal() {
        return Some((
            format!("conference:{id}:refused"),
            propose(
                Proposal::RefusedByUnits,
                format!("已被{}个单位退回，责任单位不明", case.objections),
            ),
        ));
    }
    if let (CaseStatus::Forwarded | CaseStatus::Assigned, Some(due)) =
        (case.status, case.deadlines.accept_due)
        && today > due
    {
        let received = case.received_on.unwrap_or(case.registered_on);
        return Some((
            format!("conference:{id}:unaccepted:{received}"),
            propose(
                Proposal::NotAccepted,
                format!("受理期限{due}已过，无单位受理"),
            ),
        ));
    }
    None
}

impl RecordOf for AgendaItemId {
    type Record = AgendaItem;
}

impl Record for AgendaItem {
    const KIND: &'static str = "conference_item";
    const NAME: &'static str = "议程";
    type Id = AgendaItemId;
    type New = Propose;
    type Command = AgendaCommand;

    fn create(
        id: AgendaItemId,
        new: &Propose,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let case = ctx.case()?;
        let unit = case.responsible_unit();
        let reason = if new.proposal == Proposal::Manual {
            convenes(ctx, unit, "提请联席会议须由领导或督查决定")?;
            let reason = new.reason.trim();
            if reason.is_empty() || reason.chars().count() > 500 {
                return Err(DomainError::invalid(
                    "reason",
                    "请填写提请事由（500字以内）",
                ));
            }
            reason.to_string()
        } else {
            new.reason.clone()
        };
        let item = AgendaItem {
            id,
            case_id: case.id,
            unit,
            proposal: new.proposal,
            reason,
            meeting: new.meeting,
            proposed: Signed::of(ctx.by, ctx.today),
        };
        Ok((item, "agenda_proposed"))
    }

    fn decide(
        &self,
        cmd: &AgendaCommand,
        _: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let AgendaCommand::Schedule { meeting } = cmd;
        let mut item = self.clone();
        item.meeting.get_or_insert(*meeting);
        Ok((item, "agenda_scheduled"))
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: if self.meeting.is_some() {
                "scheduled"
            } else {
                "proposed"
            },
            due: None,
            listed: false,
            case_id: Some(self.case_id),
            ref_id: self.meeting.map(|m| m.0),
        }
    }

    fn case_of_new(new: &Propose) -> Option<CaseId> {
        Some(new.case_id)
    }
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
    pub id: TaskId,
    pub meeting: MeetingId,
    pub case_id: CaseId,
    pub unit: UnitId,
    pub task: String,
    pub decided: Signed,
    pub due: NaiveDate,
    pub status: TaskStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<(String, Signed)>,
}

/// A decision on an agenda case, at a held or sitting meeting.
#[derive(Debug, Clone)]
pub struct DecideTask {
    pub meeting: Meeting,
    /// The meeting's agenda holds the case.
    pub on_agenda: bool,
    pub case_id: CaseId,
    pub unit: UnitId,
    pub task: String,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum TaskCommand {
    /// The assigned unit reports the task done, with evidence.
    Complete { evidence: String },
}

impl Task {
    /// Green, yellow or red while open, as for a case's clock.
    pub fn warning(&self, today: NaiveDate) -> Option<Warning> {
        (self.status == TaskStatus::Open).then(|| warning(self.decided.on, self.due, today))
    }
}

impl RecordOf for TaskId {
    type Record = Task;
}

impl Record for Task {
    const KIND: &'static str = "conference_task";
    const NAME: &'static str = "任务";
    type Id = TaskId;
    type New = DecideTask;
    type Command = TaskCommand;

    fn create(
        id: TaskId,
        new: &DecideTask,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        if !new.on_agenda {
            return Err(DomainError::invalid(
                "case_id",
                "该信访事项不在本次会议议程中",
            ));
        }
        ctx.org
            .get(new.unit)
            .map_err(|_| DomainError::invalid("unit_id", "承办单位不存在"))?;
        convenes(ctx, new.meeting.host, "会议决定须由召集单位记录")?;
        if ctx.today < new.meeting.date {
            return Err(DomainError::invalid("due", "会议尚未召开"));
        }
        if new.due < ctx.today {
            return Err(DomainError::invalid("due", "完成期限不能早于今天"));
        }
        let t = Task {
            id,
            meeting: new.meeting.id,
            case_id: new.case_id,
            unit: new.unit,
            task: text("task", "任务内容", &new.task, 1000)?,
            decided: Signed::of(ctx.by, ctx.today),
            due: new.due,
            status: TaskStatus::Open,
            evidence: None,
        };
        Ok((t, "task_decided"))
    }

    fn decide(
        &self,
        cmd: &TaskCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let TaskCommand::Complete { evidence } = cmd;
        let by = ctx.officer("只有承办单位可以报告完成")?;
        if by.unit != self.unit {
            return Err(DomainError::Forbidden("只有承办单位可以报告完成"));
        }
        if self.status == TaskStatus::Done {
            return Err(DomainError::AlreadyDone("任务已完成"));
        }
        let mut t = self.clone();
        t.evidence = Some((
            text("evidence", "完成情况", evidence, 2000)?,
            Signed::of(Some(by), ctx.today),
        ));
        t.status = TaskStatus::Done;
        Ok((t, "task_completed"))
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: self.status.code(),
            due: Some(self.due),
            listed: false,
            case_id: Some(self.case_id),
            ref_id: Some(self.meeting.0),
        }
    }
}
