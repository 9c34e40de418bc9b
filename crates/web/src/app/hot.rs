//! Hot issues (热点) and their warnings (预警) for an officer: made of the cases the officer may
//! see, optionally one unit's (or its subtree's); titles and listed cases checked against the
//! database's visibility once more.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::access;
use xinfang_domain::{Actor, UnitId};
use xinfang_text::hot::Filter;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Issues listed at most.
pub const MAX_ISSUES: usize = 100;
/// Warnings listed at most.
const MAX_WARNINGS: i64 = 50;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub name: String,
    pub cases: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DayCount {
    pub day: NaiveDate,
    pub cases: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotIssueView {
    /// The issue (the id of its first case).
    pub id: i64,
    /// The title of its earliest case in the period.
    pub title: String,
    pub cases: u32,
    /// 人次 (a collective visit counts its head count).
    pub people: u32,
    /// 集体访 (批次).
    pub collective: u32,
    /// Repeat petitions.
    pub repeats: u32,
    /// Cases in the period of the same length just before.
    pub before: u32,
    /// (cases − before) / max(before, 1).
    pub growth: f64,
    pub regions: Vec<Named>,
    pub categories: Vec<Named>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// cases × (1 + growth/2, growth counted 0–4) + 3 per collective visit + 1 per repeat.
    pub heat: f64,
    /// Up to 200, latest first.
    pub case_ids: Vec<i64>,
    /// Cases per day of the period (days with none left out).
    pub daily: Vec<DayCount>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotIssues {
    pub items: Vec<HotIssueView>,
    /// False while the server is still grouping the history after a start (the items are
    /// then of the cases grouped so far).
    pub complete: bool,
}

/// What to count: a period, and optionally a unit (or its subtree).
pub struct HotQuery {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub unit: Option<i64>,
    pub subtree: bool,
    pub limit: usize,
}

pub async fn issues(state: &AppState, actor: &Actor, q: HotQuery) -> ApiResult<HotIssues> {
    super::stats::period(q.from, q.to)?;
    let mut filter = Filter::for_actor(actor);
    if let Some(id) = q.unit {
        let org = state.store.org();
        let unit = org
            .get(UnitId(id))
            .map_err(|_| ApiError::not_found("单位"))?;
        // Naming a unit is allowed where its figures are (the counted cases stay those the
        // caller may see).
        if !access::figures_scope(actor).covers(&unit.path) {
            return Err(ApiError::forbidden("无权查看该单位的热点"));
        }
        filter.unit = Some((unit.id, unit.path.clone(), q.subtree));
    }
    let answer = state
        .hot
        .issues(
            &state.store,
            &filter,
            q.from,
            q.to,
            q.limit.clamp(1, MAX_ISSUES),
        )
        .await;
    let firsts: Vec<i64> = answer
        .items
        .iter()
        .filter_map(|i| i.case_ids.last().copied())
        .collect();
    // The summaries are read in pages of the store's own size, visibility checked again.
    let mut titles: std::collections::HashMap<i64, String> =
        super::cases::summaries(state, actor, &firsts)
            .await?
            .into_iter()
            .map(|s| (s.id, s.title))
            .collect();
    let named = |v: Vec<(String, u32)>| {
        v.into_iter()
            .map(|(name, cases)| Named { name, cases })
            .collect()
    };
    let items = answer
        .items
        .into_iter()
        .map(|i| HotIssueView {
            title: i
                .case_ids
                .last()
                .and_then(|c| titles.remove(c))
                .unwrap_or_default(),
            id: i.id,
            cases: i.cases,
            people: i.people,
            collective: i.collective,
            repeats: i.repeats,
            before: i.before,
            growth: i.growth,
            regions: named(i.regions),
            categories: named(i.categories),
            first_day: i.first_day,
            last_day: i.last_day,
            heat: i.heat,
            case_ids: i.case_ids,
            daily: i
                .daily
                .into_iter()
                .map(|(day, cases)| DayCount { day, cases })
                .collect(),
        })
        .collect();
    Ok(HotIssues {
        items,
        complete: answer.complete,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HotWarningView {
    /// The issue (the id of its first case).
    pub issue: i64,
    pub raised_on: NaiveDate,
    /// The title of the latest of its cases the caller may see.
    pub title: String,
    /// Its cases within `days` days when it was raised.
    pub case_count: u32,
    pub collective: u32,
    pub days: u32,
    /// Those of its cases the caller may see, latest first.
    pub case_ids: Vec<i64>,
}

/// The warnings raised so far, newest first: for the petition office, leaders and
/// administrators ([`access::sees_hot_warnings`]).
pub async fn warnings(state: &AppState, actor: &Actor) -> ApiResult<Vec<HotWarningView>> {
    if !access::sees_hot_warnings(actor) {
        return Err(ApiError::forbidden(
            "热点预警仅向信访部门、领导和管理员显示",
        ));
    }
    let mut out = Vec::new();
    for w in state.store.hot_warnings(MAX_WARNINGS).await? {
        let seen = super::cases::summaries(state, actor, &w.cases).await?;
        out.push(HotWarningView {
            issue: w.issue,
            raised_on: w.raised_on,
            title: seen.first().map(|s| s.title.clone()).unwrap_or_default(),
            case_count: w.case_count,
            collective: w.collective,
            days: w.days,
            case_ids: seen.into_iter().map(|s| s.id).collect(),
        });
    }
    Ok(out)
}
