//! Requests that must not happen twice (#16): the first request sent with a key claims it, and
//! its answer is kept; the same key from the same caller within a day gets that answer back and
//! writes nothing. The table is in the database, so every server process shares it and a
//! restart forgets nothing.

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, StoreError};

/// How long a key holds.
pub const KEY_HOURS: i64 = 24;

/// The answer kept for a key: status, the headers that matter, the body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptAnswer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// What claiming a key found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: go ahead, then keep the answer (or release the key).
    Fresh,
    /// The first request with this key is still running.
    Running { fingerprint: String },
    /// The first request's answer.
    Answered {
        fingerprint: String,
        answer: KeptAnswer,
    },
}

impl Store {
    /// Claims `key` for `scope` (the caller) and a request with this `fingerprint`, or finds
    /// what the first request with it did. Keys older than a day are forgotten.
    pub async fn claim_request_key(
        &self,
        scope: &str,
        key: &str,
        fingerprint: &str,
    ) -> Result<Claim, StoreError> {
        let now = self.clock().now_ms();
        let horizon = now - KEY_HOURS * 3_600_000;
        sqlx::query("DELETE FROM request_keys WHERE created_at < $1")
            .bind(horizon)
            .execute(&self.pool)
            .await?;
        let inserted = sqlx::query(
            "INSERT INTO request_keys (scope, key, fingerprint, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (scope, key) DO NOTHING",
        )
        .bind(scope)
        .bind(key)
        .bind(fingerprint)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(Claim::Fresh);
        }
        let row = sqlx::query(
            "SELECT fingerprint, status, response FROM request_keys WHERE scope = $1 AND key = $2",
        )
        .bind(scope)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Released between the two statements: try once more.
            return Box::pin(self.claim_request_key(scope, key, fingerprint)).await;
        };
        let fingerprint: String = row.try_get("fingerprint")?;
        let response: Option<String> = row.try_get("response")?;
        Ok(match response {
            None => Claim::Running { fingerprint },
            Some(r) => Claim::Answered {
                fingerprint,
                answer: serde_json::from_str(&r)?,
            },
        })
    }

    /// Keeps the answer of the request that claimed `key`.
    pub async fn keep_request_answer(
        &self,
        scope: &str,
        key: &str,
        answer: &KeptAnswer,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE request_keys SET status = $1, response = $2 WHERE scope = $3 AND key = $4",
        )
        .bind(i64::from(answer.status))
        .bind(serde_json::to_string(answer)?)
        .bind(scope)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives `key` up (the request failed on the server's side): it may be sent again.
    pub async fn release_request_key(&self, scope: &str, key: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM request_keys WHERE scope = $1 AND key = $2 AND response IS NULL")
            .bind(scope)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
