//! An import run: every row read, checked and built; in a real run written in batches with the
//! key of each row, so that a second run (or a run resumed after a stop) imports nothing twice.

use std::collections::HashSet;

use sha2::{Digest, Sha256};
use xinfang_domain::{Actor, OrgChart, UnitId, UnitKind};
use xinfang_store::{ImportCase, Store, StoreError, Who};

use crate::ImportError;
use crate::build::{self, Context};
use crate::fields::Mapping;
use crate::normalise::Tables;
use crate::row::{Defaults, Orders, Outcome, Problem, Reading};
use crate::stream::Table;

/// Rows built and written together.
pub const BATCH: usize = 1_000;

pub struct Options<'a> {
    /// The source's name (the file's), with the row keys it scopes.
    pub source: &'a str,
    pub admin: &'a Actor,
    /// The petition office whose register the rows join.
    pub office: UnitId,
    pub defaults: Defaults,
    pub dry_run: bool,
}

/// What a run did.
#[derive(Debug, Default)]
pub struct Summary {
    pub imported: usize,
    /// Imported before (by source id or the row's digest), or twice in the file.
    pub skipped: usize,
    /// 咨询 rows: answered on the line, not petitions.
    pub consultations: usize,
    pub failed: usize,
    /// Each failing row's problems (row, column, reason).
    pub failures: Vec<Problem>,
    /// What was guessed or left out, row by row.
    pub warnings: Vec<Problem>,
}

impl Summary {
    /// The line the CLI ends with.
    pub fn line(&self) -> String {
        format!(
            "imported {}, skipped {}, failed {}",
            self.imported,
            self.skipped + self.consultations,
            self.failed
        )
    }
}

/// The key of a row within its source: its id there, or a digest of its cells.
fn key(source_id: Option<&str>, cells: &[String]) -> String {
    match source_id {
        Some(id) => format!("id:{id}"),
        None => {
            let mut h = Sha256::new();
            for c in cells {
                h.update(c.trim().as_bytes());
                h.update([0x1f]);
            }
            format!("row:{}", hex::encode(&h.finalize()[..16]))
        }
    }
}

fn digest(key: &str) -> u128 {
    let hash = Sha256::digest(key.as_bytes());
    u128::from_le_bytes(hash[..16].try_into().expect("16 bytes"))
}

/// The petition office whose register imported rows join: the top level's.
pub fn home_office(org: &OrgChart) -> Option<UnitId> {
    org.units()
        .filter(|u| u.kind == UnitKind::PetitionOffice && !u.external)
        .min_by_key(|u| u.depth())
        .map(|u| u.id)
}

/// Runs the import of `table` (reported as it goes through `progress(rows done, rows)`): a
/// first pass learns how each date column writes its days and counts the rows, the second
/// reads, checks and writes them a batch at a time.
pub async fn run(
    store: &Store,
    table: &Table,
    mapping: &Mapping,
    tables: &Tables,
    opts: &Options<'_>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Summary, ImportError> {
    let org = store.org();
    let calendar = store.calendar();
    let mut orders = Orders::default();
    let mut total = 0;
    let mut pass = table.rows();
    while let Some(chunk) = pass.next().await? {
        total += chunk.len();
        for (_, cells) in &chunk {
            orders.see(mapping, cells);
        }
    }
    let reading =
        Reading::with_orders(&table.headers, orders, mapping, tables, &org, opts.defaults);
    let missing = reading.missing();
    if !missing.is_empty() {
        return Err(ImportError::Mapping(missing.join("；")));
    }
    let cx = Context {
        org: &org,
        calendar: &calendar,
        policy: store.policy(),
        admin: opts.admin,
        office: opts.office,
        source: opts.source,
        today: store.clock().today(),
    };
    let mut summary = Summary::default();
    // Rows met in this run, by a digest of their key (16 bytes a row however long the file).
    let mut seen: HashSet<u128> = HashSet::new();
    let mut done = 0;
    let mut pass = table.rows();
    let mut pending: Vec<(usize, Vec<String>)> = Vec::new();
    let mut writing: Option<Writing> = None;
    loop {
        let more = pass.next().await?;
        let ended = more.is_none();
        pending.extend(more.unwrap_or_default());
        if pending.len() < BATCH && !ended {
            continue;
        }
        let take = pending.len().min(BATCH);
        let chunk: Vec<_> = pending.drain(..take).collect();
        let mut rows = Vec::new();
        for (number, cells) in &chunk {
            match reading.row(*number, cells, &mut summary.warnings) {
                Ok(Outcome::Consultation) => summary.consultations += 1,
                Ok(Outcome::Case(row)) => {
                    let k = key(row.source_id.as_deref(), cells);
                    if seen.insert(digest(&k)) {
                        rows.push((k, row));
                    } else {
                        summary.skipped += 1;
                    }
                }
                Err(problems) => {
                    summary.failed += 1;
                    summary.failures.extend(problems);
                }
            }
        }
        let keys: Vec<String> = rows.iter().map(|(k, _)| k.clone()).collect();
        let before = store
            .imported_keys(opts.source, &keys)
            .await
            .map_err(store_error)?;
        rows.retain(|(k, _)| !before.contains(k));
        summary.skipped += keys.len() - rows.len();
        let batch = build_batch(store, &cx, opts, &rows, &mut summary).await?;
        done += chunk.len();
        // The batch before was written while this one was built (its ids reserved apart):
        // one batch in flight at most, finished in order.
        if let Some(before) = writing.take() {
            before.finish(&mut summary, &mut progress, total).await?;
        }
        if opts.dry_run || batch.is_empty() {
            summary.imported += batch.len();
            progress(done.min(total), total);
        } else {
            let (store, cases) = (store.clone(), batch.len());
            writing = Some(Writing {
                task: tokio::spawn(async move { store.import(batch).await }),
                cases,
                done,
            });
        }
        if ended && pending.is_empty() {
            if let Some(last) = writing.take() {
                last.finish(&mut summary, &mut progress, total).await?;
            }
            return Ok(summary);
        }
    }
}

