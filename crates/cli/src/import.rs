//! `xinfang import`: an earlier register into the database, row by row, once.

use std::path::PathBuf;

use xinfang_domain::{Channel, Role};
use xinfang_import::fields::Plan;
use xinfang_import::normalise::Tables;
use xinfang_import::row::Defaults;
use xinfang_import::run::{Options, home_office, report, run as run_import};
use xinfang_import::{Mapping, Table};

use crate::DbArgs;
use crate::config;

#[derive(clap::Args)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// The register: .xlsx, .xls, .ods or CSV (UTF-8 or GBK), recognised by its content.
    #[arg(long)]
    file: PathBuf,
    /// The sheet to read (the first when absent).
    #[arg(long)]
    sheet: Option<String>,
    /// A column for a field, as `表头=field` (e.g. `--map 信息来源=channel`); repeatable.
    #[arg(long = "map", value_name = "HEADER=FIELD")]
    map: Vec<String>,
    /// A mapping file: `[columns]` (`field = "表头"`) and value tables (`[values.channel]` …).
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// The administrator the imported cases are attributed to (the first administrator when absent).
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: Option<String>,
    /// Check every row and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Where the error report (.xlsx) goes; beside the file (`F.错误报告.xlsx`) when absent.
    #[arg(long)]
    report: Option<PathBuf>,
}

impl ImportArgs {
    /// The import of `file` with everything else as the command's defaults (for the benchmark).
    pub fn bench(db: DbArgs, file: PathBuf) -> ImportArgs {
        ImportArgs {
            db,
            file,
            sheet: None,
            map: Vec::new(),
            mapping: None,
            as_user: None,
            dry_run: false,
            report: None,
        }
    }
}

pub async fn run(args: ImportArgs) -> Result<(), String> {
    // CSV and .xlsx are streamed from the file (memory stays flat); other formats are read whole.
    let sheet = Table::open(&args.file, args.sheet.as_deref()).map_err(|e| e.to_string())?;
    let (mut mapping, tables) = match &args.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("映射文件 {}：{e}", path.display()))?;
            let plan = Plan::read(&sheet.headers, &text, true).map_err(|e| e.to_string())?;
            (plan.mapping, plan.tables)
        }
        None => (Mapping::guess(&sheet.headers), Tables::default()),
    };
    let pairs = args
        .map
        .iter()
        .map(|m| {
            m.split_once('=')
                .map(|(h, f)| (h.to_string(), f.to_string()))
                .ok_or_else(|| format!("--map 应写作 表头=字段，如 --map 标题=title（收到“{m}”）"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    mapping
        .apply(&sheet.headers, &pairs)
        .map_err(|e| e.to_string())?;
    for (t, c) in &mapping.columns {
        println!("{} ← {}", t.code(), sheet.headers[*c]);
    }
    let store = config::open(&args.db).await?;
    let admin = acting(&store, args.as_user.as_deref(), true).await?;
    // The rows join the register of the top level's petition office.
    let office = home_office(&store.org()).ok_or("没有信访部门：请先建立单位")?;
    let source = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "导入".into());
    let opts = Options {
        source: &source,
        admin: &admin,
        office,
        defaults: Defaults {
            channel: Channel::Online,
            unit: office,
        },
        dry_run: args.dry_run,
    };
    // The length is known after the first pass (which learns how the dates are written).
    let bar = crate::progress::bar(0, "行");
    let started = std::time::Instant::now();
    let mut rows = 0;
    let summary = run_import(&store, &sheet, &mapping, &tables, &opts, |done, total| {
        rows = total;
        bar.set_length(total as u64);
        bar.set_position(done as u64)
    })
    .await
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    store.after_bulk_load().await.map_err(|e| e.to_string())?;
    store.close().await;
    let seconds = started.elapsed().as_secs_f64();
    if !summary.failures.is_empty() || !summary.warnings.is_empty() {
        let path = args.report.clone().unwrap_or_else(|| {
            let mut p = args.file.clone().into_os_string();
            p.push(".错误报告.xlsx");
            PathBuf::from(p)
        });
        let bytes = report(&summary).map_err(|e| e.to_string())?;
        std::fs::write(&path, bytes).map_err(|e| format!("写错误报告 {}：{e}", path.display()))?;
        println!(
            "错误报告：{}（{} 处错误，{} 处提示）",
            path.display(),
            summary.failures.len(),
            summary.warnings.len()
        );
    }
    if summary.consultations > 0 {
        println!(
            "咨询类 {} 行不作为信访事项导入（计入 skipped）",
            summary.consultations
        );
    }
    println!(
        "{}{} 行，用时 {seconds:.1} 秒（{:.0} 行/秒）{}",
        if args.dry_run {
            "试运行（未写入）："
        } else {
            ""
        },
        rows,
        rows as f64 / seconds.max(1e-9),
        peak_memory().map_or(String::new(), |mb| format!("，内存峰值 {mb} MB"))
    );
    println!("{}", summary.line());
    Ok(())
}

/// The process's peak resident memory in MB, where the system tells (Linux).
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// The officer a command acts as: `as_user`, or the first administrator; with `admin_only`,
/// only an administrator.
pub async fn acting(
    store: &xinfang_store::Store,
    as_user: Option<&str>,
    admin_only: bool,
) -> Result<xinfang_domain::Actor, String> {
    let people = store.people().await.map_err(|e| e.to_string())?;
    let person = people
        .iter()
        .find(|p| match as_user {
            Some(u) => p.username == u,
            None => p.roles.contains(&Role::Admin),
        })
        .ok_or_else(|| match as_user {
            Some(u) => format!("没有用户 {u}"),
            None => "数据库中没有管理员账号：请先建立管理员，或用 --as 指定".into(),
        })?;
    if admin_only && !person.roles.contains(&Role::Admin) {
        return Err(format!(
            "{} 不是管理员：此命令须由管理员进行",
            person.username
        ));
    }
    store
        .actor(person.id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{} 的账号已停用", person.username))
}
