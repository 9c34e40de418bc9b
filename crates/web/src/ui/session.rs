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
use crate::extract::{ClientIp, reached_over_https, resolve};
use xinfang_store::accounts::LoginOutcome;

pub const SESSION_COOKIE: &str = "xf_session";

pub(crate) fn session_cookie(headers: &HeaderMap) -> Option<String> {
    crate::extract::cookie(headers, SESSION_COOKIE, 128)
}

/// The logged-in officer of a page; without a session the browser goes to the login page, and
/// an officer who must change the password an administrator gave them goes to `/password`.
pub struct UiOfficer {
    pub actor: Actor,
    pub csrf: String,
    token: String,
    /// Only the password change page is open to them.
    must_change_password: bool,
}

impl FromRequestParts<AppState> for UiOfficer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let token =
            session_cookie(&parts.headers).ok_or_else(|| Redirect::to("/login").into_response())?;
        match resolve(state, &token).await {
            Ok(Some(s)) if s.must_change_password && parts.uri.path() != "/password" => {
                Err(Redirect::to("/password").into_response())
            }
            Ok(Some(s)) => Ok(UiOfficer {
                actor: s.actor,
                csrf: csrf_token(&token),
                token,
                must_change_password: s.must_change_password,
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
    parts: Parts,
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
    if let Err(e) = state.limits.check_login(ip) {
        return with_retry_after(
            fail(&e.message, axum::http::StatusCode::TOO_MANY_REQUESTS),
            e.retry_after,
        );
    }
    if state.secure_cookies && !keeps_secure_cookie(&parts, &state) {
        return fail(
            "本系统须通过 HTTPS 访问：会话只在加密连接中保存。请改用 https:// 地址，或请管理员配置 TLS 代理（内网试用可用 --insecure-cookies 启动）。",
            axum::http::StatusCode::FORBIDDEN,
        );
    }
    if username.is_empty() || password.is_empty() || username.len() > 64 || password.len() > 256 {
        return fail(
            "请输入用户名和密码",
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match state
        .store
        .login(&username, &password, &ip.to_string())
        .await
    {
        Ok(LoginOutcome::In {
            token,
            must_change_password,
            ..
        }) => {
            let secure = if state.secure_cookies { "; Secure" } else { "" };
            let cookie = format!(
                "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{secure}",
                xinfang_store::org::SESSION_HOURS * 3600
            );
            let to = if must_change_password {
                "/password"
            } else {
                "/"
            };
            ([(header::SET_COOKIE, cookie)], Redirect::to(to)).into_response()
        }
        Ok(LoginOutcome::Refused) => fail("用户名或密码错误", axum::http::StatusCode::UNAUTHORIZED),
        Ok(LoginOutcome::Locked { until_ms }) => {
            let e = crate::app::org::locked(&state, until_ms);
            with_retry_after(fail(&e.message, e.status), e.retry_after)
        }
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

fn with_retry_after(mut r: Response, seconds: Option<u64>) -> Response {
    if let Some(s) = seconds {
        r.headers_mut().insert(header::RETRY_AFTER, s.into());
    }
    r
}

/// Whether the browser will keep a `Secure` cookie from this request: it came over HTTPS (said
/// by a trusted proxy), or to this machine by name or loopback address, which browsers trust.
/// Otherwise logging in would only bring the browser back to an empty form.
fn keeps_secure_cookie(parts: &Parts, state: &AppState) -> bool {
    if reached_over_https(parts, &state.trusted_proxies) {
        return true;
    }
    let host = parts
        .headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(n, _)| n),
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[derive(Template, WebTemplate)]
#[template(path = "password.html")]
pub struct PasswordPage {
    frame: super::frame::Frame,
    forced: bool,
    error: Option<String>,
}

/// The password change page (where an officer with an administrator's password is sent).
pub async fn password_form(State(state): State<AppState>, officer: UiOfficer) -> Response {
    password_page(&state, &officer, None).await
}

async fn password_page(state: &AppState, officer: &UiOfficer, error: Option<String>) -> Response {
    let forced = officer.must_change_password;
    let status = super::frame::page_status(&error);
    (
        status,
        PasswordPage {
            frame: super::frame::frame(state, officer),
            forced,
            error,
        },
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    repeat: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    super::form::Submitted { officer, form }: super::form::Submitted<PasswordForm>,
) -> Response {
    if form.new_password != form.repeat {
        return password_page(&state, &officer, Some("两次输入的新密码不一致".into())).await;
    }
    if form.current_password.len() > 256 || form.new_password.len() > 1024 {
        return password_page(&state, &officer, Some("密码过长".into())).await;
    }
    let changed = state
        .store
        .change_password(
            officer.actor.person,
            &form.current_password,
            &form.new_password,
            &officer.token,
        )
        .await;
    match changed {
        Ok(()) => {
            state.sessions.forget(&officer.token);
            Redirect::to("/?done=password").into_response()
        }
        Err(e) => {
            let e = crate::error::ApiError::from(e);
            password_page(&state, &officer, Some(e.message)).await
        }
    }
}
