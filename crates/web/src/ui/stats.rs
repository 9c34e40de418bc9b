//! The assessment page: every unit's 三率 and the rest for a period, each rate with its counts,
//! each count a link to the cases behind it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use xinfang_domain::UnitId;
use xinfang_store::read::CaseSummary;

use super::frame::{Frame, frame};
use super::session::UiOfficer;
use crate::AppState;
use crate::app::stats::{
    Ranked, VOLUME_GROUPS, VolumeRow, behind, figures, period, ranking_rows, volume_rows,
};

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
    /// Sent to bodies above the deployment: sent, decided, awaited past the tracking date.
    above: [u64; 3],
}

impl Row {
    fn sent_above(&self) -> u64 {
        self.above[0]
    }

    fn decided_above(&self) -> u64 {
        self.above[1]
    }

    fn overdue_above(&self) -> u64 {
        self.above[2]
    }
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
    /// Units with nothing to count in the period, folded under the table by name.
    quiet: Vec<String>,
    behind: Option<Behind>,
    error: Option<String>,
    /// Volume grouped by `by`.
    by: String,
    groups: Vec<(&'static str, &'static str)>,
    volume: Vec<VolumeRow>,
    /// The ranking for the month of the period's last day.
    month: String,
    ranking: Vec<Ranked>,
    /// Charts as JSON for static/charts.js: volume bars, volume shares, ranking trends.
    charts: Vec<String>,
    /// Months of the heat table (the ranking's six).
    heat_months: Vec<String>,
    /// Reports issued for closed months, kept as issued.
    issued: Vec<IssuedRow>,
    /// The officer may issue last month's report of their unit.
    may_issue: bool,
    last_month: String,
}

/// An issued report in the page's list.
pub struct IssuedRow {
    id: i64,
    month: String,
    unit: String,
    subtree: bool,
    on: String,
}

/// A heat-table cell's class by score: h0 (no data), h1 (<60) … h4 (≥90).
fn heat(score: &Option<f64>) -> &'static str {
    match score {
        None => "h0",
        Some(s) if *s < 60.0 => "h1",
        Some(s) if *s < 75.0 => "h2",
        Some(s) if *s < 90.0 => "h3",
        Some(_) => "h4",
    }
}

impl StatsPage {
    /// Whether any office sent something above the deployment in the period.
    fn any_sent_above(&self) -> bool {
        self.rows.iter().any(|r| r.above[0] > 0)
    }

    fn score(v: &Option<f64>) -> String {
        v.map(|s| format!("{s:.1}")).unwrap_or_else(|| "—".into())
    }

    fn heat(v: &Option<f64>) -> &'static str {
        heat(v)
    }
}

impl StatsPage {
    /// The same period, for export and regrouping links.
    fn query(&self) -> String {
        format!("from={}&to={}&subtree={}", self.from, self.to, self.subtree)
    }

    fn link(&self, unit: &i64, count: &str) -> String {
        format!(
            "/stats?from={}&to={}&subtree={}&unit={unit}&count={count}#behind",
            self.from, self.to, self.subtree
        )
    }
}

/// The count each rate's numerator is.
/// Empty where the count is not of cases (评查 points, 回访 calls): no drill-down.
const NUMERATORS: [&str; 9] = [
    "accept_on_time",
    "done_on_time",
    "evaluated",
    "satisfied",
    "repeats",
    "first_closed_once",
    "backlog_resolved",
    "",
    "",
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
        "backlog_resolved" => "化解的积案",
        "backlog" => "积案",
        "skip_level" => "越级访",
        "collective" => "集体访",
        "sent_above" => "转送上级机关",
        "decided_above" => "上级机关已作出决定",
        "overdue_above" => "上级机关逾期未复",
        _ => "信访事项",
    }
}

/// The statistics pages' query: a period, with or without subtrees, a grouping, and the
/// count whose cases to list.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatsQuery {
    from: String,
    to: String,
    subtree: String,
    by: String,
    unit: Option<i64>,
    count: Option<String>,
}

impl StatsQuery {
    fn from(&self) -> Option<NaiveDate> {
        self.from.trim().parse().ok()
    }

    fn to(&self) -> Option<NaiveDate> {
        self.to.trim().parse().ok()
    }

    fn subtree(&self) -> bool {
        self.subtree == "true"
    }
}

