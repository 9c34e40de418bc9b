//! 领导包案 (see [`xinfang_domain::ownership`]): attaching a leader to a case once. Filling
//! the 五个一 and resolving go through the record engine; lists are by leader (`ref_id`), by
//! case, or by the scope of a superior who oversees the leaders' caseloads.

use chrono::NaiveDate;
use xinfang_domain::ownership::{Attach, Ownership, OwnershipKind};
use xinfang_domain::{Actor, CaseId, PersonId};

use crate::{Store, StoreError};

impl Store {
    /// Attaches a leader to a case. Attaching the same leader to the same case twice is refused.
    pub async fn attach_leader(
        &self,
        case_id: CaseId,
        leader: PersonId,
        kind: OwnershipKind,
        due: NaiveDate,
        by: &Actor,
    ) -> Result<Ownership, StoreError> {
        let leader = self
            .actor(leader)
            .await?
            .ok_or(StoreError::NotFound("包案领导"))?;
        let key = format!("ownership:{}:{}", case_id.0, leader.person.0);
        let new = Attach {
            case_id,
            leader,
            kind,
            due,
        };
        self.create_once::<Ownership>(key, new, by.into())
            .await?
            .ok_or_else(|| StoreError::Conflict("该领导已包案此信访事项".into()))
    }
}
