//! Id newtypes so a unit id is never passed where a case id belongs, nor a meeting's id where
//! a supervision's does.

use serde::{Deserialize, Serialize};

/// The id of a kind of record (see [`crate::record::Record`]).
pub trait RecordKey:
    Copy + Eq + std::hash::Hash + std::fmt::Debug + std::fmt::Display + Send + Sync + 'static
{
    fn raw(self) -> i64;
    fn of(raw: i64) -> Self;
}

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl RecordKey for $name {
            fn raw(self) -> i64 {
                self.0
            }

            fn of(raw: i64) -> Self {
                $name(raw)
            }
        }
    )*};
}

id_type!(UnitId, PersonId, CaseId);

// The mechanisms' records.
id_type!(
    SupervisionId,
    MeetingId,
    AgendaItemId,
    TaskId,
    OwnershipId,
    RotationId,
    SessionId,
    DisputeId,
    DutyDayId,
    IncidentId,
    QualityReviewId,
    FollowUpId,
    DispatchRuleId,
    CampaignId,
    KnowledgeId,
);
