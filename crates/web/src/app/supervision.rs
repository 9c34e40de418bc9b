//! 督查督办: the supervision of the units the officer oversees, raising it, acting on it.

use xinfang_domain::supervision::{NewSupervision, Supervision, SupervisionStatus};
use xinfang_domain::{Actor, CaseId, UnitId};
use xinfang_store::records::RecordQuery;

use super::records;
use crate::AppState;
use crate::error::ApiResult;

/// Which supervision to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub status: Option<SupervisionStatus>,
    /// 挂牌督办 only.
    pub listed: bool,
    pub case_id: Option<CaseId>,
}

impl Filter {
    /// `open`, `answered` or `closed`; empty for any.
    pub fn status(code: Option<&str>) -> Result<Option<SupervisionStatus>, &'static str> {
        match code {
            None | Some("") => Ok(None),
            Some("open") => Ok(Some(SupervisionStatus::Open)),
            Some("answered") => Ok(Some(SupervisionStatus::Answered)),
            Some("closed") => Ok(Some(SupervisionStatus::Closed)),
            Some(_) => Err("status 应为 open、answered 或 closed"),
        }
    }
}

/// Supervision over the units the officer oversees, newest first (at most 500).
pub async fn list(state: &AppState, actor: &Actor, f: &Filter) -> ApiResult<Vec<Supervision>> {
    let q = RecordQuery {
        status: f.status.map(|s| s.code()),
        listed: f.listed,
        case_id: f.case_id.map(|c| c.0),
        limit: 500,
        ..Default::default()
    };
    records::list(state, actor, q).await
}

/// Raises supervision by hand over `unit` (about a case, if given).
pub async fn raise(
    state: &AppState,
    actor: &Actor,
    unit: UnitId,
    case_id: Option<CaseId>,
    reason: String,
) -> ApiResult<Supervision> {
    let new = NewSupervision::Manual {
        case_id,
        unit,
        reason,
    };
    records::create(state, actor, new).await
}
