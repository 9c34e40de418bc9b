//! Imports from the administration page (#17): a register uploaded, its sheet and mapping chosen
//! against a preview, checked (dry run) and imported in the background, with progress that any
//! server process can show. The importer is the CLI's; this keeps the job around it.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use xinfang_domain::{Actor, Channel, Role};
use xinfang_import::fields::{Mapping, Plan, Target, values_part};
use xinfang_import::read::{Sheet, read_bytes};
use xinfang_import::row::{Defaults, Outcome, Reading};
use xinfang_import::run::{Options, home_office, report, run};
use xinfang_store::import_jobs::{ImportJob, JobState};

use crate::AppState;
use crate::error::ApiError;

/// Largest register uploaded through the page (the CLI takes larger ones).
pub const MAX_UPLOAD_BYTES: usize = 50 * 1024 * 1024;

/// Rows shown under the mapping before anything is imported.
pub const PREVIEW_ROWS: usize = 20;

/// How often a running import records its progress (and that it is alive).
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// What a finished run did, kept with the job.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tally {
    pub rows: usize,
    pub imported: usize,
    pub skipped: usize,
    pub consultations: usize,
    pub failed: usize,
    pub warnings: usize,
    pub seconds: f64,
    /// `imported N, skipped S, failed F`, as the CLI ends.
    pub line: String,
}

fn require_admin(actor: &Actor) -> Result<(), ApiError> {
    if actor.has(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::forbidden("只有管理员可以导入数据"))
    }
}

fn unreadable(e: xinfang_import::ImportError) -> ApiError {
    ApiError::bad_request("import_unreadable", e.to_string())
}

/// Keeps an uploaded register as a job (refused, and nothing kept, when it cannot be read), with
/// the mapping kept under `mapping_name` when one is chosen.
pub async fn upload(
    state: &AppState,
    actor: &Actor,
    file_name: &str,
    bytes: Vec<u8>,
    mapping_name: Option<&str>,
) -> Result<i64, ApiError> {
    require_admin(actor)?;
    if bytes.is_empty() {
        return Err(ApiError::bad_request("empty_file", "请选择要导入的文件"));
    }
    let mapping = match mapping_name.map(str::trim).filter(|n| !n.is_empty()) {
        None => String::new(),
        Some(name) => state
            .store
            .import_mappings()
            .await?
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, m)| m)
            .ok_or_else(|| ApiError::bad_request("no_such_mapping", "没有这个已保存的映射"))?,
    };
    let sheet = read_bytes(bytes.clone(), None).map_err(unreadable)?;
    let name = file_name.trim();
    let name = if name.is_empty() {
        "导入文件"
    } else {
        name
    };
    let id = state
        .store
        .create_import_job(actor.person.0, name, &bytes)
        .await?;
    if !mapping.is_empty() {
        let sheet_name = Some(sheet.name.as_str());
        state
            .store
            .plan_import_job(id, sheet_name, &mapping)
            .await?;
    }
    Ok(id)
}

/// A job as it stands, without its file (what a running job's page shows).
pub async fn job(state: &AppState, actor: &Actor, id: i64) -> Result<ImportJob, ApiError> {
    require_admin(actor)?;
    state
        .store
        .import_job(id)
        .await?
        .ok_or_else(|| ApiError::not_found("导入任务"))
}

/// A job with its file read at the chosen sheet (none once the file is dropped).
pub struct Loaded {
    pub job: ImportJob,
    pub sheet: Option<Sheet>,
}

pub async fn load(state: &AppState, actor: &Actor, id: i64) -> Result<Loaded, ApiError> {
    let job = job(state, actor, id).await?;
    let sheet = match state.store.import_file(id).await? {
        None => None,
        Some(bytes) => Some(read_bytes(bytes, job.sheet.as_deref()).map_err(unreadable)?),
    };
    Ok(Loaded { job, sheet })
}

/// The plan a mapping file's text gives for the sheet (headers it names that the sheet lacks
/// are listed, not refused: last month's mapping on this month's file).
pub fn plan(sheet: &Sheet, mapping: &str) -> Result<Plan, ApiError> {
    Plan::read(&sheet.headers, mapping, false)
        .map_err(|e| ApiError::bad_request("bad_mapping", e.to_string()))
}

/// The mapping file's text for columns chosen on the page (`fields[i]`: the field column `i`
/// serves, or empty) with the value tables as typed.
pub fn mapping_text(sheet: &Sheet, fields: &[String], values: &str) -> Result<String, ApiError> {
    let mut mapping = Mapping::default();
    for (column, code) in fields.iter().enumerate().take(sheet.headers.len()) {
        if code.trim().is_empty() {
            continue;
        }
        let target = Target::from_code(code)
            .ok_or_else(|| ApiError::bad_request("bad_mapping", format!("未知字段“{code}”")))?;
        if let Some(other) = mapping.columns.insert(target, column) {
            return Err(ApiError::bad_request(
                "bad_mapping",
                format!(
                    "“{}”同时选给了第 {} 列和第 {} 列，一个字段只能取一列",
                    target.label(),
                    other + 1,
                    column + 1
                ),
            ));
        }
    }
    let text = format!(
        "{}\n{}",
        mapping.to_toml(&sheet.headers),
        clean_values(values)?
    );
    // Refused here with the reason, not at the run.
    Plan::read(&sheet.headers, &text, true)
        .map_err(|e| ApiError::bad_request("bad_mapping", e.to_string()))?;
    Ok(text)
}

