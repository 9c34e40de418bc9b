//! Assessment and volume figures (DESIGN.md §6): per unit, per period, each with the counts it is
//! made of and the cases behind every count.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use xinfang_domain::UnitId;
use xinfang_store::read::{CaseSummary, MAX_PER_PAGE, Page};

use crate::app::stats::{
    BacklogRow, Ranked, UnitFigures, VolumeRow, behind, figures, period, ranking_rows,
    visible_units, volume_rows,
};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Officer;
use crate::{AppState, app};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// First day, YYYY-MM-DD.
    pub from: NaiveDate,
    /// Last day (inclusive), YYYY-MM-DD.
    pub to: NaiveDate,
    /// Count each unit with its whole subtree (default: the unit alone).
    pub subtree: Option<bool>,
}

use crate::error::bad_query;

/// One row per unit with the counts and rates of DESIGN.md §6 for the period, as of today.
#[utoipa::path(get, path = "/api/v1/stats/assessment", tag = "stats", params(AssessmentQuery), security(("bearer" = [])),
    responses((status = 200, body = [UnitFigures]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn assessment(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<AssessmentQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<UnitFigures>>> {
    let Query(q) = query.map_err(bad_query)?;
    let p = period(q.from, q.to)?;
    Ok(Json(
        figures(&state, &actor, p, q.subtree.unwrap_or(false)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BehindQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub unit: i64,
    pub subtree: Option<bool>,
    /// A count's name, e.g. `accept_late`, `open_overdue`, `satisfied` (see Counts).
    pub count: String,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// The cases behind one count of one unit: the drill-down of every figure.
#[utoipa::path(get, path = "/api/v1/stats/cases", tag = "stats", params(BehindQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn cases_behind(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<BehindQuery>, QueryRejection>,
) -> ApiResult<Json<Page<CaseSummary>>> {
    let Query(q) = query.map_err(bad_query)?;
    let p = period(q.from, q.to)?;
    let page = behind(
        &state,
        &actor,
        p,
        (UnitId(q.unit), q.subtree.unwrap_or(false)),
        &q.count,
        (q.page.unwrap_or(1), q.per_page.unwrap_or(20)),
    )
    .await?;
    Ok(Json(page))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VolumeQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `channel`, `class`, `category`, `region` or `unit`.
    pub by: String,
    /// `rising`: groups rising fastest against the period before come first (default: largest).
    pub sort: Option<String>,
}

/// Cases (件次), people (人次) and collective visits (批次) registered in the period, grouped.
#[utoipa::path(get, path = "/api/v1/stats/volume", tag = "stats", params(VolumeQuery), security(("bearer" = [])),
    responses((status = 200, body = [VolumeRow]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn volume(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<VolumeQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<VolumeRow>>> {
    let Query(q) = query.map_err(bad_query)?;
    let p = period(q.from, q.to)?;
    let mut rows = volume_rows(&state, &actor, p, &q.by).await?;
    if q.sort.as_deref() == Some("rising") {
        // Fastest rising first: the largest increase over the period before.
        rows.sort_by_key(|r| std::cmp::Reverse(r.cases as i64 - r.previous as i64));
    }
    Ok(Json(rows))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// The month ranked, YYYY-MM.
    pub month: String,
}

/// The monthly ranking of units by the policy's weighted score, with each unit's trend.
#[utoipa::path(get, path = "/api/v1/stats/ranking", tag = "stats", params(RankingQuery), security(("bearer" = [])),
    responses((status = 200, body = [Ranked]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn ranking(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<RankingQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Ranked>>> {
    let Query(q) = query.map_err(bad_query)?;
    Ok(Json(ranking_rows(&state, &actor, &q.month).await?))
}

/// Backlog and bouncing per unit now responsible, for the units the officer may see.
#[utoipa::path(get, path = "/api/v1/stats/backlog", tag = "stats", security(("bearer" = [])),
    responses((status = 200, body = [BacklogRow]), (status = 401, body = ErrorBody)))]
pub async fn backlog(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<BacklogRow>>> {
    let all = state.store.backlog().await?;
    Ok(Json(
        visible_units(&state, &actor)
            .into_iter()
            .filter_map(|(id, name, _)| {
                all.get(&id).map(|b| BacklogRow {
                    unit_id: id,
                    unit_name: name,
                    overdue_by_age: b.overdue_by_age,
                    bounced: b.bounced,
                })
            })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

/// Cases sent or sent back more than twice that the officer may see, oldest first.
#[utoipa::path(get, path = "/api/v1/stats/bounced", tag = "stats", params(PageQuery), security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub async fn bounced(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> ApiResult<Json<Page<CaseSummary>>> {
    let Query(q) = query.map_err(bad_query)?;
    let ids = state.store.bounced_cases().await?;
    // Visibility first (the database has the last word), then the page.
    let visible = app::cases::summaries(&state, &actor, &ids).await?;
    let per_page = q.per_page.unwrap_or(20).clamp(1, MAX_PER_PAGE);
    let page = q.page.unwrap_or(1).max(1);
    let total = visible.len() as i64;
    let items = visible
        .into_iter()
        .skip((page as usize - 1) * per_page as usize)
        .take(per_page as usize)
        .collect();
    Ok(Json(Page {
        items,
        page,
        per_page,
        total,
        total_capped: false,
    }))
}
