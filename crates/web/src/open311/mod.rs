//! Open311 GeoReport v2 at `/open311/v2` (../shared/reference/open311): discovery, services from
//! the category taxonomy with their definitions, requests posted with an API key (each becomes an
//! online case), request lists and single requests, tokens; XML and JSON; the spec's errors.
//!
//! Petitions are not potholes: the public request views carry status, notes, dates and the
//! responsible agency, never the petitioner, and the description only to the key that posted it.

mod format;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Duration};
use xinfang_domain::vocab::PetitionClass;
use xinfang_domain::{CaseStatus, Channel, NewCase, Petitioner, UnitKind, taxonomy};
use xinfang_store::Who;
use xinfang_store::open311::{Request, RequestFilter};

use crate::AppState;
use crate::extract::ClientIp;
use format::{Format, Node, error, opt, respond, text};

const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";
/// A request list spans at most this long (the specification's 90 days).
const MAX_SPAN_DAYS: i64 = 90;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open311/{file}", get(discovery))
        .route("/open311/v2/{file}", get(top).post(post_request))
        .route("/open311/v2/services/{file}", get(service_definition))
        .route("/open311/v2/requests/{file}", get(one_request))
        .route("/open311/v2/tokens/{file}", get(token))
}

/// A request refused before it reached Open311 (the text rule), in the format its path asks for.
pub fn refused(path: &str, description: &str) -> Response {
    let f = if path.ends_with(".json") {
        Format::Json
    } else {
        Format::Xml
    };
    error(StatusCode::BAD_REQUEST, f, description)
}

/// A path Open311 does not have, answered in the format its extension asks for.
fn not_found_in(path: &str) -> Response {
    let f = if path.ends_with(".json") {
        Format::Json
    } else {
        Format::Xml
    };
    error(StatusCode::NOT_FOUND, f, "resource not found")
}

/// Any other path under `/open311`: the spec's error document, never an empty 404.
pub async fn fallback(uri: axum::http::Uri) -> Response {
    not_found_in(uri.path())
}

fn not_found() -> Response {
    error(
        StatusCode::NOT_FOUND,
        Format::Xml,
        "resource not found; use .xml or .json",
    )
}

async fn discovery(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    Path(file): Path<String>,
) -> Response {
    match Format::split(&file) {
        Some(("discovery", f)) => discovery_doc(&state, &parts, f).await,
        _ => not_found_in(&file),
    }
}

/// When the services or the regions last changed: the taxonomy's date in this build, or the
/// last unit created (the regions are the towns), whichever is later.
async fn changeset(state: &AppState) -> String {
    let clock = state.store.clock();
    let units = state
        .store
        .last_event_at("unit_created")
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    let taxonomy = DateTime::parse_from_rfc3339(taxonomy::CHANGED)
        .map(|d| d.timestamp_millis())
        .unwrap_or(0);
    clock.format_ms(units.max(taxonomy))
}

