//! Backup and restore in a logical format that either database reads: every table that holds
//! what cannot be derived, one gzipped file of JSON lines each, read in one snapshot (SQLite's
//! read transaction in WAL mode, PostgreSQL's repeatable-read transaction) while the server
//! writes on, with a manifest of columns, row counts, checksums and the chain's head. A backup
//! of SQLite restores into PostgreSQL and back. The figures and the text index are derived and
//! are rebuilt after a restore; sessions and redeemed challenges are transient.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AssertSqlSafe, Row};

use crate::rows::{Param, insert_rows};
use crate::{Backend, Store, StoreError};

/// The format this build writes and reads.
pub const FORMAT: &str = "xinfang-backup/1";

/// Tables not carried: the migration ledger (the target has its own), what is transient (sessions,
/// one-time request keys that hold a day, import uploads that hold personal data for a week),
/// and the figures (summed again from the cases when the restored database is opened).
const SKIPPED: &[&str] = &[
    "_sqlx_migrations",
    "sessions",
    "writer_probe",
    "redeemed_challenges",
    "request_keys",
    "import_jobs",
    "unit_figures",
    "late_figures",
    "volume_figures",
    "case_facts",
    "fact_pairs",
    "read_models",
];

/// Tables a new database starts with rows in (defaults an administrator may change): not
/// counted when the target must be empty, and replaced by the backup's rows.
const SEEDED: &[&str] = &["search_synonyms"];

/// Tables other rows refer to, restored first (units before their children: ids grow).
const FIRST: &[&str] = &["units", "people"];

/// Rows per page read on backup.
const DUMP_PAGE: usize = 5_000;

/// Rows per insert batch on restore.
const RESTORE_BATCH: usize = 2_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    /// When the snapshot was taken (RFC 3339).
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub source: String,
    /// The last migration of the schema the rows come from.
    pub schema: i64,
    /// The chain's last event in the snapshot (0 and the genesis hash when empty).
    pub head_seq: i64,
    pub head_hash: String,
    pub tables: Vec<TableDump>,
    /// The attachment files copied beside the tables (filled by the caller that copies them).
    #[serde(default)]
    pub files: Option<FilesDump>,
    /// The ids of the keys the petitioner store's records are sealed under.
    #[serde(default)]
    pub personal_keys: Vec<String>,
    /// Whether the key file is in the backup (`personal.key`), or was left out on purpose and
    /// travels apart.
    #[serde(default)]
    pub keys_included: bool,
}

/// The key file inside a backup directory.
pub const KEY_FILE: &str = "personal.key";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableDump {
    pub name: String,
    pub columns: Vec<Column>,
    pub rows: u64,
    /// SHA-256 of the uncompressed JSON lines.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Column {
    pub name: String,
    /// An integer column (else text).
    pub int: bool,
    /// A binary column (the chain's hashes, packed JSON), written as hex text.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub bytes: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FilesDump {
    pub count: u64,
    pub bytes: u64,
}

/// What a restore wrote.
#[derive(Debug, Clone)]
pub struct Restored {
    pub rows: u64,
    pub manifest: Manifest,
}

impl Manifest {
    pub fn read(dir: &Path) -> Result<Manifest, StoreError> {
        let text = std::fs::read_to_string(dir.join("manifest.json")).map_err(|e| {
            StoreError::Config(format!("{}: 不是 xinfang 备份目录（{e}）", dir.display()))
        })?;
        let m: Manifest = serde_json::from_str(&text)?;
        if m.format != FORMAT {
            return Err(StoreError::Config(format!(
                "备份格式 {} 不受支持（本版本读取 {FORMAT}）",
                m.format
            )));
        }
        Ok(m)
    }

    pub fn write(&self, dir: &Path) -> Result<(), StoreError> {
        let tmp = dir.join("manifest.json.tmp");
        std::fs::write(&tmp, serde_json::to_string_pretty(self)?)?;
        // The manifest appears last and whole: a directory without one is no backup.
        std::fs::rename(tmp, dir.join("manifest.json"))?;
        Ok(())
    }

