//! Assessment figures recomputed from the cases (the plain path): every case registered up to the
//! end of the period is folded through [`xinfang_domain::metrics::contributions`]. The reference
//! the read models of [`crate::figures`] are tested against, and the path for what they do not
//! keep (the cases behind a count, backlog); its cost grows with the table.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::{AnyPool, Row};
use xinfang_domain::metrics::{Counts, Period, contributions};
use xinfang_domain::vocab::PetitionClass;
use xinfang_domain::{Case, Channel, UnitId};

use crate::read::{case_state, under};
use crate::rows::bind;
use crate::{Store, StoreError};

const CHUNK: i64 = 5_000;

/// Calls `f` with every case (registered on or before `to`, if given), in id order, a chunk at
/// a time.
pub(crate) async fn each_case(
    pool: &AnyPool,
    to: Option<NaiveDate>,
    mut f: impl FnMut(&Case),
) -> Result<(), StoreError> {
    let mut after = 0i64;
    loop {
        let chunk = case_chunk(pool, after, to).await?;
        let Some(last) = chunk.last() else {
            return Ok(());
        };
        after = last.id.0;
        chunk.iter().for_each(&mut f);
    }
}

/// The next cases after id `after` (registered on or before `to`, if given), in id order.
pub(crate) async fn case_chunk(
    pool: &AnyPool,
    after: i64,
    to: Option<NaiveDate>,
) -> Result<Vec<Case>, StoreError> {
    let to = to.map_or_else(|| "9999-12-31".to_string(), |d| d.to_string());
    sqlx::query(
        "SELECT id, state FROM cases WHERE id > $1 AND registered_on <= $2 ORDER BY id LIMIT $3",
    )
    .bind(after)
    .bind(&to)
    .bind(CHUNK)
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| Ok(case_state(Some(r))?.expect("a row")))
    .collect()
}

/// The label a volume group is shown with, from its stored key.
pub(crate) fn volume_label(by: VolumeBy, key: String) -> String {
    match by {
        VolumeBy::Channel => Channel::from_code(&key).map_or(key, |c| c.label().to_string()),
        VolumeBy::Class => PetitionClass::from_code(&key).map_or(key, |c| c.label().to_string()),
        VolumeBy::Region if key.is_empty() => "（未填）".to_string(),
        _ => key,
    }
}

impl Store {
    async fn each_case_until(&self, to: NaiveDate, f: impl FnMut(&Case)) -> Result<(), StoreError> {
        each_case(&self.pool, Some(to), f).await
    }

    /// Cases registered in the period per owning unit (the handling unit, else the registering
    /// office), by a plain `GROUP BY` over the case columns: what SQL alone gives, for the
    /// benchmark to compare the read models with.
    pub async fn cases_per_unit_sql(
        &self,
        period: Period,
    ) -> Result<BTreeMap<UnitId, u64>, StoreError> {
        let rows = sqlx::query(
            "SELECT COALESCE(handling_unit, registered_unit) AS unit, COUNT(*) AS n FROM cases \
             WHERE registered_on >= $1 AND registered_on <= $2 GROUP BY COALESCE(handling_unit, registered_unit)",
        )
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((UnitId(r.try_get("unit")?), r.try_get::<i64, _>("n")? as u64)))
            .collect()
    }

    /// [`Store::assessment`] recomputed from the cases.
    pub async fn assessment_recomputed(
        &self,
        period: Period,
    ) -> Result<BTreeMap<UnitId, Counts>, StoreError> {
        Ok(self.assessments_recomputed(&[period]).await?.remove(0))
    }

    /// [`Store::assessments`] recomputed in one pass over the cases.
    pub async fn assessments_recomputed(
        &self,
        periods: &[Period],
    ) -> Result<Vec<BTreeMap<UnitId, Counts>>, StoreError> {
        let today = self.clock().today();
        let mut out: Vec<BTreeMap<UnitId, Counts>> = vec![BTreeMap::new(); periods.len()];
        let Some(last) = periods.iter().map(|p| p.to).max() else {
            return Ok(out);
        };
        self.each_case_until(last, |case| {
            for (p, by_unit) in periods.iter().zip(out.iter_mut()) {
                if case.registered_on > p.to {
                    continue;
                }
                for (unit, c) in contributions(case, *p, today) {
                    by_unit.entry(unit).or_default().add(&c);
                }
            }
        })
        .await?;
        for (p, by_unit) in periods.iter().zip(out.iter_mut()) {
            for (unit, c) in self.review_figures(*p).await? {
                by_unit.entry(unit).or_default().add(&c);
            }
        }
        Ok(out)
    }

    /// [`Store::cases_behind`] recomputed, all of them in id order: the cases whose registering
    /// or handling unit lies in the subtree (through their path indexes), folded through the
    /// metrics. The reference the drill-down is tested against; its cost grows with the table.
    pub async fn cases_behind_recomputed(
        &self,
        period: Period,
        unit: UnitId,
        subtree: bool,
        count: fn(&Counts) -> u64,
    ) -> Result<Vec<i64>, StoreError> {
        let today = self.clock().today();
        let org = self.org();
        let root = org.get(unit)?.path.clone();
        let mut params = Vec::new();
        let mut n = 0;
        let mut scope = |col: &str| {
            if subtree {
                under(col, &mut n, &mut params, &root)
            } else {
                params.push(root.as_str().into());
                n += 1;
                format!("{col} = ${n}")
            }
        };
        let sql = format!(
            "SELECT id FROM cases WHERE {} UNION SELECT id FROM cases WHERE {}",
            scope("registered_path"),
            scope("handling_path"),
        );
        let q = bind(sqlx::query(sqlx::AssertSqlSafe(sql)), params);
        let mut candidates: Vec<i64> = q
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        candidates.sort_unstable();
        let mut ids = Vec::new();
        for chunk in candidates.chunks(1_000) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT state FROM cases WHERE id IN ({list}) ORDER BY id"
            )))
            .fetch_all(&self.pool)
            .await?;
            for r in rows {
                let case = case_state(Some(r))?.expect("a row");
                if case.registered_on > period.to {
                    continue;
                }
                let hit = contributions(&case, period, today).iter().any(|(u, c)| {
                    let inside = if subtree {
                        org.get(*u).is_ok_and(|x| root.covers(&x.path))
                    } else {
                        *u == unit
                    };
                    inside && count(c) > 0
                });
                if hit {
                    ids.push(case.id.0);
                }
            }
        }
        Ok(ids)
    }
}

