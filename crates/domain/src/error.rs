//! Domain errors: each has a stable machine code and a Chinese message for people.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DomainError {
    /// A field is missing or malformed.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The command is not allowed in the case's current state.
    #[error("当前状态（{status}）不能执行“{action}”")]
    IllegalTransition {
        status: &'static str,
        action: &'static str,
    },
    /// The actor's role or unit does not allow this command.
    #[error("无权执行此操作：{0}")]
    Forbidden(&'static str),
    /// A statutory window has closed (objection, review request, evaluation …).
    #[error("{0}")]
    WindowClosed(String),
    /// The act may be done only once (extension, evaluation).
    #[error("{0}")]
    AlreadyDone(&'static str),
    /// A referenced unit, person or case does not exist.
    #[error("{0}不存在")]
    NotFound(&'static str),
    /// The command was drawn from an earlier version of the case: someone acted meanwhile.
    #[error(
        "该事项已有新的办理进展（您看到的是第 {drawn_from} 版，现为第 {current} 版），本次操作未执行，请查看最新状态后再操作"
    )]
    Stale { drawn_from: u32, current: u32 },
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// Stable machine code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::Invalid { .. } => "invalid_input",
            DomainError::IllegalTransition { .. } => "illegal_transition",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::WindowClosed(_) => "window_closed",
            DomainError::AlreadyDone(_) => "already_done",
            DomainError::NotFound(_) => "not_found",
            DomainError::Stale { .. } => "conflict",
        }
    }

    pub fn field(&self) -> Option<&'static str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }
}

/// A required piece of text from a form, trimmed: refused when blank, longer than `max`
/// characters or against [`crate::text_rule`], with the field's Chinese `name` in the message.
pub(crate) fn text(
    field: &'static str,
    name: &str,
    v: &str,
    max: usize,
) -> Result<String, DomainError> {
    crate::text_rule::check(field, name, v)?;
    let v = v.trim();
    if crate::text_rule::is_blank(v) {
        return Err(DomainError::invalid(field, format!("请填写{name}")));
    }
    if v.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("{name}不得超过{max}字"),
        ));
    }
    Ok(v.to_string())
}
