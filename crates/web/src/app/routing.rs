//! Routing suggestions for a petition being registered or sorted (#18): the categories its text
//! points to, and the units the caller may route it to.

use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::{Actor, access, taxonomy};
use xinfang_text::routing::Featurizer;

use crate::AppState;
use crate::error::ApiError;

/// Suggestions shown at a time.
pub const TOP: usize = 3;
const MAX_TITLE: usize = 200;
const MAX_CONTENT: usize = 20_000;
const MAX_REGION: usize = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct CategorySuggestion {
    /// The taxonomy's code.
    pub code: String,
    /// 大类/小类.
    pub name: String,
    /// 0..1; 0 when the category is only among the most frequent.
    pub score: f32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitSuggestion {
    pub id: i64,
    pub name: String,
    pub score: f32,
    /// Why it is suggested.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Suggestions {
    pub categories: Vec<CategorySuggestion>,
    /// Only units the caller may route to (none for an officer who does not sort).
    pub units: Vec<UnitSuggestion>,
}

/// The first [`TOP`] items with distinct keys, in order (the rest is never looked at).
fn first_distinct<T, K: PartialEq>(
    items: impl Iterator<Item = T>,
    key: impl Fn(&T) -> K,
) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(TOP);
    for item in items {
        if out.len() == TOP {
            break;
        }
        if !out.iter().any(|o| key(o) == key(&item)) {
            out.push(item);
        }
    }
    out
}

/// The best categories and units for a petition's text.
pub fn suggest(
    state: &AppState,
    actor: &Actor,
    title: &str,
    content: &str,
    region: Option<&str>,
) -> Result<Suggestions, ApiError> {
    let bad = |field: &'static str, message: String| ApiError {
        field: Some(field.into()),
        ..ApiError::new(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_field",
            message,
        )
    };
    if title.chars().count() > MAX_TITLE {
        return Err(bad("title", format!("标题不能超过 {MAX_TITLE} 个字")));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(bad("content", format!("内容不能超过 {MAX_CONTENT} 个字")));
    }
    if region.is_some_and(|r| r.chars().count() > MAX_REGION) {
        return Err(bad("region", format!("地区不能超过 {MAX_REGION} 个字")));
    }
    if title.trim().is_empty() && content.trim().is_empty() {
        return Err(bad("content", "标题和内容不能都为空".into()));
    }
    let text = format!("{title}\n{content}");
    let learned = state.router.learned();
    let mut featurizer = Featurizer::default();
    // Learned first, then the most frequent, then the tree's order: never an empty answer.
    let categories = first_distinct(
        learned
            .categories(&mut featurizer, &text)
            .into_iter()
            .filter_map(|s| taxonomy::by_path(&s.value).map(|c| (c, s.score)))
            .chain(taxonomy::CATEGORIES.iter().map(|c| (c, 0.0)))
            .map(|(c, score)| CategorySuggestion {
                code: c.code.to_string(),
                name: c.path(),
                score,
            }),
        |c| c.code.clone(),
    );
    let org = state.store.org();
    let units = first_distinct(
        learned
            .units(&mut featurizer, &text)
            .into_iter()
            .filter_map(|s| {
                let reason = if s.learned {
                    "相似的既往信访事项由该单位办理"
                } else {
                    "转送最多的单位"
                };
                org.get(s.value).ok().map(|u| (u, s.score, reason))
            })
            .chain(org.units().map(|u| (u, 0.0, "可转送的单位")))
            .filter(|(u, _, _)| access::may_route_to(actor, u) && !u.external)
            .map(|(u, score, reason)| UnitSuggestion {
                id: u.id.0,
                name: u.name.clone(),
                score,
                reason: reason.into(),
            }),
        |u| u.id,
    );
    Ok(Suggestions { categories, units })
}
