//! 督查督办 kept as records (see [`xinfang_domain::supervision`]): raised by hand or by the
//! sweeper, answered, listed, held to account and closed through the writer, so that every
//! change is in the log. The sweeper's keys make it idempotent across runs and restarts.

use chrono::NaiveDate;
use sqlx::Row;
use xinfang_domain::supervision::{self, Supervision, SupervisionCommand, SupervisionStatus};
use xinfang_domain::{Actor, CaseId, UnitId};

use crate::records::RecordQuery;
use crate::writer::{RecordChange, RecordRow};
use crate::{Store, StoreError, Who};

const KIND: &str = "supervision";

fn row(s: &Supervision, event: &'static str) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: KIND,
        case_id: s.case_id.map(|c| c.0),
        unit: s.unit,
        status: s.status.code(),
        due: (s.status == SupervisionStatus::Open).then_some(s.answer_due),
        listed: s.listed,
        ref_id: None,
        state: serde_json::to_string(s)?,
        event,
        auto_key: None,
    })
}

/// Which supervisions to list.
#[derive(Debug, Clone, Default)]
pub struct SupervisionFilter {
    /// Supervisions of units in this subtree (by materialised path).
    pub under_path: Option<xinfang_domain::UnitPath>,
    pub status: Option<SupervisionStatus>,
    /// 挂牌督办 only.
    pub listed: bool,
    pub case_id: Option<CaseId>,
    pub limit: u32,
}

impl Store {
    /// Raises supervision by hand over `unit` (about `case`, if given).
    pub async fn raise_supervision(
        &self,
        case: Option<CaseId>,
        unit: UnitId,
        reason: &str,
        by: &Actor,
    ) -> Result<Supervision, StoreError> {
        let path = self.org().get(unit)?.path.clone();
        let case = match case {
            Some(id) => Some(
                self.case(id)
                    .await?
                    .ok_or(StoreError::NotFound("信访事项"))?,
            ),
            None => None,
        };
        let (reason, actor) = (reason.to_string(), by.clone());
        let id = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    let s =
                        supervision::raise(id, case.as_ref(), unit, &path, &reason, &actor, today)?;
                    row(&s, "supervision_raised")
                }),
            )
            .await?
            .expect("a new record");
        self.supervision(id)
            .await?
            .ok_or(StoreError::NotFound("督办"))
    }

    /// Runs a command on a supervision.
    pub async fn supervise(
        &self,
        id: i64,
        cmd: SupervisionCommand,
        by: &Actor,
    ) -> Result<Supervision, StoreError> {
        let org = self.org();
        let actor = by.clone();
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, current, today| {
                let mut s: Supervision = serde_json::from_str(current.unwrap_or("null"))?;
                let path = org.get(s.unit)?.path.clone();
                s.handle(&cmd, &actor, &path, today)?;
                row(&s, cmd.code())
            }),
        )
        .await?;
        self.supervision(id)
            .await?
            .ok_or(StoreError::NotFound("督办"))
    }

    pub async fn supervision(&self, id: i64) -> Result<Option<Supervision>, StoreError> {
        self.record_state(KIND, id).await
    }

    /// Supervisions, newest first.
    pub async fn supervisions(
        &self,
        f: &SupervisionFilter,
    ) -> Result<Vec<Supervision>, StoreError> {
        let q = RecordQuery {
            under_path: f.under_path.clone(),
            status: f.status.map(|s| s.code()),
            listed: f.listed,
            case_id: f.case_id.map(|c| c.0),
            limit: f.limit,
            ..Default::default()
        };
        self.record_states(KIND, &q).await
    }

    /// Raises every automatic supervision now due: late acceptances and handling, bouncing
    /// cases, notices that never reached the petitioner. Each cause is raised once, whatever how
    /// often this runs. Returns how many were raised.
    pub async fn sweep_supervision(&self) -> Result<usize, StoreError> {
        let today = self.clock().today();
        let cases = self
            .cases_where_any(
                &[
                    "clock_due < $1 AND clock_step IN ('受理', '办理')",
                    // `bounces >= 2` is the partial index's own term; the sweep wants more than two.
                    "bounces >= 2 AND bounces > 2",
                ],
                today,
            )
            .await?;
        self.supervise_due(&cases, today).await
    }

    /// Raises what is due for these cases and for undelivered notices.
    pub(crate) async fn supervise_due(
        &self,
        cases: &[xinfang_domain::Case],
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        let mut due = Vec::new();
        for case in cases {
            for d in supervision::due_for(case, today) {
                due.push((Some(case.id), d));
            }
        }
        // Notices given up after every attempt: the petitioner was never told.
        let failed = sqlx::query(
            "SELECT o.id, o.case_id, c.responsible_unit FROM outbox o JOIN cases c ON c.id = o.case_id \
             WHERE o.status = 'failed' ORDER BY o.id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in failed {
            let (id, case): (i64, i64) = (r.try_get("id")?, r.try_get("case_id")?);
            due.push((
                Some(CaseId(case)),
                supervision::Due {
                    key: format!("missing_notice:{id}"),
                    trigger: supervision::Trigger::MissingNotice,
                    unit: UnitId(r.try_get("responsible_unit")?),
                    reason: "书面告知经多次发送仍未送达信访人".into(),
                },
            ));
        }
        let changes = due
            .into_iter()
            .map(|(case, d)| {
                let key = d.key.clone();
                let change: RecordChange = Box::new(move |id, _, today: NaiveDate| {
                    row(
                        &supervision::raise_due(id, case, &d, today),
                        "supervision_raised",
                    )
                });
                (key, change)
            })
            .collect();
        self.raise_new(changes).await
    }
}