    /// Rows in every table.
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }
}

fn table_file(dir: &Path, table: &str) -> PathBuf {
    dir.join("tables").join(format!("{table}.jsonl.gz"))
}

/// The last migration this build knows.
fn known_schema(backend: Backend) -> i64 {
    let migrator = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    migrator.iter().map(|m| m.version).max().unwrap_or(0)
}

/// The tables to carry, in restore order, with their columns.
/// A table to carry: its columns and the single-column primary key it is read in pages by.
struct Table {
    name: String,
    columns: Vec<Column>,
    key: usize,
}

async fn tables(conn: &mut AnyConnection, backend: Backend) -> Result<Vec<Table>, StoreError> {
    let names_sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let mut names: Vec<String> = sqlx::query(names_sql)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>("name"))
        .collect::<Result<_, _>>()?;
    names.retain(|n| !SKIPPED.contains(&n.as_str()));
    names.sort_by_key(|n| {
        (
            FIRST.iter().position(|f| f == n).unwrap_or(FIRST.len()),
            n.clone(),
        )
    });
    let columns_sql = match backend {
        Backend::Sqlite => "SELECT name, type FROM pragma_table_info($1) ORDER BY cid",
        Backend::Postgres => {
            "SELECT CAST(column_name AS TEXT) AS name, CAST(data_type AS TEXT) AS type \
             FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 \
             ORDER BY ordinal_position"
        }
    };
    let mut out = Vec::new();
    for name in names {
        let mut columns = sqlx::query(columns_sql)
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| {
                let kind = r.try_get::<String, _>("type")?.to_uppercase();
                Ok(Column {
                    name: r.try_get("name")?,
                    int: kind.contains("INT"),
                    bytes: kind.contains("BLOB") || kind.contains("BYTEA"),
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        // By name, not in the table's order: the two databases may keep a table's columns in
        // different orders (SQLite puts a column whose type changed last), and the same rows make
        // the same backup on either.
        columns.sort_by(|a, b| a.name.cmp(&b.name));
        let key_sql = match backend {
            Backend::Sqlite => "SELECT name FROM pragma_table_info($1) WHERE pk > 0",
            Backend::Postgres => {
                "SELECT CAST(a.attname AS TEXT) AS name FROM pg_index i \
                 JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) \
                 WHERE i.indrelid = CAST($1 AS regclass) AND i.indisprimary"
            }
        };
        let keys: Vec<String> = sqlx::query(key_sql)
            .bind(&name)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| r.try_get("name"))
            .collect::<Result<_, _>>()?;
        let key = match keys.as_slice() {
            [k] => columns.iter().position(|c| &c.name == k),
            _ => None,
        }
        .ok_or_else(|| StoreError::Config(format!("表 {name} 没有单列主键，无法分页备份")))?;
        out.push(Table { name, columns, key });
    }
    Ok(out)
}

/// Names are the database's own (from its catalogue), quoted all the same.
fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

impl Store {
    /// Writes a backup of the database into `dir` (created; an existing backup there is
    /// replaced table by table) from one snapshot, while the server goes on writing. The key
    /// file of the petitioner store goes with it unless `with_keys` is false (then it must
    /// travel apart: `restore` takes it back). `rows` counts the rows written, for a progress bar.
    pub async fn backup(
        &self,
        dir: &Path,
        with_keys: bool,
        rows: &AtomicU64,
    ) -> Result<Manifest, StoreError> {
        std::fs::create_dir_all(dir.join("tables"))?;
        let key_file = dir.join(KEY_FILE);
        let _ = std::fs::remove_file(&key_file);
        if with_keys {
            self.keys.save(&key_file)?;
        }
        let mut conn = self.pool.acquire().await?;
        match self.backend {
            Backend::Sqlite => sqlx::query("BEGIN").execute(&mut *conn).await?,
            Backend::Postgres => {
                sqlx::query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *conn)
                    .await?
            }
        };
        let result = self.dump(&mut conn, dir, rows).await;
        let _ = sqlx::query("COMMIT").execute(&mut *conn).await;
        let mut m = result?;
        m.personal_keys = self.keys.ids();
        m.keys_included = with_keys;
        Ok(m)
    }

    async fn dump(
        &self,
        conn: &mut AnyConnection,
        dir: &Path,
        progress: &AtomicU64,
    ) -> Result<Manifest, StoreError> {
        // The first read fixes the snapshot: the head and every table below come from it.
        let (head_seq, head_hash) = crate::chain::head(&mut *conn).await?;
        let schema: i64 = sqlx::query("SELECT MAX(version) AS v FROM _sqlx_migrations")
            .fetch_one(&mut *conn)
            .await?
            .try_get::<Option<i64>, _>("v")?
            .unwrap_or(0);
        let mut dumps = Vec::new();
        for Table {
            name: table,
            columns,
            key,
        } in tables(conn, self.backend).await?
        {
            let select = columns
                .iter()
                .map(|c| {
                    let q = quoted(&c.name);
                    if c.int {
                        format!("CAST({q} AS BIGINT) AS {q}")
                    } else {
                        q
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            // The key qualified by its table: bare, it would name the CAST in the select list,
            // and ordering by that expression sorts the whole rest of the table for each page.
            let from = quoted(&table);
            let by = format!("{from}.{}", quoted(&columns[key].name));
            let path = table_file(dir, &table);
            let tmp = path.with_extension("tmp");
            let mut out = GzEncoder::new(
                BufWriter::new(std::fs::File::create(&tmp)?),
                Compression::fast(),
            );
            let mut hash = Sha256::new();
            let mut rows = 0u64;
            // In pages by the primary key, inside the snapshot: memory stays bounded whatever
            // the table's size.
            let mut after: Option<serde_json::Value> = None;
            loop {
                let sql = match after {
                    None => format!("SELECT {select} FROM {from} ORDER BY {by} LIMIT {DUMP_PAGE}"),
                    Some(_) => format!(
                        "SELECT {select} FROM {from} WHERE {by} > $1 ORDER BY {by} LIMIT {DUMP_PAGE}"
                    ),
                };
                let mut q = sqlx::query(AssertSqlSafe(sql));
                match &after {
                    Some(serde_json::Value::Number(n)) => q = q.bind(n.as_i64()),
                    Some(v) => q = q.bind(v.as_str().map(str::to_string)),
                    None => {}
                }
                let page = q.fetch_all(&mut *conn).await?;
                for row in &page {
                    let mut values = Vec::with_capacity(columns.len());
                    for (i, c) in columns.iter().enumerate() {
                        values.push(if c.int {
                            row.try_get::<Option<i64>, _>(i)?
                                .map_or(serde_json::Value::Null, Into::into)
                        } else if c.bytes {
                            row.try_get::<Option<Vec<u8>>, _>(i)?
                                .map_or(serde_json::Value::Null, |b| hex::encode(b).into())
                        } else {
                            row.try_get::<Option<String>, _>(i)?
                                .map_or(serde_json::Value::Null, Into::into)
                        });
                    }
                    let mut line = serde_json::to_vec(&values)?;
                    line.push(b'\n');
                    hash.update(&line);
                    out.write_all(&line)?;
                    rows += 1;
                    after = values.into_iter().nth(key);
                }
                progress.fetch_add(page.len() as u64, Ordering::Relaxed);
                if page.len() < DUMP_PAGE {
                    break;
                }
            }
            out.finish()?
                .into_inner()
                .map_err(|e| e.into_error())?
                .sync_all()?;
            std::fs::rename(&tmp, &path)?;
            dumps.push(TableDump {
                name: table,
                columns,
                rows,
                sha256: hex::encode(hash.finalize()),
            });
        }
        Ok(Manifest {
            format: FORMAT.into(),
            created_at: chrono::Utc::now().to_rfc3339(),
            source: match self.backend {
                Backend::Sqlite => "sqlite".into(),
                Backend::Postgres => "postgres".into(),
            },
            schema,
            head_seq,
            head_hash,
            tables: dumps,
            files: None,
            personal_keys: Vec::new(),
            keys_included: false,
        })
    }
}

/// The lines of a table's file, checked against the manifest as they are read.
fn lines(
    dir: &Path,
    t: &TableDump,
) -> Result<impl Iterator<Item = std::io::Result<String>>, StoreError> {
    let file = std::fs::File::open(table_file(dir, &t.name))
        .map_err(|e| StoreError::Corrupt(format!("备份缺少表 {} 的文件：{e}", t.name)))?;
    Ok(BufReader::new(GzDecoder::new(BufReader::new(file))).lines())
}

/// Reads every table file once and compares rows and checksums with the manifest: a damaged or
/// incomplete backup is refused before anything is written. `progress` counts the rows read.
pub fn check(dir: &Path, m: &Manifest, progress: &AtomicU64) -> Result<(), StoreError> {
    for t in &m.tables {
        let mut hash = Sha256::new();
        let mut rows = 0u64;
        for line in lines(dir, t)? {
            let line = line
                .map_err(|e| StoreError::Corrupt(format!("表 {} 的备份文件已损坏：{e}", t.name)))?;
            hash.update(line.as_bytes());
            hash.update(b"\n");
            rows += 1;
            if rows.is_multiple_of(10_000) {
                progress.fetch_add(10_000, Ordering::Relaxed);
            }
        }
        progress.fetch_add(rows % 10_000, Ordering::Relaxed);
        if rows != t.rows || hex::encode(hash.finalize()) != t.sha256 {
            return Err(StoreError::Corrupt(format!(
                "表 {} 的备份文件与清单不符（清单 {} 行，文件 {rows} 行），备份不可用",
                t.name, t.rows
            )));
        }
    }
    Ok(())
}

/// Restores the backup in `dir` into the empty database at `url` (created and migrated if
/// needed), in one transaction: all or nothing. Open the database afterwards to sum the figures
/// and check the chain. `progress` counts each row twice, when it is checked and when it is
/// written (of [`Manifest::rows`] × 2).
pub async fn restore(
    url: &str,
    dir: &Path,
    keys: Option<&Path>,
    target_key: &crate::personal::KeySource,
    progress: &AtomicU64,
) -> Result<Restored, StoreError> {
    let m = Manifest::read(dir)?;
    check(dir, &m, progress)?;
    let (backend, normal_url, pool) = crate::connect(url).await?;
    place_keys(&m, dir, keys, target_key, backend, &normal_url)?;
    if m.schema > known_schema(backend) {
        return Err(StoreError::Config(format!(
            "备份来自更新的版本（数据库结构 {}，本版本 {}），请用新版本恢复",
            m.schema,
            known_schema(backend)
        )));
    }
    crate::migrate(&pool, backend).await?;
    let mut conn = pool.acquire().await?;
    let target: std::collections::HashMap<String, Vec<Column>> = tables(&mut conn, backend)
        .await?
        .into_iter()
        .map(|t| (t.name, t.columns))
        .collect();
    for t in &m.tables {
        let Some(columns) = target.get(&t.name) else {
            return Err(StoreError::Config(format!("目标数据库没有表 {}", t.name)));
        };
        if let Some(c) = t.columns.iter().find(|c| {
            !dropped(&t.name, &c.name, m.schema)
                && !columns
                    .iter()
                    .any(|k| k.name == renamed(&t.name, &c.name, m.schema))
        }) {
            return Err(StoreError::Config(format!(
                "目标数据库的表 {} 没有列 {}",
                t.name, c.name
            )));
        }
        let n: i64 = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {}",
            quoted(&t.name)
        )))
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
        if n > 0 && !SEEDED.contains(&t.name.as_str()) {
            return Err(StoreError::Config(format!(
                "目标数据库不是空的（表 {} 已有 {n} 行）：只能恢复到新数据库",
                t.name
            )));
        }
    }
    crate::writer::begin_writing(&mut conn, backend).await?;
    let loaded = load(&mut conn, backend, dir, &m, &target, progress).await;
    let rows = crate::writer::end_writing(&mut conn, loaded).await?;
    drop(conn);
    pool.close().await;
    Ok(Restored { rows, manifest: m })
}

