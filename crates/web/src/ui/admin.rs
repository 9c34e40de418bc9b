//! Administration for admins: the unit tree, people and roles, the policy in force.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::{Role, UnitId, UnitKind};

use super::form::Submitted;
use super::frame::{Frame, UnitOption, error_page, frame, page_status, unit_options};
use super::session::UiOfficer;
use crate::error::ApiError;
use crate::{AppState, app};

pub struct PersonRow {
    pub id: i64,
    /// 锁定至 … / 须修改初始密码 / empty.
    pub state: String,
    pub locked: bool,
    pub username: String,
    pub name: String,
    pub unit: String,
    pub roles: String,
}

pub struct LimitRow {
    pub step: &'static str,
    pub days: u32,
    pub working: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin.html")]
struct AdminPage {
    frame: Frame,
    units: Vec<UnitOption>,
    kinds: Vec<(String, &'static str)>,
    roles: Vec<(String, &'static str)>,
    people: Vec<PersonRow>,
    limits: Vec<LimitRow>,
    overrides: Vec<String>,
    api_keys: Vec<KeyRow>,
    security: Vec<SecurityRow>,
    personal: Vec<PersonalRow>,
    calendar: app::calendar::CalendarView,
    /// The search's synonym list as administrators edit it.
    synonyms: String,
    /// The year the form proposes: next year when it is missing, else this one.
    next_year: i32,
    error: Option<String>,
    notice: Option<String>,
}

pub struct PersonalRow {
    pub at: String,
    pub who: String,
    pub case_id: Option<i64>,
    pub kind: &'static str,
}

fn personal_label(kind: &str) -> &'static str {
    match kind {
        "reveal" => "查看完整个人信息",
        "document" => "打印文书",
        "search_phone" => "按电话查询",
        "search_id_number" => "按身份证号查询",
        "search_name" => "按姓名查询",
        "export" => "导出（含个人信息）",
        _ => "其他",
    }
}

pub struct SecurityRow {
    pub at: String,
    pub kind: &'static str,
    pub username: String,
    pub address: String,
}

fn security_label(kind: &str) -> &'static str {
    match kind {
        "login_failed" => "登录失败",
        "locked" => "账号锁定",
        "unlocked" => "管理员解锁",
        "password_changed" => "修改密码",
        "password_reset" => "管理员重置密码",
        "deactivated" => "停用账号",
        _ => "其他",
    }
}

pub struct KeyRow {
    pub id: i64,
    pub name: String,
    pub created: String,
    pub revoked: Option<String>,
}

fn code<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

async fn render(
    state: &AppState,
    officer: &UiOfficer,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    render_typed(state, officer, error, notice, None).await
}

/// The page, with the synonym list as typed when it was refused.
async fn render_typed(
    state: &AppState,
    officer: &UiOfficer,
    error: Option<String>,
    notice: Option<String>,
    typed_synonyms: Option<String>,
) -> Response {
    let org = state.store.org();
    let synonyms = match state.store.synonyms().await {
        Ok(_) if typed_synonyms.is_some() => typed_synonyms.unwrap_or_default(),
        Ok(s) => xinfang_text::Synonyms::new(s).to_text(),
        Err(e) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ApiError::from(e).message,
            );
        }
    };
    let people = match state.store.people().await {
        Ok(p) => p,
        Err(e) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ApiError::from(e).message,
            );
        }
    };
    let clock = state.store.clock();
    let api_keys = match state.store.api_keys().await {
        Ok(k) => k
            .into_iter()
            .map(|k| KeyRow {
                id: k.id,
                name: k.name,
                created: clock.minute_of(k.created_at),
                revoked: k.revoked_at.map(|t| clock.minute_of(t)),
            })
            .collect(),
        Err(e) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ApiError::from(e).message,
            );
        }
    };
    let (accounts, security) =
        match tokio::try_join!(state.store.accounts(), state.store.security_log(30)) {
            Ok(v) => v,
            Err(e) => {
                return error_page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    &ApiError::from(e).message,
                );
            }
        };
    let personal = match state.store.personal_access_log(30).await {
        Ok(p) => p,
        Err(e) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ApiError::from(e).message,
            );
        }
    };
    let ids: Vec<i64> = personal.iter().map(|p| p.person_id).collect();
    let names = state.store.person_names(&ids).await.unwrap_or_default();
    let personal = personal
        .into_iter()
        .map(|p| PersonalRow {
            at: clock.minute_of(p.at),
            who: names.get(&p.person_id).cloned().unwrap_or_default(),
            case_id: p.case_id,
            kind: personal_label(&p.kind),
        })
        .collect();
    let accounts: std::collections::HashMap<i64, _> =
        accounts.into_iter().map(|a| (a.id, a)).collect();
    let l = &state.store.policy().limits;
    let limits = [
        ("分流", l.sort),
        ("提出异议", l.object),
        ("受理", l.accept),
        ("办理答复", l.handle),
        ("延期上限", l.extension_max),
        ("交办报告（默认）", l.report),
        ("申请复查", l.review_request),
        ("复查", l.review),
        ("申请复核", l.rereview_request),
        ("复核", l.rereview),
        ("评价", l.evaluation),
        ("答复改进建议", l.improvement_answer),
    ]
    .into_iter()
    .map(|(step, limit)| LimitRow {
        step,
        days: limit.days,
        working: limit.count == xinfang_domain::policy::DayCount::Working,
    })
    .collect();
    let status = page_status(&error);
    let page = AdminPage {
        frame: frame(state, officer),
        units: unit_options(state),
        kinds: UnitKind::ALL.iter().map(|k| (code(k), k.label())).collect(),
        roles: Role::ALL.iter().map(|r| (code(r), r.label())).collect(),
        people: people
            .into_iter()
            .map(|p| PersonRow {
                id: p.id.0,
                locked: accounts
                    .get(&p.id.0)
                    .is_some_and(|a| a.locked_until.is_some()),
                state: match accounts.get(&p.id.0) {
                    Some(a) if a.locked_until.is_some() => format!(
                        "锁定至 {}",
                        clock.minute_of(a.locked_until.unwrap_or_default())
                    ),
                    Some(a) if a.must_change_password => "须修改初始密码".into(),
                    _ => String::new(),
                },
                unit: org.get(p.unit).map(|u| u.name.clone()).unwrap_or_default(),
                roles: p
                    .roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                username: p.username,
                name: p.name,
            })
            .collect(),
        limits,
        overrides: state
            .store
            .policy()
            .overrides
            .iter()
            .map(|o| o.name.clone())
            .collect(),
        api_keys,
        personal,
        security: security
            .into_iter()
            .map(|l| SecurityRow {
                at: clock.minute_of(l.at),
                kind: security_label(&l.kind),
                username: l.username,
                address: l.address.unwrap_or_default(),
            })
            .collect(),
        calendar: app::calendar::view(state),
        synonyms,
        next_year: {
            use chrono::Datelike;
            let this = state.store.clock().today().year();
            if state.store.calendar().has_year(this + 1) || !state.store.calendar().has_year(this) {
                this
            } else {
                this + 1
            }
        },
        error,
        notice,
    };
    (status, page).into_response()
}

