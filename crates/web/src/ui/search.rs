//! Search like a desk: a case number or query code goes straight to the case; phone, ID number
//! and name find the petitioner's cases; words find cases by their title and content (with the
//! synonym list), narrowed by status, unit, channel, category and registration dates, paged,
//! and exported to .xlsx.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::{CaseStatus, Channel};
use xinfang_store::read::{CaseFilter, CaseSummary};

use super::frame::{
    Frame, UnitOption, category_groups, error_page, frame, from_api, unit_options, urlencode,
};
use super::session::UiOfficer;
use crate::{AppState, app};

/// Hits a page of the search shows.
const PER_PAGE: u32 = 50;

#[derive(Deserialize, Default, Clone)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    page: Option<u32>,
}

impl SearchParams {
    /// The query string of these parameters on another page (empty ones left out).
    fn query(&self, page: Option<u32>) -> String {
        let page = page.map(|p| p.to_string()).unwrap_or_default();
        [
            ("q", self.q.as_str()),
            ("status", &self.status),
            ("unit", &self.unit),
            ("channel", &self.channel),
            ("category", &self.category),
            ("from", &self.from),
            ("to", &self.to),
            ("page", &page),
        ]
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| format!("{k}={}", urlencode(v.trim())))
        .collect::<Vec<_>>()
        .join("&")
    }

    /// The conditions, checked as the API checks them; a Chinese message when one is wrong.
    fn filter(&self, state: &AppState) -> Result<CaseFilter, String> {
        let some = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let date = |v: &str, what: &str| {
            some(v)
                .map(|d| d.parse().map_err(|_| format!("{what}格式应为 年-月-日")))
                .transpose()
        };
        let unit = some(&self.unit)
            .map(|u| u.parse::<i64>().map_err(|_| "请选择单位".to_string()))
            .transpose()?;
        let mut f = app::cases::narrowing(
            state,
            app::cases::Narrowing {
                status: some(&self.status),
                unit,
                channel: some(&self.channel),
                category: some(&self.category),
                from: date(&self.from, "起始日期")?,
                to: date(&self.to, "截止日期")?,
            },
        )
        .map_err(|e| e.message)?;
        f.page = self.page.unwrap_or(1).max(1);
        f.per_page = PER_PAGE;
        Ok(f)
    }

    /// The words to search the text for: the query unless it is a phone or ID number.
    fn words(&self) -> &str {
        let q = self.q.trim();
        if is_number(q) { "" } else { q }
    }
}

fn is_number(q: &str) -> bool {
    !q.is_empty()
        && q.chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x')
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    p: SearchParams,
    /// Cases whose petitioner matches (phone, ID number, name).
    items: Vec<CaseSummary>,
    /// Cases whose title or content holds the words (best first) or that meet the conditions
    /// (newest first): this page of them.
    hits: Vec<CaseSummary>,
    hits_total: i64,
    hits_capped: bool,
    page: u32,
    pages: u32,
    /// The index was still taking in recent changes.
    incomplete: bool,
    /// The index is being rebuilt (words find only part of the cases).
    rebuilding: bool,
    searched: bool,
    error: Option<String>,
    statuses: Vec<(&'static str, &'static str)>,
    channels: Vec<(&'static str, &'static str)>,
    units: Vec<UnitOption>,
    categories: Vec<(&'static str, Vec<(String, &'static str)>)>,
}

impl SearchPage {
    fn link(&self, page: u32) -> String {
        format!("/search?{}", self.p.query(Some(page)))
    }

    fn export_link(&self) -> String {
        format!("/search/export?{}", self.p.query(None))
    }
}

