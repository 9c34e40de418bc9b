//! The OpenAPI description of `/api/v1`, generated from the handlers and types.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    calendar, cases, conference, duty, leadership, ledger, org, public, reception, review, session,
    stats, supervision,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "xinfang 信访工作平台 API", description = "信访事项登记、分流、受理、办理、答复、评价、复查复核。错误返回 `{\"error\":{\"code\",\"message\"}}`。"),
    paths(
        session::login, session::logout, session::me, session::change_password,
        org::accounts, org::act_on_account, org::security_log,
        org::list_units, org::create_unit, org::list_people, org::create_person, org::policy,
        calendar::get, calendar::set_year,
        cases::create, cases::list, cases::search, cases::similar, cases::get_one, cases::timeline, cases::act,
        public::get_case, public::act,
        stats::assessment, stats::volume, stats::cases_behind, stats::ranking, stats::backlog, stats::bounced,
        supervision::list, supervision::raise, supervision::get_one, supervision::act,
        conference::meetings, conference::convene, conference::meeting, conference::minutes, conference::decide,
        conference::agenda, conference::propose, conference::tasks, conference::complete,
        leadership::list, leadership::attach, leadership::act,
        ledger::list, ledger::create, ledger::get_one, ledger::act, ledger::to_case,
        duty::roster, duty::set, duty::incidents, duty::note, duty::report,
        review::review, review::follow_up, review::list,
        reception::days, reception::rotation, reception::sessions, reception::arrange, reception::session,
        reception::act, reception::register,
    ),
    components(schemas(xinfang_domain::NewCase, xinfang_domain::Command, xinfang_domain::case::Case, xinfang_domain::Event)),
    modifiers(&Bearer),
)]
pub struct ApiDoc;

struct Bearer;

impl Modify for Bearer {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
