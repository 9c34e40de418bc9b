//! Extractors: JSON bodies whose every failure is an [`ApiError`], the logged-in officer, the client address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use xinfang_domain::Actor;
use xinfang_store::accounts::LiveSession;

use crate::AppState;
use crate::error::ApiError;

/// The pairs of a urlencoded form or query (nothing when it cannot be read).
pub fn form_pairs(bytes: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(bytes).unwrap_or_default()
}

/// A JSON body; malformed JSON, unknown fields, wrong types and oversized bodies become 4xx errors.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rejection) => Err(json_error(rejection)),
        }
    }
}

/// A JSON command with the version of the record it was drawn from, from the body's `version`
/// field or an `If-Match: "7"` header; both optional, and they must agree when both are given.
pub struct Versioned<T> {
    pub body: T,
    pub version: Option<u32>,
}

impl<T: DeserializeOwned + serde::Serialize, S: Send + Sync> FromRequest<S> for Versioned<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let header = match req.headers().get(axum::http::header::IF_MATCH) {
            Some(v) => Some(if_match_version(v)?),
            None => None,
        };
        let ApiJson(mut value) = ApiJson::<serde_json::Value>::from_request(req, state).await?;
        let field = match value.as_object_mut().and_then(|o| o.remove("version")) {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                v.as_u64()
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| bad_version("version 应为版本号（正整数）"))?,
            ),
        };
        let version = match (header, field) {
            (Some(h), Some(f)) if h != f => {
                return Err(bad_version("If-Match 与 version 不一致"));
            }
            (h, f) => h.or(f),
        };
        let given = value.clone();
        let body: T = serde_json::from_value(value).map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_field",
                format!("请求字段不正确: {e}"),
            )
        })?;
        // serde lets a variant without fields (`{"action": "accept"}`) take any others
        // silently: a field the command does not carry back is one it does not know.
        if let (Some(given), Ok(serde_json::Value::Object(kept))) =
            (given.as_object(), serde_json::to_value(&body))
            && let Some(unknown) = given
                .iter()
                .find(|(k, v)| !v.is_null() && !kept.contains_key(*k))
                .map(|(k, _)| k)
        {
            return Err(ApiError {
                field: Some(unknown.chars().take(64).collect::<String>().into()),
                ..ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_field",
                    format!("请求字段不正确: 未知字段 `{unknown}`"),
                )
            });
        }
        Ok(Versioned { body, version })
    }
}

/// `"7"`, `W/"7"` or `7`: the version an ETag gave.
fn if_match_version(v: &axum::http::HeaderValue) -> Result<u32, ApiError> {
    v.to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| bad_version("If-Match 应为事项的版本号（如 \"7\"）"))
}

fn bad_version(message: &str) -> ApiError {
    ApiError::invalid_field("version", message)
}

fn json_error(r: JsonRejection) -> ApiError {
    match r {
        JsonRejection::JsonDataError(e) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            format!(
                "请求字段不正确: {}",
                e.body_text().trim_start_matches(
                    "Failed to deserialize the JSON body into the target type: "
                )
            ),
        ),
        JsonRejection::JsonSyntaxError(_) => {
            ApiError::bad_request("bad_json", "请求内容不是合法的 JSON")
        }
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "请求须为 application/json",
        ),
        JsonRejection::BytesRejection(_) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("请求内容过大（上限 {} KB）", crate::MAX_BODY_BYTES / 1024),
        ),
        _ => ApiError::bad_request("bad_request", "请求无法解析"),
    }
}

/// Live sessions, cached for a second so that busy officers do not cost a database read per
/// request. No longer: a logout, a deactivated account or a changed role on another server
/// process reaches this one through the database, within the second.
#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, (LiveSession, Instant)>>,
}

const CACHE_TTL: Duration = Duration::from_secs(1);
const CACHE_MAX: usize = 100_000;

impl SessionCache {
    fn get(&self, token: &str, now_ms: i64) -> Option<LiveSession> {
        let entries = self.entries.lock().expect("session cache");
        let (session, cached) = entries.get(token)?;
        (cached.elapsed() < CACHE_TTL && session.until_ms > now_ms).then(|| session.clone())
    }

