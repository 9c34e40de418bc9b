//! The read models behind the assessment figures: the sum of every case's facts
//! ([`xinfang_domain::metrics::facts`]) by unit, cohort day and due day; late cases by deadline
//! and answer day (积案); and registrations by channel, category and region per day. The writer changes them in the transaction of each
//! batch by the difference each event makes to its case's facts, so a year of every unit's
//! figures is a sum over a few hundred rows per day instead of a pass over the cases.

use std::collections::BTreeMap;

use chrono::Datelike;
use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use xinfang_domain::metrics::{Counts, MEASURES, Measure, Period, Tallies, facts, listed};
use xinfang_domain::{Case, UnitId};

use crate::rows::{Param, delete_rows, insert_rows};
use crate::stats::{Volume, VolumeBy};
use crate::{Backend, Store, StoreError};

/// The stored due day of facts that have none (never past).
const NO_DUE: &str = "9999-12-31";

/// The version of the facts the stored figures were summed from. Raise it whenever
/// [`xinfang_domain::metrics::facts`] changes: the figures are then rebuilt at the next start.
const FIGURES_VERSION: i64 = 3;

/// Registrations ([`Volume`] as numbers) by (dimension, group, day).
type VolumeTallies = BTreeMap<(&'static str, String, NaiveDate), [i64; 5]>;

/// The measures summed in `unit_figures` (late cases have their own table).
fn unit_measures() -> impl Iterator<Item = Measure> {
    MEASURES.into_iter().filter(|m| *m != Measure::Late)
}

/// A change to the read models, built up over a batch and written with it.
#[derive(Debug, Default)]
pub(crate) struct FigureDelta {
    units: Tallies,
    volumes: VolumeTallies,
    facts: FactDelta,
}

/// A day as stored in `case_facts`: the number YYYYMMDD.
pub(crate) fn day_number(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// One row of `case_facts`: measure, unit, cohort day, case, due day.
type FactRow = (Measure, UnitId, i64, i64, Option<i64>);

/// The stored due day of a pair's facts that have none (never past).
const NO_DUE_NUMBER: i64 = 99_991_231;

/// A case behind one measure for two units on the same cohort and due day (rated by the
/// handling unit's and the office's petitioner alike): measure, day, due, the two units.
type Pair = (Measure, i64, i64, UnitId, UnitId);

/// Rows of `case_facts` to add (+1) and to take away (−1), rows whose case kept them cancelling
/// out; and the change to `fact_pairs`, which lets a subtree's list count such a case once
/// without reading the rows.
#[derive(Debug, Default)]
pub(crate) struct FactDelta {
    rows: BTreeMap<FactRow, i64>,
    pairs: BTreeMap<Pair, i64>,
}

impl FactDelta {
    fn add(&mut self, case: &Case, sign: i64) {
        let mut by_cohort: BTreeMap<(Measure, i64, i64), Vec<UnitId>> = BTreeMap::new();
        for f in facts(case) {
            if listed(f.measure) {
                let (day, due) = (day_number(f.day), f.due.map(day_number));
                *self
                    .rows
                    .entry((f.measure, f.unit, day, case.id.0, due))
                    .or_default() += sign;
                by_cohort
                    .entry((f.measure, day, due.unwrap_or(NO_DUE_NUMBER)))
                    .or_default()
                    .push(f.unit);
            }
        }
        for ((m, day, due), mut units) in by_cohort {
            units.sort();
            if let [a, b] = units[..] {
                *self.pairs.entry((m, day, due, a, b)).or_default() += sign;
            }
        }
    }

    fn merge(&mut self, other: FactDelta) {
        for (k, n) in other.rows {
            *self.rows.entry(k).or_default() += n;
        }
        for (k, n) in other.pairs {
            *self.pairs.entry(k).or_default() += n;
        }
    }

    /// Deletes the rows taken away, then inserts those added: a fact whose due day moved is
    /// one of each under the same key.
    async fn write(self, conn: &mut AnyConnection, backend: Backend) -> Result<(), StoreError> {
        let key = |(m, unit, day, case, _): &FactRow| -> Vec<Param> {
            vec![
                (*m as i64).into(),
                unit.0.into(),
                (*day).into(),
                (*case).into(),
            ]
        };
        let gone = self
            .rows
            .iter()
            .filter(|(_, n)| **n < 0)
            .map(|(row, _)| key(row))
            .collect();
        delete_rows(
            conn,
            backend,
            "case_facts",
            &["measure", "unit_id", "day", "case_id"],
            gone,
        )
        .await?;
        let added = self
            .rows
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(row, _)| {
                let mut p = key(&row);
                p.push(row.4.into());
                p
            })
            .collect();
        insert_rows(
            conn,
            backend,
            "case_facts",
            &["measure", "unit_id", "day", "case_id", "due"],
            added,
            "ON CONFLICT (measure, unit_id, day, case_id) DO UPDATE SET due = excluded.due",
        )
        .await?;
        let pairs = self
            .pairs
            .into_iter()
            .filter(|(_, n)| *n != 0)
            .map(|((m, day, due, a, b), n)| {
                vec![
                    (m as i64).into(),
                    day.into(),
                    due.into(),
                    a.0.into(),
                    b.0.into(),
                    n.into(),
                ]
            })
            .collect();
        insert_rows(
            conn,
            backend,
            "fact_pairs",
            &["measure", "day", "due", "unit_a", "unit_b", "n"],
            pairs,
            &accumulate("fact_pairs", "measure, day, due, unit_a, unit_b", &["n"]),
        )
        .await
    }
}

fn volume_groups(c: &Case) -> [(&'static str, String); 4] {
    [
        ("channel", c.channel.code().to_string()),
        ("class", c.class.code().to_string()),
        ("category", c.category.clone()),
        ("region", c.region.clone().unwrap_or_default()),
    ]
}

impl FigureDelta {
    /// Adds (`sign` 1) or takes away (−1) what `case` contributes.
    pub(crate) fn add(&mut self, case: &Case, sign: i64) {
        self.units.add(case, sign);
        self.facts.add(case, sign);
        let v = Volume::of(case);
        let numbers = [
            v.cases,
            v.people,
            v.collective,
            v.collective_people,
            v.skip_level,
        ];
        for (dim, grp) in volume_groups(case) {
            let row = self
                .volumes
                .entry((dim, grp, case.registered_on))
                .or_default();
            for (a, b) in row.iter_mut().zip(numbers) {
                *a += sign * b as i64;
            }
        }
    }

    pub(crate) fn merge(&mut self, other: FigureDelta) {
        self.units.merge(other.units);
        self.facts.merge(other.facts);
        for (k, v) in other.volumes {
            let mine = self.volumes.entry(k).or_default();
            for (a, b) in mine.iter_mut().zip(v) {
                *a += b;
            }
        }
    }

    /// Writes the change (rows that cancelled out are skipped).
    pub(crate) async fn write(
        mut self,
        conn: &mut AnyConnection,
        backend: Backend,
    ) -> Result<(), StoreError> {
        std::mem::take(&mut self.facts).write(conn, backend).await?;
        self.units.prune();
        self.volumes.retain(|_, v| v.iter().any(|n| *n != 0));
        let measure_columns: Vec<&str> = unit_measures().map(|m| m.column()).collect();
        let mut columns = vec!["day", "unit_id", "due"];
        columns.extend(&measure_columns);
        let date = |d: Option<NaiveDate>| d.map_or(NO_DUE.to_string(), |d| d.to_string());
        let (mut rows, mut late) = (Vec::new(), Vec::new());
        for ((unit, day, due), tally) in self.units.0 {
            let n = tally[Measure::Late as usize];
            if n != 0 {
                late.push(vec![
                    date(due).into(),
                    day.to_string().into(),
                    unit.0.into(),
                    n.into(),
                ]);
            }
            if unit_measures().any(|m| tally[m as usize] != 0) {
                let mut row: Vec<Param> =
                    vec![day.to_string().into(), unit.0.into(), date(due).into()];
                row.extend(unit_measures().map(|m| Param::from(tally[m as usize])));
                rows.push(row);
            }
        }
        insert_rows(
            conn,
            backend,
            "late_figures",
            &["answered", "deadline", "unit_id", "n"],
            late,
            &accumulate("late_figures", "answered, deadline, unit_id", &["n"]),
        )
        .await?;
        insert_rows(
            conn,
            backend,
            "unit_figures",
            &columns,
            rows,
            &accumulate("unit_figures", "day, unit_id, due", &measure_columns),
        )
        .await?;
        let rows = self
            .volumes
            .into_iter()
            .map(|((dim, grp, day), v)| {
                let mut row: Vec<Param> = vec![day.to_string().into(), dim.into(), grp.into()];
                row.extend(v.iter().map(|n| Param::from(*n)));
                row
            })
            .collect();
        let mut columns = vec!["day", "dim", "grp"];
        columns.extend(VOLUME_COLUMNS);
        insert_rows(
            conn,
            backend,
            "volume_figures",
            &columns,
            rows,
            &accumulate("volume_figures", "day, dim, grp", &VOLUME_COLUMNS),
        )
        .await
    }
}

/// `ON CONFLICT … DO UPDATE` that adds the new numbers to the stored ones.
fn accumulate(table: &str, key: &str, columns: &[&str]) -> String {
    let sets: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    format!("ON CONFLICT ({key}) DO UPDATE SET {}", sets.join(", "))
}

/// Sums the read models from the cases unless they were built with this version of the
/// facts: a database from before they existed, or from before the facts changed. Runs before
/// the writer starts, so nothing is written meanwhile.
pub(crate) async fn build_if_stale(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let built: Option<i64> = sqlx::query("SELECT version FROM read_models WHERE name = 'figures'")
        .fetch_optional(pool)
        .await?
        .map(|r| r.try_get("version"))
        .transpose()?;
    if built == Some(FIGURES_VERSION) {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut tx = pool.begin().await?;
    for table in [
        "unit_figures",
        "late_figures",
        "volume_figures",
        "case_facts",
        "fact_pairs",
        "read_models",
    ] {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    // The sums stay small; the cases' own facts are written chunk by chunk.
    let mut delta = FigureDelta::default();
    let (mut n, mut after) = (0u64, 0i64);
    loop {
        let chunk = crate::stats::case_chunk(pool, after, None).await?;
        let Some(last) = chunk.last() else { break };
        after = last.id.0;
        n += chunk.len() as u64;
        let mut part = FigureDelta::default();
        for c in &chunk {
            part.add(c, 1);
        }
        std::mem::take(&mut part.facts)
            .write(&mut tx, backend)
            .await?;
        delta.merge(part);
    }
    delta.write(&mut tx, backend).await?;
    sqlx::query("INSERT INTO read_models (name, version) VALUES ('figures', $1)")
        .bind(FIGURES_VERSION)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    if n > 0 {
        tracing::info!(
            cases = n,
            ms = started.elapsed().as_millis() as u64,
            "assessment figures built from the cases"
        );
    }
    Ok(())
}

impl Store {
    /// Each unit's own counts for the period, as of today, from the read model.
    pub async fn assessment(&self, period: Period) -> Result<BTreeMap<UnitId, Counts>, StoreError> {
        let sums: Vec<String> = unit_measures()
            .map(|m| format!("CAST(SUM({0}) AS BIGINT) AS {0}", m.column()))
            .collect();
        let sql = format!(
            "SELECT unit_id, CASE WHEN due < $3 THEN 1 ELSE 0 END AS past, {} FROM unit_figures \
             WHERE day >= $1 AND day <= $2 GROUP BY unit_id, CASE WHEN due < $3 THEN 1 ELSE 0 END",
            sums.join(", ")
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(period.from.to_string())
            .bind(period.to.to_string())
            .bind(self.clock().today().to_string())
            .fetch_all(&self.pool)
            .await?;
        let mut out: BTreeMap<UnitId, Counts> = BTreeMap::new();
        for r in rows {
            let unit = UnitId(r.try_get("unit_id")?);
            let past = r.try_get::<i64, _>("past")? == 1;
            let counts = out.entry(unit).or_default();
            for m in unit_measures() {
                let n: i64 = r.try_get(m.column())?;
                m.add_to(counts, n.max(0) as u64, past);
            }
        }
        // 积案: late when the period began (deadline before it, not answered before it), and
        // answered within it.
        let late = sqlx::query(
            "SELECT unit_id, CAST(SUM(n) AS BIGINT) AS backlog, \
             CAST(SUM(CASE WHEN answered <= $2 THEN n ELSE 0 END) AS BIGINT) AS resolved \
             FROM late_figures WHERE answered >= $1 AND deadline < $1 GROUP BY unit_id",
        )
        .bind(period.from.to_string())
        .bind(period.to.to_string())
        .fetch_all(&self.pool)
        .await?;
        for r in late {
            let counts = out.entry(UnitId(r.try_get("unit_id")?)).or_default();
            counts.backlog += r.try_get::<i64, _>("backlog")?.max(0) as u64;
            counts.backlog_resolved += r.try_get::<i64, _>("resolved")?.max(0) as u64;
        }
        for (unit, c) in self.review_figures(period).await? {
            out.entry(unit).or_default().add(&c);
        }
        out.retain(|_, c| !c.is_empty());
        Ok(out)
    }

    /// [`Store::assessment`] for several periods (a trend).
    pub async fn assessments(
        &self,
        periods: &[Period],
    ) -> Result<Vec<BTreeMap<UnitId, Counts>>, StoreError> {
        let mut out = Vec::with_capacity(periods.len());
        for p in periods {
            out.push(self.assessment(*p).await?);
        }
        Ok(out)
    }

    /// Cases registered in the period, grouped; unit groups are the handling (else sorting)
    /// unit. From the read models.
    pub async fn volume(
        &self,
        period: Period,
        by: VolumeBy,
    ) -> Result<BTreeMap<String, Volume>, StoreError> {
        let sums: Vec<String> = VOLUME_COLUMNS
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
            .collect();
        let (sql, dim) = match by {
            VolumeBy::Unit => (
                format!(
                    "SELECT unit_id AS grp, {} FROM unit_figures WHERE day >= $1 AND day <= $2 \
                     GROUP BY unit_id",
                    sums.join(", ")
                ),
                "",
            ),
            _ => (
                format!(
                    "SELECT grp, {} FROM volume_figures WHERE day >= $1 AND day <= $2 AND dim = $3 \
                     GROUP BY grp",
                    sums.join(", ")
                ),
                match by {
                    VolumeBy::Channel => "channel",
                    VolumeBy::Class => "class",
                    VolumeBy::Category => "category",
                    _ => "region",
                },
            ),
        };
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(period.from.to_string())
            .bind(period.to.to_string());
        if !dim.is_empty() {
            q = q.bind(dim);
        }
        let org = self.org();
        let mut out: BTreeMap<String, Volume> = BTreeMap::new();
        for r in q.fetch_all(&self.pool).await? {
            let key = match by {
                VolumeBy::Unit => org
                    .get(UnitId(r.try_get("grp")?))
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                _ => crate::stats::volume_label(by, r.try_get("grp")?),
            };
            let n = |c: &str| Ok::<u64, StoreError>(r.try_get::<i64, _>(c)?.max(0) as u64);
            let v = Volume {
                cases: n("cases")?,
                people: n("people")?,
                collective: n("collective")?,
                collective_people: n("collective_people")?,
                skip_level: n("skip_level")?,
            };
            // A group with people and no case (only repeat petitions, which count 人次 and not
            // 件次) is shown too, as the recomputation shows it.
            if v != Volume::default() {
                out.entry(key).or_default().add(&v);
            }
        }
        Ok(out)
    }

    /// [`Store::volume`] for several periods (this one, the one before, a year ago).
    pub async fn volumes(
        &self,
        periods: &[Period],
        by: VolumeBy,
    ) -> Result<Vec<BTreeMap<String, Volume>>, StoreError> {
        let mut out = Vec::with_capacity(periods.len());
        for p in periods {
            out.push(self.volume(*p, by).await?);
        }
        Ok(out)
    }
}

/// The columns of [`Volume`], in `volume_figures` and in `unit_figures` alike.
const VOLUME_COLUMNS: [&str; 5] = [
    "cases",
    "people",
    "collective",
    "collective_people",
    "skip_level",
];
