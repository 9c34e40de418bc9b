//! 督查督办 pages: the list of the officer's scope (挂牌督办 first for leaders), one
//! supervision with the actions the officer may take, and raising it from a case page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::access::{self, Duty};
use xinfang_domain::supervision::{Supervision, SupervisionCommand};
use xinfang_domain::{CaseId, SupervisionId, UnitId};

use super::form::Submitted;
use super::frame::{CaseNames, Done, Frame, error_page, frame, page_status, urlencode};
use super::session::UiOfficer;
use crate::app::supervision::Filter;
use crate::{AppState, app};

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
    names: CaseNames,
}

#[derive(Deserialize)]
pub struct ListParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    listed: String,
}

pub async fn list(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<ListParams>,
) -> Response {
    let f = Filter {
        status: Filter::status(Some(q.status.as_str())).unwrap_or(None),
        listed: q.listed == "1",
        case_id: None,
    };
    match app::supervision::list(&state, &officer.actor, &f).await {
        Ok(list) => ListPage {
            names: CaseNames::of(
                &state,
                &officer.actor,
                list.iter().filter_map(|s| s.case_id),
            )
            .await,
            frame: frame(&state, &officer),
            rows: list.into_iter().map(|s| row(&state, s)).collect(),
            status: f.status.map(|s| s.code().to_string()).unwrap_or_default(),
            listed: f.listed,
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
    id: SupervisionId,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let s = match app::records::one(state, &officer.actor, id).await {
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
    (page_status(&page.error), page).into_response()
}

pub async fn one(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    render(&state, &officer, SupervisionId(id), None, q.done).await
}

/// One of the supervision page's forms.
#[derive(Deserialize)]
pub struct ActForm {
    action: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    finding: String,
    #[serde(default)]
    measure: String,
    #[serde(default)]
    note: String,
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<ActForm>,
) -> Response {
    let id = SupervisionId(id);
    let (cmd, name) = match form.action.as_str() {
        "list" => (SupervisionCommand::List { listed: true }, "挂牌督办"),
        "unlist" => (SupervisionCommand::List { listed: false }, "取消挂牌"),
        "answer" => (SupervisionCommand::Answer { text: form.text }, "答复"),
        "hold_accountable" => (
            SupervisionCommand::HoldAccountable {
                person: form.person,
                finding: form.finding,
                measure: form.measure,
            },
            "记录问责",
        ),
        "close" => (SupervisionCommand::Close { note: form.note }, "办结"),
        _ => return render(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match app::records::act(&state, &officer.actor, id, cmd).await {
        Ok(_) => {
            Redirect::to(&format!("/supervision/{id}?done={}", urlencode(name))).into_response()
        }
        Err(e) => render(&state, &officer, id, Some(e.message), None).await,
    }
}

#[derive(Deserialize)]
pub struct RaiseForm {
    #[serde(default)]
    unit_id: Option<i64>,
    #[serde(default)]
    reason: String,
}

/// Raise supervision from a case page: over the unit now responsible for the case.
pub async fn raise(
    State(state): State<AppState>,
    Path(case_id): Path<i64>,
    Submitted { officer, form }: Submitted<RaiseForm>,
) -> Response {
    let case = match app::cases::visible(&state, &officer.actor, CaseId(case_id)).await {
        Ok(c) => c,
        Err(e) => return error_page(e.status, &e.message),
    };
    let unit = form.unit_id.map(UnitId).unwrap_or(case.responsible_unit());
    match app::supervision::raise(&state, &officer.actor, unit, Some(case.id), form.reason).await {
        Ok(s) => Redirect::to(&format!(
            "/supervision/{}?done={}",
            s.id,
            urlencode("发起督办")
        ))
        .into_response(),
        Err(e) => error_page(e.status, &e.message),
    }
}
