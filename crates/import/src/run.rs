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
use crate::read::Sheet;
use crate::row::{Defaults, Outcome, Problem, Reading};

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

/// The petition office whose register imported rows join: the top level's.
pub fn home_office(org: &OrgChart) -> Option<UnitId> {
    org.units()
        .filter(|u| u.kind == UnitKind::PetitionOffice && !u.external)
        .min_by_key(|u| u.depth())
        .map(|u| u.id)
}

/// Runs the import of `sheet` (reported as it goes through `progress(rows done, rows)`).
pub async fn run(
    store: &Store,
    sheet: &Sheet,
    mapping: &Mapping,
    tables: &Tables,
    opts: &Options<'_>,
    mut progress: impl FnMut(usize, usize),
) -> Result<Summary, ImportError> {
    let org = store.org();
    let calendar = store.calendar();
    let reading = Reading::new(sheet, mapping, tables, &org, opts.defaults);
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
    let mut seen: HashSet<String> = HashSet::new();
    let total = sheet.rows.len();
    for (done, chunk) in sheet.rows.chunks(BATCH).enumerate() {
        let mut rows = Vec::new();
        for (number, cells) in chunk {
            match reading.row(*number, cells, &mut summary.warnings) {
                Ok(Outcome::Consultation) => summary.consultations += 1,
                Ok(Outcome::Case(row)) => {
                    let k = key(row.source_id.as_deref(), cells);
                    if seen.insert(k.clone()) {
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
        let written = write(store, &cx, opts, &rows, &mut summary).await?;
        summary.imported += written;
        progress((done * BATCH + chunk.len()).min(total), total);
    }
    Ok(summary)
}

/// Builds a batch's cases (ids from the store's next one) and, unless a dry run, writes them;
/// a batch whose ids a registration took meanwhile is built again once with new ones.
async fn write(
    store: &Store,
    cx: &Context<'_>,
    opts: &Options<'_>,
    rows: &[(String, Box<crate::row::Row>)],
    summary: &mut Summary,
) -> Result<usize, ImportError> {
    for attempt in 0..3 {
        let mut next = store.next_case_id().await.map_err(store_error)?;
        let mut batch = Vec::new();
        let mut failures = Vec::new();
        let mut warnings = Vec::new();
        for (k, row) in rows {
            let allotted = xinfang_store::allot(next, row.received_at.date());
            match build::build(row, allotted, cx) {
                Ok(built) => {
                    next += 1;
                    warnings.extend(built.warnings.into_iter().map(|reason| Problem {
                        row: row.number,
                        column: "信访人".into(),
                        reason,
                    }));
                    let who = Who::Officer(opts.admin.clone());
                    let clock = store.clock();
                    let events = built
                        .events
                        .into_iter()
                        .map(|(e, at)| {
                            let minutes =
                                chrono::Timelike::num_seconds_from_midnight(&at.time()) / 60;
                            (e, who.clone(), clock.ms_at(at.date(), minutes))
                        })
                        .collect();
                    batch.push(ImportCase {
                        case: built.case,
                        events,
                        key: Some((opts.source.to_string(), k.clone())),
                    });
                }
                Err(reason) => failures.push(Problem {
                    row: row.number,
                    column: String::new(),
                    reason,
                }),
            }
        }
        let n = batch.len();
        if !opts.dry_run && !batch.is_empty() {
            match store.import(batch).await {
                Ok(()) => {}
                Err(StoreError::Conflict(_)) if attempt < 2 => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        summary.failed += failures.len();
        summary.failures.extend(failures);
        summary.warnings.extend(warnings);
        return Ok(n);
    }
    unreachable!("the loop returns on its last attempt")
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
