//! 每月一题 and 专项治理 (see [`xinfang_domain::campaign`]): a leader takes up a hot issue; the
//! campaign's cases are those linked and every case of the issue, including those that join it
//! later; its progress is counted over them, and each officer is shown the cases they may see.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xinfang_domain::campaign::{
    Campaign, CampaignCommand, CampaignKind, NewCampaign, Progress, progress,
};
use xinfang_domain::{Actor, CampaignId, Case, CaseId, PersonId, Record, UnitId, access};

use super::records;
use crate::AppState;
use crate::error::{ApiError, ApiResult};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    /// Up to 100 characters.
    pub name: String,
    pub kind: CampaignKind,
    /// The hot issue taken up (its `id` in `/api/v1/hot-issues`).
    pub issue: i64,
    pub lead_unit: UnitId,
    /// The responsible leader (a person with the leader role).
    pub leader_id: PersonId,
    /// Up to 2,000 characters.
    pub goal: String,
    pub deadline: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignView {
    #[serde(flatten)]
    pub campaign: Campaign,
    pub lead_unit_name: String,
    /// Counted over every case of the campaign.
    pub progress: Progress,
    /// Those of its cases the caller may see, latest first.
    pub case_ids: Vec<i64>,
}

pub async fn create(state: &AppState, actor: &Actor, b: CampaignBody) -> ApiResult<CampaignView> {
    let leader = state.store.actor(b.leader_id).await?.ok_or_else(|| {
        ApiError::invalid_field("leader_id", format!("没有编号为{}的人员", b.leader_id.0))
    })?;
    state.hot.fresh(&state.store).await;
    let members = state.hot.members(b.issue);
    if members.is_empty() {
        return Err(ApiError::invalid_field("issue", "没有这个热点问题"));
    }
    // The cases linked are those of the issue the leader may see; the rest still count in
    // the progress through the issue.
    let seen: Vec<CaseId> = super::cases::summaries(state, actor, &members)
        .await?
        .into_iter()
        .map(|s| CaseId(s.id))
        .collect();
    let campaign = records::create::<Campaign>(
        state,
        actor,
        NewCampaign {
            name: b.name,
            kind: b.kind,
            issue: CaseId(b.issue),
            lead_unit: b.lead_unit,
            leader,
            goal: b.goal,
            deadline: b.deadline,
            cases: seen,
        },
    )
    .await?;
    view(state, actor, campaign).await
}

pub async fn get(state: &AppState, actor: &Actor, id: CampaignId) -> ApiResult<CampaignView> {
    let c = records::one(state, actor, id).await?;
    view(state, actor, c).await
}

pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: CampaignId,
    cmd: CampaignCommand,
) -> ApiResult<CampaignView> {
    // Only cases the officer may see can be linked.
    if let CampaignCommand::Link { cases } = &cmd {
        let seen =
            super::cases::summaries(state, actor, &cases.iter().map(|c| c.0).collect::<Vec<_>>())
                .await?;
        if let Some(missing) = cases.iter().find(|c| !seen.iter().any(|s| s.id == c.0)) {
            return Err(ApiError::invalid_field(
                "cases",
                format!("没有编号为{}的信访事项，或无权查看", missing.0),
            ));
        }
    }
    let c = records::act(state, actor, id, cmd).await?;
    view(state, actor, c).await
}

/// Every campaign the officer may see, newest first.
pub async fn list(state: &AppState, actor: &Actor) -> ApiResult<Vec<Campaign>> {
    let org = state.store.org();
    let mut all: Vec<Campaign> = state.store.all::<Campaign>(None).await?;
    all.retain(|c| c.visible_to(actor, &org));
    all.sort_by_key(|c| std::cmp::Reverse(c.id));
    Ok(all)
}

/// The campaign's cases: those linked and every case of its issue.
async fn cases_of(state: &AppState, c: &Campaign) -> ApiResult<Vec<Case>> {
    state.hot.fresh(&state.store).await;
    let mut ids: Vec<i64> = c.cases.iter().map(|c| c.0).collect();
    ids.extend(state.hot.members(c.issue.0));
    ids.sort_unstable();
    ids.dedup();
    let mut cases = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(100) {
        cases.extend(state.store.cases_by_ids(chunk).await?);
    }
    Ok(cases)
}

async fn view(state: &AppState, actor: &Actor, campaign: Campaign) -> ApiResult<CampaignView> {
    let mut cases = cases_of(state, &campaign).await?;
    let org = state.store.org();
    cases.sort_by_key(|c| std::cmp::Reverse((c.registered_on, c.id)));
    let case_ids = cases
        .iter()
        .filter(|c| access::may_see_case(actor, c, &org))
        .map(|c| c.id.0)
        .collect();
    Ok(CampaignView {
        lead_unit_name: org
            .get(campaign.lead_unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        progress: progress(campaign.started, &cases),
        case_ids,
        campaign,
    })
}
