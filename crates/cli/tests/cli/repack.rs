//! `xinfang repack` through the binary: rows kept as JSON text are packed, the log stays intact.

use sqlx::Row;
use xinfang_store::testing::{letter, small_city};
use xinfang_store::{Settings, Store, Who};

use crate::{ok, remove_db, temp_db, xinfang};

#[tokio::test]
async fn repack_packs_a_case_kept_as_text_and_the_chain_holds() {
    let db = temp_db("repack");
    let url = format!("sqlite://{}", db.display());
    {
        let store = Store::open(&url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let case = store
            .register(
                letter("路灯不亮"),
                Who::Officer(c.registrar.clone()),
                c.office,
            )
            .await
            .unwrap();
        // As migration 0029 left a row written before it: its JSON text's bytes.
        let row = sqlx::query("SELECT state FROM cases WHERE id = $1")
            .bind(case.id.0)
            .fetch_one(store.pool())
            .await
            .unwrap();
        let text = xinfang_store::packed::unpack(row.try_get("state").unwrap()).unwrap();
        sqlx::query("UPDATE cases SET state = $1 WHERE id = $2")
            .bind(text.into_bytes())
            .bind(case.id.0)
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    }
    let printed = ok(&xinfang(&["repack", "--db", &url]));
    assert!(
        printed.contains("已压缩 1 个信访事项的状态和 0 个事件"),
        "{printed}"
    );
    assert!(ok(&xinfang(&["verify", "--db", &url])).contains("完好"));
    let again = ok(&xinfang(&["repack", "--db", &url]));
    assert!(
        again.contains("已压缩 0 个信访事项的状态和 0 个事件"),
        "{again}"
    );
    remove_db(&db);
}
