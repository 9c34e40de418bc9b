//! `xinfang import-org` and `xinfang export-org`: the unit tree and the people from .xlsx or CSV
//! (any format the import reads), with a dry run, an error report and idempotence (a unit there
//! under the same parent, a username there, is skipped); new people get a one-time password,
//! written to a file beside the people's, to be changed at the first login.

use std::path::{Path, PathBuf};

use xinfang_domain::Role;
use xinfang_import::org::{PERSON_HEADERS, UNIT_HEADERS, path_names};
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
    if !outcome.failures.is_empty() {
        let path = args
            .report
            .clone()
            .unwrap_or_else(|| beside(&first, ".错误报告.xlsx"));
        let summary = Summary {
            failures: outcome.failures.clone(),
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

fn write_table(path: &Path, headers: &[&str], rows: &[Vec<String>]) -> Result<(), String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let bytes = match ext.as_str() {
        "csv" => {
            let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
            out.write_record(headers).map_err(|e| e.to_string())?;
            for r in rows {
                out.write_record(r).map_err(|e| e.to_string())?;
            }
            out.into_inner().map_err(|e| e.to_string())?
        }
        "xlsx" => {
            let mut book = rust_xlsxwriter::Workbook::new();
            let sheet = book.add_worksheet();
            for (c, h) in headers.iter().enumerate() {
                sheet
                    .write_string(0, c as u16, *h)
                    .map_err(|e| e.to_string())?;
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    sheet
                        .write_string(1 + r as u32, c as u16, v)
                        .map_err(|e| e.to_string())?;
                }
            }
            book.save_to_buffer().map_err(|e| e.to_string())?
        }
        _ => return Err(format!("{}：须为 .xlsx 或 .csv 文件", path.display())),
    };
    std::fs::write(path, bytes).map_err(|e| format!("写 {}：{e}", path.display()))
}

/// The organisation out in the files `import-org` reads: units parents first (the bodies above
/// the deployment left out), each parent by its path.
pub async fn export(args: ExportOrgArgs) -> Result<(), String> {
    let store = config::open(&args.db).await?;
    let org = store.org();
    let details = store.unit_details().await.map_err(|e| e.to_string())?;
    let phones = store.person_phones().await.map_err(|e| e.to_string())?;
    let mut units: Vec<_> = org.units().filter(|u| !u.external).collect();
    units.sort_by_key(|u| (u.depth(), u.id.0));
    let unit_rows: Vec<Vec<String>> = units
        .iter()
        .map(|u| {
            let (short, region) = details.get(&u.id.0).cloned().unwrap_or_default();
            vec![
                u.name.clone(),
                short.unwrap_or_default(),
                u.kind.label().to_string(),
                u.parent.map(|p| path_names(&org, p)).unwrap_or_default(),
                region.unwrap_or_default(),
            ]
        })
        .collect();
    let people = store.people().await.map_err(|e| e.to_string())?;
    let person_rows: Vec<Vec<String>> = people
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.username.clone(),
                path_names(&org, p.unit),
                p.roles
                    .iter()
                    .map(|r: &Role| r.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                phones.get(&p.id.0).cloned().unwrap_or_default(),
            ]
        })
        .collect();
    store.close().await;
    write_table(&args.units, &UNIT_HEADERS, &unit_rows)?;
    write_table(&args.people, &PERSON_HEADERS, &person_rows)?;
    println!(
        "exported {} units to {}, {} people to {}",
        unit_rows.len(),
        args.units.display(),
        person_rows.len(),
        args.people.display()
    );
    Ok(())
}
