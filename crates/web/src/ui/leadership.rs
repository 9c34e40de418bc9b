//! 领导包案 pages: a leader's page (own cases with the 五个一 and their deadlines, 挂牌督办 in
//! scope), the caseloads of the leaders a superior oversees; attaching a leader and filling
//! the 五个一 from the case page.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use xinfang_domain::access;
use xinfang_domain::ownership::{Ownership, OwnershipCommand, OwnershipKind, Part};
use xinfang_domain::supervision::Supervision;
use xinfang_domain::{CaseId, PersonId};
use xinfang_store::supervision::SupervisionFilter;

use super::pages::{Frame, error_page, frame, urlencode};
use super::session::UiOfficer;
use crate::AppState;
use crate::api::leadership::{ListQuery, visible_list};
use crate::error::ApiError;

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
}

pub async fn page(State(state): State<AppState>, officer: UiOfficer) -> Response {
    let a = &officer.actor;
    let me = ListQuery {
        leader: Some("me".into()),
        open: None,
        case_id: None,
    };
    let all = ListQuery {
        leader: None,
        open: None,
        case_id: None,
    };
    let listed = SupervisionFilter {
        under_path: access::oversight(a).path().cloned(),
        listed: true,
        limit: 100,
        ..Default::default()
    };
    let loaded = async {
        Ok::<_, ApiError>((
            visible_list(&state, a, &me).await?,
            visible_list(&state, a, &all).await?,
            state.store.supervisions(&listed).await?,
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
    Page {
        frame: frame(&state, &officer),
        mine,
        listed,
        loads: loads.into_values().collect(),
        today,
    }
    .into_response()
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

fn back_to_case(case: CaseId, done: &str) -> Response {
    Redirect::to(&format!(
        "/cases/{}?done={}#case-ownership",
        case.0,
        urlencode(done)
    ))
    .into_response()
}

/// Attach a leader from the case page.
pub async fn attach(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(case_id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let kind = match field(&form, "kind").as_str() {
        "new_case_traced_back" => OwnershipKind::NewCaseTracedBack,
        _ => OwnershipKind::OldCase,
    };
    let Ok(due) = field(&form, "due").parse() else {
        return error_page(StatusCode::UNPROCESSABLE_ENTITY, "请填写正确的化解期限");
    };
    let leader = PersonId(field(&form, "leader_id").parse().unwrap_or(0));
    match state
        .store
        .attach_leader(CaseId(case_id), leader, kind, due, &officer.actor)
        .await
    {
        Ok(_) => back_to_case(CaseId(case_id), "确定包案领导"),
        Err(e) => {
            let e: ApiError = e.into();
            error_page(e.status, &e.message)
        }
    }
}

/// Fill a part of the 五个一, or resolve.
pub async fn act(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let cmd = match field(&form, "action").as_str() {
        "fill" => match Part::from_code(&field(&form, "part")) {
            Some(part) => OwnershipCommand::Fill {
                part,
                text: field(&form, "text"),
            },
            None => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "请选择“五个一”的项目"),
        },
        "resolve" => OwnershipCommand::Resolve {
            note: field(&form, "note"),
        },
        _ => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "未知的操作"),
    };
    match state.store.own(id, cmd, &officer.actor).await {
        Ok(o) => back_to_case(o.case_id, "保存"),
        Err(e) => {
            let e: ApiError = e.into();
            error_page(e.status, &e.message)
        }
    }
}
