//! 领导包案 kept as records (see [`xinfang_domain::ownership`]): attaching a leader, filling the
//! 五个一, resolving; each change through the writer. Listed by leader, by case, or by the
//! scope of a superior who oversees the leaders' caseloads.

use chrono::NaiveDate;
use xinfang_domain::ownership::{self, Ownership, OwnershipCommand, OwnershipKind};
use xinfang_domain::{Actor, CaseId, PersonId};

use crate::records::RecordQuery;
use crate::writer::RecordRow;
use crate::{Store, StoreError, Who};

const KIND: &str = "ownership";

fn row(o: &Ownership, event: &'static str) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: KIND,
        case_id: Some(o.case_id.0),
        unit: o.leader_unit,
        status: if o.is_open() { "open" } else { "resolved" },
        due: Some(o.due),
        listed: false,
        ref_id: Some(o.leader.0),
        state: serde_json::to_string(o)?,
        event,
        auto_key: None,
    })
}

/// Which ownerships to list.
#[derive(Debug, Clone, Default)]
pub struct OwnershipFilter {
    pub leader: Option<PersonId>,
    pub case_id: Option<CaseId>,
    /// Of leaders whose units lie in this subtree.
    pub under_path: Option<xinfang_domain::UnitPath>,
    pub open_only: bool,
}

impl Store {
    /// Attaches a leader to a case. Attaching the same leader to the same case twice is refused.
    pub async fn attach_leader(
        &self,
        case: CaseId,
        leader: PersonId,
        kind: OwnershipKind,
        due: NaiveDate,
        by: &Actor,
    ) -> Result<Ownership, StoreError> {
        let c = self
            .case(case)
            .await?
            .ok_or(StoreError::NotFound("信访事项"))?;
        let leader = self
            .actor(leader)
            .await?
            .ok_or(StoreError::NotFound("包案领导"))?;
        let path = self.org().get(c.responsible_unit())?.path.clone();
        let (actor, key) = (
            by.clone(),
            format!("ownership:{}:{}", case.0, leader.person.0),
        );
        let id = self
            .record(
                None,
                Some(key),
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    let o = ownership::attach(id, case, &path, kind, &leader, due, &actor, today)?;
                    row(&o, "ownership_attached")
                }),
            )
            .await?
            .ok_or_else(|| StoreError::Conflict("该领导已包案此信访事项".into()))?;
        self.ownership(id)
            .await?
            .ok_or(StoreError::NotFound("包案"))
    }

    pub async fn ownership(&self, id: i64) -> Result<Option<Ownership>, StoreError> {
        self.record_state(KIND, id).await
    }

    /// Fills a part of the 五个一 or resolves the case.
    pub async fn own(
        &self,
        id: i64,
        cmd: OwnershipCommand,
        by: &Actor,
    ) -> Result<Ownership, StoreError> {
        let current = self
            .ownership(id)
            .await?
            .ok_or(StoreError::NotFound("包案"))?;
        let case_unit = self
            .case(current.case_id)
            .await?
            .map(|c| c.responsible_unit())
            .ok_or(StoreError::NotFound("信访事项"))?;
        let actor = by.clone();
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, state, today| {
                let mut o: Ownership = serde_json::from_str(state.unwrap_or("null"))?;
                let event = match &cmd {
                    OwnershipCommand::Fill { part, text } => {
                        o.fill(*part, text, &actor, case_unit, today)?;
                        "ownership_filled"
                    }
                    OwnershipCommand::Resolve { note } => {
                        o.resolve(note, &actor, today)?;
                        "ownership_resolved"
                    }
                };
                row(&o, event)
            }),
        )
        .await?;
        self.ownership(id)
            .await?
            .ok_or(StoreError::NotFound("包案"))
    }

    /// Ownerships, soonest due first.
    pub async fn ownerships(&self, f: &OwnershipFilter) -> Result<Vec<Ownership>, StoreError> {
        let q = RecordQuery {
            under_path: f.under_path.clone(),
            status: f.open_only.then_some("open"),
            case_id: f.case_id.map(|c| c.0),
            ref_id: f.leader.map(|p| p.0),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        self.record_states(KIND, &q).await
    }
}
