//! Login with a form, the session cookie, and the CSRF token bound to the session.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::Actor;

use super::csrf::{csrf_matches, csrf_token};
use crate::AppState;
use crate::extract::{ClientIp, resolve};

pub const SESSION_COOKIE: &str = "xf_session";

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// The logged-in officer of a page; without a session the browser goes to the login page.
pub struct UiOfficer {
    pub actor: Actor,
    pub csrf: String,
}

impl FromRequestParts<AppState> for UiOfficer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token =
            session_cookie(&parts.headers).ok_or_else(|| Redirect::to("/login").into_response())?;
        match resolve(state, &token).await {
            Ok(Some(actor)) => Ok(UiOfficer {
                actor,
                csrf: csrf_token(&token),
            }),
            _ => Err(Redirect::to("/login").into_response()),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub error: Option<String>,
    pub username: String,
}

pub async fn login_form() -> LoginPage {
    LoginPage {
        error: None,
        username: String::new(),
    }
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let username = form.username.trim().to_string();
    let password = form.password;
    let fail = |error: &str, status| {
        (
            status,
            LoginPage {
                error: Some(error.to_string()),
                username: username.clone(),
            },
        )
            .into_response()
    };
    if state.limits.check_login(ip).is_err() {
        return fail(
            "登录尝试过于频繁，请一分钟后再试",
            axum::http::StatusCode::TOO_MANY_REQUESTS,
        );
    }
    if username.is_empty() || password.is_empty() || username.len() > 64 || password.len() > 256 {
        return fail(
            "请输入用户名和密码",
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match state.store.login(&username, &password).await {
        Ok(Some((token, _))) => {
            let secure = if state.secure_cookies { "; Secure" } else { "" };
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                xinfang_store::org::SESSION_HOURS * 3600
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response()
        }
        Ok(None) => fail("用户名或密码错误", axum::http::StatusCode::UNAUTHORIZED),
        Err(_) => fail(
            "服务器内部错误，请稍后重试",
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        ),
    }
}

#[derive(Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    if let Some(token) = session_cookie(&headers)
        && csrf_matches(&form.csrf, &csrf_token(&token))
    {
        let _ = state.store.logout(&token).await;
        state.sessions.forget(&token);
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    ([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response()
}
