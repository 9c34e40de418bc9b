//! The read models behind the assessment figures: the sum of every case's facts
//! ([`xinfang_domain::metrics::facts`]) by unit, cohort day and due day, and registrations by
//! channel, category and region per day. The writer changes them in the transaction of each
//! batch by the difference each event makes to its case's facts, so a year of every unit's
//! figures is a sum over a few hundred rows per day instead of a pass over the cases.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use xinfang_domain::metrics::{Counts, MEASURES, Period, Tallies};
use xinfang_domain::{Case, UnitId};

use crate::rows::{Param, insert_rows};
use crate::stats::{Volume, VolumeBy};
use crate::{Backend, Store, StoreError};

/// The stored due day of facts that have none (never past).
const NO_DUE: &str = "9999-12-31";

/// Registrations (cases, people, collective visits) by (dimension, group, day).
type VolumeTallies = BTreeMap<(&'static str, String, NaiveDate), [i64; 3]>;

/// A change to both read models, built up over a batch and written with it.
#[derive(Debug, Default)]
pub(crate) struct FigureDelta {
    units: Tallies,
    volumes: VolumeTallies,
}

fn volume_groups(c: &Case) -> [(&'static str, String); 3] {
    [
        ("channel", c.channel.code().to_string()),
        ("category", c.category.clone()),
        ("region", c.region.clone().unwrap_or_default()),
    ]
}

impl FigureDelta {
    /// Adds (`sign` 1) or takes away (−1) what `case` contributes.
    pub(crate) fn add(&mut self, case: &Case, sign: i64) {
        self.units.add(case, sign);
        let people = case.collective.as_ref().map_or(1, |x| x.head_count as i64);
        let collective = i64::from(case.collective.is_some());
        for (dim, grp) in volume_groups(case) {
            let v = self
                .volumes
                .entry((dim, grp, case.registered_on))
                .or_default();
            v[0] += sign;
            v[1] += sign * people;
            v[2] += sign * collective;
        }
    }

    pub(crate) fn merge(&mut self, other: FigureDelta) {
        self.units.merge(other.units);
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
        self.units.prune();
        self.volumes.retain(|_, v| v.iter().any(|n| *n != 0));
        let measure_columns: Vec<&str> = MEASURES.iter().map(|m| m.column()).collect();
        let mut columns = vec!["day", "unit_id", "due"];
        columns.extend(&measure_columns);
        let rows = self
            .units
            .0
            .into_iter()
            .map(|((unit, day, due), tally)| {
                let mut row: Vec<Param> = vec![
                    day.to_string().into(),
                    unit.0.into(),
                    due.map_or(NO_DUE.to_string(), |d| d.to_string()).into(),
                ];
                row.extend(tally.iter().map(|n| Param::from(*n)));
                row
            })
            .collect();
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
                vec![
                    day.to_string().into(),
                    dim.into(),
                    grp.into(),
                    v[0].into(),
                    v[1].into(),
                    v[2].into(),
                ]
            })
            .collect();
        let counts = ["cases", "people", "collective"];
        insert_rows(
            conn,
            backend,
            "volume_figures",
            &["day", "dim", "grp", "cases", "people", "collective"],
            rows,
            &accumulate("volume_figures", "day, dim, grp", &counts),
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

/// Builds the read models from the cases when they are empty and there are cases: a database
/// from before they existed. Runs before the writer starts, so nothing is written meanwhile.
pub(crate) async fn build_if_missing(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let any = |sql: &'static str| async move {
        Ok::<bool, StoreError>(sqlx::query(sql).fetch_optional(pool).await?.is_some())
    };
    if any("SELECT 1 FROM unit_figures LIMIT 1").await?
        || !any("SELECT 1 FROM cases LIMIT 1").await?
    {
        return Ok(());
    }
    let started = std::time::Instant::now();
    let mut delta = FigureDelta::default();
    let mut n = 0u64;
    crate::stats::each_case(pool, None, |c| {
        delta.add(c, 1);
        n += 1;
    })
    .await?;
    let mut tx = pool.begin().await?;
    delta.write(&mut tx, backend).await?;
    tx.commit().await?;
    tracing::info!(
        cases = n,
        ms = started.elapsed().as_millis() as u64,
        "assessment figures built from the cases"
    );
    Ok(())
}

impl Store {
    /// Each unit's own counts for the period, as of today, from the read model.
    pub async fn assessment(&self, period: Period) -> Result<BTreeMap<UnitId, Counts>, StoreError> {
        let sums: Vec<String> = MEASURES
            .iter()
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
            for m in MEASURES {
                let n: i64 = r.try_get(m.column())?;
                m.add_to(counts, n.max(0) as u64, past);
            }
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
        let (sql, dim) = match by {
            VolumeBy::Unit => (
                "SELECT unit_id AS grp, CAST(SUM(cases) AS BIGINT) AS cases, \
                 CAST(SUM(people) AS BIGINT) AS people, CAST(SUM(collective) AS BIGINT) AS collective \
                 FROM unit_figures WHERE day >= $1 AND day <= $2 GROUP BY unit_id",
                "",
            ),
            VolumeBy::Channel => (VOLUME_SQL, "channel"),
            VolumeBy::Category => (VOLUME_SQL, "category"),
            VolumeBy::Region => (VOLUME_SQL, "region"),
        };
        let mut q = sqlx::query(sql)
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
            let v = Volume {
                cases: r.try_get::<i64, _>("cases")?.max(0) as u64,
                people: r.try_get::<i64, _>("people")?.max(0) as u64,
                collective: r.try_get::<i64, _>("collective")?.max(0) as u64,
            };
            if v.cases > 0 {
                let e = out.entry(key).or_default();
                e.cases += v.cases;
                e.people += v.people;
                e.collective += v.collective;
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

const VOLUME_SQL: &str = "SELECT grp, CAST(SUM(cases) AS BIGINT) AS cases, \
     CAST(SUM(people) AS BIGINT) AS people, CAST(SUM(collective) AS BIGINT) AS collective \
     FROM volume_figures WHERE day >= $1 AND day <= $2 AND dim = $3 GROUP BY grp";
