//! Nothing happens twice (#16): a POST that carries a key — the API's `Idempotency-Key` header,
//! a form's one-time `once` field (or `?once=` on a multipart form's address) — is done once per
//! caller and key. A repeat within a day (a double click, a client retrying after a timeout)
//! gets the first answer back, marked `Idempotent-Replayed: true`, and writes nothing; a repeat
//! while the first still runs waits for its answer. The keys live in the database
//! ([`xinfang_store::request_keys`]), shared by every server process and kept across restarts.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use xinfang_store::request_keys::{Claim, KeptAnswer};

use crate::error::ApiError;
use crate::{AppState, MAX_BODY_BYTES};

pub const KEY_HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// The form field (and query parameter) of a page's one-time token.
pub const FORM_FIELD: &str = "once";
/// The largest answer kept for a repeat; a larger one is not kept (the key is released).
const MAX_KEPT_BYTES: usize = 1024 * 1024;
/// How long a repeat waits for the first request's answer.
const WAIT: Duration = Duration::from_secs(10);

/// The headers a repeat gets back with the first answer's body.
const KEPT_HEADERS: [header::HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::LOCATION,
    header::ETAG,
    header::RETRY_AFTER,
];

pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let from_header = req
        .headers()
        .get(KEY_HEADER)
        .map(|v| v.to_str().map(str::to_string));
    let from_query = req.uri().query().and_then(|q| query_key(q.as_bytes()));
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if from_header.is_none() && from_query.is_none() && !is_form {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    // Multipart forms (files) name their key in the address; their body passes on unread.
    let (bytes, unread) = if from_header.is_some() || is_form {
        match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(b) => (b, None),
            Err(_) => {
                return ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("请求内容过大（上限 {} KB）", MAX_BODY_BYTES / 1024),
                )
                .into_response();
            }
        }
    } else {
        (Bytes::new(), Some(body))
    };
    let key = match from_header {
        Some(Ok(k)) => Some(k),
        // Not visible ASCII: refused below like any other malformed key.
        Some(Err(_)) => Some(String::new()),
        None => from_query.or_else(|| is_form.then(|| query_key(&bytes)).flatten()),
    };
    let rebuilt = |body: Body| Request::from_parts(parts.clone(), body);
    let Some(key) = key else {
        return next
            .run(rebuilt(unread.unwrap_or_else(|| Body::from(bytes.clone()))))
            .await;
    };
    if key.is_empty() || key.len() > 100 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return ApiError::bad_request(
            "bad_idempotency_key",
            "Idempotency-Key 应为1至100个可见ASCII字符",
        )
        .into_response();
    }
    let scope = scope_of(&state, &parts.headers).await;
    let fingerprint = {
        let mut h = Sha256::new();
        h.update(parts.uri.path().as_bytes());
        h.update([0]);
        h.update(&bytes);
        hex::encode(h.finalize())
    };
    let store = &state.store;
    let mut waited = Duration::ZERO;
    loop {
        let claim = match store.claim_request_key(&scope, &key, &fingerprint).await {
            Ok(c) => c,
            Err(e) => return ApiError::from(e).into_response(),
        };
        match claim {
            Claim::Fresh => break,
            Claim::Answered { fingerprint: f, .. } | Claim::Running { fingerprint: f }
                if f != fingerprint =>
            {
                return ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency_key_reused",
                    "该幂等键已用于另一个请求，请为新的请求使用新的键",
                )
                .into_response();
            }
            Claim::Answered { answer, .. } => return replay(answer),
            Claim::Running { .. } if waited < WAIT => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                waited += Duration::from_millis(50);
            }
            Claim::Running { .. } => {
                return ApiError::new(
                    StatusCode::CONFLICT,
                    "request_in_progress",
                    "同一请求正在处理，请稍后刷新查看结果",
                )
                .into_response();
            }
        }
    }
    let response = next
        .run(rebuilt(unread.unwrap_or_else(|| Body::from(bytes.clone()))))
        .await;
    // A server-side failure writes nothing we can answer with: the key may be tried again.
    if response.status().is_server_error() {
        let _ = store.release_request_key(&scope, &key).await;
        return response;
    }
    let (mut head, body) = response.into_parts();
    let body = match axum::body::to_bytes(body, MAX_KEPT_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            let _ = store.release_request_key(&scope, &key).await;
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "服务器内部错误",
            )
            .into_response();
        }
    };
    match String::from_utf8(body.to_vec()) {
        Ok(text) => {
            let answer = KeptAnswer {
                status: head.status.as_u16(),
                headers: kept_headers(&head.headers),
                body: text,
            };
            if let Err(e) = store.keep_request_answer(&scope, &key, &answer).await {
                tracing::warn!("keeping the answer of a keyed request failed: {e}");
            }
        }
        Err(_) => {
            let _ = store.release_request_key(&scope, &key).await;
        }
    }
    head.headers.remove(REPLAYED_HEADER);
    Response::from_parts(head, Body::from(body))
}

/// The `once` value of a query string or a form body.
fn query_key(bytes: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(bytes)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == FORM_FIELD)
        .map(|(_, v)| v)
}

/// Whose key it is: the officer behind the bearer token or the session cookie; citizens and
/// other callers without a session share one scope (their keys are random one-time tokens).
async fn scope_of(state: &AppState, headers: &HeaderMap) -> String {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string())
        .or_else(|| crate::ui::session_cookie(headers));
    if let Some(token) = token
        && let Ok(Some(session)) = crate::extract::resolve(state, &token).await
    {
        return format!("person:{}", session.actor.person.0);
    }
    "public".to_string()
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    KEPT_HEADERS
        .iter()
        .filter_map(|name| {
            let v = headers.get(name)?.to_str().ok()?;
            Some((name.as_str().to_string(), v.to_string()))
        })
        .collect()
}

fn replay(answer: KeptAnswer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    *response.status_mut() = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    for (k, v) in answer.headers {
        if let (Ok(k), Ok(v)) = (
            header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(&v),
        ) {
            response.headers_mut().insert(k, v);
        }
    }
    response
        .headers_mut()
        .insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}
