//! 案件评查 and 回访 kept as records (see [`xinfang_domain::review`]), and what they add to the
//! handling units' figures for a period (by the day of the review or call).

use std::collections::BTreeMap;

use sqlx::Row;
use xinfang_domain::metrics::{Counts, Period};
use xinfang_domain::review::{self, FollowUp, QualityReview, Scores};
use xinfang_domain::{Actor, CaseId, Rating, UnitId};

use crate::records::RecordQuery;
use crate::writer::RecordRow;
use crate::{Store, StoreError, Who};

const REVIEW: &str = "quality_review";
const FOLLOW_UP: &str = "follow_up";

impl Store {
    async fn case_and_path(
        &self,
        id: CaseId,
    ) -> Result<(xinfang_domain::Case, xinfang_domain::UnitPath), StoreError> {
        let case = self
            .case(id)
            .await?
            .ok_or(StoreError::NotFound("信访事项"))?;
        let unit = case.handling_unit.unwrap_or(case.responsible_unit());
        let path = self.org().get(unit)?.path.clone();
        Ok((case, path))
    }

    /// Reviews a closed case.
    pub async fn review_case(
        &self,
        id: CaseId,
        scores: Scores,
        findings: &str,
        by: &Actor,
    ) -> Result<QualityReview, StoreError> {
        let (case, path) = self.case_and_path(id).await?;
        let (findings, actor) = (findings.to_string(), by.clone());
        let rid = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |rid, _, today| {
                    let r = review::review(
                        rid,
                        &case,
                        &path,
                        scores.clone(),
                        &findings,
                        &actor,
                        today,
                    )?;
                    Ok(RecordRow {
                        kind: REVIEW,
                        case_id: Some(r.case_id.0),
                        unit: r.unit,
                        status: "done",
                        due: Some(r.reviewed.on),
                        listed: false,
                        ref_id: None,
                        state: serde_json::to_string(&r)?,
                        event: "case_reviewed",
                        auto_key: None,
                    })
                }),
            )
            .await?
            .expect("a new record");
        self.record_state(REVIEW, rid)
            .await?
            .ok_or(StoreError::NotFound("评查"))
    }

    /// Records a follow-up call on an answered case.
    pub async fn follow_up(
        &self,
        id: CaseId,
        reached: bool,
        resolved: bool,
        rating: Option<Rating>,
        note: &str,
        by: &Actor,
    ) -> Result<FollowUp, StoreError> {
        let (case, path) = self.case_and_path(id).await?;
        let (note, actor) = (note.to_string(), by.clone());
        let rid = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |rid, _, today| {
                    let f = review::follow_up(
                        rid, &case, &path, reached, resolved, rating, &note, &actor, today,
                    )?;
                    Ok(RecordRow {
                        kind: FOLLOW_UP,
                        case_id: Some(f.case_id.0),
                        unit: f.unit,
                        status: if f.reached { "reached" } else { "unreached" },
                        due: Some(f.called.on),
                        listed: false,
                        ref_id: None,
                        state: serde_json::to_string(&f)?,
                        event: "case_followed_up",
                        auto_key: None,
                    })
                }),
            )
            .await?
            .expect("a new record");
        self.record_state(FOLLOW_UP, rid)
            .await?
            .ok_or(StoreError::NotFound("回访"))
    }

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
        Ok((
            self.record_states(REVIEW, &q).await?,
            self.record_states(FOLLOW_UP, &q).await?,
        ))
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
        .bind(REVIEW)
        .bind(FOLLOW_UP)
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<UnitId, Counts> = BTreeMap::new();
        for r in rows {
            let (kind, state): (String, String) = (r.try_get("kind")?, r.try_get("state")?);
            if kind == REVIEW {
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
