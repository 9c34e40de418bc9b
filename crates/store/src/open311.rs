//! Open311 GeoReport v2 bookkeeping: API keys (hashed), and which cases came in as requests,
//! under an opaque request id that grants nothing (unlike the query code).

use sha2::{Digest, Sha256};
use sqlx::Row;
use xinfang_domain::Case;

use crate::read::case_state;
use crate::{Store, StoreError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// A request posted through Open311, with its case as it stands.
#[derive(Debug, Clone)]
pub struct Request {
    pub request_id: String,
    pub token: String,
    pub api_key_id: i64,
    pub service_code: String,
    pub address: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub requested_at: i64,
    /// When the case last changed (its last event).
    pub updated_at: i64,
    pub case: Case,
}

/// Which requests to list.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Overrides everything else.
    pub request_ids: Option<Vec<String>>,
    pub service_codes: Vec<String>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub limit: i64,
}

fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

impl Store {
    /// Creates a key for a partner system; the key itself is returned once and kept only hashed.
    pub async fn create_api_key(&self, name: &str) -> Result<(i64, String), StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StoreError::Domain(xinfang_domain::DomainError::invalid(
                "name",
                "名称应为1至100个字",
            )));
        }
        let key = format!("xf_{}", random_hex(24));
        // One statement: a read then a write in one deferred transaction is refused at once
        // (SQLite's busy snapshot) when another connection writes in between.
        let id: i64 = sqlx::query(
            "INSERT INTO api_keys (id, name, key_hash, created_at) \
             SELECT COALESCE(MAX(id), 0) + 1, $1, $2, $3 FROM api_keys RETURNING id",
        )
        .bind(name)
        .bind(hash(&key))
        .bind(self.clock().now_ms())
        .fetch_one(&self.pool)
        .await?
        .try_get("id")?;
        Ok((id, key))
    }

    pub async fn revoke_api_key(&self, id: i64) -> Result<(), StoreError> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(self.clock().now_ms())
                .bind(id)
                .execute(&self.pool)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound("有效的接口密钥"));
        }
        Ok(())
    }

    pub async fn api_keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        let rows = sqlx::query("SELECT id, name, created_at, revoked_at FROM api_keys ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiKey {
                    id: r.try_get("id")?,
                    name: r.try_get("name")?,
                    created_at: r.try_get("created_at")?,
                    revoked_at: r.try_get("revoked_at")?,
                })
            })
            .collect()
    }

    /// The id of the key, if it exists and is not revoked.
    pub async fn api_key_id(&self, key: &str) -> Result<Option<i64>, StoreError> {
        Ok(
            sqlx::query("SELECT id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .bind(hash(key))
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("id"))
                .transpose()?,
        )
    }

    /// Records that a case came in through Open311; returns its request id and token.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_open311(
        &self,
        case_id: i64,
        api_key_id: i64,
        service_code: &str,
        address: Option<&str>,
        lat: Option<f64>,
        lon: Option<f64>,
    ) -> Result<(String, String), StoreError> {
        let (request_id, token) = (random_hex(8), random_hex(12));
        sqlx::query(
            "INSERT INTO open311_requests (request_id, token, case_id, api_key_id, service_code, address, lat, lon, requested_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&request_id)
        .bind(&token)
        .bind(case_id)
        .bind(api_key_id)
        .bind(service_code)
        .bind(address)
        // As text: the Any driver's binary float encoding is refused by PostgreSQL.
        .bind(lat.map(|v| v.to_string()))
        .bind(lon.map(|v| v.to_string()))
        .bind(self.clock().now_ms())
        .execute(&self.pool)
        .await?;
        Ok((request_id, token))
    }

    pub async fn open311_request_id_by_token(
        &self,
        token: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query("SELECT request_id FROM open311_requests WHERE token = $1")
                .bind(token)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("request_id"))
                .transpose()?,
        )
    }

    /// Requests newest first.
    pub async fn open311_requests(&self, f: &RequestFilter) -> Result<Vec<Request>, StoreError> {
        let mut sql = String::from(
            "SELECT o.request_id, o.token, o.api_key_id, o.service_code, o.address, o.lat, o.lon, o.requested_at, \
             (SELECT MAX(e.at) FROM events e WHERE e.case_id = o.case_id) AS updated_at, c.state \
             FROM open311_requests o JOIN cases c ON c.id = o.case_id WHERE ",
        );
        let mut texts: Vec<String> = Vec::new();
        let mut n = 0;
        let mut placeholders = |list: &[String], texts: &mut Vec<String>| {
            list.iter()
                .map(|v| {
                    texts.push(v.clone());
                    n += 1;
                    format!("${n}")
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        match &f.request_ids {
            Some(ids) if ids.is_empty() => return Ok(Vec::new()),
            Some(ids) => sql.push_str(&format!(
                "o.request_id IN ({})",
                placeholders(ids, &mut texts)
            )),
            None => {
                sql.push_str(&format!(
                    "o.requested_at >= {} AND o.requested_at <= {}",
                    f.from_ms, f.to_ms
                ));
                if !f.service_codes.is_empty() {
                    sql.push_str(&format!(
                        " AND o.service_code IN ({})",
                        placeholders(&f.service_codes, &mut texts)
                    ));
                }
            }
        }
        sql.push_str(&format!(
            " ORDER BY o.requested_at DESC LIMIT {}",
            f.limit.clamp(1, 1000)
        ));
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for t in texts {
            q = q.bind(t);
        }
        let rows = q.fetch_all(&self.pool).await?;
        rows.into_iter()
            .map(|r| {
                Ok(Request {
                    request_id: r.try_get("request_id")?,
                    token: r.try_get("token")?,
                    api_key_id: r.try_get("api_key_id")?,
                    service_code: r.try_get("service_code")?,
                    address: r.try_get("address")?,
                    lat: r
                        .try_get::<Option<String>, _>("lat")?
                        .and_then(|v| v.parse().ok()),
                    lon: r
                        .try_get::<Option<String>, _>("lon")?
                        .and_then(|v| v.parse().ok()),
                    requested_at: r.try_get("requested_at")?,
                    updated_at: r
                        .try_get::<Option<i64>, _>("updated_at")?
                        .unwrap_or_default(),
                    case: case_state(Some(r))?.expect("a row"),
                })
            })
            .collect()
    }
}
