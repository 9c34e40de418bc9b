//! Signed checkpoints of the log, against the database's own administrator. The hash chain and
//! the append-only triggers stop an officer, not someone who can drop the last events or rewrite
//! the log and compute every hash again. A checkpoint — the head's sequence number and hash and
//! the time — signed with an Ed25519 key kept outside the database and written outside it (a
//! directory, ideally on another machine or the supervising level's) makes both visible: a
//! truncated log lacks an event a checkpoint names, a rewritten one has another hash there. A
//! restore from backup writes its own checkpoint, so that the events lost with it are told
//! apart from tampering.

use std::path::{Path, PathBuf};

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::{Store, StoreError};

pub const FORMAT: &str = "xinfang-checkpoint/1";

/// Why a checkpoint was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// On the schedule (or by `xinfang checkpoint`).
    Periodic,
    /// Right after a restore from backup: the log starts again from here.
    Restore,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub format: String,
    pub kind: Kind,
    /// Events in the log (the head's sequence number; 0 for an empty log).
    pub seq: i64,
    /// The head's hash.
    pub hash: String,
    /// When, in ms since the epoch, and as RFC 3339 for people.
    pub at_ms: i64,
    pub at: String,
    /// The signing key's public half (hex), and the signature (hex) of [`Checkpoint::message`].
    pub public_key: String,
    pub signature: String,
}

impl Checkpoint {
    fn message(kind: Kind, seq: i64, hash: &str, at_ms: i64) -> String {
        let kind = match kind {
            Kind::Periodic => "periodic",
            Kind::Restore => "restore",
        };
        format!("{FORMAT}\n{kind}\n{seq}\n{hash}\n{at_ms}")
    }

    pub fn sign(
        kind: Kind,
        seq: i64,
        hash: &str,
        at_ms: i64,
        at: String,
        key: &SigningKey,
    ) -> Self {
        let signature = key.sign(Self::message(kind, seq, hash, at_ms).as_bytes());
        Checkpoint {
            format: FORMAT.into(),
            kind,
            seq,
            hash: hash.into(),
            at_ms,
            at,
            public_key: hex::encode(key.verifying_key().as_bytes()),
            signature: hex::encode(signature.to_bytes()),
        }
    }

    /// Whether `key` signed exactly this.
    pub fn signed_by(&self, key: &VerifyingKey) -> bool {
        let Some(sig) = hex::decode(&self.signature)
            .ok()
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
        else {
            return false;
        };
        self.format == FORMAT
            && key
                .verify(
                    Self::message(self.kind, self.seq, &self.hash, self.at_ms).as_bytes(),
                    &Signature::from_bytes(&sig),
                )
                .is_ok()
    }
}

/// The signing key, from its file (32 bytes as hex); created there when missing.
pub fn load_or_create_key(path: &Path) -> Result<(SigningKey, bool), StoreError> {
    if path.exists() {
        let text = std::fs::read_to_string(path)?;
        let bytes = hex::decode(text.trim())
            .ok()
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| StoreError::Config(format!("{}: 不是检查点签名密钥", path.display())))?;
        return Ok((SigningKey::from_bytes(&bytes), false));
    }
    let bytes: [u8; 32] = rand::rng().random();
    crate::personal::keys::write_new(path, &hex::encode(bytes))?;
    Ok((SigningKey::from_bytes(&bytes), true))
}

/// A public key as hex (what `verify --public-key` takes), or from a signing key's file.
pub fn public_key(hex_or_file: &str) -> Result<VerifyingKey, StoreError> {
    let bad = || StoreError::Config(format!("{hex_or_file}: 不是检查点公钥或密钥文件"));
    if let Some(bytes) = hex::decode(hex_or_file.trim())
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
    {
        return VerifyingKey::from_bytes(&bytes).map_err(|_| bad());
    }
    let path = Path::new(hex_or_file);
    if path.exists() {
        return Ok(load_or_create_key(path)?.0.verifying_key());
    }
    Err(bad())
}

/// Every checkpoint file in `dir`, oldest first.
pub fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, Checkpoint)>, StoreError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path)?;
            let cp: Checkpoint = serde_json::from_str(&text)
                .map_err(|e| StoreError::Config(format!("{}: {e}", path.display())))?;
            out.push((path, cp));
        }
    }
    out.sort_by_key(|(_, c)| (c.at_ms, c.seq));
    Ok(out)
}

