//! 常见问题: the approved public questions and answers of the knowledge base, searchable.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::knowledge::FaqItem;
use crate::extract::ClientIp;
use crate::{AppState, app};

#[derive(Template, WebTemplate)]
#[template(path = "portal_faq.html")]
struct FaqPage {
    q: String,
    items: Vec<FaqItem>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct FaqQuery {
    #[serde(default)]
    q: String,
}

pub(super) async fn page(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<FaqQuery>,
) -> Response {
    if let Err(e) = state.limits.check_public(ip) {
        return e.into_response();
    }
    match app::knowledge::faq(&state, &q.q, 50).await {
        Ok(items) => FaqPage {
            q: q.q,
            items,
            error: None,
        }
        .into_response(),
        Err(e) => (
            e.status,
            FaqPage {
                q: String::new(),
                items: Vec::new(),
                error: Some(e.message),
            },
        )
            .into_response(),
    }
}
