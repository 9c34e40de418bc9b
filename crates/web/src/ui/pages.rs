//! The pages: worklist, intake, case page with its actions, printable notices, search.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use xinfang_domain::access::{self, Duty};
use xinfang_domain::case::CaseStatus;
use xinfang_domain::vocab::{LegalChannel, Outcome, Rating};
use xinfang_domain::{Actor, Case, CaseId, Channel, Command, NewCase, Role};
use xinfang_store::Who;
use xinfang_store::read::{CaseFilter, CaseSummary, Sort, SortKey};

use super::session::UiOfficer;
use crate::error::ApiError;
use crate::views::{CaseView, TimelineItem, case_view, timeline_view};
use crate::{AppState, app};

/// What every page's frame shows.
pub struct Frame {
    pub user: String,
    pub unit: String,
    pub csrf: String,
    pub can_register: bool,
    pub is_admin: bool,
}

pub(super) fn frame(state: &AppState, officer: &UiOfficer) -> Frame {
    let a = &officer.actor;
    Frame {
        user: a.name.clone(),
        unit: state
            .store
            .org()
            .get(a.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        csrf: officer.csrf.clone(),
        can_register: a.has_any(&[Role::Registrar, Role::Admin]),
        is_admin: a.has(Role::Admin),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    message: String,
}

/// The `?done=` a page shows after a form succeeded.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: Option<String>,
}

/// A form page shown again with an error is answered 422, otherwise 200.
pub fn page_status(error: &Option<String>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        ErrorPage {
            message: message.to_string(),
        },
    )
        .into_response()
}

fn from_api(e: ApiError) -> Response {
    error_page(e.status, &e.message)
}

// ---------- worklist ----------

pub struct Group {
    pub key: &'static str,
    pub title: &'static str,
    pub hint: &'static str,
    pub items: Vec<CaseSummary>,
    pub total: i64,
    pub capped: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "worklist.html")]
struct WorklistPage {
    frame: Frame,
    groups: Vec<Group>,
    warning: String,
    /// The sort in force, as its code (`due`, `-registered`, …).
    sort: String,
}

/// The worklist's columns: (sort key, header).
const COLUMNS: &[(&str, &str)] = &[
    ("registered", "编号"),
    ("title", "标题"),
    ("petitioner", "信访人"),
    ("channel", "渠道"),
    ("step", "环节"),
    ("due", "期限"),
    ("status", "状态"),
];

impl WorklistPage {
    /// The link a column header sorts by: ascending first, the other way when already sorted by it.
    fn sort_link(&self, key: &str) -> String {
        let next = if self.sort == key {
            format!("-{key}")
        } else {
            key.to_string()
        };
        let mut link = format!("/?sort={next}");
        if !self.warning.is_empty() {
            link.push_str(&format!("&warning={}", self.warning));
        }
        link
    }

    /// `aria-sort` of a column header.
    fn aria_sort(&self, key: &str) -> &'static str {
        if self.sort == key {
            "ascending"
        } else if self.sort.strip_prefix('-') == Some(key) {
            "descending"
        } else {
            "none"
        }
    }

    fn arrow(&self, key: &str) -> &'static str {
        match self.aria_sort(key) {
            "ascending" => "▲",
            "descending" => "▼",
            _ => "",
        }
    }
}

const GROUPS: &[(&str, &str, &str, &[CaseStatus])] = &[
    (
        "sort",
        "待分流",
        "登记后待转送、交办、告知或不予受理",
        &[CaseStatus::Registered],
    ),
    (
        "accept",
        "待受理",
        "已转送或交办到本单位，待决定是否受理",
        &[CaseStatus::Forwarded, CaseStatus::Assigned],
    ),
    (
        "handle",
        "办理中",
        "已受理，答复期限尚早",
        &[CaseStatus::Handling],
    ),
    (
        "reply",
        "待答复",
        "已受理，临近或超过答复期限",
        &[CaseStatus::Handling],
    ),
    (
        "review",
        "复查/复核",
        "信访人申请复查或复核，待出具意见",
        &[CaseStatus::ReviewRequested, CaseStatus::RereviewRequested],
    ),
];

