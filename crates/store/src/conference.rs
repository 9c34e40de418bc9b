//! 联席会议 kept as records (see [`xinfang_domain::conference`]): meetings, the cases on their
//! agenda, and the tasks they decide, each change through the writer. The sweeper proposes
//! cases that units refuse or nobody accepts, once each, for the next meeting that covers them.

use chrono::NaiveDate;
use sqlx::Row;
use xinfang_domain::access;
use xinfang_domain::conference::{self, AgendaItem, Meeting, Proposal, Task};
use xinfang_domain::supervision::Signed;
use xinfang_domain::{Actor, CaseId, CaseStatus, UnitId};
use xinfang_domain::{Scope, UnitPath};

use crate::records::RecordQuery;
use crate::writer::{RecordChange, RecordRow};
use crate::{Store, StoreError, Who};

const MEETING: &str = "conference_meeting";
const ITEM: &str = "conference_item";
const TASK: &str = "conference_task";

fn meeting_row(m: &Meeting, event: &'static str) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: MEETING,
        case_id: None,
        unit: m.host,
        status: if m.held() { "held" } else { "scheduled" },
        due: Some(m.date),
        listed: false,
        ref_id: None,
        state: serde_json::to_string(m)?,
        event,
        auto_key: None,
    })
}

fn item_row(i: &AgendaItem, event: &'static str) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: ITEM,
        case_id: Some(i.case_id.0),
        unit: i.unit,
        status: if i.meeting.is_some() {
            "scheduled"
        } else {
            "proposed"
        },
        due: None,
        listed: false,
        ref_id: i.meeting,
        state: serde_json::to_string(i)?,
        event,
        auto_key: None,
    })
}

fn task_row(t: &Task, event: &'static str) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: TASK,
        case_id: Some(t.case_id.0),
        unit: t.unit,
        status: t.status.code(),
        due: Some(t.due),
        listed: false,
        ref_id: Some(t.meeting),
        state: serde_json::to_string(t)?,
        event,
        auto_key: None,
    })
}

/// A meeting with its agenda and the tasks it decided.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeetingFile {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub tasks: Vec<Task>,
}

impl Store {
    /// What a meeting hosted by `unit` reaches.
    fn scope_of(&self, unit: UnitId) -> Result<Scope, StoreError> {
        let org = self.org();
        let u = org.get(unit)?;
        Ok(access::unit_oversight(&u.path, u.kind))
    }