/// The value tables as typed, checked (TOML, `[values.…]` only; a `[columns]` typed there is
/// dropped: the columns come from the page's choices).
pub fn clean_values(values: &str) -> Result<String, ApiError> {
    values_part(values).map_err(|e| ApiError::bad_request("bad_mapping", e.to_string()))
}

/// The value tables of a mapping file, as the page's text box shows them.
pub fn values_of(mapping: &str) -> String {
    values_part(mapping).unwrap_or_default()
}

fn defaults(state: &AppState) -> Result<Defaults, ApiError> {
    let office = home_office(&state.store.org())
        .ok_or_else(|| ApiError::bad_request("no_office", "没有信访部门：请先建立单位"))?;
    Ok(Defaults {
        channel: Channel::Online,
        unit: office,
    })
}

/// A row of the preview: its cells and what the import would make of it.
pub struct PreviewRow {
    pub number: usize,
    pub cells: Vec<String>,
    pub ok: bool,
    pub verdict: String,
}

/// The first rows read with the plan, and what the mapping lacks that every row needs.
pub fn preview(
    state: &AppState,
    sheet: &Sheet,
    plan: &Plan,
) -> Result<(Vec<PreviewRow>, Vec<String>), ApiError> {
    let org = state.store.org();
    let reading = Reading::new(sheet, &plan.mapping, &plan.tables, &org, defaults(state)?);
    let missing = reading.missing();
    let rows = sheet
        .rows
        .iter()
        .take(PREVIEW_ROWS)
        .map(|(number, cells)| {
            let mut warnings = Vec::new();
            let (ok, verdict) = if !missing.is_empty() {
                (false, "映射不完整".to_string())
            } else {
                match reading.row(*number, cells, &mut warnings) {
                    Ok(Outcome::Case(_)) if warnings.is_empty() => (true, "可导入".into()),
                    Ok(Outcome::Case(_)) => (true, reasons("可导入；", &warnings)),
                    Ok(Outcome::Consultation) => (true, "咨询，不作为信访事项导入".into()),
                    Err(problems) => (false, reasons("", &problems)),
                }
            };
            PreviewRow {
                number: *number,
                cells: cells.clone(),
                ok,
                verdict,
            }
        })
        .collect();
    Ok((rows, missing))
}

fn reasons(lead: &str, problems: &[xinfang_import::row::Problem]) -> String {
    let list: Vec<String> = problems
        .iter()
        .map(|p| format!("{}：{}", p.column, p.reason))
        .collect();
    format!("{lead}{}", list.join("；"))
}

/// Records the sheet and mapping chosen for the job.
pub async fn set_plan(
    state: &AppState,
    actor: &Actor,
    id: i64,
    sheet: Option<&str>,
    mapping: &str,
) -> Result<(), ApiError> {
    require_admin(actor)?;
    if state.store.plan_import_job(id, sheet, mapping).await? {
        Ok(())
    } else {
        Err(running())
    }
}

fn running() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::CONFLICT,
        "import_running",
        "导入正在进行，请等它结束",
    )
}

/// Keeps the mapping under `name` for next month's file.
pub async fn save_mapping(
    state: &AppState,
    actor: &Actor,
    name: &str,
    mapping: &str,
) -> Result<(), ApiError> {
    require_admin(actor)?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 40 {
        return Err(ApiError::bad_request(
            "bad_mapping_name",
            "映射名称应为1至40个字",
        ));
    }
    Ok(state.store.save_import_mapping(name, mapping).await?)
}

