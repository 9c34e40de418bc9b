//! 督查督办 pages: the list of the officer's scope (挂牌督办 first for leaders), one
//! supervision with the actions the officer may take, and raising it from a case page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use xinfang_domain::access::{self, Duty};
use xinfang_domain::supervision::{Supervision, SupervisionCommand};
use xinfang_domain::{CaseId, UnitId};

use super::pages::{Frame, error_page, frame, urlencode};
use super::session::UiOfficer;
use crate::AppState;
use crate::api::supervision::{ListQuery, visible_list, visible_one};
use crate::error::ApiError;

/// A supervision as a row: with its unit's name and whether it is past its answer deadline.
pub struct Row {
    pub s: Supervision,
    pub unit_name: String,
    pub overdue: bool,
}

fn row(state: &AppState, s: Supervision) -> Row {
    let today = state.store.clock().today();
    Row {
        unit_name: state
            .store
            .org()
            .get(s.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        overdue: s.overdue(today),
        s,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision_list.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    status: String,
    listed: bool,
}

pub async fn list(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let query = ListQuery {
        status: q.get("status").cloned().filter(|s| !s.is_empty()),
        listed: Some(q.get("listed").is_some_and(|v| v == "1")),
        case_id: None,
    };
    match visible_list(&state, &officer.actor, &query).await {
        Ok(list) => ListPage {
            frame: frame(&state, &officer),
            rows: list.into_iter().map(|s| row(&state, s)).collect(),
            status: query.status.unwrap_or_default(),
            listed: query.listed.unwrap_or(false),
        }
        .into_response(),
        Err(e) => error_page(e.status, &e.message),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision.html")]
struct OnePage {
    frame: Frame,
    r: Row,
    /// The officer supervises this unit (list, hold to account, close).
    supervises: bool,
    /// The officer belongs to the supervised unit (answer).
    answers: bool,
    error: Option<String>,
    done: Option<String>,
}

async fn render(
    state: &AppState,
    officer: &UiOfficer,
    id: i64,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let s = match visible_one(state, &officer.actor, id).await {
        Ok(s) => s,
        Err(e) => return error_page(e.status, &e.message),
    };
    let a = &officer.actor;
    let org = state.store.org();
    let page = OnePage {
        frame: frame(state, officer),
        supervises: org
            .get(s.unit)
            .is_ok_and(|u| access::may(a, Duty::Supervise, &u.path)),
        answers: access::answers_for(a, s.unit),
        r: row(state, s),
        error,
        done,
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, page).into_response()
}

pub async fn one(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    render(&state, &officer, id, None, q.get("done").cloned()).await
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

pub async fn act(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    if let Err(e) = visible_one(&state, &officer.actor, id).await {
        return error_page(e.status, &e.message);
    }
    let (cmd, name) = match field(&form, "action").as_str() {
        "list" => (SupervisionCommand::List { listed: true }, "挂牌督办"),
        "unlist" => (SupervisionCommand::List { listed: false }, "取消挂牌"),
        "answer" => (
            SupervisionCommand::Answer {
                text: field(&form, "text"),
            },
            "答复",
        ),
        "hold_accountable" => (
            SupervisionCommand::HoldAccountable {
                person: field(&form, "person"),
                finding: field(&form, "finding"),
                measure: field(&form, "measure"),
            },
            "记录问责",
        ),
        "close" => (
            SupervisionCommand::Close {
                note: field(&form, "note"),
            },
            "办结",
        ),
        _ => return render(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match state.store.supervise(id, cmd, &officer.actor).await {
        Ok(_) => {
            Redirect::to(&format!("/supervision/{id}?done={}", urlencode(name))).into_response()
        }
        Err(e) => {
            let e: ApiError = e.into();
            render(&state, &officer, id, Some(e.message), None).await
        }
    }
}

/// Raise supervision from a case page: over the unit now responsible for the case.
pub async fn raise(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(case_id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let case = match state.store.case(CaseId(case_id)).await {
        Ok(Some(c)) if state.store.may_see(&officer.actor, &c) => c,
        Ok(_) => return error_page(StatusCode::NOT_FOUND, "信访事项不存在或无权查看"),
        Err(e) => {
            let e: ApiError = e.into();
            return error_page(e.status, &e.message);
        }
    };
    let unit = form
        .get("unit_id")
        .and_then(|u| u.parse().ok())
        .map(UnitId)
        .unwrap_or(case.responsible_unit());
    match state
        .store
        .raise_supervision(Some(case.id), unit, &field(&form, "reason"), &officer.actor)
        .await
    {
        Ok(s) => Redirect::to(&format!(
            "/supervision/{}?done={}",
            s.id,
            urlencode("发起督办")
        ))
        .into_response(),
        Err(e) => {
            let e: ApiError = e.into();
            error_page(e.status, &e.message)
        }
    }
}
