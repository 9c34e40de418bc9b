//! 排查台账 pages: the entries of the officer's scope with risk and due colours, recording
//! one, and one entry with revising, resolving or turning it into a case.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use xinfang_domain::access;
use xinfang_domain::ledger::{Dispute, DisputeCommand, DisputeInput, Risk};
use xinfang_domain::{Channel, NewCase, Petitioner, UnitId};

use super::pages::{Frame, UnitOption, error_page, frame, page_status, unit_options, urlencode};
use super::session::UiOfficer;
use crate::AppState;
use crate::api::ledger::visible;
use crate::error::ApiError;

pub struct Row {
    pub d: Dispute,
    pub unit_name: String,
    pub overdue: bool,
}

fn row(state: &AppState, d: Dispute) -> Row {
    Row {
        unit_name: state
            .store
            .org()
            .get(d.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        overdue: d.overdue(state.store.clock().today()),
        d,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger_list.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    units: Vec<UnitOption>,
    risks: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn render_list(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    match state
        .store
        .disputes(&access::oversight(&officer.actor), false)
        .await
    {
        Ok(list) => {
            let status = page_status(&error);
            let page = ListPage {
                frame: frame(state, officer),
                rows: list.into_iter().map(|d| row(state, d)).collect(),
                units: unit_options(state),
                risks: Risk::ALL.iter().map(|r| (r.code(), r.label())).collect(),
                error,
            };
            (status, page).into_response()
        }
        Err(e) => {
            let e: ApiError = e.into();
            error_page(e.status, &e.message)
        }
    }
}

pub async fn list(State(state): State<AppState>, officer: UiOfficer) -> Response {
    render_list(&state, &officer, None).await
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

fn risk_and_due(form: &HashMap<String, String>) -> Result<(Risk, chrono::NaiveDate), String> {
    let risk = Risk::from_code(&field(form, "risk")).ok_or("请选择风险等级")?;
    let due = field(form, "due")
        .parse()
        .map_err(|_| "请填写正确的化解期限")?;
    Ok((risk, due))
}

pub async fn create(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let (risk, due) = match risk_and_due(&form) {
        Ok(x) => x,
        Err(e) => return render_list(&state, &officer, Some(e)).await,
    };
    let input = DisputeInput {
        title: field(&form, "title"),
        description: field(&form, "description"),
        unit_id: UnitId(field(&form, "unit_id").parse().unwrap_or(0)),
        leader: field(&form, "leader"),
        person: field(&form, "person"),
        plan: field(&form, "plan"),
        risk,
        due,
    };
    match state.store.record_dispute(input, &officer.actor).await {
        Ok(d) => {
            Redirect::to(&format!("/ledger/{}?done={}", d.id, urlencode("登记"))).into_response()
        }
        Err(e) => {
            let e: ApiError = e.into();
            render_list(&state, &officer, Some(e.message)).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "ledger.html")]
struct OnePage {
    frame: Frame,
    r: Row,
    risks: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    done: Option<String>,
}

async fn render_one(
    state: &AppState,
    officer: &UiOfficer,
    id: i64,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let d = match visible(state, &officer.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(e.status, &e.message),
    };
    let status = page_status(&error);
    let page = OnePage {
        frame: frame(state, officer),
        r: row(state, d),
        risks: Risk::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        error,
        done,
    };
    (status, page).into_response()
}

pub async fn one(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    render_one(&state, &officer, id, None, q.get("done").cloned()).await
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
    let d = match visible(&state, &officer.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(e.status, &e.message),
    };
    let a = &officer.actor;
    let result = match field(&form, "action").as_str() {
        "revise" => match risk_and_due(&form) {
            Ok((risk, due)) => {
                let cmd = DisputeCommand::Revise {
                    plan: field(&form, "plan"),
                    risk,
                    due,
                };
                state.store.act_dispute(id, cmd, a).await.map(|_| "修改")
            }
            Err(e) => return render_one(&state, &officer, id, Some(e), None).await,
        },
        "resolve" => {
            let cmd = DisputeCommand::Resolve {
                note: field(&form, "note"),
            };
            state.store.act_dispute(id, cmd, a).await.map(|_| "化解")
        }
        "to_case" => {
            let channel = Channel::from_code(&field(&form, "channel")).unwrap_or(Channel::Visit);
            let phone = Some(field(&form, "petitioner_phone")).filter(|p| !p.trim().is_empty());
            let new = NewCase {
                channel,
                title: d.title.clone(),
                content: field(&form, "content"),
                petitioner: Petitioner {
                    name: field(&form, "petitioner_name"),
                    phone,
                    id_number: None,
                    address: None,
                    email: None,
                },
                category: None,
                region: None,
                collective: None,
                is_report: false,
                accused_unit: None,
                skip_level: false,
                received_on: None,
                repeat_of: None,
                attachments: Vec::new(),
            };
            match state.store.dispute_to_case(id, new, a).await {
                Ok(case) => return Redirect::to(&format!("/cases/{}", case.id)).into_response(),
                Err(e) => Err(e),
            }
        }
        _ => return render_one(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match result {
        Ok(done) => Redirect::to(&format!("/ledger/{id}?done={}", urlencode(done))).into_response(),
        Err(e) => {
            let e: ApiError = e.into();
            render_one(&state, &officer, id, Some(e.message), None).await
        }
    }
}
