//! Reading the records of the mechanisms (supervision, conferences, …): one by id, or a list by
//! scope, status, case or the record they belong to. Writing goes through the writer.

use serde::de::DeserializeOwned;
use sqlx::Row;
use xinfang_domain::UnitPath;

use crate::writer::RecordChange;
use crate::{Store, StoreError, Who};

/// Which records of a kind to list.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// Records of units in this subtree.
    pub under_path: Option<UnitPath>,
    pub status: Option<&'static str>,
    pub listed: bool,
    pub case_id: Option<i64>,
    pub ref_id: Option<i64>,
    /// Oldest first by `due` (then id) instead of newest first.
    pub by_due: bool,
    pub limit: u32,
}

impl Store {
    pub(crate) async fn record_state<T: DeserializeOwned>(
        &self,
        kind: &str,
        id: i64,
    ) -> Result<Option<T>, StoreError> {
        let row = sqlx::query("SELECT state FROM records WHERE id = $1 AND kind = $2")
            .bind(id)
            .bind(kind)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?))
            .transpose()
    }

    pub(crate) async fn record_states<T: DeserializeOwned>(
        &self,
        kind: &str,
        q: &RecordQuery,
    ) -> Result<Vec<T>, StoreError> {
        let mut sql = "SELECT state FROM records WHERE kind = $1".to_string();
        let mut texts: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        let mut n = 1;
        let mut next = || {
            n += 1;
            n
        };
        if let Some(path) = &q.under_path {
            let (low, high) = path.range();
            sql += &format!(" AND unit_path >= ${} AND unit_path < ${}", next(), next());
            texts.push(low);
            texts.push(high);
        }
        if let Some(s) = q.status {
            sql += &format!(" AND status = ${}", next());
            texts.push(s.to_string());
        }
        if q.listed {
            sql += " AND listed = 1";
        }
        for (col, v) in [("case_id", q.case_id), ("ref_id", q.ref_id)] {
            if let Some(v) = v {
                sql += &format!(" AND {col} = ${}", next());
                ints.push(v);
            }
        }
        let order = if q.by_due { "due, id" } else { "id DESC" };
        sql += &format!(" ORDER BY {order} LIMIT {}", q.limit.clamp(1, 500));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(kind.to_string());
        for t in texts {
            query = query.bind(t);
        }
        for i in ints {
            query = query.bind(i);
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| Ok(serde_json::from_str(&r.try_get::<String, _>("state")?)?))
            .collect()
    }
}

impl Store {
    /// Writes the automatic records of `due` not yet raised, each under its key, and returns
    /// how many were written. Keys already taken are skipped before anything reaches the
    /// writer (which checks again, for a sweep racing another).
    pub(crate) async fn raise_new(
        &self,
        due: Vec<(String, RecordChange)>,
    ) -> Result<usize, StoreError> {
        let keys: Vec<String> = due.iter().map(|(key, _)| key.clone()).collect();
        let taken = self.taken_keys(&keys).await?;
        let mut raised = 0;
        for (key, change) in due.into_iter().filter(|(key, _)| !taken.contains(key)) {
            let done = self.record(None, Some(key), Who::System, change).await?;
            raised += usize::from(done.is_some());
        }
        Ok(raised)
    }

    /// Those of `keys` that automatic records already carry.
    async fn taken_keys(
        &self,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut taken = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let marks = (1..=chunk.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(",");
            let sql = format!("SELECT auto_key FROM records WHERE auto_key IN ({marks})");
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for k in chunk {
                q = q.bind(k.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                taken.insert(r.try_get::<String, _>("auto_key")?);
            }
        }
        Ok(taken)
    }
}

/// How far the minute sweep has read: the day of its last full pass and the last event seen.
#[derive(Debug, Default, Clone, Copy)]
pub struct SweepMark {
    day: Option<chrono::NaiveDate>,
    seq: i64,
}

impl Store {
    /// The supervision and conference sweeps, kept cheap for a sweep every minute: deadlines
    /// pass by days, so every candidate case is read once a day (and at start); in between,
    /// bounces and refusals come only with events, so only the cases touched since the last
    /// pass are read. Returns the supervisions raised and the cases proposed.
    pub async fn sweep_mechanisms(
        &self,
        mark: &mut SweepMark,
    ) -> Result<(usize, usize), StoreError> {
        let today = self.clock().today();
        // Read before the pass: what commits during it is read by the next one.
        let head = *self.committed().borrow();
        let done = if mark.day != Some(today) {
            (
                self.sweep_supervision().await?,
                self.sweep_conference().await?,
            )
        } else if head > mark.seq {
            let cases = self.cases_touched(mark.seq, head).await?;
            (
                self.supervise_due(&cases, today).await?,
                self.propose_due(&cases, today).await?,
            )
        } else {
            (0, 0)
        };
        *mark = SweepMark {
            day: Some(today),
            seq: head,
        };
        Ok(done)
    }
}
