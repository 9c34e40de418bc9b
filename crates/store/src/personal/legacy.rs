//! Moving a database written before the petitioner store into it: each case's personal data is
//! sealed into the store, its state and the outbox keep none, and the log's registrations are
//! rewritten without it. The old chain is verified first (a broken chain is not laundered);
//! the new chain is computed over the rewritten events, every changed event keeps its former
//! hash (checkpoints signed before still hold), and the re-chaining is recorded with the heads
//! before and after. All in one transaction: a crash leaves the database as it was.

use std::collections::HashMap;

use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use xinfang_domain::{Case, Event};

use xinfang_domain::Record;
use xinfang_domain::reception::Session;

use super::{Keyring, Pager, fields, seal, tags};
use crate::chain::{EventRow, GENESIS};
use crate::{Backend, StoreError};

/// Moves what is left to move; nothing when every case is already in the petitioner store.
pub(crate) async fn migrate(
    pool: &AnyPool,
    backend: Backend,
    keys: &Keyring,
    now: i64,
) -> Result<(), StoreError> {
    let pending: i64 = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM legacy_personal) + (SELECT COUNT(*) FROM legacy_record_personal) AS n",
    )
    .fetch_one(pool)
    .await?
    .try_get("n")?;
    if pending == 0 {
        return Ok(());
    }
    tracing::info!(
        cases = pending,
        "将信访人个人信息移入加密的信访人信息库，并重新计算事件链（一次性迁移）"
    );
    let started = std::time::Instant::now();
    let mut conn = pool.acquire().await?;
    crate::writer::begin_writing(&mut conn, backend).await?;
    let result = async {
        let digests = move_cases(&mut conn, keys, now).await?;
        move_records(&mut conn, keys).await?;
        seal_outbox(&mut conn, keys).await?;
        rechain(&mut conn, backend, &digests, now).await?;
        for table in ["legacy_personal", "legacy_record_personal"] {
            sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(&mut *conn)
                .await?;
        }
        Ok::<_, StoreError>(digests.len())
    }
    .await;
    let moved = crate::writer::end_writing(&mut conn, result).await?;
    drop(conn);
    scrub(pool, backend).await?;
    tracing::info!(
        cases = moved,
        seconds = started.elapsed().as_secs_f64(),
        "个人信息迁移完成"
    );
    Ok(())
}

/// Rewrites the tables the move changed, so that the old rows' bytes (names and numbers in
/// the clear) do not linger in free pages or dead tuples.
async fn scrub(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    // SQLite's VACUUM copies the database through a temporary one: on disk, not in memory as
    // the store's connections keep temporary tables.
    let statements: &[&str] = match backend {
        Backend::Sqlite => &[
            "PRAGMA temp_store=FILE",
            "VACUUM",
            "PRAGMA temp_store=MEMORY",
            "PRAGMA wal_checkpoint(TRUNCATE)",
        ],
        Backend::Postgres => &["VACUUM FULL events, cases, outbox"],
    };
    let mut conn = pool.acquire().await?;
    for s in statements {
        sqlx::query(AssertSqlSafe(*s)).execute(&mut *conn).await?;
    }
    Ok(())
}

/// Seals each listed case's data into the petitioner store and rewrites its row without it;
/// returns each case's digest.
async fn move_cases(
    conn: &mut AnyConnection,
    keys: &Keyring,
    now: i64,
) -> Result<HashMap<i64, String>, StoreError> {
    let mut digests = HashMap::new();
    let mut pages = Pager::new(
        "SELECT cases.id AS id, cases.state AS state FROM cases JOIN legacy_personal ON legacy_personal.case_id = cases.id \
         WHERE cases.id > $1 ORDER BY cases.id LIMIT $2",
        "id",
    );
    loop {
        let rows = pages.next(conn).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let case: Case = serde_json::from_str(&crate::packed::column(r, "state")?)?;
            let id = case.id.0;
            let sealed = seal(keys, id, &case.personal_data())?;
            let stored = super::stored(&sealed)?;
            let mut kept = case.without_personal_data();
            kept.personal.digest = Some(sealed.digest.clone());
            let [name, phone, id_number] = tags(keys, &case.petitioner);
            sqlx::query(
                "INSERT INTO petitioners (case_id, sealed, digest, standing, changed_at) VALUES ($1, $2, $3, 'kept', $4) \
                 ON CONFLICT (case_id) DO UPDATE SET sealed = excluded.sealed, digest = excluded.digest",
            )
            .bind(id)
            .bind(stored.0)
            .bind(stored.1)
            .bind(now)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "UPDATE cases SET state = $1, name_tag = $2, phone_tag = $3, id_tag = $4 WHERE id = $5",
            )
            .bind(crate::packed::pack(&serde_json::to_string(&kept)?)?)
            .bind(name.unwrap_or_default())
            .bind(phone)
            .bind(id_number)
            .bind(id)
            .execute(&mut *conn)
            .await?;
            digests.insert(id, sealed.digest);
        }
    }
    Ok(digests)
}

/// The kinds of record that hold personal data, with where.
const RECORD_KINDS: &[(&str, &[&str])] = &[(Session::KIND, Session::PERSONAL)];

fn personal_paths(kind: &str) -> Option<&'static [&'static str]> {
    RECORD_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, p)| *p)
}