/// What volumes are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeBy {
    Channel,
    /// The three classes (建议意见类, 检举控告类, 申诉求决类).
    Class,
    Category,
    Region,
    Unit,
}

/// Cases (件次), people (人次) and collective visits (批次) in one group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Volume {
    pub cases: u64,
    pub people: u64,
    /// Collective visits (批次) and the people in them.
    pub collective: u64,
    pub collective_people: u64,
    /// 越级访.
    pub skip_level: u64,
}

impl Volume {
    pub(crate) fn of(c: &Case) -> Volume {
        use xinfang_domain::metrics::{Counting, counting};
        let together = c.collective.as_ref().map_or(0, |x| x.head_count as u64);
        match counting(c) {
            Counting::Whole => {}
            Counting::People => {
                return Volume {
                    people: together.max(1),
                    ..Volume::default()
                };
            }
            Counting::Nothing => return Volume::default(),
        }
        Volume {
            cases: 1,
            people: together.max(1),
            collective: u64::from(c.collective.is_some()),
            collective_people: together,
            skip_level: u64::from(c.skip_level),
        }
    }

    pub fn add(&mut self, o: &Volume) {
        self.cases += o.cases;
        self.people += o.people;
        self.collective += o.collective;
        self.collective_people += o.collective_people;
        self.skip_level += o.skip_level;
    }
}

impl Store {
    /// [`Store::volumes`] recomputed in one pass over the cases.
    pub async fn volumes_recomputed(
        &self,
        periods: &[Period],
        by: VolumeBy,
    ) -> Result<Vec<BTreeMap<String, Volume>>, StoreError> {
        let org = self.org();
        let mut out: Vec<BTreeMap<String, Volume>> = vec![BTreeMap::new(); periods.len()];
        let Some(last) = periods.iter().map(|p| p.to).max() else {
            return Ok(out);
        };
        self.each_case_until(last, |c| {
            // A split petition counts nothing (its matters count): no row of its own, as in
            // the kept figures.
            let v = Volume::of(c);
            if v == Volume::default() {
                return;
            }
            for (period, groups) in periods.iter().zip(out.iter_mut()) {
                if !period.contains(c.registered_on) {
                    continue;
                }
                groups.entry(volume_key(&org, by, c)).or_default().add(&v);
            }
        })
        .await?;
        Ok(out)
    }
}