/// Where Open311 is served, absolute: `--public-url`, else the scheme and Host the request came
/// with (https when a trusted proxy says so).
fn base_url(state: &AppState, parts: &axum::http::request::Parts) -> String {
    if let Some(u) = &state.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = parts
        .headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if crate::extract::reached_over_https(parts, &state.trusted_proxies) {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

async fn discovery_doc(
    state: &AppState,
    parts: &axum::http::request::Parts,
    f: Format,
) -> Response {
    let changeset = changeset(state).await;
    let url = format!("{}/open311/v2", base_url(state, parts));
    let node = Node::Object(vec![
        ("changeset", text(changeset.clone())),
        ("contact", text("信访部门系统管理员（见网上信访页面）")),
        (
            "key_service",
            text("接口密钥由信访部门系统管理员在“系统管理”中发放"),
        ),
        (
            "endpoints",
            Node::List(
                "endpoint",
                vec![Node::Object(vec![
                    ("specification", text(SPEC)),
                    ("url", text(url)),
                    ("changeset", text(changeset.clone())),
                    ("type", text("production")),
                    (
                        "formats",
                        Node::List("format", vec![text("text/xml"), text("application/json")]),
                    ),
                ])],
            ),
        ),
    ]);
    respond(StatusCode::OK, f, "discovery", &node)
}

/// `discovery.*`, `services.*`, `requests.*` (GET).
async fn top(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    parts: axum::http::request::Parts,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((name, f)) = Format::split(&file) else {
        return not_found();
    };
    if let Err(e) = state.limits.check_public(ip) {
        return error(e.status, f, "too many requests; slow down");
    }
    match name {
        "discovery" => discovery_doc(&state, &parts, f).await,
        "services" => services(f),
        "requests" => list_requests(&state, f, &q).await,
        _ => error(StatusCode::NOT_FOUND, f, "resource not found"),
    }
}

fn services(f: Format) -> Response {
    let items = taxonomy::CATEGORIES
        .iter()
        .map(|c| {
            Node::Object(vec![
                ("service_code", text(c.code)),
                ("service_name", text(c.name)),
                (
                    "description",
                    text(format!(
                        "{}。提交时须填写 description（信访人的请求、事实和理由）。",
                        c.description.trim_end_matches('。')
                    )),
                ),
                ("metadata", Node::Bool(true)),
                ("type", text("realtime")),
                ("keywords", text(format!("{},{}", c.group, c.name))),
                ("group", text(c.group)),
            ])
        })
        .collect();
    respond(StatusCode::OK, f, "services", &Node::List("service", items))
}

/// The attributes every service asks for beyond the standard fields.
fn attributes(state: &AppState) -> Vec<Node> {
    let mut towns: Vec<String> = state
        .store
        .org()
        .units()
        .filter(|u| u.kind == UnitKind::Town)
        .map(|u| u.name.clone())
        .collect();
    towns.sort();
    let attr = |order: u32,
                code: &str,
                datatype: &str,
                required: bool,
                description: &str,
                values: Vec<Node>| {
        let mut fields = vec![
            ("variable", Node::Bool(true)),
            ("code", text(code)),
            ("datatype", text(datatype)),
            ("required", Node::Bool(required)),
            ("datatype_description", Node::Null),
            ("order", Node::Number(order.to_string())),
            ("description", text(description)),
        ];
        if !values.is_empty() {
            fields.push(("values", Node::List("value", values)));
        }
        Node::Object(fields)
    };
    vec![
        attr(
            1,
            "title",
            "string",
            false,
            "事项标题（100字以内；不填时取服务名称）",
            vec![],
        ),
        attr(
            2,
            "petitioner_name",
            "string",
            true,
            "信访人姓名（必填；也可以 last_name + first_name 提供）",
            vec![],
        ),
        attr(
            3,
            "id_number",
            "string",
            false,
            "信访人身份证号（18位，可不填）",
            vec![],
        ),
        attr(
            4,
            "region",
            "singlevaluelist",
            false,
            "事项所在乡镇（街道）",
            towns
                .into_iter()
                .map(|t| Node::Object(vec![("key", text(t.clone())), ("name", text(t))]))
                .collect(),
        ),
    ]
}

async fn service_definition(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some((code, f)) = Format::split(&file) else {
        return not_found();
    };
    if taxonomy::by_code(code).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            f,
            &format!("service_code {code} not found"),
        );
    }
    let node = Node::Object(vec![
        ("service_code", text(code)),
        ("attributes", Node::List("attribute", attributes(&state))),
    ]);
    respond(StatusCode::OK, f, "service_definition", &node)
}

/// Form fields, with `attribute[code]` collected apart.
fn parse_form(body: &[u8]) -> (HashMap<String, String>, HashMap<String, String>) {
    let mut fields = HashMap::new();
    let mut attrs = HashMap::new();
    for (k, v) in crate::extract::form_pairs(body) {
        if let Some(code) = k
            .strip_prefix("attribute[")
            .and_then(|r| r.split(']').next())
        {
            attrs.insert(code.to_string(), v);
        } else {
            fields.insert(k, v);
        }
    }
    (fields, attrs)
}

