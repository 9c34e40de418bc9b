//! `xinfang`: run the server, build the demo city, migrate, verify the log, benchmark.

mod backup;
mod bench;
mod bench_all;
mod bench_texts;
mod checkpoints;
mod config;
mod export;
mod hot;
mod import;
mod import_org;
mod keys;
mod progress;
mod replies;
mod routing;

use clap::{Parser, Subcommand};
use secrecy::SecretString;
use xinfang_adapters::notify::{SmsGateway, SmtpRelay, SmtpSecurity, TlsTrust};
use xinfang_store::chain::Verdict;
use xinfang_store::checkpoint::Kind;

#[derive(Parser)]
#[command(name = "xinfang", version, about = "信访工作平台 xinfang")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
pub struct DbArgs {
    /// sqlite://FILE (embedded default) or postgres://USER@HOST/DB
    #[arg(long, env = "XINFANG_DB", default_value = "sqlite://xinfang.db")]
    pub db: String,
    /// Deadline policy (TOML); the statute's limits when absent.
    #[arg(long, env = "XINFANG_POLICY")]
    pub policy: Option<std::path::PathBuf>,
    /// Holiday calendar (TOML) for limits counted in working days; the built-in table when absent.
    #[arg(long, env = "XINFANG_HOLIDAYS")]
    pub holidays: Option<std::path::PathBuf>,
    /// Key file of the petitioners' personal data (SM4-GCM); by default `FILE.key` beside an
    /// SQLite file, `xinfang-DB.key` in the working directory for PostgreSQL, made on first start.
    #[arg(long, env = "XINFANG_PERSONAL_KEY_FILE")]
    pub personal_key: Option<std::path::PathBuf>,
    /// The personal-data key itself (64 hex digits), instead of a file.
    #[arg(
        long = "personal-key-hex",
        env = "XINFANG_PERSONAL_KEY",
        hide_env_values = true
    )]
    pub personal_key_hex: Option<String>,
}

