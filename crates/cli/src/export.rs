//! `xinfang export`: the cases registered in a period, as the import reads them (.xlsx or CSV),
//! for another system or another xinfang. What goes out is what the officer named by `--as` may
//! see (`access::exported`): 检举控告 stays with 纪检, people are in full only for officers who
//! see personal data in full, and then each case's reveal is recorded against them. A split
//! petition goes out as its matters and a merged duplicate not at all (its case goes out).

use std::path::PathBuf;

use chrono::NaiveDate;
use xinfang_domain::access::{self, Disclosure};
use xinfang_import::exchange;

use crate::DbArgs;
use crate::config;
use crate::import::acting;

/// Cases read at a time.
const PAGE: i64 = 2_000;

#[derive(clap::Args)]
pub struct ExportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// First day of registration (YYYY-MM-DD).
    #[arg(long)]
    from: NaiveDate,
    /// Last day of registration (YYYY-MM-DD), included.
    #[arg(long)]
    to: NaiveDate,
    /// The file written: .xlsx or .csv (UTF-8), by its extension.
    #[arg(long)]
    out: PathBuf,
    /// The officer exporting (the first administrator when absent): what they may see goes out,
    /// and the reveal of personal data is recorded against them.
    #[arg(long = "as", value_name = "USERNAME")]
    as_user: Option<String>,
}

enum Kind {
    Xlsx,
    Csv,
}

pub async fn run(args: ExportArgs) -> Result<(), String> {
    if args.to < args.from {
        return Err(format!("--to {} 早于 --from {}", args.to, args.from));
    }
    let kind = match args
        .out
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .as_deref()
    {
        Some("xlsx") => Kind::Xlsx,
        Some("csv") => Kind::Csv,
        _ => return Err("--out 须为 .xlsx 或 .csv 文件".into()),
    };
    let store = config::open(&args.db).await?;
    let officer = acting(&store, args.as_user.as_deref(), false).await?;
    let org = store.org();
    let (mut rows, mut ids, mut hidden) = (Vec::new(), Vec::new(), 0usize);
    let mut after = 0;
    loop {
        let page = store
            .cases_after(after, PAGE)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = last.id.0;
        for case in &page {
            // A split petition goes out as its matters, a merged duplicate within the case it
            // was merged into: each row is one case as the figures count it (#17).
            if case.registered_on < args.from
                || case.registered_on > args.to
                || xinfang_domain::metrics::counting(case)
                    != xinfang_domain::metrics::Counting::Whole
            {
                continue;
            }
            let Some(how) = access::exported(&officer, case, &org) else {
                hidden += 1;
                continue;
            };
            if how == Disclosure::Full {
                ids.push(case.id.0);
            }
            rows.push(exchange::row(&access::redact(case.clone(), how), &org));
        }
    }
    let bytes = match kind {
        Kind::Xlsx => exchange::xlsx(&rows).map_err(|e| e.to_string())?,
        Kind::Csv => exchange::csv(&rows).map_err(|e| e.to_string())?,
    };
    std::fs::write(&args.out, bytes).map_err(|e| format!("写 {}：{e}", args.out.display()))?;
    store
        .note_personal_access_many(officer.person, &ids, "export")
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    if hidden > 0 {
        println!(
            "{hidden} 件 {} 无权查看（如检举控告类），未导出",
            officer.name
        );
    }
    if ids.len() < rows.len() {
        println!(
            "{} 件的个人信息已遮蔽：{} 无权查看完整个人信息（须为登记、办理人员或单位负责人）",
            rows.len() - ids.len(),
            officer.name
        );
    }
    println!("exported {} to {}", rows.len(), args.out.display());
    Ok(())
}