async fn post_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: axum::http::HeaderMap,
    Path(file): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let Some(("requests", f)) = Format::split(&file) else {
        return not_found_in(&file);
    };
    let is_form = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return error(
            StatusCode::BAD_REQUEST,
            f,
            "the request must be posted as application/x-www-form-urlencoded",
        );
    }
    if let Err(e) = state.limits.check_public(ip) {
        return error(e.status, f, "too many requests; slow down");
    }
    let (fields, attrs) = parse_form(&body);
    let get = |k: &str| {
        fields
            .get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let Some(key) = get("api_key") else {
        return error(StatusCode::FORBIDDEN, f, "api_key was not provided");
    };
    let key_id = match state.store.api_key_id(&key).await {
        Ok(Some(id)) => id,
        Ok(None) => {
            return error(
                StatusCode::FORBIDDEN,
                f,
                "Invalid api_key received -- can't proceed with create_request.",
            );
        }
        Err(_) => {
            return error(
                StatusCode::BAD_REQUEST,
                f,
                "general service error; try again later",
            );
        }
    };
    let Some(code) = get("service_code") else {
        return error(StatusCode::BAD_REQUEST, f, "service_code was not provided");
    };
    let Some(category) = taxonomy::by_code(&code) else {
        return error(
            StatusCode::NOT_FOUND,
            f,
            &format!("service_code {code} not found"),
        );
    };
    let lat = get("lat")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| (-90.0..=90.0).contains(v));
    let lon = get("long")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|v| (-180.0..=180.0).contains(v));
    let address = get("address_string").or_else(|| get("address_id"));
    if address.is_none() && (lat.is_none() || lon.is_none()) {
        return error(
            StatusCode::BAD_REQUEST,
            f,
            "a location is required: lat and long, address_string or address_id",
        );
    }
    let Some(description) = get("description") else {
        return error(StatusCode::BAD_REQUEST, f, "description was not provided");
    };
    if description.chars().count() > 4000 {
        return error(
            StatusCode::BAD_REQUEST,
            f,
            "description is limited to 4,000 characters",
        );
    }
    let attr = |k: &str| {
        attrs
            .get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let Some(name) = attr("petitioner_name").or_else(|| {
        let n = format!(
            "{}{}",
            get("last_name").unwrap_or_default(),
            get("first_name").unwrap_or_default()
        );
        (!n.is_empty()).then_some(n)
    }) else {
        return error(
            StatusCode::BAD_REQUEST,
            f,
            "attribute[petitioner_name] (or last_name and first_name) was not provided",
        );
    };
    let mut content = description;
    if let Some(m) = get("media_url") {
        content.push_str(&format!("\n附件链接：{m}"));
    }
    let location = match (&address, lat, lon) {
        (Some(a), _, _) => a.clone(),
        (None, Some(la), Some(lo)) => format!("{la:.6},{lo:.6}"),
        _ => String::new(),
    };
    let title = attr("title").unwrap_or_else(|| category.name.to_string());
    let class = if category.path() == "纪检监察/检举控告" {
        PetitionClass::Report
    } else {
        PetitionClass::suggest(&title, &content)
    };
    let new = NewCase {
        channel: Channel::Online,
        title,
        content,
        petitioner: Petitioner {
            name,
            id_number: attr("id_number"),
            phone: get("phone"),
            address: Some(location),
            email: get("email"),
        },
        category: Some(category.path()),
        region: attr("region"),
        collective: None,
        // As on the portal: the class the words suggest, for the sorting office to confirm.
        class: Some(class),
        is_report: category.path() == "纪检监察/检举控告",
        accused_kind: None,
        accused_unit: None,
        skip_level: false,
        received_on: None,
        repeat_of: None,
        attachments: Vec::new(),
    };
    if let Some(problem) = xinfang_domain::lifecycle::intake_problems(&new)
        .into_iter()
        .next()
    {
        let field = problem.field().unwrap_or("request");
        return error(StatusCode::BAD_REQUEST, f, &format!("{field}: {problem}"));
    }
    let Some(office) = crate::portal::intake_office(&state) else {
        return error(
            StatusCode::BAD_REQUEST,
            f,
            "no petition office is set up to take requests",
        );
    };
    let case = match state.store.register(new, Who::Petitioner, office).await {
        Ok(c) => c,
        Err(e) => {
            let e: crate::error::ApiError = e.into();
            return error(StatusCode::BAD_REQUEST, f, &e.message);
        }
    };
    let (request_id, _token) = match state
        .store
        .record_open311(case.id.0, key_id, &code, address.as_deref(), lat, lon)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, case = case.id.0, "open311 request not recorded");
            return error(
                StatusCode::BAD_REQUEST,
                f,
                "general service error; try again later",
            );
        }
    };
    let notice = format!(
        "已登记为信访事项{}，信访部门将在{}前分流办理；查询码已通过短信发给信访人。",
        case.case_no,
        case.deadlines
            .sort_due
            .map(|d| d.to_string())
            .unwrap_or_default()
    );
    let node = Node::List(
        "request",
        vec![Node::Object(vec![
            ("service_request_id", text(request_id)),
            ("service_notice", text(notice)),
            ("account_id", Node::Null),
        ])],
    );
    respond(StatusCode::OK, f, "service_requests", &node)
}