/// What the checkpoints say of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// The log holds the event a checkpoint names, with its hash.
    Holds { seq: i64 },
    /// A checkpoint's signature is not the key's: forged or altered.
    BadSignature { file: PathBuf },
    /// The log ends before an event a checkpoint names: events were dropped.
    Truncated { seq: i64, at: String, head: i64 },
    /// The log has another event where a checkpoint names one: it was rewritten.
    Rewritten { seq: i64, at: String },
    /// Restored from backup at `at`: the `lost` events a checkpoint saw after the backup's
    /// point were lost with the restore (not tampering).
    Restored { at: String, seq: i64, lost: i64 },
}

impl Finding {
    pub fn is_tampering(&self) -> bool {
        matches!(
            self,
            Finding::BadSignature { .. } | Finding::Truncated { .. } | Finding::Rewritten { .. }
        )
    }
}

impl Store {
    /// The log's head: its last sequence number and hash (0 and the genesis hash when empty).
    pub async fn head(&self) -> Result<(i64, String), StoreError> {
        crate::chain::head(&self.pool).await
    }

    /// The hash of the event at `seq` (the genesis hash for 0); `None` past the head.
    pub async fn event_hash(&self, seq: i64) -> Result<Option<String>, StoreError> {
        if seq == 0 {
            return Ok(Some(crate::chain::GENESIS.to_string()));
        }
        let row = sqlx::query("SELECT hash FROM events WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(crate::chain::hash_column(&r, "hash")?),
            None => None,
        })
    }

    /// The hash an event had before the log was re-chained (personal data moved out), if it
    /// changed then: a checkpoint signed before names that one.
    async fn legacy_hash(&self, seq: i64) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT legacy_hash FROM events WHERE seq = $1")
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get("legacy_hash")?,
            None => None,
        })
    }

    /// Signs the head now and writes it into `dir` (a new file; written whole, then renamed).
    pub async fn write_checkpoint(
        &self,
        dir: &Path,
        key: &SigningKey,
        kind: Kind,
    ) -> Result<Checkpoint, StoreError> {
        let (seq, hash) = self.head().await?;
        let clock = self.clock();
        let at_ms = clock.now_ms();
        let cp = Checkpoint::sign(kind, seq, &hash, at_ms, clock.format_ms(at_ms), key);
        std::fs::create_dir_all(dir)?;
        let kind = serde_json::to_value(kind)?;
        let name = format!(
            "{at_ms}-{}-{seq}.json",
            kind.as_str().unwrap_or("checkpoint")
        );
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, serde_json::to_vec_pretty(&cp)?)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))?;
        Ok(cp)
    }

    /// Holds the log against every checkpoint in `dir` signed by `key`.
    pub async fn check_against(
        &self,
        dir: &Path,
        key: &VerifyingKey,
    ) -> Result<Vec<Finding>, StoreError> {
        let all = read_dir(dir)?;
        let mut findings = Vec::new();
        let mut signed = Vec::new();
        for (file, cp) in all {
            if cp.signed_by(key) {
                signed.push(cp);
            } else {
                findings.push(Finding::BadSignature { file });
            }
        }
        // The latest restore the log still starts from.
        let mut restore = None;
        for cp in signed.iter().rev().filter(|c| c.kind == Kind::Restore) {
            if self.event_hash(cp.seq).await?.as_deref() == Some(cp.hash.as_str()) {
                restore = Some(cp);
                break;
            }
        }
        let (head, _) = self.head().await?;
        let mut lost = 0;
        for cp in &signed {
            let found = self.event_hash(cp.seq).await?;
            if found.as_deref() == Some(cp.hash.as_str())
                || self.legacy_hash(cp.seq).await?.as_deref() == Some(cp.hash.as_str())
            {
                findings.push(Finding::Holds { seq: cp.seq });
                continue;
            }
            match restore {
                // Seen before the restore, beyond the backup's point: lost with it.
                Some(r) if cp.at_ms < r.at_ms && cp.seq > r.seq => {
                    lost = lost.max(cp.seq - r.seq);
                }
                _ if found.is_none() => findings.push(Finding::Truncated {
                    seq: cp.seq,
                    at: cp.at.clone(),
                    head,
                }),
                _ => findings.push(Finding::Rewritten {
                    seq: cp.seq,
                    at: cp.at.clone(),
                }),
            }
        }
        if let Some(r) = restore {
            findings.push(Finding::Restored {
                at: r.at.clone(),
                seq: r.seq,
                lost,
            });
        }
        Ok(findings)
    }
}
