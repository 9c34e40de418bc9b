//! The knowledge base (see [`xinfang_domain::knowledge`]) as officers and citizens reach it:
//! administrators keep the entries, every officer searches the versions in force, the reply
//! form is offered the best templates for its case with the placeholders filled, and the
//! portal shows approved public Q&A.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xinfang_domain::knowledge::{
    self, EntryCommand, EntryInput, EntryKind, KnowledgeEntry, Placeholders,
};
use xinfang_domain::{Actor, Case, KnowledgeId, access};
use xinfang_text::knowledge::Ask;

use super::records;
use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// Entries listed at most by a search.
pub const MAX_FOUND: usize = 50;
/// Templates offered at the reply form.
pub const OFFERED: usize = 3;
/// The longest query text.
pub const MAX_QUERY: usize = 2_000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KnowledgeQuery {
    /// Words to look for (title and text); without them, the entries of `category`.
    #[serde(default)]
    pub q: Option<String>,
    pub kind: Option<EntryKind>,
    /// `大类/小类` or a group: its entries first.
    pub category: Option<String>,
    /// Every entry with its pending version and history, withdrawn ones too (administrators).
    #[serde(default)]
    pub all: Option<bool>,
}

fn checked_query(q: Option<&str>) -> ApiResult<&str> {
    let text = q.unwrap_or("").trim();
    if text.chars().count() > MAX_QUERY {
        return Err(ApiError::bad_request(
            "bad_query",
            format!("查询内容不能超过 {MAX_QUERY} 个字"),
        ));
    }
    Ok(text)
}

pub async fn list(
    state: &AppState,
    actor: &Actor,
    q: KnowledgeQuery,
) -> ApiResult<Vec<KnowledgeEntry>> {
    let text = checked_query(q.q.as_deref())?;
    if q.all == Some(true) {
        if !xinfang_domain::knowledge::may_approve(actor) {
            return Err(ApiError::forbidden(
                "只有管理员和领导可以查看全部条目和待批准的版本",
            ));
        }
        let mut all = state.store.all::<KnowledgeEntry>(None).await?;
        all.reverse();
        return Ok(all);
    }
    state.knowledge.fresh(&state.store).await;
    Ok(state
        .knowledge
        .search(Ask {
            text,
            kind: q.kind,
            category: q.category.as_deref(),
            portal: false,
            limit: MAX_FOUND,
        })
        .into_iter()
        .map(|f| f.entry)
        .collect())
}

pub async fn create(
    state: &AppState,
    actor: &Actor,
    input: EntryInput,
) -> ApiResult<KnowledgeEntry> {
    records::create(state, actor, input).await
}

pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: KnowledgeId,
    cmd: EntryCommand,
) -> ApiResult<KnowledgeEntry> {
    records::act(state, actor, id, cmd).await
}

/// A reply template offered for a case, its placeholders filled.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TemplateOffer {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub basis: String,
}

/// The best templates in force for the case's category and text, filled for it.
pub async fn templates_for(state: &AppState, actor: &Actor, case: &Case) -> Vec<TemplateOffer> {
    state.knowledge.fresh(&state.store).await;
    let org = state.store.org();
    let unit = case
        .handling_unit
        .and_then(|u| org.get(u).ok())
        .or_else(|| org.get(case.responsible_unit()).ok())
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let p = Placeholders {
        petitioner: access::listed_name(actor, case.is_report, case.petitioner.name.clone()),
        matter: case.title.clone(),
        today: state.store.clock().today(),
        registered_on: case.registered_on,
        unit,
    };
    let text = format!("{}\n{}", case.title, case.content);
    state
        .knowledge
        .search(Ask {
            text: &text,
            kind: Some(EntryKind::Template),
            category: Some(&case.category),
            portal: false,
            limit: OFFERED,
        })
        .into_iter()
        .filter_map(|f| {
            let c = f.entry.in_force()?;
            Some(TemplateOffer {
                id: f.entry.id.0,
                title: c.title.clone(),
                text: knowledge::fill(&c.body, &c.basis, &p),
                basis: c.basis.clone(),
            })
        })
        .collect()
}

/// A question and its answer on the portal.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FaqItem {
    pub id: i64,
    pub question: String,
    pub answer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

/// The portal's FAQ: approved public Q&A matching `q` (all of them, newest first, without).
pub async fn faq(state: &AppState, q: &str, limit: usize) -> ApiResult<Vec<FaqItem>> {
    let text = checked_query(Some(q))?;
    state.knowledge.fresh(&state.store).await;
    Ok(state
        .knowledge
        .search(Ask {
            text,
            kind: Some(EntryKind::Qa),
            category: None,
            portal: true,
            limit,
        })
        .into_iter()
        .filter_map(|f| {
            let c = f.entry.on_portal()?;
            Some(FaqItem {
                id: f.entry.id.0,
                question: c.title.clone(),
                answer: c.body.clone(),
                category: c.category.clone(),
            })
        })
        .collect())
}
