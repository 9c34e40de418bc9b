//! Read models: one case, its timeline, and filtered, paginated lists scoped to what the viewer may see.

use chrono::NaiveDate;
use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};
use xinfang_domain::access;
use xinfang_domain::deadline::Warning;
use xinfang_domain::vocab::PetitionClass;
use xinfang_domain::{Actor, Case, CaseId, CaseStatus, Channel, Event, UnitId, UnitPath};

use crate::personal::{CASE_SELECT, Lookup};
use crate::rows::{Param, bind};
use crate::{Store, StoreError};

pub const MAX_PER_PAGE: u32 = 100;
/// Subtrees of up to this many units are listed unit by unit (see [`Store::list_cases`]).
pub const FAN_OUT_UNITS: usize = 64;
/// The columns of a [`CaseSummary`] (the name is looked up apart).
const SUMMARY_COLUMNS: &str = "id, case_no, status, channel, category, title, is_report, class, \
     registered_on, responsible_unit, clock_step, clock_due, yellow_from";
/// Totals are counted up to this many; lists say "more than" beyond it.
pub const COUNT_CAP: i64 = 2_000;

/// How a list's subtree filter (`CaseFilter::unit`) is written.
#[derive(Clone, Copy)]
enum UnitTerm<'a> {
    /// A range on the responsible unit's path.
    Path,
    /// The subtree's units by id (the caller listed them).
    AnyOf(&'a [i64]),
    /// Not written: the caller adds one unit per query.
    Left,
}

#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub statuses: Vec<CaseStatus>,
    /// Cases whose responsible unit lies in this unit's subtree.
    pub unit: Option<UnitId>,
    /// Only cases waiting on exactly this unit (the unit's own worklist).
    pub waiting_on: Option<UnitId>,
    pub due_before: Option<NaiveDate>,
    pub warning: Option<Warning>,
    /// Only cases with a running clock (what someone must act on).
    pub open_only: bool,
    pub petitioner_phone: Option<String>,
    pub petitioner_name: Option<String>,
    pub petitioner_id_number: Option<String>,
    /// Only these cases (hits of a text search, the cases behind a figure).
    pub ids: Option<Vec<i64>>,
    pub channel: Option<xinfang_domain::Channel>,
    /// A category ("大类/小类") or a whole group ("大类").
    pub category: Option<String>,
    /// Only cases whose drafted opinion waits for sign-off.
    pub signoff: bool,
    /// Registered on or after / on or before.
    pub registered_from: Option<NaiveDate>,
    pub registered_to: Option<NaiveDate>,
    /// None: most urgent first for worklists (open, warning, due_before), else newest first.
    pub sort: Option<Sort>,
    pub page: u32,
    pub per_page: u32,
}

