//! Assessment and volume figures (DESIGN.md §6): per unit, per period, each with the counts it is
//! made of and the cases behind every count.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::metrics::{Counts, Period, Rate};
use xinfang_domain::{UnitId, UnitPath, access};
use xinfang_store::read::{CaseSummary, MAX_PER_PAGE, Page};
use xinfang_store::stats::{Volume, VolumeBy};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Officer;
use crate::views::hide_reports;

/// Longest period one request may cover.
const MAX_DAYS: i64 = 3 * 366;

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

#[derive(Serialize, ToSchema)]
pub struct UnitFigures {
    pub unit_id: UnitId,
    pub unit_name: String,
    pub unit_path: String,
    pub counts: Counts,
    pub rates: Vec<Rate>,
}

pub fn period(from: NaiveDate, to: NaiveDate) -> ApiResult<Period> {
    if to < from || (to - from).num_days() > MAX_DAYS {
        return Err(ApiError::bad_request(
            "bad_query",
            "统计期间应为 from ≤ to，且不超过3年",
        ));
    }
    Ok(Period { from, to })
}

fn bad_query(e: QueryRejection) -> ApiError {
    ApiError::bad_request("bad_query", format!("查询参数不正确: {}", e.body_text()))
}

/// Units the officer may see figures of ([`access::figures_scope`]).
fn visible_units(
    state: &AppState,
    actor: &xinfang_domain::Actor,
) -> Vec<(UnitId, String, UnitPath)> {
    let org = state.store.org();
    let scope = access::figures_scope(actor);
    let mut units: Vec<_> = org
        .units()
        .filter(|u| scope.covers(&u.path))
        .map(|u| (u.id, u.name.clone(), u.path.clone()))
        .collect();
    units.sort_by(|a, b| a.2.cmp(&b.2));
    units
}

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