pub async fn worklist(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let warning = q
        .get("warning")
        .filter(|w| xinfang_domain::Warning::from_code(w).is_some())
        .cloned()
        .unwrap_or_default();
    // Most urgent first unless a column says otherwise ("newest" is the old spelling).
    let sort = match q.get("sort").map(String::as_str) {
        Some("newest") => Sort::parse("-registered"),
        Some(s) => Sort::parse(s),
        None => None,
    }
    .unwrap_or(Sort {
        key: SortKey::Due,
        descending: false,
    });
    let mut groups = Vec::new();
    for (key, title, hint, statuses) in GROUPS {
        let colour = match (*key, warning.as_str()) {
            (_, w) if !w.is_empty() => xinfang_domain::Warning::from_code(w),
            ("handle", _) => Some(xinfang_domain::Warning::Green),
            _ => None,
        };
        let filter = CaseFilter {
            statuses: statuses.to_vec(),
            waiting_on: Some(officer.actor.unit),
            open_only: true,
            warning: colour,
            sort: (sort.key != SortKey::Due || sort.descending).then_some(sort),
            per_page: 50,
            ..Default::default()
        };
        let mut page = match state.store.list_cases(&officer.actor, &filter).await {
            Ok(p) => p,
            Err(e) => return from_api(e.into()),
        };
        if *key == "reply" && warning.is_empty() {
            // 待答复: handling cases in their last stretch or late.
            page.items
                .retain(|i| i.warning != Some(xinfang_domain::Warning::Green));
            page.total = page.items.len() as i64;
        }
        crate::views::hide_reports(&officer.actor, &mut page.items);
        groups.push(Group {
            key,
            title,
            hint,
            total: page.total,
            capped: page.total_capped,
            items: page.items,
        });
    }
    WorklistPage {
        frame: frame(&state, &officer),
        groups,
        warning,
        sort: sort.code(),
    }
    .into_response()
}

// ---------- case page ----------

pub struct UnitOption {
    pub id: i64,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
struct CasePage {
    frame: Frame,
    v: CaseView,
    timeline: Vec<TimelineItem>,
    units: Vec<UnitOption>,
    legal_channels: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    ratings: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    notice: Option<String>,
    /// Notices to the petitioner and how their delivery stands.
    deliveries: Vec<Delivery>,
    /// 督查督办 about this case, and whether this officer may raise it.
    supervision: Vec<xinfang_domain::supervision::Supervision>,
    can_supervise: bool,
    /// 领导包案 of this case, the leaders who may own it, and whether this officer assigns.
    ownerships: Vec<xinfang_domain::ownership::Ownership>,
    leaders: Vec<UnitOption>,
    can_assign_leader: bool,
    parts: Vec<(&'static str, &'static str)>,
    /// The officer's person id.
    me: i64,
    /// 案件评查 and 回访 of this case; whether this officer may review it (closed, above it).
    reviews: Vec<xinfang_domain::review::QualityReview>,
    follow_ups: Vec<xinfang_domain::review::FollowUp>,
    can_review: bool,
}

pub struct Delivery {
    channel: &'static str,
    recipient: String,
    subject: String,
    status: &'static str,
    attempts: i64,
    last_error: String,
}

fn delivery(state: &AppState, n: xinfang_store::outbox::Notice) -> Delivery {
    let recipient = match n.channel.as_str() {
        "sms" => xinfang_domain::petitioner::mask_phone(&n.recipient),
        _ => match n.recipient.split_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => "***".into(),
        },
    };
    let status = match n.status.as_str() {
        "sent" => "已送达",
        "failed" => "发送失败，已停止重试",
        _ if n.attempts > 0 => "发送失败，等待重试",
        _ => "待发送",
    };
    let when = n.sent_at.map(|ms| state.store.clock().format_ms(ms));
    Delivery {
        channel: if n.channel == "sms" {
            "短信"
        } else {
            "电子邮件"
        },
        recipient,
        subject: match when {
            Some(w) => format!("{}（{w}）", n.subject),
            None => n.subject,
        },
        status,
        attempts: n.attempts,
        last_error: n.last_error.unwrap_or_default(),
    }
}

