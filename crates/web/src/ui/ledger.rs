//! 排查台账 pages: the entries of the officer's scope with risk and due colours, recording
//! one, and one entry with revising, resolving or turning it into a case.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::ledger::{Dispute, DisputeCommand, DisputeInput, Risk};
use xinfang_domain::{Channel, DisputeId, NewCase, Petitioner, UnitId};

use super::form::{Submitted, empty_as_none};
use super::frame::{
    Done, Frame, UnitOption, error_page, frame, page_status, unit_options, urlencode,
};
use super::session::UiOfficer;
use crate::{AppState, app};

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
    match app::ledger::list(state, &officer.actor, false).await {
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
        Err(e) => error_page(e.status, &e.message),
    }
}

pub async fn list(State(state): State<AppState>, officer: UiOfficer) -> Response {
    render_list(&state, &officer, None).await
}

/// The ledger's forms: a new entry, a revision, a resolution, an entry turned into a case.
#[derive(Deserialize)]
pub struct LedgerForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    unit_id: Option<i64>,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    person: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    risk: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    petitioner_name: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    petitioner_phone: Option<String>,
}

impl LedgerForm {
    fn risk_and_due(&self) -> Result<(Risk, chrono::NaiveDate), String> {
        let risk = Risk::from_code(&self.risk).ok_or("请选择风险等级")?;
        let due = self
            .due
            .trim()
            .parse()
            .map_err(|_| "请填写正确的化解期限")?;
        Ok((risk, due))
    }
}

pub async fn create(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<LedgerForm>,
) -> Response {
    let (risk, due) = match form.risk_and_due() {
        Ok(x) => x,
        Err(e) => return render_list(&state, &officer, Some(e)).await,
    };
    let input = DisputeInput {
        title: form.title,
        description: form.description,
        unit_id: UnitId(form.unit_id.unwrap_or(0)),
        leader: form.leader,
        person: form.person,
        plan: form.plan,
        risk,
        due,
    };
    match app::records::create::<Dispute>(&state, &officer.actor, input).await {
        Ok(d) => {
            Redirect::to(&format!("/ledger/{}?done={}", d.id, urlencode("登记"))).into_response()
        }
        Err(e) => render_list(&state, &officer, Some(e.message)).await,
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
    id: DisputeId,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let d = match app::records::one(state, &officer.actor, id).await {
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
    Query(q): Query<Done>,
) -> Response {
    render_one(&state, &officer, DisputeId(id), None, q.done).await
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<LedgerForm>,
) -> Response {
    let id = DisputeId(id);
    let d = match app::records::one(&state, &officer.actor, id).await {
        Ok(d) => d,
        Err(e) => return error_page(e.status, &e.message),
    };
    let a = &officer.actor;
    let result = match form.action.as_str() {
        "revise" => match form.risk_and_due() {
            Ok((risk, due)) => {
                let cmd = DisputeCommand::Revise {
                    plan: form.plan,
                    risk,
                    due,
                };
                app::records::act(&state, a, id, cmd).await.map(|_| "修改")
            }
            Err(e) => return render_one(&state, &officer, id, Some(e), None).await,
        },
        "resolve" => {
            let cmd = DisputeCommand::Resolve { note: form.note };
            app::records::act(&state, a, id, cmd).await.map(|_| "化解")
        }
        "to_case" => {
            let new = NewCase {
                channel: Channel::from_code(&form.channel).unwrap_or(Channel::Visit),
                title: d.title.clone(),
                content: form.content,
                petitioner: Petitioner {
                    name: form.petitioner_name,
                    phone: form.petitioner_phone,
                    id_number: None,
                    address: None,
                    email: None,
                },
                category: None,
                region: None,
                collective: None,
                is_report: false,
                class: None,
                accused_kind: None,
                accused_unit: None,
                skip_level: false,
                received_on: None,
                repeat_of: None,
                attachments: Vec::new(),
            };
            match app::ledger::to_case(&state, a, id, new).await {
                Ok(case) => return Redirect::to(&format!("/cases/{}", case.id)).into_response(),
                Err(e) => Err(e),
            }
        }
        _ => return render_one(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match result {
        Ok(done) => Redirect::to(&format!("/ledger/{id}?done={}", urlencode(done))).into_response(),
        Err(e) => render_one(&state, &officer, id, Some(e.message), None).await,
    }
}
