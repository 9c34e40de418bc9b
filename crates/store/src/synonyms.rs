//! The synonym list of case search (words naming the same matter), kept by administrators.

use sqlx::Row;

use crate::rows::{Param, insert_rows};
use crate::{Store, StoreError};

impl Store {
    /// The groups of words a search treats as one, in the order kept.
    pub async fn synonyms(&self) -> Result<Vec<Vec<String>>, StoreError> {
        let rows = sqlx::query("SELECT phrases FROM search_synonyms ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let phrases: String = r.try_get("phrases")?;
                Ok(phrases.split(' ').map(String::from).collect())
            })
            .collect()
    }

    /// Replaces the whole list (checked by the caller: words without spaces, two or more a group).
    pub async fn set_synonyms(&self, groups: &[Vec<String>]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM search_synonyms")
            .execute(&mut *tx)
            .await?;
        let rows: Vec<Vec<Param>> = groups
            .iter()
            .enumerate()
            .map(|(i, g)| vec![(i as i64 + 1).into(), g.join(" ").into()])
            .collect();
        insert_rows(
            &mut tx,
            self.backend,
            "search_synonyms",
            &["id", "phrases"],
            rows,
            "",
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