impl CasePage {
    fn can(&self, action: &str) -> bool {
        self.v.actions.contains(&action)
    }
}

pub(super) fn unit_options(state: &AppState) -> Vec<UnitOption> {
    let org = state.store.org();
    let mut units: Vec<_> = org.units().collect();
    units.sort_by(|a, b| a.path.cmp(&b.path));
    units
        .into_iter()
        .map(|u| UnitOption {
            id: u.id.0,
            label: format!(
                "{}{}（{}）",
                "　".repeat(u.depth().saturating_sub(1)),
                u.name,
                u.kind.label()
            ),
        })
        .collect()
}

async fn render_case(
    state: &AppState,
    officer: &UiOfficer,
    case: Case,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let entries = match state.store.timeline(case.id).await {
        Ok(e) => e,
        Err(e) => return from_api(e.into()),
    };
    let timeline = match timeline_view(&state.store, &officer.actor, &case, entries).await {
        Ok(t) => t,
        Err(e) => return from_api(e.into()),
    };
    let deliveries = match state.store.notices_of(case.id.0).await {
        Ok(n) => n.into_iter().map(|n| delivery(state, n)).collect(),
        Err(e) => return from_api(e.into()),
    };
    let supervision = match app::cases::records_of(state, &case).await {
        Ok(s) => s,
        Err(e) => return from_api(e),
    };
    let can_supervise = state
        .store
        .org()
        .get(case.responsible_unit())
        .is_ok_and(|u| access::may(&officer.actor, Duty::Supervise, &u.path));
    let ownerships = match app::cases::records_of(state, &case).await {
        Ok(o) => o,
        Err(e) => return from_api(e),
    };
    let a = &officer.actor;
    let org = state.store.org();
    let may = |duty| {
        org.get(case.responsible_unit())
            .is_ok_and(|u| access::may(a, duty, &u.path))
    };
    let can_assign_leader = may(Duty::AssignLeader);
    let leaders = if can_assign_leader {
        let org = state.store.org();
        match state.store.people().await {
            Ok(people) => people
                .into_iter()
                .filter(|p| p.roles.contains(&Role::Leader))
                .map(|p| UnitOption {
                    id: p.id.0,
                    label: format!(
                        "{}（{}）",
                        p.name,
                        org.get(p.unit).map(|u| u.name.as_str()).unwrap_or("")
                    ),
                })
                .collect(),
            Err(e) => return from_api(e.into()),
        }
    } else {
        Vec::new()
    };
    let (reviews, follow_ups) = match state.store.reviews_of(case.id).await {
        Ok(r) => r,
        Err(e) => return from_api(e.into()),
    };
    let can_review =
        matches!(case.status, CaseStatus::Closed | CaseStatus::Final) && may(Duty::ReviewQuality);
    let status = page_status(&error);
    let page = CasePage {
        frame: frame(state, officer),
        v: case_view(&state.store, &officer.actor, case),
        timeline,
        units: unit_options(state),
        legal_channels: LegalChannel::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        outcomes: Outcome::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        ratings: Rating::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        error,
        notice,
        deliveries,
        supervision,
        can_supervise,
        ownerships,
        leaders,
        can_assign_leader,
        me: officer.actor.person.0,
        reviews,
        follow_ups,
        can_review,
        parts: xinfang_domain::ownership::Part::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
    };
    (status, page).into_response()
}

async fn visible(state: &AppState, actor: &Actor, id: i64) -> Result<Case, Response> {
    match state.store.case(CaseId(id)).await {
        Ok(Some(c)) if state.store.may_see(actor, &c) => Ok(c),
        Ok(Some(_)) => Err(error_page(
            StatusCode::FORBIDDEN,
            "无权查看此信访事项：它不属于本单位及下级单位办理的范围。",
        )),
        Ok(None) => Err(error_page(StatusCode::NOT_FOUND, "信访事项不存在。")),
        Err(e) => Err(from_api(e.into())),
    }
}

