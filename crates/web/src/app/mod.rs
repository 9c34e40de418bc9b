//! The application layer: what officers do, as both the JSON API and the pages ask it. Each
//! function takes the officer, checks what they may reach through the domain's access rules,
//! and asks the store; handlers in `api/` and `ui/` only translate HTTP to these calls and back.

pub mod calendar;
pub mod campaigns;
pub mod cases;
pub mod conference;
pub mod dispatch;
pub mod duty;
pub mod hot;
pub mod imports;
pub mod knowledge;
pub mod leadership;
pub mod ledger;
pub mod org;
pub mod reception;
pub mod records;
pub mod replies;
pub mod review;
pub mod routing;
pub mod stats;
pub mod supervision;
