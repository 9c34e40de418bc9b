//! A unit's short name and region and a person's work phone, as an organisation's import brings
//! them (and its export gives them back).

use std::collections::HashMap;

use sqlx::Row;

use crate::{Store, StoreError};

/// A unit's details: short name, region.
pub type UnitDetails = (Option<String>, Option<String>);

impl Store {
    pub async fn set_unit_details(
        &self,
        unit: i64,
        short_name: Option<&str>,
        region: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO unit_details (unit_id, short_name, region) VALUES ($1, $2, $3) \
             ON CONFLICT (unit_id) DO UPDATE SET short_name = excluded.short_name, \
             region = excluded.region",
        )
        .bind(unit)
        .bind(short_name)
        .bind(region)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_person_phone(&self, person: i64, phone: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO person_details (person_id, phone) VALUES ($1, $2) \
             ON CONFLICT (person_id) DO UPDATE SET phone = excluded.phone",
        )
        .bind(person)
        .bind(phone)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn unit_details(&self) -> Result<HashMap<i64, UnitDetails>, StoreError> {
        let rows = sqlx::query("SELECT unit_id, short_name, region FROM unit_details")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("unit_id")?,
                    (r.try_get("short_name")?, r.try_get("region")?),
                ))
            })
            .collect()
    }

    pub async fn person_phones(&self) -> Result<HashMap<i64, String>, StoreError> {
        let rows =
            sqlx::query("SELECT person_id, phone FROM person_details WHERE phone IS NOT NULL")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("person_id")?, r.try_get("phone")?)))
            .collect()
    }
}