pub async fn page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<StatsQuery>,
) -> Response {
    let today = state.store.clock().today();
    let month_start = today.with_day(1).unwrap_or(today);
    let (from, to) = (q.from().unwrap_or(month_start), q.to().unwrap_or(today));
    let subtree = q.subtree();
    let mut page = StatsPage {
        frame: frame(&state, &officer),
        from: from.to_string(),
        to: to.to_string(),
        subtree,
        rows: Vec::new(),
        quiet: Vec::new(),
        behind: None,
        error: None,
        by: Some(q.by.clone())
            .filter(|b| VOLUME_GROUPS.iter().any(|(g, _)| g == b))
            .unwrap_or_else(|| "channel".into()),
        groups: VOLUME_GROUPS.to_vec(),
        volume: Vec::new(),
        month: to.format("%Y-%m").to_string(),
        ranking: Vec::new(),
        charts: Vec::new(),
        heat_months: Vec::new(),
        issued: Vec::new(),
        may_issue: crate::app::stats::may_issue(&officer.actor),
        last_month: (month_start - chrono::Duration::days(1))
            .format("%Y-%m")
            .to_string(),
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
            let (counted, quiet): (Vec<Row>, Vec<Row>) = rows
                .into_iter()
                .map(|r| Row {
                    unit_id: r.unit_id.0,
                    name: r.unit_name,
                    cases: r.counts.cases,
                    people: r.counts.people,
                    above: [
                        r.counts.sent_above,
                        r.counts.decided_above,
                        r.counts.overdue_above,
                    ],
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
                .partition(|r: &Row| {
                    r.cases > 0
                        || r.above[0] > 0
                        || r.cells.iter().any(|c| c.numerator > 0 || c.denominator > 0)
                });
            page.rows = counted;
            page.quiet = quiet.into_iter().map(|r| r.name).collect();
        }
        Err(e) => page.error = Some(e.message),
    }
    match ranking_rows(&state, &officer.actor, &page.month).await {
        Ok(r) => page.ranking = r,
        Err(e) => page.error = Some(e.message),
    }
    match volume_rows(&state, &officer.actor, p, &page.by).await {
        Ok(v) => page.volume = v,
        Err(e) => page.error = Some(e.message),
    }
    match crate::app::stats::issued_reports(&state, &officer.actor).await {
        Ok(issued) => {
            let org = state.store.org();
            page.issued = issued
                .into_iter()
                .map(|r| IssuedRow {
                    id: r.id,
                    month: r.month,
                    unit: org.get(r.unit).map(|u| u.name.clone()).unwrap_or_default(),
                    subtree: r.subtree,
                    on: state.store.clock().date_of(r.issued_at).to_string(),
                })
                .collect();
        }
        Err(e) => page.error = Some(e.message),
    }
    page.charts = charts(&page);
    page.heat_months = page
        .ranking
        .first()
        .map(|r| r.trend.iter().map(|t| t.month.clone()).collect())
        .unwrap_or_default();
    if let (Some(unit), Some(count)) = (q.unit, q.count.as_deref()) {
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

/// The period's dates from a query, or the refusal page.
fn query_period(
    q: &StatsQuery,
) -> Result<(NaiveDate, NaiveDate, xinfang_domain::metrics::Period), Response> {
    let (Some(from), Some(to)) = (q.from(), q.to()) else {
        return Err(super::frame::error_page(
            StatusCode::BAD_REQUEST,
            "请填写统计期间的起止日期",
        ));
    };
    let p = period(from, to)
        .map_err(|e| super::frame::error_page(StatusCode::BAD_REQUEST, &e.message))?;
    Ok((from, to, p))
}

fn xlsx(bytes: Result<Vec<u8>, rust_xlsxwriter::XlsxError>, name: &str) -> Response {
    match bytes {
        Ok(b) => super::frame::workbook(b, name),
        Err(e) => {
            tracing::error!(error = %e, "xlsx export failed");
            super::frame::error_page(StatusCode::INTERNAL_SERVER_ERROR, "导出失败，请稍后再试")
        }
    }
}

/// The assessment table as .xlsx.
pub async fn export_assessment(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<StatsQuery>,
) -> Response {
    let (from, to, p) = match query_period(&q) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let subtree = q.subtree();
    match figures(&state, &officer.actor, p, subtree).await {
        Ok(rows) => {
            let title = format!(
                "考核统计 {from} 至 {to}{}",
                if subtree { "（含下级单位）" } else { "" }
            );
            xlsx(
                crate::export::assessment(&rows, &title),
                &format!("考核统计_{from}_{to}.xlsx"),
            )
        }
        Err(e) => super::frame::error_page(e.status, &e.message),
    }
}

/// A volume table as .xlsx.
pub async fn export_volume(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<StatsQuery>,
) -> Response {
    let (from, to, p) = match query_period(&q) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let by = Some(q.by.clone())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| "channel".into());
    let group = VOLUME_GROUPS
        .iter()
        .find(|(g, _)| *g == by)
        .map(|(_, l)| *l)
        .unwrap_or("分组");
    match volume_rows(&state, &officer.actor, p, &by).await {
        Ok(rows) => xlsx(
            crate::export::volume(&rows, &format!("信访量（按{group}）{from} 至 {to}"), group),
            &format!("信访量_{by}_{from}_{to}.xlsx"),
        ),
        Err(e) => super::frame::error_page(e.status, &e.message),
    }
}

/// The page's charts: volumes as bars and as shares, and the trend of the five best units.
fn charts(page: &StatsPage) -> Vec<String> {
    let group = page
        .groups
        .iter()
        .find(|(g, _)| *g == page.by)
        .map(|(_, l)| *l)
        .unwrap_or("");
    let top: Vec<&VolumeRow> = page.volume.iter().take(15).collect();
    let labels: Vec<&str> = top.iter().map(|v| v.key.as_str()).collect();
    let mut out = vec![
        serde_json::json!({
            "type": "bar",
            "title": format!("信访量（按{group}）"),
            "labels": labels,
            "series": [
                {"name": "件次", "data": top.iter().map(|v| v.cases).collect::<Vec<_>>()},
                {"name": "人次", "data": top.iter().map(|v| v.people).collect::<Vec<_>>()},
            ],
        }),
        serde_json::json!({
            "type": "pie",
            "title": format!("件次构成（按{group}）"),
            "labels": labels,
            "series": [{"name": "件次", "data": top.iter().map(|v| v.cases).collect::<Vec<_>>()}],
        }),
    ];
    if let Some(first) = page.ranking.first() {
        out.push(serde_json::json!({
            "type": "line",
            "title": "排名前五单位近六个月得分",
            "labels": first.trend.iter().map(|t| t.month.as_str()).collect::<Vec<_>>(),
            "series": page.ranking.iter().take(5).map(|r| serde_json::json!({
                "name": r.unit_name,
                "data": r.trend.iter().map(|t| t.score.map(|s| (s * 10.0).round() / 10.0)).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        }));
    }
    out.iter().map(|c| c.to_string()).collect()
}

/// 印发: the form that issues a closed month's report.
#[derive(Deserialize)]
pub struct IssueForm {
    month: String,
    #[serde(default)]
    subtree: String,
}

pub async fn issue(
    State(state): State<AppState>,
    super::form::Submitted { officer, form }: super::form::Submitted<IssueForm>,
) -> Response {
    let subtree = form.subtree == "true";
    match crate::app::stats::issue_month(&state, &officer.actor, form.month.trim(), subtree).await {
        Ok(r) => {
            axum::response::Redirect::to(&format!("/stats/issued/{}.xlsx", r.id)).into_response()
        }
        Err(e) => super::frame::error_page(e.status, &e.message),
    }
}

/// An issued report as .xlsx: the figures as they were issued.
pub async fn issued(
    State(state): State<AppState>,
    officer: UiOfficer,
    axum::extract::Path(file): axum::extract::Path<String>,
) -> Response {
    let Some(id) = file
        .strip_suffix(".xlsx")
        .and_then(|i| i.parse::<i64>().ok())
    else {
        return super::frame::error_page(StatusCode::NOT_FOUND, "报表不存在。");
    };
    let report = match crate::app::stats::issued_report(&state, &officer.actor, id).await {
        Ok(r) => r,
        Err(e) => return super::frame::error_page(e.status, &e.message),
    };
    let unit = state
        .store
        .org()
        .get(report.unit)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let title = format!(
        "考核统计 {}（{}{}，{} 印发）",
        report.month,
        unit,
        if report.subtree {
            "，含下级单位"
        } else {
            ""
        },
        state.store.clock().date_of(report.issued_at)
    );
    xlsx(
        crate::export::assessment(&crate::app::stats::issued_figures(&report), &title),
        &format!("考核统计_{}_{}印发.xlsx", report.month, unit),
    )
}
