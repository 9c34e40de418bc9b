//! The record of who saw or looked up petitioners' personal data (PIPL): a reveal of a case's
//! unmasked data, a printed document, a search by phone, ID number or name. The value searched
//! for is not kept — it is itself personal data.

use sqlx::Row;
use xinfang_domain::PersonId;

use crate::rows::{Param, insert_rows};
use crate::{Store, StoreError};

/// The columns of a line, as the writer and [`Store::note_personal_access_many`] write them.
pub(crate) const COLUMNS: &[&str] = &["at", "person_id", "case_id", "kind"];

/// A line of the record.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalAccess {
    pub at: i64,
    pub person_id: i64,
    pub case_id: Option<i64>,
    /// `reveal`, `document`, `search_phone`, `search_id_number`, `search_name`, `export`.
    pub kind: String,
}

impl Store {
    /// Records one look-up or sight of personal data. The line goes through the writer, so that
    /// look-ups made at the same moment share one durable commit (on SQLite each used to wait
    /// for a commit of its own: p99 34.5 ms for a look-up by phone at 1M cases).
    pub async fn note_personal_access(
        &self,
        person: PersonId,
        case_id: Option<i64>,
        kind: &str,
    ) -> Result<(), StoreError> {
        let line = [
            self.clock().now_ms().into(),
            person.0.into(),
            case_id.into(),
            kind.into(),
        ];
        self.write_access_note(line).await
    }

    /// One line per case whose personal data went out at once (an export), written together.
    pub async fn note_personal_access_many(
        &self,
        person: PersonId,
        case_ids: &[i64],
        kind: &str,
    ) -> Result<(), StoreError> {
        let at = self.clock().now_ms();
        let rows: Vec<Vec<Param>> = case_ids
            .iter()
            .map(|id| vec![at.into(), person.0.into(), (*id).into(), kind.into()])
            .collect();
        let mut tx = self.pool.begin().await?;
        insert_rows(
            &mut tx,
            self.backend,
            "personal_data_log",
            COLUMNS,
            rows,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The newest lines, newest first.
    pub async fn personal_access_log(&self, limit: i64) -> Result<Vec<PersonalAccess>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, person_id, case_id, kind FROM personal_data_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(PersonalAccess {
                    at: r.try_get("at")?,
                    person_id: r.try_get("person_id")?,
                    case_id: r.try_get("case_id")?,
                    kind: r.try_get("kind")?,
                })
            })
            .collect()
    }
}