/// Seals the personal data of each listed record and rewrites its state without it.
async fn move_records(conn: &mut AnyConnection, keys: &Keyring) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT records.id AS id, records.kind AS kind, records.state AS state FROM records \
         JOIN legacy_record_personal ON legacy_record_personal.record_id = records.id ORDER BY records.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let (id, kind): (i64, String) = (r.try_get("id")?, r.try_get("kind")?);
        let Some(paths) = personal_paths(&kind) else {
            continue;
        };
        let (kept, taken) = fields::split(&r.try_get::<String, _>("state")?, paths)?;
        if taken.is_empty() {
            continue;
        }
        let (sealed, digest) = super::stored(&fields::seal(keys, id, taken)?)?;
        sqlx::query("INSERT INTO record_personal (record_id, sealed, digest) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(sealed)
            .bind(digest)
            .execute(&mut *conn)
            .await?;
        sqlx::query("UPDATE records SET state = $1 WHERE id = $2")
            .bind(kept)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Seals the address of every notice written before (bound to the notice's id).
async fn seal_outbox(conn: &mut AnyConnection, keys: &Keyring) -> Result<(), StoreError> {
    let mut pages = Pager::new(
        "SELECT id, recipient FROM outbox WHERE id > $1 ORDER BY id LIMIT $2",
        "id",
    );
    loop {
        let rows = pages.next(conn).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let recipient: String = r.try_get("recipient")?;
            if recipient.is_empty()
                || recipient.contains(':') && keys.open(&format!("outbox:{id}"), &recipient).is_ok()
            {
                continue;
            }
            sqlx::query("UPDATE outbox SET recipient = $1 WHERE id = $2")
                .bind(super::seal_recipient(keys, id, &recipient))
                .bind(id)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Verifies the chain as it stands and rewrites it with registrations that carry the digest
/// instead of the data.
async fn rechain(
    conn: &mut AnyConnection,
    backend: Backend,
    digests: &HashMap<i64, String>,
    now: i64,
) -> Result<(), StoreError> {
    set_append_only(conn, backend, false).await?;
    let (mut old_prev, mut new_prev) = (GENESIS.to_string(), GENESIS.to_string());
    let mut changed = 0u64;
    let mut pages = Pager::new(
        format!(
            "SELECT {} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
            crate::chain::EVENT_COLUMNS
        ),
        "seq",
    );
    let mut last_seq = 0i64;
    loop {
        let rows = pages.next(conn).await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let old = EventRow::from_row(r, old_prev.clone())?;
            if old.compute_hash() != old.hash {
                return Err(StoreError::Corrupt(format!(
                    "事件链在第 {} 号事件处不完整，不能迁移个人信息（请先用 xinfang verify 检查，并从备份恢复）",
                    old.seq
                )));
            }
            let mut new = old.clone();
            new.payload = without_personal(&old, digests)?;
            new.prev_hash = new_prev.clone();
            new.hash = new.compute_hash();
            if new.hash != old.hash {
                sqlx::query(
                    "UPDATE events SET payload = $1, hash = $2, legacy_hash = $3 WHERE seq = $4",
                )
                .bind(crate::packed::pack(&new.payload)?)
                .bind(crate::chain::hash_bytes(&new.hash)?)
                .bind(&old.hash)
                .bind(old.seq)
                .execute(&mut *conn)
                .await?;
                changed += 1;
            }
            last_seq = old.seq;
            old_prev = old.hash;
            new_prev = new.hash;
        }
    }
    set_append_only(conn, backend, true).await?;
    if changed > 0 {
        sqlx::query(
            "INSERT INTO chain_reanchors (at, last_seq, old_head, new_head, reason) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(now)
        .bind(last_seq)
        .bind(&old_prev)
        .bind(&new_prev)
        .bind("信访人个人信息移出事件日志（登记事件只保留摘要）")
        .execute(&mut *conn)
        .await?;
    }
    tracing::info!(events = changed, "事件链已重新计算");
    Ok(())
}

/// A registration's payload without the people (the digest in their place), a record's
/// without its personal values; others as they are.
fn without_personal(ev: &EventRow, digests: &HashMap<i64, String>) -> Result<String, StoreError> {
    if ev.case_id.is_none() && ev.payload.starts_with(r#"{"record":"#) {
        let mut v: serde_json::Value = serde_json::from_str(&ev.payload)?;
        let paths = v["kind"].as_str().and_then(personal_paths);
        return Ok(match paths {
            Some(paths) if !fields::take(&mut v["state"], paths).is_empty() => {
                serde_json::to_string(&v)?
            }
            _ => ev.payload.clone(),
        });
    }
    if ev.kind != "registered" {
        return Ok(ev.payload.clone());
    }
    let Event::Registered(case) = serde_json::from_str::<Event>(&ev.payload)? else {
        return Ok(ev.payload.clone());
    };
    let mut kept = case.without_personal_data();
    if kept == *case && case.personal.digest.is_some() {
        return Ok(ev.payload.clone());
    }
    kept.personal.digest = digests.get(&case.id.0).cloned();
    Ok(serde_json::to_string(&Event::Registered(Box::new(kept)))?)
}

/// Lifts or restores the database's refusal to change the log, for the re-chaining and a
/// repack only (a repack changes no text, so no hash).
pub(crate) async fn set_append_only(
    conn: &mut AnyConnection,
    backend: Backend,
    on: bool,
) -> Result<(), StoreError> {
    let statements: &[&str] = match (backend, on) {
        (Backend::Sqlite, false) => &[
            "DROP TRIGGER events_no_update",
            "DROP TRIGGER events_no_delete",
        ],
        (Backend::Sqlite, true) => &[
            "CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
            "CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END",
        ],
        (Backend::Postgres, false) => &["ALTER TABLE events DISABLE TRIGGER events_no_update"],
        (Backend::Postgres, true) => &["ALTER TABLE events ENABLE TRIGGER events_no_update"],
    };
    for s in statements {
        sqlx::query(AssertSqlSafe(*s)).execute(&mut *conn).await?;
    }
    Ok(())
}
