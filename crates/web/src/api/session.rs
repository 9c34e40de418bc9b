//! Login and logout.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinfang_domain::{Role, UnitId};

use crate::AppState;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, ClientIp, Officer};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub name: String,
    pub unit: UnitId,
    pub unit_name: String,
    pub roles: Vec<Role>,
}

#[derive(Serialize, ToSchema)]
pub struct LoginResponse {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub person: Me,
}

fn me_of(state: &AppState, a: &xinfang_domain::Actor) -> Me {
    let unit_name = state
        .store
        .org()
        .get(a.unit)
        .map(|u| u.name.clone())
        .unwrap_or_default();
    Me {
        id: a.person.0,
        name: a.name.clone(),
        unit: a.unit,
        unit_name,
        roles: a.roles.clone(),
    }
}

/// Log in with username and password.
#[utoipa::path(post, path = "/api/v1/session", request_body = LoginRequest, tag = "session",
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Json<LoginResponse>> {
    state.limits.check_login(ip)?;
    if req.username.len() > 64 || req.password.len() > 256 {
        return Err(ApiError::bad_request("invalid_input", "用户名或密码过长"));
    }
    match state
        .store
        .login(req.username.trim(), &req.password)
        .await?
    {
        Some((token, actor)) => Ok(Json(LoginResponse {
            person: me_of(&state, &actor),
            token,
        })),
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_credentials",
            "用户名或密码错误",
        )),
    }
}

/// End the session.
#[utoipa::path(delete, path = "/api/v1/session", tag = "session", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    Officer(_, token): Officer,
) -> ApiResult<StatusCode> {
    state.store.logout(&token).await?;
    state.sessions.forget(&token);
    Ok(StatusCode::NO_CONTENT)
}

/// Who is logged in.
#[utoipa::path(get, path = "/api/v1/me", tag = "session", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(State(state): State<AppState>, Officer(actor, _): Officer) -> Json<Me> {
    Json(me_of(&state, &actor))
}
