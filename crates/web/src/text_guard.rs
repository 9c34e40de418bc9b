//! The edge of the domain's text rule ([`xinfang_domain::text_rule`]): every string a request
//! carries — path, query, JSON or form body — is checked before any handler runs, so that no
//! field the domain does not read itself (a filter, a login name, a unit's name) can bring NUL
//! to PostgreSQL or a direction override to a page. Refused requests change nothing.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use xinfang_domain::text_rule::{self, Fault};

use crate::error::ApiError;
use crate::extract::form_pairs;

/// A string of the request the rule refuses: its field (or "path"/"query") and the fault.
struct Refused {
    field: String,
    fault: Fault,
}

pub async fn refuse_bad_text(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    if let Some(r) = in_uri(&parts.uri) {
        return refuse(&path, r);
    }
    let kind = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    let body = match kind.as_deref() {
        Some(k @ ("application/json" | "application/x-www-form-urlencoded")) => {
            let Ok(bytes) = to_bytes(body, crate::MAX_BODY_BYTES).await else {
                return ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!("请求内容过大（上限 {} KB）", crate::MAX_BODY_BYTES / 1024),
                )
                .into_response();
            };
            let found = if k == "application/json" {
                serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| in_json("", &v))
            } else {
                in_pairs(form_pairs(&bytes))
            };
            if let Some(r) = found {
                return refuse(&path, r);
            }
            Body::from(bytes)
        }
        _ => body,
    };
    next.run(Request::from_parts(parts, body)).await
}

fn in_uri(uri: &axum::http::Uri) -> Option<Refused> {
    let path = percent_decoded(uri.path());
    if let Some(fault) = text_rule::fault(&path) {
        return Some(Refused {
            field: "path".into(),
            fault,
        });
    }
    in_pairs(form_pairs(uri.query()?.as_bytes()))
}

fn percent_decoded(s: &str) -> String {
    serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("p={}", s.replace('&', "%26")))
        .ok()
        .and_then(|v| v.into_iter().next())
        .map(|(_, v)| v)
        .unwrap_or_default()
}

fn in_pairs(pairs: Vec<(String, String)>) -> Option<Refused> {
    pairs.into_iter().find_map(|(k, v)| {
        let fault = text_rule::fault(&k).or_else(|| text_rule::fault(&v))?;
        Some(Refused { field: k, fault })
    })
}

fn in_json(key: &str, v: &serde_json::Value) -> Option<Refused> {
    use serde_json::Value;
    match v {
        Value::String(s) => text_rule::fault(s).map(|fault| Refused {
            field: key.to_string(),
            fault,
        }),
        Value::Array(items) => items.iter().find_map(|i| in_json(key, i)),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let field = if key.is_empty() {
                k.clone()
            } else {
                format!("{key}.{k}")
            };
            match text_rule::fault(k) {
                Some(fault) => Some(Refused { field, fault }),
                None => in_json(&field, v),
            }
        }),
        _ => None,
    }
}

/// The refusal in the caller's language: the API's error body, Open311's error document, or
/// a page.
fn refuse(path: &str, r: Refused) -> Response {
    let message = text_rule::edge_message(r.fault);
    if path.starts_with("/open311") {
        crate::open311::refused(path, &format!("{}: {message}", r.field))
    } else if path.starts_with("/api/") {
        ApiError {
            field: Some(r.field.chars().take(64).collect::<String>().into()),
            ..ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", message)
        }
        .into_response()
    } else {
        crate::ui::frame::error_page(StatusCode::UNPROCESSABLE_ENTITY, &message)
    }
}
