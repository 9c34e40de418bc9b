//! 联席会议 pages: the cases waiting for a meeting, meetings, the officer's units' tasks with
//! their colours; one meeting with its agenda, decisions, tasks and minutes.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use chrono::NaiveDate;
use xinfang_domain::access::{self, Duty};
use xinfang_domain::conference::{AgendaItem, Meeting, Task, may_convene};
use xinfang_domain::{CaseId, UnitId};

use super::pages::{Frame, UnitOption, error_page, frame, page_status, unit_options, urlencode};
use super::session::UiOfficer;
use crate::AppState;
use crate::api::conference::{visible_meeting, visible_meetings};
use crate::error::ApiError;

/// A task as a row: its unit's name and colour.
pub struct TaskRow {
    pub t: Task,
    pub unit_name: String,
    pub colour: &'static str,
    pub mine: bool,
}

fn unit_name(state: &AppState, u: UnitId) -> String {
    state
        .store
        .org()
        .get(u)
        .map(|u| u.name.clone())
        .unwrap_or_default()
}

fn task_rows(state: &AppState, officer: &UiOfficer, tasks: Vec<Task>) -> Vec<TaskRow> {
    let today = state.store.clock().today();
    tasks
        .into_iter()
        .map(|t| TaskRow {
            unit_name: unit_name(state, t.unit),
            colour: t.warning(today).map_or("", |w| w.code()),
            mine: t.unit == officer.actor.unit,
            t,
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "conference_list.html")]
struct ListPage {
    frame: Frame,
    waiting: Vec<AgendaItem>,
    meetings: Vec<Meeting>,
    tasks: Vec<TaskRow>,
    can_convene: bool,
    units: Vec<UnitOption>,
    error: Option<String>,
}

async fn render_list(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    let a = &officer.actor;
    let loaded = async {
        Ok::<_, ApiError>((
            state.store.waiting_agenda(&access::oversight(a)).await?,
            visible_meetings(state, a).await?,
            state
                .store
                .conference_tasks(&access::oversight(a), false)
                .await?,
        ))
    }
    .await;
    match loaded {
        Ok((waiting, meetings, tasks)) => {
            let status = page_status(&error);
            let page = ListPage {
                frame: frame(state, officer),
                waiting,
                meetings,
                tasks: task_rows(state, officer, tasks),
                can_convene: may_convene(a, &a.unit_path),
                units: unit_options(state),
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

fn one(form: &[(String, String)], k: &str) -> String {
    form.iter()
        .find(|(key, _)| key == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

fn date(form: &[(String, String)], k: &str) -> Result<NaiveDate, String> {
    one(form, k)
        .parse()
        .map_err(|_| "请填写正确的日期".to_string())
}

fn csrf(officer: &UiOfficer, form: &[(String, String)]) -> Result<(), Response> {
    let map: HashMap<String, String> = form.iter().cloned().collect();
    officer.check_csrf(&map)
}

/// Convene a meeting hosted by the officer's unit.
pub async fn convene(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = csrf(&officer, &form) {
        return r;
    }
    let members: Vec<UnitId> = form
        .iter()
        .filter(|(k, _)| k == "members")
        .filter_map(|(_, v)| v.parse().ok().map(UnitId))
        .collect();
    let day = match date(&form, "date") {
        Ok(d) => d,
        Err(e) => return render_list(&state, &officer, Some(e)).await,
    };
    match state
        .store
        .convene(
            &one(&form, "title"),
            officer.actor.unit,
            members,
            day,
            &officer.actor,
        )
        .await
    {
        Ok(m) => Redirect::to(&format!(
            "/conference/{}?done={}",
            m.id,
            urlencode("召集会议")
        ))
        .into_response(),
        Err(e) => {
            let e: ApiError = e.into();
            render_list(&state, &officer, Some(e.message)).await
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "conference.html")]
struct MeetingPage {
    frame: Frame,
    m: Meeting,
    host_name: String,
    member_names: Vec<String>,
    agenda: Vec<AgendaItem>,
    tasks: Vec<TaskRow>,
    decides: bool,
    units: Vec<UnitOption>,
    error: Option<String>,
    done: Option<String>,
}

async fn render_meeting(
    state: &AppState,
    officer: &UiOfficer,
    id: i64,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let file = match visible_meeting(state, &officer.actor, id).await {
        Ok(f) => f,
        Err(e) => return error_page(e.status, &e.message),
    };
    let org = state.store.org();
    let decides = org
        .get(file.meeting.host)
        .is_ok_and(|u| access::may(&officer.actor, Duty::Convene, &u.path));
    let status = page_status(&error);
    let page = MeetingPage {
        frame: frame(state, officer),
        host_name: unit_name(state, file.meeting.host),
        member_names: file
            .meeting
            .members
            .iter()
            .map(|u| unit_name(state, *u))
            .collect(),
        decides,
        agenda: file.agenda,
        tasks: task_rows(state, officer, file.tasks),
        m: file.meeting,
        units: unit_options(state),
        error,
        done,
    };
    (status, page).into_response()
}

pub async fn meeting(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    render_meeting(&state, &officer, id, None, q.get("done").cloned()).await
}

/// Decide a task, record minutes, or report a task done.
pub async fn act(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = csrf(&officer, &form) {
        return r;
    }
    if let Err(e) = visible_meeting(&state, &officer.actor, id).await {
        return error_page(e.status, &e.message);
    }
    let a = &officer.actor;
    let result = match one(&form, "action").as_str() {
        "decide" => {
            let due = match date(&form, "due") {
                Ok(d) => d,
                Err(e) => return render_meeting(&state, &officer, id, Some(e), None).await,
            };
            let case = one(&form, "case_id")
                .parse()
                .map(CaseId)
                .unwrap_or(CaseId(0));
            let unit = one(&form, "unit_id")
                .parse()
                .map(UnitId)
                .unwrap_or(UnitId(0));
            state
                .store
                .decide_task(id, case, unit, &one(&form, "task"), due, a)
                .await
                .map(|_| "议定任务")
        }
        "minutes" => state
            .store
            .record_minutes(id, &one(&form, "minutes"), a)
            .await
            .map(|_| "记录会议纪要"),
        "complete" => {
            let task: i64 = one(&form, "task_id").parse().unwrap_or(0);
            state
                .store
                .complete_task(task, &one(&form, "evidence"), a)
                .await
                .map(|_| "报告完成")
        }
        _ => return render_meeting(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match result {
        Ok(done) => {
            Redirect::to(&format!("/conference/{id}?done={}", urlencode(done))).into_response()
        }
        Err(e) => {
            let e: ApiError = e.into();
            render_meeting(&state, &officer, id, Some(e.message), None).await
        }
    }
}
