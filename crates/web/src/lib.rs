//! HTTP for xinfang: the JSON API under `/api/v1` with its OpenAPI description, and the
//! petitioner's public case view. Handlers turn requests into domain commands and hand them to
//! the store; they never write SQL.

pub mod api;
pub mod app;
pub mod error;
pub mod export;
pub mod extract;
pub mod limits;
pub mod notify;
#[allow(clippy::result_large_err)]
pub mod open311;
pub mod openapi;
pub mod portal;
pub mod pow;
pub mod ui;
pub mod views;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use xinfang_store::Store;

/// Largest JSON body the API takes (a petition's content is at most 20,000 characters).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Full-text search over case titles and contents.
    pub text: xinfang_text::TextSearch,
    pub sessions: Arc<extract::SessionCache>,
    pub limits: Arc<limits::RateLimits>,
    /// Mark the session cookie `Secure` (browsers then send it over HTTPS and to localhost only).
    pub secure_cookies: bool,
    /// Attachment files of petitions.
    pub files: xinfang_store::files::FileStore,
    /// The proof of work asked of anonymous submissions.
    pub pow: Arc<pow::ProofOfWork>,
    /// Uploads received at once; more are turned away so that a flood cannot fill memory or disk
    /// bandwidth that the officers' pages need.
    pub uploads: Arc<tokio::sync::Semaphore>,
}

/// Difficulty of the submission proof of work: about 2^18 hashes, a second or two in a phone's
/// browser.
pub const POW_BITS: u32 = 18;
/// Submissions received at the same time.
pub const MAX_CONCURRENT_UPLOADS: usize = 8;

impl AppState {
    pub fn new(
        store: Store,
        text: xinfang_text::TextSearch,
        files: xinfang_store::files::FileStore,
    ) -> Self {
        AppState {
            store,
            text,
            files,
            pow: Arc::new(pow::ProofOfWork::new(POW_BITS)),
            uploads: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_UPLOADS)),
            sessions: Arc::new(extract::SessionCache::default()),
            limits: Arc::new(limits::RateLimits::default()),
            secure_cookies: true,
        }
    }
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api::routes())
        .merge(ui::routes())
        .merge(portal::routes())
        .merge(open311::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
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

/// Serves until the process is stopped; closes lapsed cases in the background.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    spawn_sweeper(state.store.clone());
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

/// Once a minute: closes cases whose appeal window has lapsed, raises the supervision now due,
/// drops expired sessions. Idempotent, so restarts are harmless.
pub fn spawn_sweeper(store: Store) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        let mut mark = xinfang_store::sweep::SweepMark::default();
        loop {
            tick.tick().await;
            match store.close_lapsed().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(closed = n, "closed cases whose appeal window lapsed"),
                Err(e) => tracing::warn!(error = %e, "sweeper failed; will retry"),
            }
            match store.sweep_mechanisms(&mut mark).await {
                Ok((0, 0)) => {}
                Ok((raised, proposed)) => tracing::info!(
                    raised,
                    proposed,
                    "raised supervision of late or bouncing cases; proposed cases for the joint conference"
                ),
                // The mark is kept: the next tick retries the same pass.
                Err(e) => {
                    tracing::warn!(error = %e, "supervision or conference sweep failed; will retry")
                }
            }
            if let Err(e) = store.purge_sessions().await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
