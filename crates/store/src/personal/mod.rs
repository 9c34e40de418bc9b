//! The petitioner store: each case's personal data (the petitioner, a collective visit's
//! representatives) kept apart from the log and the read model, encrypted with SM4-GCM under
//! the deployment's key, found by keyed SM3 tags. The log and the case's state keep only a
//! digest of the record (salted, so it tells nothing of the data), so that a correction rewrites
//! the record, an erasure removes it, and the chain verifies either way.

pub(crate) mod fields;
pub mod keys;
pub(crate) mod legacy;
pub mod rotate;

use std::collections::HashMap;
use std::path::PathBuf;

use rand::RngCore;
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};
use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use xinfang_domain::case::{PersonalData, PersonalStanding};
use xinfang_domain::{Case, Petitioner};

pub use keys::{KeyAt, KeySource, Keyring};

use crate::rows::Param;
use crate::{Backend, StoreError};

/// What the petitioner store keeps of one case.
pub(crate) struct Sealed {
    pub sealed: String,
    pub digest: String,
}

#[derive(Serialize, Deserialize)]
struct Plain {
    /// Makes the digest of a short phone number unguessable.
    salt: String,
    #[serde(flatten)]
    data: PersonalData,
}

fn context(case_id: i64) -> String {
    format!("petitioner:{case_id}")
}

/// Encrypts a case's personal data and digests it.
pub(crate) fn seal(
    keys: &Keyring,
    case_id: i64,
    data: &PersonalData,
) -> Result<Sealed, StoreError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let plain = serde_json::to_vec(&Plain {
        salt: hex::encode(salt),
        data: data.clone(),
    })?;
    Ok(Sealed {
        digest: hex::encode(Sm3::digest(&plain)),
        sealed: keys.seal(&context(case_id), &plain),
    })
}

/// The bytes of a key's id in a sealed value (16 hex digits in its text).
const KEY_ID_BYTES: usize = 8;

/// A sealed value and its digest as the database keeps them: bytes, half the room of their hex.
/// The keyring seals and opens the text `<key id>:<hex>`, and the log keeps digests as hex.
pub(crate) fn stored(s: &Sealed) -> Result<(Vec<u8>, Vec<u8>), StoreError> {
    let digest = hex::decode(&s.digest).map_err(|_| bad_sealed())?;
    Ok((sealed_bytes(&s.sealed)?, digest))
}

/// The bytes of a sealed value's text.
pub(crate) fn sealed_bytes(text: &str) -> Result<Vec<u8>, StoreError> {
    let (id, body) = text.split_once(':').ok_or_else(bad_sealed)?;
    let mut bytes = hex::decode(id).map_err(|_| bad_sealed())?;
    if bytes.len() != KEY_ID_BYTES {
        return Err(bad_sealed());
    }
    bytes.extend(hex::decode(body).map_err(|_| bad_sealed())?);
    Ok(bytes)
}

fn bad_sealed() -> StoreError {
    StoreError::Corrupt("个人信息密文格式不符".into())
}

/// A sealed column (NULL when erased) as the text the keyring opens.
pub(crate) fn sealed_column(
    row: &sqlx::any::AnyRow,
    name: &str,
) -> Result<Option<String>, StoreError> {
    let bytes: Option<Vec<u8>> = row.try_get(name)?;
    bytes.as_deref().map(sealed_text).transpose()
}

/// The text of a sealed value's bytes.
fn sealed_text(bytes: &[u8]) -> Result<String, StoreError> {
    match bytes.split_at_checked(KEY_ID_BYTES) {
        Some((id, body)) if !body.is_empty() => {
            Ok(format!("{}:{}", hex::encode(id), hex::encode(body)))
        }
        _ => Err(bad_sealed()),
    }
}

/// Decrypts a case's record; the digest is recomputed, so a caller can hold it against the log.
pub(crate) fn open(
    keys: &Keyring,
    case_id: i64,
    sealed: &str,
) -> Result<(PersonalData, String), StoreError> {
    let plain = keys.open(&context(case_id), sealed)?;
    let digest = hex::encode(Sm3::digest(&plain));
    let p: Plain = serde_json::from_slice(&plain)?;
    Ok((p.data, digest))
}