/// A column to order a case list by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Due,
    Registered,
    Title,
    Petitioner,
    Channel,
    Step,
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    pub const KEYS: [(&'static str, SortKey); 7] = [
        ("due", SortKey::Due),
        ("registered", SortKey::Registered),
        ("title", SortKey::Title),
        ("petitioner", SortKey::Petitioner),
        ("channel", SortKey::Channel),
        ("step", SortKey::Step),
        ("status", SortKey::Status),
    ];

    /// `due`, `-registered` (a leading minus for descending), …
    pub fn parse(s: &str) -> Option<Sort> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        Self::KEYS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, key)| Sort {
                key: *key,
                descending,
            })
    }

    pub fn code(&self) -> String {
        let name = Self::KEYS
            .iter()
            .find(|(_, k)| *k == self.key)
            .map(|(n, _)| *n)
            .unwrap_or("due");
        if self.descending {
            format!("-{name}")
        } else {
            name.to_string()
        }
    }

    /// ORDER BY for an explicit sort: cases without a running clock go last either way, and the
    /// case id breaks ties in the same direction.
    fn sql(&self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        let col = match self.key {
            SortKey::Due => {
                return format!(
                    "CASE WHEN clock_due IS NULL THEN 1 ELSE 0 END, clock_due {dir}, id {dir}"
                );
            }
            SortKey::Registered => return format!("id {dir}"),
            SortKey::Title => "title",
            // Names are kept encrypted: the order is by their keyed tag, which keeps each
            // person's cases together. A report's petitioner sorts as no name: its place in the
            // list must not hint at it. (An empty prefix of the tag is no bytes on either
            // database, as a blank name's tag is.)
            SortKey::Petitioner => {
                "CASE WHEN is_report = 1 THEN substr(name_tag, 1, 0) ELSE name_tag END"
            }
            SortKey::Channel => "channel",
            SortKey::Step => "clock_step",
            SortKey::Status => "status",
        };
        format!("{col} {dir}, id {dir}")
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseSummary {
    pub id: i64,
    pub case_no: String,
    pub status: CaseStatus,
    pub channel: Channel,
    pub category: String,
    pub title: String,
    pub petitioner_name: String,
    pub is_report: bool,
    pub class: PetitionClass,
    pub registered_on: String,
    pub responsible_unit: i64,
    pub step: Option<String>,
    pub due: Option<String>,
    pub warning: Option<Warning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    /// Matching rows, counted up to [`COUNT_CAP`].
    pub total: i64,
    pub total_capped: bool,
}

#[derive(Debug, Clone)]
pub struct TimelineEntry {
    pub seq: i64,
    pub event: Event,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub at: i64,
}

/// The placeholders of `values` (`$k, $k+1, …`), their parameters pushed.
fn int_list(values: &[i64], n: &mut usize, params: &mut Vec<Param>) -> String {
    let list: Vec<String> = values
        .iter()
        .map(|v| {
            params.push((*v).into());
            *n += 1;
            format!("${n}")
        })
        .collect();
    list.join(", ")
}

/// `col` lies under `path`: a range on the materialised path, which both databases index.
pub(crate) fn under(col: &str, n: &mut usize, params: &mut Vec<Param>, path: &UnitPath) -> String {
    let (low, high) = path.range();
    params.push(low.into());
    params.push(high.into());
    *n += 2;
    format!("({col} >= ${} AND {col} < ${})", *n - 1, *n)
}

impl Store {
    pub async fn case(&self, id: CaseId) -> Result<Option<Case>, StoreError> {
        let sql = format!("{CASE_SELECT} WHERE cases.id = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.case_of(&r)).transpose()
    }

    pub async fn case_by_query_code(&self, code: &str) -> Result<Option<Case>, StoreError> {
        let sql = format!("{CASE_SELECT} WHERE cases.query_code = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.case_of(&r)).transpose()
    }

    pub async fn case_by_no(&self, case_no: &str) -> Result<Option<Case>, StoreError> {
        let sql = format!("{CASE_SELECT} WHERE cases.case_no = $1");
        let row = sqlx::query(AssertSqlSafe(sql))
            .bind(case_no)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| self.case_of(&r)).transpose()
    }

    pub async fn timeline(&self, id: CaseId) -> Result<Vec<TimelineEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, payload, actor_kind, actor_id, unit_id, at FROM events WHERE case_id = $1 ORDER BY seq",
        )
        .bind(id.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TimelineEntry {
                    seq: r.try_get("seq")?,
                    event: serde_json::from_str(&crate::packed::column(r, "payload")?)?,
                    actor_kind: r.try_get("actor_kind")?,
                    actor_id: r.try_get("actor_id")?,
                    unit_id: r.try_get("unit_id")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Whether the viewer may see this case (see [`access::may_see_case`]).
    pub fn may_see(&self, actor: &Actor, case: &Case) -> bool {
        access::may_see_case(actor, case, &self.org())
    }

    /// Cases the viewer may see, filtered and paginated, most urgent first.
    pub async fn list_cases(
        &self,
        actor: &Actor,
        f: &CaseFilter,
    ) -> Result<Page<CaseSummary>, StoreError> {
        let today = self.clock().today();
        let per_page = f.per_page.clamp(1, MAX_PER_PAGE);
        let page = f.page.max(1);
        let offset = (page as u64 - 1) * per_page as u64;
        if let Some((units, order)) = self.fan_out(f)? {
            return self
                .list_fanned_out(actor, f, today, &units, order, per_page, page, offset)
                .await;
        }
        let (where_sql, params) = self.filter_sql(actor, f, today, false, UnitTerm::Path)?;
        let total = self.capped_count(&where_sql, params.clone()).await?;
        // When few rows match (the count stopped below its cap), find them through the filter's
        // index and sort them; when many match, walk the order's index and stop after a page, with
        // the path ranges kept off their index (hints for SQLite only).
        let dense = total > COUNT_CAP;
        let (where_sql, params) = if dense {
            self.filter_sql(actor, f, today, true, UnitTerm::Path)?
        } else {
            (where_sql, params)
        };
        let by_due = f.open_only || f.warning.is_some() || f.due_before.is_some();
        let plus = self.index_hint(!dense);
        let order = if let Some(sort) = f.sort {
            sort.sql()
        } else if by_due {
            format!("{plus}clock_due, {plus}id")
        } else {
            format!("{plus}id DESC")
        };
        let list_sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases {where_sql} \
             ORDER BY {order} LIMIT {per_page} OFFSET {offset}"
        );
        self.page_of(today, list_sql, params, page, per_page, total)
            .await
    }

    /// A subtree's list in an order that each of its units' indexes keeps (newest first, or
    /// most urgent first): the first rows of every unit, merged. Walking the city-wide order
    /// past other units' cases, or sorting up to [`COUNT_CAP`] rows, is what made subtree views
    /// slow; this reads at most a page's worth (times the page number) per unit.
    #[allow(clippy::too_many_arguments)]
    async fn list_fanned_out(
        &self,
        actor: &Actor,
        f: &CaseFilter,
        today: NaiveDate,
        units: &[i64],
        order: &str,
        per_page: u32,
        page: u32,
        offset: u64,
    ) -> Result<Page<CaseSummary>, StoreError> {
        let (where_sql, params) = self.filter_sql(actor, f, today, true, UnitTerm::AnyOf(units))?;
        let total = self.capped_count(&where_sql, params).await?;
        let (where_sql, mut params) = self.filter_sql(actor, f, today, true, UnitTerm::Left)?;
        let joiner = if where_sql.is_empty() { "WHERE" } else { "AND" };
        let each = offset + per_page as u64;
        let parts: Vec<String> = units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                params.push((*u).into());
                format!(
                    "SELECT * FROM (SELECT {SUMMARY_COLUMNS} FROM cases {where_sql} {joiner} \
                     responsible_unit = ${} ORDER BY {order} LIMIT {each}) AS u{i}",
                    params.len()
                )
            })
            .collect();
        let list_sql = format!(
            "SELECT * FROM ({}) AS merged ORDER BY {order} LIMIT {per_page} OFFSET {offset}",
            parts.join(" UNION ALL ")
        );
        self.page_of(today, list_sql, params, page, per_page, total)
            .await
    }

    /// Whether a list is answered unit by unit (see [`Store::list_fanned_out`]): a subtree of
    /// at most [`FAN_OUT_UNITS`] units, no condition that another index answers better, and an
    /// order that the per-unit indexes keep. The subtree's units, and that order.
    fn fan_out(&self, f: &CaseFilter) -> Result<Option<(Vec<i64>, &'static str)>, StoreError> {
        let Some(unit) = f.unit else {
            return Ok(None);
        };
        let narrower = !f.statuses.is_empty()
            || f.waiting_on.is_some()
            || f.petitioner_phone.is_some()
            || f.petitioner_name.is_some()
            || f.petitioner_id_number.is_some()
            || f.ids.is_some()
            || f.channel.is_some()
            || f.category.is_some()
            || f.signoff
            || f.registered_from.is_some()
            || f.registered_to.is_some();
        if narrower {
            return Ok(None);
        }
        let by_due = f.open_only || f.warning.is_some() || f.due_before.is_some();
        let order = match (f.sort, by_due) {
            (None, true) => "clock_due, id",
            (None, false) => "id DESC",
            (Some(s), _) if s.key == SortKey::Registered && s.descending => "id DESC",
            // Every row has a running clock here, so "no clock last" changes nothing.
            (Some(s), true) if s.key == SortKey::Due && !s.descending => "clock_due, id",
            _ => return Ok(None),
        };
        let org = self.org();
        let top = org.get(unit)?;
        let units: Vec<i64> = org
            .units()
            .filter(|u| top.covers(u))
            .map(|u| u.id.0)
            .collect();
        Ok((units.len() <= FAN_OUT_UNITS).then_some((units, order)))
    }

    /// Matching rows, counted up to one past [`COUNT_CAP`].
    async fn capped_count(&self, where_sql: &str, params: Vec<Param>) -> Result<i64, StoreError> {
        let count_sql = format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases {where_sql} LIMIT {}) t",
            COUNT_CAP + 1
        );
        Ok(bind(sqlx::query(AssertSqlSafe(count_sql)), params)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }

    /// Runs a list query of [`SUMMARY_COLUMNS`] and completes its rows with the names.
    async fn page_of(
        &self,
        today: NaiveDate,
        list_sql: String,
        params: Vec<Param>,
        page: u32,
        per_page: u32,
        total: i64,
    ) -> Result<Page<CaseSummary>, StoreError> {
        let rows = bind(sqlx::query(AssertSqlSafe(list_sql)), params)
            .fetch_all(&self.pool)
            .await?;
        let mut items = rows
            .iter()
            .map(|r| summary(r, today))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
        let mut names = crate::personal::names(&self.pool, &self.keys, &ids).await?;
        for i in &mut items {
            i.petitioner_name = names.remove(&i.id).unwrap_or_default();
        }
        Ok(Page {
            items,
            page,
            per_page,
            total: total.min(COUNT_CAP),
            total_capped: total > COUNT_CAP,
        })
    }

    /// SQLite's way to keep a column's index out of a plan; PostgreSQL has no unary `+` on text
    /// and plans by statistics, so it gets nothing.
    fn index_hint(&self, off: bool) -> &'static str {
        if off && self.backend == crate::Backend::Sqlite {
            "+"
        } else {
            ""
        }
    }

    /// The WHERE clause of a case list and its parameters; `off_index` keeps the unit-path ranges
    /// from being looked up by index (see [`Store::list_cases`]), `unit` says how the subtree
    /// filter is written.
    fn filter_sql(
        &self,
        actor: &Actor,
        f: &CaseFilter,
        today: NaiveDate,
        off_index: bool,
        unit: UnitTerm,
    ) -> Result<(String, Vec<Param>), StoreError> {
        let plus = self.index_hint(off_index);
        let mut params: Vec<Param> = Vec::new();
        let mut n = 0usize;
        let mut wheres: Vec<String> = Vec::new();
        if let Some(p) = access::case_scope(actor).path() {
            // The same units as `access::seen_from`: handling, responsible, and registering
            // (the last one not for reports).
            let [registered, handling, responsible] =
                ["registered_path", "handling_path", "responsible_path"]
                    .map(|c| under(&format!("{plus}{c}"), &mut n, &mut params, p));
            wheres.push(format!(
                "((is_report = 0 AND {registered}) OR {handling} OR {responsible})"
            ));
        }
        if let Some(u) = f.unit {
            match unit {
                UnitTerm::Path => {
                    let path = self.org().get(u)?.path.clone();
                    wheres.push(under(
                        &format!("{plus}responsible_path"),
                        &mut n,
                        &mut params,
                        &path,
                    ));
                }
                UnitTerm::AnyOf(units) => {
                    let list = int_list(units, &mut n, &mut params);
                    wheres.push(format!("responsible_unit IN ({list})"));
                }
                UnitTerm::Left => {}
            }
        }
        if let Some(u) = f.waiting_on {
            self.org().get(u)?;
            params.push(u.0.into());
            n += 1;
            wheres.push(format!("responsible_unit = ${n}"));
        }
        if !f.statuses.is_empty() {
            let list: Vec<String> = f
                .statuses
                .iter()
                .map(|s| {
                    params.push(s.code().into());
                    n += 1;
                    format!("${n}")
                })
                .collect();
            wheres.push(format!("status IN ({})", list.join(", ")));
        }
        let mut arg = |v: Param, params: &mut Vec<Param>| {
            params.push(v);
            n += 1;
            format!("${n}")
        };
        if f.open_only || f.warning.is_some() || f.due_before.is_some() {
            wheres.push("clock_due IS NOT NULL".into());
        }
        if let Some(d) = f.due_before {
            wheres.push(format!(
                "clock_due <= {}",
                arg(d.to_string().into(), &mut params)
            ));
        }
        match f.warning {
            Some(Warning::Red) => wheres.push(format!(
                "clock_due < {}",
                arg(today.to_string().into(), &mut params)
            )),
            Some(Warning::Yellow) => {
                let t = arg(today.to_string().into(), &mut params);
                wheres.push(format!("yellow_from <= {t} AND clock_due >= {t}"));
            }
            Some(Warning::Green) => wheres.push(format!(
                "yellow_from > {}",
                arg(today.to_string().into(), &mut params)
            )),
            None => {}
        }
        let mut by_identity = false;
        for (kind, v) in [
            (Lookup::Phone, &f.petitioner_phone),
            (Lookup::Name, &f.petitioner_name),
            (Lookup::IdNumber, &f.petitioner_id_number),
        ] {
            if let Some(v) = v {
                let tag = crate::personal::tag(&self.keys, kind, v);
                wheres.push(format!(
                    "{} = {}",
                    kind.column(),
                    arg(Param::Bytes(tag), &mut params)
                ));
                by_identity = true;
            }
        }
        // Who reported cannot be learnt by trying names and numbers.
        if by_identity && !access::identity_lookups_reach_reports(actor) {
            wheres.push("is_report = 0".into());
        }
        if f.signoff {
            wheres.push("signoff = 1".into());
        }
        if let Some(c) = f.channel {
            wheres.push(format!(
                "channel = {}",
                arg(c.code().to_string().into(), &mut params)
            ));
        }
        if let Some(c) = &f.category {
            let exact = arg(c.clone().into(), &mut params);
            let under = arg(format!("{c}/%").into(), &mut params);
            wheres.push(format!("(category = {exact} OR category LIKE {under})"));
        }
        if let Some(d) = f.registered_from {
            wheres.push(format!(
                "registered_on >= {}",
                arg(d.to_string().into(), &mut params)
            ));
        }
        if let Some(d) = f.registered_to {
            wheres.push(format!(
                "registered_on <= {}",
                arg(d.to_string().into(), &mut params)
            ));
        }
        if let Some(ids) = &f.ids {
            if ids.is_empty() {
                wheres.push("1 = 0".into());
            } else {
                let list = int_list(ids, &mut n, &mut params);
                wheres.push(format!("id IN ({list})"));
            }
        }
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", wheres.join(" AND "))
        };
        Ok((where_sql, params))
    }

    /// The summaries of those of `ids` the viewer may see, in the order of `ids` (hits of a
    /// search, the cases behind a figure); any number of ids, looked up a page at a time.
    pub async fn summaries_in_order(
        &self,
        actor: &Actor,
        ids: &[i64],
    ) -> Result<Vec<CaseSummary>, StoreError> {
        let mut by_id = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_PER_PAGE as usize) {
            let filter = CaseFilter {
                ids: Some(chunk.to_vec()),
                per_page: MAX_PER_PAGE,
                ..Default::default()
            };
            by_id.extend(
                self.list_cases(actor, &filter)
                    .await?
                    .items
                    .into_iter()
                    .map(|s| (s.id, s)),
            );
        }
        Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
    }

    /// Those of `ids` the viewer may see that pass the filter's conditions, in the order of
    /// `ids` (text-search hits narrowed by status, unit, channel, category or dates).
    pub async fn matching_in_order(
        &self,
        actor: &Actor,
        ids: &[i64],
        f: &CaseFilter,
    ) -> Result<Vec<i64>, StoreError> {
        let today = self.clock().today();
        let mut kept = std::collections::HashSet::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let filter = CaseFilter {
                ids: Some(chunk.to_vec()),
                ..f.clone()
            };
            let (where_sql, params) =
                self.filter_sql(actor, &filter, today, false, UnitTerm::Path)?;
            let sql = format!("SELECT id FROM cases {where_sql}");
            for r in bind(sqlx::query(AssertSqlSafe(sql)), params)
                .fetch_all(&self.pool)
                .await?
            {
                kept.insert(r.try_get::<i64, _>("id")?);
            }
        }
        Ok(ids.iter().copied().filter(|id| kept.contains(id)).collect())
    }

    /// The cases touched by events `after < seq <= upto` (their current state), for followers of
    /// the log.
    pub async fn cases_touched(&self, after: i64, upto: i64) -> Result<Vec<Case>, StoreError> {
        let sql = format!(
            "{CASE_SELECT} WHERE cases.id IN \
             (SELECT case_id FROM events WHERE seq > $1 AND seq <= $2 AND case_id IS NOT NULL)"
        );
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(after)
            .bind(upto)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| self.case_of(r)).collect()
    }

    /// The cases of `ids` that exist (at most 100 asked at once), in no particular order; the
    /// caller decides what the viewer may see of them.
    pub async fn cases_by_ids(&self, ids: &[i64]) -> Result<Vec<Case>, StoreError> {
        let ids = &ids[..ids.len().min(100)];
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{CASE_SELECT} WHERE cases.id IN ({})", marks.join(", "));
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.iter().map(|r| self.case_of(r)).collect()
    }

    /// Up to `limit` cases with ids above `after`, in id order (to rebuild what follows the log).
    pub async fn cases_after(&self, after: i64, limit: i64) -> Result<Vec<Case>, StoreError> {
        let sql = format!("{CASE_SELECT} WHERE cases.id > $1 ORDER BY cases.id LIMIT $2");
        let rows = sqlx::query(AssertSqlSafe(sql))
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| self.case_of(r)).collect()
    }

    /// The cases any of `conditions` selects (`$1` in one is `day`), once each, in id order. One
    /// query per condition, so that each walks its own index: joined by OR, SQLite scans the
    /// whole table.
    pub(crate) async fn cases_where_any(
        &self,
        conditions: &[&str],
        day: NaiveDate,
    ) -> Result<Vec<Case>, StoreError> {
        let mut by_id = std::collections::BTreeMap::new();
        for cond in conditions {
            let sql = format!("{CASE_SELECT} WHERE {cond}");
            let mut q = sqlx::query(AssertSqlSafe(sql));
            if cond.contains("$1") {
                q = q.bind(day.to_string());
            }
            let rows = q.fetch_all(&self.pool).await?;
            for r in rows {
                let id: i64 = r.try_get("id")?;
                if let std::collections::btree_map::Entry::Vacant(e) = by_id.entry(id) {
                    e.insert(self.case_of(&r)?);
                }
            }
        }
        Ok(by_id.into_values().collect())
    }

    pub async fn count_cases(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query("SELECT COUNT(*) AS n FROM cases")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?)
    }
}

