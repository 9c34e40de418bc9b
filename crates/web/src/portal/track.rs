//! Following a case by query code; evaluating and appealing it.

use std::net::IpAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::{Case, CaseStatus, Command, Rating};
use xinfang_store::Who;
use xinfang_store::auth::normalise_query_code;

use crate::AppState;
use crate::extract::ClientIp;
use crate::views::{PublicCase, PublicOpinion, public_view};

#[derive(Template, WebTemplate)]
#[template(path = "portal_track.html")]
struct TrackPage {
    code: String,
    error: Option<String>,
    done: Option<String>,
    case: Option<PublicCase>,
    opinions: Vec<(&'static str, PublicOpinion)>,
    ratings: Vec<(&'static str, &'static str)>,
    /// (action, title, what it is): the appeals open now.
    appeals: Vec<(&'static str, &'static str, String)>,
    /// Why an evaluation or appeal is not open now.
    not_now: Vec<String>,
}

impl TrackPage {
    fn empty(code: String) -> Self {
        TrackPage {
            code,
            error: None,
            done: None,
            case: None,
            opinions: Vec::new(),
            ratings: Vec::new(),
            appeals: Vec::new(),
            not_now: Vec::new(),
        }
    }
}

/// The cookie that carries the query code from a look-up or an act to the page it lands on:
/// after a POST the browser lands on a GET page (refresh never sends anything again), and the
/// code, the petitioner's key, stays out of addresses, histories and logs.
const TRACK_COOKIE: &str = "xf_track";

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PageQuery {
    /// The act just done (`evaluate`, `request_review`, `request_rereview`).
    done: String,
}

/// The track page: empty, or the case whose code the browser carries.
pub(super) async fn page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let Some(code) = tracked_code(&headers) else {
        return TrackPage::empty(String::new()).into_response();
    };
    match find(&state, ip, &code).await {
        Ok((case, view)) => {
            let mut page = with_case(&state, code, &case, view);
            page.done = match q.done.as_str() {
                "evaluate" => Some("已提交评价，谢谢。".into()),
                "request_review" => Some("已提交申请复查，谢谢。".into()),
                "request_rereview" => Some("已提交申请复核，谢谢。".into()),
                _ => None,
            };
            page.into_response()
        }
        Err((status, message)) => refused(status, String::new(), message),
    }
}

fn tracked_code(headers: &HeaderMap) -> Option<String> {
    crate::extract::cookie(headers, TRACK_COOKIE, 40)
}

/// Lands the browser on the track page of `code` (with `done` when an act was just done).
fn land(state: &AppState, code: &str, done: Option<&str>) -> Response {
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{TRACK_COOKIE}={}; Path=/public/track; HttpOnly; SameSite=Strict; Max-Age=1800{secure}",
        normalise_query_code(code)
    );
    let to = match done {
        Some(d) => format!("/public/track?done={d}#status"),
        None => "/public/track#status".to_string(),
    };
    let mut response = Redirect::to(&to).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    response
}

fn with_case(state: &AppState, code: String, case: &Case, view: PublicCase) -> TrackPage {
    let today = state.store.clock().today();
    let d = &case.deadlines;
    let mut opinions = Vec::new();
    for (name, o) in [
        ("处理意见书", &view.reply),
        ("复查意见书", &view.review_opinion),
        ("复核意见书", &view.rereview_opinion),
    ] {
        if let Some(o) = o {
            opinions.push((name, o.clone()));
        }
    }
    let mut appeals = Vec::new();
    if view.actions.contains(&"request_review") {
        appeals.push((
            "request_review",
            "申请复查",
            format!(
                "对处理意见不服的，可以在收到处理意见书之日起30日内（{} 前）请求原办理单位的上一级机关复查。",
                d.review_request_due.map(|x| x.to_string()).unwrap_or_default()
            ),
        ));
    }
    if view.actions.contains(&"request_rereview") {
        appeals.push((
            "request_rereview",
            "申请复核",
            format!(
                "对复查意见不服的，可以在收到复查意见书之日起30日内（{} 前）请求复查机关的上一级机关复核。",
                d.rereview_request_due.map(|x| x.to_string()).unwrap_or_default()
            ),
        ));
    }
    let mut not_now = Vec::new();
    let lapsed = |due: Option<chrono::NaiveDate>| due.is_some_and(|due| today > due);
    if case.evaluation.is_some() {
        not_now.push("您已评价过本事项，每件事项只能评价一次。".to_string());
    } else if case.reply.is_some()
        && !view.actions.contains(&"evaluate")
        && lapsed(d.evaluation_due)
    {
        not_now.push(format!(
            "评价期限已于 {} 届满，不能再评价。",
            d.evaluation_due.map(|x| x.to_string()).unwrap_or_default()
        ));
    }
    match case.status {
        CaseStatus::Final => not_now.push(
            "复核意见为最终意见。信访人对复核意见不服、仍以同一事实和理由提出的信访事项，不再受理。".into(),
        ),
        CaseStatus::Closed if case.review_opinion.is_none() && lapsed(d.review_request_due) => not_now.push(format!(
            "申请复查的期限已于 {} 届满，事项已办结。",
            d.review_request_due.map(|x| x.to_string()).unwrap_or_default()
        )),
        CaseStatus::Closed if case.review_opinion.is_some() => not_now.push(format!(
            "申请复核的期限已于 {} 届满，事项已办结。",
            d.rereview_request_due.map(|x| x.to_string()).unwrap_or_default()
        )),
        CaseStatus::ReviewRequested | CaseStatus::RereviewRequested => {
            not_now.push("您的申请正在办理中，出具意见后会通知您。".into())
        }
        _ if case.reply.is_none() => {
            not_now.push("出具处理意见书后，您可以在这里评价，或者申请复查。".into())
        }
        _ => {}
    }
    TrackPage {
        code,
        error: None,
        done: None,
        ratings: Rating::ALL.iter().map(|r| (r.code(), r.label())).collect(),
        case: Some(view),
        opinions,
        appeals,
        not_now,
    }
}

