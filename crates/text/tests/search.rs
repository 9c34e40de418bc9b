//! The text index follows the log on both databases: new cases, forwards, restarts and rebuilds.

// Helpers unwrap: a test that cannot set itself up should fail at once.
#![allow(clippy::unwrap_used)]

use xinfang_domain::{Command, NewCase};
use xinfang_store::testing::{SmallCity, TestDb, letter, small_city};
use xinfang_store::{Settings, Store, Who, both_backends};
use xinfang_text::{CaseIndex, TextSearch};

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url, Settings::default())
        .await
        .expect("open store")
}

fn petition(title: &str, content: &str) -> NewCase {
    NewCase {
        content: content.into(),
        ..letter(title)
    }
}

async fn register(store: &Store, c: &SmallCity, title: &str, content: &str) -> i64 {
    store
        .register(
            petition(title, content),
            Who::Officer(c.registrar.clone()),
            c.office,
        )
        .await
        .unwrap()
        .id
        .0
}

async fn found(search: &TextSearch, actor: &xinfang_domain::Actor, q: &str) -> Vec<i64> {
    search
        .cases(actor, q, 1, 50)
        .await
        .unwrap()
        .items
        .iter()
        .map(|s| s.id)
        .collect()
}

both_backends! {
    async fn search_follows_registrations_and_forwards(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let dir = tempfile::tempdir().unwrap();
        let search = TextSearch::start(store.clone(), CaseIndex::open(dir.path()).unwrap()).await.unwrap();
        let wages = register(&store, &c, "讨要工资", "某建筑公司拖欠农民工工资三个月未发").await;
        let noise = register(&store, &c, "夜间施工噪音扰民", "工地夜间施工，噪音很大").await;
        let both = register(&store, &c, "物业问题", "物业拖欠保洁工资，夜间噪音").await;

        // Read your writes: the search waits for the index to take in what was just committed.
        assert_eq!(found(&search, &c.registrar, "拖欠工资").await.len(), 2);
        assert_eq!(found(&search, &c.registrar, "工资 噪音").await, vec![both]);
        assert_eq!(found(&search, &c.registrar, "施工噪音").await[0], noise, "title hits rank first");
        assert!(found(&search, &c.registrar, "拆迁补偿").await.is_empty());
        assert!(found(&search, &c.registrar, "，。").await.is_empty());

        // The department sees a case only once it is forwarded there; another town never does.
        assert!(found(&search, &c.dept_handler, "工资").await.is_empty());
        store.act(xinfang_domain::CaseId(wages), Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        assert_eq!(found(&search, &c.dept_handler, "工资").await, vec![wages]);
        assert!(found(&search, &c.other_town_handler, "工资").await.is_empty());
        assert_eq!(found(&search, &c.admin, "工资").await.len(), 2);

        // Paging: one per page, totals over all pages.
        let p2 = search.cases(&c.registrar, "工资", 2, 1).await.unwrap();
        assert_eq!((p2.items.len(), p2.total, p2.page), (1, 2, 2));
    }

    async fn the_index_catches_up_after_a_restart_and_rebuilds_when_lost(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        let first = register(&store, &c, "讨要工资", "拖欠工资").await;
        {
            let search = TextSearch::start(store.clone(), CaseIndex::open(&path).unwrap()).await.unwrap();
            assert_eq!(found(&search, &c.registrar, "工资").await, vec![first]);
        }
        // Give the old follower a moment to let go of the index's writer lock.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        // Written while no index was following.
        let second = register(&store, &c, "再次讨要工资", "仍然拖欠工资").await;
        let index = loop {
            match CaseIndex::open(&path) {
                Ok(i) => break i,
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        };
        let search = TextSearch::start(store.clone(), index).await.unwrap();
        let mut hits = found(&search, &c.registrar, "工资").await;
        hits.sort();
        assert_eq!(hits, vec![first, second]);

        // A lost index is rebuilt from the database.
        let fresh_dir = tempfile::tempdir().unwrap();
        let rebuilt = TextSearch::start(store.clone(), CaseIndex::open(fresh_dir.path()).unwrap()).await.unwrap();
        let mut hits = found(&rebuilt, &c.registrar, "工资").await;
        hits.sort();
        assert_eq!(hits, vec![first, second]);
        assert_eq!(rebuilt.indexed(), *store.committed().borrow());
    }
}
