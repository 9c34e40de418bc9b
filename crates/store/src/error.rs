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
    #[error("数据库错误: {0}")]
    Db(#[from] sqlx::Error),
    #[error("数据库迁移失败: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("存储数据损坏: {0}")]
    Corrupt(String),
    #[error("写入服务已停止")]
    WriterGone,
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}
