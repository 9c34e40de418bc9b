//! Proof of work for anonymous submissions: the page carries a signed challenge, the browser
//! searches a nonce whose SHA-256 with the challenge starts with `bits` zero bits (a fraction of
//! a second for one citizen, a real cost for a flood), and each challenge is taken once. The
//! signing key and the challenges taken live in the database, so that every server process on
//! it checks alike and a challenge taken by one is taken for all.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// How long a challenge stays valid: time to fill in the form.
const MAX_AGE: Duration = Duration::from_secs(2 * 3600);

/// The name of the signing key among the database's shared secrets.
pub const KEY_NAME: &str = "proof_of_work";

pub struct ProofOfWork {
    key: [u8; 32],
    pub bits: u32,
}

/// Challenges issued before this (seconds since the epoch) have expired.
pub fn oldest_valid_issue() -> i64 {
    i64::try_from(now_secs().saturating_sub(MAX_AGE.as_secs())).unwrap_or(0)
}

impl ProofOfWork {
    /// With a key of its own (one process, tests, tools).
    pub fn new(bits: u32) -> Self {
        Self::with_key(rand::random(), bits)
    }

    /// With the key every process on the database shares.
    pub fn with_key(key: [u8; 32], bits: u32) -> Self {
        ProofOfWork { key, bits }
    }

    fn mac(&self, body: &str) -> Hmac<Sha256> {
        let mut m = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        m.update(body.as_bytes());
        m
    }

    /// A fresh challenge: `time.random.bits.signature`.
    pub fn challenge(&self) -> String {
        let body = format!(
            "{}.{:016x}.{}",
            now_secs(),
            rand::random::<u64>(),
            self.bits
        );
        let sig = hex::encode(self.mac(&body).finalize().into_bytes());
        format!("{body}.{sig}")
    }

    /// Checks a solved challenge and takes it (once across all processes); the error is for
    /// the citizen.
    pub async fn redeem(
        &self,
        store: &xinfang_store::Store,
        challenge: &str,
        nonce: &str,
    ) -> Result<(), Refusal> {
        let issued = self.check(challenge, nonce).map_err(Refusal::Citizen)?;
        match store.redeem_challenge(challenge, issued).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Refusal::Citizen("该表单已经提交过，请勿重复提交")),
            Err(e) => Err(Refusal::Store(e)),
        }
    }

    /// Checks the signature, the age and the work of a solved challenge; its issue time.
    pub fn check(&self, challenge: &str, nonce: &str) -> Result<i64, &'static str> {
        let (body, sig) = challenge
            .rsplit_once('.')
            .ok_or("验证信息无效，请刷新页面后重新提交")?;
        // Compared in constant time: the signature is a secret's output.
        let sig = hex::decode(sig).map_err(|_| "验证信息无效，请刷新页面后重新提交")?;
        if self.mac(body).verify_slice(&sig).is_err() {
            return Err("验证信息无效，请刷新页面后重新提交");
        }
        let mut parts = body.split('.');
        let issued: u64 = parts
            .next()
            .and_then(|t| t.parse().ok())
            .ok_or("验证信息无效")?;
        let bits: u32 = parts
            .nth(1)
            .and_then(|b| b.parse().ok())
            .ok_or("验证信息无效")?;
        let now = now_secs();
        if now.saturating_sub(issued) > MAX_AGE.as_secs() {
            return Err(
                "页面停留时间过长，验证已过期，请刷新页面后重新提交（已填写的内容请先复制保存）",
            );
        }
        // No nonce is no work, even on the one challenge in 2^bits whose bare hash would pass.
        if nonce.is_empty()
            || nonce.len() > 20
            || leading_zero_bits(&digest(challenge, nonce)) < bits
        {
            return Err("提交验证未完成，请确认浏览器已启用 JavaScript 后重新提交");
        }
        i64::try_from(issued).map_err(|_| "验证信息无效")
    }
}

/// Why a challenge was not taken.
#[derive(Debug)]
pub enum Refusal {
    /// The citizen's to fix (refresh, enable JavaScript, not twice).
    Citizen(&'static str),
    /// The database did not answer.
    Store(xinfang_store::StoreError),
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn digest(challenge: &str, nonce: &str) -> [u8; 32] {
    Sha256::digest(format!("{challenge}:{nonce}").as_bytes()).into()
}

fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut n = 0;
    for b in hash {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// Finds a nonce for `challenge` (what the browser does; for tests and tools).
pub fn solve(challenge: &str) -> String {
    let bits: u32 = challenge
        .split('.')
        .nth(2)
        .and_then(|b| b.parse().ok())
        .unwrap_or(0);
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| leading_zero_bits(&digest(challenge, n)) >= bits)
        .expect("a nonce exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_solved_challenge_passes_with_its_issue_time() {
        let pow = ProofOfWork::new(8);
        let c = pow.challenge();
        let n = solve(&c);
        let issued = pow.check(&c, &n).unwrap();
        assert!(
            (oldest_valid_issue()..=oldest_valid_issue() + MAX_AGE.as_secs() as i64 + 1)
                .contains(&issued)
        );
        // Another process with the same key accepts it too.
        assert!(ProofOfWork::with_key(pow.key, 8).check(&c, &n).is_ok());
    }

    #[test]
    fn forged_unsolved_and_foreign_challenges_fail() {
        let pow = ProofOfWork::new(12);
        let c = pow.challenge();
        let wrong = (0u64..)
            .map(|n| n.to_string())
            .find(|n| leading_zero_bits(&digest(&c, n)) < 12)
            .unwrap();
        assert!(pow.check(&c, &wrong).is_err());
        // Lowering the difficulty breaks the signature.
        let parts: Vec<&str> = c.split('.').collect();
        let easier = format!("{}.{}.0.{}", parts[0], parts[1], parts[3]);
        assert!(pow.check(&easier, "0").is_err());
        let other = ProofOfWork::new(12).challenge();
        assert!(pow.check(&other, &solve(&other)).is_err());
    }

    #[test]
    fn zero_bits_are_counted() {
        assert_eq!(leading_zero_bits(&[0, 0x0f, 0xff]), 12);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0; 4]), 32);
    }
}
