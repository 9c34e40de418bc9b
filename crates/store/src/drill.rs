//! The cases behind a count (drill-down) read from `case_facts`, the writer's per-case copy of
//! the facts the figures sum: a unit's cases behind one measure are one range of the table's key,
//! so the first page of any count of any unit or subtree, and its exact total, cost index reads
//! however large the table. [`Store::cases_behind_recomputed`] is the plain path it is tested
//! against.

use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};
use xinfang_domain::UnitId;
use xinfang_domain::metrics::{Drill, Due, Measure, Period, Selection};

use crate::figures::day_number;
use crate::read::FAN_OUT_UNITS;
use crate::{Store, StoreError};

/// How deep a drill-down pages: each unit's rows up to the page are read, so pages past this
/// many rows are not listed (the caller narrows the period or the units instead).
pub const MAX_DEPTH: u64 = 10_000;

/// One page of the cases behind a count, newest cohort day first, and how many there are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Behind {
    pub ids: Vec<i64>,
    pub total: i64,
}

/// The condition on `case_facts` that selects a count's facts in `period` as of `today`. Every
/// value is a number this module computed, so it is written into the SQL.
fn condition(selection: Selection, period: Period, today: i64) -> String {
    let (from, to) = (day_number(period.from), day_number(period.to));
    match selection {
        Selection::Cohort(m, due) => {
            let due = match due {
                Due::Any => String::new(),
                Due::Past => format!(" AND due IS NOT NULL AND due < {today}"),
                Due::NotPast => format!(" AND (due IS NULL OR due >= {today})"),
            };
            format!(
                "measure = {} AND day >= {from} AND day <= {to}{due}",
                m as i64
            )
        }
        // The cohort day of a late fact is its deadline, its due day the answer (none while open).
        Selection::Backlog { resolved } => {
            let answered = if resolved {
                format!("due >= {from} AND due <= {to}")
            } else {
                format!("(due IS NULL OR due >= {from})")
            };
            format!(
                "measure = {} AND day < {from} AND {answered}",
                Measure::Late as i64
            )
        }
    }
}

/// The sum the figures hold for a selection (one case each) over `units`: the total of a list
/// read from the rollups, whose size does not grow with the table.
fn rollup_sql(selection: Selection, period: Period, today: NaiveDate, units: &str) -> String {
    let (from, to) = (period.from, period.to);
    match selection {
        Selection::Cohort(m, due) => {
            let due = match due {
                Due::Any => String::new(),
                Due::Past => format!(" AND due < '{today}'"),
                Due::NotPast => format!(" AND due >= '{today}'"),
            };
            format!(
                "SELECT CAST(COALESCE(SUM({}), 0) AS BIGINT) AS n FROM unit_figures WHERE unit_id IN ({units}) \
                 AND day >= '{from}' AND day <= '{to}'{due}",
                m.column()
            )
        }
        Selection::Backlog { resolved } => {
            let answered = if resolved {
                format!(" AND answered <= '{to}'")
            } else {
                String::new()
            };
            format!(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM late_figures WHERE unit_id IN ({units}) \
                 AND deadline < '{from}' AND answered >= '{from}'{answered}"
            )
        }
    }
}

fn int_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

impl Store {
    /// The cases counted for two of `units` (see `fact_pairs`).
    async fn pairs_within(
        &self,
        selection: Selection,
        period: Period,
        units: &[i64],
    ) -> Result<i64, StoreError> {
        if !matches!(selection, Selection::Cohort(..)) {
            return Ok(0);
        }
        let units = int_list(units);
        // The rows' condition holds for the pair's days (a due day of none is stored as
        // 99991231, never past).
        let cond = condition(selection, period, day_number(self.clock().today()));
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM fact_pairs WHERE {cond} \
             AND unit_a IN ({units}) AND unit_b IN ({units})"
        );
        Ok(sqlx::query(AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    async fn rolled_up(
        &self,
        selection: Selection,
        period: Period,
        units: &[i64],
    ) -> Result<i64, StoreError> {
        let sql = rollup_sql(selection, period, self.clock().today(), &int_list(units));
        Ok(sqlx::query(AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// A page of the cases behind the count `drill` of `unit` (with its subtree when `subtree`)
    /// for `period` as of today, newest cohort day first (then newest case), with the exact
    /// total. A case behind the count for two units of a subtree is listed and counted once.
    pub async fn cases_behind(
        &self,
        period: Period,
        (unit, subtree): (UnitId, bool),
        drill: &Drill,
        (page, per_page): (u32, u32),
    ) -> Result<Behind, StoreError> {
        let org = self.org();
        let root = org.get(unit)?;
        let units: Vec<i64> = if subtree {
            org.units()
                .filter(|u| root.covers(u))
                .map(|u| u.id.0)
                .collect()
        } else {
            vec![unit.0]
        };
        let cond = condition(drill.selection, period, day_number(self.clock().today()));
        let mut total = self.rolled_up(drill.selection, period, &units).await?;
        if drill.shared() && units.len() > 1 {
            // A case rated for two units of the subtree stands behind the count once.
            total -= self.pairs_within(drill.selection, period, &units).await?;
        }
        // Each unit's first `each` rows are an index range; the page is among their union.
        let per_page = per_page.max(1) as usize;
        let offset = (page.max(1) as usize - 1) * per_page;
        if offset as u64 >= MAX_DEPTH {
            return Ok(Behind { ids: vec![], total });
        }
        let each = offset + per_page;
        let mut rows: Vec<(i64, i64)> = Vec::new();
        for chunk in units.chunks(FAN_OUT_UNITS) {
            let parts: Vec<String> = chunk
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    format!(
                        "SELECT CAST(day AS BIGINT) AS day, case_id FROM (SELECT day, case_id FROM case_facts \
                         WHERE {cond} AND unit_id = {u} ORDER BY day DESC, case_id DESC LIMIT {each}) AS u{i}"
                    )
                })
                .collect();
            let sql = parts.join(" UNION ALL ");
            for r in sqlx::query(AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?
            {
                rows.push((r.try_get("day")?, r.try_get("case_id")?));
            }
        }
        rows.sort_unstable_by(|a, b| b.cmp(a));
        // A shared case has the same cohort day (the reply) for both units: neighbours.
        rows.dedup();
        let ids = rows
            .into_iter()
            .skip(offset)
            .take(per_page)
            .map(|(_, id)| id)
            .collect();
        Ok(Behind { ids, total })
    }
}
