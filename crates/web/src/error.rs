//! API errors: JSON with a stable machine code and a Chinese message. Logged here, once.

use std::borrow::Cow;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::DomainError;
use xinfang_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<Cow<'static, str>>,
    /// With `conflict`: the record as it is now, for the client to show instead of its stale copy.
    pub current: Option<serde_json::Value>,
    /// Seconds after which trying again may succeed (a `Retry-After` header).
    pub retry_after: Option<u64>,
}

/// `{"error": {"code": "...", "message": "...", "field": "...", "current": {...}}}`
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine code, e.g. `invalid_input`, `illegal_transition`, `forbidden`, `unauthenticated`.
    pub code: &'static str,
    /// Chinese message for people.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub field: Option<Cow<'static, str>>,
    /// With `conflict` (a stale version): the record as it is now.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub current: Option<serde_json::Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            current: None,
            retry_after: None,
        }
    }

    /// Trying again after `seconds` may succeed.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    /// The record as it is now, sent with a conflict.
    pub fn with_current(mut self, current: impl serde::Serialize) -> Self {
        self.current = serde_json::to_value(current).ok();
        self
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what}不存在"))
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 422 `invalid_field`: a field the request names is refused (the field travels along).
    pub fn invalid_field(field: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            field: Some(Cow::Borrowed(field)),
            ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_field", message)
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let status = match &e {
            DomainError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            DomainError::IllegalTransition { .. }
            | DomainError::WindowClosed(_)
            | DomainError::AlreadyDone(_)
            | DomainError::Stale { .. } => StatusCode::CONFLICT,
            DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
            DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        };
        ApiError {
            field: e.field().map(Cow::Borrowed),
            ..ApiError::new(status, e.code(), e.to_string())
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::Conflict(m) => ApiError::new(StatusCode::CONFLICT, "conflict", m),
            StoreError::Duplicate { code, message } => {
                ApiError::new(StatusCode::CONFLICT, code, message)
            }
            StoreError::StorageFull(detail) => {
                tracing::error!(error = %detail, "storage full: writes refused");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_full",
                    "存储空间已满，本次提交没有保存，请稍后重试（此前已保存的内容不受影响）",
                )
            }
            StoreError::StorageUnavailable(detail) => {
                tracing::error!(error = %detail, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "storage_unavailable",
                    "数据库暂时不可用，本次提交没有保存，请稍后重试",
                )
            }
            other => {
                tracing::error!(error = %other, "storage failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "服务器内部错误，请稍后重试",
                )
            }
        }
    }
}

impl From<xinfang_text::TextError> for ApiError {
    fn from(e: xinfang_text::TextError) -> Self {
        match e {
            xinfang_text::TextError::Store(s) => s.into(),
            other => {
                tracing::error!(error = %other, "text search failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "全文检索暂时不可用，请稍后重试",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message,
                field: self.field,
                current: self.current,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(s) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, s.into());
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// A query string that does not fit the operation's parameters.
pub fn bad_query(e: axum::extract::rejection::QueryRejection) -> ApiError {
    ApiError::bad_request("bad_query", format!("查询参数不正确: {}", e.body_text()))
}
