//! Personal data inside a mechanism's record (a reception's appointments and whom the leader
//! met): the values at the kind's [`xinfang_domain::Record::PERSONAL`] pointers are taken out
//! of the state (left blank) and sealed apart, and put back when the record is read.

use rand::RngCore;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sm3::{Digest, Sm3};

use super::{Keyring, Sealed};
use crate::StoreError;

/// The values taken out: (JSON pointer, text).
pub(crate) type Taken = Vec<(String, String)>;

#[derive(Serialize, Deserialize)]
struct Plain {
    salt: String,
    values: Taken,
}

fn context(record_id: i64) -> String {
    format!("record:{record_id}")
}

/// Takes the non-empty texts at `paths` out of `state`, leaving them blank.
pub(crate) fn take(state: &mut Value, paths: &[&str]) -> Taken {
    let mut out = Vec::new();
    for path in paths {
        let parts: Vec<&str> = path.split('/').skip(1).collect();
        walk(state, &parts, String::new(), &mut out);
    }
    out
}

fn walk(v: &mut Value, parts: &[&str], at: String, out: &mut Taken) {
    let Some((first, rest)) = parts.split_first() else {
        if let Value::String(s) = v
            && !s.is_empty()
        {
            out.push((at, std::mem::take(s)));
        }
        return;
    };
    match (v, *first) {
        (Value::Array(items), "*") => {
            for (i, item) in items.iter_mut().enumerate() {
                walk(item, rest, format!("{at}/{i}"), out);
            }
        }
        (Value::Object(map), key) => {
            if let Some(item) = map.get_mut(key) {
                walk(item, rest, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// Puts taken values back where they were.
pub(crate) fn put(state: &mut Value, taken: Taken) {
    for (at, text) in taken {
        if let Some(slot) = state.pointer_mut(&at) {
            *slot = Value::String(text);
        }
    }
}

/// Seals a record's taken values (bound to the record's id) with a salted digest.
pub(crate) fn seal(keys: &Keyring, record_id: i64, values: Taken) -> Result<Sealed, StoreError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let plain = serde_json::to_vec(&Plain {
        salt: hex::encode(salt),
        values,
    })?;
    Ok(Sealed {
        digest: hex::encode(Sm3::digest(&plain)),
        sealed: keys.seal(&context(record_id), &plain),
    })
}

/// The record's state as stored, with its sealed values put back.
pub(crate) fn open(
    keys: &Keyring,
    record_id: i64,
    state: &str,
    sealed: Option<&str>,
) -> Result<String, StoreError> {
    let Some(sealed) = sealed else {
        return Ok(state.to_string());
    };
    let plain: Plain = serde_json::from_slice(&keys.open(&context(record_id), sealed)?)?;
    let mut v: Value = serde_json::from_str(state)?;
    put(&mut v, plain.values);
    Ok(serde_json::to_string(&v)?)
}

/// The state without the values at `paths`, and those values.
pub(crate) fn split(state: &str, paths: &[&str]) -> Result<(String, Taken), StoreError> {
    if paths.is_empty() {
        return Ok((state.to_string(), Vec::new()));
    }
    let mut v: Value = serde_json::from_str(state)?;
    let taken = take(&mut v, paths);
    Ok((serde_json::to_string(&v)?, taken))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_out_and_go_back_where_they_were() {
        let state = r#"{"appointments":[{"name":"张三","phone":"13800138000","matter":"工资"},{"name":"李四","phone":"","matter":"噪音"}],"met":["王五"],"date":"2026-12-01"}"#;
        let paths = ["/appointments/*/name", "/appointments/*/phone", "/met/*"];
        let (kept, taken) = split(state, &paths).unwrap();
        assert!(!kept.contains("张三") && !kept.contains("13800138000") && !kept.contains("王五"));
        assert!(kept.contains("工资") && kept.contains("2026-12-01"));
        assert_eq!(taken.len(), 4, "the empty phone is not taken: {taken:?}");
        let keys = Keyring::generate();
        let sealed = seal(&keys, 7, taken).unwrap();
        let back = open(&keys, 7, &kept, Some(&sealed.sealed)).unwrap();
        let (a, b): (Value, Value) = (
            serde_json::from_str(&back).unwrap(),
            serde_json::from_str(state).unwrap(),
        );
        assert_eq!(a, b);
        assert!(
            open(&keys, 8, &kept, Some(&sealed.sealed)).is_err(),
            "bound to its record"
        );
    }
}
