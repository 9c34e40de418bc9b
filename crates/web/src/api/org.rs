//! Units, people and the policy in force.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinfang_domain::{Policy, Role, UnitId, UnitKind};
use xinfang_store::accounts::{AccountState, SecurityEntry};
use xinfang_store::org::Person;
use xinfang_store::personal_log::PersonalAccess;

use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiJson, Officer};
use crate::{AppState, app};

#[derive(Serialize, ToSchema)]
pub struct UnitView {
    pub id: UnitId,
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub kind: UnitKind,
    pub kind_label: &'static str,
    pub depth: usize,
    /// A body above the deployment: cases sent to it are tracked by the office that sent them.
    pub external: bool,
}

/// The unit tree, in tree order.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = Vec<UnitView>), (status = 401, body = ErrorBody)))]
pub async fn list_units(State(state): State<AppState>, _: Officer) -> Json<Vec<UnitView>> {
    let org = state.store.org();
    let mut units: Vec<_> = org.units().collect();
    units.sort_by(|a, b| a.path.cmp(&b.path));
    Json(
        units
            .into_iter()
            .map(|u| UnitView {
                id: u.id,
                parent_id: u.parent,
                name: u.name.clone(),
                kind: u.kind,
                kind_label: u.kind.label(),
                depth: u.depth(),
                external: u.external,
            })
            .collect(),
    )
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnit {
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub kind: UnitKind,
    /// A body above the deployment (a root, or under another external body); nobody works in it.
    #[serde(default)]
    pub external: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Add a unit (admins).
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = NewUnit, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(req): ApiJson<NewUnit>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let new = app::org::NewUnit {
        parent: req.parent_id,
        name: &req.name,
        kind: req.kind,
        external: req.external,
    };
    let id = app::org::create_unit(&state, &actor, new).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// People and their roles (admins).
#[utoipa::path(get, path = "/api/v1/people", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<Person>>> {
    app::org::admin(&actor)?;
    Ok(Json(state.store.people().await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPerson {
    pub username: String,
    pub name: String,
    pub unit_id: UnitId,
    pub roles: Vec<Role>,
    pub password: String,
}

/// Add a person (admins).
#[utoipa::path(post, path = "/api/v1/people", tag = "units", request_body = NewPerson, security(("bearer" = [])),
    responses((status = 201, body = Created), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    ApiJson(req): ApiJson<NewPerson>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let person = app::org::NewPerson {
        username: req.username,
        name: req.name,
        unit: req.unit_id,
        roles: req.roles,
        password: req.password,
    };
    let id = app::org::create_person(&state, &actor, person).await?;
    Ok((StatusCode::CREATED, Json(Created { id: id.0 })))
}

/// The deadline policy in force.
#[utoipa::path(get, path = "/api/v1/policy", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = Policy), (status = 401, body = ErrorBody)))]
pub async fn policy(State(state): State<AppState>, _: Officer) -> Json<Policy> {
    Json(state.store.policy().clone())
}

/// Every account with its state (admins).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = Vec<AccountState>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn accounts(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<AccountState>>> {
    app::org::admin(&actor)?;
    Ok(Json(state.store.accounts().await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountAction {
    /// `unlock`, `deactivate` or `reset_password` (with `password`, to be changed at next login).
    pub action: String,
    pub password: Option<String>,
}

/// Unlock, deactivate or reset the password of an account (admins); each in the security log.
#[utoipa::path(post, path = "/api/v1/people/{id}/actions", tag = "units", params(("id" = i64, Path)),
    request_body = AccountAction, security(("bearer" = [])),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn act_on_account(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
    axum::extract::Path(id): axum::extract::Path<i64>,
    ApiJson(req): ApiJson<AccountAction>,
) -> ApiResult<StatusCode> {
    use app::org::AccountAct;
    let act = match (req.action.as_str(), req.password) {
        ("unlock", None) => AccountAct::Unlock,
        ("deactivate", None) => AccountAct::Deactivate,
        ("reset_password", Some(p)) if p.len() <= 1024 => AccountAct::ResetPassword(p),
        _ => {
            return Err(crate::error::ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                "action 应为 unlock、deactivate 或 reset_password（需 password）",
            ));
        }
    };
    app::org::act_on_account(&state, &actor, xinfang_domain::PersonId(id), act).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The newest 200 lines of the security log: failed logins, locks and the administrators' acts
/// on accounts (admins).
#[utoipa::path(get, path = "/api/v1/security-log", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = Vec<SecurityEntry>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn security_log(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<SecurityEntry>>> {
    app::org::admin(&actor)?;
    Ok(Json(state.store.security_log(200).await?))
}

/// The newest 200 records of who saw petitioners' personal data unmasked or looked petitioners
/// up by phone, ID number or name (admins).
#[utoipa::path(get, path = "/api/v1/personal-data-log", tag = "units", security(("bearer" = [])),
    responses((status = 200, body = Vec<PersonalAccess>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn personal_data_log(
    State(state): State<AppState>,
    Officer(actor, _): Officer,
) -> ApiResult<Json<Vec<PersonalAccess>>> {
    app::org::admin(&actor)?;
    Ok(Json(state.store.personal_access_log(200).await?))
}
