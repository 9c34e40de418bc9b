//! 联席会议 pages: the cases waiting for a meeting, meetings, the officer's units' tasks with
//! their colours; one meeting with its agenda, decisions, tasks and minutes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::access::{self, Duty};
use xinfang_domain::conference::{AgendaItem, Convene, Meeting, Task};
use xinfang_domain::{CaseId, MeetingId, TaskId, UnitId};

use super::form::{Submitted, date};
use super::frame::{
    CaseNames, Done, Frame, UnitOption, error_page, frame, page_status, unit_options, urlencode,
};
use super::session::UiOfficer;
use crate::error::ApiError;
use crate::{AppState, app};

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
    names: CaseNames,
}

async fn render_list(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    let a = &officer.actor;
    let loaded = async {
        Ok::<_, ApiError>((
            app::conference::waiting(state, a).await?,
            app::conference::meetings(state, a).await?,
            app::conference::tasks(state, a, false).await?,
        ))
    }
    .await;
    match loaded {
        Ok((waiting, meetings, tasks)) => {
            let status = page_status(&error);
            let ids = waiting.iter().map(|i| i.case_id);
            let names = CaseNames::of(state, a, ids.chain(tasks.iter().map(|t| t.case_id))).await;
            let page = ListPage {
                names,
                frame: frame(state, officer),
                waiting,
                meetings,
                tasks: task_rows(state, officer, tasks),
                can_convene: access::may(a, Duty::Convene, &a.unit_path),
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

#[derive(Deserialize)]
pub struct ProposeForm {
    #[serde(default)]
    case_no: String,
    #[serde(default)]
    reason: String,
}

/// Puts a case on the agenda by its number (the next meeting that covers it, else waiting).
pub async fn propose(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<ProposeForm>,
) -> Response {
    let no = form.case_no.trim().to_ascii_uppercase();
    let missing = || format!("没有找到可提请的信访事项 {no}");
    let case = match state.store.case_by_no(&no).await {
        Ok(Some(c)) => c,
        Ok(None) => return render_list(&state, &officer, Some(missing())).await,
        Err(e) => return render_list(&state, &officer, Some(ApiError::from(e).message)).await,
    };
    match app::conference::propose(&state, &officer.actor, case.id, &form.reason).await {
        Ok(_) => Redirect::to(&format!(
            "/conference?done={}#waiting",
            urlencode("提请上会")
        ))
        .into_response(),
        // A case the officer may not name answers like a missing one.
        Err(e) if e.status == axum::http::StatusCode::NOT_FOUND => {
            render_list(&state, &officer, Some(missing())).await
        }
        Err(e) => render_list(&state, &officer, Some(e.message)).await,
    }
}

#[derive(Deserialize)]
pub struct ConveneForm {
    title: String,
    date: String,
    #[serde(default)]
    members: Vec<i64>,
}

/// Convene a meeting hosted by the officer's unit.
pub async fn convene(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<ConveneForm>,
) -> Response {
    let day = match date(&form.date) {
        Ok(d) => d,
        Err(e) => return render_list(&state, &officer, Some(e)).await,
    };
    let new = Convene {
        title: form.title,
        host: officer.actor.unit,
        members: form.members.into_iter().map(UnitId).collect(),
        date: day,
    };
    match app::conference::convene(&state, &officer.actor, new).await {
        Ok(m) => Redirect::to(&format!(
            "/conference/{}?done={}",
            m.id,
            urlencode("召集会议")
        ))
        .into_response(),
        Err(e) => render_list(&state, &officer, Some(e.message)).await,
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
    id: MeetingId,
    error: Option<String>,
    done: Option<String>,
) -> Response {
    let file = match app::conference::meeting(state, &officer.actor, id).await {
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
    Query(q): Query<Done>,
) -> Response {
    render_meeting(&state, &officer, MeetingId(id), None, q.done).await
}

/// One of the meeting page's forms: a decision, the minutes, or a task reported done.
#[derive(Deserialize)]
pub struct MeetingForm {
    action: String,
    #[serde(default)]
    case_id: Option<i64>,
    #[serde(default)]
    unit_id: Option<i64>,
    #[serde(default)]
    task: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    minutes: String,
    #[serde(default)]
    task_id: Option<i64>,
    #[serde(default)]
    evidence: String,
}

/// Decide a task, record minutes, or report a task done.
pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<MeetingForm>,
) -> Response {
    let id = MeetingId(id);
    let a = &officer.actor;
    let result = match form.action.as_str() {
        "decide" => {
            let due = match date(&form.due) {
                Ok(d) => d,
                Err(e) => return render_meeting(&state, &officer, id, Some(e), None).await,
            };
            let case = CaseId(form.case_id.unwrap_or(0));
            let unit = UnitId(form.unit_id.unwrap_or(0));
            app::conference::decide(&state, a, id, case, unit, &form.task, due)
                .await
                .map(|_| "议定任务")
        }
        "minutes" => app::conference::minutes(&state, a, id, form.minutes)
            .await
            .map(|_| "记录会议纪要"),
        "complete" => {
            let task = TaskId(form.task_id.unwrap_or(0));
            app::conference::complete(&state, a, task, form.evidence)
                .await
                .map(|_| "报告完成")
        }
        _ => return render_meeting(&state, &officer, id, Some("未知的操作".into()), None).await,
    };
    match result {
        Ok(done) => {
            Redirect::to(&format!("/conference/{id}?done={}", urlencode(done))).into_response()
        }
        Err(e) => render_meeting(&state, &officer, id, Some(e.message), None).await,
    }
}
