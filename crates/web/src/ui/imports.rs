//! 系统管理 → 导入: upload a register, pick its sheet, see the first rows under the guessed
//! mapping and change it, check it (dry run), import it with a progress bar, download the error
//! report; mappings are kept by name for next month's file.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_import::Target;
use xinfang_store::import_jobs::JobState;

use super::form::Submitted;
use super::form::Uploaded;
use super::frame::{Frame, error_page, frame, from_api, page_status};
use super::session::UiOfficer;
use crate::AppState;
use crate::app::imports::{self as app, Loaded, PreviewRow, Tally};
use crate::error::ApiError;

pub struct JobRow {
    pub id: i64,
    pub file_name: String,
    pub at: String,
    pub state: String,
}

fn state_label(job: &xinfang_store::import_jobs::ImportJob) -> String {
    let what = if job.dry_run { "试运行" } else { "导入" };
    match job.state {
        JobState::Ready => "待导入".into(),
        JobState::Running => format!("{what}中 {}/{}", job.done, job.total),
        JobState::Stopped => format!("{what}已中断（{}/{}）", job.done, job.total),
        JobState::Done => match app::tally(job) {
            Some(t) => format!(
                "{what}完成：{}{}，跳过 {}，出错 {}",
                if job.dry_run {
                    "可导入 "
                } else {
                    "已导入 "
                },
                t.imported,
                t.skipped + t.consultations,
                t.failed
            ),
            None => format!("{what}完成"),
        },
        JobState::Failed => format!("{what}失败"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "import_list.html")]
struct ListPage {
    frame: Frame,
    jobs: Vec<JobRow>,
    mappings: Vec<String>,
    max_mb: usize,
    error: Option<String>,
}

async fn render_list(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    let mappings = match app::mappings(state, &officer.actor).await {
        Ok(m) => m,
        Err(e) => return from_api(e),
    };
    let jobs = match state.store.import_jobs(30).await {
        Ok(j) => j,
        Err(e) => return from_api(e.into()),
    };
    let clock = state.store.clock();
    let page = ListPage {
        frame: frame(state, officer),
        jobs: jobs
            .iter()
            .map(|j| JobRow {
                id: j.id,
                file_name: j.file_name.clone(),
                at: clock.minute_of(j.created_at),
                state: state_label(j),
            })
            .collect(),
        mappings,
        max_mb: app::MAX_UPLOAD_BYTES / 1024 / 1024,
        error: error.clone(),
    };
    (page_status(&error), page).into_response()
}

pub async fn list(State(state): State<AppState>, officer: UiOfficer) -> Response {
    render_list(&state, &officer, None).await
}

/// The upload (multipart: `csrf`, `mapping`, `file`); the one-time token is in the address.
pub async fn upload(
    State(state): State<AppState>,
    officer: UiOfficer,
    multipart: Multipart,
) -> Response {
    let too_large = format!(
        "文件过大或上传中断（上限 {} MB）",
        app::MAX_UPLOAD_BYTES / 1024 / 1024
    );
    let mut form = match Uploaded::read(&officer, multipart, &too_large).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let mapping = form.text("mapping");
    let file = form.file("file");
    let (name, bytes) = file.unwrap_or_default();
    match app::upload(&state, &officer.actor, &name, bytes, Some(&mapping)).await {
        Ok(id) => Redirect::to(&format!("/admin/import/{id}")).into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN => from_api(e),
        Err(e) => render_list(&state, &officer, Some(e.message)).await,
    }
}

/// A column of the sheet with the field it serves.
pub struct ColumnChoice {
    pub header: String,
    pub field: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_job.html")]
struct JobPage {
    frame: Frame,
    id: i64,
    file_name: String,
    state: String,
    running: bool,
    stopped: bool,
    /// Percent done, for the bar.
    percent: i64,
    done: i64,
    total: i64,
    dry_run: bool,
    tally: Option<Tally>,
    failure: Option<String>,
    has_report: bool,
    /// Whether the file is still here to plan and run.
    has_file: bool,
    sheets: Vec<String>,
    sheet: String,
    columns: Vec<ColumnChoice>,
    targets: Vec<(&'static str, &'static str)>,
    rows: Vec<PreviewRow>,
    row_count: usize,
    missing: Vec<String>,
    absent: Vec<String>,
    values: String,
    save_as: String,
    error: Option<String>,
}

/// What the form carried when it is shown again after a refusal.
#[derive(Default)]
struct Typed {
    fields: Option<Vec<String>>,
    values: Option<String>,
    save_as: String,
}

async fn render_job(
    state: &AppState,
    officer: &UiOfficer,
    id: i64,
    typed: Typed,
    error: Option<String>,
) -> Response {
    // While the job runs its page refreshes each second with the progress alone: the file is
    // not read then.
    let loaded = match app::job(state, &officer.actor, id).await {
        Ok(job) if job.state == JobState::Running => Ok(Loaded { job, sheet: None }),
        Ok(_) => app::load(state, &officer.actor, id).await,
        Err(e) => Err(e),
    };
    let Loaded { job, sheet } = match loaded {
        Ok(l) => l,
        Err(e) => return from_api(e),
    };
    let mut page = JobPage {
        frame: frame(state, officer),
        id,
        file_name: job.file_name.clone(),
        state: state_label(&job),
        running: job.state == JobState::Running,
        stopped: job.state == JobState::Stopped,
        percent: (job.done * 100).checked_div(job.total).unwrap_or(0),
        done: job.done,
        total: job.total,
        dry_run: job.dry_run,
        tally: app::tally(&job),
        failure: (job.state == JobState::Failed).then(|| job.result.clone().unwrap_or_default()),
        has_report: job.has_report,
        has_file: sheet.is_some(),
        sheets: Vec::new(),
        sheet: String::new(),
        columns: Vec::new(),
        targets: Target::ALL.iter().map(|t| (t.code(), t.label())).collect(),
        rows: Vec::new(),
        row_count: 0,
        missing: Vec::new(),
        absent: Vec::new(),
        values: typed.values.unwrap_or_else(|| app::values_of(&job.mapping)),
        save_as: typed.save_as,
        error: error.clone(),
    };
    if let (Some(sheet), false) = (sheet, page.running) {
        let plan = match app::plan(&sheet, &job.mapping) {
            Ok(p) => p,
            Err(e) => return from_api(e),
        };
        page.columns = sheet
            .headers
            .iter()
            .enumerate()
            .map(|(i, h)| ColumnChoice {
                header: h.clone(),
                field: match &typed.fields {
                    Some(f) => f.get(i).cloned().unwrap_or_default(),
                    None => plan
                        .mapping
                        .columns
                        .iter()
                        .find(|(_, c)| **c == i)
                        .map(|(t, _)| t.code().to_string())
                        .unwrap_or_default(),
                },
            })
            .collect();
        match app::preview(state, &sheet, &plan) {
            Ok((rows, missing)) => {
                page.rows = rows;
                page.missing = missing;
            }
            Err(e) => page.error = Some(e.message),
        }
        page.absent = plan.absent;
        page.row_count = sheet.rows.len();
        page.sheet = sheet.name.clone();
        page.sheets = sheet.names;
    }
    (page_status(&page.error), page).into_response()
}

pub async fn job(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
) -> Response {
    render_job(&state, &officer, id, Typed::default(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct JobForm {
    /// The sheet the columns below belong to.
    shown_sheet: String,
    sheet: String,
    /// The field each column serves, in column order (empty: not imported).
    field: Vec<String>,
    values: String,
    save_as: String,
    /// `preview`, `dry_run` or `import`.
    action: String,
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<JobForm>,
) -> Response {
    let dry_run = match form.action.as_str() {
        "preview" => None,
        "dry_run" => Some(true),
        "import" => Some(false),
        _ => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "未知的操作"),
    };
    let typed = Typed {
        fields: Some(form.field.clone()),
        values: Some(form.values.clone()),
        save_as: form.save_as.clone(),
    };
    let done: Result<(), ApiError> = async {
        let Loaded { job, sheet } = app::load(&state, &officer.actor, id).await?;
        let sheet = sheet.ok_or_else(|| {
            ApiError::bad_request("file_gone", "文件已导入并删除，如需再次导入请重新上传")
        })?;
        let sheet_name = form.sheet.trim();
        if sheet_name != form.shown_sheet.trim() {
            if !sheet.names.iter().any(|n| n.trim() == sheet_name) {
                return Err(ApiError::bad_request(
                    "no_such_sheet",
                    "文件中没有这个工作表",
                ));
            }
            // Another sheet: its columns are guessed afresh; the value tables stay.
            let values = app::clean_values(&form.values)?;
            return app::set_plan(&state, &officer.actor, id, Some(sheet_name), &values).await;
        }
        let text = app::mapping_text(&sheet, &form.field, &form.values)?;
        app::set_plan(&state, &officer.actor, id, Some(&sheet.name), &text).await?;
        if !form.save_as.trim().is_empty() {
            app::save_mapping(&state, &officer.actor, &form.save_as, &text).await?;
        }
        if let Some(dry_run) = dry_run {
            app::start(&state, &officer.actor, &job, sheet, &text, dry_run).await?;
        }
        Ok(())
    }
    .await;
    match done {
        Ok(()) => Redirect::to(&format!("/admin/import/{id}")).into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN || e.status == StatusCode::NOT_FOUND => {
            from_api(e)
        }
        Err(e) => render_job(&state, &officer, id, typed, Some(e.message)).await,
    }
}

pub async fn report(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
) -> Response {
    match app::report_of(&state, &officer.actor, id).await {
        Ok(bytes) => super::frame::workbook(bytes, &format!("import-{id}-errors.xlsx")),
        Err(e) => from_api(e),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "import_org.html")]
struct OrgPage {
    frame: Frame,
    dry_run: bool,
    lines: Vec<String>,
    /// (file, problem) of each failing row.
    failures: Vec<(&'static str, xinfang_import::row::Problem)>,
    passwords: Vec<[String; 3]>,
    error: Option<String>,
}

fn org_page(state: &AppState, officer: &UiOfficer, error: Option<String>) -> OrgPage {
    OrgPage {
        frame: frame(state, officer),
        dry_run: false,
        lines: Vec::new(),
        failures: Vec::new(),
        passwords: Vec::new(),
        error,
    }
}

pub async fn org_form(State(state): State<AppState>, officer: UiOfficer) -> Response {
    if !officer.actor.has(xinfang_domain::Role::Admin) {
        return error_page(StatusCode::FORBIDDEN, "只有管理员可以导入数据");
    }
    org_page(&state, &officer, None).into_response()
}

/// The organisation's files (multipart: `csrf`, `units`, `people`, `action`), run at once.
pub async fn org_upload(
    State(state): State<AppState>,
    officer: UiOfficer,
    multipart: Multipart,
) -> Response {
    let mut form = match Uploaded::read(&officer, multipart, "文件过大或上传中断").await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let action = form.text("action");
    let units = form.file("units").map(|(_, b)| b);
    let people = form.file("people").map(|(_, b)| b);
    let dry_run = match action.as_str() {
        "dry_run" => true,
        "import" => false,
        _ => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "未知的操作"),
    };
    match app::import_org(&state, &officer.actor, units, people, dry_run).await {
        Ok(outcome) => {
            let mut page = org_page(&state, &officer, None);
            page.dry_run = dry_run;
            page.lines = [("单位", outcome.units), ("人员", outcome.people)]
                .into_iter()
                .filter_map(|(what, t)| {
                    t.map(|t| {
                        format!(
                            "{what}：新增 {}，已有（跳过）{}，出错 {}",
                            t.new, t.skipped, t.failed
                        )
                    })
                })
                .collect();
            page.failures = (outcome.unit_failures.into_iter().map(|p| ("单位表", p)))
                .chain(outcome.person_failures.into_iter().map(|p| ("人员表", p)))
                .collect();
            page.passwords = outcome.passwords;
            page.into_response()
        }
        Err(e) if e.status == StatusCode::FORBIDDEN => from_api(e),
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            org_page(&state, &officer, Some(e.message)),
        )
            .into_response(),
    }
}

/// The organisation as the files the import reads.
pub async fn org_export(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(file): Path<String>,
) -> Response {
    let units = match file.as_str() {
        "units.xlsx" => true,
        "people.xlsx" => false,
        _ => return error_page(StatusCode::NOT_FOUND, "没有这个文件"),
    };
    match app::export_org(&state, &officer.actor, units).await {
        Ok(bytes) => super::frame::workbook(bytes, &file),
        Err(e) => from_api(e),
    }
}
