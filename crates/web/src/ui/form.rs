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

/// An uploaded form (multipart) read whole: each part by its name, with the file's name when it
/// is a file. The CSRF token is checked as for [`Submitted`].
pub struct Uploaded {
    parts: std::collections::HashMap<String, (String, Vec<u8>)>,
}

impl Uploaded {
    /// Reads every part; `too_large` is said when the upload breaks off (over the size limit).
    pub async fn read(
        officer: &UiOfficer,
        mut multipart: axum::extract::Multipart,
        too_large: &str,
    ) -> Result<Uploaded, Response> {
        let mut parts = std::collections::HashMap::new();
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => break,
                Err(_) => return Err(error_page(StatusCode::PAYLOAD_TOO_LARGE, too_large)),
            };
            let name = field.name().unwrap_or_default().to_string();
            let file_name = field.file_name().unwrap_or_default().to_string();
            let Ok(bytes) = field.bytes().await else {
                return Err(error_page(StatusCode::PAYLOAD_TOO_LARGE, too_large));
            };
            parts.entry(name).or_insert((file_name, bytes.to_vec()));
        }
        let csrf = parts
            .get(CSRF_FIELD)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned());
        if !csrf.is_some_and(|t| csrf_matches(&t, &officer.csrf)) {
            return Err(error_page(
                StatusCode::FORBIDDEN,
                "表单已过期或来源不明，请返回重新提交。",
            ));
        }
        Ok(Uploaded { parts })
    }

    /// A text part ("" when absent).
    pub fn text(&self, name: &str) -> String {
        self.parts
            .get(name)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    /// A file part that is not empty: its name and bytes.
    pub fn file(&mut self, name: &str) -> Option<(String, Vec<u8>)> {
        self.parts.remove(name).filter(|(_, b)| !b.is_empty())
    }
}
