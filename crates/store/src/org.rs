//! Units, people and sessions.

use sqlx::{AnyConnection, Row};
use xinfang_domain::{Actor, OrgChart, PersonId, Role, Unit, UnitId, UnitKind, UnitPath};

use crate::auth::token_hash;
use crate::{Store, StoreError};

/// How long a login lasts.
pub const SESSION_HOURS: i64 = 12;

pub(crate) async fn load_org(conn: &mut AnyConnection) -> Result<OrgChart, StoreError> {
    let rows = sqlx::query("SELECT id, parent_id, name, kind, path, external FROM units")
        .fetch_all(conn)
        .await?;
    let units = rows
        .iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(Unit {
                id: UnitId(r.try_get("id")?),
                parent: r.try_get::<Option<i64>, _>("parent_id")?.map(UnitId),
                name: r.try_get("name")?,
                kind: parse_kind(&kind)?,
                path: stored_path(&r.try_get::<String, _>("path")?)?,
                external: r.try_get::<i64, _>("external")? != 0,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(OrgChart::new(units))
}

/// A unit path read back from the database.
pub(crate) fn stored_path(s: &str) -> Result<UnitPath, StoreError> {
    UnitPath::parse(s).map_err(|_| StoreError::Corrupt(format!("单位路径 {s}")))
}

fn parse_kind(s: &str) -> Result<UnitKind, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| StoreError::Corrupt(format!("单位类型 {s}")))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Person {
    pub id: PersonId,
    pub username: String,
    pub name: String,
    pub unit: UnitId,
    pub roles: Vec<Role>,
}

impl Store {
    /// Removes expired sessions; returns how many.
    pub async fn purge_sessions(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
            .bind(self.clock().now_ms())
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    pub async fn logout(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn actor(&self, person: PersonId) -> Result<Option<Actor>, StoreError> {
        let Some(p) = self.person(person).await? else {
            return Ok(None);
        };
        let org = self.org();
        let unit = org.get(p.unit)?;
        Ok(Some(Actor {
            person: p.id,
            name: p.name,
            unit: p.unit,
            unit_path: unit.path.clone(),
            unit_kind: unit.kind,
            roles: p.roles,
        }))
    }

    pub async fn person(&self, id: PersonId) -> Result<Option<Person>, StoreError> {
        let row = sqlx::query(
            "SELECT id, username, name, unit_id, roles FROM people WHERE id = $1 AND active = 1",
        )
        .bind(id.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| person_from_row(&r)).transpose()
    }

    pub async fn people(&self) -> Result<Vec<Person>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, username, name, unit_id, roles FROM people WHERE active = 1 ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(person_from_row).collect()
    }

    /// Names of people, for timelines.
    pub async fn person_names(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>, StoreError> {
        let mut out = std::collections::HashMap::new();
        for id in ids {
            if out.contains_key(id) {
                continue;
            }
            // Deactivated people keep their names on what they did.
            let row = sqlx::query("SELECT name FROM people WHERE id = $1")
                .bind(*id)
                .fetch_optional(&self.pool)
                .await?;
            if let Some(r) = row {
                out.insert(*id, r.try_get("name")?);
            }
        }
        Ok(out)
    }

    /// When the log last recorded an event of `kind` (ms), if ever.
    pub async fn last_event_at(&self, kind: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT MAX(at) AS at FROM events WHERE kind = $1")
            .bind(kind)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>("at")?)
    }

    /// Whether the database has no units yet (a fresh install).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.org().is_empty())
    }
}

fn person_from_row(r: &sqlx::any::AnyRow) -> Result<Person, StoreError> {
    let roles: String = r.try_get("roles")?;
    Ok(Person {
        id: PersonId(r.try_get("id")?),
        username: r.try_get("username")?,
        name: r.try_get("name")?,
        unit: UnitId(r.try_get("unit_id")?),
        roles: serde_json::from_str(&roles)?,
    })
}
