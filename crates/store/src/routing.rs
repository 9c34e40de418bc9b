//! What routing suggested and what officers chose (see [`xinfang_domain::routing`]): written
//! beside the decision, read back per month against what the cases carry now.

use sqlx::Row;
use xinfang_domain::routing::{Acceptance, Choice, tally};
use xinfang_domain::{CaseId, PersonId};

use crate::{Store, StoreError};

/// `category` (at registration) or `unit` (at sorting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Category,
    Unit,
}

impl Target {
    fn code(self) -> &'static str {
        match self {
            Target::Category => "category",
            Target::Unit => "unit",
        }
    }
}

impl Store {
    /// Records what was suggested (best first) and what was chosen for a case.
    pub async fn note_routing_choice(
        &self,
        case: CaseId,
        by: PersonId,
        target: Target,
        suggested: &[String],
        chosen: &str,
    ) -> Result<(), StoreError> {
        let month = self.clock().today().format("%Y-%m").to_string();
        sqlx::query(
            "INSERT INTO routing_choices (at, month, case_id, person_id, target, suggested, chosen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(self.clock().now_ms())
        .bind(month)
        .bind(case.0)
        .bind(by.0)
        .bind(target.code())
        .bind(suggested.join("\n"))
        .bind(chosen)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The figures of the last `months` months (this one included), newest first.
    pub async fn routing_acceptance(&self, months: u32) -> Result<Vec<Acceptance>, StoreError> {
        let today = self.clock().today();
        let from = today
            .checked_sub_months(chrono::Months::new(months.saturating_sub(1)))
            .unwrap_or(today)
            .format("%Y-%m")
            .to_string();
        let rows = sqlx::query(
            "SELECT r.month, r.target, r.suggested, r.chosen, c.category, c.handling_unit \
             FROM routing_choices r LEFT JOIN cases c ON c.id = r.case_id \
             WHERE r.month >= $1",
        )
        .bind(from)
        .fetch_all(&self.pool)
        .await?;
        let mut choices = Vec::with_capacity(rows.len());
        for row in rows {
            let target: String = row.try_get(1)?;
            let now = if target == Target::Category.code() {
                row.try_get::<Option<String>, _>(4)?
                    .filter(|c| !c.is_empty())
            } else {
                row.try_get::<Option<i64>, _>(5)?.map(|u| u.to_string())
            };
            let suggested: String = row.try_get(2)?;
            choices.push(Choice {
                month: row.try_get(0)?,
                target,
                suggested: suggested
                    .split('\n')
                    .filter(|s| !s.is_empty())
                    .map(Into::into)
                    .collect(),
                chosen: row.try_get(3)?,
                now,
            });
        }
        Ok(tally(choices))
    }
}

impl Store {
    /// Keeps a model under `name` (replacing the one before).
    pub async fn save_routing_model(&self, name: &str, state: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO routing_models (name, saved_at, state) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET saved_at = excluded.saved_at, state = excluded.state",
        )
        .bind(name)
        .bind(self.clock().now_ms())
        .bind(state)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The model kept under `name`, if any.
    pub async fn routing_model(&self, name: &str) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query("SELECT state FROM routing_models WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get::<String, _>(0))
                .transpose()?,
        )
    }
}
