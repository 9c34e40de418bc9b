//! The citizens' portal at `/public`: petition online without logging in, follow the case by
//! query code, rate the answer and appeal it. Mobile-first pages; abuse is held off by
//! per-address limits, a proof of work on submission and a cap on concurrent uploads.

mod faq;
#[allow(clippy::result_large_err)]
mod submit;
pub(crate) use submit::intake_office;
#[allow(clippy::result_large_err)]
mod track;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::AppState;
use xinfang_domain::vocab::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS};

/// A submission's largest body: the files and the form around them.
pub const MAX_SUBMISSION_BYTES: usize =
    MAX_ATTACHMENTS * MAX_ATTACHMENT_BYTES as usize + 512 * 1024;

pub fn routes() -> Router<AppState> {
    crate::ui::with_security_headers(pages())
}

fn pages() -> Router<AppState> {
    Router::new()
        .route("/public", get(submit::form))
        .route(
            "/public/petitions",
            post(submit::submit).layer(DefaultBodyLimit::max(MAX_SUBMISSION_BYTES)),
        )
        .route("/public/track", get(track::page).post(track::lookup))
        .route("/public/faq", get(faq::page))
        .route("/public/track/act", post(track::act))
        .route(
            "/static/portal.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    include_str!("../../static/portal.js"),
                )
                    .into_response()
            }),
        )
        .route(
            "/static/vendor/js-sha256.min.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    include_str!("../../static/vendor/js-sha256-1.0.0.min.js"),
                )
                    .into_response()
            }),
        )
}
