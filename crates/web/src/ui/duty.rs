//! 值班、信息报送 page: the roster of the officer's scope with a form to set a day, incidents
//! with late or missing reports flagged, noting an incident and reporting it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use xinfang_domain::duty::{DutyDay, Incident, IncidentCommand, NoteIncident, SetDuty, Severity};
use xinfang_domain::{IncidentId, UnitId};

use super::form::{Submitted, empty_as_none};
use super::frame::{Frame, UnitOption, error_page, frame, page_status, unit_options};
use super::session::UiOfficer;
use crate::app::duty::{IncidentView, view};
use crate::error::ApiError;
use crate::{AppState, app};

#[derive(Template, WebTemplate)]
#[template(path = "duty.html")]
struct Page {
    frame: Frame,
    roster: Vec<(DutyDay, String)>,
    incidents: Vec<(IncidentView, String, String, String)>,
    units: Vec<UnitOption>,
    severities: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    /// What the last step did (after a redirect).
    notice: Option<&'static str>,
    /// The form as sent, kept when it is refused.
    kept: DutyForm,
}

impl Page {
    fn kept_unit(&self, id: &i64) -> bool {
        self.kept.unit_id == Some(*id)
    }
}

async fn render(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    render_with(state, officer, error, None, DutyForm::default()).await
}

async fn render_with(
    state: &AppState,
    officer: &UiOfficer,
    error: Option<String>,
    notice: Option<&'static str>,
    kept: DutyForm,
) -> Response {
    let a = &officer.actor;
    let loaded = async {
        Ok::<_, ApiError>((
            app::duty::roster(state, a).await?,
            app::duty::incidents(state, a).await?,
        ))
    }
    .await;
    let (roster, incidents) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(e.status, &e.message),
    };
    let org = state.store.org();
    let name = |u: UnitId| org.get(u).map(|u| u.name.clone()).unwrap_or_default();
    let clock = state.store.clock();
    let status = page_status(&error);
    let page = Page {
        frame: frame(state, officer),
        roster: roster
            .into_iter()
            .map(|d| {
                let n = name(d.unit);
                (d, n)
            })
            .collect(),
        incidents: incidents
            .into_iter()
            .map(|i| {
                let (n, at, due) = (
                    name(i.unit),
                    clock.minute_of(i.occurred_at),
                    clock.minute_of(i.report_due_at),
                );
                (view(state, i), n, at, due)
            })
            .collect(),
        units: unit_options(state),
        severities: Severity::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        error,
        notice,
        kept,
    };
    (status, page).into_response()
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<PageQuery>,
) -> Response {
    let notice = match q.done.as_str() {
        "set_duty" => Some("已保存值班安排"),
        "note" => Some("已登记紧急信息"),
        "report" => Some("已报送"),
        _ => None,
    };
    render_with(&state, &officer, None, notice, DutyForm::default()).await
}

fn done(result: Result<impl Sized, ApiError>, action: &str) -> Result<Response, String> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/duty?done={action}")).into_response()),
        Err(e) => Err(e.message),
    }
}

/// The duty page's forms: a day of the roster, or an incident noted.
#[derive(Deserialize, Default, Clone)]
pub struct DutyForm {
    action: String,
    #[serde(default)]
    unit_id: Option<i64>,
    #[serde(default)]
    date: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    officer: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    title: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    report: Option<String>,
}

pub async fn act(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<DutyForm>,
) -> Response {
    let a = &officer.actor;
    let kept = form.clone();
    let unit = UnitId(form.unit_id.unwrap_or(0));
    let outcome = match form.action.as_str() {
        "set_duty" => match form.date.trim().parse::<NaiveDate>() {
            Ok(date) => {
                let new = SetDuty {
                    unit,
                    date,
                    leader: form.leader,
                    officer: form.officer,
                    phone: form.phone,
                };
                done(app::duty::set(&state, a, new).await, "set_duty")
            }
            Err(_) => Err("请填写正确的值班日期".into()),
        },
        "note" => {
            // <input type="datetime-local">: YYYY-MM-DDTHH:MM in the deployment's time zone.
            let parsed = form.occurred_at.split_once('T').and_then(|(d, t)| {
                let date: NaiveDate = d.parse().ok()?;
                let (h, m) = t.split_once(':')?;
                Some(state.store.clock().ms_at(
                    date,
                    h.parse::<u32>().ok()? * 60 + m.get(..2)?.parse::<u32>().ok()?,
                ))
            });
            match (parsed, Severity::from_code(&form.severity)) {
                (Some(ms), Some(severity)) => {
                    let new = NoteIncident {
                        unit,
                        title: form.title,
                        severity,
                        occurred_at: ms,
                        report: form.report.filter(|r| !r.trim().is_empty()),
                    };
                    done(
                        app::records::create::<Incident>(&state, a, new).await,
                        "note",
                    )
                }
                (None, _) => Err("请填写正确的发生时间".into()),
                (_, None) => Err("请选择事件等级".into()),
            }
        }
        _ => Err("未知的操作".into()),
    };
    match outcome {
        Ok(r) => r,
        Err(message) => render_with(&state, &officer, Some(message), None, kept).await,
    }
}

#[derive(Deserialize)]
pub struct ReportForm {
    #[serde(default)]
    text: String,
}

pub async fn report(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<ReportForm>,
) -> Response {
    let cmd = IncidentCommand::Report { text: form.text };
    match app::records::act(&state, &officer.actor, IncidentId(id), cmd).await {
        Ok(_) => Redirect::to("/duty?done=report").into_response(),
        Err(e) if e.code == "forbidden" || e.code == "not_found" => {
            error_page(e.status, &e.message)
        }
        Err(e) => render(&state, &officer, Some(e.message)).await,
    }
}
