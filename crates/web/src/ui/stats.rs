//! The assessment page: every unit's 三率 and the rest for a period, each rate with its counts,
//! each count a link to the cases behind it.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use xinfang_domain::UnitId;
use xinfang_store::read::CaseSummary;

use super::pages::{Frame, frame};
use super::session::UiOfficer;
use crate::AppState;
use crate::api::stats::{behind, figures, period};

pub struct Cell {
    value: Option<String>,
    numerator: u64,
    denominator: u64,
    /// The count the numerator is, for its drill-down link.
    numerator_count: &'static str,
}

pub struct Row {
    unit_id: i64,
    name: String,
    cases: u64,
    people: u64,
    cells: Vec<Cell>,
}

pub struct Behind {
    title: String,
    total: i64,
    items: Vec<CaseSummary>,
}

#[derive(Template, WebTemplate)]
#[template(path = "stats.html")]
struct StatsPage {
    frame: Frame,
    from: String,
    to: String,
    subtree: bool,
    rows: Vec<Row>,
    behind: Option<Behind>,
    error: Option<String>,
}

impl StatsPage {
    fn link(&self, unit: &i64, count: &str) -> String {
        format!(
            "/stats?from={}&to={}&subtree={}&unit={unit}&count={count}#behind",
            self.from, self.to, self.subtree
        )
    }
}

/// The count each rate's numerator is.
const NUMERATORS: [&str; 6] = [
    "accept_on_time",
    "done_on_time",
    "evaluated",
    "satisfied",
    "repeats",
    "first_closed_once",
];

/// Names of counts for the drill-down heading.
fn count_label(count: &str) -> &'static str {
    match count {
        "cases" => "登记的信访事项",
        "accept_on_time" => "按期受理",
        "accept_late" => "超期受理",
        "accept_overdue" => "逾期未受理",
        "done_on_time" => "按期办结",
        "done_late" => "超期办结",
        "open_not_due" => "未到期未办结",
        "open_overdue" => "逾期未办结",
        "evaluated" => "已评价",
        "evaluation_lapsed" => "逾期未评价",
        "satisfied" => "满意或基本满意",
        "repeats" => "重复信访",
        "first_closed_once" => "一次性化解",
        _ => "信访事项",
    }
}

pub async fn page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let today = state.store.clock().today();
    let month_start = today.with_day(1).unwrap_or(today);
    let date = |k: &str, default: NaiveDate| {
        q.get(k)
            .and_then(|v| v.parse::<NaiveDate>().ok())
            .unwrap_or(default)
    };
    let (from, to) = (date("from", month_start), date("to", today));
    let subtree = q.get("subtree").is_some_and(|v| v == "true");
    let mut page = StatsPage {
        frame: frame(&state, &officer),
        from: from.to_string(),
        to: to.to_string(),
        subtree,
        rows: Vec::new(),
        behind: None,
        error: None,
    };
    let p = match period(from, to) {
        Ok(p) => p,
        Err(e) => {
            page.error = Some(e.message);
            return (StatusCode::BAD_REQUEST, page).into_response();
        }
    };
    match figures(&state, &officer.actor, p, subtree).await {
        Ok(rows) => {
            page.rows = rows
                .into_iter()
                .map(|r| Row {
                    unit_id: r.unit_id.0,
                    name: r.unit_name,
                    cases: r.counts.cases,
                    people: r.counts.people,
                    cells: r
                        .rates
                        .iter()
                        .zip(NUMERATORS)
                        .map(|(rate, count)| Cell {
                            value: rate.value.map(|v| format!("{:.1}%", v * 100.0)),
                            numerator: rate.numerator,
                            denominator: rate.denominator,
                            numerator_count: count,
                        })
                        .collect(),
                })
                .collect()
        }
        Err(e) => page.error = Some(e.message),
    }
    if let (Some(unit), Some(count)) = (
        q.get("unit").and_then(|u| u.parse::<i64>().ok()),
        q.get("count"),
    ) {
        match behind(
            &state,
            &officer.actor,
            p,
            (UnitId(unit), subtree),
            count,
            (1, 100),
        )
        .await
        {
            Ok(found) => {
                let unit_name = state
                    .store
                    .org()
                    .get(UnitId(unit))
                    .map(|u| u.name.clone())
                    .unwrap_or_default();
                page.behind = Some(Behind {
                    title: format!("{unit_name}：{}", count_label(count)),
                    total: found.total,
                    items: found.items,
                });
            }
            Err(e) => page.error = Some(e.message),
        }
    }
    page.into_response()
}
