//! Monthly assessment reports as issued (印发, #17). The live figures follow every merge and
//! split; a report that went out for a closed month keeps the figures it was issued with.

use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use xinfang_domain::metrics::Counts;
use xinfang_domain::{PersonId, UnitId};

use crate::{Store, StoreError};

/// One unit's line of an issued report, as it was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedLine {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub counts: Counts,
}

/// An issued report: the month, the unit that issued it, whether its lines sum their subtrees,
/// and who issued it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedReport {
    pub id: i64,
    /// `YYYY-MM`.
    pub month: String,
    pub unit: UnitId,
    pub subtree: bool,
    pub lines: Vec<IssuedLine>,
    pub issued_by: PersonId,
    pub issued_at: i64,
}

const SELECT: &str =
    "SELECT id, month, unit_id, subtree, figures, issued_by, issued_at FROM issued_reports";

fn report(r: &sqlx::any::AnyRow) -> Result<IssuedReport, StoreError> {
    let figures: String = r.try_get("figures")?;
    Ok(IssuedReport {
        id: r.try_get("id")?,
        month: r.try_get("month")?,
        unit: UnitId(r.try_get("unit_id")?),
        subtree: r.try_get::<i64, _>("subtree")? != 0,
        lines: serde_json::from_str(&figures)?,
        issued_by: PersonId(r.try_get("issued_by")?),
        issued_at: r.try_get("issued_at")?,
    })
}

impl Store {
    /// Keeps `lines` as `unit`'s report for `month`; [`StoreError::Conflict`] when the unit
    /// issued that month's report (of the same extent) before: an issued report is never
    /// replaced.
    pub async fn issue_report(
        &self,
        month: &str,
        unit: UnitId,
        subtree: bool,
        lines: &[IssuedLine],
        by: PersonId,
    ) -> Result<IssuedReport, StoreError> {
        if let Some(before) = self.issued_report_of(month, unit, subtree).await? {
            return Err(StoreError::Conflict(format!(
                "{month} 的报表已于 {} 印发，印发的报表不再改动",
                self.clock().date_of(before.issued_at)
            )));
        }
        let id = rand::rng().random_range(1..(1i64 << 53));
        let now = self.clock().now_ms();
        let inserted = sqlx::query(
            "INSERT INTO issued_reports (id, month, unit_id, subtree, figures, issued_by, issued_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(month)
        .bind(unit.0)
        .bind(i64::from(subtree))
        .bind(serde_json::to_string(lines)?)
        .bind(by.0)
        .bind(now)
        .execute(&self.pool)
        .await;
        match inserted {
            Ok(_) => {}
            // Issued at the same moment by another request: that one stands.
            Err(e)
                if e.as_database_error().map(|d| d.kind())
                    == Some(sqlx::error::ErrorKind::UniqueViolation) =>
            {
                return Err(StoreError::Conflict(format!("{month} 的报表已经印发")));
            }
            Err(e) => return Err(e.into()),
        }
        Ok(IssuedReport {
            id,
            month: month.to_string(),
            unit,
            subtree,
            lines: lines.to_vec(),
            issued_by: by,
            issued_at: now,
        })
    }

    pub async fn issued_report(&self, id: i64) -> Result<Option<IssuedReport>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(report).transpose()
    }

    async fn issued_report_of(
        &self,
        month: &str,
        unit: UnitId,
        subtree: bool,
    ) -> Result<Option<IssuedReport>, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE month = $1 AND unit_id = $2 AND subtree = $3"
        )))
        .bind(month)
        .bind(unit.0)
        .bind(i64::from(subtree))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(report).transpose()
    }

    /// The reports issued by any of `units`, newest month first.
    pub async fn issued_reports(&self, units: &[UnitId]) -> Result<Vec<IssuedReport>, StoreError> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = units.iter().map(|u| u.0.to_string()).collect();
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE unit_id IN ({}) ORDER BY month DESC, issued_at DESC LIMIT 100",
            list.join(",")
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(report).collect()
    }
}