/// By case number or query code (straight to the case), petitioner phone, ID number or name,
/// and words of the title and content, narrowed by the conditions.
pub async fn search(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(p): Query<SearchParams>,
) -> Response {
    let q = p.q.trim().to_string();
    let mut page = SearchPage {
        frame: frame(&state, &officer),
        p: p.clone(),
        items: Vec::new(),
        hits: Vec::new(),
        hits_total: 0,
        hits_capped: false,
        page: 1,
        pages: 0,
        incomplete: false,
        rebuilding: false,
        searched: false,
        error: None,
        statuses: CaseStatus::ALL
            .iter()
            .map(|s| (s.code(), s.label()))
            .collect(),
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        units: unit_options(&state),
        categories: category_groups(),
    };
    if q.chars().count() > app::cases::MAX_QUERY_CHARS {
        page.error = Some(format!("检索词不能超过{}个字", app::cases::MAX_QUERY_CHARS));
        return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
    }
    let filter = match p.filter(&state) {
        Ok(f) => f,
        Err(e) => {
            page.error = Some(e);
            return (StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    let narrowed = app::cases::narrows(&filter);
    if q.is_empty() && !narrowed {
        return page.into_response();
    }
    page.searched = true;
    if !q.is_empty() {
        let code = xinfang_store::auth::normalise_query_code(&q);
        let direct = match state.store.case_by_no(&q.to_uppercase()).await {
            Ok(Some(c)) => Some(c),
            _ => state.store.case_by_query_code(&code).await.ok().flatten(),
        };
        if let Some(c) = direct.filter(|c| state.store.may_see(&officer.actor, c)) {
            return Redirect::to(&format!("/cases/{}", c.id)).into_response();
        }
        // The petitioner's cases, on the first page only.
        if filter.page == 1 {
            let digits = is_number(&q);
            let by_person = CaseFilter {
                petitioner_phone: (digits && q.len() <= 12).then(|| q.clone()),
                petitioner_id_number: (digits && q.len() == 18).then(|| q.to_uppercase()),
                petitioner_name: (!digits).then(|| q.clone()),
                per_page: PER_PAGE,
                ..Default::default()
            };
            match app::cases::list(&state, &officer.actor, &by_person).await {
                Ok(found) => page.items = found.items,
                Err(e) => return from_api(e),
            }
        }
    }
    let words = p.words();
    if !words.is_empty() || narrowed {
        let found = app::cases::search(&state, &officer.actor, words, &filter).await;
        // After the search's own wait for the index, say if it is still behind.
        page.incomplete = !words.is_empty() && !state.text.is_current();
        page.rebuilding = page.incomplete && state.text.is_rebuilding();
        match found {
            Ok(mut found) => {
                found
                    .items
                    .retain(|h| !page.items.iter().any(|i| i.id == h.id));
                page.page = found.page;
                page.pages = (found.total as u32).div_ceil(found.per_page.max(1));
                (page.hits, page.hits_total, page.hits_capped) =
                    (found.items, found.total, found.total_capped);
            }
            Err(e) => return from_api(e),
        }
    }
    page.into_response()
}

/// Everything the search finds (up to the export's limit), as an Excel workbook.
pub async fn export(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(p): Query<SearchParams>,
) -> Response {
    let filter = match p.filter(&state) {
        Ok(f) => f,
        Err(e) => return error_page(StatusCode::UNPROCESSABLE_ENTITY, &e),
    };
    let words = p.words();
    if words.chars().count() > app::cases::MAX_QUERY_CHARS
        || (words.is_empty() && !app::cases::narrows(&filter))
    {
        return error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "请输入检索词或选择筛选条件后再导出",
        );
    }
    let rows = match app::cases::search_all(&state, &officer.actor, words, &filter).await {
        Ok(r) => r,
        Err(e) => return from_api(e),
    };
    let org = state.store.org();
    let unit_name = |u: i64| {
        org.get(xinfang_domain::UnitId(u))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    match crate::export::cases(
        &rows,
        &unit_name,
        &format!("信访事项查询结果（{} 件）", rows.len()),
    ) {
        Ok(bytes) => super::frame::workbook(bytes, "信访事项查询结果.xlsx"),
        Err(e) => {
            tracing::error!(error = %e, "search export");
            error_page(StatusCode::INTERNAL_SERVER_ERROR, "导出失败，请稍后再试")
        }
    }
}