/// The page again, with the notice of what was done or the refusal.
async fn outcome(
    state: &AppState,
    officer: &UiOfficer,
    done: Result<String, ApiError>,
) -> Response {
    match done {
        Ok(notice) => render(state, officer, None, Some(notice)).await,
        Err(e) => render(state, officer, Some(e.message), None).await,
    }
}

fn require_admin(officer: &UiOfficer) -> Result<(), Response> {
    if officer.actor.has(Role::Admin) {
        Ok(())
    } else {
        Err(error_page(
            StatusCode::FORBIDDEN,
            "只有管理员可以进入系统管理。",
        ))
    }
}

pub async fn page(State(state): State<AppState>, officer: UiOfficer) -> Response {
    if let Err(r) = require_admin(&officer) {
        return r;
    }
    render(&state, &officer, None, None).await
}

/// The forms of the administration page.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AdminForm {
    parent_id: Option<i64>,
    kind: String,
    name: String,
    /// Checkbox: present when ticked.
    external: Option<String>,
    username: String,
    unit_id: Option<i64>,
    roles: Vec<String>,
    password: String,
    id: Option<i64>,
    action: String,
}

/// A stable code (`department`, `handler` …) as the enum it names.
fn parse_code<T: serde::de::DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::from(code)).ok()
}

pub async fn create_unit(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<AdminForm>,
) -> Response {
    if let Err(r) = require_admin(&officer) {
        return r;
    }
    let (Some(kind), false) = (
        parse_code::<UnitKind>(&form.kind),
        form.name.trim().is_empty(),
    ) else {
        return render(
            &state,
            &officer,
            Some("请填写单位名称并选择类型".into()),
            None,
        )
        .await;
    };
    let new = app::org::NewUnit {
        parent: form.parent_id.map(UnitId),
        name: &form.name,
        kind,
        external: form.external.is_some(),
    };
    match app::org::create_unit(&state, &officer.actor, new).await {
        Ok(_) => Redirect::to("/admin").into_response(),
        Err(e) => render(&state, &officer, Some(e.message), None).await,
    }
}