async fn load(
    conn: &mut AnyConnection,
    backend: Backend,
    dir: &Path,
    m: &Manifest,
    target: &std::collections::HashMap<String, Vec<Column>>,
    progress: &AtomicU64,
) -> Result<u64, StoreError> {
    let mut total = 0u64;
    for t in &m.tables {
        if SEEDED.contains(&t.name.as_str()) {
            sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", quoted(&t.name))))
                .execute(&mut *conn)
                .await?;
        }
        // Each backup column's name in this schema and whether the target keeps it as bytes
        // (see `param` for a column that was text); `None` for a column this schema dropped.
        let into: Vec<Option<(&str, bool)>> = t
            .columns
            .iter()
            .map(|c| {
                if dropped(&t.name, &c.name, m.schema) {
                    return None;
                }
                let name = renamed(&t.name, &c.name, m.schema);
                let bytes = target
                    .get(&t.name)
                    .and_then(|cs| cs.iter().find(|k| k.name == name))
                    .is_some_and(|k| k.bytes);
                Some((name, bytes))
            })
            .collect();
        let names: Vec<String> = into.iter().flatten().map(|(n, _)| quoted(n)).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut batch: Vec<Vec<Param>> = Vec::with_capacity(RESTORE_BATCH);
        for line in lines(dir, t)? {
            let line = line?;
            let values: Vec<serde_json::Value> = serde_json::from_str(&line)?;
            if values.len() != t.columns.len() {
                return Err(StoreError::Corrupt(format!("表 {} 的一行列数不符", t.name)));
            }
            let row = values
                .into_iter()
                .zip(&t.columns)
                .zip(&into)
                .filter_map(|((v, c), into)| into.map(|(_, bytes)| param(v, c, bytes, &t.name)))
                .collect::<Result<Vec<_>, _>>()?;
            batch.push(row);
            if batch.len() == RESTORE_BATCH {
                total += batch.len() as u64;
                progress.fetch_add(batch.len() as u64, Ordering::Relaxed);
                insert_rows(
                    conn,
                    backend,
                    &quoted(&t.name),
                    &names,
                    std::mem::take(&mut batch),
                    "",
                )
                .await?;
            }
        }
        total += batch.len() as u64;
        progress.fetch_add(batch.len() as u64, Ordering::Relaxed);
        insert_rows(conn, backend, &quoted(&t.name), &names, batch, "").await?;
    }
    // A backup from before the petitioner store: its cases move into it when the database is
    // first opened with its key.
    if m.schema < PETITIONER_STORE_SCHEMA {
        sqlx::query("INSERT INTO legacy_personal (case_id) SELECT id FROM cases")
            .execute(&mut *conn)
            .await?;
    }
    Ok(total)
}

