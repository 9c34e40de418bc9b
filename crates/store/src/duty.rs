//! 值班、信息报送 (see [`xinfang_domain::duty`]): one record per unit and day of the roster
//! (setting a day again replaces it). Incidents and their reports go through the record engine.

use chrono::NaiveDate;
use xinfang_domain::duty::{DutyDay, SetDuty};
use xinfang_domain::{Actor, Scope};

use crate::records::RecordQuery;
use crate::{Store, StoreError};

impl Store {
    /// Sets (or replaces) a unit's duty for a day.
    pub async fn set_duty(&self, new: SetDuty, by: &Actor) -> Result<DutyDay, StoreError> {
        let existing = self.record_at::<DutyDay>(new.unit, Some(new.date)).await?;
        self.put::<DutyDay>(existing, new, by.into()).await
    }

    /// The roster of units within `scope` from `from` on (at most 500 days), by date.
    pub async fn roster(&self, scope: &Scope, from: NaiveDate) -> Result<Vec<DutyDay>, StoreError> {
        let q = RecordQuery {
            by_due: true,
            ..RecordQuery::within(scope)
        };
        let mut days: Vec<DutyDay> = self.list(&q).await?;
        days.retain(|d| d.date >= from);
        Ok(days)
    }
}
