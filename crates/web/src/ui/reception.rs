//! 接访 pages: the coming reception days, the rotation, sessions; one session with its
//! appointments, carried cases, whom the leader met and the petitions registered there.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use xinfang_domain::access;
use xinfang_domain::reception::{Session, SessionCommand, SessionKind};
use xinfang_domain::{Channel, NewCase, PersonId, Petitioner, Role, UnitId};

use super::pages::{Frame, UnitOption, error_page, frame, page_status, unit_options, urlencode};
use super::session::UiOfficer;
use crate::AppState;
use crate::api::reception::visible;
use crate::error::ApiError;

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

async fn leaders(state: &AppState) -> Result<Vec<UnitOption>, ApiError> {
    Ok(state
        .store
        .people()
        .await?
        .into_iter()
        .filter(|p| p.roles.contains(&Role::Leader))
        .map(|p| UnitOption {
            id: p.id.0,
            label: p.name,
        })
        .collect())
}

async fn render_list(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    let a = &officer.actor;
    let today = state.store.clock().today();
    let loaded = async {
        Ok::<_, ApiError>((
            state
                .store
                .reception_days(&access::oversight(a), today, 8)
                .await?,
            state.store.sessions(&access::oversight(a)).await?,
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

fn one(form: &[(String, String)], k: &str) -> String {
    form.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn int(form: &[(String, String)], k: &str) -> i64 {
    one(form, k).parse().unwrap_or(0)
}

/// Set the rotation, or arrange a session.
pub async fn act_list(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let map: HashMap<String, String> = form.iter().cloned().collect();
    if let Err(r) = officer.check_csrf(&map) {
        return r;
    }
    let a = &officer.actor;
    let Ok(date) = one(&form, "date").parse::<NaiveDate>() else {
        return render_list(&state, &officer, Some("请填写正确的日期".into())).await;
    };
    let unit = UnitId(int(&form, "unit_id"));
    let result = match one(&form, "action").as_str() {
        "rotation" => {
            let leaders: Vec<PersonId> = form
                .iter()
                .filter(|(k, _)| k == "leaders")
                .filter_map(|(_, v)| v.parse().ok().map(PersonId))
                .collect();
            let weekday = int(&form, "weekday") as u32;
            state
                .store
                .set_rotation(unit, weekday, &leaders, date, a)
                .await
                .map(|_| None)
        }
        "arrange" => {
            let kind = if one(&form, "kind") == "field_visit" {
                SessionKind::FieldVisit
            } else {
                SessionKind::Reception
            };
            let leader = PersonId(int(&form, "leader_id"));
            state
                .store
                .arrange_session(kind, unit, date, leader, a)
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
        Err(e) => render_list(&state, &officer, Some(ApiError::from(e).message)).await,
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
    id: i64,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let s = match visible(state, &officer.actor, id).await {
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
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    render_one(&state, &officer, id, None, q.get("done").cloned()).await
}

/// Book, carry a case, record whom the leader met, or register a petition taken there.
pub async fn act(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let map: HashMap<String, String> = form.iter().cloned().collect();
    if let Err(r) = officer.check_csrf(&map) {
        return r;
    }
    if let Err(e) = visible(&state, &officer.actor, id).await {
        return error_page(e.status, &e.message);
    }
    let a = &officer.actor;
    let cmd = match one(&form, "action").as_str() {
        "book" => SessionCommand::Book {
            name: one(&form, "name"),
            phone: one(&form, "phone"),
            matter: one(&form, "matter"),
        },
        "carry" => match state.store.case_by_no(one(&form, "case_no").trim()).await {
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
            names: one(&form, "names").lines().map(String::from).collect(),
        },
        "register" => {
            let phone = Some(one(&form, "petitioner_phone")).filter(|p| !p.trim().is_empty());
            let new = NewCase {
                channel: Channel::from_code(&one(&form, "channel")).unwrap_or(Channel::Visit),
                title: one(&form, "title"),
                content: one(&form, "content"),
                petitioner: Petitioner {
                    name: one(&form, "petitioner_name"),
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
            return match state.store.register_at_session(id, new, a).await {
                Ok(case) => Redirect::to(&format!("/cases/{}", case.id)).into_response(),
                Err(e) => {
                    render_one(&state, &officer, id, Some(ApiError::from(e).message), None).await
                }
            };
        }
        _ => return render_one(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match state.store.act_session(id, cmd, a).await {
        Ok(_) => {
            Redirect::to(&format!("/reception/{id}?done={}", urlencode("保存"))).into_response()
        }
        Err(e) => render_one(&state, &officer, id, Some(ApiError::from(e).message), None).await,
    }
}
