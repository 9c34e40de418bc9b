//! The personal-data key through the binary: rotated with every record re-encrypted and still
//! found; a backup made without it restores only with `--keys`.

use xinfang_domain::Petitioner;
use xinfang_store::read::CaseFilter;
use xinfang_store::testing::{TEST_PASSWORD, letter, login, small_city};
use xinfang_store::{Settings, Store, Who};

use crate::{ok, remove_db, said, temp_db, xinfang};

const PHONE: &str = "13800138000";

fn url(db: &std::path::Path) -> String {
    format!("sqlite://{}", db.display())
}

fn key_ids(db: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(format!("{}.key", db.display()))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(' ').next().unwrap().to_string())
        .collect()
}

/// The petitioner of the only case, and the cases found by its phone.
async fn read_back(db: &std::path::Path) -> (Petitioner, usize) {
    let store = Store::open(&url(db), Settings::default()).await.unwrap();
    let case = store
        .case(xinfang_domain::CaseId(1))
        .await
        .unwrap()
        .unwrap();
    let (_, registrar) = login(&store, "registrar", TEST_PASSWORD).await;
    let f = CaseFilter {
        petitioner_phone: Some(PHONE.into()),
        per_page: 10,
        ..Default::default()
    };
    let hits = store.list_cases(&registrar, &f).await.unwrap().items.len();
    store.close().await;
    (case.petitioner, hits)
}

#[tokio::test]
async fn the_key_rotates_and_a_backup_without_it_needs_it_back() {
    let db = temp_db("keys");
    {
        let store = Store::open(&url(&db), Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let mut l = letter("拖欠工资");
        l.petitioner.phone = Some(PHONE.into());
        store
            .register(l, Who::Officer(c.registrar.clone()), c.office)
            .await
            .unwrap();
        store.close().await;
    }
    let (person, hits) = read_back(&db).await;
    assert_eq!(hits, 1);
    let before = key_ids(&db);
    assert_eq!(before.len(), 1);

    let out = ok(&xinfang(&["rotate-key", "--db", &url(&db)]));
    assert!(
        out.contains("已轮换") && out.contains("1 条信访人记录"),
        "{out}"
    );
    let after = key_ids(&db);
    assert_eq!(after.len(), 1, "the old key is retired");
    assert_ne!(after, before);
    assert_eq!(
        read_back(&db).await,
        (person.clone(), 1),
        "read and found under the new key"
    );
    ok(&xinfang(&["verify", "--db", &url(&db)]));

    let work = tempfile::tempdir().unwrap();
    let dir = work.path().join("backup");
    let out = ok(&xinfang(&[
        "backup",
        "--db",
        &url(&db),
        "--to",
        dir.to_str().unwrap(),
        "--without-keys",
    ]));
    assert!(out.contains("--keys"), "{out}");
    assert!(!dir.join("personal.key").exists());
    let target = temp_db("keys_restored");
    let refused = xinfang(&[
        "restore",
        "--from",
        dir.to_str().unwrap(),
        "--db",
        &url(&target),
    ]);
    assert!(!refused.status.success());
    assert!(said(&refused).contains("--keys"), "{}", said(&refused));
    remove_db(&target);
    let key = format!("{}.key", db.display());
    ok(&xinfang(&[
        "restore",
        "--from",
        dir.to_str().unwrap(),
        "--db",
        &url(&target),
        "--keys",
        &key,
    ]));
    assert_eq!(read_back(&target).await, (person, 1));
    remove_db(&target);
    remove_db(&db);
}