/// The case behind a query code, as the petitioner sees it.
async fn find(
    state: &AppState,
    ip: IpAddr,
    raw: &str,
) -> Result<(Case, PublicCase), (StatusCode, String)> {
    state
        .limits
        .check_public(ip)
        .map_err(|e| (e.status, e.message))?;
    let code = normalise_query_code(raw);
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            "没有找到该查询码对应的信访事项，请核对后重新输入。".to_string(),
        )
    };
    if code.len() != 16 {
        return Err(not_found());
    }
    let case = state
        .store
        .case_by_query_code(&code)
        .await
        .map_err(|_| {
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "查询暂时不可用，请稍后再试".to_string(),
            )
        })?
        .ok_or_else(not_found)?;
    let entries = state.store.timeline(case.id).await.map_err(|_| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            "查询暂时不可用，请稍后再试".to_string(),
        )
    })?;
    let view = public_view(&state.store, &case, &entries);
    Ok((case, view))
}

/// A track-page form: the query code, and for an action what the petitioner says.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TrackForm {
    code: String,
    action: String,
    office: String,
    unit: String,
    comment: String,
    reason: String,
}

impl TrackForm {
    fn code(&self) -> String {
        self.code.trim().to_string()
    }

    /// The petitioner's command.
    fn command(&self) -> Result<Command, String> {
        let rating = |v: &str| {
            Rating::from_code(v.trim()).ok_or_else(|| "请选择满意、基本满意或不满意".to_string())
        };
        let reason = self.reason.trim().to_string();
        match self.action.trim() {
            "evaluate" => Ok(Command::Evaluate {
                office: rating(&self.office)?,
                unit: rating(&self.unit)?,
                comment: Some(self.comment.trim().to_string()).filter(|c| !c.is_empty()),
            }),
            "request_review" => Ok(Command::RequestReview { reason }),
            "request_rereview" => Ok(Command::RequestRereview { reason }),
            _ => Err("不支持的操作".into()),
        }
    }
}

/// The track page with only the code form and a message (no case found, too many look-ups).
fn refused(status: StatusCode, code: String, message: String) -> Response {
    let mut page = TrackPage::empty(code);
    page.error = Some(message);
    (status, page).into_response()
}

pub(super) async fn lookup(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<TrackForm>,
) -> Response {
    let code = form.code();
    match find(&state, ip, &code).await {
        Ok(_) => land(&state, &code, None),
        Err((status, message)) => refused(status, code, message),
    }
}

pub(super) async fn act(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<TrackForm>,
) -> Response {
    let code = form.code();
    let (case, view) = match find(&state, ip, &code).await {
        Ok(found) => found,
        Err((status, message)) => return refused(status, code, message),
    };
    let refused_action = |status: StatusCode, message: String, case: &Case, view: PublicCase| {
        let mut page = with_case(&state, code.clone(), case, view);
        page.error = Some(message);
        (status, page).into_response()
    };
    let cmd = match form.command() {
        Ok(c) => c,
        Err(m) => return refused_action(StatusCode::UNPROCESSABLE_ENTITY, m, &case, view),
    };
    let done = cmd.code();
    match state.store.act(case.id, cmd, Who::Petitioner).await {
        Ok(_) => land(&state, &code, Some(done)),
        Err(e) => {
            let e: crate::error::ApiError = e.into();
            refused_action(e.status, e.message, &case, view)
        }
    }
}
