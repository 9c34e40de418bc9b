//! 接访 pages: the coming reception days, the rotation, sessions; one session with its
//! appointments, carried cases, whom the leader met and the petitions registered there.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use xinfang_domain::reception::{Session, SessionCommand, SessionKind};
use xinfang_domain::{Channel, NewCase, PersonId, Petitioner, Role, SessionId, UnitId};

use super::form::{Submitted, empty_as_none};
use super::frame::{
    Done, Frame, UnitOption, error_page, frame, page_status, unit_options, urlencode,
};
use super::session::UiOfficer;
use crate::error::ApiError;
use crate::{AppState, app};

#[derive(Template, WebTemplate)]
#[template(path = "reception_list.html")]
struct ListPage {
    frame: Frame,
    days: Vec<(NaiveDate, String, String)>,
    sessions: Vec<(Session, String)>,
    units: Vec<UnitOption>,
    leaders: Vec<UnitOption>,
    error: Option<String>,
}

/// The leaders, each shown with their unit (two 张明 in two towns are two people).
async fn leaders(state: &AppState) -> Result<Vec<UnitOption>, ApiError> {
    let org = state.store.org();
    Ok(state
        .store
        .people()
        .await?
        .into_iter()
        .filter(|p| p.roles.contains(&Role::Leader))
        .map(|p| UnitOption {
            id: p.id.0,
            label: format!(
                "{}（{}）",
                p.name,
                org.get(p.unit).map(|u| u.name.as_str()).unwrap_or("")
            ),
            ..Default::default()
        })
        .collect())
}

async fn render_list(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    let a = &officer.actor;
    let loaded = async {
        Ok::<_, ApiError>((
            app::reception::days(state, a, 8).await?,
            app::reception::sessions(state, a).await?,
            leaders(state).await?,
        ))
    }
    .await;
    let (days, sessions, leaders) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(e.status, &e.message),
    };
    let org = state.store.org();
    let name = |u: UnitId| org.get(u).map(|u| u.name.clone()).unwrap_or_default();
    let status = page_status(&error);
    let page = ListPage {
        frame: frame(state, officer),
        days: days
            .into_iter()
            .map(|(u, d, _, n)| (d, name(u), n))
            .collect(),
        sessions: sessions
            .into_iter()
            .map(|s| {
                let n = name(s.unit);
                (s, n)
            })
            .collect(),
        units: unit_options(state),
        leaders,
        error,
    };
    (status, page).into_response()
}

pub async fn list(State(state): State<AppState>, officer: UiOfficer) -> Response {
    render_list(&state, &officer, None).await
}

/// The reception pages' forms: a rotation, a session arranged, and what happens at one.
#[derive(Deserialize)]
pub struct ReceptionForm {
    action: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    unit_id: Option<i64>,
    /// In rotation order: one select per place (第1位, 第2位 …); empty places are skipped.
    #[serde(default)]
    leaders: Vec<String>,
    #[serde(default)]
    weekday: Option<u32>,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    leader_id: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    matter: String,
    #[serde(default)]
    case_no: String,
    #[serde(default)]
    names: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    petitioner_name: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    petitioner_phone: Option<String>,
}

/// Set the rotation, or arrange a session.
pub async fn act_list(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<ReceptionForm>,
) -> Response {
    let a = &officer.actor;
    let Ok(date) = form.date.trim().parse::<NaiveDate>() else {
        return render_list(&state, &officer, Some("请填写正确的日期".into())).await;
    };
    let unit = UnitId(form.unit_id.unwrap_or(0));
    let result = match form.action.as_str() {
        "rotation" => {
            let leaders: Vec<PersonId> = form
                .leaders
                .iter()
                .filter_map(|l| l.trim().parse().ok())
                .map(PersonId)
                .collect();
            let weekday = form.weekday.unwrap_or(0);
            app::reception::set_rotation(&state, a, unit, weekday, &leaders, date)
                .await
                .map(|_| None)
        }
        "arrange" => {
            let kind = if form.kind == "field_visit" {
                SessionKind::FieldVisit
            } else {
                SessionKind::Reception
            };
            let leader = PersonId(form.leader_id.unwrap_or(0));
            app::reception::arrange(&state, a, kind, unit, date, leader)
                .await
                .map(|s| Some(s.id))
        }
        _ => return render_list(&state, &officer, Some("未知的操作".into())).await,
    };
    match result {
        Ok(Some(id)) => {
            Redirect::to(&format!("/reception/{id}?done={}", urlencode("安排接访"))).into_response()
        }
        Ok(None) => Redirect::to("/reception").into_response(),
        Err(e) => render_list(&state, &officer, Some(e.message)).await,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "reception.html")]
struct OnePage {
    frame: Frame,
    s: Session,
    unit_name: String,
    channels: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    done: Option<String>,
}

async fn render_one(
    state: &AppState,
    officer: &UiOfficer,
    id: SessionId,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let s = match app::records::one(state, &officer.actor, id).await {
        Ok(s) => s,
        Err(e) => return error_page(e.status, &e.message),
    };
    let status = page_status(&error);
    let page = OnePage {
        frame: frame(state, officer),
        unit_name: state
            .store
            .org()
            .get(s.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        s,
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        error,
        done,
    };
    (status, page).into_response()
}

pub async fn session(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    render_one(&state, &officer, SessionId(id), None, q.done).await
}

/// Book, carry a case, record whom the leader met, or register a petition taken there.
pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<ReceptionForm>,
) -> Response {
    let id = SessionId(id);
    if let Err(e) = app::records::one(&state, &officer.actor, id).await {
        return error_page(e.status, &e.message);
    }
    let a = &officer.actor;
    let cmd = match form.action.as_str() {
        "book" => SessionCommand::Book {
            name: form.name,
            phone: form.phone,
            matter: form.matter,
        },
        "carry" => match state.store.case_by_no(form.case_no.trim()).await {
            Ok(Some(c)) if state.store.may_see(a, &c) => SessionCommand::Carry { case_id: c.id },
            Ok(_) => {
                return render_one(
                    &state,
                    &officer,
                    id,
                    Some("没有找到该编号的信访事项".into()),
                    None,
                )
                .await;
            }
            Err(e) => {
                return render_one(&state, &officer, id, Some(ApiError::from(e).message), None)
                    .await;
            }
        },
        "met" => SessionCommand::RecordMet {
            names: form.names.lines().map(String::from).collect(),
        },
        "register" => {
            let new = NewCase {
                channel: Channel::from_code(&form.channel).unwrap_or(Channel::Visit),
                title: form.title,
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
            return match app::reception::register(&state, a, id, new).await {
                Ok(case) => Redirect::to(&format!("/cases/{}", case.id)).into_response(),
                Err(e) => render_one(&state, &officer, id, Some(e.message), None).await,
            };
        }
        _ => return render_one(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match app::records::act(&state, a, id, cmd).await {
        Ok(_) => {
            Redirect::to(&format!("/reception/{id}?done={}", urlencode("保存"))).into_response()
        }
        Err(e) => render_one(&state, &officer, id, Some(e.message), None).await,
    }
}
