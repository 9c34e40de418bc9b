//! Routing suggestions for a petition being registered or sorted (#18): the categories its text
//! points to, and the units the caller may route it to.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::dispatch::Matter;
use xinfang_domain::{Actor, Case, CaseId, NewCase, access, taxonomy};
use xinfang_store::routing::Target;
use xinfang_text::routing::{self, Featurizer};

use crate::AppState;
use crate::error::{ApiError, ApiResult};

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
    /// Numbers of past cases behind the suggestion that the caller may see (at most two).
    pub examples: Vec<String>,
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

/// The best categories and units for a petition's text, after the decisions committed before
/// the call are taken in (a correction counts at once).
pub async fn suggest(
    state: &AppState,
    actor: &Actor,
    title: &str,
    content: &str,
    region: Option<&str>,
) -> Result<Suggestions, ApiError> {
    if title.chars().count() > MAX_TITLE {
        return Err(ApiError::invalid_field(
            "title",
            format!("标题不能超过 {MAX_TITLE} 个字"),
        ));
    }
    if content.chars().count() > MAX_CONTENT {
        return Err(ApiError::invalid_field(
            "content",
            format!("内容不能超过 {MAX_CONTENT} 个字"),
        ));
    }
    if region.is_some_and(|r| r.chars().count() > MAX_REGION) {
        return Err(ApiError::invalid_field(
            "region",
            format!("地区不能超过 {MAX_REGION} 个字"),
        ));
    }
    if title.trim().is_empty() && content.trim().is_empty() {
        return Err(ApiError::invalid_field("content", "标题和内容不能都为空"));
    }
    state.router.fresh(&state.store).await;
    let text = format!("{title}\n{content}");
    let categories = ranked_categories(state, &text, region, None);
    // The catalogue's category rules apply to the category the text points to, when it does.
    let category = categories
        .first()
        .filter(|c| c.score > 0.0)
        .map(|c| c.name.as_str());
    let units = ranked_units(state, actor, &text, region, category, None);
    let units = explained(state, actor, units).await?;
    Ok(Suggestions { categories, units })
}

/// The units a sorter is shown for a case at the sorting desk, with their reasons.
pub async fn units_for_case(
    state: &AppState,
    actor: &Actor,
    case: &Case,
) -> ApiResult<Vec<UnitSuggestion>> {
    state.router.fresh(&state.store).await;
    // The desk lists what has a reason; the whole tree is in the picker below it.
    let mut units = ranked_for_case(state, actor, case);
    units.retain(|(_, _, why)| !matches!(why, Why::Tree));
    explained(state, actor, units).await
}

/// The suggestions with their reasons, naming as examples only cases the caller may see (read
/// in one query).
async fn explained(
    state: &AppState,
    actor: &Actor,
    units: Vec<(xinfang_domain::Unit, f32, Why)>,
) -> ApiResult<Vec<UnitSuggestion>> {
    let named: Vec<i64> = units.iter().flat_map(|(_, _, why)| why.cases()).collect();
    let seen: HashMap<i64, String> = state
        .store
        .cases_by_ids(&named)
        .await?
        .into_iter()
        .filter(|c| state.store.may_see(actor, c))
        .map(|c| (c.id.0, c.case_no))
        .collect();
    Ok(units
        .into_iter()
        .map(|(u, score, why)| {
            let examples: Vec<String> = why
                .cases()
                .filter_map(|id| seen.get(&id).cloned())
                .take(2)
                .collect();
            UnitSuggestion {
                id: u.id.0,
                name: u.name,
                score,
                reason: why.reason(&examples),
                examples,
            }
        })
        .collect())
}

/// The first [`TOP`] categories for a text: learned, then the most frequent, then the tree's
/// order (never empty). `except`: the case being decided, whose own earlier decision is not a
/// suggestion for itself.
fn ranked_categories(
    state: &AppState,
    text: &str,
    region: Option<&str>,
    except: Option<CaseId>,
) -> Vec<CategorySuggestion> {
    let mut featurizer = Featurizer::default();
    first_distinct(
        state
            .router
            .categories(&mut featurizer, text, region, except)
            .into_iter()
            .filter_map(|s| taxonomy::by_path(&s.value).map(|c| (c, s.score)))
            .chain(taxonomy::CATEGORIES.iter().map(|c| (c, 0.0)))
            .map(|(c, score)| CategorySuggestion {
                code: c.code.to_string(),
                name: c.path(),
                score,
            }),
        |c| c.code.clone(),
    )
}