pub async fn create_person(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<AdminForm>,
) -> Response {
    if let Err(r) = require_admin(&officer) {
        return r;
    }
    let Some(unit) = form.unit_id.map(UnitId) else {
        return render(&state, &officer, Some("请选择所在单位".into()), None).await;
    };
    let username = form.username.trim().to_string();
    let person = app::org::NewPerson {
        username: username.clone(),
        name: form.name.trim().to_string(),
        unit,
        roles: form.roles.iter().filter_map(|r| parse_code(r)).collect(),
        password: form.password,
    };
    let done = app::org::create_person(&state, &officer.actor, person)
        .await
        .map(|_| format!("已添加人员 {username}"));
    outcome(&state, &officer, done).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct YearForm {
    year: String,
    holidays: String,
    workdays: String,
}

/// Sets a year of the holiday calendar; the open cases' working-day deadlines follow.
pub async fn set_calendar_year(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<YearForm>,
) -> Response {
    if let Err(r) = require_admin(&officer) {
        return r;
    }
    let done = async {
        let year: i32 = form.year.trim().parse().map_err(|_| {
            ApiError::from(xinfang_domain::DomainError::invalid("year", "请填写年份"))
        })?;
        let holidays = app::calendar::parse_days(&form.holidays)?;
        let workdays = app::calendar::parse_days(&form.workdays)?;
        let moved =
            app::calendar::set_year(&state, &officer.actor, year, holidays, workdays).await?;
        Ok(format!(
            "已保存{year}年放假安排，{moved}件在办事项的期限已按新安排重新计算"
        ))
    }
    .await;
    outcome(&state, &officer, done).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SynonymForm {
    synonyms: String,
}

/// Replaces the search's synonym list (refused with the line at fault, nothing changed).
pub async fn set_synonyms(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<SynonymForm>,
) -> Response {
    if let Err(r) = require_admin(&officer) {
        return r;
    }
    let list = match xinfang_text::Synonyms::parse(&form.synonyms) {
        Ok(list) => list,
        Err(e) => {
            return render_typed(&state, &officer, Some(e), None, Some(form.synonyms)).await;
        }
    };
    let done = state
        .store
        .set_synonyms(list.groups())
        .await
        .map(|_| format!("已保存检索同义词 {} 组", list.groups().len()))
        .map_err(ApiError::from);
    outcome(&state, &officer, done).await
}

/// Issues an Open311 API key; it is shown once, in the notice.
pub async fn create_api_key(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<AdminForm>,
) -> Response {
    if let Err(r) = require_admin(&officer) {
        return r;
    }
    let name = form.name;
    let done = state
        .store
        .create_api_key(&name)
        .await
        .map(|(_, key)| {
            format!(
                "已为“{}”发放接口密钥：{key}（只显示这一次，请立即交给对方系统保存）",
                name.trim()
            )
        })
        .map_err(ApiError::from);
    outcome(&state, &officer, done).await
}

pub async fn revoke_api_key(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<AdminForm>,
) -> Response {
    if let Err(r) = require_admin(&officer) {
        return r;
    }
    let done = state
        .store
        .revoke_api_key(form.id.unwrap_or(0))
        .await
        .map(|()| "已停用该接口密钥".to_string())
        .map_err(ApiError::from);
    outcome(&state, &officer, done).await
}

/// Unlocks, deactivates or resets the password of an account.
pub async fn act_on_account(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<AdminForm>,
) -> Response {
    use app::org::AccountAct;
    let (act, notice) = match form.action.as_str() {
        "unlock" => (AccountAct::Unlock, "已解锁该账号"),
        "deactivate" => (AccountAct::Deactivate, "已停用该账号，其登录已失效"),
        "reset_password" => (
            AccountAct::ResetPassword(form.password),
            "已重置密码，该人员下次登录时须修改密码",
        ),
        _ => return error_page(StatusCode::UNPROCESSABLE_ENTITY, "未知的操作"),
    };
    let person = xinfang_domain::PersonId(form.id.unwrap_or(0));
    let done = app::org::act_on_account(&state, &officer.actor, person, act)
        .await
        .map(|()| notice.to_string());
    outcome(&state, &officer, done).await
}
