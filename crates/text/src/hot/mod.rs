//! Hot issues (热点): petitions grouped by matter as they arrive (`grouping`), ranked by heat for
//! a period (`issues`), kept up with the log with their warnings (`follow`).

pub mod follow;
pub mod grouping;
pub mod issues;

pub use follow::{Answer, Filter, HotIssues};
pub use issues::HotIssue;
