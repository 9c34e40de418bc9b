//! Cases: register, list, read, act, timeline.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::case::{CaseStatus, Deadlines};
use xinfang_domain::vocab::PetitionClass;
use xinfang_domain::{CaseId, Command, NewCase, Warning};
use xinfang_store::read::{CaseFilter, CaseSummary, Page, Sort, SortKey};

use crate::error::{ApiError, ApiResult, ErrorBody, bad_query};
use crate::extract::{ApiJson, Officer, Versioned};
use crate::views::{CaseView, TimelineItem, case_view, timeline_view};
use crate::{AppState, app};

#[derive(Serialize, ToSchema)]
pub struct Registered {
    pub id: CaseId,
    pub case_no: String,
    /// Give this to the petitioner: it opens their view of the case.
    pub query_code: String,
    pub status: CaseStatus,
    /// The class recorded (from `class`, or from `is_report` for old clients).
    pub class: PetitionClass,
    /// The same fact as `class` being `report`.
    pub is_report: bool,
    pub deadlines: Deadlines,
    /// The case's version (1), for `If-Match` on its first action.
    pub version: u32,
}

/// Register a petition (registrars). The registering unit is the officer's own.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", request_body = NewCase, security(("bearer" = [])),
    responses((status = 201, body = Registered), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(new): ApiJson<NewCase>,
) -> ApiResult<(StatusCode, Json<Registered>)> {
    let case = app::cases::register(&state, &actor, new).await?;
    Ok((
        StatusCode::CREATED,
        Json(Registered {
            id: case.id,
            case_no: case.case_no,
            query_code: case.query_code,
            status: case.status,
            class: case.class,
            is_report: case.is_report,
            deadlines: case.deadlines,
            version: case.version,
        }),
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Comma-separated status codes, e.g. `forwarded,assigned`.
    pub status: Option<String>,
    /// Cases the unit's subtree is responsible for now.
    pub unit: Option<i64>,
    /// Cases waiting on exactly this unit (its own worklist).
    pub waiting_on: Option<i64>,
    /// Running deadline on or before this date.
    pub due_before: Option<NaiveDate>,
    /// `green`, `yellow` or `red`.
    pub warning: Option<String>,
    /// Only cases with a running deadline.
    pub open: Option<bool>,
    pub phone: Option<String>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    /// `letter`, `visit`, `phone`, `online`, `email` or `video`.
    pub channel: Option<String>,
    /// A category's code or "大类/小类", a group ("大类"), or 未分类.
    pub category: Option<String>,
    /// Registered on or after this date.
    pub from: Option<NaiveDate>,
    /// Registered on or before this date.
    pub to: Option<NaiveDate>,
    /// `due`, `registered`, `title`, `petitioner`, `channel`, `step` or `status`; a leading `-`
    /// sorts descending. Columns other than due and registered need `waiting_on` (one unit's
    /// worklist), which keeps the sort small.
    pub sort: Option<String>,
    pub page: Option<u32>,
    /// At most 100.
    pub per_page: Option<u32>,
}

/// Cases the officer's unit may see: worklists (open, warning, due_before) most urgent first, other lists newest first.
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", params(ListQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult<Json<Page<CaseSummary>>> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request("bad_query", format!("查询参数不正确: {}", e.body_text()))
    })?;
    let warning = match q.warning.as_deref() {
        None | Some("") => None,
        Some(w) => Some(Warning::from_code(w).ok_or_else(|| {
            ApiError::bad_request("bad_query", "预警颜色应为 green、yellow 或 red")
        })?),
    };
    let sort = match q.sort.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            let sort = Sort::parse(s).ok_or_else(|| {
                ApiError::bad_request(
                    "bad_query",
                    "排序应为 due、registered、title、petitioner、channel、step 或 status（可加 - 表示倒序）",
                )
            })?;
            if !matches!(sort.key, SortKey::Due | SortKey::Registered) && q.waiting_on.is_none() {
                return Err(ApiError::bad_request(
                    "bad_query",
                    "按该列排序须同时指定 waiting_on（某单位的待办）",
                ));
            }
            Some(sort)
        }
    };
    let narrowed = app::cases::narrowing(
        &state,
        app::cases::Narrowing {
            status: q.status,
            unit: q.unit,
            channel: q.channel,
            category: q.category,
            from: q.from,
            to: q.to,
        },
    )?;
    let filter = CaseFilter {
        waiting_on: app::cases::known_unit(&state, q.waiting_on)?,
        due_before: q.due_before,
        warning,
        open_only: q.open.unwrap_or(false),
        petitioner_phone: q.phone.filter(|s| !s.is_empty()),
        petitioner_name: q.name.filter(|s| !s.is_empty()),
        petitioner_id_number: q
            .id_number
            .filter(|s| !s.is_empty())
            .map(|s| s.to_uppercase()),
        sort,
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(20),
        ..narrowed
    };
    Ok(Json(app::cases::list(&state, &actor, &filter).await?))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words of the title, content or category (Chinese is segmented; every word must occur;
    /// a word of the synonym list also finds its synonyms). May be left out when a condition
    /// below narrows the search (then newest first).
    pub q: Option<String>,
    /// Comma-separated status codes.
    pub status: Option<String>,
    /// The responsible unit's subtree.
    pub unit: Option<i64>,
    pub channel: Option<String>,
    /// A category's code or "大类/小类", a group, or 未分类.
    pub category: Option<String>,
    /// Registered on or after.
    pub from: Option<NaiveDate>,
    /// Registered on or before.
    pub to: Option<NaiveDate>,
    pub page: Option<u32>,
    /// At most 100.
    pub per_page: Option<u32>,
}