/// The first [`TOP`] units `actor` may route a matter to: the latest decision on the same
/// text, the catalogue's rules, the model, the most frequent, the tree's order.
fn ranked_units(
    state: &AppState,
    actor: &Actor,
    text: &str,
    region: Option<&str>,
    category: Option<&str>,
    except: Option<CaseId>,
) -> Vec<(xinfang_domain::Unit, f32, Why)> {
    let org = state.store.org();
    let mut featurizer = Featurizer::default();
    let matter = Matter {
        text,
        region,
        category,
        today: state.store.clock().today(),
    };
    first_distinct(
        state
            .router
            .units(&mut featurizer, &matter, except)
            .into_iter()
            .filter_map(|s| {
                org.get(s.value)
                    .ok()
                    .map(|u| (u.clone(), s.score, Why::from(s.why)))
            })
            .chain(org.units().map(|u| (u.clone(), 0.0, Why::Tree)))
            .filter(|(u, _, _)| access::may_route_to(actor, u) && !u.external),
        |(u, _, _)| u.id,
    )
}

/// What a registrar was offered for a new petition's category (paths, best first), asked
/// before it is registered so that it does not answer with itself.
pub fn offered_categories(state: &AppState, new: &NewCase) -> Vec<String> {
    let text = format!("{}\n{}", new.title, new.content);
    ranked_categories(state, &text, new.region.as_deref(), None)
        .into_iter()
        .map(|c| c.name)
        .collect()
}

/// The units for a case at sorting, its own earlier decision left out (a unit that objected is
/// not offered back for the same case by its own decision).
fn ranked_for_case(
    state: &AppState,
    actor: &Actor,
    case: &Case,
) -> Vec<(xinfang_domain::Unit, f32, Why)> {
    let text = format!("{}\n{}", case.title, case.content);
    let category = Some(case.category.as_str()).filter(|c| !c.is_empty());
    ranked_units(
        state,
        actor,
        &text,
        case.region.as_deref(),
        category,
        Some(case.id),
    )
}

/// What a sorter is offered for a case's unit (ids, best first).
pub fn offered_units(state: &AppState, actor: &Actor, case: &Case) -> Vec<String> {
    ranked_for_case(state, actor, case)
        .into_iter()
        .map(|(u, _, _)| u.id.0.to_string())
        .collect()
}

/// Records what was offered against what was chosen; a statistic, so a failure to write it
/// is logged and the decision stands.
pub async fn note_choice(
    state: &AppState,
    actor: &Actor,
    case: CaseId,
    target: Target,
    offered: &[String],
    chosen: &str,
) {
    if offered.is_empty() || chosen.is_empty() {
        return;
    }
    if let Err(e) = state
        .store
        .note_routing_choice(case, actor.person, target, offered, chosen)
        .await
    {
        tracing::warn!(error = %e, "recording a routing choice failed");
    }
}

/// Why a unit is suggested, as the router says, and the tree's order after it.
enum Why {
    Router(routing::Why),
    Tree,
}

impl From<routing::Why> for Why {
    fn from(w: routing::Why) -> Self {
        Why::Router(w)
    }
}

impl Why {
    /// The past cases behind it.
    fn cases(&self) -> impl Iterator<Item = i64> + '_ {
        let ids: &[CaseId] = match self {
            Why::Router(routing::Why::Decided(c)) => std::slice::from_ref(c),
            Why::Router(routing::Why::Learned(cs)) => cs,
            _ => &[],
        };
        ids.iter().map(|c| c.0)
    }

    /// The reason shown, naming the examples the caller may see.
    fn reason(&self, examples: &[String]) -> String {
        let named = if examples.is_empty() {
            String::new()
        } else {
            format!("（如 {}）", examples.join("、"))
        };
        match self {
            Why::Router(routing::Why::Decided(_)) => {
                format!("内容相同的信访事项已由该单位办理{named}")
            }
            Why::Router(routing::Why::Learned(_)) => {
                format!("相似的既往信访事项由该单位办理{named}")
            }
            Why::Router(routing::Why::Rule { name, basis }) if basis.is_empty() => {
                format!("派单目录：{name}")
            }
            Why::Router(routing::Why::Rule { name, basis }) => {
                format!("派单目录：{name}（依据：{basis}）")
            }
            Why::Router(routing::Why::FrequentForCategory) => "同类事项转送最多的单位".into(),
            Why::Router(routing::Why::FrequentInRegion) => "该地区转送最多的单位".into(),
            Why::Router(routing::Why::Frequent) => "转送最多的单位".into(),
            Why::Tree => "可转送的单位".into(),
        }
    }
}

/// Months of routing figures shown to administrators.
pub const ACCEPTANCE_MONTHS: u32 = 12;

/// Per month, how often the first suggestion was taken and how often the final routing was
/// the first suggestion or among the three (administrators).
pub async fn acceptance(
    state: &AppState,
    actor: &Actor,
) -> ApiResult<Vec<xinfang_domain::routing::Acceptance>> {
    super::org::admin(actor)?;
    Ok(state.store.routing_acceptance(ACCEPTANCE_MONTHS).await?)
}
