//! 值班、信息报送 page: the roster of the officer's scope with a form to set a day, incidents
//! with late or missing reports flagged, noting an incident and reporting it.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use xinfang_domain::UnitId;
use xinfang_domain::access;
use xinfang_domain::duty::{DutyDay, Severity};

use super::pages::{Frame, UnitOption, error_page, frame, page_status, unit_options};
use super::session::UiOfficer;
use crate::AppState;
use crate::api::duty::{IncidentView, view, visible};
use crate::error::ApiError;

#[derive(Template, WebTemplate)]
#[template(path = "duty.html")]
struct Page {
    frame: Frame,
    roster: Vec<(DutyDay, String)>,
    incidents: Vec<(IncidentView, String, String, String)>,
    units: Vec<UnitOption>,
    severities: Vec<(&'static str, &'static str)>,
    error: Option<String>,
}

async fn render(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    let a = &officer.actor;
    let today = state.store.clock().today();
    let loaded = async {
        Ok::<_, ApiError>((
            state.store.roster(&access::oversight(a), today).await?,
            state.store.incidents(&access::oversight(a)).await?,
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
                    clock.format_ms(i.occurred_at),
                    clock.format_ms(i.report_due_at),
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
    };
    (status, page).into_response()
}

pub async fn page(State(state): State<AppState>, officer: UiOfficer) -> Response {
    render(&state, &officer, None).await
}

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

fn unit(form: &HashMap<String, String>) -> UnitId {
    UnitId(field(form, "unit_id").parse().unwrap_or(0))
}

fn done(result: Result<(), xinfang_store::StoreError>) -> Result<Response, String> {
    match result {
        Ok(()) => Ok(Redirect::to("/duty").into_response()),
        Err(e) => Err(ApiError::from(e).message),
    }
}

pub async fn act(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let a = &officer.actor;
    let outcome = match field(&form, "action").as_str() {
        "set_duty" => match field(&form, "date").parse::<NaiveDate>() {
            Ok(date) => done(
                state
                    .store
                    .set_duty(
                        unit(&form),
                        date,
                        &field(&form, "leader"),
                        &field(&form, "officer"),
                        &field(&form, "phone"),
                        a,
                    )
                    .await
                    .map(|_| ()),
            ),
            Err(_) => Err("请填写正确的值班日期".into()),
        },
        "note" => {
            // <input type="datetime-local">: YYYY-MM-DDTHH:MM in the deployment's time zone.
            let at = field(&form, "occurred_at");
            let parsed = at.split_once('T').and_then(|(d, t)| {
                let date: NaiveDate = d.parse().ok()?;
                let (h, m) = t.split_once(':')?;
                Some(state.store.clock().ms_at(
                    date,
                    h.parse::<u32>().ok()? * 60 + m.get(..2)?.parse::<u32>().ok()?,
                ))
            });
            match (parsed, Severity::from_code(&field(&form, "severity"))) {
                (Some(ms), Some(sev)) => {
                    let report = Some(field(&form, "report")).filter(|r| !r.trim().is_empty());
                    done(
                        state
                            .store
                            .note_incident(unit(&form), &field(&form, "title"), sev, ms, report, a)
                            .await
                            .map(|_| ()),
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
        Err(message) => render(&state, &officer, Some(message)).await,
    }
}

pub async fn report(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    if let Err(e) = visible(&state, &officer.actor, id).await {
        return error_page(e.status, &e.message);
    }
    match done(
        state
            .store
            .report_incident(id, &field(&form, "text"), &officer.actor)
            .await
            .map(|_| ()),
    ) {
        Ok(r) => r,
        Err(message) => render(&state, &officer, Some(message)).await,
    }
}
