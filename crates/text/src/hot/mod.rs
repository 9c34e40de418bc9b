//! Hot issues (热点): petitions grouped by matter as they arrive (`grouping`), ranked by heat for
//! a period (`issues`) over the cases' facts in day order (`facts`), kept up with the log with
//! their warnings (`follow`) and across restarts (`snapshot`).

pub mod facts;
pub mod follow;
pub mod grouping;
pub mod issues;
mod names;
mod snapshot;

pub use follow::{Answer, Filter, HotIssues};
pub use issues::HotIssue;
