//! 排查台账 kept as records (see [`xinfang_domain::ledger`]); an entry turned into a case is
//! registered as one and linked.

use xinfang_domain::Scope;
use xinfang_domain::ledger::{self, Dispute, DisputeCommand, DisputeInput, DisputeStatus};
use xinfang_domain::{Actor, Case, NewCase};

use crate::records::RecordQuery;
use crate::writer::RecordRow;
use crate::{Store, StoreError, Who};

const KIND: &str = "dispute";

fn row(d: &Dispute, event: &'static str) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: KIND,
        case_id: d.case_id.map(|c| c.0),
        unit: d.unit,
        status: d.status.code(),
        due: Some(d.due),
        // High risk shows among what leaders must watch.
        listed: d.risk == ledger::Risk::High,
        ref_id: None,
        state: serde_json::to_string(d)?,
        event,
        auto_key: None,
    })
}

impl Store {
    pub async fn record_dispute(
        &self,
        input: DisputeInput,
        by: &Actor,
    ) -> Result<Dispute, StoreError> {
        let path = self.org().get(input.unit_id)?.path.clone();
        let actor = by.clone();
        let id = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    row(
                        &ledger::record(id, &input, &path, &actor, today)?,
                        "dispute_recorded",
                    )
                }),
            )
            .await?
            .expect("a new record");
        self.dispute(id).await?.ok_or(StoreError::NotFound("台账"))
    }

    pub async fn dispute(&self, id: i64) -> Result<Option<Dispute>, StoreError> {
        self.record_state(KIND, id).await
    }

    /// Entries of units within `under_path`, soonest due first.
    pub async fn disputes(
        &self,
        scope: &Scope,
        open_only: bool,
    ) -> Result<Vec<Dispute>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            status: open_only.then_some(DisputeStatus::Open.code()),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        self.record_states(KIND, &q).await
    }

    pub async fn act_dispute(
        &self,
        id: i64,
        cmd: DisputeCommand,
        by: &Actor,
    ) -> Result<Dispute, StoreError> {
        let org = self.org();
        let actor = by.clone();
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, state, today| {
                let mut d: Dispute = serde_json::from_str(state.unwrap_or("null"))?;
                let path = org.get(d.unit)?.path.clone();
                d.handle(&cmd, &actor, &path, today)?;
                row(&d, "dispute_changed")
            }),
        )
        .await?;
        self.dispute(id).await?.ok_or(StoreError::NotFound("台账"))
    }

    /// Registers a petition about an open entry (by a registrar, at their unit) and links them.
    pub async fn dispute_to_case(
        &self,
        id: i64,
        new: NewCase,
        by: &Actor,
    ) -> Result<Case, StoreError> {
        let d = self
            .dispute(id)
            .await?
            .ok_or(StoreError::NotFound("台账"))?;
        let path = self.org().get(d.unit)?.path.clone();
        if !ledger::may_keep(by, &path) {
            return Err(xinfang_domain::DomainError::Forbidden(
                "只能办理本单位及下级单位的排查台账",
            )
            .into());
        }
        if d.status != DisputeStatus::Open {
            return Err(xinfang_domain::DomainError::IllegalTransition {
                status: d.status.label(),
                action: "转为信访事项",
            }
            .into());
        }
        let case = self
            .register(new, Who::Officer(by.clone()), by.unit)
            .await?;
        let case_id = case.id;
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, state, _| {
                let mut d: Dispute = serde_json::from_str(state.unwrap_or("null"))?;
                d.became(case_id)?;
                row(&d, "dispute_became_case")
            }),
        )
        .await?;
        Ok(case)
    }
}