/// What an exact look-up compares: names trimmed, phones without spaces and dashes, ID numbers
/// upper-cased (as registration normalises them).
pub fn normalise(kind: Lookup, value: &str) -> String {
    let v = value.trim();
    match kind {
        Lookup::Name => v.to_string(),
        Lookup::Phone => v.replace([' ', '-'], ""),
        Lookup::IdNumber => v.to_uppercase(),
    }
}

/// The identity fields found by exact look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    Name,
    Phone,
    IdNumber,
}

impl Lookup {
    /// The case column holding the field's tag.
    pub(crate) fn column(self) -> &'static str {
        match self {
            Lookup::Name => "name_tag",
            Lookup::Phone => "phone_tag",
            Lookup::IdNumber => "id_tag",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            Lookup::Name => "name",
            Lookup::Phone => "phone",
            Lookup::IdNumber => "id_number",
        }
    }
}

/// The keyed tag of a look-up value.
pub(crate) fn tag(keys: &Keyring, kind: Lookup, value: &str) -> Vec<u8> {
    keys.tag(kind.kind(), &normalise(kind, value))
}

/// The tags of a petitioner for the case row: name, phone, ID number (none for a blank one).
pub(crate) fn tags(keys: &Keyring, p: &Petitioner) -> [Option<Vec<u8>>; 3] {
    let t = |kind: Lookup, v: Option<&str>| {
        v.filter(|v| !v.trim().is_empty())
            .map(|v| tag(keys, kind, v))
    };
    [
        t(Lookup::Name, Some(p.name.as_str())),
        t(Lookup::Phone, p.phone.as_deref()),
        t(Lookup::IdNumber, p.id_number.as_deref()),
    ]
}

/// A change to the petitioner store, written with its batch.
pub(crate) enum Write {
    /// A new or corrected record.
    Put { case_id: i64, sealed: Sealed },
    /// Kept for storage only.
    Restrict { case_id: i64 },
    /// The record removed; only its digest stays, in the log.
    Erase { case_id: i64 },
}

