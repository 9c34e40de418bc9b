//! The officer workbench: server-rendered pages in Chinese, cookie sessions, CSRF on every form,
//! a Content-Security-Policy that allows only our own scripts and styles.

// Handlers return error pages as `Err(Response)`; each is built once per request, so boxing
// the large variant would save nothing.
#[allow(clippy::result_large_err)]
mod admin;
mod campaigns;
mod case_page;
#[allow(clippy::result_large_err)]
mod conference;
mod csrf;
#[allow(clippy::result_large_err)]
mod dispatch;
mod documents;
#[allow(clippy::result_large_err)]
mod duty;
mod form;
pub(crate) mod frame;
mod hot;
mod imports;
mod intake;
mod knowledge;
#[allow(clippy::result_large_err)]
mod leadership;
#[allow(clippy::result_large_err)]
mod ledger;
#[allow(clippy::result_large_err)]
mod reception;
mod review;
mod search;
#[allow(clippy::result_large_err)]
mod session;
mod unit_keys;
pub(crate) use session::session_cookie;
#[allow(clippy::result_large_err)]
mod stats;
#[allow(clippy::result_large_err)]
mod supervision;
mod worklist;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

pub use csrf::{CSRF_FIELD, csrf_token};
pub use session::{SESSION_COOKIE, UiOfficer};

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

pub fn routes() -> Router<AppState> {
    with_security_headers(pages())
}

fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(worklist::worklist))
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route(
            "/password",
            get(session::password_form).post(session::change_password),
        )
        .route(
            "/cases/new",
            get(intake::new_case_form).post(intake::create_case),
        )
        .route("/cases/petitioner-cases", get(intake::petitioner_cases))
        .route("/cases/routing-suggest", get(intake::routing_suggest))
        .route("/cases/{id}", get(case_page::case_page))
        .route("/cases/{id}/act", post(case_page::act))
        .route("/cases/{id}/personal-data", post(case_page::personal_data))
        .route("/cases/{id}/documents/{seq}", get(documents::document))
        .route("/cases/{id}/draft", get(documents::draft_preview))
        .route("/cases/{id}/reply-check", post(case_page::reply_check))
        .route("/cases/{id}/attachments/{n}", get(documents::attachment))
        .route("/search", get(search::search))
        .route("/search/export", get(search::export))
        .route("/stats", get(stats::page))
        .route("/hot", get(hot::hot_page))
        .route("/knowledge", get(knowledge::page).post(knowledge::act))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/{id}", get(campaigns::one))
        .route("/campaigns/{id}/act", post(campaigns::act))
        .route("/leadership", get(leadership::page))
        .route("/reception", get(reception::list).post(reception::act_list))
        .route("/reception/{id}", get(reception::session))
        .route("/reception/{id}/act", post(reception::act))
        .route("/cases/{id}/review", post(review::review))
        .route("/cases/{id}/follow-up", post(review::follow_up))
        .route("/duty", get(duty::page).post(duty::act))
        .route("/duty/incidents/{id}/report", post(duty::report))
        .route("/ledger", get(ledger::list).post(ledger::create))
        .route("/ledger/{id}", get(ledger::one))
        .route("/ledger/{id}/act", post(ledger::act))
        .route("/leadership/{id}/act", post(leadership::act))
        .route("/cases/{id}/ownership", post(leadership::attach))
        .route(
            "/conference",
            get(conference::list).post(conference::convene),
        )
        .route("/conference/agenda", post(conference::propose))
        .route("/conference/{id}", get(conference::meeting))
        .route("/conference/{id}/act", post(conference::act))
        .route("/supervision", get(supervision::list))
        .route("/supervision/{id}", get(supervision::one))
        .route("/supervision/{id}/act", post(supervision::act))
        .route("/cases/{id}/supervision", post(supervision::raise))
        .route("/stats/export.xlsx", get(stats::export_assessment))
        .route("/stats/volume.xlsx", get(stats::export_volume))
        .route("/stats/issue", post(stats::issue))
        .route("/stats/issued/{file}", get(stats::issued))
        .route("/admin", get(admin::page))
        .route("/admin/units", post(admin::create_unit))
        .route("/admin/people", post(admin::create_person))
        .route("/admin/accounts", post(admin::act_on_account))
        .route("/admin/api-keys", post(admin::create_api_key))
        .route("/admin/calendar", post(admin::set_calendar_year))
        .route("/admin/synonyms", post(admin::set_synonyms))
        .route("/admin/dispatch", get(dispatch::page).post(dispatch::act))
        .route(
            "/admin/dispatch/import",
            post(dispatch::import).layer(DefaultBodyLimit::max(
                crate::app::imports::MAX_UPLOAD_BYTES + 64 * 1024,
            )),
        )
        .route("/admin/dispatch/catalogue.xlsx", get(dispatch::export))
        .route("/admin/api-keys/revoke", post(admin::revoke_api_key))
        .route(
            "/admin/import",
            get(imports::list)
                .post(imports::upload)
                .layer(DefaultBodyLimit::max(
                    crate::app::imports::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route(
            "/admin/import/org",
            get(imports::org_form)
                .post(imports::org_upload)
                .layer(DefaultBodyLimit::max(
                    2 * crate::app::imports::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
        .route("/admin/import/org/{file}", get(imports::org_export))
        .route("/admin/import/{id}", get(imports::job).post(imports::act))
        .route("/admin/import/{id}/report.xlsx", get(imports::report))
        .route(
            "/static/app.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    include_str!("../../static/app.css"),
                )
                    .into_response()
            }),
        )
        .route(
            "/static/charts.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    include_str!("../../static/charts.js"),
                )
                    .into_response()
            }),
        )
        .route(
            "/static/vendor/echarts.min.js",
            get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
                        (header::CACHE_CONTROL, "public, max-age=86400"),
                    ],
                    include_str!("../../static/vendor/echarts-6.1.0.common.min.js"),
                )
                    .into_response()
            }),
        )
        .route(
            "/static/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    include_str!("../../static/app.js"),
                )
                    .into_response()
            }),
        )
}

/// CSP, no framing, no sniffing, same-origin referrers: for every page we serve.
pub fn with_security_headers(router: Router<AppState>) -> Router<AppState> {
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
}
