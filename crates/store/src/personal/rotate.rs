//! Key rotation: every record and notice address re-encrypted under the keyring's current key,
//! the look-up tags computed again with it, and the older keys retired from the database. The
//! records' plaintext is kept byte for byte, so their digests in the log still match.

use sqlx::Row;

use super::{Pager, context, tags};
use crate::{Store, StoreError};

/// What a rotation re-encrypted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resealed {
    pub records: u64,
    pub notices: u64,
}

impl Store {
    /// Re-encrypts the petitioner store and the outbox under the current key, in one transaction
    /// holding the writer's lock (other processes wait). Run with the servers stopped: they
    /// keep the keyring they started with.
    pub async fn reseal_personal_data(&self) -> Result<Resealed, StoreError> {
        let keys = self.keys.clone();
        let mut conn = self.pool.acquire().await?;
        crate::writer::begin_writing(&mut conn, self.backend).await?;
        let result = async {
            let mut done = Resealed::default();
            let mut pages = Pager::new(
                "SELECT case_id, sealed, standing FROM petitioners \
                 WHERE sealed IS NOT NULL AND case_id > $1 ORDER BY case_id LIMIT $2",
                "case_id",
            );
            loop {
                let rows = pages.next(&mut conn).await?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    let id: i64 = r.try_get("case_id")?;
                    let sealed = super::sealed_column(r, "sealed")?.unwrap_or_default();
                    let plain = keys.open(&context(id), &sealed)?;
                    sqlx::query("UPDATE petitioners SET sealed = $1 WHERE case_id = $2")
                        .bind(super::sealed_bytes(&keys.seal(&context(id), &plain))?)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    if r.try_get::<String, _>("standing")? == "kept" {
                        let data: super::Plain = serde_json::from_slice(&plain)?;
                        let [name, phone, id_number] = tags(&keys, &data.data.petitioner);
                        sqlx::query(
                            "UPDATE cases SET name_tag = $1, phone_tag = $2, id_tag = $3 WHERE id = $4",
                        )
                        .bind(name.unwrap_or_default())
                        .bind(phone)
                        .bind(id_number)
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    }
                    done.records += 1;
                }
            }
            let mut pages = Pager::new(
                "SELECT id, recipient FROM outbox WHERE recipient <> '' AND id > $1 ORDER BY id LIMIT $2",
                "id",
            );
            loop {
                let rows = pages.next(&mut conn).await?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    let id: i64 = r.try_get("id")?;
                    let address = super::open_recipient(&keys, id, &r.try_get::<String, _>("recipient")?)?;
                    sqlx::query("UPDATE outbox SET recipient = $1 WHERE id = $2")
                        .bind(super::seal_recipient(&keys, id, &address))
                        .bind(id)
                        .execute(&mut *conn)
                        .await?;
                    done.notices += 1;
                }
            }
            sqlx::query("DELETE FROM personal_keys WHERE key_id <> $1")
                .bind(keys.current_id())
                .execute(&mut *conn)
                .await?;
            Ok::<_, StoreError>(done)
        }
        .await;
        crate::writer::end_writing(&mut conn, result).await
    }
}