pub async fn case_page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    match visible(&state, &officer.actor, id).await {
        Ok(case) => {
            render_case(
                &state,
                &officer,
                case,
                None,
                q.get("done").map(|d| format!("已{d}")),
            )
            .await
        }
        Err(r) => r,
    }
}

/// Turns an action form into the command the API takes: numbers as numbers, empty fields left out.
fn command_from_form(form: &HashMap<String, String>) -> Result<Command, String> {
    let mut m = Map::new();
    for (k, v) in form {
        let v = v.trim();
        if k == super::CSRF_FIELD || v.is_empty() {
            continue;
        }
        let value = match k.as_str() {
            "to_unit" | "days" => v
                .parse::<i64>()
                .map(Value::from)
                .map_err(|_| format!("“{k}”应为数字"))?,
            "panel" => Value::from(
                v.split(['\n', '，', ',', '、'])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>(),
            ),
            _ => Value::from(v),
        };
        m.insert(k.clone(), value);
    }
    serde_json::from_value(Value::Object(m)).map_err(|e| format!("表单内容不完整或不正确（{e}）"))
}

pub async fn act(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let case = match visible(&state, &officer.actor, id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let cmd = match command_from_form(&form) {
        Ok(c) => c,
        Err(e) => return render_case(&state, &officer, case, Some(e), None).await,
    };
    let name = cmd.name();
    match state
        .store
        .act(case.id, cmd, Who::Officer(officer.actor.clone()))
        .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{id}?done={}", urlencode(name))).into_response(),
        Err(e) => {
            let e: ApiError = e.into();
            render_case(&state, &officer, case, Some(e.message), None).await
        }
    }
}

pub(super) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

// ---------- intake ----------

#[derive(Template, WebTemplate)]
#[template(path = "new_case.html")]
struct NewCasePage {
    frame: Frame,
    channels: Vec<(&'static str, &'static str)>,
    form: HashMap<String, String>,
    /// The message at the top of the form.
    error: Option<String>,
    problems: crate::views::Problems,
    others: Vec<CaseSummary>,
}

impl NewCasePage {
    fn val(&self, key: &str) -> String {
        self.form.get(key).cloned().unwrap_or_default()
    }

    fn msg(&self, field: &str) -> &str {
        self.problems.msg(field)
    }

    fn bad(&self, field: &str) -> bool {
        self.problems.bad(field)
    }
}

pub async fn new_case_form(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let mut form = HashMap::new();
    form.insert(
        "channel".into(),
        q.get("channel").cloned().unwrap_or_else(|| "letter".into()),
    );
    NewCasePage {
        frame: frame(&state, &officer),
        channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        form,
        error: None,
        problems: Default::default(),
        others: Vec::new(),
    }
    .into_response()
}

