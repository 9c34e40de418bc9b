//! An organisation's import run (`xinfang import-org` and 系统管理 → 导入组织机构): the planned
//! units added parents first, the new people with one-time passwords (to be changed at the
//! first login), what is there skipped; a dry run checks all of it and writes nothing.

use std::collections::HashSet;

use xinfang_domain::UnitId;
use xinfang_store::{Store, Who};

use crate::ImportError;
use crate::org::{UnitPlan, UnitRef, plan_units, read_people, read_units};
use crate::read::Sheet;
use crate::row::Problem;

/// New, skipped (there already) and failed rows of one file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub new: usize,
    pub skipped: usize,
    pub failed: usize,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct OrgOutcome {
    pub units: Option<Tally>,
    pub people: Option<Tally>,
    /// Each failing row of the units' file: row, column, reason.
    pub unit_failures: Vec<Problem>,
    /// Each failing row of the people's file.
    pub person_failures: Vec<Problem>,
    /// Username, name and one-time password of each person added.
    pub passwords: Vec<[String; 3]>,
}

impl OrgOutcome {
    /// Every failing row, the units' first.
    pub fn failures(&self) -> Vec<Problem> {
        self.unit_failures
            .iter()
            .chain(&self.person_failures)
            .cloned()
            .collect()
    }

    /// `units: new N, skipped S, failed F` and `people: …`, for the files given.
    pub fn lines(&self) -> Vec<String> {
        [("units", self.units), ("people", self.people)]
            .into_iter()
            .filter_map(|(what, t)| {
                t.map(|t| {
                    format!(
                        "{what}: new {}, skipped {}, failed {}",
                        t.new, t.skipped, t.failed
                    )
                })
            })
            .collect()
    }
}

fn problem(row: usize, column: &str, reason: impl Into<String>) -> Problem {
    Problem {
        row,
        column: column.into(),
        reason: reason.into(),
    }
}

fn store_error(e: xinfang_store::StoreError) -> ImportError {
    ImportError::Format(format!("写入数据库失败：{e}"))
}

/// Imports the units of `units` and the people of `people` (either may be absent).
pub async fn run(
    store: &Store,
    units: Option<&Sheet>,
    people: Option<&Sheet>,
    who: &Who,
    dry_run: bool,
) -> Result<OrgOutcome, ImportError> {
    let mut out = OrgOutcome::default();
    let (unit_rows, unit_problems) = match units {
        Some(s) => read_units(s)?,
        None => Default::default(),
    };
    let person_rows = people.map(read_people).transpose()?;
    let plan = plan_units(unit_rows, &store.org());
    if units.is_some() {
        out.units = Some(Tally {
            new: plan.create.len(),
            skipped: plan.existing,
            failed: unit_problems.len() + plan.problems.len(),
        });
    }
    out.unit_failures.extend(unit_problems);
    out.unit_failures.extend(plan.problems.iter().cloned());
    let created = if dry_run {
        Vec::new()
    } else {
        create_units(store, &plan, who).await?
    };
    let Some((rows, problems)) = person_rows else {
        return Ok(out);
    };
    let failed_rows: HashSet<usize> = problems.iter().map(|p| p.row).collect();
    let mut tally = Tally {
        failed: failed_rows.len(),
        ..Tally::default()
    };
    out.person_failures.extend(problems);
    let known: HashSet<String> = store
        .people()
        .await
        .map_err(store_error)?
        .into_iter()
        .map(|p| p.username)
        .collect();
    let mut in_file = HashSet::new();
    for row in rows {
        if known.contains(&row.username) {
            tally.skipped += 1;
            continue;
        }
        if !in_file.insert(row.username.clone()) {
            tally.failed += 1;
            out.person_failures
                .push(problem(row.number, "用户名", "用户名在文件中重复"));
            continue;
        }
        let unit = match plan.find(&row.unit) {
            Ok(UnitRef::Existing(id)) => Some(id),
            Ok(UnitRef::New(i)) => created.get(i).copied(),
            Err(e) => {
                tally.failed += 1;
                out.person_failures.push(problem(row.number, "单位", e));
                continue;
            }
        };
        tally.new += 1;
        // A dry run makes no unit and no person.
        let Some(unit) = unit.filter(|_| !dry_run) else {
            continue;
        };
        let password = xinfang_store::auth::new_one_time_password();
        let id = store
            .create_person(
                &row.username,
                &row.name,
                unit,
                &row.roles,
                xinfang_store::auth::hash_one_time(&password),
                who.clone(),
            )
            .await
            .map_err(|e| ImportError::Format(format!("第 {} 行：{e}", row.number)))?;
        store
            .require_password_change(id)
            .await
            .map_err(store_error)?;
        if let Some(phone) = &row.phone {
            store
                .set_person_phone(id.0, phone)
                .await
                .map_err(store_error)?;
        }
        out.passwords.push([row.username, row.name, password]);
    }
    out.people = Some(tally);
    Ok(out)
}

/// Adds the planned units, parents first; their ids in the plan's order.
async fn create_units(
    store: &Store,
    plan: &UnitPlan,
    who: &Who,
) -> Result<Vec<UnitId>, ImportError> {
    let mut ids: Vec<UnitId> = Vec::with_capacity(plan.create.len());
    for (row, parent) in &plan.create {
        let parent = parent.map(|p| match p {
            UnitRef::Existing(id) => id,
            UnitRef::New(i) => ids[i],
        });
        let id = store
            .create_unit(parent, &row.name, row.kind, who.clone())
            .await
            .map_err(|e| {
                ImportError::Format(format!("第 {} 行（{}）：{e}", row.number, row.name))
            })?;
        if row.short_name.is_some() || row.region.is_some() {
            store
                .set_unit_details(id.0, row.short_name.as_deref(), row.region.as_deref())
                .await
                .map_err(store_error)?;
        }
        ids.push(id);
    }
    Ok(ids)
}
