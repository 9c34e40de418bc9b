//! `xinfang repack`: packing the case states and event payloads written before packing
//! (migration 0029 kept their JSON text as it was). Page by page, each page in a transaction
//! holding the writer's lock, so servers may keep running; a row keeps its text, so every hash
//! of the log stays valid.

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::{Backend, Store, StoreError, packed};

/// What a repack packed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Repacked {
    pub cases: u64,
    pub events: u64,
}

/// The packed columns: table, key and column.
const PACKED: [(&str, &str, &str); 2] = [("cases", "id", "state"), ("events", "seq", "payload")];

const PAGE: i64 = 5_000;

impl Store {
    /// Packs every row kept as text; `progress` counts the rows read.
    pub async fn repack(&self, progress: &AtomicU64) -> Result<Repacked, StoreError> {
        let mut done = Repacked::default();
        for (table, key, column) in PACKED {
            let mut after = 0i64;
            loop {
                let mut conn = self.pool.acquire().await?;
                crate::writer::begin_writing(&mut conn, self.backend).await?;
                let page = repack_page(&mut conn, self.backend, (table, key, column), after).await;
                let (read, last, packed) = crate::writer::end_writing(&mut conn, page).await?;
                progress.fetch_add(read, Ordering::Relaxed);
                match table {
                    "cases" => done.cases += packed,
                    _ => done.events += packed,
                }
                match last {
                    Some(last) => after = last,
                    None => break,
                }
            }
        }
        Ok(done)
    }
}

/// One page after key `after`: the rows read, the last key (none at the end) and the rows packed.
async fn repack_page(
    conn: &mut AnyConnection,
    backend: Backend,
    (table, key, column): (&str, &str, &str),
    after: i64,
) -> Result<(u64, Option<i64>, u64), StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {key} AS k, {column} AS v FROM {table} WHERE {key} > $1 ORDER BY {key} LIMIT $2"
    )))
    .bind(after)
    .bind(PAGE)
    .fetch_all(&mut *conn)
    .await?;
    let Some(last) = rows.last().map(|r| r.try_get::<i64, _>("k")).transpose()? else {
        return Ok((0, None, 0));
    };
    let mut changes = Vec::new();
    for r in &rows {
        let bytes: Vec<u8> = r.try_get("v")?;
        if packed::is_packed(&bytes) {
            continue;
        }
        let new = packed::pack(&packed::unpack(bytes.clone())?)?;
        if new != bytes {
            changes.push((r.try_get::<i64, _>("k")?, new));
        }
    }
    let log = table == "events" && !changes.is_empty();
    if log {
        crate::personal::legacy::set_append_only(conn, backend, false).await?;
    }
    for (k, new) in &changes {
        sqlx::query(AssertSqlSafe(format!(
            "UPDATE {table} SET {column} = $1 WHERE {key} = $2"
        )))
        .bind(new.as_slice())
        .bind(k)
        .execute(&mut *conn)
        .await?;
    }
    if log {
        crate::personal::legacy::set_append_only(conn, backend, true).await?;
    }
    Ok((rows.len() as u64, Some(last), changes.len() as u64))
}
