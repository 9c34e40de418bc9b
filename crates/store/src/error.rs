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
    #[error("数据库错误: {0}")]
    Db(sqlx::Error),
    #[error("数据库迁移失败: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("存储数据损坏: {0}")]
    Corrupt(String),
    #[error("写入服务已停止")]
    WriterGone,
}

impl From<sqlx::Error> for StoreError {
    /// Database errors, with the unique constraints people can run into given their meaning.
    fn from(e: sqlx::Error) -> Self {
        on_constraint(&e).unwrap_or(StoreError::Db(e))
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