/// Writes the batch's changes to the petitioner store (and drops the notices a restricted or
/// erased record may no longer receive).
pub(crate) async fn flush(
    conn: &mut AnyConnection,
    backend: Backend,
    writes: Vec<Write>,
    now: i64,
) -> Result<(), StoreError> {
    let mut put: Vec<Vec<Param>> = Vec::new();
    for w in writes {
        match w {
            Write::Put { case_id, sealed } => {
                let (sealed, digest) = stored(&sealed)?;
                put.push(vec![
                    case_id.into(),
                    Param::OptBytes(Some(sealed)),
                    Param::OptBytes(Some(digest)),
                    PersonalStanding::Kept.code().into(),
                    now.into(),
                ])
            }
            Write::Restrict { case_id } | Write::Erase { case_id } => {
                let erase = matches!(w, Write::Erase { .. });
                let standing = if erase {
                    PersonalStanding::Erased
                } else {
                    PersonalStanding::Restricted
                };
                let sql = if erase {
                    "UPDATE petitioners SET sealed = NULL, standing = $1, changed_at = $2 WHERE case_id = $3"
                } else {
                    "UPDATE petitioners SET standing = $1, changed_at = $2 WHERE case_id = $3"
                };
                sqlx::query(sql)
                    .bind(standing.code())
                    .bind(now)
                    .bind(case_id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query(
                    "UPDATE outbox SET recipient = '', status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END, \
                     last_error = CASE WHEN status = 'pending' THEN $1 ELSE last_error END WHERE case_id = $2",
                )
                .bind(format!("信访人个人信息{}，不再发送", standing.label()))
                .bind(case_id)
                .execute(&mut *conn)
                .await?;
            }
        }
    }
    crate::rows::insert_rows(
        conn,
        backend,
        "petitioners",
        COLUMNS,
        put,
        "ON CONFLICT (case_id) DO UPDATE SET sealed = excluded.sealed, digest = excluded.digest, \
         standing = excluded.standing, changed_at = excluded.changed_at",
    )
    .await
}

/// Writes records' sealed personal data (or removes it when a record holds none any more).
pub(crate) async fn flush_records(
    conn: &mut AnyConnection,
    backend: Backend,
    writes: Vec<(i64, Option<Sealed>)>,
) -> Result<(), StoreError> {
    let mut put: Vec<Vec<Param>> = Vec::new();
    for (id, sealed) in writes {
        match sealed {
            Some(s) => {
                let (sealed, digest) = stored(&s)?;
                put.push(vec![id.into(), Param::Bytes(sealed), Param::Bytes(digest)])
            }
            None => {
                sqlx::query("DELETE FROM record_personal WHERE record_id = $1")
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    crate::rows::insert_rows(
        conn,
        backend,
        "record_personal",
        &["record_id", "sealed", "digest"],
        put,
        "ON CONFLICT (record_id) DO UPDATE SET sealed = excluded.sealed, digest = excluded.digest",
    )
    .await
}

pub(crate) const COLUMNS: &[&str] = &["case_id", "sealed", "digest", "standing", "changed_at"];

/// Walks a table in pages by its key inside one transaction (the one-time move, the rotation):
/// the query takes `$1`, the last key seen, and `$2`, the page size, and orders by the key.
pub(crate) struct Pager {
    sql: String,
    key: &'static str,
    after: i64,
}

impl Pager {
    const PAGE: i64 = 2_000;

    pub(crate) fn new(sql: impl Into<String>, key: &'static str) -> Pager {
        Pager {
            sql: sql.into(),
            key,
            after: 0,
        }
    }

    /// The next page; empty at the end.
    pub(crate) async fn next(
        &mut self,
        conn: &mut AnyConnection,
    ) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
        let rows = sqlx::query(AssertSqlSafe(self.sql.clone()))
            .bind(self.after)
            .bind(Self::PAGE)
            .fetch_all(&mut *conn)
            .await?;
        if let Some(last) = rows.last() {
            self.after = last.try_get(self.key)?;
        }
        Ok(rows)
    }
}

/// The read model's select of a case with its sealed record (`sealed` is NULL when none).
pub(crate) const CASE_SELECT: &str = "SELECT cases.id AS id, cases.state AS state, petitioners.sealed AS sealed \
     FROM cases LEFT JOIN petitioners ON petitioners.case_id = cases.id";

/// A case from a row of [`CASE_SELECT`]: its state, with the personal data put back while
/// processing it is allowed.
pub(crate) fn case_of(keys: &Keyring, r: &sqlx::any::AnyRow) -> Result<Case, StoreError> {
    let mut case: Case = serde_json::from_str(&crate::packed::column(r, "state")?)?;
    if let Some(sealed) = sealed_column(r, "sealed")?
        && case.personal.standing == PersonalStanding::Kept
    {
        let (data, _) = open(keys, case.id.0, &sealed)?;
        case.put_personal_data(data);
    }
    Ok(case)
}

/// The petitioners' names of these cases (none for restricted or erased records).
pub(crate) async fn names(
    pool: &AnyPool,
    keys: &Keyring,
    ids: &[i64],
) -> Result<HashMap<i64, String>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let list: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let mut q = sqlx::query(AssertSqlSafe(format!(
        "SELECT case_id, sealed FROM petitioners WHERE standing = 'kept' AND sealed IS NOT NULL AND case_id IN ({})",
        list.join(", ")
    )));
    for id in ids {
        q = q.bind(*id);
    }
    let mut out = HashMap::with_capacity(ids.len());
    for r in q.fetch_all(pool).await? {
        let id: i64 = r.try_get("case_id")?;
        let sealed = sealed_column(&r, "sealed")?.unwrap_or_default();
        let (data, _) = open(keys, id, &sealed)?;
        out.insert(id, data.petitioner.name);
    }
    Ok(out)
}

/// Seals a notice's address (bound to the notice's id).
pub(crate) fn seal_recipient(keys: &Keyring, id: i64, recipient: &str) -> String {
    keys.seal(&format!("outbox:{id}"), recipient.as_bytes())
}

/// A notice's address, or empty when it was removed with the petitioner's data.
pub(crate) fn open_recipient(keys: &Keyring, id: i64, sealed: &str) -> Result<String, StoreError> {
    if sealed.is_empty() {
        return Ok(String::new());
    }
    let plain = keys.open(&format!("outbox:{id}"), sealed)?;
    String::from_utf8(plain).map_err(|_| StoreError::Corrupt(format!("通知 {id} 的收件地址")))
}

/// Where the key of a database is kept when no file is named: beside an SQLite file, in the
/// working directory for PostgreSQL (named by the database).
pub fn default_key_path(backend: Backend, url: &str) -> PathBuf {
    match backend {
        Backend::Sqlite => {
            let path = url
                .strip_prefix("sqlite://")
                .unwrap_or(url)
                .split('?')
                .next()
                .unwrap_or("xinfang.db");
            PathBuf::from(format!("{path}.key"))
        }
        Backend::Postgres => {
            let name = url
                .rsplit('/')
                .next()
                .and_then(|n| n.split('?').next())
                .filter(|n| !n.is_empty())
                .unwrap_or("postgres");
            PathBuf::from(format!("xinfang-{name}.key"))
        }
    }
}

/// The keyring of a database: from the environment, a named file or the default file; a new
/// key is made only while the database holds no personal data under any key. Every key the
/// database has used must be in the ring, or the store refuses to start rather than write under
/// a key that cannot read what is there.
pub(crate) async fn resolve(
    source: &KeySource,
    backend: Backend,
    url: &str,
    pool: &AnyPool,
    now: i64,
) -> Result<Keyring, StoreError> {
    let used: Vec<String> = sqlx::query("SELECT key_id FROM personal_keys ORDER BY added_at")
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| r.try_get("key_id"))
        .collect::<Result<_, _>>()?;
    let keys = match source.at(backend, url) {
        KeyAt::File(path) => open_file(&path, used.is_empty())?,
        KeyAt::Given(h) => Keyring::from_hex(h)?,
    };
    let have = keys.ids();
    if let Some(missing) = used.iter().find(|id| !have.contains(id)) {
        return Err(StoreError::Config(format!(
            "数据库中的个人信息由密钥 {missing} 加密，但所给密钥（{}）中没有它：请用 --personal-key 指定数据库对应的密钥文件（恢复备份时用 restore --keys）",
            have.join("、")
        )));
    }
    if !used.iter().any(|id| id == keys.current_id()) {
        sqlx::query("INSERT INTO personal_keys (key_id, added_at) VALUES ($1, $2)")
            .bind(keys.current_id())
            .bind(now)
            .execute(pool)
            .await?;
    }
    Ok(keys)
}

fn open_file(path: &std::path::Path, may_create: bool) -> Result<Keyring, StoreError> {
    let (keys, created) = Keyring::load_or_create(path, may_create)?;
    if created {
        tracing::warn!(
            file = %path.display(),
            "已生成个人信息密钥文件：请妥善保管并单独备份（丢失则信访人个人信息无法读取）"
        );
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_is_kept_as_half_its_text_and_read_back_the_same() {
        let keys = Keyring::generate();
        let data = PersonalData::default();
        let sealed = seal(&keys, 7, &data).unwrap();
        let (bytes, digest) = stored(&sealed).unwrap();
        assert_eq!(bytes.len() * 2, sealed.sealed.len() - 1);
        assert_eq!(hex::encode(&digest), sealed.digest);
        let text = sealed_text(&bytes).unwrap();
        assert_eq!(text, sealed.sealed);
        assert_eq!(open(&keys, 7, &text).unwrap().1, sealed.digest);
        for bad in ["", "abc", "0011:zz", "00112233:aabb"] {
            let s = Sealed {
                sealed: bad.into(),
                digest: sealed.digest.clone(),
            };
            assert!(matches!(stored(&s), Err(StoreError::Corrupt(_))), "{bad}");
        }
        assert!(matches!(
            sealed_text(&bytes[..KEY_ID_BYTES]),
            Err(StoreError::Corrupt(_))
        ));
    }
}