/// A batch being written.
struct Writing {
    task: tokio::task::JoinHandle<Result<(), StoreError>>,
    cases: usize,
    /// The rows read up to the end of the batch.
    done: usize,
}

impl Writing {
    async fn finish(
        self,
        summary: &mut Summary,
        progress: &mut impl FnMut(usize, usize),
        total: usize,
    ) -> Result<(), ImportError> {
        self.task
            .await
            .map_err(|e| ImportError::Format(format!("写入数据库失败：{e}")))?
            .map_err(store_error)?;
        summary.imported += self.cases;
        progress(self.done.min(total), total);
        Ok(())
    }
}

/// Builds a batch's cases. A real run reserves the batch's ids from the writer first, so that
/// registrations going on meanwhile (in the server while the CLI imports, or on the admin
/// page) and the batch still being written never take one; a dry run counts from the next id.
async fn build_batch(
    store: &Store,
    cx: &Context<'_>,
    opts: &Options<'_>,
    rows: &[(String, Box<crate::row::Row>)],
    summary: &mut Summary,
) -> Result<Vec<ImportCase>, ImportError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let who = Who::Officer(opts.admin.clone());
    let mut next = if opts.dry_run {
        store.next_case_id().await
    } else {
        let count = u32::try_from(rows.len()).expect("a batch is small");
        store
            .reserve_case_ids(count, opts.source, who.clone())
            .await
    }
    .map_err(store_error)?;
    let clock = store.clock();
    let mut batch = Vec::new();
    for (k, row) in rows {
        let allotted = xinfang_store::allot(next, row.received_at.date());
        match build::build(row, allotted, cx) {
            Ok(built) => {
                next += 1;
                summary
                    .warnings
                    .extend(built.warnings.into_iter().map(|reason| Problem {
                        row: row.number,
                        column: "信访人".into(),
                        reason,
                    }));
                let events = built
                    .events
                    .into_iter()
                    .map(|(e, at)| {
                        let minutes = chrono::Timelike::num_seconds_from_midnight(&at.time()) / 60;
                        (e, who.clone(), clock.ms_at(at.date(), minutes))
                    })
                    .collect();
                batch.push(ImportCase {
                    case: built.case,
                    events,
                    key: Some((opts.source.to_string(), k.clone())),
                });
            }
            Err(reason) => {
                summary.failed += 1;
                summary.failures.push(Problem {
                    row: row.number,
                    column: String::new(),
                    reason,
                });
            }
        }
    }
    Ok(batch)
}

fn store_error(e: StoreError) -> ImportError {
    ImportError::Format(format!("写入数据库失败：{e}"))
}

/// The error report: each failing row with its row number, column and reason, then the warnings.
pub fn report(summary: &Summary) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for (name, problems) in [("错误", &summary.failures), ("提示", &summary.warnings)] {
        let sheet = book.add_worksheet().set_name(name)?;
        for (c, h) in ["行号", "列", "原因"].iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (i, p) in problems.iter().enumerate() {
            let r = 1 + i as u32;
            sheet.write_number(r, 0, p.row as f64)?;
            sheet.write_string(r, 1, &p.column)?;
            sheet.write_string(r, 2, &p.reason)?;
        }
        sheet.set_column_width(1, 16)?;
        sheet.set_column_width(2, 60)?;
    }
    book.save_to_buffer()
}
