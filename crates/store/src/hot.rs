//! The 预警 raised by hot issues (see `xinfang_text::hot`): written once per issue, read back
//! newest first.

use chrono::NaiveDate;
use sqlx::Row;

use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotWarning {
    /// The issue: the id of its first case.
    pub issue: i64,
    pub raised_at_ms: i64,
    pub raised_on: NaiveDate,
    /// The issue's cases within `days` days when it was raised, latest first.
    pub cases: Vec<i64>,
    pub case_count: u32,
    pub collective: u32,
    pub days: u32,
}

impl Store {
    /// Keeps a warning unless one was raised for the issue before; true when this one is new.
    pub async fn raise_hot_warning(&self, w: &HotWarning) -> Result<bool, StoreError> {
        let cases: Vec<String> = w.cases.iter().map(i64::to_string).collect();
        let done = sqlx::query(
            "INSERT INTO hot_warnings (issue, raised_at, raised_on, cases, case_count, collective, days) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (issue) DO NOTHING",
        )
        .bind(w.issue)
        .bind(w.raised_at_ms)
        .bind(w.raised_on.to_string())
        .bind(cases.join(","))
        .bind(w.case_count as i64)
        .bind(w.collective as i64)
        .bind(w.days as i64)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The latest warnings, newest first.
    pub async fn hot_warnings(&self, limit: i64) -> Result<Vec<HotWarning>, StoreError> {
        let rows = sqlx::query(
            "SELECT issue, raised_at, raised_on, cases, case_count, collective, days \
             FROM hot_warnings ORDER BY raised_at DESC, issue DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| {
                let on: String = row.try_get(2)?;
                let cases: String = row.try_get(3)?;
                Ok(HotWarning {
                    issue: row.try_get(0)?,
                    raised_at_ms: row.try_get(1)?,
                    raised_on: on.parse().map_err(|_| {
                        StoreError::Corrupt(format!("hot_warnings.raised_on: {on}"))
                    })?,
                    cases: cases.split(',').filter_map(|c| c.parse().ok()).collect(),
                    case_count: row.try_get::<i64, _>(4)? as u32,
                    collective: row.try_get::<i64, _>(5)? as u32,
                    days: row.try_get::<i64, _>(6)? as u32,
                })
            })
            .collect()
    }
}
