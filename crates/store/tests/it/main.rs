//! The store on SQLite and PostgreSQL, in one test binary (one link on CI): the event log,
//! the read models and figures, and each mechanism's records.

// Helpers unwrap: a test that cannot set itself up should fail at once.
#![allow(clippy::unwrap_used)]

mod backup;
mod calendar;
mod conference;
mod conflicts;
mod duty;
mod figures;
mod import_jobs;
mod joining;
mod ownership;
mod personal;
mod processes;
mod reception;
mod repack;
mod review;
mod store;
mod supervision;
mod writer;
