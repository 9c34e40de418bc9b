//! The tamper-evident log: each event's hash covers its content and the previous event's hash.

use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{Store, StoreError};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A hash column as the chain reads it: the database keeps its 32 bytes, the chain its hex
/// (the hex is what each hash covers of the one before, so the chain's meaning is unchanged).
pub(crate) fn hash_column(row: &sqlx::any::AnyRow, column: &str) -> Result<String, StoreError> {
    Ok(hex::encode(row.try_get::<Vec<u8>, _>(column)?))
}

/// A hash as the database keeps it: its bytes.
pub(crate) fn hash_bytes(hex_hash: &str) -> Result<Vec<u8>, StoreError> {
    hex::decode(hex_hash)
        .map_err(|e| StoreError::Corrupt(format!("事件哈希 {hex_hash:?} 不是十六进制：{e}")))
}

/// The log's head: its last sequence number and hash (0 and the genesis hash when empty).
pub(crate) async fn head<'c, E>(db: E) -> Result<(i64, String), StoreError>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let row = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(db)
        .await?;
    Ok(match row {
        Some(r) => (r.try_get("seq")?, hash_column(&r, "hash")?),
        None => (0, GENESIS.to_string()),
    })
}

/// One row of the log as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub seq: i64,
    pub case_id: Option<i64>,
    pub kind: String,
    pub payload: String,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub at: i64,
    /// The hash of the event before (the genesis hash for the first). The row does not repeat
    /// it: whoever reads the log in order has it from the row before.
    pub prev_hash: String,
    pub hash: String,
}

/// The columns an [`EventRow`] is read from.
pub(crate) const EVENT_COLUMNS: &str =
    "seq, case_id, kind, payload, actor_kind, actor_id, unit_id, at, hash";

impl EventRow {
    /// The row read in the log's order, after the event whose hash is `prev_hash`.
    pub(crate) fn from_row(
        row: &sqlx::any::AnyRow,
        prev_hash: String,
    ) -> Result<EventRow, StoreError> {
        Ok(EventRow {
            seq: row.try_get("seq")?,
            case_id: row.try_get("case_id")?,
            kind: row.try_get("kind")?,
            payload: crate::packed::column(row, "payload")?,
            actor_kind: row.try_get("actor_kind")?,
            actor_id: row.try_get("actor_id")?,
            unit_id: row.try_get("unit_id")?,
            at: row.try_get("at")?,
            prev_hash,
            hash: hash_column(row, "hash")?,
        })
    }

    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        for part in [
            self.prev_hash.as_str(),
            &self.seq.to_string(),
            &opt(self.case_id),
            &self.kind,
            &self.actor_kind,
            &opt(self.actor_id),
            &opt(self.unit_id),
            &self.at.to_string(),
        ] {
            h.update(part.as_bytes());
            h.update([0x1f]);
        }
        h.update(self.payload.as_bytes());
        hex::encode(h.finalize())
    }
}

/// A re-chaining of the log (personal data moved out of old events): the heads before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reanchor {
    pub at: i64,
    pub last_seq: i64,
    pub old_head: String,
    pub new_head: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every link holds.
    Intact { events: u64, head: String },
    /// The first event whose stored hash or link does not match.
    Broken {
        seq: i64,
        reason: String,
        checked: u64,
    },
}

impl Store {
    /// Every re-chaining of the log, oldest first.
    pub async fn reanchors(&self) -> Result<Vec<Reanchor>, StoreError> {
        sqlx::query(
            "SELECT at, last_seq, old_head, new_head, reason FROM chain_reanchors ORDER BY at",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Reanchor {
                at: r.try_get("at")?,
                last_seq: r.try_get("last_seq")?,
                old_head: r.try_get("old_head")?,
                new_head: r.try_get("new_head")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
    }

    /// Walks the whole chain in order and names the first broken link.
    pub async fn verify_chain(&self) -> Result<Verdict, StoreError> {
        let sql = format!("SELECT {EVENT_COLUMNS} FROM events ORDER BY seq");
        let mut rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch(&self.pool);
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1i64;
        let mut checked = 0u64;
        while let Some(row) = rows.try_next().await? {
            let ev = EventRow::from_row(&row, prev.clone())?;
            let broken = |reason: String| Verdict::Broken {
                seq: ev.seq,
                reason,
                checked,
            };
            if ev.seq != expected_seq {
                return Ok(broken(format!(
                    "序号不连续：应为 {expected_seq}，实为 {}（有事件被删除）",
                    ev.seq
                )));
            }
            // Each hash covers the one before: an event changed, or one before it changed and
            // hashed again, shows here.
            if ev.compute_hash() != ev.hash {
                return Ok(broken(
                    "事件内容与其哈希不符（本事件或前一事件被篡改，链条断开）".into(),
                ));
            }
            prev = ev.hash;
            expected_seq += 1;
            checked += 1;
        }
        Ok(Verdict::Intact {
            events: checked,
            head: prev,
        })
    }
}
