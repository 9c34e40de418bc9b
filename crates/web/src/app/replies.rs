//! The reply check (答复质量自查): a written reply against the petition it answers, before it
//! goes to sign-off. It advises and never blocks.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use xinfang_domain::Case;
use xinfang_domain::case::DraftKind;
use xinfang_domain::vocab::PetitionClass;
use xinfang_text::reply_check::{self, NextStep};

use crate::AppState;
use crate::error::ApiError;

const MAX_PETITION: usize = 20_300;
const MAX_REPLY: usize = 20_000;

/// What the reply is, which decides what it must tell the petitioner may follow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyKind {
    /// 处理意见书: the petitioner may ask for a 复查 within 30 days.
    #[default]
    Reply,
    /// 复查意见书: a 复核 within 30 days.
    Review,
    /// 复核意见书: final, nothing follows.
    Rereview,
    /// The answer to a suggestion (建议意见类): nothing follows.
    Suggestion,
    /// The feedback to a report (检举控告类): nothing follows.
    Report,
    /// 不予受理告知书.
    Decline,
}

impl ReplyKind {
    fn next_step(self) -> NextStep {
        match self {
            ReplyKind::Reply => NextStep::Review,
            ReplyKind::Review => NextStep::Rereview,
            _ => NextStep::None,
        }
    }

    /// The kind of a case's drafted opinion.
    pub fn of_draft(kind: DraftKind, case: &Case) -> ReplyKind {
        match kind {
            DraftKind::Reply if case.is_report => ReplyKind::Report,
            DraftKind::Reply if case.class == PetitionClass::Suggestion => ReplyKind::Suggestion,
            DraftKind::Reply => ReplyKind::Reply,
            DraftKind::Review => ReplyKind::Review,
            DraftKind::Rereview => ReplyKind::Rereview,
            DraftKind::Decline => ReplyKind::Decline,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyFlag {
    /// `off_topic`, `no_basis`, `no_remedy`, `incomplete` or `tone`.
    pub code: &'static str,
    /// What is wanting, in Chinese, for the drafter.
    pub message: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReplyCheck {
    /// 0..1: half how well the reply answers the petition, half how complete it is.
    pub score: f64,
    /// 0..1: how well the reply answers the petition's matters (below 0.08: `off_topic`).
    pub relevance: f64,
    pub flags: Vec<ReplyFlag>,
}

impl ReplyCheck {
    /// The score as a percentage, for the pages.
    pub fn percent(&self) -> u32 {
        (self.score * 100.0).round() as u32
    }
}

/// Checks `reply` against `petition` (its title first, then its content).
pub fn check(
    state: &AppState,
    petition: &str,
    reply: &str,
    kind: ReplyKind,
) -> Result<ReplyCheck, ApiError> {
    for (field, text, max, name) in [
        ("petition", petition, MAX_PETITION, "信访事项"),
        ("reply", reply, MAX_REPLY, "答复"),
    ] {
        if text.trim().is_empty() {
            return Err(ApiError::invalid_field(field, format!("{name}不能为空")));
        }
        if text.chars().count() > max {
            return Err(ApiError::invalid_field(
                field,
                format!("{name}不能超过 {max} 个字"),
            ));
        }
    }
    Ok(checked(state, petition, reply, kind))
}

/// The check of a case's draft, for the drafter and the head who signs it.
pub fn of_draft(state: &AppState, case: &Case) -> Option<ReplyCheck> {
    let draft = case.draft.as_ref()?;
    let petition = format!("{}\n{}", case.title, case.content);
    Some(checked(
        state,
        &petition,
        &draft.text,
        ReplyKind::of_draft(draft.kind, case),
    ))
}

fn checked(state: &AppState, petition: &str, reply: &str, kind: ReplyKind) -> ReplyCheck {
    let c = reply_check::check(petition, reply, kind.next_step(), &state.text.rarity());
    ReplyCheck {
        score: c.score,
        relevance: c.relevance,
        flags: c
            .flags
            .into_iter()
            .map(|f| ReplyFlag {
                code: f.code.code(),
                message: f.message,
            })
            .collect(),
    }
}
