//! The OpenAPI description of `/api/v1`, generated from the handlers and types.

use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api::{
    calendar, campaigns, cases, conference, dispatch, duty, hot, knowledge, leadership, ledger,
    org, public, reception, replies, review, routing, session, stats, supervision,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "xinfang 信访工作平台 API", description = "信访事项登记、分流、受理、办理、答复、评价、复查复核。错误返回 `{\"error\":{\"code\",\"message\"}}`。"),
    paths(
        session::login, session::logout, session::me, session::change_password,
        org::accounts, org::act_on_account, org::security_log, org::personal_data_log,
        org::list_units, org::create_unit, org::list_people, org::create_person, org::policy,
        calendar::get, calendar::set_year,
        cases::create, cases::list, cases::search, cases::similar, cases::get_one, cases::timeline, cases::act, cases::personal_data,
        routing::suggest, routing::acceptance, replies::check, hot::issues, hot::warnings,
        campaigns::list, campaigns::create, campaigns::get_one, campaigns::act,
        knowledge::list, knowledge::create, knowledge::get_one, knowledge::act, knowledge::faq,
        dispatch::list, dispatch::create, dispatch::get_one, dispatch::act,
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
    modifiers(&Bearer, &CommonErrors, &IdempotencyKey),
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

/// The refusals any operation may answer before or besides its own logic, documented on every
/// operation so that a client (and schemathesis) meets no undocumented status: a path, query or
/// body that cannot be read (400), no or an ended session (401), not theirs (403), a missing
/// record (404), a request too slow (408), text the text rule refuses (422), a rate limit (429,
/// `Retry-After`), storage full or away (503); with a body also a conflict (409), a body too large
/// (413) and one that is not JSON (415).
struct CommonErrors;

const ALWAYS: &[(&str, &str)] = &[
    ("400", "请求无法解析（路径、查询参数或 JSON）"),
    ("401", "未登录或会话已结束"),
    ("403", "无权执行"),
    ("404", "对象不存在，或不在调用者可见范围"),
    ("408", "请求超时"),
    ("422", "输入不符合要求（含不允许的字符）"),
    ("429", "过于频繁（见 Retry-After）"),
    ("503", "存储空间已满或数据库暂时不可用"),
];
const WITH_BODY: &[(&str, &str)] = &[
    ("409", "与当前状态或版本冲突"),
    ("413", "请求内容过大"),
    ("415", "请求须为 application/json"),
];

impl Modify for CommonErrors {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |description: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("ErrorBody")))
                            .build(),
                    )
                    .build(),
            )
        };
        for item in openapi.paths.paths.values_mut() {
            let ops = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                let extra = if op.request_body.is_some() {
                    WITH_BODY
                } else {
                    &[]
                };
                for (code, description) in ALWAYS.iter().chain(extra) {
                    op.responses
                        .responses
                        .entry((*code).to_string())
                        .or_insert_with(|| error(description));
                }
            }
        }
    }
}

/// Every POST (a create or an act) takes an optional `Idempotency-Key` (see [`crate::once`]).
struct IdempotencyKey;

impl Modify for IdempotencyKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        use utoipa::openapi::{RefOr, Required};
        for item in openapi.paths.paths.values_mut() {
            let Some(op) = item.post.as_mut() else {
                continue;
            };
            let key = ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some(
                    "同一用户24小时内以同一键重发的请求只执行一次，返回首次结果（响应头 Idempotent-Replayed: true）；同一键用于不同请求返回 422 idempotency_key_reused",
                ))
                .schema(Some(RefOr::T(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(100))
                        .pattern(Some("^[!-~]+$"))
                        .into(),
                )))
                .build();
            op.parameters
                .get_or_insert_with(Vec::new)
                .push(RefOr::T(key));
        }
    }
}

pub async fn serve() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
