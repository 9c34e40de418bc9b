//! 领导包案 pages: a leader's page (own cases with the 五个一 and their deadlines, 挂牌督办 in
//! scope), the caseloads of the leaders a superior oversees; attaching a leader and filling
//! the 五个一 from the case page.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::ownership::{Ownership, OwnershipCommand, OwnershipKind, Part};
use xinfang_domain::supervision::Supervision;
use xinfang_domain::{CaseId, OwnershipId, PersonId};

use super::form::Submitted;
use super::frame::{CaseNames, Frame, error_page, frame, urlencode};
use super::session::UiOfficer;
use crate::app::leadership::Whose;
use crate::error::ApiError;
use crate::{AppState, app};

/// One leader's caseload.
pub struct Load {
    pub leader: String,
    pub open: usize,
    pub overdue: usize,
    pub resolved: usize,
}

#[derive(Template, WebTemplate)]
#[template(path = "leadership.html")]
struct Page {
    frame: Frame,
    mine: Vec<Ownership>,
    listed: Vec<Supervision>,
    loads: Vec<Load>,
    today: chrono::NaiveDate,
    names: CaseNames,
}

pub async fn page(State(state): State<AppState>, officer: UiOfficer) -> Response {
    let a = &officer.actor;
    let listed = app::supervision::Filter {
        listed: true,
        ..Default::default()
    };
    let loaded = async {
        Ok::<_, ApiError>((
            app::leadership::list(&state, a, Whose::Mine, false).await?,
            app::leadership::list(&state, a, Whose::Overseen, false).await?,
            app::supervision::list(&state, a, &listed).await?,
        ))
    }
    .await;
    let (mine, all, listed) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(e.status, &e.message),
    };
    let today = state.store.clock().today();
    let mut loads: BTreeMap<String, Load> = BTreeMap::new();
    for o in all {
        let l = loads.entry(o.leader_name.clone()).or_insert_with(|| Load {
            leader: o.leader_name.clone(),
            open: 0,
            overdue: 0,
            resolved: 0,
        });
        match (o.is_open(), o.due < today) {
            (false, _) => l.resolved += 1,
            (true, true) => {
                l.open += 1;
                l.overdue += 1
            }
            (true, false) => l.open += 1,
        }
    }
    let names = CaseNames::of(&state, a, mine.iter().map(|o| o.case_id)).await;
    Page {
        names,
        frame: frame(&state, &officer),
        mine,
        listed,
        loads: loads.into_values().collect(),
        today,
    }
    .into_response()
}

fn back_to_case(case: CaseId, done: &str) -> Response {
    Redirect::to(&format!(
        "/cases/{}?done={}#case-ownership",
        case.0,
        urlencode(done)
    ))
    .into_response()
}

#[derive(Deserialize)]
pub struct AttachForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    leader_id: Option<i64>,
}

/// Attach a leader from the case page.
pub async fn attach(
    State(state): State<AppState>,
    Path(case_id): Path<i64>,
    Submitted { officer, form }: Submitted<AttachForm>,
) -> Response {
    let kind = match form.kind.as_str() {
        "new_case_traced_back" => OwnershipKind::NewCaseTracedBack,
        _ => OwnershipKind::OldCase,
    };
    let Ok(due) = form.due.trim().parse() else {
        return error_page(StatusCode::UNPROCESSABLE_ENTITY, "请填写正确的化解期限");
    };
    let leader = PersonId(form.leader_id.unwrap_or(0));
    let case = CaseId(case_id);
    match app::leadership::attach(&state, &officer.actor, case, leader, kind, due).await {
        Ok(_) => back_to_case(case, "确定包案领导"),
        Err(e) => error_page(e.status, &e.message),
    }
}

#[derive(Deserialize)]
pub struct OwnForm {
    action: String,
    #[serde(default)]
    part: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    note: String,
}

/// Fill a part of the 五个一, or resolve.
pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<OwnForm>,
) -> Response {
    let cmd = match form.action.as_str() {
        "fill" => match Part::from_code(&form.part) {
            Some(part) => OwnershipCommand::Fill {
                part,
                text: form.text,
            },
            None => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "请选择“五个一”的项目"),
        },
        "resolve" => OwnershipCommand::Resolve { note: form.note },
        _ => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "未知的操作"),
    };
    match app::leadership::act(&state, &officer.actor, OwnershipId(id), cmd).await {
        Ok(o) => back_to_case(o.case_id, "保存"),
        Err(e) => error_page(e.status, &e.message),
    }
}
