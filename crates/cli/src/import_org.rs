//! `xinfang import-org` and `xinfang export-org`: the unit tree and the people from .xlsx or CSV
//! (any format the import reads), with a dry run, an error report and idempotence (a unit there
//! under the same parent, a username there, is skipped); new people get a one-time password,
//! written to a file beside the people's, to be changed at the first login.

use std::path::{Path, PathBuf};

use xinfang_import::exchange;
use xinfang_import::org::{PERSON_HEADERS, UNIT_HEADERS, export_rows};
use xinfang_import::run::{Summary, report};
use xinfang_import::{org_run, read_file};
use xinfang_store::Who;

use crate::DbArgs;
use crate::config;
use crate::import::acting;

#[derive(clap::Args)]
pub struct ImportOrgArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The units: 名称, 类型 and optionally 简称, 上级单位 (a name, or a path such as
    /// 清河市/西山镇 when names repeat), 地区.
    #[arg(long)]
    units: Option<PathBuf>,
    /// The people: 姓名, 用户名, 单位, 角色 (登记、办理、负责人、督查、领导、管理员) and optionally 电话.
    #[arg(long)]
    people: Option<PathBuf>,
    /// The administrator the changes are attributed to (the first administrator; none needed
    /// while the database has no people yet).
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: Option<String>,
    /// Check every row and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Where the error report (.xlsx) goes; beside the first file when absent.
    #[arg(long)]
    report: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct ExportOrgArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The units file written (.xlsx or .csv, by its extension).
    #[arg(long)]
    units: PathBuf,
    /// The people file written (.xlsx or .csv).
    #[arg(long)]
    people: PathBuf,
}

fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut p = file.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

pub async fn import(args: ImportOrgArgs) -> Result<(), String> {
    let first = args
        .units
        .as_ref()
        .or(args.people.as_ref())
        .ok_or("请用 --units 或 --people 指定要导入的文件")?
        .clone();
    let read = |f: &Option<PathBuf>| {
        f.as_ref()
            .map(|f| read_file(f, None).map_err(|e| format!("{}：{e}", f.display())))
            .transpose()
    };
    let (units, people) = (read(&args.units)?, read(&args.people)?);
    let store = config::open(&args.db).await?;
    // The first import into an empty database has nobody to act as: the system does.
    let who = if store.people().await.map_err(|e| e.to_string())?.is_empty() {
        Who::System
    } else {
        Who::Officer(acting(&store, args.as_user.as_deref(), true).await?)
    };
    let outcome = org_run::run(&store, units.as_ref(), people.as_ref(), &who, args.dry_run)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    if let (false, Some(f)) = (outcome.passwords.is_empty(), &args.people) {
        let path = beside(f, ".初始密码.csv");
        let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
        out.write_record(["用户名", "姓名", "一次性密码（首次登录须修改）"])
            .map_err(|e| e.to_string())?;
        for p in &outcome.passwords {
            out.write_record(p).map_err(|e| e.to_string())?;
        }
        let bytes = out.into_inner().map_err(|e| e.to_string())?;
        std::fs::write(&path, bytes).map_err(|e| format!("写 {}：{e}", path.display()))?;
        println!(
            "一次性密码：{}（{} 人；分发后请删除此文件）",
            path.display(),
            outcome.passwords.len()
        );
    }
    let failures = outcome.failures();
    if !failures.is_empty() {
        let path = args
            .report
            .clone()
            .unwrap_or_else(|| beside(&first, ".错误报告.xlsx"));
        let summary = Summary {
            failures,
            ..Summary::default()
        };
        let bytes = report(&summary).map_err(|e| e.to_string())?;
        std::fs::write(&path, bytes).map_err(|e| format!("写错误报告 {}：{e}", path.display()))?;
        println!("错误报告：{}", path.display());
    }
    if args.dry_run {
        println!("试运行（未写入）");
    }
    for l in outcome.lines() {
        println!("{l}");
    }
    Ok(())
}

fn write_table(
    path: &Path,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let bytes = match ext.as_str() {
        "csv" => exchange::table_csv(headers, rows).map_err(|e| e.to_string())?,
        "xlsx" => exchange::table_xlsx(name, headers, rows).map_err(|e| e.to_string())?,
        _ => return Err(format!("{}：须为 .xlsx 或 .csv 文件", path.display())),
    };
    std::fs::write(path, bytes).map_err(|e| format!("写 {}：{e}", path.display()))
}

/// The organisation out in the files `import-org` reads.
pub async fn export(args: ExportOrgArgs) -> Result<(), String> {
    let store = config::open(&args.db).await?;
    let details = store.unit_details().await.map_err(|e| e.to_string())?;
    let phones = store.person_phones().await.map_err(|e| e.to_string())?;
    let people = store.people().await.map_err(|e| e.to_string())?;
    let (units, people) = export_rows(&store.org(), &details, &phones, &people);
    store.close().await;
    write_table(&args.units, "单位", &UNIT_HEADERS, &units)?;
    write_table(&args.people, "人员", &PERSON_HEADERS, &people)?;
    println!(
        "exported {} units to {}, {} people to {}",
        units.len(),
        args.units.display(),
        people.len(),
        args.people.display()
    );
    Ok(())
}
