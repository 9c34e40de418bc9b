//! The text index follows the log on both databases: new cases, forwards, restarts and rebuilds;
//! so do the hot issues, which resume from their snapshot.

// Helpers unwrap: a test that cannot set itself up should fail at once.
#![allow(clippy::unwrap_used)]

use xinfang_domain::{Command, NewCase};
use xinfang_store::testing::{SmallCity, TestDb, letter, small_city};
use xinfang_store::{Settings, Store, Who, both_backends};
use xinfang_text::hot::{Filter, HotIssues};
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

    async fn searches_answer_at_once_during_a_large_rebuild_and_say_so(db: TestDb) {
        // A lost index of a large table is rebuilt batch by batch; meanwhile a search must not
        // wait for it (its freshness check says no at once), and once it is in, every case is
        // found. One case per batch makes sixty cases rebuild like a large table.
        let store = open(&db).await;
        let c = small_city(&store).await;
        let mut ids = Vec::new();
        for i in 0..60 {
            ids.push(register(&store, &c, &format!("讨要工资{i}"), "公司拖欠工资").await);
        }
        let dir = tempfile::tempdir().unwrap();
        let search = TextSearch::start_in_batches(store.clone(), CaseIndex::open(dir.path()).unwrap(), 1)
            .await
            .unwrap();
        let started = std::time::Instant::now();
        while !search.is_rebuilding() {
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "the rebuild never started");
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        // Not a speed target: outside a rebuild `fresh` waits up to 3 s for the index.
        let asked = std::time::Instant::now();
        assert!(!search.fresh().await, "during a rebuild a search is told the index is incomplete");
        assert!(asked.elapsed() < std::time::Duration::from_secs(2), "and is not kept waiting");
        while !search.fresh().await {
            assert!(started.elapsed() < std::time::Duration::from_secs(60), "the rebuild never ended");
        }
        assert!(!search.is_rebuilding());
        let page = search.cases(&c.registrar, "工资", 1, 100).await.unwrap();
        assert_eq!(page.total, 60);
        let mut hits: Vec<i64> = page.items.iter().map(|s| s.id).collect();
        hits.sort();
        ids.sort();
        assert_eq!(hits, ids);
    }
}

fn near_identical(i: usize) -> (String, String) {
    (
        "丽发新城附近搅拌站噪音粉尘扰民".to_string(),
        format!(
            "丽发新城小区旁边新建的搅拌站{}，粉尘和噪音严重影响居民休息，请求取缔。",
            ["日夜施工", "凌晨还在作业", "大车进出不断", "灰尘满天"][i % 4]
        ),
    )
}

/// The hot issues of the last 30 days as the registrar sees them: (group, cases), hottest first.
async fn hot_issues(hot: &HotIssues, store: &Store, c: &SmallCity) -> (Vec<(i64, u32)>, bool) {
    let today = store.clock().today();
    let answer = hot
        .issues(
            store,
            &Filter::for_actor(&c.registrar),
            today - chrono::Duration::days(29),
            today,
            10,
        )
        .await;
    (
        answer.items.iter().map(|i| (i.id, i.cases)).collect(),
        answer.complete,
    )
}

both_backends! {
    async fn hot_issues_resume_from_their_snapshot_and_set_aside_one_of_another_log(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        register(&store, &c, "拖欠农民工工资三个月", "建筑工地老板拖欠我们十二名农民工工资三个月共计八万元。").await;
        let mut planted = Vec::new();
        for i in 0..4 {
            let (t, body) = near_identical(i);
            planted.push(register(&store, &c, &t, &body).await);
        }
        register(&store, &c, "路灯损坏多日未修", "滨江路北段路灯损坏半个月了，晚上出行很不安全。").await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hot.snapshot");

        let first = HotIssues::start(store.clone(), Some(path.clone()));
        let (issues, complete) = hot_issues(&first, &store, &c).await;
        assert!(complete);
        assert_eq!(issues, vec![(planted[0], 4)]);
        assert_eq!(first.read_from_snapshot(), None, "nothing to read at the first start");
        // Kept at the end of grouping the history (and again when the server stops).
        first.save(&store).await.unwrap();
        let kept_at = store.head().await.unwrap().0;

        // A case committed after the snapshot: a restart reads the snapshot, then the log.
        let (t, body) = near_identical(5);
        let late = register(&store, &c, &t, &body).await;
        drop(first);
        let second = HotIssues::start(store.clone(), Some(path.clone()));
        let (issues, complete) = hot_issues(&second, &store, &c).await;
        assert!(complete);
        assert_eq!(issues, vec![(planted[0], 5)]);
        assert_eq!(second.read_from_snapshot(), Some(kept_at));
        assert_eq!(second.group_of(late), Some(planted[0]));
        assert_eq!(second.members(planted[0]).len(), 5);

        // Another database under the same path (a restored backup, a swapped file): its log
        // differs, so the snapshot is set aside and its own cases grouped.
        let other_db = TestDb::new(db.backend).await;
        let other = open(&other_db).await;
        let oc = small_city(&other).await;
        for _ in 0..8 {
            register(&other, &oc, "路灯损坏多日未修", "滨江路北段路灯损坏半个月了，晚上出行很不安全。").await;
        }
        let third = HotIssues::start(other.clone(), Some(path.clone()));
        let (issues, complete) = hot_issues(&third, &other, &oc).await;
        assert!(complete);
        assert_eq!(third.read_from_snapshot(), None);
        assert_eq!(issues.iter().map(|i| i.1).collect::<Vec<_>>(), vec![8]);

        // An unreadable snapshot is no obstacle either.
        std::fs::write(&path, b"not a snapshot").unwrap();
        let fourth = HotIssues::start(store.clone(), Some(path.clone()));
        let (issues, _) = hot_issues(&fourth, &store, &c).await;
        assert_eq!(issues, vec![(planted[0], 5)]);
        assert_eq!(fourth.read_from_snapshot(), None);
    }
}