    /// Schedules a meeting, and puts on its agenda every case waiting for one in its scope.
    pub async fn convene(
        &self,
        title: &str,
        host: UnitId,
        members: Vec<UnitId>,
        date: NaiveDate,
        by: &Actor,
    ) -> Result<Meeting, StoreError> {
        let org = self.org();
        let host_path = org.get(host)?.path.clone();
        for m in &members {
            org.get(*m)?;
        }
        let (title, actor) = (title.to_string(), by.clone());
        let id = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    let m = conference::convene(
                        id,
                        &title,
                        host,
                        &host_path,
                        members.clone(),
                        date,
                        &actor,
                        today,
                    )?;
                    meeting_row(&m, "meeting_convened")
                }),
            )
            .await?
            .expect("a new record");
        self.schedule_waiting().await?;
        self.meeting(id)
            .await?
            .map(|f| f.meeting)
            .ok_or(StoreError::NotFound("会议"))
    }

    pub async fn meeting(&self, id: i64) -> Result<Option<MeetingFile>, StoreError> {
        let Some(meeting) = self.record_state::<Meeting>(MEETING, id).await? else {
            return Ok(None);
        };
        let of_meeting = RecordQuery {
            ref_id: Some(id),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        Ok(Some(MeetingFile {
            agenda: self.record_states(ITEM, &of_meeting).await?,
            tasks: self.record_states(TASK, &of_meeting).await?,
            meeting,
        }))
    }

    /// Meetings of hosts within `under_path`, soonest first.
    pub async fn meetings(&self, scope: &Scope) -> Result<Vec<Meeting>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            by_due: true,
            limit: 200,
            ..Default::default()
        };
        self.record_states(MEETING, &q).await
    }

    /// Cases waiting for a meeting, within `under_path`.
    pub async fn waiting_agenda(&self, scope: &Scope) -> Result<Vec<AgendaItem>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            status: Some("proposed"),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        self.record_states(ITEM, &q).await
    }

    /// Tasks assigned to units within `under_path` (a unit's own: its path), open first by due.
    pub async fn conference_tasks(
        &self,
        scope: &Scope,
        open_only: bool,
    ) -> Result<Vec<Task>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            status: open_only.then_some("open"),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        self.record_states(TASK, &q).await
    }

    /// Puts a case on the agenda by hand (next meeting that covers it, else waiting).
    pub async fn propose(&self, case: CaseId, reason: &str, by: &Actor) -> Result<i64, StoreError> {
        let c = self
            .case(case)
            .await?
            .ok_or(StoreError::NotFound("信访事项"))?;
        let unit = c.responsible_unit();
        let path = self.org().get(unit)?.path.clone();
        if !conference::may_convene(by, &path) {
            return Err(
                xinfang_domain::DomainError::Forbidden("提请联席会议须由领导或督查决定").into(),
            );
        }
        let reason = reason.trim().to_string();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(xinfang_domain::DomainError::invalid(
                "reason",
                "请填写提请事由（500字以内）",
            )
            .into());
        }
        let meeting = self.next_meeting_covering(&path).await?;
        let actor = by.clone();
        self.record(
            None,
            None,
            Who::Officer(by.clone()),
            Box::new(move |id, _, today| {
                let item = AgendaItem {
                    id,
                    case_id: case,
                    unit,
                    proposal: Proposal::Manual,
                    reason: reason.clone(),
                    meeting,
                    proposed: Signed {
                        by: Some(actor.person),
                        by_name: actor.name.clone(),
                        on: today,
                    },
                };
                item_row(&item, "agenda_proposed")
            }),
        )
        .await
        .map(|id| id.expect("a new record"))
    }

    /// The soonest scheduled meeting, not yet held, whose scope covers `path`.
    async fn next_meeting_covering(&self, path: &UnitPath) -> Result<Option<i64>, StoreError> {
        let today = self.clock().today().to_string();
        let rows = sqlx::query(
            "SELECT id, unit_id FROM records WHERE kind = $1 AND status = 'scheduled' AND due >= $2 \
             ORDER BY due, id",
        )
        .bind(MEETING)
        .bind(today)
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            if self.scope_of(UnitId(r.try_get("unit_id")?))?.covers(path) {
                return Ok(Some(r.try_get("id")?));
            }
        }
        Ok(None)
    }

    /// Puts every waiting case on the next meeting that covers it.
    pub async fn schedule_waiting(&self) -> Result<usize, StoreError> {
        let waiting = sqlx::query(
            "SELECT id, unit_path FROM records WHERE kind = $1 AND status = 'proposed'",
        )
        .bind(ITEM)
        .fetch_all(&self.pool)
        .await?;
        let mut scheduled = 0;
        for r in waiting {
            let id: i64 = r.try_get("id")?;
            let path = crate::org::stored_path(&r.try_get::<String, _>("unit_path")?)?;
            let Some(meeting) = self.next_meeting_covering(&path).await? else {
                continue;
            };
            self.record(
                Some(id),
                None,
                Who::System,
                Box::new(move |_, current, _| {
                    let mut item: AgendaItem = serde_json::from_str(current.unwrap_or("null"))?;
                    item.meeting.get_or_insert(meeting);
                    item_row(&item, "agenda_scheduled")
                }),
            )
            .await?;
            scheduled += 1;
        }
        Ok(scheduled)
    }
}