/// Open311's two states: closed once the matter is settled or left the petition channel.
fn open_or_closed(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Closed
        | CaseStatus::Final
        | CaseStatus::Refused
        | CaseStatus::Redirected
        | CaseStatus::Rejected
        | CaseStatus::NotAccepted
        | CaseStatus::Linked
        | CaseStatus::Merged
        | CaseStatus::Split => "closed",
        _ => "open",
    }
}

fn request_node(state: &AppState, r: &Request, with_description: bool) -> Node {
    let org = state.store.org();
    let clock = state.store.clock();
    let c = &r.case;
    let unit = org
        .get(c.handling_unit.unwrap_or(c.responsible_unit()))
        .ok()
        .map(|u| u.name.clone());
    let notes = match &c.reply {
        Some(o) => format!("{}；处理意见：{}", c.status.label(), o.outcome.label()),
        None => c.status.label().to_string(),
    };
    let expected = c
        .clock()
        .map(|k| clock.format_ms(clock.ms_at(k.due, 17 * 60 + 30)));
    let category = taxonomy::by_code(&r.service_code);
    Node::Object(vec![
        ("service_request_id", text(r.request_id.clone())),
        ("status", text(open_or_closed(c.status))),
        ("status_notes", text(notes)),
        ("service_name", opt(category.map(|x| x.name.to_string()))),
        ("service_code", text(r.service_code.clone())),
        (
            "description",
            if with_description {
                text(c.content.clone())
            } else {
                Node::Null
            },
        ),
        ("agency_responsible", opt(unit)),
        ("service_notice", Node::Null),
        ("requested_datetime", text(clock.format_ms(r.requested_at))),
        (
            "updated_datetime",
            text(clock.format_ms(r.updated_at.max(r.requested_at))),
        ),
        ("expected_datetime", opt(expected)),
        (
            "address",
            if with_description {
                opt(r.address.clone())
            } else {
                Node::Null
            },
        ),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        (
            "lat",
            r.lat
                .filter(|_| with_description)
                .map(|v| Node::Number(v.to_string()))
                .unwrap_or(Node::Null),
        ),
        (
            "long",
            r.lon
                .filter(|_| with_description)
                .map(|v| Node::Number(v.to_string()))
                .unwrap_or(Node::Null),
        ),
        ("media_url", Node::Null),
    ])
}

/// The key that posted a request sees its description and location; others see its progress.
async fn caller_key(state: &AppState, q: &HashMap<String, String>) -> Option<i64> {
    let key = q.get("api_key").filter(|k| !k.is_empty())?;
    state.store.api_key_id(key).await.ok().flatten()
}

/// A W3C datetime with its zone: `2026-01-01T08:00:00+08:00`, with fractions of a second, or
/// to the minute (`2026-01-01T08:00+08:00`, `…Z`).
fn parse_w3(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s)
        .or_else(|_| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z"))
        .or_else(|_| DateTime::parse_from_str(&s.replace('Z', "+00:00"), "%Y-%m-%dT%H:%M%:z"))
        .ok()
        .map(|d| d.timestamp_millis())
}

