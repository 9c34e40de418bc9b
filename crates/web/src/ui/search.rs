//! Search like a desk: a case number or query code goes straight to the case; phone, ID number
//! and name find the petitioner's cases; words find cases by their title and content.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_store::read::{CaseFilter, CaseSummary};

use super::frame::{Frame, frame, from_api};
use super::session::UiOfficer;
use crate::{AppState, app};

#[derive(Deserialize)]
pub struct SearchParams {
    #[serde(default)]
    q: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    q: String,
    /// Cases whose petitioner matches (phone, ID number, name).
    items: Vec<CaseSummary>,
    /// Cases whose title or content holds the words, best first.
    hits: Vec<CaseSummary>,
    hits_total: i64,
    hits_capped: bool,
    /// The index was still taking in recent changes.
    incomplete: bool,
    searched: bool,
}

/// By case number or query code (straight to the case), petitioner phone, ID number or name,
/// and words of the title and content.
pub async fn search(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(params): Query<SearchParams>,
) -> Response {
    let q = params.q.trim().to_string();
    let mut items = Vec::new();
    let (mut hits, mut hits_total, mut hits_capped, mut incomplete) = (Vec::new(), 0, false, false);
    if !q.is_empty() && q.chars().count() <= app::cases::MAX_QUERY_CHARS {
        let code = xinfang_store::auth::normalise_query_code(&q);
        let direct = match state.store.case_by_no(&q.to_uppercase()).await {
            Ok(Some(c)) => Some(c),
            _ => state.store.case_by_query_code(&code).await.ok().flatten(),
        };
        if let Some(c) = direct.filter(|c| state.store.may_see(&officer.actor, c)) {
            return Redirect::to(&format!("/cases/{}", c.id)).into_response();
        }
        let digits = q
            .chars()
            .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x');
        let filter = CaseFilter {
            petitioner_phone: (digits && q.len() <= 12).then(|| q.clone()),
            petitioner_id_number: (digits && q.len() == 18).then(|| q.to_uppercase()),
            petitioner_name: (!digits).then(|| q.clone()),
            per_page: 50,
            ..Default::default()
        };
        match app::cases::list(&state, &officer.actor, &filter).await {
            Ok(p) => items = p.items,
            Err(e) => return from_api(e),
        }
        if !digits {
            let found = app::cases::search(&state, &officer.actor, &q, 1, 50).await;
            // After the search's own wait for the index, say if it is still behind.
            incomplete = !state.text.is_current();
            match found {
                Ok(mut p) => {
                    p.items.retain(|h| !items.iter().any(|i| i.id == h.id));
                    (hits, hits_total, hits_capped) = (p.items, p.total, p.total_capped);
                }
                Err(e) => return from_api(e),
            }
        }
    }
    SearchPage {
        frame: frame(&state, &officer),
        searched: !q.is_empty(),
        q,
        items,
        hits,
        hits_total,
        hits_capped,
        incomplete,
    }
    .into_response()
}
