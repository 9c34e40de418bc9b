//! 案件评查 and 回访 (see [`xinfang_domain::review`]), made through the record engine, and what
//! they add to the handling units' figures for a period (by the day of the review or call).

use std::collections::BTreeMap;

use sqlx::Row;
use xinfang_domain::metrics::{Counts, Period};
use xinfang_domain::review::{FollowUp, QualityReview};
use xinfang_domain::{CaseId, Record, UnitId};

use crate::records::RecordQuery;
use crate::{Store, StoreError};

impl Store {
    /// Reviews and follow-ups of a case, oldest first.
    pub async fn reviews_of(
        &self,
        id: CaseId,
    ) -> Result<(Vec<QualityReview>, Vec<FollowUp>), StoreError> {
        let q = RecordQuery {
            case_id: Some(id.0),
            by_due: true,
            limit: 100,
            ..Default::default()
        };
        Ok((self.list(&q).await?, self.list(&q).await?))
    }

    /// What reviews and follow-ups in the period add to each handling unit's counts. They are
    /// few (sampled by hand), so they are read as they are.
    pub(crate) async fn review_figures(
        &self,
        period: Period,
    ) -> Result<BTreeMap<UnitId, Counts>, StoreError> {
        let rows = sqlx::query(
            "SELECT kind, state FROM records WHERE kind IN ($1, $2) AND due >= $3 AND due <= $4",
        )
        .bind(QualityReview::KIND)
        .bind(FollowUp::KIND)
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<UnitId, Counts> = BTreeMap::new();
        for r in rows {
            let (kind, state): (String, String) = (r.try_get("kind")?, r.try_get("state")?);
            if kind == QualityReview::KIND {
                let q: QualityReview = serde_json::from_str(&state)?;
                let c = out.entry(q.unit).or_default();
                c.reviewed += 1;
                c.review_points += u64::from(q.scores.total());
            } else {
                let f: FollowUp = serde_json::from_str(&state)?;
                if f.reached {
                    let c = out.entry(f.unit).or_default();
                    c.followed_up += 1;
                    c.follow_up_resolved += u64::from(f.resolved);
                }
            }
        }
        Ok(out)
    }
}