/// Starts the job's run (a dry run writes nothing) in the background on its sheet, read by the
/// caller, with the mapping just planned: refused when the mapping lacks what every row needs or
/// the job runs already. A run stopped with its process is started again the same way; the rows
/// it wrote are skipped.
pub async fn start(
    state: &AppState,
    actor: &Actor,
    job: &ImportJob,
    sheet: Sheet,
    mapping: &str,
    dry_run: bool,
) -> Result<(), ApiError> {
    require_admin(actor)?;
    let id = job.id;
    let plan = plan(&sheet, mapping)?;
    let defaults = defaults(state)?;
    let org = state.store.org();
    let missing = Reading::new(&sheet, &plan.mapping, &plan.tables, &org, defaults).missing();
    if !missing.is_empty() {
        return Err(ApiError::bad_request(
            "mapping_incomplete",
            format!("映射不完整：{}", missing.join("；")),
        ));
    }
    if !state
        .store
        .start_import_job(id, dry_run, sheet.rows.len() as i64)
        .await?
    {
        return Err(running());
    }
    let store = state.store.clone();
    let admin = actor.clone();
    let source = job.file_name.clone();
    tokio::spawn(async move {
        let (tx, mut rx) = tokio::sync::watch::channel(0usize);
        let ticker = {
            let store = store.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(PROGRESS_EVERY);
                loop {
                    tick.tick().await;
                    let done = *rx.borrow_and_update();
                    if let Err(e) = store.import_job_progress(id, done as i64).await {
                        tracing::warn!(error = %e, "recording import progress failed");
                    }
                }
            })
        };
        let started = std::time::Instant::now();
        let opts = Options {
            source: &source,
            admin: &admin,
            office: defaults.unit,
            defaults,
            dry_run,
        };
        let rows = sheet.rows.len();
        let table = xinfang_import::Table::from(sheet);
        let outcome = run(
            &store,
            &table,
            &plan.mapping,
            &plan.tables,
            &opts,
            |done, _| {
                tx.send_replace(done);
            },
        )
        .await;
        ticker.abort();
        let finished = match outcome {
            Ok(summary) => {
                let tally = Tally {
                    rows,
                    imported: summary.imported,
                    skipped: summary.skipped,
                    consultations: summary.consultations,
                    failed: summary.failed,
                    warnings: summary.warnings.len(),
                    seconds: started.elapsed().as_secs_f64(),
                    line: summary.line(),
                };
                let report = (!summary.failures.is_empty() || !summary.warnings.is_empty())
                    .then(|| report(&summary).ok())
                    .flatten();
                let result = serde_json::to_string(&tally).unwrap_or_default();
                store
                    .finish_import_job(id, true, &result, report.as_deref(), !dry_run)
                    .await
            }
            Err(e) => {
                store
                    .finish_import_job(id, false, &e.to_string(), None, false)
                    .await
            }
        };
        if let Err(e) = finished {
            tracing::warn!(error = %e, job = id, "recording the end of an import failed");
        }
    });
    Ok(())
}

/// The outcome of a finished job, when it finished well.
pub fn tally(job: &ImportJob) -> Option<Tally> {
    (job.state == JobState::Done)
        .then_some(job.result.as_deref())
        .flatten()
        .and_then(|r| serde_json::from_str(r).ok())
}

/// The error report of a finished run.
pub async fn report_of(state: &AppState, actor: &Actor, id: i64) -> Result<Vec<u8>, ApiError> {
    require_admin(actor)?;
    state
        .store
        .import_report(id)
        .await?
        .ok_or_else(|| ApiError::not_found("错误报告"))
}

/// The mappings kept by name.
pub async fn mappings(state: &AppState, actor: &Actor) -> Result<Vec<String>, ApiError> {
    require_admin(actor)?;
    Ok(state
        .store
        .import_mappings()
        .await?
        .into_iter()
        .map(|(n, _)| n)
        .collect())
}

/// The organisation's files from the page: the units and people (either may be absent), run as
/// `xinfang import-org` runs them, by this administrator.
pub async fn import_org(
    state: &AppState,
    actor: &Actor,
    units: Option<Vec<u8>>,
    people: Option<Vec<u8>>,
    dry_run: bool,
) -> Result<xinfang_import::org_run::OrgOutcome, ApiError> {
    require_admin(actor)?;
    if units.is_none() && people.is_none() {
        return Err(ApiError::bad_request(
            "empty_file",
            "请选择单位表或人员表（或两者）",
        ));
    }
    let read = |b: Option<Vec<u8>>| b.map(|b| read_bytes(b, None)).transpose();
    let units = read(units).map_err(unreadable)?;
    let people = read(people).map_err(unreadable)?;
    let who = xinfang_store::Who::Officer(actor.clone());
    xinfang_import::org_run::run(&state.store, units.as_ref(), people.as_ref(), &who, dry_run)
        .await
        .map_err(unreadable)
}

/// The organisation as the files `import-org` reads: the units' (`units`) or the people's.
pub async fn export_org(state: &AppState, actor: &Actor, units: bool) -> Result<Vec<u8>, ApiError> {
    use xinfang_import::org::{PERSON_HEADERS, UNIT_HEADERS, export_rows};
    require_admin(actor)?;
    let details = state.store.unit_details().await?;
    let phones = state.store.person_phones().await?;
    let people = state.store.people().await?;
    let (unit_rows, person_rows) = export_rows(&state.store.org(), &details, &phones, &people);
    let written = if units {
        xinfang_import::exchange::table_xlsx("单位", &UNIT_HEADERS, &unit_rows)
    } else {
        xinfang_import::exchange::table_xlsx("人员", &PERSON_HEADERS, &person_rows)
    };
    written.map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        )
    })
}
