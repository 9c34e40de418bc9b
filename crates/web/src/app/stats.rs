//! Assessment and volume figures (DESIGN.md §6) as officers see them: the units whose figures
//! they may see ([`access::figures_scope`]), the counts and rates, the cases behind any count,
//! volumes compared with the period before and a year ago, the monthly ranking.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::metrics::{Counts, Period, Rate, drill_named};
use xinfang_domain::{Actor, DomainError, UnitId, UnitPath, access};
use xinfang_store::drill::MAX_DEPTH;
use xinfang_store::issued::{IssuedLine, IssuedReport};
use xinfang_store::read::{CaseSummary, MAX_PER_PAGE, Page};
use xinfang_store::stats::{Volume, VolumeBy};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
/// Longest period one request may cover.
const MAX_DAYS: i64 = 3 * 366;

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

/// Units the officer may see figures of ([`access::figures_scope`]).
pub fn visible_units(state: &AppState, actor: &Actor) -> Vec<(UnitId, String, UnitPath)> {
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

/// Each unit the officer may see, with its figures for the period.
pub async fn figures(
    state: &AppState,
    actor: &Actor,
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

/// A page of the cases behind the count named `count` of `unit` (with its subtree or alone).
pub async fn behind(
    state: &AppState,
    actor: &Actor,
    p: Period,
    (unit, subtree): (UnitId, bool),
    count: &str,
    (page, per_page): (u32, u32),
) -> ApiResult<Page<CaseSummary>> {
    let drill = drill_named(count)
        .ok_or_else(|| ApiError::bad_request("bad_query", format!("未知的统计项: {count}")))?;
    if !visible_units(state, actor)
        .iter()
        .any(|(u, _, _)| *u == unit)
    {
        return Err(ApiError::forbidden("无权查看该单位的统计"));
    }
    let per_page = per_page.clamp(1, MAX_PER_PAGE);
    let page = page.max(1);
    if u64::from(page - 1) * u64::from(per_page) >= MAX_DEPTH {
        return Err(ApiError::bad_request(
            "bad_query",
            format!("统计明细只能翻阅前{MAX_DEPTH}条，请缩小统计期间或单位范围"),
        ));
    }
    let behind = state
        .store
        .cases_behind(p, (unit, subtree), drill, (page, per_page))
        .await?;
    let items = super::cases::summaries(state, actor, &behind.ids).await?;
    Ok(Page {
        items,
        page,
        per_page,
        total: behind.total,
        total_capped: false,
    })
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

/// `channel`, `class`, `category`, `region`, `unit` and their Chinese column names.
pub const VOLUME_GROUPS: [(&str, &str); 5] = [
    ("channel", "渠道"),
    ("class", "类别"),
    ("category", "分类"),
    ("region", "地区"),
    ("unit", "办理单位"),
];

/// Volume rows grouped `by`, largest first.
pub async fn volume_rows(
    state: &AppState,
    actor: &Actor,
    p: Period,
    by: &str,
) -> ApiResult<Vec<VolumeRow>> {
    let by = match by {
        "channel" => VolumeBy::Channel,
        "class" => VolumeBy::Class,
        "category" => VolumeBy::Category,
        "region" => VolumeBy::Region,
        "unit" => VolumeBy::Unit,
        _ => {
            return Err(ApiError::bad_request(
                "bad_query",
                "by 应为 channel、class、category、region 或 unit",
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
    // Scoped like the assessment: the whole city's rollups only for those who oversee it all.
    let periods = [p, before, year_ago];
    let org = state.store.org();
    let mut three = match access::figures_scope(actor).path() {
        Some(top) if org.units().any(|u| !top.covers(&u.path)) => {
            state.store.volumes_under(&periods, by, top).await?
        }
        _ => state.store.volumes(&periods, by).await?,
    };
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
pub async fn ranking_rows(state: &AppState, actor: &Actor, month: &str) -> ApiResult<Vec<Ranked>> {
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

/// Who may issue (印发) a month's report: those who answer for figures (supervisors, leaders,
/// unit heads) and administrators.
pub fn may_issue(actor: &Actor) -> bool {
    actor.has_any(&[
        xinfang_domain::Role::Supervisor,
        xinfang_domain::Role::Leader,
        xinfang_domain::Role::UnitHead,
        xinfang_domain::Role::Admin,
    ])
}

/// Issues the officer's unit's report for a closed month, `subtree` as on the page: its figures
/// are kept as they are now and never recomputed.
pub async fn issue_month(
    state: &AppState,
    actor: &Actor,
    month: &str,
    subtree: bool,
) -> ApiResult<IssuedReport> {
    if !may_issue(actor) {
        return Err(ApiError::forbidden(
            "只有督查、领导或单位负责人可以印发报表",
        ));
    }
    let p = month_period(month)?;
    if p.to >= state.store.clock().today() {
        return Err(DomainError::invalid("month", "只能印发已经结束的月份的报表").into());
    }
    let lines: Vec<IssuedLine> = figures(state, actor, p, subtree)
        .await?
        .into_iter()
        .map(|f| IssuedLine {
            unit_id: f.unit_id,
            unit_name: f.unit_name,
            unit_path: f.unit_path,
            counts: f.counts,
        })
        .collect();
    Ok(state
        .store
        .issue_report(month, actor.unit, subtree, &lines, actor.person)
        .await?)
}

/// The issued reports of units whose figures the officer sees, newest month first.
pub async fn issued_reports(state: &AppState, actor: &Actor) -> ApiResult<Vec<IssuedReport>> {
    let units: Vec<UnitId> = visible_units(state, actor)
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    Ok(state.store.issued_reports(&units).await?)
}

/// One issued report, if its unit's figures are the officer's to see (else as missing).
pub async fn issued_report(state: &AppState, actor: &Actor, id: i64) -> ApiResult<IssuedReport> {
    let report = state
        .store
        .issued_report(id)
        .await?
        .ok_or_else(|| ApiError::not_found("报表"))?;
    let org = state.store.org();
    let scope = access::figures_scope(actor);
    match org.get(report.unit) {
        Ok(u) if scope.covers(&u.path) => Ok(report),
        _ => Err(ApiError::not_found("报表")),
    }
}

/// An issued report's lines as the assessment table has them (rates from the kept counts).
pub fn issued_figures(report: &IssuedReport) -> Vec<UnitFigures> {
    report
        .lines
        .iter()
        .map(|l| UnitFigures {
            unit_id: l.unit_id,
            unit_name: l.unit_name.clone(),
            unit_path: l.unit_path.clone(),
            rates: l.counts.rates().to_vec(),
            counts: l.counts,
        })
        .collect()
}
