//! 案件评查 and 回访 from the case page.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::review::{Call, FollowUp, QualityReview, Review, Scores};
use xinfang_domain::{CaseId, Rating};

use super::form::Submitted;
use super::frame::{error_page, urlencode};
use crate::{AppState, app};

fn back(id: i64, done: &str) -> Response {
    Redirect::to(&format!("/cases/{id}?done={}#case-review", urlencode(done))).into_response()
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    acceptance: String,
    #[serde(default)]
    handling: String,
    #[serde(default)]
    reply: String,
    #[serde(default)]
    procedure: String,
    #[serde(default)]
    findings: String,
}

pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<ReviewForm>,
) -> Response {
    let score = |v: &str| v.trim().parse::<u32>().ok();
    let (Some(acceptance), Some(handling), Some(reply), Some(procedure)) = (
        score(&form.acceptance),
        score(&form.handling),
        score(&form.reply),
        score(&form.procedure),
    ) else {
        return error_page(StatusCode::UNPROCESSABLE_ENTITY, "每项评分应为0至25的整数");
    };
    let new = Review {
        case_id: CaseId(id),
        scores: Scores {
            acceptance,
            handling,
            reply,
            procedure,
        },
        findings: form.findings,
    };
    match app::records::create::<QualityReview>(&state, &officer.actor, new).await {
        Ok(_) => back(id, "评查"),
        Err(e) => error_page(e.status, &e.message),
    }
}

#[derive(Deserialize)]
pub struct FollowUpForm {
    #[serde(default)]
    reached: String,
    #[serde(default)]
    resolved: String,
    #[serde(default)]
    rating: String,
    #[serde(default)]
    note: String,
}

pub async fn follow_up(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<FollowUpForm>,
) -> Response {
    // Nothing is chosen in advance: the officer says what the call found.
    let yes_no = |v: &str| match v {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let Some(reached) = yes_no(&form.reached) else {
        return error_page(StatusCode::UNPROCESSABLE_ENTITY, "请选择是否联系上信访人");
    };
    let resolved = match (reached, yes_no(&form.resolved)) {
        (false, _) => false,
        (true, Some(r)) => r,
        (true, None) => {
            return error_page(StatusCode::UNPROCESSABLE_ENTITY, "请选择问题是否解决");
        }
    };
    let new = Call {
        case_id: CaseId(id),
        reached,
        resolved,
        rating: Rating::from_code(&form.rating),
        note: form.note,
    };
    match app::records::create::<FollowUp>(&state, &officer.actor, new).await {
        Ok(_) => back(id, "回访"),
        Err(e) => error_page(e.status, &e.message),
    }
}
