//! 值班、信息报送: the roster and the incidents of the units the officer oversees.

use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::duty::{DutyDay, Incident, ReportState, SetDuty};
use xinfang_domain::{Actor, access};
use xinfang_store::records::RecordQuery;

use super::records;
use crate::AppState;
use crate::error::ApiResult;

/// The roster of the units the officer oversees, from today on.
pub async fn roster(state: &AppState, actor: &Actor) -> ApiResult<Vec<DutyDay>> {
    let today = state.store.clock().today();
    Ok(state.store.roster(&access::oversight(actor), today).await?)
}

pub async fn set(state: &AppState, actor: &Actor, new: SetDuty) -> ApiResult<DutyDay> {
    Ok(state.store.set_duty(new, actor).await?)
}

/// Incidents of the units the officer oversees, newest first.
pub async fn incidents(state: &AppState, actor: &Actor) -> ApiResult<Vec<Incident>> {
    records::list(state, actor, RecordQuery::default()).await
}

/// An incident with where its report stands now.
#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    #[serde(flatten)]
    pub incident: Incident,
    /// due, missing, on_time or late.
    #[schema(value_type = String)]
    pub report_state: ReportState,
    pub flagged: bool,
}

pub fn view(state: &AppState, i: Incident) -> IncidentView {
    let s = i.state(state.store.clock().now_ms());
    IncidentView {
        incident: i,
        report_state: s,
        flagged: s.flagged(),
    }
}
