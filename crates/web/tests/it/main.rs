//! The web crate end to end, in one test binary (one link on CI): the JSON API, the officers'
//! pages and the citizens' portal over HTTP, Open311, notices, and the workbench in Chromium.

// Helpers unwrap: a test that cannot set itself up should fail at once.
#![allow(clippy::unwrap_used)]

mod accounts;
mod api;
mod browser;
mod classes;
mod common;
mod conference;
mod conflicts;
mod duty;
mod external;
mod hot;
mod imports;
mod joining;
mod knowledge;
mod leadership;
mod ledger;
mod notices;
mod once;
mod open311;
mod portal;
mod references;
mod replies;
mod reports;
mod routing;
mod search;
mod stats;
mod storage;
mod supervision;
mod text;
mod ui;
