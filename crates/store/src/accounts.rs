//! Accounts that hold against guessing and leave a trace: login with a per-account lock after
//! repeated failures (lifted by time or by an administrator), passwords an administrator set
//! that must be changed at first login, idle sessions that end, deactivation, and the security
//! log of all of these. Kept apart from the case log: nothing here is a petitioner's.

use sqlx::Row;
use xinfang_domain::{Actor, PersonId};

use crate::auth::{hash_password, new_token, token_hash, verify_password};
use crate::{Store, StoreError};

/// Failed logins in a row that lock an account.
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a lock lasts unless an administrator lifts it first.
pub const LOCK_MINUTES: i64 = 15;
/// A session's last use is written at most this often (the idle timeout is counted from it).
const TOUCH_EVERY_MS: i64 = 60_000;

/// What a login attempt came to.
pub enum LoginOutcome {
    /// In: the session's token; the person must choose a new password before anything else.
    In {
        token: String,
        actor: Actor,
        must_change_password: bool,
    },
    /// Wrong username or password (the same answer for both).
    Refused,
    /// The account is locked until this time (ms); this attempt was not checked.
    Locked { until_ms: i64 },
}

/// A session in use.
#[derive(Debug, Clone)]
pub struct LiveSession {
    pub actor: Actor,
    /// When it ends unless used again (the idle timeout) or at the latest (its expiry), in ms.
    pub until_ms: i64,
    /// Only the password change is open to it.
    pub must_change_password: bool,
}

/// A line of the security log.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecurityEntry {
    pub at: i64,
    /// `login_failed`, `locked`, `unlocked`, `password_changed`, `password_reset`, `deactivated`.
    pub kind: String,
    pub username: String,
    pub address: Option<String>,
    /// The administrator who acted, for their acts.
    pub by_person: Option<i64>,
}

/// An account as administrators see it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountState {
    pub id: i64,
    pub username: String,
    pub active: bool,
    /// Locked after repeated failed logins until this time (ms since the epoch).
    pub locked_until: Option<i64>,
    pub must_change_password: bool,
}

/// What a new password must be; the message says it.
pub fn check_new_password(username: &str, password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if !(10..=256).contains(&n) {
        Err("密码应为10至256个字符")
    } else if password.eq_ignore_ascii_case(username) {
        Err("密码不能与用户名相同")
    } else {
        Ok(())
    }
}

