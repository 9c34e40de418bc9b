//! Pure rules of petition work (DESIGN.md §2–§4): no I/O, no async, no SQL.
//!
//! The centre is [`lifecycle::decide`]: given a case, a command, who acts and the day,
//! it returns the events to append or an error; [`case::Case::apply`] folds events into state.

pub mod access;
pub mod calendar;
pub mod campaign;
pub mod case;
pub mod command;
pub mod conference;
pub mod deadline;
pub mod dispatch;
pub mod duty;
pub mod error;
pub mod event;
pub mod ids;
pub mod joining;
pub mod knowledge;
pub mod ledger;
pub mod lifecycle;
pub mod metrics;
pub mod org;
pub mod ownership;
pub mod personal;
pub mod petitioner;
pub mod policy;
pub mod reception;
pub mod record;
pub mod review;
pub mod routing;
pub mod supervision;
pub mod taxonomy;
pub mod text_rule;
pub mod vocab;

pub use access::{Disclosure, Scope, UnitPath};
pub use calendar::Calendar;
pub use case::{Case, CaseStatus};
pub use command::{By, Command, NewCase};
pub use deadline::Warning;
pub use error::DomainError;
pub use event::Event;
pub use ids::*;
pub use org::{Actor, OrgChart, Role, Unit, UnitKind};
pub use petitioner::Petitioner;
pub use policy::Policy;
pub use record::{Record, RecordCtx, RecordOf};
pub use vocab::{Channel, LegalChannel, Outcome, Rating};
