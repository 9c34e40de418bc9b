//! The outbox of notices to petitioners. Rows are written by the writer in the same transaction
//! as their event, so a notice is never lost; a delivery loop claims due rows, hands each to its
//! sender and records the outcome, retrying with backoff. Delivery is at least once: a crash
//! between sending and recording resends after the claim lapses, and senders pass the row id as
//! an idempotency key so that gateways can drop the repeat.

use sqlx::Row;
use xinfang_domain::Petitioner;

use crate::rows::Param;
use crate::{Store, StoreError};

pub(crate) const COLUMNS: &[&str] = &[
    "id",
    "case_id",
    "event_seq",
    "channel",
    "recipient",
    "subject",
    "body",
    "status",
    "attempts",
    "next_at",
];

/// How long a claimed row stays with its sender before it may be claimed again.
pub const CLAIM_MS: i64 = 5 * 60 * 1000;
/// After this many failures a notice is given up and shown as failed on the case.
pub const MAX_ATTEMPTS: i64 = 8;

/// Where a petitioner's notices go: SMS to a mobile number, e-mail if given.
pub(crate) fn recipients(p: &Petitioner) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(phone) = &p.phone
        && phone.len() == 11
        && phone.starts_with('1')
    {
        out.push(("sms", phone.clone()));
    }
    if let Some(email) = &p.email {
        out.push(("email", email.clone()));
    }
    out
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn row(
    id: i64,
    case_id: i64,
    seq: i64,
    channel: &str,
    recipient: String,
    subject: &str,
    body: &str,
    now: i64,
) -> Vec<Param> {
    vec![
        id.into(),
        case_id.into(),
        seq.into(),
        channel.into(),
        recipient.into(),
        subject.into(),
        body.into(),
        "pending".into(),
        0i64.into(),
        now.into(),
    ]
}

/// One notice to deliver or shown on a case.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Notice {
    pub id: i64,
    pub case_id: i64,
    pub event_seq: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

fn notice(keys: &crate::personal::Keyring, r: &sqlx::any::AnyRow) -> Result<Notice, StoreError> {
    let id: i64 = r.try_get("id")?;
    Ok(Notice {
        id,
        case_id: r.try_get("case_id")?,
        event_seq: r.try_get("event_seq")?,
        channel: r.try_get("channel")?,
        recipient: crate::personal::open_recipient(
            keys,
            id,
            &r.try_get::<String, _>("recipient")?,
        )?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        attempts: r.try_get::<i64, _>("attempts")?,
        next_at: r.try_get("next_at")?,
        sent_at: r.try_get("sent_at")?,
        last_error: r.try_get("last_error")?,
    })
}

const SELECT: &str = "SELECT id, case_id, event_seq, channel, recipient, subject, body, status, \
                      CAST(attempts AS BIGINT) AS attempts, next_at, sent_at, last_error FROM outbox";

/// Backoff after `attempts` failures: 1 min, 2, 4, … capped at 6 hours.
pub fn backoff_ms(attempts: i64) -> i64 {
    let minutes = 1i64 << attempts.clamp(0, 9);
    minutes.min(360) * 60 * 1000
}

impl Store {
    /// Due notices, claimed for [`CLAIM_MS`]: their `next_at` moves past the claim so that no
    /// other round takes them meanwhile. The claim is a compare-and-set on `next_at`: of two
    /// processes that read the same due row, one moves it and the other leaves it.
    pub async fn claim_notices(
        &self,
        channels: &[&str],
        limit: i64,
    ) -> Result<Vec<Notice>, StoreError> {
        if channels.is_empty() {
            return Ok(Vec::new());
        }
        let now = self.clock().now_ms();
        let list: Vec<String> = (0..channels.len()).map(|i| format!("${}", i + 3)).collect();
        let mut q = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE status = 'pending' AND next_at <= $1 AND channel IN ({}) ORDER BY next_at, id LIMIT $2",
            list.join(", ")
        )))
        .bind(now)
        .bind(limit);
        for c in channels {
            q = q.bind(*c);
        }
        let rows = q.fetch_all(&self.pool).await?;
        let due: Vec<Notice> = rows
            .iter()
            .map(|r| notice(&self.keys, r))
            .collect::<Result<_, _>>()?;
        let mut claimed = Vec::with_capacity(due.len());
        for n in due {
            let moved = sqlx::query(
                "UPDATE outbox SET next_at = $1 WHERE id = $2 AND status = 'pending' AND next_at = $3",
            )
            .bind(now + CLAIM_MS)
            .bind(n.id)
            .bind(n.next_at)
            .execute(&self.pool)
            .await?;
            if moved.rows_affected() == 1 {
                claimed.push(n);
            }
        }
        Ok(claimed)
    }

    pub async fn notice_sent(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE outbox SET status = 'sent', sent_at = $1, attempts = attempts + 1, last_error = NULL WHERE id = $2")
            .bind(self.clock().now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt: retried after the backoff, given up after [`MAX_ATTEMPTS`].
    pub async fn notice_failed(&self, n: &Notice, error: &str) -> Result<(), StoreError> {
        let attempts = n.attempts + 1;
        let status = if attempts >= MAX_ATTEMPTS {
            "failed"
        } else {
            "pending"
        };
        let error: String = error.chars().take(500).collect();
        sqlx::query("UPDATE outbox SET status = $1, attempts = $2, next_at = $3, last_error = $4 WHERE id = $5")
            .bind(status)
            .bind(attempts)
            .bind(self.clock().now_ms() + backoff_ms(attempts - 1))
            .bind(error)
            .bind(n.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A case's notices with their delivery status, oldest first.
    pub async fn notices_of(&self, case_id: i64) -> Result<Vec<Notice>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE case_id = $1 ORDER BY id"
        )))
        .bind(case_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| notice(&self.keys, r)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff_ms(0), 60_000);
        assert_eq!(backoff_ms(3), 8 * 60_000);
        assert_eq!(backoff_ms(20), 360 * 60_000);
    }

    #[test]
    fn notices_go_to_mobiles_and_emails_only() {
        let p = |phone: &str, email: Option<&str>| Petitioner {
            name: "甲".into(),
            phone: Some(phone.into()),
            email: email.map(String::from),
            ..Default::default()
        };
        assert_eq!(
            recipients(&p("13811112222", None)),
            vec![("sms", "13811112222".to_string())]
        );
        assert!(recipients(&p("01012345678", None)).is_empty());
        assert_eq!(
            recipients(&p("0101234567", Some("a@b.cn"))),
            vec![("email", "a@b.cn".to_string())]
        );
    }
}