fn new_case_from_form(f: &HashMap<String, String>) -> Result<NewCase, (String, String)> {
    let get = |k: &str| {
        f.get(k)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let person = |prefix: &str| {
        json!({
            "name": get(&format!("{prefix}name")).unwrap_or_default(),
            "phone": get(&format!("{prefix}phone")),
            "id_number": get(&format!("{prefix}id_number")),
            "address": get(&format!("{prefix}address")),
        })
    };
    let mut v = json!({
        "channel": get("channel").unwrap_or_else(|| "letter".into()),
        "title": get("title").unwrap_or_default(),
        "content": get("content").unwrap_or_default(),
        "petitioner": person("petitioner_"),
        "category": get("category"),
        "region": get("region"),
        "is_report": f.get("is_report").is_some(),
        "skip_level": f.get("skip_level").is_some(),
        "received_on": get("received_on"),
    });
    if let Some(n) = get("head_count") {
        let head_count: u32 = n.parse().map_err(|_| {
            (
                "collective.head_count".to_string(),
                "人数应为数字".to_string(),
            )
        })?;
        let reps: Vec<Value> = (1..=5)
            .filter(|i| get(&format!("rep{i}_name")).is_some())
            .map(|i| person(&format!("rep{i}_")))
            .collect();
        v["collective"] = json!({"head_count": head_count, "representatives": reps});
    }
    if let Some(r) = get("repeat_of") {
        v["repeat_of"] = Value::from(
            r.parse::<i64>()
                .map_err(|_| ("repeat_of".to_string(), "关联事项编号应为数字".to_string()))?,
        );
    }
    serde_json::from_value(v).map_err(|e| ("form".to_string(), format!("表单内容不正确（{e}）")))
}

pub async fn create_case(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let render = |error: String, problems: crate::views::Problems, others| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            NewCasePage {
                frame: frame(&state, &officer),
                channels: Channel::ALL.iter().map(|c| (c.code(), c.label())).collect(),
                form: form.clone(),
                error: Some(error),
                problems,
                others,
            },
        )
            .into_response()
    };
    let render_problems =
        |problems: crate::views::Problems| render(problems.summary(), problems, Vec::new());
    let new = match new_case_from_form(&form) {
        Ok(n) => n,
        Err(problem) => return render_problems(crate::views::Problems(vec![problem])),
    };
    let problems = crate::views::Problems::of(xinfang_domain::lifecycle::intake_problems(&new));
    if !problems.0.is_empty() {
        return render_problems(problems);
    }
    // Before registering, show the petitioner's other cases and the cases that read alike, so
    // that a repeat can be linked.
    if !form.contains_key("confirm") && new.repeat_of.is_none() {
        let mut others = Vec::new();
        if let Some(phone) = new.petitioner.phone.clone().filter(|p| !p.is_empty()) {
            let filter = CaseFilter {
                petitioner_phone: Some(phone),
                per_page: 20,
                ..Default::default()
            };
            if let Ok(page) = state.store.list_cases(&officer.actor, &filter).await {
                others = page.items;
            }
        }
        let text = format!("{}\n{}", new.title, new.content);
        if let Ok(alike) = state.text.similar(&officer.actor, &text, 5).await {
            for s in alike {
                if !others.iter().any(|o| o.id == s.id) {
                    others.push(s);
                }
            }
        }
        crate::views::hide_reports(&officer.actor, &mut others);
        if !others.is_empty() {
            return render(
                "该信访人的其他事项或内容相似的事项如下。如为同一事项，请填写“重复信访关联”；如为新事项，请勾选“确认为新事项”后再次提交。".into(),
                Default::default(),
                others,
            );
        }
    }
    let unit = officer.actor.unit;
    match state
        .store
        .register(new, Who::Officer(officer.actor.clone()), unit)
        .await
    {
        Ok(case) => {
            Redirect::to(&format!("/cases/{}?done={}", case.id, urlencode("登记"))).into_response()
        }
        Err(e) => {
            let e: ApiError = e.into();
            render_problems(crate::views::Problems(vec![(
                e.field.unwrap_or("form").to_string(),
                e.message,
            )]))
        }
    }
}

// ---------- documents ----------

#[derive(Template, WebTemplate)]
#[template(path = "document.html")]
struct DocumentPage {
    case_id: i64,
    title: &'static str,
    case_no: String,
    petitioner: String,
    case_title: String,
    registered_on: String,
    body: String,
    unit: String,
    on: String,
}