/// A page of a search, and whether the text index held every committed case when it ran.
#[derive(Serialize)]
pub struct SearchPage {
    #[serde(flatten)]
    page: Page<CaseSummary>,
    /// False while the index is being rebuilt (after it was lost) or catching up: words may
    /// miss recent cases; numbers, phones and names are looked up in the database
    /// (`GET /api/v1/cases?petitioner_phone=…`) at any time.
    complete: bool,
}

/// The header a duplicate check answers `false` in while the text index is incomplete.
pub const INDEX_COMPLETE: &str = "x-index-complete";

/// Full-text search over the cases the officer's unit may see, best match first.
#[utoipa::path(get, path = "/api/v1/cases/search", tag = "cases", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn search(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> ApiResult<Json<SearchPage>> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request("bad_query", format!("查询参数不正确: {}", e.body_text()))
    })?;
    let words = q.q.as_deref().unwrap_or("").trim().to_string();
    let filter = CaseFilter {
        page: q.page.unwrap_or(1),
        per_page: q.per_page.unwrap_or(20),
        ..app::cases::narrowing(
            &state,
            app::cases::Narrowing {
                status: q.status,
                unit: q.unit,
                channel: q.channel,
                category: q.category,
                from: q.from,
                to: q.to,
            },
        )?
    };
    if words.chars().count() > app::cases::MAX_QUERY_CHARS
        || (words.is_empty() && !app::cases::narrows(&filter))
    {
        return Err(ApiError::bad_request(
            "bad_query",
            format!(
                "检索词应为 1 至 {} 个字（或给出筛选条件）",
                app::cases::MAX_QUERY_CHARS
            ),
        ));
    }
    let page = app::cases::search(&state, &actor, &words, &filter).await?;
    Ok(Json(SearchPage {
        page,
        complete: words.is_empty() || state.text.is_current(),
    }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevealQuery {
    /// Show the petitioner's personal data unmasked (recorded: who, when, which case; 403 for
    /// those who may only see it masked). Masked by default.
    pub reveal: Option<bool>,
}

/// One case, with the deadlines running and the actions this officer may take; personal data
/// masked unless `reveal=true`.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", params(("id" = i64, Path), RevealQuery), security(("bearer" = [])),
    responses((status = 200, body = CaseView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    query: Result<Query<RevealQuery>, QueryRejection>,
) -> ApiResult<(ETag, Json<CaseView>)> {
    let Query(q) = query.map_err(bad_query)?;
    let case = app::cases::readable(&state, &actor, CaseId(id)).await?;
    let revealed = q.reveal.unwrap_or(false);
    if revealed {
        app::cases::reveal(&state, &actor, &case, "reveal").await?;
    }
    Ok((
        ETag(case.version),
        Json(case_view(&state.store, &actor, case, revealed)),
    ))
}

/// Every step of the case, in order, with who did it and the notice it produced.
#[utoipa::path(get, path = "/api/v1/cases/{id}/timeline", tag = "cases", params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = Vec<TimelineItem>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn timeline(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
) -> ApiResult<Json<Vec<TimelineItem>>> {
    let case = app::cases::readable(&state, &actor, CaseId(id)).await?;
    let entries = state.store.timeline(case.id).await?;
    Ok(Json(
        timeline_view(&state.store, &actor, &case, entries).await?,
    ))
}

/// Act on a case: `{"action": "forward", "to_unit": 7}`, `{"action": "accept"}`,
/// `{"action": "extend", "days": 20, "reason": "…"}`, `{"action": "reply", "outcome": "support", "text": "…"}` …
/// Written opinions are signed off: `reply`, `review`, `rereview` and `decline` create a draft
/// (`draft` on the case; nothing is issued or sent); a unit head or leader over the unit other
/// than the drafter then sends `{"action": "approve"}`, which issues it dated that day, or
/// `{"action": "return", "remark": "…"}`, which sends it back; the drafter drafts again to
/// revise it. The opinion of a body above the deployment, entered by the office, is issued as
/// given.
/// Optionally the version the command was drawn from (`"version": 7` or `If-Match: "7"`, as
/// the case's `ETag` gave it): when someone acted since, 409 `conflict` with `current`, the
/// case as it is now, and nothing is done. Without it the command is judged against the
/// current state (409 `illegal_transition` when it no longer applies).
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", params(("id" = i64, Path)), request_body = Command,
    security(("bearer" = [])),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    Versioned { body, version }: Versioned<Command>,
) -> ApiResult<(ETag, Json<CaseView>)> {
    let case = app::cases::act(&state, &actor, CaseId(id), body, version).await?;
    Ok((
        ETag(case.version),
        Json(case_view(&state.store, &actor, case, false)),
    ))
}

/// A lawful request about the petitioner's personal data (PIPL arts. 46–47), by a registrar of
/// the registering unit or an admin: `{"action": "correct", "petitioner": {…}, "reason": "…"}`
/// rewrites the record; `{"action": "restrict", "reason": "…"}` keeps it for storage only (not
/// shown, looked up or used for notices); `{"action": "erase", "reason": "…"}` removes it once
/// the case is closed and its retention period (policy `personal_data.retention_years`) has
/// passed, and restricts it before then. The log keeps a digest, never the data; the answer is
/// the case as it now stands (`personal.standing`).
#[utoipa::path(post, path = "/api/v1/cases/{id}/personal-data", tag = "cases", params(("id" = i64, Path)),
    request_body = xinfang_domain::personal::PersonalRequest, security(("bearer" = [])),
    responses((status = 200, body = CaseView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn personal_data(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    Path(id): Path<i64>,
    ApiJson(request): ApiJson<xinfang_domain::personal::PersonalRequest>,
) -> ApiResult<Json<CaseView>> {
    let case = app::cases::personal_request(&state, &actor, CaseId(id), request).await?;
    Ok(Json(case_view(&state.store, &actor, case, false)))
}

/// `ETag: "7"`: the case's version, for `If-Match` on the next action.
pub struct ETag(pub u32);

impl axum::response::IntoResponseParts for ETag {
    type Error = std::convert::Infallible;

    fn into_response_parts(
        self,
        mut res: axum::response::ResponseParts,
    ) -> Result<axum::response::ResponseParts, Self::Error> {
        if let Ok(v) = axum::http::HeaderValue::from_str(&format!("\"{}\"", self.0)) {
            res.headers_mut().insert(axum::http::header::ETAG, v);
        }
        Ok(res)
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SimilarQuery {
    /// The title and content of a petition being registered (up to 20,000 characters).
    pub text: String,
}

/// The duplicate check at intake: up to 10 cases the officer may see that read like `text`.
#[utoipa::path(get, path = "/api/v1/cases/similar", tag = "cases", params(SimilarQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn similar(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<SimilarQuery>, QueryRejection>,
) -> ApiResult<([(&'static str, &'static str); 1], Json<Vec<CaseSummary>>)> {
    let Query(q) = query.map_err(|e| {
        ApiError::bad_request("bad_query", format!("查询参数不正确: {}", e.body_text()))
    })?;
    if q.text.trim().is_empty() || q.text.chars().count() > 20_000 {
        return Err(ApiError::bad_request(
            "bad_query",
            "text 应为 1 至 20000 个字",
        ));
    }
    let found = app::cases::similar(&state, &actor, &q.text, 10).await?;
    let complete = if state.text.is_current() {
        "true"
    } else {
        "false"
    };
    Ok(([(INDEX_COMPLETE, complete)], Json(found)))
}