impl Store {
    /// Records the minutes of a meeting (it is then held).
    pub async fn record_minutes(
        &self,
        id: i64,
        minutes: &str,
        by: &Actor,
    ) -> Result<Meeting, StoreError> {
        let org = self.org();
        let (minutes, actor) = (minutes.to_string(), by.clone());
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, current, today| {
                let mut m: Meeting = serde_json::from_str(current.unwrap_or("null"))?;
                let path = org.get(m.host)?.path.clone();
                m.record_minutes(&minutes, &actor, &path, today)?;
                meeting_row(&m, "meeting_minutes")
            }),
        )
        .await?;
        self.record_state(MEETING, id)
            .await?
            .ok_or(StoreError::NotFound("会议"))
    }

    /// Decides a task on a case of the meeting's agenda.
    pub async fn decide_task(
        &self,
        meeting: i64,
        case: CaseId,
        unit: UnitId,
        task: &str,
        due: NaiveDate,
        by: &Actor,
    ) -> Result<Task, StoreError> {
        let file = self
            .meeting(meeting)
            .await?
            .ok_or(StoreError::NotFound("会议"))?;
        if !file.agenda.iter().any(|i| i.case_id == case) {
            return Err(xinfang_domain::DomainError::invalid(
                "case_id",
                "该信访事项不在本次会议议程中",
            )
            .into());
        }
        let org = self.org();
        let host_path = org.get(file.meeting.host)?.path.clone();
        org.get(unit)?;
        let (task, actor, m) = (task.to_string(), by.clone(), file.meeting);
        let id = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    let t = conference::decide(
                        id, &m, &host_path, case, unit, &task, due, &actor, today,
                    )?;
                    task_row(&t, "task_decided")
                }),
            )
            .await?
            .expect("a new record");
        self.task(id).await?.ok_or(StoreError::NotFound("任务"))
    }

    pub async fn task(&self, id: i64) -> Result<Option<Task>, StoreError> {
        self.record_state(TASK, id).await
    }

    /// The assigned unit reports a task done, with evidence.
    pub async fn complete_task(
        &self,
        id: i64,
        evidence: &str,
        by: &Actor,
    ) -> Result<Task, StoreError> {
        let (evidence, actor) = (evidence.to_string(), by.clone());
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, current, today| {
                let mut t: Task = serde_json::from_str(current.unwrap_or("null"))?;
                t.complete(&evidence, &actor, today)?;
                task_row(&t, "task_completed")
            }),
        )
        .await?;
        self.task(id).await?.ok_or(StoreError::NotFound("任务"))
    }

    /// Proposes for the conference, once each, every case that units refused in turn or that
    /// nobody accepted within the limit, and schedules waiting cases on the next meeting.
    /// Returns how many were proposed.
    pub async fn sweep_conference(&self) -> Result<usize, StoreError> {
        let today = self.clock().today();
        // Refused twice means `bounces >= 2`; only cases still open can be proposed.
        let open = CaseStatus::ALL
            .iter()
            .filter(|s| !s.is_terminal())
            .map(|s| format!("'{}'", s.code()))
            .collect::<Vec<_>>()
            .join(",");
        let bounced = format!("bounces >= 2 AND status IN ({open})");
        let cases = self
            .cases_where_any(&["clock_due < $1 AND clock_step = '受理'", &bounced], today)
            .await?;
        self.propose_due(&cases, today).await
    }

    /// Proposes those of these cases now due for the conference, then schedules waiting ones.
    pub(crate) async fn propose_due(
        &self,
        cases: &[xinfang_domain::Case],
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        let changes = cases
            .iter()
            .filter_map(|case| {
                let (key, proposal, reason) = conference::due_proposal(case, today)?;
                let (case_id, unit) = (case.id, case.responsible_unit());
                let change: RecordChange = Box::new(move |id, _, today| {
                    let item = AgendaItem {
                        id,
                        case_id,
                        unit,
                        proposal,
                        reason: reason.clone(),
                        meeting: None,
                        proposed: Signed {
                            by: None,
                            by_name: "系统".into(),
                            on: today,
                        },
                    };
                    item_row(&item, "agenda_proposed")
                });
                Some((key, change))
            })
            .collect();
        let proposed = self.raise_new(changes).await?;
        self.schedule_waiting().await?;
        Ok(proposed)
    }
}
