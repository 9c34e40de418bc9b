//! Bringing an office's history in (#17): registers exported from an old petition system or a
//! 12345 platform, in whatever spreadsheet they come as, read into rows of text, their columns
//! mapped to the fields of a case, and their values normalised. Pure but for reading the file.

pub mod build;
pub mod dates;
pub mod exchange;
pub mod fields;
pub mod markup;
pub mod normalise;
pub mod org;
pub mod org_run;
pub mod read;
pub mod row;
pub mod run;
pub mod stream;

pub use fields::{Mapping, Target};
pub use read::{Sheet, read_file};
pub use stream::Table;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("无法读取文件：{0}")]
    Io(#[from] std::io::Error),
    #[error("文件格式无法识别或已损坏：{0}")]
    Format(String),
    #[error("找不到工作表“{0}”（有：{1}）")]
    NoSuchSheet(String, String),
    #[error("映射不正确：{0}")]
    Mapping(String),
}
