//! 督查督办 (see [`xinfang_domain::supervision`]): what the sweeper raises. Raising by hand,
//! answering, listing, holding to account and closing go through the record engine; the
//! sweeper's keys make raising idempotent across runs and restarts.

use chrono::NaiveDate;
use sqlx::Row;
use xinfang_domain::supervision::{self, NewSupervision, Supervision};
use xinfang_domain::{Case, CaseId, UnitId};

use crate::{Store, StoreError};

impl Store {
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
        cases: &[Case],
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
        let due = due
            .into_iter()
            .map(|(case_id, due)| (due.key.clone(), NewSupervision::Due { case_id, due }))
            .collect();
        self.raise_new::<Supervision>(due).await
    }
}
