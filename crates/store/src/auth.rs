//! Passwords (argon2id) and session tokens (random, stored only as their SHA-256).

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::Rng;
use sha2::{Digest, Sha256};

pub fn hash_password(password: &str) -> String {
    let bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&bytes).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

/// Marks a hash of a one-time password (see [`hash_one_time`]).
const ONE_TIME: &str = "one-time-sha256$";

/// A one-time password the system drew (an organisation's import gives thousands): random enough
/// (about 80 bits, [`new_one_time_password`]) that a fast hash guards it as well as argon2 guards
/// a chosen one; the account must set a password of its own at the first login.
pub fn hash_one_time(password: &str) -> String {
    format!(
        "{ONE_TIME}{}",
        hex::encode(Sha256::digest(password.as_bytes()))
    )
}

/// Sixteen characters from an alphabet without look-alikes, in groups of four.
pub fn new_one_time_password() -> String {
    let code = new_query_code();
    format!(
        "{}-{}-{}-{}",
        &code[..4],
        &code[4..8],
        &code[8..12],
        &code[12..]
    )
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    if let Some(digest) = hash.strip_prefix(ONE_TIME) {
        use subtle::ConstantTimeEq;
        let given = hex::encode(Sha256::digest(password.trim().as_bytes()));
        return given.as_bytes().ct_eq(digest.as_bytes()).into();
    }
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Query codes: 16 characters from an alphabet without look-alikes (about 79 bits).
pub fn new_query_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Accepts query codes typed with spaces, dashes or lower case.
pub fn normalise_query_code(code: &str) -> String {
    code.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_time_password_opens_its_account_and_nothing_else_does() {
        let password = new_one_time_password();
        assert_eq!(password.len(), 19, "four groups of four: {password}");
        let hash = hash_one_time(&password);
        assert!(verify_password(&password, &hash));
        assert!(
            verify_password(&format!(" {password}\n"), &hash),
            "as copied from a file"
        );
        assert!(!verify_password(&new_one_time_password(), &hash));
        assert!(!verify_password("", &hash));
        // A chosen password stays under argon2, and a one-time hash is no argon2 hash.
        let chosen = hash_password("a-password-of-my-own");
        assert!(verify_password("a-password-of-my-own", &chosen));
        assert!(!verify_password(&password, &chosen));
        assert!(!verify_password(&hash, &hash));
    }
}