/// The migration that moved personal data into the petitioner store.
const PETITIONER_STORE_SCHEMA: i64 = 12;

/// The migration after which events no longer repeat the previous event's hash.
const BINARY_HASHES_SCHEMA: i64 = 28;

/// The bytes of a value an older schema kept as text in a column now binary: the chain's hashes
/// (before schema 28), sealed personal data and its digests (30) and the look-up tags (31) were
/// hex, sealed values with a colon after the key's id; JSON (29) is its own bytes, which read as
/// they are.
fn text_as_bytes(table: &str, column: &str, text: String) -> Option<Vec<u8>> {
    match (table, column) {
        ("events", "hash") | ("petitioners" | "record_personal", "digest") => {
            hex::decode(text).ok()
        }
        // Before schema 12 the columns held the names and numbers themselves, which the move
        // into the petitioner store replaces by their tags.
        ("cases", "name_tag" | "phone_tag" | "id_tag") => {
            Some(hex::decode(&text).unwrap_or_else(|_| text.into_bytes()))
        }
        ("petitioners" | "record_personal", "sealed") => {
            hex::decode(text.replacen(':', "", 1)).ok()
        }
        _ => Some(text.into_bytes()),
    }
}

/// A column a backup of an older schema holds and this one dropped: its values are left out.
fn dropped(table: &str, column: &str, schema: i64) -> bool {
    table == "events" && column == "prev_hash" && schema < BINARY_HASHES_SCHEMA
}

