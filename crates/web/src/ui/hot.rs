//! The 热点 page: the hot issues of a period with each one's daily trend, regions, categories
//! and cases, and the warnings raised to the petition office.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use xinfang_domain::{Role, access};

use super::frame::{Frame, UnitOption, frame, unit_options};
use super::session::UiOfficer;
use crate::AppState;
use crate::app::hot::{HotIssueView, HotQuery, HotWarningView};

/// Cases linked under each issue on the page (the API lists up to 200).
const LINKED: usize = 12;
/// Issues on the page.
const SHOWN: usize = 30;

#[derive(Deserialize)]
pub struct HotPageQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

pub struct IssueRow {
    issue: HotIssueView,
    /// (id, case number) of the latest cases.
    cases: Vec<(i64, String)>,
    /// An inline bar chart of the cases per day (SVG, numbers only).
    trend: String,
}

impl IssueRow {
    /// Against the period before: new, or the change in per cent.
    fn growth_label(&self) -> String {
        match self.issue.before {
            0 => "上期无，本期新出现".into(),
            n => format!("上期 {n} 件，增长 {:.0}%", self.issue.growth * 100.0),
        }
    }
}

pub struct WarningRow {
    warning: HotWarningView,
    cases: Vec<(i64, String)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "hot.html")]
struct HotPage {
    frame: Frame,
    from: String,
    to: String,
    rows: Vec<IssueRow>,
    complete: bool,
    error: Option<String>,
    warnings: Vec<WarningRow>,
    shows_warnings: bool,
    /// A leader may take an issue up as a campaign (列为专项): the units and leaders to pick.
    is_leader: bool,
    units: Vec<UnitOption>,
    leaders: Vec<(i64, String)>,
    /// A month from today: the campaign form's first deadline.
    month_ahead: String,
}

pub async fn hot_page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<HotPageQuery>,
) -> Response {
    let today = state.store.clock().today();
    let to = q.to.unwrap_or(today);
    let from = q.from.unwrap_or(to - chrono::Duration::days(29));
    let actor = &officer.actor;
    let mut page = HotPage {
        frame: frame(&state, &officer),
        from: from.to_string(),
        to: to.to_string(),
        rows: Vec::new(),
        complete: true,
        error: None,
        warnings: Vec::new(),
        shows_warnings: access::sees_hot_warnings(actor),
        is_leader: actor.has(Role::Leader),
        units: Vec::new(),
        leaders: Vec::new(),
        month_ahead: (today + chrono::Duration::days(30)).to_string(),
    };
    if page.is_leader {
        page.units = unit_options(&state);
        page.leaders = match state.store.people().await {
            Ok(people) => people
                .into_iter()
                .filter(|p| p.roles.contains(&Role::Leader))
                .map(|p| (p.id.0, p.name))
                .collect(),
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        };
    }
    let query = HotQuery {
        from,
        to,
        unit: None,
        subtree: false,
        limit: SHOWN,
    };
    let issues = match crate::app::hot::issues(&state, actor, query).await {
        Ok(i) => i,
        Err(e) => {
            page.error = Some(e.message.clone());
            return (StatusCode::BAD_REQUEST, page).into_response();
        }
    };
    page.complete = issues.complete;
    let warnings = if page.shows_warnings {
        match crate::app::hot::warnings(&state, actor).await {
            Ok(w) => w,
            Err(e) => return e.into_response(),
        }
    } else {
        Vec::new()
    };
    // Case numbers of the linked cases, read once for the page.
    let wanted: Vec<i64> = issues
        .items
        .iter()
        .flat_map(|i| i.case_ids.iter().take(LINKED))
        .chain(warnings.iter().flat_map(|w| w.case_ids.iter().take(LINKED)))
        .copied()
        .collect();
    let numbers: HashMap<i64, String> =
        match crate::app::cases::summaries(&state, actor, &wanted).await {
            Ok(s) => s.into_iter().map(|s| (s.id, s.case_no)).collect(),
            Err(e) => return e.into_response(),
        };
    let linked = |ids: &[i64]| -> Vec<(i64, String)> {
        ids.iter()
            .take(LINKED)
            .filter_map(|id| numbers.get(id).map(|n| (*id, n.clone())))
            .collect()
    };
    page.rows = issues
        .items
        .into_iter()
        .map(|issue| IssueRow {
            cases: linked(&issue.case_ids),
            trend: trend(&issue, from, to),
            issue,
        })
        .collect();
    page.warnings = warnings
        .into_iter()
        .map(|warning| WarningRow {
            cases: linked(&warning.case_ids),
            warning,
        })
        .collect();
    page.into_response()
}

/// Bars of the cases per day over the period (at most 366 bars; a longer period shows its
/// last year).
fn trend(issue: &HotIssueView, from: NaiveDate, to: NaiveDate) -> String {
    let from = from.max(to - chrono::Duration::days(365));
    let days = (to - from).num_days() as usize + 1;
    let top = issue
        .daily
        .iter()
        .map(|d| d.cases)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let mut bars = String::new();
    for d in issue.daily.iter().filter(|d| d.day >= from) {
        let x = (d.day - from).num_days() as f64 * 3.0;
        let h = (d.cases as f64 / top * 28.0).max(2.0);
        bars.push_str(&format!(
            r#"<rect x="{x:.0}" y="{:.1}" width="2" height="{h:.1}"><title>{} {}件</title></rect>"#,
            30.0 - h,
            d.day,
            d.cases
        ));
    }
    format!(
        r#"<svg class="trend" viewBox="0 0 {} 30" preserveAspectRatio="none" role="img" aria-label="每日件数">{bars}</svg>"#,
        days * 3
    )
}
