//! The one engine of the mechanisms' records (see [`xinfang_domain::record`]): create, act on,
//! read one, list. Every change goes through the writer, which decides it with the record's
//! rules, logs it and answers with the new state (nothing is read back).

use sqlx::Row;
use xinfang_domain::{Record, RecordKey, RecordOf, Scope, UnitPath};

use crate::writer::records::Op;
use crate::writer::{Change, Changed};
use crate::{Store, StoreError, Who};

/// Which records of a kind to list.
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    /// Records of units in this subtree; all when `None`.
    pub under: Option<UnitPath>,
    pub status: Option<&'static str>,
    /// 挂牌督办 and other records shown to leaders.
    pub listed: bool,
    pub case_id: Option<i64>,
    pub ref_id: Option<i64>,
    /// Oldest first by `due` (then id) instead of newest first.
    pub by_due: bool,
    pub limit: u32,
}

impl RecordQuery {
    /// Records of the units a scope covers.
    pub fn within(scope: &Scope) -> RecordQuery {
        RecordQuery {
            under: scope.path().cloned(),
            limit: 500,
            ..Default::default()
        }
    }
}

/// A record's row with its sealed personal data (`sealed` is NULL when it holds none).
const SELECT: &str = "SELECT records.id AS id, records.state AS state, record_personal.sealed AS sealed \
     FROM records LEFT JOIN record_personal ON record_personal.record_id = records.id";

fn state_of<R: Record>(changed: Changed) -> Result<R, StoreError> {
    Ok(serde_json::from_str(&changed.state)?)
}

impl Store {
    /// Makes a new record.
    pub async fn create<R: Record>(
        &self,
        new: R::New,
        who: impl Into<Who>,
    ) -> Result<R, StoreError> {
        self.put::<R>(None, new, who.into()).await
    }

    /// Makes a new record, or makes it anew in the place of `replace` (one rotation per unit,
    /// one duty day per unit and date).
    pub(crate) async fn put<R: Record>(
        &self,
        replace: Option<R::Id>,
        new: R::New,
        who: Who,
    ) -> Result<R, StoreError> {
        let op: Op<R> = Op::Create {
            new,
            replace,
            auto_key: None,
        };
        match self.write_record(Box::new(op), who).await? {
            Some(changed) => state_of(changed),
            None => Err(StoreError::Conflict("记录已存在".into())),
        }
    }

    /// Makes a new record unless one with this key was made before (then `None`).
    pub(crate) async fn create_once<R: Record>(
        &self,
        key: String,
        new: R::New,
        who: Who,
    ) -> Result<Option<R>, StoreError> {
        let op: Op<R> = Op::Create {
            new,
            replace: None,
            auto_key: Some(key),
        };
        self.write_record(Box::new(op), who)
            .await?
            .map(state_of)
            .transpose()
    }

    /// Runs a command on a record; a record of another kind is not found.
    pub async fn act_on<I: RecordOf>(
        &self,
        id: I,
        cmd: <I::Record as Record>::Command,
        who: impl Into<Who>,
    ) -> Result<I::Record, StoreError> {
        let op: Op<I::Record> = Op::Act { id, cmd };
        match self.write_record(Box::new(op), who.into()).await? {
            Some(changed) => state_of(changed),
            None => Err(StoreError::NotFound(<I::Record as Record>::NAME)),
        }
    }

    /// One record, if it is of its id's kind.
    pub async fn get<I: RecordOf>(&self, id: I) -> Result<Option<I::Record>, StoreError> {
        let sql = format!("{SELECT} WHERE records.id = $1 AND records.kind = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.raw())
            .bind(<I::Record as Record>::KIND)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.record_of(&r)).transpose()
    }

