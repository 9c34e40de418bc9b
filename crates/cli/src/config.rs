//! Turning command-line options into a configured store.

use xinfang_domain::{Calendar, Policy};
use xinfang_store::personal::KeySource;
use xinfang_store::{Clock, Settings, Store};

use std::path::PathBuf;

use crate::DbArgs;

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
    let calendar = Calendar::official();
    let clock = Clock::system(&policy.timezone)?;
    let personal_key = match (&args.personal_key_hex, &args.personal_key) {
        (Some(hex), _) => KeySource::Hex(hex.clone()),
        (None, Some(file)) => KeySource::File(file.clone()),
        (None, None) => KeySource::Beside,
    };
    Ok(Settings {
        policy,
        calendar,
        clock,
        personal_key,
        tracking_url: None,
    })
}

pub async fn open(args: &DbArgs) -> Result<Store, String> {
    let store = Store::open(&args.db, settings(args)?)
        .await
        .map_err(|e| e.to_string())?;
    import_holidays(&store, args).await?;
    Ok(store)
}

/// `--holidays FILE`: every year the file holds replaces that year in the database's calendar
/// (in the log); the open cases' working-day deadlines follow.
pub async fn import_holidays(store: &Store, args: &DbArgs) -> Result<(), String> {
    let Some(p) = &args.holidays else {
        return Ok(());
    };
    let text = std::fs::read_to_string(p).map_err(|e| format!("读取 {}: {e}", p.display()))?;
    let cal = Calendar::from_toml(&text)?;
    let moved = store
        .import_calendar(&cal, xinfang_store::Who::System)
        .await
        .map_err(|e| e.to_string())?;
    let years: Vec<String> = cal.years().iter().map(|(y, _, _)| y.to_string()).collect();
    println!(
        "已导入节假日日历：{} 年；{moved} 件在办事项的期限已重新计算",
        years.join("、")
    );
    Ok(())
}

/// Limits in working days need next year's official holidays, published each winter: from
/// 1 December, said on the console too (the administrators' pages say it as well).
pub fn warn_if_calendar_ends(store: &Store) {
    if let Some(w) = store.calendar().missing_next_year(store.clock().today()) {
        eprintln!("提示: {w}（也可用 --holidays 文件导入；xinfang holidays 导出现有日历作为模板）");
    }
}

/// Says at start what a browser will do with the session cookie on this address, so that an
/// office does not meet a login page that silently comes back empty.
pub fn warn_about_transport(addr: &str, insecure_cookies: bool, proxies: &[ipnet::IpNet]) {
    let loopback = addr
        .parse::<std::net::SocketAddr>()
        .map(|a| a.ip().is_loopback())
        .unwrap_or_else(|_| addr.starts_with("localhost:"));
    if loopback {
        return;
    }
    if insecure_cookies {
        eprintln!(
            "警告: 在 {addr} 上以明文 HTTP 提供会话（--insecure-cookies）：登录凭据和会话可被同一网络中的人截获，只宜在封闭内网试用。"
        );
    } else if proxies.is_empty() {
        eprintln!(
            "警告: 在非本机地址 {addr} 上监听，但没有配置 TLS 代理。会话 Cookie 带 Secure 标记，浏览器只在 HTTPS 下保存，直接以 http:// 访问将无法登录。请在前面放置 TLS 反向代理并用 --trusted-proxy 指定其地址；封闭内网试用可加 --insecure-cookies。"
        );
    }
}
