//! Administration for admins: the unit tree, people and roles, the policy in force.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use xinfang_domain::{Role, UnitId, UnitKind};
use xinfang_store::Who;

use super::pages::{Frame, UnitOption, error_page, frame, page_status, unit_options};
use super::session::UiOfficer;
use crate::AppState;
use crate::error::ApiError;

pub struct PersonRow {
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
    error: Option<String>,
    notice: Option<String>,
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
    let org = state.store.org();
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
                created: clock.format_ms(k.created_at),
                revoked: k.revoked_at.map(|t| clock.format_ms(t)),
            })
            .collect(),
        Err(e) => {
            return error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &ApiError::from(e).message,
            );
        }
    };
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
        roles: [
            Role::Registrar,
            Role::Handler,
            Role::UnitHead,
            Role::Supervisor,
            Role::Leader,
            Role::Admin,
        ]
        .iter()
        .map(|r| (code(r), r.label()))
        .collect(),
        people: people
            .into_iter()
            .map(|p| PersonRow {
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
        error,
        notice,
    };
    (status, page).into_response()
}

/// The page again, with the notice of what was done or the store's refusal.
async fn outcome(
    state: &AppState,
    officer: &UiOfficer,
    done: Result<String, xinfang_store::StoreError>,
) -> Response {
    match done {
        Ok(notice) => render(state, officer, None, Some(notice)).await,
        Err(e) => render(state, officer, Some(ApiError::from(e).message), None).await,
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

pub async fn create_unit(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = require_admin(&officer).and_then(|_| officer.check_csrf(&form)) {
        return r;
    }
    let parent = form
        .get("parent_id")
        .and_then(|p| p.parse::<i64>().ok())
        .map(UnitId);
    let kind = form
        .get("kind")
        .and_then(|k| serde_json::from_value::<UnitKind>(serde_json::Value::from(k.as_str())).ok());
    let (Some(kind), Some(name)) = (kind, form.get("name")) else {
        return render(
            &state,
            &officer,
            Some("请填写单位名称并选择类型".into()),
            None,
        )
        .await;
    };
    match state
        .store
        .create_unit(parent, name, kind, Who::Officer(officer.actor.clone()))
        .await
    {
        Ok(_) => Redirect::to("/admin").into_response(),
        Err(e) => render(&state, &officer, Some(ApiError::from(e).message), None).await,
    }
}

pub async fn create_person(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let map: HashMap<String, String> = form.iter().cloned().collect();
    if let Err(r) = require_admin(&officer).and_then(|_| officer.check_csrf(&map)) {
        return r;
    }
    let roles: Vec<Role> = form
        .iter()
        .filter(|(k, _)| k == "roles")
        .filter_map(|(_, v)| serde_json::from_value(serde_json::Value::from(v.as_str())).ok())
        .collect();
    let get = |k: &str| map.get(k).map(|s| s.trim().to_string()).unwrap_or_default();
    let password = map.get("password").cloned().unwrap_or_default();
    let unit = get("unit_id").parse::<i64>().ok().map(UnitId);
    let Some(unit) = unit else {
        return render(&state, &officer, Some("请选择所在单位".into()), None).await;
    };
    if password.chars().count() < 10 || password.len() > 256 {
        return render(&state, &officer, Some("密码应为10至256个字符".into()), None).await;
    }
    if matches!(state.store.people().await, Ok(p) if p.iter().any(|p| p.username == get("username")))
    {
        return render(&state, &officer, Some("用户名已存在".into()), None).await;
    }
    let hash =
        match tokio::task::spawn_blocking(move || xinfang_store::auth::hash_password(&password))
            .await
        {
            Ok(h) => h,
            Err(_) => return error_page(StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误"),
        };
    let done = state
        .store
        .create_person(
            &get("username"),
            &get("name"),
            unit,
            &roles,
            hash,
            Who::Officer(officer.actor.clone()),
        )
        .await
        .map(|_| format!("已添加人员 {}", get("username")));
    outcome(&state, &officer, done).await
}

/// Issues an Open311 API key; it is shown once, in the notice.
pub async fn create_api_key(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = require_admin(&officer).and_then(|_| officer.check_csrf(&form)) {
        return r;
    }
    let name = form.get("name").cloned().unwrap_or_default();
    let done = state.store.create_api_key(&name).await.map(|(_, key)| {
        format!(
            "已为“{}”发放接口密钥：{key}（只显示这一次，请立即交给对方系统保存）",
            name.trim()
        )
    });
    outcome(&state, &officer, done).await
}

pub async fn revoke_api_key(
    State(state): State<AppState>,
    officer: UiOfficer,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = require_admin(&officer).and_then(|_| officer.check_csrf(&form)) {
        return r;
    }
    let id = form
        .get("id")
        .and_then(|i| i.parse::<i64>().ok())
        .unwrap_or(0);
    let done = state
        .store
        .revoke_api_key(id)
        .await
        .map(|()| "已停用该接口密钥".to_string());
    outcome(&state, &officer, done).await
}
