//! Hot issues and their warnings through the API.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::app::hot::{HotIssues, HotQuery, HotWarningView};
use crate::error::{ApiResult, ErrorBody, bad_query};
use crate::extract::Officer;
use crate::{AppState, app};

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HotIssuesQuery {
    /// First day, YYYY-MM-DD.
    pub from: NaiveDate,
    /// Last day (inclusive), YYYY-MM-DD; at most 3 years after `from`.
    pub to: NaiveDate,
    /// Only the cases seen from this unit.
    pub unit: Option<i64>,
    /// With `unit`: the cases seen from any unit of its subtree.
    pub subtree: Option<bool>,
    /// Issues listed (1–100, default 20).
    pub limit: Option<usize>,
}

/// The hot issues of a period: the cases the caller may see grouped by matter (near-duplicates,
/// and the same subject at the same place), each group of two cases or more with its figures,
/// hottest first. Answers with every case committed before the call (after a brief wait).
#[utoipa::path(get, path = "/api/v1/hot-issues", tag = "hot issues", params(HotIssuesQuery), security(("bearer" = [])),
    responses((status = 200, body = HotIssues), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn issues(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    query: Result<Query<HotIssuesQuery>, QueryRejection>,
) -> ApiResult<Json<HotIssues>> {
    let Query(q) = query.map_err(bad_query)?;
    Ok(Json(
        app::hot::issues(
            &state,
            &actor,
            HotQuery {
                from: q.from,
                to: q.to,
                unit: q.unit,
                subtree: q.subtree.unwrap_or(false),
                limit: q.limit.unwrap_or(20),
            },
        )
        .await?,
    ))
}

/// The 预警 raised by hot issues that grew past the policy's threshold (once per issue), newest
/// first, each with those of its cases the caller may see. For the petition office, leaders
/// and administrators.
#[utoipa::path(get, path = "/api/v1/hot-issues/warnings", tag = "hot issues", security(("bearer" = [])),
    responses((status = 200, body = [HotWarningView]), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn warnings(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<HotWarningView>>> {
    Ok(Json(app::hot::warnings(&state, &actor).await?))
}
