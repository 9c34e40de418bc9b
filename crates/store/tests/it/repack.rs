//! A repack packs what was kept as JSON text before packing, and changes nothing a reader sees.

use std::sync::atomic::AtomicU64;

use sqlx::{AssertSqlSafe, Row};
use xinfang_store::repack::Repacked;
use xinfang_store::testing::{forwarded_letters, small_city};
use xinfang_store::{Settings, Store, both_backends};

/// Every row's value of a packed column, as stored.
async fn stored(store: &Store, table: &str, column: &str) -> Vec<Vec<u8>> {
    sqlx::query(AssertSqlSafe(format!("SELECT {column} AS v FROM {table}")))
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("v").unwrap())
        .collect()
}

/// Rewrites the rows as migration 0029 left those written before it: their JSON text's bytes.
async fn as_before_packing(store: &Store) {
    let pool = store.pool();
    xinfang_store::testing::set_append_only(store, false).await;
    for (table, key, column) in [("cases", "id", "state"), ("events", "seq", "payload")] {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {key} AS k, {column} AS v FROM {table}"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        for r in rows {
            let text = xinfang_store::packed::unpack(r.try_get("v").unwrap()).unwrap();
            sqlx::query(AssertSqlSafe(format!(
                "UPDATE {table} SET {column} = $1 WHERE {key} = $2"
            )))
            .bind(text.into_bytes())
            .bind(r.try_get::<i64, _>("k").unwrap())
            .execute(pool)
            .await
            .unwrap();
        }
    }
    xinfang_store::testing::set_append_only(store, true).await;
}

both_backends! {
    async fn a_repack_packs_rows_kept_as_text_and_every_hash_and_case_stays(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let cases = forwarded_letters(&store, &c, &["路灯不亮", "拖欠工资", "噪音扰民"]).await;
        let verdict = store.verify_chain().await.unwrap();
        let packed_size = |values: Vec<Vec<u8>>| values.iter().map(Vec::len).sum::<usize>();
        let before = packed_size(stored(&store, "events", "payload").await);
        as_before_packing(&store).await;
        let as_text = stored(&store, "events", "payload").await;
        assert!(as_text.iter().all(|v| v.first() == Some(&b'{') || v.first() == Some(&b'"')));
        assert!(packed_size(as_text) > before);
        assert_eq!(store.verify_chain().await.unwrap(), verdict, "text rows read as they are");

        let done = store.repack(&AtomicU64::new(0)).await.unwrap();
        assert_eq!(done.cases, 3);
        assert!(done.events >= 6, "{done:?}");
        assert_eq!(packed_size(stored(&store, "events", "payload").await), before);
        assert!(stored(&store, "cases", "state").await.iter().all(|v| v[0] == 0x01));
        assert_eq!(store.verify_chain().await.unwrap(), verdict);
        for case in &cases {
            assert_eq!(&store.case(case.id).await.unwrap().unwrap(), case);
        }
        // The log is append-only again, and a second repack finds nothing to do.
        let refused = sqlx::query("UPDATE events SET kind = 'x'").execute(store.pool()).await;
        assert!(refused.is_err());
        assert_eq!(store.repack(&AtomicU64::new(0)).await.unwrap(), Repacked::default());
    }
}
