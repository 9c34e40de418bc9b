//! 案件评查 and 回访 from the case page.

use std::collections::HashMap;

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use xinfang_domain::review::Scores;
use xinfang_domain::{CaseId, Rating};

use super::pages::{error_page, urlencode};
use super::session::UiOfficer;
use crate::AppState;
use crate::error::ApiError;

fn field(form: &HashMap<String, String>, k: &str) -> String {
    form.get(k).cloned().unwrap_or_default()
}

fn back(id: i64, done: &str) -> Response {
    Redirect::to(&format!("/cases/{id}?done={}#case-review", urlencode(done))).into_response()
}

fn refused(e: xinfang_store::StoreError) -> Response {
    let e = ApiError::from(e);
    error_page(e.status, &e.message)
}

pub async fn review(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let score = |k| field(&form, k).parse::<u32>().ok();
    let (Some(acceptance), Some(handling), Some(reply), Some(procedure)) = (
        score("acceptance"),
        score("handling"),
        score("reply"),
        score("procedure"),
    ) else {
        return error_page(StatusCode::UNPROCESSABLE_ENTITY, "每项评分应为0至25的整数");
    };
    let scores = Scores {
        acceptance,
        handling,
        reply,
        procedure,
    };
    match state
        .store
        .review_case(
            CaseId(id),
            scores,
            &field(&form, "findings"),
            &officer.actor,
        )
        .await
    {
        Ok(_) => back(id, "评查"),
        Err(e) => refused(e),
    }
}

pub async fn follow_up(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if let Err(r) = officer.check_csrf(&form) {
        return r;
    }
    let reached = field(&form, "reached") == "yes";
    let resolved = field(&form, "resolved") == "yes";
    let rating = Rating::ALL
        .iter()
        .copied()
        .find(|r| r.code() == field(&form, "rating"));
    match state
        .store
        .follow_up(
            CaseId(id),
            reached,
            resolved,
            rating,
            &field(&form, "note"),
            &officer.actor,
        )
        .await
    {
        Ok(_) => back(id, "回访"),
        Err(e) => refused(e),
    }
}