// Parsed once at start; boxing the server's many flags would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, env = "XINFANG_ADDR", default_value = "127.0.0.1:8080")]
        addr: String,
        /// Fill an empty database with the demo city and print its logins.
        #[arg(long)]
        demo: bool,
        /// Cases the demo city starts with.
        #[arg(long, default_value_t = 3000)]
        demo_cases: u64,
        /// Send the session cookie over plain HTTP too (an intranet without TLS). Browsers send
        /// `Secure` cookies to localhost anyway.
        #[arg(long)]
        insecure_cookies: bool,
        /// Directory of the full-text index (derived data, rebuilt when missing); next to the
        /// SQLite file by default, `./xinfang-index` for PostgreSQL.
        #[arg(long, env = "XINFANG_INDEX")]
        index: Option<std::path::PathBuf>,
        /// Directory of petitions' attachment files; next to the SQLite file by default,
        /// `./xinfang-files` for PostgreSQL.
        #[arg(long, env = "XINFANG_FILES")]
        files: Option<std::path::PathBuf>,
        /// SMS gateway for notices to petitioners: notices are POSTed there as JSON (see README).
        /// Without it, notices wait in the outbox.
        #[arg(long, env = "XINFANG_SMS_GATEWAY")]
        sms_gateway: Option<String>,
        /// Bearer token for the SMS gateway.
        #[arg(long, env = "XINFANG_SMS_TOKEN")]
        sms_token: Option<String>,
        /// SMTP relay (host:port; the port defaults to 587, 465 with `--smtp-tls tls`, 25 with
        /// `none`) for e-mailing notices.
        #[arg(long, env = "XINFANG_SMTP_RELAY")]
        smtp_relay: Option<String>,
        /// Sender of notice e-mails, e.g. "信访局 <xinfang@city.gov.cn>".
        #[arg(long, env = "XINFANG_SMTP_FROM", default_value = "xinfang@localhost")]
        smtp_from: String,
        #[arg(long, env = "XINFANG_SMTP_USER")]
        smtp_user: Option<String>,
        #[arg(long, env = "XINFANG_SMTP_PASSWORD")]
        smtp_password: Option<String>,
        /// Seconds between passes of the sweep (lapse closing, supervision, conference
        /// proposals); with several processes on one database one of them runs each pass.
        #[arg(long, env = "XINFANG_SWEEP_EVERY", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
        sweep_every: u64,
        /// Addresses or networks of the TLS proxy in front (e.g. 10.0.0.5 or 10.0.0.0/24,
        /// comma-separated): their X-Forwarded-For and X-Forwarded-Proto are believed, so that
        /// rate limits and the security log see each citizen's and officer's own address.
        #[arg(long, env = "XINFANG_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_net)]
        trusted_proxy: Vec<ipnet::IpNet>,
        /// Minutes after which an unused session ends.
        #[arg(long, env = "XINFANG_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=720))]
        idle_minutes: u64,
        /// How the SMTP relay is reached: `starttls` (required, the default), `tls` (implicit,
        /// port 465) or `none` (a relay on the same closed network).
        #[arg(long, env = "XINFANG_SMTP_TLS", default_value = "starttls")]
        smtp_tls: SmtpSecurity,
        /// The address citizens and partner systems reach this server at, e.g.
        /// `https://xinfang.city.gov.cn` (Open311's discovery names its endpoint with it); from
        /// each request's Host when unset.
        #[arg(long, env = "XINFANG_PUBLIC_URL", value_parser = parse_public_url)]
        public_url: Option<String>,
        /// PEM file of extra certificate authorities for the SMS gateway's and the SMTP relay's
        /// certificates (an office network's own CA); the public roots are always trusted.
        #[arg(long, env = "XINFANG_TLS_CA")]
        tls_ca: Option<std::path::PathBuf>,
        #[command(flatten)]
        checkpoint: checkpoints::CheckpointArgs,
        /// Seconds between signed checkpoints (with `--checkpoints`), when the log has grown.
        #[arg(long, env = "XINFANG_CHECKPOINT_EVERY", default_value_t = 3600, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        checkpoint_every: u64,
    },
    /// Build the demo city (units, people, a year of cases) in an empty database.
    Demo {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long, default_value_t = 3000)]
        cases: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Create or update the database schema.
    Migrate {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Walk the hash-chained event log and name the first broken link; with `--checkpoints`,
    /// hold it against the signed checkpoints too (a truncated or rewritten log, or a restore).
    Verify {
        #[command(flatten)]
        db: DbArgs,
        /// Directory of signed checkpoints.
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
        /// The checkpoints' public key (hex), or the signing key's file.
        #[arg(long, requires = "checkpoints")]
        public_key: Option<String>,
    },
    /// Pack the case states and event payloads written before they were packed (migration 0029),
    /// page by page under the writer's lock (servers may keep running); no hash changes. SQLite's
    /// `VACUUM` or PostgreSQL's `VACUUM FULL` then gives the room back.
    Repack {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Replace the personal-data key: every petitioner record and notice address re-encrypted
    /// under a new key, the look-up tags computed again, the old key retired (stop the servers
    /// first; they keep the key they started with).
    RotateKey {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Bring an earlier register in: a spreadsheet (.xlsx, .xls, .ods) or CSV (UTF-8 or GBK) of
    /// past petitions, mapped by its headers (or by `--map 标题=title`, `--mapping FILE.toml`),
    /// checked row by row (`--dry-run` writes nothing), imported once (a second run skips what
    /// came in). The last line says `imported N, skipped S, failed F`.
    Import(import::ImportArgs),
    /// Write the cases registered in a period as the import reads them (.xlsx or CSV), for
    /// exchange with another system: what the administrator may see, their personal data
    /// recorded as seen. The last line says `exported N to FILE`.
    Export(export::ExportArgs),
    /// Bring the organisation in: the unit tree (--units) and the people (--people) from .xlsx
    /// or CSV, checked row by row (--dry-run writes nothing), once (what is there is skipped);
    /// new people get one-time passwords in a file beside theirs. The last lines say
    /// `units: new N, skipped S, failed F` and `people: …`.
    ImportOrg(import_org::ImportOrgArgs),
    /// Write the unit tree and the people as `import-org` reads them.
    ExportOrg(import_org::ExportOrgArgs),
    /// Write a signed checkpoint of the log now (as `serve --checkpoints` does on a schedule).
    Checkpoint {
        #[command(flatten)]
        db: DbArgs,
        #[command(flatten)]
        checkpoint: checkpoints::CheckpointArgs,
    },
    /// Back up the database (one snapshot, while the server runs) and the attachment files into
    /// a directory; it restores into either kind of database.
    Backup {
        #[command(flatten)]
        db: DbArgs,
        /// The backup directory (created; used again, it receives only new attachment files).
        #[arg(long)]
        to: std::path::PathBuf,
        /// The attachment files (as `serve --files`).
        #[arg(long, env = "XINFANG_FILES")]
        files: Option<std::path::PathBuf>,
        /// Leave the personal-data key file out of the backup (keep it apart; `restore --keys`
        /// takes it back).
        #[arg(long)]
        without_keys: bool,
    },
    /// Restore a backup into a new, empty database (SQLite or PostgreSQL, whichever the backup
    /// came from), with its attachment files; the chain is verified afterwards.
    Restore {
        /// A directory written by `xinfang backup`.
        #[arg(long)]
        from: std::path::PathBuf,
        #[command(flatten)]
        db: DbArgs,
        /// Where the attachment files go (as `serve --files`).
        #[arg(long, env = "XINFANG_FILES")]
        files: Option<std::path::PathBuf>,
        /// The text index to rebuild (as `serve --index`): emptied, the server refills it.
        #[arg(long, env = "XINFANG_INDEX")]
        index: Option<std::path::PathBuf>,
        /// The personal-data key file, for a backup made `--without-keys`.
        #[arg(long)]
        keys: Option<std::path::PathBuf>,
        /// With `--checkpoints`, a signed checkpoint of the restored log is written, so that
        /// `verify` tells the events lost with the restore from tampering.
        #[command(flatten)]
        checkpoint: checkpoints::CheckpointArgs,
    },
    /// Write the built-in official holiday tables (2007–2026) as an editable TOML file.
    Holidays,
    /// The routing model: trained and scored on labelled files.
    Routing {
        #[command(subcommand)]
        command: routing::RoutingCommand,
    },
    /// Hot issues found in a file of dated petitions.
    Hot {
        #[command(subcommand)]
        command: hot::HotCommand,
    },
    /// The reply check scored on petitions with their real replies.
    Replies {
        #[command(subcommand)]
        command: replies::RepliesCommand,
    },
    /// Measure throughput and latency (see BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        which: bench::Which,
    },
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        // The log goes to stderr (stdout carries what commands print: the URL, the logins,
        // `holidays`); colours for a terminal only, plain text for a file or a journal.
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<std::process::ExitCode, String> {
    match cli.command {
        Command::Serve {
            db,
            addr,
            demo,
            demo_cases,
            insecure_cookies,
            index,
            files,
            sms_gateway,
            sms_token,
            smtp_relay,
            smtp_from,
            smtp_user,
            smtp_password,
            sweep_every,
            trusted_proxy,
            idle_minutes,
            smtp_tls,
            tls_ca,
            public_url,
            checkpoint,
            checkpoint_every,
        } => {
            let mut config = config::app_config(&db, index, files)?;
            config.secure_cookies = !insecure_cookies;
            config.sweep_every = std::time::Duration::from_secs(sweep_every);
            config.idle_timeout = std::time::Duration::from_secs(idle_minutes * 60);
            config::warn_about_transport(&addr, insecure_cookies, &trusted_proxy);
            config.trusted_proxies = trusted_proxy;
            // Petitioners' notices name where they follow their case.
            config.settings.tracking_url = public_url
                .as_deref()
                .map(|u| format!("{}/public/track", u.trim_end_matches('/')));
            config.public_url = public_url;
            let trust = match &tls_ca {
                Some(path) => TlsTrust::from_file(path)?,
                None => TlsTrust::default(),
            };
            if let Some(url) = sms_gateway {
                config.senders.push(std::sync::Arc::new(SmsGateway::new(
                    url,
                    sms_token.map(SecretString::from),
                    &trust,
                )?));
            }
            if let Some(relay) = smtp_relay {
                let login = smtp_user.zip(smtp_password.map(SecretString::from));
                config.senders.push(std::sync::Arc::new(SmtpRelay::new(
                    &relay, &smtp_from, login, smtp_tls, &trust,
                )?));
            }
            let app = xinfang_web::App::build(config).await?;
            let store = app.state.store.clone();
            config::import_holidays(&store, &db).await?;
            config::warn_if_calendar_ends(&store);
            if demo && store.is_empty().await.map_err(|e| e.to_string())? {
                println!("正在生成演示城市（{demo_cases} 件信访事项）…");
                let bar = progress::bar(demo_cases, "件");
                let (_, report) =
                    xinfang_demo::load_with(&store, demo_cases, 2026, |n| bar.set_position(n))
                        .await
                        .map_err(|e| e.to_string())?;
                bar.finish_and_clear();
                println!(
                    "演示数据已生成：{} 件，{} 个事件，用时 {:.1} 秒",
                    report.cases, report.events, report.seconds
                );
            }
            checkpoint.spawn_periodic(
                store.clone(),
                &db.db,
                std::time::Duration::from_secs(checkpoint_every),
            )?;
            let listener = tokio::net::TcpListener::bind(&addr)
                .await
                .map_err(|e| format!("无法监听 {addr}: {e}"))?;
            let local = listener.local_addr().map_err(|e| e.to_string())?;
            println!("xinfang 已启动: http://{local}/  (API: http://{local}/api/v1/openapi.json)");
            if demo {
                print_demo_logins(&store).await;
            }
            app.serve(listener).await.map_err(|e| e.to_string())?;
        }
        Command::Demo { db, cases, seed } => {
            let store = config::open(&db).await?;
            if !store.is_empty().await.map_err(|e| e.to_string())? {
                return Err("数据库不是空的：演示城市只能生成在新数据库中".into());
            }
            let bar = progress::bar(cases, "件");
            let (_, r) = xinfang_demo::load_with(&store, cases, seed, |n| bar.set_position(n))
                .await
                .map_err(|e| e.to_string())?;
            bar.finish_and_clear();
            println!(
                "demo: {} cases, {} events in {:.1} s ({:.0} cases/s)",
                r.cases,
                r.events,
                r.seconds,
                r.cases as f64 / r.seconds.max(1e-9)
            );
        }
        Command::Migrate { db } => {
            config::open(&db).await?;
            println!("数据库结构已是最新");
        }
        Command::Verify {
            db,
            checkpoints,
            public_key,
        } => {
            let store = config::open(&db).await?;
            match store.verify_chain().await.map_err(|e| e.to_string())? {
                Verdict::Intact { events, head } => println!("完好: {events} 个事件，链头 {head}"),
                Verdict::Broken {
                    seq,
                    reason,
                    checked,
                } => {
                    println!("损坏: 第 {seq} 号事件 — {reason}（此前 {checked} 个事件完好）");
                    return Ok(std::process::ExitCode::from(2));
                }
            }
            if let Some(dir) = checkpoints {
                let key = match public_key {
                    Some(k) => k,
                    None => config::data_dir(&db.db, None, "checkpoint-key")
                        .display()
                        .to_string(),
                };
                let code = checkpoints::verify(&store, &dir, &key).await?;
                if code != 0 {
                    return Ok(std::process::ExitCode::from(code));
                }
            }
        }
        Command::Backup {
            db,
            to,
            files,
            without_keys,
        } => backup::backup(&db, &to, files, without_keys).await?,
        Command::Restore {
            from,
            db,
            files,
            index,
            keys,
            checkpoint,
        } => {
            let code = backup::restore(&from, &db, files, index, keys).await?;
            if code == std::process::ExitCode::SUCCESS {
                let store = config::open(&db).await?;
                checkpoint.write(&store, &db.db, Kind::Restore).await?;
            }
            return Ok(code);
        }
        Command::Checkpoint { db, checkpoint } => {
            if checkpoint.checkpoints.is_none() {
                return Err("请用 --checkpoints 指定检查点目录".into());
            }
            let store = config::open(&db).await?;
            checkpoint.write(&store, &db.db, Kind::Periodic).await?;
        }
        Command::RotateKey { db } => keys::rotate(&db).await?,
        Command::Repack { db } => {
            let store = config::open(&db).await?;
            let count = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let shown = progress::Following::start(progress::bar(0, "行"), count.clone());
            let done = store.repack(&count).await.map_err(|e| e.to_string())?;
            shown.finish();
            store.close().await;
            println!(
                "已压缩 {} 个信访事项的状态和 {} 个事件（内容与哈希链不变）；SQLite 用 VACUUM、PostgreSQL 用 VACUUM FULL 收回空出的空间",
                done.cases, done.events
            );
        }
        Command::Import(args) => import::run(args).await?,
        Command::Export(args) => export::run(args).await?,
        Command::ImportOrg(args) => import_org::import(args).await?,
        Command::ExportOrg(args) => import_org::export(args).await?,
        Command::Holidays => print!("{}", xinfang_domain::Calendar::official().to_toml()),
        Command::Bench { which } => bench::run(which).await?,
        Command::Routing { command } => routing::run(command).await?,
        Command::Replies { command } => replies::run(command)?,
        Command::Hot { command } => hot::run(command)?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}

async fn print_demo_logins(store: &xinfang_store::Store) {
    let Ok(people) = store.people().await else {
        return;
    };
    let org = store.org();
    println!("演示账号（密码均为 {}）:", xinfang_demo::DEMO_PASSWORD);
    for p in people.iter().filter(|p| !p.username.contains("_v")) {
        let unit = org.get(p.unit).map(|u| u.name.as_str()).unwrap_or("");
        let roles: Vec<&str> = p.roles.iter().map(|r| r.label()).collect();
        println!(
            "  {:<18} {}  {}  {}",
            p.username,
            p.name,
            unit,
            roles.join("、")
        );
    }
}

/// `10.0.0.5` or `10.0.0.0/24`.
fn parse_net(s: &str) -> Result<ipnet::IpNet, String> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("不是 IP 地址或网段: {s}"))
}

/// `https://host[:port][/prefix]`, without a trailing slash.
fn parse_public_url(s: &str) -> Result<String, String> {
    let s = s.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(|| format!("应以 https:// 或 http:// 开头: {s}"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(format!("不是有效的地址: {s}"));
    }
    Ok(s.to_string())
}
