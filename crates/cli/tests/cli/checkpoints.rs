//! Signed checkpoints against the database's own administrator, through the binary: a log
//! truncated (the append-only trigger dropped, the last events deleted) and a log rewritten
//! with every hash computed again both verify as a chain, and the checkpoints tell each; a
//! restore from backup writes its own checkpoint, and verify reports the events lost with it,
//! not tampering. A forged checkpoint is named.

use std::path::Path;

use sqlx::Connection;
use xinfang_store::{Settings, Store, Who};

use crate::{remove_db, said, temp_db, xinfang};

fn verify(db: &Path, dir: &Path, key: &Path) -> (i32, String) {
    let out = xinfang(&[
        "verify",
        "--db",
        &format!("sqlite://{}", db.display()),
        "--checkpoints",
        dir.to_str().unwrap(),
        "--public-key",
        key.to_str().unwrap(),
    ]);
    (out.status.code().unwrap(), said(&out))
}

fn checkpoint(db: &Path, dir: &Path, key: &Path) {
    checkpoint_to(db, dir, key, &[]);
}

/// `xinfang checkpoint` on `db` into `dir` with `key`, more flags after; must succeed.
fn checkpoint_to(db: &Path, dir: &Path, key: &Path, more: &[&str]) -> String {
    let out = run_checkpoint(db, dir, key, more);
    assert!(out.status.success(), "{}", said(&out));
    said(&out)
}

fn run_checkpoint(db: &Path, dir: &Path, key: &Path, more: &[&str]) -> std::process::Output {
    let url = format!("sqlite://{}", db.display());
    let mut args = vec![
        "checkpoint",
        "--db",
        &url,
        "--checkpoints",
        dir.to_str().unwrap(),
        "--checkpoint-key",
        key.to_str().unwrap(),
    ];
    args.extend_from_slice(more);
    xinfang(&args)
}

fn demo(db: &Path, cases: &str, seed: &str) {
    let url = format!("sqlite://{}", db.display());
    let out = xinfang(&["demo", "--db", &url, "--cases", cases, "--seed", seed]);
    assert!(out.status.success(), "{}", said(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_tell_truncation_rewriting_and_restore_apart() {
    let work = tempfile::tempdir().unwrap();
    let (dir, key) = (
        work.path().join("checkpoints"),
        work.path().join("checkpoint.key"),
    );
    let db = temp_db("checkpointed");
    demo(&db, "30", "2026");
    checkpoint(&db, &dir, &key);
    let (code, out) = verify(&db, &dir, &key);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("完好") && out.contains("检查点: 1 个与日志相符"),
        "{out}"
    );

    // A backup, then three more events and a second checkpoint.
    let backup = work.path().join("backup");
    let url = format!("sqlite://{}", db.display());
    let out = xinfang(&["backup", "--db", &url, "--to", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", said(&out));
    let store = Store::open(&url, Settings::default()).await.unwrap();
    for name in ["新区一", "新区二", "新区三"] {
        store
            .create_unit(
                None,
                name,
                xinfang_domain::UnitKind::Government,
                Who::System,
            )
            .await
            .unwrap();
    }
    store.close().await;
    // Also sent to the supervising level: the same signed JSON as the file.
    let (to, got) = crate::receiver().await;
    let out = checkpoint_to(&db, &dir, &key, &["--checkpoint-to", &to]);
    assert!(out.contains("已送达上级"), "{out}");
    let (idempotency, sent) = got.lock().unwrap().pop().expect("the receiver got it");
    let file = xinfang_store::checkpoint::read_dir(&dir)
        .unwrap()
        .pop()
        .unwrap()
        .1;
    assert_eq!(sent, serde_json::to_value(&file).unwrap());
    assert_eq!(idempotency, format!("{}-{}", file.at_ms, file.seq));
    let refused = run_checkpoint(
        &db,
        &dir,
        &key,
        &["--checkpoint-to", "http://127.0.0.1:9/in"],
    );
    assert!(
        !refused.status.success() && said(&refused).contains("未能送达上级"),
        "{}",
        said(&refused)
    );
    assert_eq!(verify(&db, &dir, &key).0, 0);

    // Truncated by someone with database rights: the chain alone still verifies.
    let truncated = temp_db("truncated");
    std::fs::copy(&db, &truncated).unwrap();
    // A copy of the database reads its personal data with the same key.
    std::fs::copy(
        format!("{}.key", db.display()),
        format!("{}.key", truncated.display()),
    )
    .unwrap();
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", truncated.display()))
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER events_no_delete")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM events WHERE seq > (SELECT MAX(seq) - 2 FROM events)")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let (code, out) = verify(&truncated, &dir, &key);
    assert!(out.contains("完好"), "the chain alone sees nothing: {out}");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("截断") && !out.contains("改写"), "{out}");

    // Rewritten: another log with every hash computed again.
    let rewritten = temp_db("rewritten");
    demo(&rewritten, "60", "7");
    let (code, out) = verify(&rewritten, &dir, &key);
    assert!(out.contains("完好"), "{out}");
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("改写") && !out.contains("截断"), "{out}");

    // Restored from the backup: its own checkpoint; the three events after it are lost, and
    // verify says so without calling it tampering.
    let restored = temp_db("restored");
    let out = xinfang(&[
        "restore",
        "--from",
        backup.to_str().unwrap(),
        "--db",
        &format!("sqlite://{}", restored.display()),
        "--checkpoints",
        dir.to_str().unwrap(),
        "--checkpoint-key",
        key.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", said(&out));
    let (code, out) = verify(&restored, &dir, &key);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("从备份恢复") && out.contains("3 个事件随之丢失"),
        "{out}"
    );

    // A checkpoint written with another key is named as forged.
    let other = work.path().join("other.key");
    let forged = work.path().join("forged");
    checkpoint(&db, &forged, &other);
    for entry in std::fs::read_dir(&forged).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
    }
    let (code, out) = verify(&db, &dir, &key);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("伪造"), "{out}");
    for db in [db, truncated, rewritten, restored] {
        remove_db(&db);
    }
}
