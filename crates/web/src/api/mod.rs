//! The JSON API under `/api/v1`.

pub mod calendar;
pub mod campaigns;
pub mod cases;
pub mod conference;
pub mod dispatch;
pub mod duty;
pub mod hot;
pub mod knowledge;
pub mod leadership;
pub mod ledger;
pub mod org;
pub mod public;
pub mod reception;
pub mod replies;
pub mod review;
pub mod routing;
pub mod session;
pub mod stats;
pub mod supervision;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/session", post(session::login).delete(session::logout))
        .route("/me", get(session::me))
        .route("/me/password", axum::routing::put(session::change_password))
        .route("/accounts", get(org::accounts))
        .route("/people/{id}/actions", post(org::act_on_account))
        .route("/security-log", get(org::security_log))
        .route("/personal-data-log", get(org::personal_data_log))
        .route("/units", get(org::list_units).post(org::create_unit))
        .route("/people", get(org::list_people).post(org::create_person))
        .route("/policy", get(org::policy))
        .route("/calendar", get(calendar::get))
        .route("/calendar/{year}", axum::routing::put(calendar::set_year))
        .route("/cases", get(cases::list).post(cases::create))
        .route("/cases/search", get(cases::search))
        .route("/cases/similar", get(cases::similar))
        .route("/replies/check", post(replies::check))
        .route("/hot-issues", get(hot::issues))
        .route("/hot-issues/warnings", get(hot::warnings))
        .route("/knowledge", get(knowledge::list).post(knowledge::create))
        .route("/knowledge/{id}", get(knowledge::get_one))
        .route("/knowledge/{id}/actions", post(knowledge::act))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/{id}", get(campaigns::get_one))
        .route("/campaigns/{id}/actions", post(campaigns::act))
        .route("/routing/suggest", post(routing::suggest))
        .route("/routing/acceptance", get(routing::acceptance))
        .route(
            "/dispatch-rules",
            get(dispatch::list).post(dispatch::create),
        )
        .route("/dispatch-rules/{id}", get(dispatch::get_one))
        .route("/dispatch-rules/{id}/actions", post(dispatch::act))
        .route("/cases/{id}", get(cases::get_one))
        .route("/cases/{id}/timeline", get(cases::timeline))
        .route("/cases/{id}/actions", post(cases::act))
        .route("/cases/{id}/personal-data", post(cases::personal_data))
        .route("/cases/{id}/ownership", post(leadership::attach))
        .route("/leadership", get(leadership::list))
        .route("/reception/days", get(reception::days))
        .route(
            "/reception/rotation",
            axum::routing::put(reception::rotation),
        )
        .route(
            "/reception/sessions",
            get(reception::sessions).post(reception::arrange),
        )
        .route("/reception/sessions/{id}", get(reception::session))
        .route("/reception/sessions/{id}/actions", post(reception::act))
        .route("/reception/sessions/{id}/cases", post(reception::register))
        .route("/cases/{id}/review", post(review::review))
        .route("/cases/{id}/follow-ups", post(review::follow_up))
        .route("/cases/{id}/reviews", get(review::list))
        .route("/duty", get(duty::roster).put(duty::set))
        .route("/incidents", get(duty::incidents).post(duty::note))
        .route("/incidents/{id}/report", post(duty::report))
        .route("/ledger", get(ledger::list).post(ledger::create))
        .route("/ledger/{id}", get(ledger::get_one))
        .route("/ledger/{id}/actions", post(ledger::act))
        .route("/ledger/{id}/case", post(ledger::to_case))
        .route("/leadership/{id}/actions", post(leadership::act))
        .route("/stats/assessment", get(stats::assessment))
        .route("/stats/volume", get(stats::volume))
        .route("/stats/cases", get(stats::cases_behind))
        .route("/stats/ranking", get(stats::ranking))
        .route("/stats/backlog", get(stats::backlog))
        .route("/stats/bounced", get(stats::bounced))
        .route(
            "/supervision",
            get(supervision::list).post(supervision::raise),
        )
        .route("/supervision/{id}", get(supervision::get_one))
        .route("/supervision/{id}/actions", post(supervision::act))
        .route(
            "/conference/meetings",
            get(conference::meetings).post(conference::convene),
        )
        .route("/conference/meetings/{id}", get(conference::meeting))
        .route(
            "/conference/meetings/{id}/minutes",
            post(conference::minutes),
        )
        .route("/conference/meetings/{id}/tasks", post(conference::decide))
        .route(
            "/conference/agenda",
            get(conference::agenda).post(conference::propose),
        )
        .route("/conference/tasks", get(conference::tasks))
        .route(
            "/conference/tasks/{id}/complete",
            post(conference::complete),
        )
        .route("/public/faq", get(knowledge::faq))
        .route("/public/cases/{query_code}", get(public::get_case))
        .route("/public/cases/{query_code}/actions", post(public::act))
        .route("/openapi.json", get(crate::openapi::serve))
        .fallback(|| async { crate::error::ApiError::not_found("接口") })
}
