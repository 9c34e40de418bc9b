//! Imports run from the administration page (#17): the uploaded file, the plan chosen for it
//! (sheet, mapping), and the run's progress and outcome, shared by every server process. A job
//! is claimed by the process that runs it and touched as it goes; one untouched for
//! [`STALE_MS`] was stopped with its process and may be started again (the import skips the
//! rows it already wrote).

use rand::Rng;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};

use crate::{Store, StoreError};

/// A running job not touched for this long was stopped with its process.
pub const STALE_MS: i64 = 60_000;

/// Jobs (and their files) are forgotten after this long.
pub const KEPT_MS: i64 = 7 * 24 * 3_600_000;

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Uploaded, plan being chosen.
    Ready,
    Running,
    /// Stopped with its process while running.
    Stopped,
    Done,
    Failed,
}

/// A job as its page shows it (the file itself is read apart: [`Store::import_file`]).
#[derive(Debug, Clone)]
pub struct ImportJob {
    pub id: i64,
    pub person_id: i64,
    pub file_name: String,
    pub file_bytes: i64,
    /// Whether the file is still kept (dropped once imported).
    pub has_file: bool,
    pub sheet: Option<String>,
    /// The mapping file's TOML the plan uses.
    pub mapping: String,
    pub state: JobState,
    pub dry_run: bool,
    pub done: i64,
    pub total: i64,
    /// The outcome as the importer put it (JSON), or the reason it failed.
    pub result: Option<String>,
    pub has_report: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, person_id, file_name, file IS NOT NULL AS has_file, file_bytes, sheet, \
    mapping, state, dry_run, done, total, result, report IS NOT NULL AS has_report, created_at, \
    updated_at";

impl Store {
    /// Keeps an uploaded file as a new job; its id is random (job pages are not guessable).
    pub async fn create_import_job(
        &self,
        person_id: i64,
        file_name: &str,
        file: &[u8],
    ) -> Result<i64, StoreError> {
        let id = rand::rng().random_range(1..(1i64 << 53));
        let now = self.clock().now_ms();
        self.forget_import_jobs_before(now - KEPT_MS).await?;
        sqlx::query(
            "INSERT INTO import_jobs (id, person_id, file_name, file, file_bytes, state, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'ready', $6, $6)",
        )
        .bind(id)
        .bind(person_id)
        .bind(file_name)
        .bind(file.to_vec())
        .bind(file.len() as i64)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn import_job(&self, id: i64) -> Result<Option<ImportJob>, StoreError> {
        let row = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM import_jobs WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let now = self.clock().now_ms();
        row.map(|r| job(&r, now)).transpose()
    }

    /// The latest jobs, newest first.
    pub async fn import_jobs(&self, limit: i64) -> Result<Vec<ImportJob>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM import_jobs ORDER BY created_at DESC, id LIMIT $1"
        )))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let now = self.clock().now_ms();
        rows.iter().map(|r| job(r, now)).collect()
    }

    /// The uploaded file, while it is kept.
    pub async fn import_file(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.import_blob(id, "SELECT file AS blob FROM import_jobs WHERE id = $1")
            .await
    }

    /// Records the sheet and mapping chosen (not while the job runs).
    pub async fn plan_import_job(
        &self,
        id: i64,
        sheet: Option<&str>,
        mapping: &str,
    ) -> Result<bool, StoreError> {
        let now = self.clock().now_ms();
        let changed = sqlx::query(
            "UPDATE import_jobs SET sheet = $1, mapping = $2, updated_at = $3 \
             WHERE id = $4 AND (state <> 'running' OR updated_at < $5)",
        )
        .bind(sheet)
        .bind(mapping)
        .bind(now)
        .bind(id)
        .bind(now - STALE_MS)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Claims the job to run it: false when it runs already (in this or another process) or
    /// its file is gone.
    pub async fn start_import_job(
        &self,
        id: i64,
        dry_run: bool,
        total: i64,
    ) -> Result<bool, StoreError> {
        let now = self.clock().now_ms();
        let claimed = sqlx::query(
            "UPDATE import_jobs SET state = 'running', dry_run = $1, done = 0, total = $2, \
             result = NULL, report = NULL, updated_at = $3 \
             WHERE id = $4 AND file IS NOT NULL AND (state <> 'running' OR updated_at < $5)",
        )
        .bind(i64::from(dry_run))
        .bind(total)
        .bind(now)
        .bind(id)
        .bind(now - STALE_MS)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(claimed == 1)
    }

    /// Rows done so far (touches the job: it is alive).
    pub async fn import_job_progress(&self, id: i64, done: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE import_jobs SET done = $1, updated_at = $2 WHERE id = $3")
            .bind(done)
            .bind(self.clock().now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The run's end: its outcome, the error report, and (after a real import that finished)
    /// the file dropped.
    pub async fn finish_import_job(
        &self,
        id: i64,
        ok: bool,
        result: &str,
        report: Option<&[u8]>,
        drop_file: bool,
    ) -> Result<(), StoreError> {
        // Constant clauses only: nothing from outside is spliced in.
        let done = if ok { ", done = total" } else { "" };
        let file = if drop_file { ", file = NULL" } else { "" };
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE import_jobs SET state = $1, result = $2, report = $3, updated_at = $4\
             {done}{file} WHERE id = $5"
        )))
        .bind(if ok { "done" } else { "failed" })
        .bind(result)
        .bind(report.map(<[u8]>::to_vec))
        .bind(self.clock().now_ms())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The error report of the last run, when it had one.
    pub async fn import_report(&self, id: i64) -> Result<Option<Vec<u8>>, StoreError> {
        self.import_blob(id, "SELECT report AS blob FROM import_jobs WHERE id = $1")
            .await
    }

    async fn import_blob(&self, id: i64, sql: &'static str) -> Result<Option<Vec<u8>>, StoreError> {
        let row = sqlx::query(sql).bind(id).fetch_optional(&self.pool).await?;
        Ok(row
            .map(|r| r.try_get::<Option<Vec<u8>>, _>("blob"))
            .transpose()?
            .flatten())
    }

    async fn forget_import_jobs_before(&self, ms: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM import_jobs WHERE created_at < $1")
            .bind(ms)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The mappings kept by name, by name.
    pub async fn import_mappings(&self) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query("SELECT name, mapping FROM import_mappings")
            .fetch_all(&self.pool)
            .await?;
        // Sorted here: the databases' collations order Chinese differently.
        let mut kept = rows
            .iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("mapping")?)))
            .collect::<Result<Vec<(String, String)>, StoreError>>()?;
        kept.sort();
        Ok(kept)
    }

    /// Keeps `mapping` under `name` (replacing one of the same name).
    pub async fn save_import_mapping(&self, name: &str, mapping: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO import_mappings (name, mapping, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping, \
             updated_at = excluded.updated_at",
        )
        .bind(name)
        .bind(mapping)
        .bind(self.clock().now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

fn job(r: &AnyRow, now: i64) -> Result<ImportJob, StoreError> {
    let state: String = r.try_get("state")?;
    let updated_at: i64 = r.try_get("updated_at")?;
    let flag = |c: &str| -> Result<bool, StoreError> {
        // SQLite answers booleans as integers, PostgreSQL as booleans.
        Ok(match r.try_get::<bool, _>(c) {
            Ok(b) => b,
            Err(_) => r.try_get::<i64, _>(c)? != 0,
        })
    };
    Ok(ImportJob {
        id: r.try_get("id")?,
        person_id: r.try_get("person_id")?,
        file_name: r.try_get("file_name")?,
        file_bytes: r.try_get("file_bytes")?,
        has_file: flag("has_file")?,
        sheet: r.try_get("sheet")?,
        mapping: r.try_get("mapping")?,
        state: match state.as_str() {
            "running" if updated_at < now - STALE_MS => JobState::Stopped,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => JobState::Ready,
        },
        dry_run: r.try_get::<i64, _>("dry_run")? != 0,
        done: r.try_get("done")?,
        total: r.try_get("total")?,
        result: r.try_get("result")?,
        has_report: flag("has_report")?,
        created_at: r.try_get("created_at")?,
        updated_at,
    })
}
