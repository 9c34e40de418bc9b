//! Units, people and the policy in force.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinfang_domain::{Policy, Role, UnitId, UnitKind};
use xinfang_store::org::Person;

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
    let id = app::org::create_unit(&state, &actor, req.parent_id, &req.name, req.kind).await?;
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