impl Store {
    /// Checks a username and password from `address`; opens a session on success. Failures are
    /// counted per account and logged; the fifth in a row locks the account.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
    ) -> Result<LoginOutcome, StoreError> {
        let now = self.clock().now_ms();
        let row = sqlx::query(
            "SELECT id, password_hash, failed_logins, locked_until, must_change_password \
             FROM people WHERE username = $1 AND active = 1",
        )
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            // Spend the same work as a real check so that timing does not reveal usernames.
            let password = password.to_string();
            let _ =
                tokio::task::spawn_blocking(move || verify_password(&password, DUMMY_HASH)).await;
            self.note(now, "login_failed", username, None, Some(address), None)
                .await?;
            return Ok(LoginOutcome::Refused);
        };
        let person: i64 = row.try_get("id")?;
        if let Some(until) = row.try_get::<Option<i64>, _>("locked_until")?
            && until > now
        {
            return Ok(LoginOutcome::Locked { until_ms: until });
        }
        let hash: String = row.try_get("password_hash")?;
        let attempt = password.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&attempt, &hash))
            .await
            .unwrap_or(false);
        if !ok {
            self.note(
                now,
                "login_failed",
                username,
                Some(person),
                Some(address),
                None,
            )
            .await?;
            let failures: i64 = row.try_get::<i64, _>("failed_logins")? + 1;
            if failures >= MAX_FAILED_LOGINS {
                let until = now + LOCK_MINUTES * 60_000;
                sqlx::query("UPDATE people SET failed_logins = 0, locked_until = $1 WHERE id = $2")
                    .bind(until)
                    .bind(person)
                    .execute(&self.pool)
                    .await?;
                self.note(now, "locked", username, Some(person), Some(address), None)
                    .await?;
                tracing::warn!(username, address, "account locked after failed logins");
                return Ok(LoginOutcome::Locked { until_ms: until });
            }
            sqlx::query("UPDATE people SET failed_logins = $1 WHERE id = $2")
                .bind(failures)
                .bind(person)
                .execute(&self.pool)
                .await?;
            tracing::info!(username, address, "failed login");
            return Ok(LoginOutcome::Refused);
        }
        sqlx::query("UPDATE people SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(person)
            .execute(&self.pool)
            .await?;
        let token = new_token();
        let expires = now + crate::org::SESSION_HOURS * 3_600_000;
        sqlx::query(
            "INSERT INTO sessions (token_hash, person_id, expires_at, last_seen) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(person)
        .bind(expires)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let actor = self
            .actor(PersonId(person))
            .await?
            .ok_or(StoreError::NotFound("人员"))?;
        Ok(LoginOutcome::In {
            token,
            actor,
            must_change_password: row.try_get::<i64, _>("must_change_password")? != 0,
        })
    }

    /// The officer behind a live session token; a session unused for longer than `idle_ms` has
    /// ended (and is removed).
    pub async fn session(
        &self,
        token: &str,
        idle_ms: i64,
    ) -> Result<Option<LiveSession>, StoreError> {
        let hash = token_hash(token);
        let row = sqlx::query(
            "SELECT s.person_id, s.expires_at, s.last_seen, p.must_change_password \
             FROM sessions s JOIN people p ON p.id = s.person_id WHERE s.token_hash = $1",
        )
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = self.clock().now_ms();
        let expires: i64 = row.try_get("expires_at")?;
        let last_seen: i64 = row.try_get("last_seen")?;
        if expires < now || last_seen + idle_ms < now {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(&hash)
                .execute(&self.pool)
                .await?;
            return Ok(None);
        }
        if now - last_seen >= TOUCH_EVERY_MS {
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE token_hash = $2")
                .bind(now)
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        let must_change_password = row.try_get::<i64, _>("must_change_password")? != 0;
        Ok(self
            .actor(PersonId(row.try_get("person_id")?))
            .await?
            .map(|actor| LiveSession {
                actor,
                until_ms: expires.min(now + idle_ms),
                must_change_password,
            }))
    }

    /// The person changes their own password, giving the current one; their other sessions end.
    pub async fn change_password(
        &self,
        person: PersonId,
        current: &str,
        new: &str,
        keep_token: &str,
    ) -> Result<(), StoreError> {
        let row =
            sqlx::query("SELECT username, password_hash FROM people WHERE id = $1 AND active = 1")
                .bind(person.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("人员"))?;
        let username: String = row.try_get("username")?;
        let hash: String = row.try_get("password_hash")?;
        let attempt = current.to_string();
        let ok = tokio::task::spawn_blocking(move || verify_password(&attempt, &hash))
            .await
            .unwrap_or(false);
        if !ok {
            return Err(invalid("current_password", "当前密码不正确"));
        }
        if current == new {
            return Err(invalid("new_password", "新密码不能与当前密码相同"));
        }
        check_new_password(&username, new).map_err(|m| invalid("new_password", m))?;
        self.set_password(person, new, false).await?;
        sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
            .bind(person.0)
            .bind(token_hash(keep_token))
            .execute(&self.pool)
            .await?;
        let now = self.clock().now_ms();
        self.note(
            now,
            "password_changed",
            &username,
            Some(person.0),
            None,
            Some(person.0),
        )
        .await
    }

    /// An administrator sets a person's password (forgotten, or handed over): it must be changed
    /// at the next login, and the person's sessions end.
    pub async fn reset_password(
        &self,
        person: PersonId,
        new: &str,
        by: &Actor,
    ) -> Result<(), StoreError> {
        let username = self.username(person).await?;
        check_new_password(&username, new).map_err(|m| invalid("password", m))?;
        self.set_password(person, new, true).await?;
        self.end_sessions(person).await?;
        let now = self.clock().now_ms();
        self.note(
            now,
            "password_reset",
            &username,
            Some(person.0),
            None,
            Some(by.person.0),
        )
        .await
    }

    /// The person must choose a new password at their next login (a new account's first).
    pub async fn require_password_change(&self, person: PersonId) -> Result<(), StoreError> {
        sqlx::query("UPDATE people SET must_change_password = 1 WHERE id = $1")
            .bind(person.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// An administrator lifts a lock at once.
    pub async fn unlock(&self, person: PersonId, by: &Actor) -> Result<(), StoreError> {
        let username = self.username(person).await?;
        sqlx::query("UPDATE people SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(person.0)
            .execute(&self.pool)
            .await?;
        let now = self.clock().now_ms();
        self.note(
            now,
            "unlocked",
            &username,
            Some(person.0),
            None,
            Some(by.person.0),
        )
        .await
    }

    /// An administrator deactivates an account: it can no longer log in and its sessions end at
    /// once (other server processes drop it from their caches within a second). Its name stays on
    /// the cases it worked.
    pub async fn deactivate(&self, person: PersonId, by: &Actor) -> Result<(), StoreError> {
        if person == by.person {
            return Err(invalid("person", "不能停用自己的账号"));
        }
        let username = self.username(person).await?;
        sqlx::query("UPDATE people SET active = 0 WHERE id = $1")
            .bind(person.0)
            .execute(&self.pool)
            .await?;
        self.end_sessions(person).await?;
        let now = self.clock().now_ms();
        self.note(
            now,
            "deactivated",
            &username,
            Some(person.0),
            None,
            Some(by.person.0),
        )
        .await
    }

    /// Every account with its state, for administrators.
    pub async fn accounts(&self) -> Result<Vec<AccountState>, StoreError> {
        let now = self.clock().now_ms();
        let rows = sqlx::query(
            "SELECT id, username, active, locked_until, must_change_password FROM people ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AccountState {
                    id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    active: r.try_get::<i64, _>("active")? != 0,
                    locked_until: r
                        .try_get::<Option<i64>, _>("locked_until")?
                        .filter(|u| *u > now),
                    must_change_password: r.try_get::<i64, _>("must_change_password")? != 0,
                })
            })
            .collect()
    }

    /// The newest lines of the security log.
    pub async fn security_log(&self, limit: i64) -> Result<Vec<SecurityEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT at, kind, username, address, by_person FROM security_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit.clamp(1, 1000))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SecurityEntry {
                    at: r.try_get("at")?,
                    kind: r.try_get("kind")?,
                    username: r.try_get("username")?,
                    address: r.try_get("address")?,
                    by_person: r.try_get("by_person")?,
                })
            })
            .collect()
    }

    async fn set_password(
        &self,
        person: PersonId,
        new: &str,
        must_change: bool,
    ) -> Result<(), StoreError> {
        let new = new.to_string();
        let hash = tokio::task::spawn_blocking(move || hash_password(&new))
            .await
            .map_err(|e| StoreError::Corrupt(format!("密码哈希: {e}")))?;
        sqlx::query(
            "UPDATE people SET password_hash = $1, must_change_password = $2, failed_logins = 0, \
             locked_until = NULL WHERE id = $3",
        )
        .bind(hash)
        .bind(i64::from(must_change))
        .bind(person.0)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn end_sessions(&self, person: PersonId) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE person_id = $1")
            .bind(person.0)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn username(&self, person: PersonId) -> Result<String, StoreError> {
        sqlx::query("SELECT username FROM people WHERE id = $1")
            .bind(person.0)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound("人员"))?
            .try_get("username")
            .map_err(Into::into)
    }

    async fn note(
        &self,
        at: i64,
        kind: &str,
        username: &str,
        person: Option<i64>,
        address: Option<&str>,
        by: Option<i64>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO security_log (at, kind, username, person_id, address, by_person) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(at)
        .bind(kind)
        .bind(username.chars().take(64).collect::<String>())
        .bind(person)
        .bind(address)
        .bind(by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

fn invalid(field: &'static str, message: &str) -> StoreError {
    xinfang_domain::DomainError::invalid(field, message.to_string()).into()
}

const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0bWYNCmSWL2gu6fE3VcjmQ3a7fSbRUNs3ZVn3dW5aq0";
