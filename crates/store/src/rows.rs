//! Writing rows with dynamic parameters, in multi-row statements that both databases accept.

use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AssertSqlSafe};

use crate::{Backend, StoreError};

/// Placeholders for multi-row statements. SQLite looks up every named or numbered parameter
/// (`$N`, `?N`) in a linear list, which makes a statement with thousands of them quadratic to
/// bind; anonymous `?` are bound by position at no cost. PostgreSQL only takes `$N`.
pub fn placeholder(backend: Backend, n: usize) -> String {
    match backend {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${n}"),
    }
}

#[derive(Debug, Clone)]
pub enum Param {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
    Bytes(Vec<u8>),
    OptBytes(Option<Vec<u8>>),
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Int(v)
    }
}
impl From<Option<i64>> for Param {
    fn from(v: Option<i64>) -> Self {
        Param::OptInt(v)
    }
}
impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}
impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_string())
    }
}
impl From<xinfang_domain::UnitPath> for Param {
    fn from(v: xinfang_domain::UnitPath) -> Self {
        Param::Text(v.into())
    }
}
impl From<Option<String>> for Param {
    fn from(v: Option<String>) -> Self {
        Param::OptText(v)
    }
}

pub fn bind(
    mut q: Query<'static, Any, AnyArguments>,
    params: Vec<Param>,
) -> Query<'static, Any, AnyArguments> {
    for p in params {
        q = match p {
            Param::Int(v) => q.bind(v),
            Param::OptInt(v) => q.bind(v),
            Param::Text(v) => q.bind(v),
            Param::OptText(v) => q.bind(v),
            Param::Bytes(v) => q.bind(v),
            Param::OptBytes(v) => q.bind(v),
        };
    }
    q
}

/// `(…), (…)`: a placeholder for each value of `rows` rows of `width` values.
fn tuples(backend: Backend, rows: usize, width: usize) -> String {
    let mut sql = String::new();
    let mut n = 0;
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for j in 0..width {
            n += 1;
            if j > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&placeholder(backend, n));
        }
        sql.push(')');
    }
    sql
}

/// `INSERT INTO table (cols) VALUES (…), (…) [suffix]` in chunks that stay under both databases' parameter limits.
pub async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Param>>,
    suffix: &str,
) -> Result<(), StoreError> {
    let width = columns.len();
    let columns = columns.join(", ");
    in_chunks(conn, backend, width, rows, |values| {
        format!("INSERT INTO {table} ({columns}) VALUES {values} {suffix}")
    })
    .await
}

/// `DELETE FROM table WHERE (cols) IN (VALUES (…), (…))`: the rows whose `columns` hold these
/// values, in chunks as [`insert_rows`].
pub async fn delete_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Param>>,
) -> Result<(), StoreError> {
    let width = columns.len();
    let columns = columns.join(", ");
    in_chunks(conn, backend, width, rows, |values| {
        format!("DELETE FROM {table} WHERE ({columns}) IN (VALUES {values})")
    })
    .await
}

/// Runs `statement(values)` for `rows` of `width` values each, `values` being their
/// `(…), (…)`, in chunks that stay under both databases' parameter limits.
async fn in_chunks(
    conn: &mut AnyConnection,
    backend: Backend,
    width: usize,
    rows: Vec<Vec<Param>>,
    statement: impl Fn(&str) -> String,
) -> Result<(), StoreError> {
    let per_chunk = (30_000 / width.max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Param>> = rows.by_ref().take(per_chunk).collect();
        debug_assert!(chunk.iter().all(|row| row.len() == width));
        let sql = statement(&tuples(backend, chunk.len(), width));
        let params = chunk.into_iter().flatten().collect();
        bind(sqlx::query(AssertSqlSafe(sql)), params)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