fn colour(due: &str, yellow_from: &str, today: NaiveDate) -> Warning {
    let today = today.to_string();
    if today.as_str() > due {
        Warning::Red
    } else if today.as_str() >= yellow_from {
        Warning::Yellow
    } else {
        Warning::Green
    }
}

/// The case kept as JSON in the read model's `state` column, without its personal data (for
/// statistics and public feeds, which need none).
pub(crate) fn case_state(row: Option<sqlx::any::AnyRow>) -> Result<Option<Case>, StoreError> {
    row.map(|r| Ok(serde_json::from_str(&crate::packed::column(&r, "state")?)?))
        .transpose()
}

impl Store {
    /// A case from a row of [`CASE_SELECT`], with its personal data while processing it is
    /// allowed.
    pub(crate) fn case_of(&self, r: &sqlx::any::AnyRow) -> Result<Case, StoreError> {
        crate::personal::case_of(&self.keys, r)
    }
}

fn summary(r: &sqlx::any::AnyRow, today: NaiveDate) -> Result<CaseSummary, StoreError> {
    let due: Option<String> = r.try_get("clock_due")?;
    let yellow: Option<String> = r.try_get("yellow_from")?;
    let warning = match (&due, &yellow) {
        (Some(due), Some(y)) => Some(colour(due, y, today)),
        _ => None,
    };
    let status: String = r.try_get("status")?;
    let channel: String = r.try_get("channel")?;
    Ok(CaseSummary {
        id: r.try_get("id")?,
        case_no: r.try_get("case_no")?,
        status: CaseStatus::from_code(&status)
            .ok_or_else(|| StoreError::Corrupt(status.clone()))?,
        channel: Channel::from_code(&channel)
            .ok_or_else(|| StoreError::Corrupt(channel.clone()))?,
        category: r.try_get("category")?,
        title: r.try_get("title")?,
        petitioner_name: String::new(),
        is_report: r.try_get::<i64, _>("is_report")? != 0,
        class: {
            let class: String = r.try_get("class")?;
            PetitionClass::from_code(&class).ok_or(StoreError::Corrupt(class))?
        },
        registered_on: r.try_get("registered_on")?,
        responsible_unit: r.try_get("responsible_unit")?,
        step: r.try_get("clock_step")?,
        due,
        warning,
    })
}
