//! Turning command-line options into a configured store.

use chrono::{Datelike, NaiveDate, Weekday};
use xinfang_domain::{Calendar, Policy};
use xinfang_store::{Clock, Settings, Store};

use std::path::PathBuf;

use crate::DbArgs;

/// The official holiday tables embedded by the holiday-cn crate, as an editable calendar.
pub fn builtin_calendar() -> Calendar {
    let mut cal = Calendar::default();
    let (first, last) = (
        NaiveDate::from_ymd_opt(2007, 1, 1),
        NaiveDate::from_ymd_opt(2026, 12, 31),
    );
    let (Some(mut day), Some(last)) = (first, last) else {
        return cal;
    };
    while day <= last {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if let Ok((off, _)) = holiday_cn::is_offday(&day.format("%Y-%m-%d").to_string()) {
            if off && !weekend {
                cal.holidays.insert(day);
            } else if !off && weekend {
                cal.workdays.insert(day);
            }
        }
        day += chrono::Duration::days(1);
    }
    cal
}

/// A directory of derived or attached data: given, else beside the SQLite file (`FILE.suffix`),
/// else `./xinfang-suffix` for PostgreSQL.
pub fn data_dir(db: &str, given: Option<PathBuf>, suffix: &str) -> PathBuf {
    given.unwrap_or_else(|| match xinfang_store::normalise_url(db) {
        Ok((xinfang_store::Backend::Sqlite, url)) => {
            let file = url
                .trim_start_matches("sqlite://")
                .split('?')
                .next()
                .unwrap_or("xinfang.db")
                .to_string();
            PathBuf::from(format!("{file}.{suffix}"))
        }
        _ => PathBuf::from(format!("xinfang-{suffix}")),
    })
}

/// The server's configuration from its options: the store's settings, the data directories
/// (beside the SQLite file by default), and nothing sent until senders are added.
pub fn app_config(
    args: &DbArgs,
    index: Option<PathBuf>,
    files: Option<PathBuf>,
) -> Result<xinfang_web::Config, String> {
    Ok(xinfang_web::Config::new(
        &args.db,
        settings(args)?,
        data_dir(&args.db, index, "index"),
        data_dir(&args.db, files, "files"),
    ))
}

/// The store's settings from the options: the policy, the holiday calendar, the clock.
pub fn settings(args: &DbArgs) -> Result<Settings, String> {
    let policy = match &args.policy {
        Some(p) => Policy::from_toml(
            &std::fs::read_to_string(p).map_err(|e| format!("读取 {}: {e}", p.display()))?,
        )?,
        None => Policy::default(),
    };
    let calendar = match &args.holidays {
        Some(p) => Calendar::from_toml(
            &std::fs::read_to_string(p).map_err(|e| format!("读取 {}: {e}", p.display()))?,
        )?,
        None => builtin_calendar(),
    };
    let clock = Clock::system(&policy.timezone)?;
    Ok(Settings {
        policy,
        calendar,
        clock,
    })
}

pub async fn open(args: &DbArgs) -> Result<Store, String> {
    Store::open(&args.db, settings(args)?)
        .await
        .map_err(|e| e.to_string())
}

/// Limits in working days need next year's official holidays, published each winter.
pub fn warn_if_calendar_ends(store: &Store) {
    let next_year = store.clock().today().year() + 1;
    if store.calendar().last_year().is_some_and(|y| y < next_year) {
        let last = store.calendar().last_year().unwrap_or_default();
        eprintln!(
            "提示: 节假日日历只到 {last} 年。按工作日计算的期限需要 {}–{next_year} 年的放假安排：请用 --holidays 提供（xinfang holidays 可导出现有日历作为模板）",
            last + 1
        );
    }
}
