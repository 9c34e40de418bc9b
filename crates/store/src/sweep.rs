//! The minute sweep of the mechanisms: supervision of late and bouncing cases, and proposals
//! for the joint conference.

use crate::{Store, StoreError};

/// How far the minute sweep has read: the day of its last full pass and the last event seen.
#[derive(Debug, Default, Clone, Copy)]
pub struct SweepMark {
    day: Option<chrono::NaiveDate>,
    seq: i64,
}

impl Store {
    /// The supervision and conference sweeps, kept cheap for a sweep every minute: deadlines
    /// pass by days, so every candidate case is read once a day (and at start); in between,
    /// bounces and refusals come only with events, so only the cases touched since the last
    /// pass are read. Returns the supervisions raised and the cases proposed.
    pub async fn sweep_mechanisms(
        &self,
        mark: &mut SweepMark,
    ) -> Result<(usize, usize), StoreError> {
        let today = self.clock().today();
        // Read before the pass: what commits during it is read by the next one.
        let head = *self.committed().borrow();
        let done = if mark.day != Some(today) {
            (
                self.sweep_supervision().await?,
                self.sweep_conference().await?,
            )
        } else if head > mark.seq {
            let cases = self.cases_touched(mark.seq, head).await?;
            (
                self.supervise_due(&cases, today).await?,
                self.propose_due(&cases, today).await?,
            )
        } else {
            (0, 0)
        };
        *mark = SweepMark {
            day: Some(today),
            seq: head,
        };
        Ok(done)
    }
}