    fn put(&self, token: &str, session: LiveSession) {
        let mut entries = self.entries.lock().expect("session cache");
        if entries.len() >= CACHE_MAX {
            entries.retain(|_, (_, cached)| cached.elapsed() < CACHE_TTL);
        }
        entries.insert(token.to_string(), (session, Instant::now()));
    }

    pub fn forget(&self, token: &str) {
        self.entries.lock().expect("session cache").remove(token);
    }

    /// Drops every cached session of a person (deactivated, or their password reset); other
    /// server processes follow within [`CACHE_TTL`].
    pub fn forget_person(&self, person: xinfang_domain::PersonId) {
        self.entries
            .lock()
            .expect("session cache")
            .retain(|_, (s, _)| s.actor.person != person);
    }
}

/// The logged-in officer, from `Authorization: Bearer TOKEN`. An officer who must change the
/// password an administrator gave them is refused (403 `password_change_required`) everywhere
/// but [`OPEN_BEFORE_PASSWORD_CHANGE`].
pub struct Officer(pub Actor, pub String);

/// Where an officer who must change their password may still go: the change, who they are, and
/// logging out.
const OPEN_BEFORE_PASSWORD_CHANGE: &[&str] =
    &["/api/v1/me/password", "/api/v1/me", "/api/v1/session"];

impl FromRequestParts<AppState> for Officer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty() && t.len() <= 128)
            .ok_or_else(ApiError::unauthenticated)?
            .to_string();
        // Nested routers see the path without `/api/v1`: ask for the whole one.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or(parts.uri.path(), |u| u.0.path());
        match resolve(state, &token).await? {
            Some(s) if s.must_change_password && !OPEN_BEFORE_PASSWORD_CHANGE.contains(&path) => {
                Err(ApiError::new(
                    StatusCode::FORBIDDEN,
                    "password_change_required",
                    "请先修改管理员设置的初始密码（PUT /api/v1/me/password）",
                ))
            }
            Some(s) => Ok(Officer(s.actor, token)),
            None => Err(ApiError::unauthenticated()),
        }
    }
}

/// The value of the cookie `name`, when present, not empty and at most `max` bytes.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str, max: usize) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= max)
}

/// The session behind a token (from the cache, else the database).
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<LiveSession>, ApiError> {
    let now = state.store.clock().now_ms();
    if let Some(session) = state.sessions.get(token, now) {
        return Ok(Some(session));
    }
    let idle = i64::try_from(state.idle_timeout.as_millis()).unwrap_or(i64::MAX);
    Ok(match state.store.session(token, idle).await? {
        Some(session) => {
            state.sessions.put(token, session.clone());
            Some(session)
        }
        None => None,
    })
}

/// The caller's address: the connection's, or — when the connection comes from a trusted proxy
/// ([`AppState::trusted_proxies`]) — the nearest address in `X-Forwarded-For` that is not one
/// of the trusted proxies (what a client writes further left cannot be believed). Loopback when
/// the server runs without connect info, as in router tests.
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Ok(ClientIp(client_ip(parts, &state.trusted_proxies)))
    }
}

fn peer(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

fn trusted(ip: IpAddr, proxies: &[ipnet::IpNet]) -> bool {
    proxies.iter().any(|n| n.contains(&ip))
}

pub fn client_ip(parts: &Parts, proxies: &[ipnet::IpNet]) -> IpAddr {
    let peer = peer(parts);
    if !trusted(peer, proxies) {
        return peer;
    }
    let hops: Vec<IpAddr> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|h| h.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !trusted(**ip, proxies))
        .or(hops.first())
        .copied()
        .unwrap_or(peer)
}

/// Whether the browser reached us over HTTPS: through a trusted proxy that says so.
pub fn reached_over_https(parts: &Parts, proxies: &[ipnet::IpNet]) -> bool {
    trusted(peer(parts), proxies)
        && parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}
