//! 联席会议 (see [`xinfang_domain::conference`]): what a meeting gathers (its agenda and
//! tasks), finding the next meeting that covers a case, and the sweeper that proposes cases
//! units refuse or nobody accepts, once each. Each change goes through the record engine.

use chrono::NaiveDate;
use sqlx::Row;
use xinfang_domain::conference::{
    AgendaCommand, AgendaItem, Convene, DecideTask, Meeting, Proposal, Propose, Task,
};
use xinfang_domain::{Actor, Case, CaseId, CaseStatus, MeetingId, Record, UnitId, UnitPath};

use crate::records::RecordQuery;
use crate::{Store, StoreError, Who};

/// A meeting with its agenda and the tasks it decided.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeetingFile {
    pub meeting: Meeting,
    pub agenda: Vec<AgendaItem>,
    pub tasks: Vec<Task>,
}

impl Store {
    /// Schedules a meeting, and puts on its agenda every case waiting for one in its reach.
    pub async fn convene(&self, new: Convene, by: &Actor) -> Result<Meeting, StoreError> {
        let m = self.create::<Meeting>(new, by).await?;
        self.schedule_waiting().await?;
        Ok(m)
    }

    pub async fn meeting(&self, id: MeetingId) -> Result<Option<MeetingFile>, StoreError> {
        let Some(meeting) = self.get(id).await? else {
            return Ok(None);
        };
        let of_meeting = RecordQuery {
            ref_id: Some(id.0),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        Ok(Some(MeetingFile {
            agenda: self.list(&of_meeting).await?,
            tasks: self.list(&of_meeting).await?,
            meeting,
        }))
    }

    /// Puts a case on the agenda by hand: on the next meeting that covers it, else waiting.
    pub async fn propose(
        &self,
        case_id: CaseId,
        reason: &str,
        by: &Actor,
    ) -> Result<AgendaItem, StoreError> {
        let case = self
            .case(case_id)
            .await?
            .ok_or(StoreError::NotFound("信访事项"))?;
        let path = self.org().get(case.responsible_unit())?.path.clone();
        let new = Propose {
            case_id,
            proposal: Proposal::Manual,
            reason: reason.to_string(),
            meeting: self.next_meeting_covering(&path).await?,
        };
        self.create::<AgendaItem>(new, by).await
    }

    /// Decides a task on a case of the meeting's agenda.
    pub async fn decide_task(
        &self,
        meeting: MeetingId,
        case_id: CaseId,
        unit: UnitId,
        task: &str,
        due: NaiveDate,
        by: &Actor,
    ) -> Result<Task, StoreError> {
        let file = self
            .meeting(meeting)
            .await?
            .ok_or(StoreError::NotFound("会议"))?;
        let new = DecideTask {
            on_agenda: file.agenda.iter().any(|i| i.case_id == case_id),
            meeting: file.meeting,
            case_id,
            unit,
            task: task.to_string(),
            due,
        };
        self.create::<Task>(new, by).await
    }

    /// The soonest scheduled meeting, not yet held, whose reach covers `path`.
    async fn next_meeting_covering(
        &self,
        path: &UnitPath,
    ) -> Result<Option<MeetingId>, StoreError> {
        let today = self.clock().today().to_string();
        let rows = sqlx::query(
            "SELECT state FROM records WHERE kind = $1 AND status = 'scheduled' AND due >= $2 \
             ORDER BY due, id",
        )
        .bind(Meeting::KIND)
        .bind(today)
        .fetch_all(&self.pool)
        .await?;
        let org = self.org();
        for r in rows {
            let m: Meeting = serde_json::from_str(&r.try_get::<String, _>("state")?)?;
            if m.reach(&org)?.covers(path) {
                return Ok(Some(m.id));
            }
        }
        Ok(None)
    }

    /// Puts every waiting case on the next meeting that covers it.
    pub async fn schedule_waiting(&self) -> Result<usize, StoreError> {
        let waiting = RecordQuery {
            status: Some("proposed"),
            limit: 500,
            ..Default::default()
        };
        let org = self.org();
        let mut scheduled = 0;
        for item in self.list::<AgendaItem>(&waiting).await? {
            let path = org.get(item.unit)?.path.clone();
            let Some(meeting) = self.next_meeting_covering(&path).await? else {
                continue;
            };
            self.act_on(item.id, AgendaCommand::Schedule { meeting }, Who::System)
                .await?;
            scheduled += 1;
        }
        Ok(scheduled)
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
        cases: &[Case],
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        let due = cases
            .iter()
            .filter_map(|case| xinfang_domain::conference::due_proposal(case, today))
            .collect();
        let proposed = self.raise_new::<AgendaItem>(due).await?;
        self.schedule_waiting().await?;
        Ok(proposed)
    }
}
