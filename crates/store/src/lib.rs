//! Storage: the hash-chained event log and the read models, on SQLite (embedded default) or PostgreSQL.
//!
//! All writes go through one writer task ([`writer`]) that batches concurrent commands into one
//! transaction (group commit): each acknowledged command is durable, the chain stays linear, and
//! decisions always see the latest state. Reads go straight to the pool.

pub mod accounts;
pub mod auth;
pub mod backup;
pub mod calendar;
pub mod chain;
pub mod checkpoint;
pub mod clock;
pub mod conference;
pub mod drill;
pub mod duty;
pub mod error;
mod figures;
pub mod hot;
pub mod import_jobs;
pub mod issued;
pub mod ledger;
pub mod open311;
pub mod org;
pub mod org_details;
pub mod outbox;
pub mod ownership;
pub mod packed;
pub mod personal;
pub mod personal_log;
pub mod read;
pub mod reception;
pub mod records;
pub mod repack;
pub mod request_keys;
pub mod review;
pub mod routing;
mod rows;
pub mod shared;
pub mod stats;
pub mod supervision;
pub mod sweep;
mod synonyms;
pub mod testing;
pub mod writer;

use std::str::FromStr;
use std::sync::{Arc, RwLock};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};
use xinfang_domain::{Calendar, OrgChart, Policy};

/// How long a request waits for a database connection: while the database is away, requests
/// are refused (503 `storage_unavailable`) after this, not held for ever.
const ACQUIRE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub use clock::Clock;
pub use error::StoreError;
pub use writer::{ImportCase, Who, allot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Shared configuration of a running store.
pub struct Settings {
    pub policy: Policy,
    /// The holiday calendar a new database starts with (the official tables by default); after
    /// that the calendar lives in the database.
    pub calendar: Calendar,
    pub clock: Clock,
    /// Where the key protecting petitioners' personal data comes from.
    pub personal_key: personal::KeySource,
    /// The address where petitioners follow their case (`…/public/track`), named in their
    /// notices when the server knows its public address.
    pub tracking_url: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        let policy = Policy::default();
        let clock = Clock::system(&policy.timezone).expect("the default time zone is known");
        Settings {
            policy,
            calendar: Calendar::official(),
            clock,
            personal_key: personal::KeySource::default(),
            tracking_url: None,
        }
    }
}

#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    pub(crate) org: Arc<RwLock<Arc<OrgChart>>>,
    /// The holiday calendar in force (the database's).
    pub(crate) calendar: Arc<RwLock<Arc<Calendar>>>,
    pub(crate) settings: Arc<Settings>,
    pub(crate) writer: writer::Handle,
    pub(crate) health: Arc<writer::Health>,
    pub(crate) committed: tokio::sync::watch::Receiver<i64>,
    /// The keys of the petitioner store.
    pub(crate) keys: Arc<personal::Keyring>,
    local_dir: Option<std::path::PathBuf>,
}

impl Store {
    /// Opens (creating an SQLite file if needed), migrates and starts the writer.
    pub async fn open(url: &str, settings: Settings) -> Result<Store, StoreError> {
        let (backend, url, pool) = connect(url).await?;
        let local_dir = sqlite_dir(backend, &url);
        migrate(&pool, backend).await?;
        let now = settings.clock.now_ms();
        let keys =
            Arc::new(personal::resolve(&settings.personal_key, backend, &url, &pool, now).await?);
        personal::legacy::migrate(&pool, backend, &keys, now).await?;
        figures::build_if_stale(&pool, backend).await?;
        let mut conn = pool.acquire().await?;
        let org = Arc::new(RwLock::new(Arc::new(org::load_org(&mut conn).await?)));
        let stored = calendar::load(&mut conn).await?;
        drop(conn);
        let seed = stored.is_none().then(|| settings.calendar.clone());
        let calendar = Arc::new(RwLock::new(Arc::new(stored.unwrap_or_default())));
        let settings = Arc::new(settings);
        let health = Arc::new(writer::Health::default());
        let (writer, committed) = writer::start(
            pool.clone(),
            backend,
            org.clone(),
            calendar.clone(),
            settings.clone(),
            health.clone(),
            keys.clone(),
        )
        .await?;
        let store = Store {
            pool,
            backend,
            org,
            calendar,
            settings,
            writer,
            health,
            committed,
            keys,
            local_dir,
        };
        // A new database starts with the built-in (or configured) official tables, in the log.
        if let Some(seed) = seed {
            store.import_calendar(&seed, Who::System).await?;
        }
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The directory holding an SQLite database (its journal grows there too); `None` for
    /// PostgreSQL, whose disk is the server's.
    pub fn local_dir(&self) -> Option<std::path::PathBuf> {
        self.local_dir.clone()
    }

    pub fn org(&self) -> Arc<OrgChart> {
        self.org.read().expect("org lock").clone()
    }

    pub fn policy(&self) -> &Policy {
        &self.settings.policy
    }

    /// The holiday calendar in force.
    pub fn calendar(&self) -> Arc<Calendar> {
        self.calendar.read().expect("calendar lock").clone()
    }

    /// The keys of the petitioner store (the backup writes them beside the tables).
    pub fn personal_keys(&self) -> &personal::Keyring {
        &self.keys
    }

    pub fn clock(&self) -> &Clock {
        &self.settings.clock
    }

    /// How the writer fares (refused batches, a failing commit).
    pub fn health(&self) -> &writer::Health {
        &self.health
    }

    /// Follows the sequence number of the last committed event.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<i64> {
        self.committed.clone()
    }

