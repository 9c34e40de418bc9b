//! 派单目录 as administrators keep it (see [`xinfang_domain::dispatch`]): the rules, and the
//! catalogue as a workbook out and back in. An imported workbook is checked whole before any
//! rule is written: a file with one bad row changes nothing.

use rust_xlsxwriter::{Format, Workbook};
use xinfang_domain::dispatch::{self, DispatchRule, DispatchRuleCommand, DispatchRuleInput};
use xinfang_domain::{Actor, DispatchRuleId, OrgChart, UnitId};
use xinfang_import::org::{UnitPlan, UnitRef, cell_name, plan_units};

use super::org::admin;
use super::records;
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// The workbook's columns, in order.
pub const COLUMNS: [&str; 11] = [
    "编号",
    "事项名称",
    "分类",
    "地区",
    "关键词",
    "承办单位",
    "优先级",
    "生效日期",
    "失效日期",
    "法律依据",
    "状态",
];
/// Rows an imported workbook may hold.
pub const MAX_ROWS: usize = 5_000;
const ACTIVE: &str = "启用";
const STOPPED: &str = "停用";

/// Every rule, in force or stopped, oldest first (every officer may read the catalogue).
pub async fn list(state: &AppState) -> ApiResult<Vec<DispatchRule>> {
    Ok(state.store.all::<DispatchRule>(None).await?)
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: DispatchRuleInput,
) -> ApiResult<DispatchRule> {
    records::create(state, actor, input).await
}

pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: DispatchRuleId,
    cmd: DispatchRuleCommand,
) -> ApiResult<DispatchRule> {
    records::act(state, actor, id, cmd).await
}

/// The units of a rule as the import reads them back ([`cell_name`]).
fn unit_names(org: &OrgChart, units: &[UnitId]) -> String {
    units
        .iter()
        .map(|u| {
            org.get(*u)
                .map_or_else(|_| u.0.to_string(), |u| cell_name(org, u))
        })
        .collect::<Vec<_>>()
        .join("、")
}

/// The catalogue as a workbook, the columns [`COLUMNS`] (administrators).
pub async fn export(state: &AppState, actor: &Actor) -> ApiResult<Vec<u8>> {
    admin(actor)?;
    let rules = list(state).await?;
    let org = state.store.org();
    let bad = |e: rust_xlsxwriter::XlsxError| {
        ApiError::new(
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "export_failed",
            format!("生成工作簿失败：{e}"),
        )
    };
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("派单目录").map_err(bad)?;
    for (col, h) in COLUMNS.iter().enumerate() {
        sheet
            .write_string_with_format(0, col as u16, *h, &bold)
            .map_err(bad)?;
    }
    for (i, r) in rules.iter().enumerate() {
        let row = 1 + i as u32;
        let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        let cells = [
            r.id.0.to_string(),
            r.name.clone(),
            r.category.clone().unwrap_or_default(),
            r.region.clone().unwrap_or_default(),
            r.keywords.join("、"),
            unit_names(&org, &r.units),
            r.priority.to_string(),
            date(r.valid_from),
            date(r.valid_to),
            r.basis.clone(),
            if r.active { ACTIVE } else { STOPPED }.to_string(),
        ];
        for (col, v) in cells.iter().enumerate() {
            sheet.write_string(row, col as u16, v).map_err(bad)?;
        }
    }
    sheet.set_column_width(1, 24).map_err(bad)?;
    sheet.set_column_width(5, 30).map_err(bad)?;
    sheet.set_column_width(9, 30).map_err(bad)?;
    book.save_to_buffer().map_err(bad)
}

/// What an import did, or (when `failures` is not empty) why it did nothing.
#[derive(Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct Imported {
    pub created: usize,
    pub revised: usize,
    pub unchanged: usize,
    pub failures: Vec<Failure>,
}

/// A row refused, by its number as the sheet shows it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Failure {
    pub row: usize,
    pub message: String,
}

/// One row as read: the rule it names (if any), its terms, whether it is to be in force.
struct Row {
    line: usize,
    id: Option<DispatchRuleId>,
    input: DispatchRuleInput,
    active: bool,
}