/// Each unit the officer may see, with its figures for the period.
pub async fn figures(
    state: &AppState,
    actor: &xinfang_domain::Actor,
    p: Period,
    subtree: bool,
) -> ApiResult<Vec<UnitFigures>> {
    let own = state.store.assessment(p).await?;
    let org = state.store.org();
    Ok(visible_units(state, actor)
        .into_iter()
        .map(|(id, name, path)| {
            let mut counts = Counts::default();
            for (u, c) in &own {
                let inside = if subtree {
                    org.get(*u).is_ok_and(|x| path.covers(&x.path))
                } else {
                    *u == id
                };
                if inside {
                    counts.add(c);
                }
            }
            UnitFigures {
                unit_id: id,
                unit_name: name,
                unit_path: path.into(),
                rates: counts.rates().to_vec(),
                counts,
            }
        })
        .collect())
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

/// The count of [`Counts`] named `name`.
pub fn count_by_name(name: &str) -> Option<fn(&Counts) -> u64> {
    let f: fn(&Counts) -> u64 = match name {
        "cases" => |c| c.cases,
        "collective" => |c| c.collective,
        "collective_people" => |c| c.collective_people,
        "skip_level" => |c| c.skip_level,
        "backlog" => |c| c.backlog,
        "backlog_resolved" => |c| c.backlog_resolved,
        "accept_on_time" => |c| c.accept_on_time,
        "accept_late" => |c| c.accept_late,
        "accept_overdue" => |c| c.accept_overdue,
        "done_on_time" => |c| c.done_on_time,
        "done_late" => |c| c.done_late,
        "open_not_due" => |c| c.open_not_due,
        "open_overdue" => |c| c.open_overdue,
        "evaluated" => |c| c.evaluated,
        "evaluation_lapsed" => |c| c.evaluation_lapsed,
        "satisfied" => |c| c.satisfied,
        "rated" => |c| c.rated,
        "repeats" => |c| c.repeats,
        "first_closed" => |c| c.first_closed,
        "first_closed_once" => |c| c.first_closed_once,
        _ => return None,
    };
    Some(f)
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

/// A page of the cases behind the count named `count` of `unit` (with its subtree or alone).
pub async fn behind(
    state: &AppState,
    actor: &xinfang_domain::Actor,
    p: Period,
    (unit, subtree): (UnitId, bool),
    count: &str,
    (page, per_page): (u32, u32),
) -> ApiResult<Page<CaseSummary>> {
    let count_fn = count_by_name(count)
        .ok_or_else(|| ApiError::bad_request("bad_query", format!("未知的统计项: {count}")))?;
    if !visible_units(state, actor)
        .iter()
        .any(|(u, _, _)| *u == unit)
    {
        return Err(ApiError::forbidden("无权查看该单位的统计"));
    }
    let ids = state.store.cases_behind(p, unit, subtree, count_fn).await?;
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    let page = page.max(1);
    let start = ((page - 1) as usize * per_page as usize).min(ids.len());
    let slice = &ids[start..(start + per_page as usize).min(ids.len())];
    let mut items = state.store.summaries_in_order(actor, slice).await?;
    hide_reports(actor, &mut items);
    Ok(Page {
        items,
        page,
        per_page,
        total: ids.len() as i64,
        total_capped: false,
    })
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VolumeQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// `channel`, `category`, `region` or `unit`.
    pub by: String,
    /// `rising`: groups rising fastest against the period before come first (default: largest).
    pub sort: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VolumeRow {
    pub key: String,
    pub cases: u64,
    pub people: u64,
    pub collective: u64,
    /// People who came in collective visits (集体访人次).
    pub collective_people: u64,
    /// 越级访.
    pub skip_level: u64,
    /// Cases in the period just before, of the same length (环比).
    pub previous: u64,
    /// Cases in the same period a year earlier (同比).
    pub year_ago: u64,
}

/// Cases (件次), people (人次) and collective visits (批次) registered in the period, grouped.
#[utoipa::path(get, path = "/api/v1/stats/volume", tag = "stats", params(VolumeQuery), security(("bearer" = [])),
    responses((status = 200, body = [VolumeRow]), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn volume(
    State(state): State<AppState>,
    Officer(_actor, _): Officer,
    query: Result<Query<VolumeQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<VolumeRow>>> {
    let Query(q) = query.map_err(bad_query)?;
    let p = period(q.from, q.to)?;
    let mut rows = volume_rows(&state, p, &q.by).await?;
    if q.sort.as_deref() == Some("rising") {
        // Fastest rising first: the largest increase over the period before.
        rows.sort_by_key(|r| std::cmp::Reverse(r.cases as i64 - r.previous as i64));
    }
    Ok(Json(rows))
}

/// `channel`, `category`, `region`, `unit` and their Chinese column names.
pub const VOLUME_GROUPS: [(&str, &str); 4] = [
    ("channel", "渠道"),
    ("category", "类别"),
    ("region", "地区"),
    ("unit", "办理单位"),
];

/// Volume rows grouped `by`, largest first.
pub async fn volume_rows(state: &AppState, p: Period, by: &str) -> ApiResult<Vec<VolumeRow>> {
    let by = match by {
        "channel" => VolumeBy::Channel,
        "category" => VolumeBy::Category,
        "region" => VolumeBy::Region,
        "unit" => VolumeBy::Unit,
        _ => {
            return Err(ApiError::bad_request(
                "bad_query",
                "by 应为 channel、category、region 或 unit",
            ));
        }
    };
    let days = (p.to - p.from).num_days() + 1;
    let before = Period {
        from: p.from - chrono::Duration::days(days),
        to: p.from - chrono::Duration::days(1),
    };
    let year_ago = Period {
        from: p
            .from
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(p.from),
        to: p
            .to
            .checked_sub_months(chrono::Months::new(12))
            .unwrap_or(p.to),
    };
    let mut three = state.store.volumes(&[p, before, year_ago], by).await?;
    let last_year = three.pop().expect("three periods");
    let previous = three.pop().expect("three periods");
    let groups = three.pop().expect("three periods");
    let cases_in = |m: &BTreeMap<String, Volume>, k: &str| m.get(k).map_or(0, |v| v.cases);
    let mut rows: Vec<VolumeRow> = groups
        .into_iter()
        .map(|(key, v): (String, Volume)| VolumeRow {
            previous: cases_in(&previous, &key),
            year_ago: cases_in(&last_year, &key),
            key,
            cases: v.cases,
            people: v.people,
            collective: v.collective,
            collective_people: v.collective_people,
            skip_level: v.skip_level,
        })
        .collect();
    rows.sort_by(|a, b| b.cases.cmp(&a.cases).then(a.key.cmp(&b.key)));
    Ok(rows)
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankingQuery {
    /// The month ranked, YYYY-MM.
    pub month: String,
}

#[derive(Serialize, ToSchema)]
pub struct MonthScore {
    pub month: String,
    pub score: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct Ranked {
    pub rank: u32,
    pub unit_id: UnitId,
    pub unit_name: String,
    /// 0–100, the policy's weighted mean of the unit's rates (with its subtree).
    pub score: f64,
    pub counts: Counts,
    /// The score in this and the five months before, oldest first.
    pub trend: Vec<MonthScore>,
}

/// The first and last day of a `YYYY-MM` month.
pub fn month_period(month: &str) -> ApiResult<Period> {
    let from = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map_err(|_| ApiError::bad_request("bad_query", "月份应为 YYYY-MM"))?;
    let next = from
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| ApiError::bad_request("bad_query", "月份超出范围"))?;
    Ok(Period {
        from,
        to: next.pred_opt().unwrap_or(next),
    })
}

/// The month's ranking of the units the officer may see that were assessed (departments and
/// towns, each with its subtree), best first, with each unit's trend.
pub async fn ranking_rows(
    state: &AppState,
    actor: &xinfang_domain::Actor,
    month: &str,
) -> ApiResult<Vec<Ranked>> {
    let p = month_period(month)?;
    let weights = state.store.policy().ranking;
    let org = state.store.org();
    let assessed: Vec<(UnitId, String, UnitPath)> = visible_units(state, actor)
        .into_iter()
        .filter(|(u, _, _)| {
            org.get(*u).is_ok_and(|u| {
                matches!(
                    u.kind,
                    xinfang_domain::UnitKind::Department | xinfang_domain::UnitKind::Town
                )
            })
        })
        .collect();
    // Six months of each unit's counts with its subtree, newest last, in one pass.
    let mut periods = Vec::new();
    for back in (0..6).rev() {
        let from = p
            .from
            .checked_sub_months(chrono::Months::new(back))
            .unwrap_or(p.from);
        periods.push((
            from.format("%Y-%m").to_string(),
            month_period(&from.format("%Y-%m").to_string())?,
        ));
    }
    let per_month = state
        .store
        .assessments(&periods.iter().map(|(_, mp)| *mp).collect::<Vec<_>>())
        .await?;
    let months: Vec<(String, Vec<Counts>)> = periods
        .into_iter()
        .zip(per_month)
        .map(|((month, _), own)| {
            let per_unit = assessed
                .iter()
                .map(|(_, _, path)| {
                    let mut c = Counts::default();
                    for (u, x) in &own {
                        if org.get(*u).is_ok_and(|u| path.covers(&u.path)) {
                            c.add(x);
                        }
                    }
                    c
                })
                .collect();
            (month, per_unit)
        })
        .collect();
    let (_, now) = months.last().expect("six months");
    let mut rows: Vec<Ranked> = assessed
        .iter()
        .enumerate()
        .filter_map(|(i, (id, name, _))| {
            let score = xinfang_domain::metrics::score(&now[i], &weights)?;
            Some(Ranked {
                rank: 0,
                unit_id: *id,
                unit_name: name.clone(),
                score,
                counts: now[i],
                trend: months
                    .iter()
                    .map(|(m, per_unit)| MonthScore {
                        month: m.clone(),
                        score: xinfang_domain::metrics::score(&per_unit[i], &weights),
                    })
                    .collect(),
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.unit_name.cmp(&b.unit_name))
    });
    for (i, r) in rows.iter_mut().enumerate() {
        r.rank = i as u32 + 1;
    }
    Ok(rows)
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

#[derive(Serialize, ToSchema)]
pub struct BacklogRow {
    pub unit_id: UnitId,
    pub unit_name: String,
    /// Open cases past their limit, late by ≤30 days, 31–90, 91–180, >180 (list them with
    /// `GET /api/v1/cases?warning=red&waiting_on=UNIT`).
    pub overdue_by_age: [u64; 4],
    /// Cases sent between units or sent back more than twice (`GET /api/v1/stats/bounced`).
    pub bounced: u64,
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
    let mut visible = state.store.summaries_in_order(&actor, &ids).await?;
    hide_reports(&actor, &mut visible);
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
