//! What the server processes on one database share beyond the log: secrets they sign with
//! alike, the proof-of-work challenges already redeemed, and the background jobs only one of
//! them runs at a time.

use sqlx::Row;

use crate::{Backend, Store, StoreError};

/// A background job that runs in one process at a time across all processes on the database.
#[derive(Debug, Clone, Copy)]
pub enum Job {
    /// The minute sweep: lapse closing, supervision, conference proposals, clean-ups.
    Sweep,
}

impl Job {
    /// The PostgreSQL advisory lock key of the job ("xfsweep\0").
    fn lock_key(self) -> i64 {
        match self {
            Job::Sweep => 0x7866_7377_6565_7000,
        }
    }
}

impl Store {
    /// The secret named `name`, made (32 random bytes) by the first process that asks; every
    /// process on the database then uses the same one.
    pub async fn shared_secret(&self, name: &str) -> Result<[u8; 32], StoreError> {
        let fresh = hex::encode(rand::random::<[u8; 32]>());
        sqlx::query(
            "INSERT INTO shared_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(&fresh)
        .execute(&self.pool)
        .await?;
        let stored: String = sqlx::query("SELECT value FROM shared_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?
            .try_get("value")?;
        let mut key = [0u8; 32];
        hex::decode_to_slice(stored, &mut key)
            .map_err(|e| StoreError::Corrupt(format!("shared secret {name}: {e}")))?;
        Ok(key)
    }

    /// Takes a proof-of-work challenge once: `false` when any process has taken it already.
    pub async fn redeem_challenge(&self, challenge: &str, issued: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO redeemed_challenges (challenge, issued) VALUES ($1, $2) \
             ON CONFLICT (challenge) DO NOTHING",
        )
        .bind(challenge)
        .bind(issued)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets challenges issued before `issued` (they have expired; taking one again fails on
    /// its age).
    pub async fn forget_challenges_before(&self, issued: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("DELETE FROM redeemed_challenges WHERE issued < $1")
                .bind(issued)
                .execute(&self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// Runs `run` unless another process on the database is running `job` now (then `None`).
    /// On PostgreSQL a session advisory lock held for the run says so; it is released with the
    /// connection if the process dies. An SQLite database has one server process.
    pub async fn exclusively<T, F>(&self, job: Job, run: F) -> Result<Option<T>, StoreError>
    where
        F: std::future::Future<Output = Result<T, StoreError>>,
    {
        if self.backend == Backend::Sqlite {
            return run.await.map(Some);
        }
        let mut conn = self.pool.acquire().await?;
        let got: bool = sqlx::query("SELECT pg_try_advisory_lock($1) AS got")
            .bind(job.lock_key())
            .fetch_one(&mut *conn)
            .await?
            .try_get("got")?;
        if !got {
            return Ok(None);
        }
        let result = run.await;
        let unlocked = sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(job.lock_key())
            .execute(&mut *conn)
            .await;
        if unlocked.is_err() {
            // Closing the session releases the lock whatever state it is in.
            let _ = conn.close().await;
        }
        result.map(Some)
    }
}