    /// Direct pool access for tests and tools that inspect the raw tables.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// After a bulk load (the demo, an import, a restore): SQLite moves the write-ahead log
    /// into the database file (so that the file is the database's size), PostgreSQL refreshes
    /// the planner's statistics (without them a fresh million-case database plans a unit's
    /// subtree list as a scan: seconds instead of milliseconds) and its visibility map (without
    /// it the count under a list reads the table's rows instead of only the index: 17 ms
    /// instead of 0.7 for a department's open cases at 1M).
    pub async fn after_bulk_load(&self) -> Result<(), StoreError> {
        let statement = match self.backend {
            Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
            Backend::Postgres => "VACUUM (ANALYZE)",
        };
        sqlx::query(sqlx::AssertSqlSafe(statement))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// `sqlite://PATH` (created if missing) or `postgres://…`; a bare path means SQLite.
/// A pool on the database at `url` (creating an SQLite file if needed), as the store uses it:
/// the backend, the normalised URL and the pool. Nothing is migrated yet.
pub(crate) async fn connect(url: &str) -> Result<(Backend, String, AnyPool), StoreError> {
    sqlx::any::install_default_drivers();
    let (backend, url) = normalise_url(url)?;
    // Statements are logged by our own tracing where it matters; sqlx's per-statement logs
    // would print whole multi-row inserts.
    let options = AnyConnectOptions::from_str(&url)?
        .log_statements(tracing::log::LevelFilter::Off)
        .log_slow_statements(
            tracing::log::LevelFilter::Off,
            std::time::Duration::from_secs(1),
        );
    let pool = match backend {
        Backend::Sqlite => {
            AnyPoolOptions::new()
                .max_connections(8)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .after_connect(|conn, _| {
                    Box::pin(async move {
                        // WAL lets readers run beside the writer; FULL makes every commit durable;
                        // secure_delete zeroes what a row leaves behind in its page (an erased
                        // petitioner record does not linger in the file).
                        conn.execute(
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; \
                             PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; \
                             PRAGMA secure_delete=FAST;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect_with(options)
                .await?
        }
        Backend::Postgres => {
            AnyPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await?
        }
    };
    Ok((backend, url, pool))
}

/// Brings the schema up to this build's migrations.
pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(pool).await?,
        Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(pool).await?,
    }
    Ok(())
}

/// The directory of an SQLite database's file, from its normalised URL.
fn sqlite_dir(backend: Backend, url: &str) -> Option<std::path::PathBuf> {
    if backend != Backend::Sqlite {
        return None;
    }
    let path = url.strip_prefix("sqlite://")?.split('?').next()?;
    let dir = std::path::Path::new(path).parent()?;
    Some(if dir.as_os_str().is_empty() {
        ".".into()
    } else {
        dir.to_path_buf()
    })
}

pub fn normalise_url(url: &str) -> Result<(Backend, String), StoreError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok((Backend::Postgres, url.to_string()))
    } else if let Some(rest) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        let sep = if rest.contains('?') { '&' } else { '?' };
        let mode = if rest.contains("mode=") {
            String::new()
        } else {
            format!("{sep}mode=rwc")
        };
        Ok((Backend::Sqlite, format!("sqlite://{rest}{mode}")))
    } else if !url.contains("://") {
        Ok((Backend::Sqlite, format!("sqlite://{url}?mode=rwc")))
    } else {
        Err(StoreError::Config(format!(
            "不支持的数据库地址: {url}（应为 sqlite://文件 或 postgres://…）"
        )))
    }
}
