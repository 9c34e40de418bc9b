use thiserror::Error;
use xinfang_domain::DomainError;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("{0}不存在")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("配置错误: {0}")]
    Config(String),
    /// A value that must be unique is taken (a username …): a stable code and a message.
    #[error("{message}")]
    Duplicate {
        code: &'static str,
        message: &'static str,
    },
    /// The disk holding the database is full: nothing was written.
    #[error("存储空间已满: {0}")]
    StorageFull(String),
    /// The database cannot be reached (stopped, restarting, unreachable): nothing was written.
    #[error("数据库暂时不可用: {0}")]
    StorageUnavailable(String),
    #[error("数据库错误: {0}")]
    Db(sqlx::Error),
    #[error("数据库迁移失败: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("存储数据损坏: {0}")]
    Corrupt(String),
    #[error("写入服务已停止")]
    WriterGone,
    /// A file of a backup or a restore could not be read or written.
    #[error("文件读写失败: {0}")]
    Io(#[from] std::io::Error),
}

impl From<sqlx::Error> for StoreError {
    /// Database errors, with the unique constraints people can run into given their meaning.
    fn from(e: sqlx::Error) -> Self {
        on_constraint(&e)
            .or_else(|| on_storage(&e))
            .unwrap_or(StoreError::Db(e))
    }
}

/// Errors of the storage rather than of the request: a full disk (SQLite's SQLITE_FULL,
/// PostgreSQL's 53100) or a database that cannot be reached.
fn on_storage(e: &sqlx::Error) -> Option<StoreError> {
    let text = e.to_string();
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            // SQLite's primary code is the low byte of its extended code.
            let sqlite_primary = code.parse::<i64>().ok().map(|c| c & 0xff);
            if sqlite_primary == Some(13) || code == "53100" {
                Some(StoreError::StorageFull(text))
            } else if sqlite_primary == Some(10)
                || code.starts_with("08")
                || code.starts_with("57P")
            {
                Some(StoreError::StorageUnavailable(text))
            } else {
                None
            }
        }
        sqlx::Error::Io(io) if io.raw_os_error() == Some(28) => Some(StoreError::StorageFull(text)),
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Tls(_) => Some(StoreError::StorageUnavailable(text)),
        _ => None,
    }
}

impl StoreError {
    /// The same storage failure again, for each job of a batch it refused.
    pub(crate) fn storage_again(&self) -> Option<StoreError> {
        match self {
            StoreError::StorageFull(m) => Some(StoreError::StorageFull(m.clone())),
            StoreError::StorageUnavailable(m) => Some(StoreError::StorageUnavailable(m.clone())),
            _ => None,
        }
    }

    /// Whether the storage refused the write (full or unreachable), not the request.
    pub fn is_storage(&self) -> bool {
        matches!(
            self,
            StoreError::StorageFull(_) | StoreError::StorageUnavailable(_)
        )
    }
}

/// The meaning of a violated unique constraint that a request (not a bug) can cause. SQLite
/// names the column (`people.username`), PostgreSQL the constraint (`people_username_key`).
fn on_constraint(e: &sqlx::Error) -> Option<StoreError> {
    let db = e.as_database_error()?;
    if db.kind() != sqlx::error::ErrorKind::UniqueViolation {
        return None;
    }
    let name = db.constraint().unwrap_or(db.message());
    if name.contains("username") {
        return Some(StoreError::Duplicate {
            code: "duplicate_username",
            message: "用户名已存在",
        });
    }
    None
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
