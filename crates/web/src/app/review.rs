//! 案件评查 and 回访 of a case.

use xinfang_domain::review::{FollowUp, QualityReview};
use xinfang_domain::{Actor, CaseId};

use super::cases;
use crate::AppState;
use crate::error::ApiResult;

/// The reviews and follow-up calls of a case the officer may see.
pub async fn of_case(
    state: &AppState,
    actor: &Actor,
    id: CaseId,
) -> ApiResult<(Vec<QualityReview>, Vec<FollowUp>)> {
    cases::visible(state, actor, id).await?;
    Ok(state.store.reviews_of(id).await?)
}
