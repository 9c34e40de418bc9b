//! The organisation, kept by administrators: units of the tree and the people in them.

use axum::http::StatusCode;
use xinfang_domain::{Actor, PersonId, Role, UnitId, UnitKind};
use xinfang_store::Who;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Only administrators keep the organisation.
pub fn admin(actor: &Actor) -> ApiResult<()> {
    if actor.has(Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::forbidden("只有管理员可以执行此操作"))
    }
}

/// A unit to add: in the deployment's tree, or a body above it.
pub struct NewUnit<'a> {
    pub parent: Option<UnitId>,
    pub name: &'a str,
    pub kind: UnitKind,
    pub external: bool,
}

pub async fn create_unit(state: &AppState, actor: &Actor, new: NewUnit<'_>) -> ApiResult<UnitId> {
    admin(actor)?;
    let who = Who::Officer(actor.clone());
    let store = &state.store;
    Ok(if new.external {
        store
            .create_external_unit(new.parent, new.name, new.kind, who)
            .await?
    } else {
        store
            .create_unit(new.parent, new.name, new.kind, who)
            .await?
    })
}

/// A person to add, with the password they will log in with.
pub struct NewPerson {
    pub username: String,
    pub name: String,
    pub unit: UnitId,
    pub roles: Vec<Role>,
    pub password: String,
}

/// Adds a person; a username already taken is refused by the database (409
/// `duplicate_username`).
pub async fn create_person(state: &AppState, actor: &Actor, p: NewPerson) -> ApiResult<PersonId> {
    admin(actor)?;
    if let Err(m) = xinfang_store::accounts::check_new_password(&p.username, &p.password) {
        return Err(ApiError {
            field: Some("password".into()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", m)
        });
    }
    let password = p.password;
    let hash = tokio::task::spawn_blocking(move || xinfang_store::auth::hash_password(&password))
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误",
            )
        })?;
    let id = state
        .store
        .create_person(
            &p.username,
            &p.name,
            p.unit,
            &p.roles,
            hash,
            Who::Officer(actor.clone()),
        )
        .await?;
    // The administrator knows this password: the person chooses their own at first login.
    state.store.require_password_change(id).await?;
    Ok(id)
}

/// What an administrator does to an account.
pub enum AccountAct {
    Unlock,
    Deactivate,
    ResetPassword(String),
}

pub async fn act_on_account(
    state: &AppState,
    actor: &Actor,
    person: PersonId,
    act: AccountAct,
) -> ApiResult<()> {
    admin(actor)?;
    let store = &state.store;
    match act {
        AccountAct::Unlock => store.unlock(person, actor).await?,
        AccountAct::Deactivate => store.deactivate(person, actor).await?,
        AccountAct::ResetPassword(p) => store.reset_password(person, &p, actor).await?,
    }
    state.sessions.forget_person(person);
    Ok(())
}

/// The answer to a login while the account is locked.
pub fn locked(state: &AppState, until_ms: i64) -> ApiError {
    let seconds = (until_ms - state.store.clock().now_ms()).max(1000) / 1000;
    ApiError::new(
        StatusCode::LOCKED,
        "account_locked",
        format!(
            "密码连续错误次数过多，账号已锁定，请{}分钟后再试或联系管理员解锁",
            (seconds + 59) / 60
        ),
    )
    .retry_after(u64::try_from(seconds).unwrap_or(1))
}