impl Store {
    /// The volumes of the cases owned within `top` (the handling unit, else the registering
    /// office) — the figures of an officer who does not oversee the whole city. The rollups are
    /// city-wide, so these are counted from the cases, in pages by id.
    pub async fn volumes_under(
        &self,
        periods: &[Period],
        by: VolumeBy,
        top: &xinfang_domain::UnitPath,
    ) -> Result<Vec<BTreeMap<String, Volume>>, StoreError> {
        let org = self.org();
        let mut out: Vec<BTreeMap<String, Volume>> = vec![BTreeMap::new(); periods.len()];
        let (Some(from), Some(to)) = (
            periods.iter().map(|p| p.from).min(),
            periods.iter().map(|p| p.to).max(),
        ) else {
            return Ok(out);
        };
        let (low, high) = top.range();
        let mut after = 0i64;
        loop {
            let rows = sqlx::query(
                "SELECT id, state FROM cases WHERE id > $1 AND registered_on >= $2 AND registered_on <= $3 \
                 AND ((handling_path >= $4 AND handling_path < $5) \
                   OR (handling_path IS NULL AND registered_path >= $4 AND registered_path < $5)) \
                 ORDER BY id LIMIT $6",
            )
            .bind(after)
            .bind(from.to_string())
            .bind(to.to_string())
            .bind(&low)
            .bind(&high)
            .bind(CHUNK)
            .fetch_all(&self.pool)
            .await?;
            let Some(last) = rows.last() else {
                return Ok(out);
            };
            after = last.try_get("id")?;
            for r in rows {
                let c = case_state(Some(r))?.expect("a row");
                let v = Volume::of(&c);
                if v == Volume::default() {
                    continue;
                }
                for (period, groups) in periods.iter().zip(out.iter_mut()) {
                    if period.contains(c.registered_on) {
                        groups.entry(volume_key(&org, by, &c)).or_default().add(&v);
                    }
                }
            }
        }
    }
}

/// The group a case is counted in.
fn volume_key(org: &xinfang_domain::OrgChart, by: VolumeBy, c: &Case) -> String {
    match by {
        VolumeBy::Channel => volume_label(by, c.channel.code().to_string()),
        VolumeBy::Class => volume_label(by, c.class.code().to_string()),
        VolumeBy::Category => c.category.clone(),
        VolumeBy::Region => volume_label(by, c.region.clone().unwrap_or_default()),
        VolumeBy::Unit => org
            .get(xinfang_domain::metrics::owner(c))
            .map(|u| u.name.clone())
            .unwrap_or_default(),
    }
}

/// A unit's open cases past their limit, by how long they have been late, and its bounced cases.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Backlog {
    /// Open cases whose running limit has passed, late by up to 30 days, 31–90, 91–180, more.
    pub overdue_by_age: [u64; 4],
    /// Cases sent between units (转送/交办) or sent back (退回) more than twice.
    pub bounced: u64,
}

/// How many days late a running clock is, bucketed.
fn age_bucket(days_late: i64) -> usize {
    match days_late {
        ..=30 => 0,
        31..=90 => 1,
        91..=180 => 2,
        _ => 3,
    }
}

/// Sent or sent back more than twice: the 踢皮球 DESIGN.md §1 wants visible.
pub fn bounced(c: &Case) -> bool {
    c.dispatches > 2 || c.objections > 2
}

impl Store {
    /// Per unit now responsible: overdue open cases by age and bounced cases (all periods).
    /// Read from the indexed columns (`clock_due`, `bounces`), never from the cases' states.
    pub async fn backlog(&self) -> Result<BTreeMap<UnitId, Backlog>, StoreError> {
        let today = self.clock().today();
        let mut out: BTreeMap<UnitId, Backlog> = BTreeMap::new();
        let late = sqlx::query(
            "SELECT responsible_unit, clock_due, COUNT(*) AS n FROM cases \
             WHERE clock_due IS NOT NULL AND clock_due < $1 GROUP BY responsible_unit, clock_due",
        )
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        for r in late {
            let due: NaiveDate = r
                .try_get::<String, _>("clock_due")?
                .parse()
                .map_err(|e| StoreError::Corrupt(format!("clock_due: {e}")))?;
            let b = out
                .entry(UnitId(r.try_get("responsible_unit")?))
                .or_default();
            b.overdue_by_age[age_bucket((today - due).num_days())] +=
                r.try_get::<i64, _>("n")? as u64;
        }
        // Grouped by an expression, so that SQLite reads the few bouncing cases through their
        // partial index rather than every case in unit order (through `cases_unit`) to spare a
        // sort: minutes instead of milliseconds at 1M.
        let bouncing = sqlx::query(
            "SELECT +responsible_unit AS responsible_unit, COUNT(*) AS n FROM cases \
             WHERE bounces >= 2 AND bounces > 2 GROUP BY 1",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in bouncing {
            out.entry(UnitId(r.try_get("responsible_unit")?))
                .or_default()
                .bounced = r.try_get::<i64, _>("n")? as u64;
        }
        Ok(out)
    }

    /// The bounced cases, in id order.
    pub async fn bounced_cases(&self) -> Result<Vec<i64>, StoreError> {
        let rows =
            sqlx::query("SELECT id FROM cases WHERE bounces >= 2 AND bounces > 2 ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }
}
