//! Submitted forms of the workbench: one extractor gives the officer behind the session and the
//! form as its own type, after checking the CSRF token (in constant time). A form that is not
//! ours, or that cannot be read, gets an error page and reaches no handler.

use axum::body::to_bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::response::Response;
use serde::de::DeserializeOwned;

use super::csrf::{CSRF_FIELD, csrf_matches};
use super::frame::error_page;
use super::session::UiOfficer;
use crate::AppState;

/// A form posted by a logged-in officer from one of our pages.
pub struct Submitted<T> {
    pub officer: UiOfficer,
    pub form: T,
}

impl<T: DeserializeOwned> FromRequest<AppState> for Submitted<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let officer = UiOfficer::from_request_parts(&mut parts, state).await?;
        let bytes = to_bytes(body, crate::MAX_BODY_BYTES)
            .await
            .map_err(|_| error_page(StatusCode::PAYLOAD_TOO_LARGE, "提交的内容过大。"))?;
        let token = form_urlencoded_value(&bytes, CSRF_FIELD);
        if !token.is_some_and(|t| csrf_matches(&t, &officer.csrf)) {
            return Err(error_page(
                StatusCode::FORBIDDEN,
                "表单已过期或来源不明，请返回重新提交。",
            ));
        }
        let form = serde_html_form::from_bytes(&bytes).map_err(|e| {
            error_page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("表单内容不完整或不正确（{e}）"),
            )
        })?;
        Ok(Submitted { officer, form })
    }
}

/// The first value of `key` in a urlencoded body.
fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    serde_html_form::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// A date field as typed (YYYY-MM-DD), or the message to show beside it.
pub fn date(s: &str) -> Result<chrono::NaiveDate, String> {
    s.trim().parse().map_err(|_| "请填写正确的日期".to_string())
}

/// Deserializes `field=` as `None` (browsers send empty fields).
pub use serde_html_form::de::empty_as_none;