    /// Records of kind `R`, newest first (or by due date), at most `q.limit` (≤ 500).
    pub async fn list<R: Record>(&self, q: &RecordQuery) -> Result<Vec<R>, StoreError> {
        let mut sql = format!("{SELECT} WHERE records.kind = $1");
        let mut texts: Vec<String> = Vec::new();
        let mut ints: Vec<i64> = Vec::new();
        let mut n = 1;
        let mut next = || {
            n += 1;
            n
        };
        if let Some(path) = &q.under {
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
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(R::KIND);
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
            .map(|r| self.record_of(r))
            .collect()
    }

    /// Every record of kind `R` (with `status`, when given), oldest first: for kinds kept whole
    /// in memory, such as the dispatch catalogue.
    pub async fn all<R: Record>(&self, status: Option<&str>) -> Result<Vec<R>, StoreError> {
        const PAGE: i64 = 1_000;
        let mut sql = format!("{SELECT} WHERE records.kind = $1 AND records.id > $2");
        if status.is_some() {
            sql += " AND status = $3";
        }
        sql += &format!(" ORDER BY records.id LIMIT {PAGE}");
        let mut out: Vec<R> = Vec::new();
        let mut after = 0i64;
        loop {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(R::KIND)
                .bind(after);
            if let Some(s) = status {
                q = q.bind(s.to_string());
            }
            let rows = q.fetch_all(&self.pool).await?;
            let Some(last) = rows.last() else { break };
            after = last.try_get("id")?;
            for r in &rows {
                out.push(self.record_of(r)?);
            }
            if (rows.len() as i64) < PAGE {
                break;
            }
        }
        Ok(out)
    }

    /// Whether the log holds an event of one of `kinds` after `after`, up to `upto`.
    pub async fn logged_between(
        &self,
        kinds: &[&str],
        after: i64,
        upto: i64,
    ) -> Result<bool, StoreError> {
        let marks: Vec<String> = (0..kinds.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!(
            "SELECT seq FROM events WHERE seq > $1 AND seq <= $2 AND kind IN ({}) LIMIT 1",
            marks.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after).bind(upto);
        for k in kinds {
            q = q.bind(k.to_string());
        }
        Ok(q.fetch_optional(&self.pool).await?.is_some())
    }

    /// A record from a row of [`SELECT`], with its sealed personal data put back.
    fn record_of<R: Record>(&self, r: &sqlx::any::AnyRow) -> Result<R, StoreError> {
        let state: String = r.try_get("state")?;
        let sealed = crate::personal::sealed_column(r, "sealed")?;
        let full =
            crate::personal::fields::open(&self.keys, r.try_get("id")?, &state, sealed.as_deref())?;
        Ok(serde_json::from_str(&full)?)
    }

    /// The id of the record of kind `R` at `unit` (with `due`, if given), for records kept one
    /// per unit (and day).
    pub(crate) async fn record_at<R: Record>(
        &self,
        unit: xinfang_domain::UnitId,
        due: Option<chrono::NaiveDate>,
    ) -> Result<Option<R::Id>, StoreError> {
        let mut sql = "SELECT id FROM records WHERE kind = $1 AND unit_id = $2".to_string();
        if due.is_some() {
            sql += " AND due = $3";
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(R::KIND)
            .bind(unit.0);
        if let Some(d) = due {
            q = q.bind(d.to_string());
        }
        Ok(q.fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get::<i64, _>("id"))
            .transpose()?
            .map(R::Id::of))
    }

    /// Makes the automatic records of `due` not yet raised, each under its key, and returns
    /// how many were made. Keys already taken are skipped before anything reaches the writer
    /// (which checks again, for a sweep racing another).
    pub(crate) async fn raise_new<R: Record>(
        &self,
        due: Vec<(String, R::New)>,
    ) -> Result<usize, StoreError> {
        let keys: Vec<String> = due.iter().map(|(key, _)| key.clone()).collect();
        let taken = self.taken_keys(&keys).await?;
        let mut raised = 0;
        for (key, new) in due.into_iter().filter(|(key, _)| !taken.contains(key)) {
            let made = self.create_once::<R>(key, new, Who::System).await?;
            raised += usize::from(made.is_some());
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

/// A change for [`Store::register_linked`]: `cmd` on the record `id` once the case exists.
pub(crate) fn link<I: RecordOf>(
    id: I,
    cmd: impl Fn(xinfang_domain::CaseId) -> <I::Record as Record>::Command + Send + Sync + 'static,
) -> crate::writer::Link {
    Box::new(move |case| -> Box<dyn Change> {
        Box::new(Op::<I::Record>::Act { id, cmd: cmd(case) })
    })
}
