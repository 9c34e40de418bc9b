//! 排查台账 (see [`xinfang_domain::ledger`]): an entry someone petitions about is registered
//! as a case and linked to it in one transaction. Recording, revising and resolving go through
//! the record engine.

use xinfang_domain::ledger::DisputeCommand;
use xinfang_domain::{Actor, Case, DisputeId, NewCase};

use crate::records::link;
use crate::{Store, StoreError};

impl Store {
    /// Registers a petition about an open entry (by a registrar, at their unit) and links them:
    /// both or neither.
    pub async fn dispute_to_case(
        &self,
        id: DisputeId,
        new: NewCase,
        by: &Actor,
    ) -> Result<Case, StoreError> {
        let link = link(id, |case_id| DisputeCommand::BecameCase { case_id });
        self.register_linked(new, by.into(), by.unit, Some(link))
            .await
    }
}
