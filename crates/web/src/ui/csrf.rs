//! The form token that proves a POST comes from one of our pages: derived from the session,
//! so it needs no storage and dies with the session; compared in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The form field that carries the token.
pub const CSRF_FIELD: &str = "csrf";

/// The token of a session.
pub fn csrf_token(session: &str) -> String {
    hex::encode(&Sha256::digest(format!("xinfang-csrf:{session}").as_bytes())[..16])
}

/// Whether `given` is the token of this session (compared in constant time).
pub fn csrf_matches(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}
