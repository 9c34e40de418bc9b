//! HTTP for xinfang: the JSON API under `/api/v1` with its OpenAPI description, the officers'
//! workbench, the citizens' portal and Open311. Handlers turn requests into calls of the
//! application layer ([`app`]), which asks the domain's access rules and the store; nothing
//! here writes SQL. [`App::build`] wires everything, for the binary and the tests alike.

pub mod api;
pub mod app;
mod background;
pub mod error;
pub mod export;
pub mod extract;
pub mod limits;
pub mod once;
#[allow(clippy::result_large_err)]
pub mod open311;
pub mod openapi;
pub mod portal;
pub mod pow;
mod readiness;
mod text_guard;
pub mod ui;
pub mod views;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use xinfang_adapters::files::FileStore;
use xinfang_adapters::notify::{Sender, spawn_delivery};
use xinfang_store::{Settings, Store};

/// Largest JSON body the API takes (a petition's content is at most 20,000 characters).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Full-text search over case titles and contents.
    pub text: xinfang_text::TextSearch,
    /// Routing suggestions learned from the office's own decisions.
    pub router: xinfang_text::routing::Router,
    /// Hot issues: cases grouped by matter as they are committed, with their warnings.
    pub hot: xinfang_text::hot::HotIssues,
    /// The knowledge base in force, searchable.
    pub knowledge: xinfang_text::knowledge::KnowledgeSearch,
    pub sessions: Arc<extract::SessionCache>,
    pub limits: Arc<limits::RateLimits>,
    /// Mark the session cookie `Secure` (browsers then send it over HTTPS and to localhost only).
    pub secure_cookies: bool,
    /// Attachment files of petitions.
    pub files: FileStore,
    /// The proof of work asked of anonymous submissions.
    pub pow: Arc<pow::ProofOfWork>,
    /// Uploads received at once; more are turned away so that a flood cannot fill memory or disk
    /// bandwidth that the officers' pages need.
    pub uploads: Arc<tokio::sync::Semaphore>,
    /// Local directories the server writes to (the SQLite file's, the index, the attachments),
    /// whose free space `/readyz` watches.
    pub disks: Arc<[PathBuf]>,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (the TLS proxy in
    /// front); everyone else's address is the connection's.
    pub trusted_proxies: Arc<[ipnet::IpNet]>,
    /// A session unused this long has ended.
    pub idle_timeout: Duration,
    /// The address citizens and partner systems reach this server at (`https://xinfang.city.gov.cn`),
    /// for absolute links such as Open311's discovery; from each request's Host when unset.
    pub public_url: Option<Arc<str>>,
}

/// Difficulty of the submission proof of work: about 2^18 hashes, a second or two in a phone's
/// browser.
pub const POW_BITS: u32 = 18;
/// A session unused this long ends (an officer who left the desk); `serve --idle-minutes`.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// The hot issues' snapshot, in the text index's directory.
pub const HOT_SNAPSHOT: &str = "hot-issues.snapshot";
/// Submissions received at the same time.
pub const MAX_CONCURRENT_UPLOADS: usize = 8;

impl AppState {
    /// The state of a server on `store` (within the runtime: the routing suggestions start
    /// following the log).
    pub fn new(store: Store, text: xinfang_text::TextSearch, files: FileStore) -> Self {
        let router = xinfang_text::routing::Router::default();
        router.follow(store.clone());
        // The hot issues' snapshot lives with the text index: both are derived from the log.
        let hot = xinfang_text::hot::HotIssues::start(
            store.clone(),
            text.dir().map(|d| d.join(HOT_SNAPSHOT)),
        );
        let knowledge = xinfang_text::knowledge::KnowledgeSearch::start(store.clone());
        AppState {
            hot,
            knowledge,
            store,
            text,
            files,
            router,
            pow: Arc::new(pow::ProofOfWork::new(POW_BITS)),
            uploads: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_UPLOADS)),
            sessions: Arc::new(extract::SessionCache::default()),
            limits: Arc::new(limits::RateLimits::default()),
            secure_cookies: true,
            disks: Arc::new([]),
            trusted_proxies: Arc::new([]),
            idle_timeout: IDLE_TIMEOUT,
            public_url: None,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(readiness::readyz))
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .merge(portal::routes())
        .merge(open311::routes())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            once::guard,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(text_guard::refuse_bad_text))
        .layer(axum::middleware::from_fn(no_store))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Failures are logged where they happen (ApiError logs internal errors once); logging
        // every refused request would let a flood fill the log.
        .layer(
            TraceLayer::new_for_http().on_failure(
                tower_http::trace::DefaultOnFailure::new().level(tracing::Level::DEBUG),
            ),
        )
        .with_state(state)
}

