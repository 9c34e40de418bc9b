//! 接访 (see [`xinfang_domain::reception`]): one rotation per unit (setting it again replaces
//! it), the reception days it gives, and petitions taken at a session registered as cases
//! linked to it in one transaction. Sessions and their changes go through the record engine.

use chrono::NaiveDate;
use xinfang_domain::reception::{self, Rotation, SessionCommand, SetRotation};
use xinfang_domain::{Actor, Case, NewCase, PersonId, Scope, SessionId, UnitId};

use crate::records::{RecordQuery, link};
use crate::{Store, StoreError};

impl Store {
    /// Sets (or replaces) a unit's reception rotation.
    pub async fn set_rotation(
        &self,
        unit: UnitId,
        weekday: u32,
        leaders: &[PersonId],
        starts: NaiveDate,
        by: &Actor,
    ) -> Result<Rotation, StoreError> {
        let mut named = Vec::new();
        for id in leaders {
            named.push(self.actor(*id).await?.ok_or(StoreError::NotFound("领导"))?);
        }
        let existing = self.record_at::<Rotation>(unit, None).await?;
        let new = SetRotation {
            unit,
            weekday,
            leaders: named,
            starts,
        };
        self.put::<Rotation>(existing, new, by.into()).await
    }

    /// Reception days of the rotations within `scope`, from `from` for `weeks` weeks.
    pub async fn reception_days(
        &self,
        scope: &Scope,
        from: NaiveDate,
        weeks: u32,
    ) -> Result<Vec<(UnitId, NaiveDate, PersonId, String)>, StoreError> {
        let rotations: Vec<Rotation> = self.list(&RecordQuery::within(scope)).await?;
        let calendar = self.calendar();
        let mut days: Vec<_> = rotations
            .iter()
            .flat_map(|r| {
                reception::schedule(r, from, weeks.min(52), &calendar)
                    .into_iter()
                    .map(|(d, p, n)| (r.unit, d, p, n))
            })
            .collect();
        days.sort_by_key(|(u, d, _, _)| (*d, *u));
        Ok(days)
    }

    /// Registers a petition taken at the session (by a registrar) and links it to the
    /// session: both or neither.
    pub async fn register_at_session(
        &self,
        id: SessionId,
        new: NewCase,
        by: &Actor,
    ) -> Result<Case, StoreError> {
        let link = link(id, |case_id| SessionCommand::Took { case_id });
        self.register_linked(new, by.into(), by.unit, Some(link))
            .await
    }
}