/// An attachment of a case, as a download (never shown inline: it came from outside).
pub async fn attachment(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path((id, n)): Path<(i64, usize)>,
) -> Response {
    let case = match visible(&state, &officer.actor, id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Some(a) = case.attachments.get(n) else {
        return error_page(StatusCode::NOT_FOUND, "附件不存在");
    };
    match state.files.read(a).await {
        Ok(bytes) => (
            [
                (axum::http::header::CONTENT_TYPE, a.media_type.clone()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename*=UTF-8''{}", urlencode(&a.name)),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, sha256 = %a.sha256, "attachment missing");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "附件文件缺失，请联系系统管理员",
            )
        }
    }
}

pub async fn document(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path((id, seq)): Path<(i64, i64)>,
) -> Response {
    let case = match visible(&state, &officer.actor, id).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let entries = match state.store.timeline(case.id).await {
        Ok(e) => e,
        Err(e) => return from_api(e.into()),
    };
    let Some(entry) = entries.iter().find(|e| e.seq == seq) else {
        return error_page(StatusCode::NOT_FOUND, "文书不存在。");
    };
    let Some(title) = entry.event.notice() else {
        return error_page(StatusCode::NOT_FOUND, "这一步没有出具文书。");
    };
    let org = state.store.org();
    let unit = entry
        .unit_id
        .and_then(|u| org.get(xinfang_domain::UnitId(u)).ok())
        .or_else(|| org.get(case.responsible_unit()).ok())
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let view = case_view(&state.store, &officer.actor, case);
    let body = entry.event.public_text().unwrap_or_else(|| {
        format!(
            "您于{}提出的信访事项，我单位已依法登记，查询码：{}。",
            view.case.registered_on, view.case.query_code
        )
    });
    DocumentPage {
        case_id: id,
        title,
        case_no: view.case.case_no.clone(),
        petitioner: view.case.petitioner.name.clone(),
        case_title: view.case.title.clone(),
        registered_on: view.case.registered_on.to_string(),
        body,
        unit,
        on: entry.event.on().format("%Y年%m月%d日").to_string(),
    }
    .into_response()
}

// ---------- search ----------

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    q: String,
    /// Cases whose petitioner matches (phone, ID number, name).
    items: Vec<CaseSummary>,
    /// Cases whose title or content holds the words, best first.
    hits: Vec<CaseSummary>,
    hits_total: i64,
    hits_capped: bool,
    /// The index was still taking in recent changes.
    incomplete: bool,
    searched: bool,
}

/// By case number or query code (straight to the case), petitioner phone, ID number or name,
/// and words of the title and content.
pub async fn search(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let q = params
        .get("q")
        .map(|s| s.trim().to_string())
        .unwrap_or_default();
    let mut items = Vec::new();
    let (mut hits, mut hits_total, mut hits_capped, mut incomplete) = (Vec::new(), 0, false, false);
    if !q.is_empty() && q.chars().count() <= crate::api::cases::MAX_QUERY_CHARS {
        let code = xinfang_store::auth::normalise_query_code(&q);
        let direct = match state.store.case_by_no(&q.to_uppercase()).await {
            Ok(Some(c)) => Some(c),
            _ => state.store.case_by_query_code(&code).await.ok().flatten(),
        };
        if let Some(c) = direct.filter(|c| state.store.may_see(&officer.actor, c)) {
            return Redirect::to(&format!("/cases/{}", c.id)).into_response();
        }
        let digits = q
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x');
        let filter = CaseFilter {
            petitioner_phone: (digits && q.len() <= 12).then(|| q.clone()),
            petitioner_id_number: (digits && q.len() == 18).then(|| q.to_uppercase()),
            petitioner_name: (!digits).then(|| q.clone()),
            per_page: 50,
            ..Default::default()
        };
        match state.store.list_cases(&officer.actor, &filter).await {
            Ok(p) => items = p.items,
            Err(e) => return from_api(e.into()),
        }
        crate::views::hide_reports(&officer.actor, &mut items);
        if !digits {
            let found = state.text.cases(&officer.actor, &q, 1, 50).await;
            // After the search's own wait for the index, say if it is still behind.
            incomplete = !state.text.is_current();
            match found {
                Ok(mut p) => {
                    p.items.retain(|h| !items.iter().any(|i| i.id == h.id));
                    crate::views::hide_reports(&officer.actor, &mut p.items);
                    (hits, hits_total, hits_capped) = (p.items, p.total, p.total_capped);
                }
                Err(e) => return from_api(e.into()),
            }
        }
    }
    SearchPage {
        frame: frame(&state, &officer),
        searched: !q.is_empty(),
        q,
        items,
        hits,
        hits_total,
        hits_capped,
        incomplete,
    }
    .into_response()
}