/// Nothing but the static assets may be kept by a browser or a proxy: the pages and the API
/// carry petitioners' personal data (a shared office computer's cache, a proxy's disk).
async fn no_store(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let cacheable = req.uri().path().starts_with("/static/");
    let mut response = next.run(req).await;
    if !cacheable {
        response.headers_mut().insert(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        );
    }
    response
}

/// A path no route has: Open311's error document under `/open311`, else a plain 404.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/open311") {
        open311::fallback(uri).await
    } else {
        axum::http::StatusCode::NOT_FOUND.into_response()
    }
}

/// How to run xinfang: where its data lives and what it talks to. `xinfang serve` makes it
/// from the command line; the tests make it around a fresh database.
pub struct Config {
    /// `sqlite://FILE` or `postgres://…`.
    pub db: String,
    pub settings: Settings,
    /// Directory of the full-text index (derived data, rebuilt when missing).
    pub index: PathBuf,
    /// Directory of petitions' attachment files.
    pub files: PathBuf,
    /// Mark the session cookie `Secure`.
    pub secure_cookies: bool,
    /// Senders of notices to petitioners; without any, notices wait in the outbox.
    pub senders: Vec<Arc<dyn Sender>>,
    /// How often the outbox is delivered (and at once after each commit).
    pub delivery_every: Duration,
    /// How often the background sweep runs.
    pub sweep_every: Duration,
    /// See [`AppState::trusted_proxies`].
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// See [`AppState::idle_timeout`].
    pub idle_timeout: Duration,
    /// See [`AppState::public_url`].
    pub public_url: Option<String>,
}

impl Config {
    /// The defaults of a deployment: secure cookies, no senders, delivery every 5 seconds, the
    /// sweep every minute.
    pub fn new(db: &str, settings: Settings, index: PathBuf, files: PathBuf) -> Config {
        Config {
            db: db.to_string(),
            settings,
            index,
            files,
            secure_cookies: true,
            senders: Vec::new(),
            delivery_every: Duration::from_secs(5),
            sweep_every: Duration::from_secs(60),
            trusted_proxies: Vec::new(),
            idle_timeout: IDLE_TIMEOUT,
            public_url: None,
        }
    }
}

/// A built xinfang: its state, and the background work it runs while it serves.
pub struct App {
    pub state: AppState,
    senders: Vec<Arc<dyn Sender>>,
    delivery_every: Duration,
    sweep_every: Duration,
}

impl App {
    /// Opens (and migrates) the database, the attachment files and the text index; nothing
    /// runs in the background until [`App::serve`].
    pub async fn build(config: Config) -> Result<App, String> {
        let store = Store::open(&config.db, config.settings)
            .await
            .map_err(|e| e.to_string())?;
        let mut disks = vec![config.index.clone(), config.files.clone()];
        disks.extend(store.local_dir());
        let files = FileStore::open(&config.files)
            .map_err(|e| format!("{}: {e}", config.files.display()))?;
        let index = xinfang_text::CaseIndex::open(&config.index)
            .map_err(|e| format!("{}: {e}", config.index.display()))?;
        let text = xinfang_text::TextSearch::start(store.clone(), index)
            .await
            .map_err(|e| e.to_string())?;
        // One signing key for every process on the database: a challenge drawn from one is
        // redeemed at another.
        let pow_key = store
            .shared_secret(pow::KEY_NAME)
            .await
            .map_err(|e| e.to_string())?;
        let state = AppState {
            secure_cookies: config.secure_cookies,
            pow: Arc::new(pow::ProofOfWork::with_key(pow_key, POW_BITS)),
            disks: disks.into(),
            trusted_proxies: config.trusted_proxies.into(),
            idle_timeout: config.idle_timeout,
            public_url: config.public_url.map(Into::into),
            ..AppState::new(store, text, files)
        };
        Ok(App {
            state,
            senders: config.senders,
            delivery_every: config.delivery_every,
            sweep_every: config.sweep_every,
        })
    }

    /// Serves on `listener` until the process is stopped, with the sweep and the delivery of
    /// notices running beside it.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        background::spawn_sweeper(self.state.store.clone(), self.sweep_every);
        background::spawn_log_follower(self.state.store.clone(), background::FOLLOW_EVERY);
        background::spawn_routing_trainer(
            self.state.store.clone(),
            self.state.router.clone(),
            background::RETRAIN_EVERY,
        );
        spawn_delivery(self.state.store.clone(), self.senders, self.delivery_every);
        let (hot, store) = (self.state.hot.clone(), self.state.store.clone());
        let app = router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await?;
        // The next start reads the hot issues instead of grouping every case again.
        if let Err(e) = hot.save(&store).await {
            tracing::warn!(error = %e, "hot issues: the snapshot could not be kept");
        }
        Ok(())
    }
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