/// A column's name in this schema, for rows of a backup from an older one.
fn renamed<'a>(table: &str, column: &'a str, schema: i64) -> &'a str {
    if table != "cases" || schema >= PETITIONER_STORE_SCHEMA {
        return column;
    }
    match column {
        "petitioner_name" => "name_tag",
        "petitioner_phone" => "phone_tag",
        "petitioner_id_number" => "id_tag",
        other => other,
    }
}

/// Puts the backup's key file (or the one given apart) where the restored database will look
/// for it, before anything is written; refuses when the records could not be read afterwards.
fn place_keys(
    m: &Manifest,
    dir: &Path,
    given: Option<&Path>,
    target: &crate::personal::KeySource,
    backend: Backend,
    url: &str,
) -> Result<(), StoreError> {
    use crate::personal::{KeyAt, Keyring};
    let source = match given {
        Some(p) => Some(p.to_path_buf()),
        None => Some(dir.join(KEY_FILE)).filter(|p| p.exists()),
    };
    let keys = source
        .map(|p| {
            std::fs::read_to_string(&p)
                .map_err(|e| StoreError::Config(format!("读取密钥文件 {}：{e}", p.display())))
                .and_then(|t| Keyring::parse(&t))
        })
        .transpose()?;
    let lacking = |have: &[String]| {
        m.personal_keys
            .iter()
            .find(|id| !have.contains(id))
            .cloned()
    };
    let path = match target.at(backend, url) {
        KeyAt::File(path) => path,
        KeyAt::Given(h) => {
            let have = Keyring::from_hex(h)?.ids();
            return match lacking(&have) {
                Some(id) => Err(StoreError::Config(format!(
                    "所给个人信息密钥不是备份所用的密钥 {id}"
                ))),
                None => Ok(()),
            };
        }
    };
    if path.exists() {
        let existing = Keyring::parse(&std::fs::read_to_string(&path)?)?;
        if let Some(id) = lacking(&existing.ids()) {
            return Err(StoreError::Config(format!(
                "密钥文件 {} 已存在，但其中没有备份所用的密钥 {id}：请移走它或用 --personal-key 指定别的位置",
                path.display()
            )));
        }
        return Ok(());
    }
    match keys {
        Some(k) => {
            if let Some(id) = lacking(&k.ids()) {
                return Err(StoreError::Config(format!(
                    "所给密钥文件中没有备份所用的密钥 {id}"
                )));
            }
            k.save(&path)
        }
        None if m.personal_keys.is_empty() => Ok(()),
        None => Err(StoreError::Config(
            "备份不含个人信息密钥（备份时用了 --without-keys）：请用 --keys 指定单独保存的密钥文件"
                .into(),
        )),
    }
}

fn param(
    v: serde_json::Value,
    c: &Column,
    into_bytes: bool,
    table: &str,
) -> Result<Param, StoreError> {
    let bad = || StoreError::Corrupt(format!("表 {table} 列 {} 的值类型不符", c.name));
    if into_bytes && !c.int {
        return Ok(match v {
            serde_json::Value::Null => Param::OptBytes(None),
            serde_json::Value::String(s) if c.bytes => {
                Param::Bytes(hex::decode(&s).map_err(|_| bad())?)
            }
            serde_json::Value::String(s) => {
                Param::Bytes(text_as_bytes(table, &c.name, s).ok_or_else(bad)?)
            }
            _ => return Err(bad()),
        });
    }
    Ok(match (v, c.int) {
        (serde_json::Value::Null, true) => Param::OptInt(None),
        (serde_json::Value::Null, false) => Param::OptText(None),
        (serde_json::Value::Number(n), true) => Param::Int(n.as_i64().ok_or_else(bad)?),
        (serde_json::Value::String(s), false) => Param::Text(s),
        _ => return Err(bad()),
    })
}
