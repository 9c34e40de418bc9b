//! Chinese text: jieba segmentation and the full-text index of cases, kept in step with the
//! event log by a follower task. PostgreSQL has no Chinese parser on Debian, so search lives
//! here and works the same over both databases.

pub mod hot;
pub mod index;
pub mod knowledge;
pub mod reply_check;
pub mod routing;
pub mod search;
pub mod segment;
pub mod synonyms;

pub use index::{CaseIndex, CaseText, Hits, Reach};
pub use search::TextSearch;
pub use synonyms::Synonyms;

#[derive(Debug, thiserror::Error)]
pub enum TextError {
    #[error("全文索引错误: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("全文索引目录错误: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Store(#[from] xinfang_store::StoreError),
    #[error("全文索引任务中断: {0}")]
    Task(#[from] tokio::task::JoinError),
}