fn split(v: &str) -> Vec<String> {
    v.split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// A unit as a cell names it, as in the organisation's import: a name only one unit has, or
/// a path of names, or its end (`北河镇/党政办`) when that is enough.
fn unit_by_name(units: &UnitPlan, name: &str) -> Result<UnitId, String> {
    match units.find(name)? {
        UnitRef::Existing(id) => Ok(id),
        // A plan of the tree alone holds no new units.
        UnitRef::New(_) => Err(format!("没有单位“{name}”")),
    }
}

fn parse_row(
    units: &UnitPlan,
    headers: &[String],
    line: usize,
    cells: &[String],
) -> Result<Row, String> {
    let cell = |name: &str| -> &str {
        headers
            .iter()
            .position(|h| h.trim() == name)
            .and_then(|i| cells.get(i))
            .map_or("", |s| s.trim())
    };
    let id = match cell("编号") {
        "" => None,
        v => Some(DispatchRuleId(
            v.parse().map_err(|_| format!("编号“{v}”不是数字"))?,
        )),
    };
    let date = |name: &str| -> Result<Option<chrono::NaiveDate>, String> {
        match cell(name) {
            "" => Ok(None),
            v => xinfang_import::dates::parse(v, xinfang_import::dates::DayOrder::MonthFirst)
                .map(|d| Some(d.date()))
                .map_err(|e| format!("{name}：{e}")),
        }
    };
    let units = split(cell("承办单位"))
        .iter()
        .map(|n| unit_by_name(units, n))
        .collect::<Result<Vec<_>, _>>()?;
    let priority = match cell("优先级") {
        "" => 50,
        v => v
            .parse()
            .map_err(|_| format!("优先级“{v}”不是1至{}的整数", dispatch::MAX_PRIORITY))?,
    };
    let active = match cell("状态") {
        "" | ACTIVE => true,
        STOPPED => false,
        v => return Err(format!("状态“{v}”应为“启用”或“停用”")),
    };
    let text = |name: &str| Some(cell(name).to_string()).filter(|v| !v.is_empty());
    Ok(Row {
        line,
        id,
        input: DispatchRuleInput {
            name: cell("事项名称").to_string(),
            category: text("分类"),
            region: text("地区"),
            keywords: split(cell("关键词")),
            units,
            priority,
            valid_from: date("生效日期")?,
            valid_to: date("失效日期")?,
            basis: cell("法律依据").to_string(),
        },
        active,
    })
}

/// Reads a workbook of the catalogue (as [`export`] writes it) and, when every row is sound,
/// creates the rows without a number (unless one reads exactly as a kept rule) and revises, stops or restarts the numbered ones that
/// differ (administrators).
pub async fn import(state: &AppState, actor: &Actor, bytes: Vec<u8>) -> ApiResult<Imported> {
    admin(actor)?;
    let unreadable = |m: String| {
        ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable_file",
            m,
        )
    };
    let sheet = tokio::task::spawn_blocking(move || xinfang_import::read::read_bytes(bytes, None))
        .await
        .map_err(|e| unreadable(e.to_string()))?
        .map_err(|e| unreadable(format!("无法读取文件：{e}")))?;
    if !sheet.headers.iter().any(|h| h.trim() == "事项名称") {
        return Err(unreadable(format!("第1行应为表头：{}", COLUMNS.join("、"))));
    }
    if sheet.rows.len() > MAX_ROWS {
        return Err(unreadable(format!("一次至多导入{MAX_ROWS}条规则")));
    }
    let org = state.store.org();
    let units = plan_units(Vec::new(), &org);
    let existing: std::collections::HashMap<DispatchRuleId, DispatchRule> =
        list(state).await?.into_iter().map(|r| (r.id, r)).collect();
    let mut rows = Vec::new();
    let mut out = Imported::default();
    for (line, cells) in &sheet.rows {
        let checked = parse_row(&units, &sheet.headers, *line, cells).and_then(|row| {
            if let Some(id) = row.id
                && !existing.contains_key(&id)
            {
                return Err(format!("没有编号为{}的规则（新规则请留空编号）", id.0));
            }
            dispatch::check(&row.input, &org).map_err(|e| e.to_string())?;
            Ok(row)
        });
        match checked {
            Ok(row) => rows.push(row),
            Err(message) => out.failures.push(Failure {
                row: *line,
                message,
            }),
        }
    }
    if !out.failures.is_empty() {
        return Ok(out);
    }
    for row in rows {
        let fail = |e: ApiError| ApiError {
            message: format!("第{}行：{}", row.line, e.message),
            ..e
        };
        // A row without a number that reads exactly as a kept rule is that rule (the same file
        // imported twice adds nothing).
        let current = match row.id {
            Some(id) => existing.get(&id),
            None => existing.values().find(|r| r.input() == kept_as(&row.input)),
        };
        let same_terms = current.is_some_and(|r| r.input() == kept_as(&row.input));
        let (id, was_active) = match current {
            None => {
                let r = create(state, actor, row.input.clone())
                    .await
                    .map_err(fail)?;
                (r.id, true)
            }
            Some(r) if same_terms => (r.id, r.active),
            Some(r) => {
                let cmd = DispatchRuleCommand::Revise {
                    rule: row.input.clone(),
                };
                act(state, actor, r.id, cmd).await.map_err(fail)?;
                (r.id, r.active)
            }
        };
        if was_active != row.active {
            let cmd = if row.active {
                DispatchRuleCommand::Restart
            } else {
                DispatchRuleCommand::Stop
            };
            act(state, actor, id, cmd).await.map_err(fail)?;
        }
        match current {
            None => out.created += 1,
            Some(_) if same_terms && was_active == row.active => out.unchanged += 1,
            Some(_) => out.revised += 1,
        }
    }
    Ok(out)
}

/// The input as a rule keeps it (the category as its path), to compare with a kept rule.
fn kept_as(input: &DispatchRuleInput) -> DispatchRuleInput {
    DispatchRuleInput {
        category: input
            .category
            .as_deref()
            .and_then(xinfang_domain::taxonomy::resolve),
        ..input.clone()
    }
}