async fn list_requests(state: &AppState, f: Format, q: &HashMap<String, String>) -> Response {
    let list = |k: &str| -> Vec<String> {
        q.get(k)
            .map(|v| {
                v.split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    let now = state.store.clock().now_ms();
    let span = Duration::days(MAX_SPAN_DAYS).num_milliseconds();
    let date = |k: &str| -> Result<Option<i64>, Response> {
        match q.get(k).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) => parse_w3(v).map(Some).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    f,
                    &format!("{k} must be a w3 datetime such as 2026-01-01T00:00:00+08:00"),
                )
            }),
        }
    };
    let (start, end) = match (date("start_date"), date("end_date")) {
        (Ok(s), Ok(e)) => (s, e),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let (from_ms, to_ms) = match (start, end) {
        (Some(s), Some(e)) => (s, e),
        (Some(s), None) => (s, s + span),
        (None, Some(e)) => (e - span, e),
        (None, None) => (now - span, now),
    };
    if to_ms < from_ms || to_ms - from_ms > span {
        return error(
            StatusCode::BAD_REQUEST,
            f,
            "start_date and end_date may not span more than 90 days",
        );
    }
    let statuses = list("status");
    if statuses.iter().any(|s| s != "open" && s != "closed") {
        return error(StatusCode::BAD_REQUEST, f, "status must be open or closed");
    }
    let ids = list("service_request_id");
    let filter = RequestFilter {
        request_ids: (!ids.is_empty()).then_some(ids),
        service_codes: list("service_code"),
        from_ms,
        to_ms,
        limit: 1000,
    };
    let key = caller_key(state, q).await;
    match state.store.open311_requests(&filter).await {
        Ok(rows) => {
            let items = rows
                .iter()
                .filter(|r| {
                    filter.request_ids.is_some()
                        || statuses.is_empty()
                        || statuses.iter().any(|s| s == open_or_closed(r.case.status))
                })
                .map(|r| request_node(state, r, key == Some(r.api_key_id)))
                .collect();
            respond(
                StatusCode::OK,
                f,
                "service_requests",
                &Node::List("request", items),
            )
        }
        Err(_) => error(
            StatusCode::BAD_REQUEST,
            f,
            "general service error; try again later",
        ),
    }
}

async fn one_request(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(file): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some((id, f)) = Format::split(&file) else {
        return not_found();
    };
    if let Err(e) = state.limits.check_public(ip) {
        return error(e.status, f, "too many requests; slow down");
    }
    let filter = RequestFilter {
        request_ids: Some(vec![id.to_string()]),
        limit: 1,
        ..Default::default()
    };
    let key = caller_key(&state, &q).await;
    match state.store.open311_requests(&filter).await {
        Ok(rows) if !rows.is_empty() => {
            let items = rows
                .iter()
                .map(|r| request_node(&state, r, key == Some(r.api_key_id)))
                .collect();
            respond(
                StatusCode::OK,
                f,
                "service_requests",
                &Node::List("request", items),
            )
        }
        Ok(_) => error(
            StatusCode::NOT_FOUND,
            f,
            &format!("service_request_id {id} not found"),
        ),
        Err(_) => error(
            StatusCode::BAD_REQUEST,
            f,
            "general service error; try again later",
        ),
    }
}

async fn token(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(file): Path<String>,
) -> Response {
    let Some((token, f)) = Format::split(&file) else {
        return not_found();
    };
    if let Err(e) = state.limits.check_public(ip) {
        return error(e.status, f, "too many requests; slow down");
    }
    match state.store.open311_request_id_by_token(token).await {
        Ok(Some(id)) => respond(
            StatusCode::OK,
            f,
            "service_requests",
            &Node::List(
                "request",
                vec![Node::Object(vec![
                    ("service_request_id", text(id)),
                    ("token", text(token)),
                ])],
            ),
        ),
        Ok(None) => error(
            StatusCode::NOT_FOUND,
            f,
            &format!("token {token} not found"),
        ),
        Err(_) => error(
            StatusCode::BAD_REQUEST,
            f,
            "general service error; try again later",
        ),
    }
}
