//! 专项 pages: a hot issue taken up from the 热点 page, the list of campaigns, one campaign
//! with its progress per month (printable) and the leader's and lead unit's actions.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use xinfang_domain::campaign::{Campaign, CampaignCommand, CampaignKind};
use xinfang_domain::{CampaignId, CaseId, PersonId, Role, UnitId};

use super::form::Submitted;
use super::frame::{Done, Frame, error_page, frame, page_status, urlencode};
use super::session::UiOfficer;
use crate::app::campaigns::{CampaignBody, CampaignView};
use crate::{AppState, app};

/// Case numbers linked at once from the page.
const MAX_LINK: usize = 50;
/// Cases listed on the page (the API lists them all).
const LISTED: usize = 100;

#[derive(Template, WebTemplate)]
#[template(path = "campaign_list.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<(Campaign, String)>,
}

pub async fn list(State(state): State<AppState>, officer: UiOfficer) -> Response {
    match app::campaigns::list(&state, &officer.actor).await {
        Ok(all) => {
            let org = state.store.org();
            let rows = all
                .into_iter()
                .map(|c| {
                    let unit = org
                        .get(c.lead_unit)
                        .map(|u| u.name.clone())
                        .unwrap_or_default();
                    (c, unit)
                })
                .collect();
            ListPage {
                frame: frame(&state, &officer),
                rows,
            }
            .into_response()
        }
        Err(e) => error_page(e.status, &e.message),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "campaign.html")]
struct OnePage {
    frame: Frame,
    v: CampaignView,
    /// (id, case number, title) of the cases listed.
    cases: Vec<(i64, String, String)>,
    error: Option<String>,
    notice: Option<String>,
    is_leader: bool,
}

impl OnePage {
    fn percent(v: &Option<f64>) -> String {
        v.map_or_else(|| "—".into(), |x| format!("{:.1}%", x * 100.0))
    }
}

async fn render(
    state: &AppState,
    officer: &UiOfficer,
    id: CampaignId,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let v = match app::campaigns::get(state, &officer.actor, id).await {
        Ok(v) => v,
        Err(e) => return error_page(e.status, &e.message),
    };
    let shown: Vec<i64> = v.case_ids.iter().take(LISTED).copied().collect();
    let cases = match app::cases::summaries(state, &officer.actor, &shown).await {
        Ok(s) => s.into_iter().map(|s| (s.id, s.case_no, s.title)).collect(),
        Err(e) => return error_page(e.status, &e.message),
    };
    let page = OnePage {
        frame: frame(state, officer),
        is_leader: officer.actor.has(Role::Leader),
        v,
        cases,
        error,
        notice,
    };
    (page_status(&page.error), page).into_response()
}

pub async fn one(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<Done>,
) -> Response {
    render(&state, &officer, CampaignId(id), None, q.done).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    issue: i64,
    name: String,
    kind: String,
    #[serde(default)]
    lead_unit: Option<i64>,
    #[serde(default)]
    leader_id: Option<i64>,
    goal: String,
    #[serde(default)]
    deadline: String,
}

/// 列为专项 from the 热点 page.
pub async fn create(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<CreateForm>,
) -> Response {
    let bad = |m: &str| error_page(axum::http::StatusCode::UNPROCESSABLE_ENTITY, m);
    let kind = match form.kind.as_str() {
        "special" => CampaignKind::Special,
        _ => CampaignKind::MonthlyTopic,
    };
    let Some(lead_unit) = form.lead_unit else {
        return bad("请选择牵头单位");
    };
    let Some(leader) = form.leader_id else {
        return bad("请选择责任领导");
    };
    let Ok(deadline) = form.deadline.parse::<NaiveDate>() else {
        return bad("请填写完成时限");
    };
    let body = CampaignBody {
        name: form.name,
        kind,
        issue: form.issue,
        lead_unit: UnitId(lead_unit),
        leader_id: PersonId(leader),
        goal: form.goal,
        deadline,
    };
    match app::campaigns::create(&state, &officer.actor, body).await {
        Ok(v) => Redirect::to(&format!(
            "/campaigns/{}?done={}",
            v.campaign.id,
            urlencode("已列为专项")
        ))
        .into_response(),
        Err(e) => error_page(e.status, &e.message),
    }
}

#[derive(Deserialize)]
pub struct ActForm {
    action: String,
    #[serde(default)]
    cases: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    summary: String,
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<ActForm>,
) -> Response {
    let id = CampaignId(id);
    let refuse = |m: String| render(&state, &officer, id, Some(m), None);
    let (cmd, done) = match form.action.as_str() {
        "link" => {
            let numbers: Vec<&str> = form
                .cases
                .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
                .filter(|n| !n.is_empty())
                .collect();
            if numbers.is_empty() || numbers.len() > MAX_LINK {
                return refuse(format!("请填写1至{MAX_LINK}个信访事项编号")).await;
            }
            let mut cases = Vec::new();
            for n in numbers {
                match state.store.case_by_no(n).await {
                    Ok(Some(c)) => cases.push(CaseId(c.id.0)),
                    Ok(None) => return refuse(format!("没有编号为{n}的信访事项")).await,
                    Err(e) => {
                        return error_page(
                            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                            &e.to_string(),
                        );
                    }
                }
            }
            (CampaignCommand::Link { cases }, "已关联")
        }
        "revise" => match form.deadline.parse::<NaiveDate>() {
            Ok(deadline) => (
                CampaignCommand::Revise {
                    goal: form.goal,
                    deadline,
                },
                "已调整",
            ),
            Err(_) => return refuse("请填写完成时限".into()).await,
        },
        "close" => (
            CampaignCommand::Close {
                summary: form.summary,
            },
            "已办结",
        ),
        _ => return refuse("未知的操作".into()).await,
    };
    match app::campaigns::act(&state, &officer.actor, id, cmd).await {
        Ok(_) => Redirect::to(&format!("/campaigns/{id}?done={}", urlencode(done))).into_response(),
        Err(e) => refuse(e.message).await,
    }
}
