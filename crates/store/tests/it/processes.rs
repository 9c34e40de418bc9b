//! Several server processes on one database, as three stores with pools, writers and caches of
//! their own (to the database they are three processes): one chain, the org chart and the
//! calendar followed, each supervision raised once, each notice claimed once.

use std::collections::HashSet;

use chrono::Duration;
use xinfang_domain::Command;
use xinfang_domain::supervision::Supervision;
use xinfang_store::chain::Verdict;
use xinfang_store::records::RecordQuery;
use xinfang_store::shared::Job;
use xinfang_store::testing::{TestDb, letter, small_city};
use xinfang_store::{Backend, Settings, Store, Who, both_backends};

async fn processes(db: &TestDb, n: usize, settings: &Settings) -> Vec<Store> {
    let mut out = Vec::new();
    for _ in 0..n {
        let mine = Settings {
            policy: settings.policy.clone(),
            calendar: settings.calendar.clone(),
            clock: settings.clock.clone(),
            personal_key: settings.personal_key.clone(),
            tracking_url: settings.tracking_url.clone(),
        };
        out.push(Store::open(&db.url, mine).await.unwrap());
    }
    out
}

both_backends! {
    async fn three_processes_write_one_chain_and_follow_each_other(db: TestDb) {
        let settings = Settings::default();
        let ps = processes(&db, 3, &settings).await;
        // The city is made through the first; the others learn it from the log.
        let c = small_city(&ps[0]).await;
        for p in &ps[1..] {
            assert!(p.org().get(c.dept).is_err(), "not seen before following");
            assert!(p.follow_log().await.unwrap(), "the log moved");
            assert!(p.org().get(c.dept).is_ok(), "the org chart followed");
            assert_eq!(*p.committed().borrow(), *ps[0].committed().borrow());
        }
        let mut tasks = Vec::new();
        for (i, p) in ps.iter().enumerate() {
            for t in 0..3 {
                let (p, who, office, dept) = (p.clone(), Who::Officer(c.registrar.clone()), c.office, c.dept);
                tasks.push(tokio::spawn(async move {
                    let mut kept = Vec::new();
                    for n in 0..25 {
                        let case = p.register(letter(&format!("进程{i}-{t}-{n}")), who.clone(), office).await.unwrap();
                        p.act(case.id, Command::Forward { to_unit: dept }, who.clone()).await.unwrap();
                        kept.push(case.id);
                    }
                    kept
                }));
            }
        }
        let mut kept = HashSet::new();
        for t in tasks {
            kept.extend(t.await.unwrap());
        }
        assert_eq!(kept.len(), 3 * 3 * 25, "every registration answered, none twice");
        for p in &ps {
            assert_eq!(p.health().refused_batches(), 0, "{:?}", p.health().failing());
        }
        assert!(matches!(ps[2].verify_chain().await.unwrap(), Verdict::Intact { .. }));
        for id in &kept {
            assert!(ps[1].case(*id).await.unwrap().is_some());
        }
        // A case registered in one process is acted on in another, against the current state.
        let case = ps[0].register(letter("跨进程"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        ps[1].act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        let again = ps[2].act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await;
        assert!(again.is_err(), "the second forward is judged against the state the first left");
        assert!(matches!(ps[0].verify_chain().await.unwrap(), Verdict::Intact { .. }));
        for p in &ps {
            p.close().await;
        }
    }

    async fn ids_reserved_for_an_import_are_never_registered(db: TestDb) {
        let settings = Settings::default();
        let ps = processes(&db, 2, &settings).await;
        let c = small_city(&ps[0]).await;
        let who = Who::Officer(c.registrar.clone());
        let before = ps[0].register(letter("之前"), who.clone(), c.office).await.unwrap();
        // One process reserves a block; the other, registering next, starts above it.
        let first = ps[1].reserve_case_ids(50, "旧台账.xlsx", Who::Officer(c.admin.clone())).await.unwrap();
        assert_eq!(first, before.id.0 + 1);
        let after = ps[0].register(letter("之后"), who.clone(), c.office).await.unwrap();
        assert_eq!(after.id.0, first + 50, "the block is skipped, nothing more");
        let next = ps[1].reserve_case_ids(10, "旧台账.xlsx", Who::Officer(c.admin.clone())).await.unwrap();
        assert_eq!(next, after.id.0 + 1);
        // Kept, and logged on the chain with who reserved.
        for p in &ps {
            p.close().await;
        }
        let reopened = Store::open(&db.url, Settings::default()).await.unwrap();
        let later = reopened.register(letter("重启后"), who.clone(), c.office).await.unwrap();
        assert_eq!(later.id.0, next + 10);
        assert!(matches!(reopened.verify_chain().await.unwrap(), Verdict::Intact { .. }));
        reopened.close().await;
    }

    async fn three_sweeping_processes_raise_each_supervision_once(db: TestDb) {
        let settings = Settings::default();
        let ps = processes(&db, 3, &settings).await;
        let c = small_city(&ps[0]).await;
        let who = Who::Officer(c.registrar.clone());
        for n in 0..20 {
            let case = ps[0].register(letter(&format!("逾期{n}")), who.clone(), c.office).await.unwrap();
            ps[0].act(case.id, Command::Forward { to_unit: c.dept }, who.clone()).await.unwrap();
        }
        // The processes share the clock as they share the wall clock.
        settings.clock.advance(Duration::days(16));
        let mut tasks = Vec::new();
        for p in &ps {
            let p = p.clone();
            tasks.push(tokio::spawn(async move {
                p.follow_log().await.unwrap();
                p.sweep_supervision().await.unwrap()
            }));
        }
        let mut raised = 0;
        for t in tasks {
            raised += t.await.unwrap();
        }
        assert_eq!(raised, 20, "each late case raised once, whichever process swept");
        let list = ps[1].list::<Supervision>(&RecordQuery { limit: 100, ..Default::default() }).await.unwrap();
        assert_eq!(list.len(), 20);
        for p in &ps {
            p.close().await;
        }
    }

    async fn three_delivering_processes_claim_each_notice_once(db: TestDb) {
        let settings = Settings::default();
        let ps = processes(&db, 3, &settings).await;
        let c = small_city(&ps[0]).await;
        let who = Who::Officer(c.registrar.clone());
        for n in 0..40 {
            // A letter with a mobile number: its registration queues an SMS notice.
            let case = ps[0].register(letter(&format!("通知{n}")), who.clone(), c.office).await.unwrap();
            ps[0].act(case.id, Command::Forward { to_unit: c.dept }, who.clone()).await.unwrap();
        }
        let mut tasks = Vec::new();
        for p in &ps {
            for _ in 0..2 {
                let p = p.clone();
                tasks.push(tokio::spawn(async move {
                    let mut mine = Vec::new();
                    loop {
                        let claimed = p.claim_notices(&["sms", "email"], 7).await.unwrap();
                        if claimed.is_empty() {
                            return mine;
                        }
                        for n in claimed {
                            p.notice_sent(n.id).await.unwrap();
                            mine.push(n.id);
                        }
                    }
                }));
            }
        }
        let mut sent = Vec::new();
        for t in tasks {
            sent.extend(t.await.unwrap());
        }
        let unique: HashSet<i64> = sent.iter().copied().collect();
        assert!(!sent.is_empty(), "the letters queued notices");
        assert_eq!(unique.len(), sent.len(), "no notice claimed twice");
        let pending = ps[0].claim_notices(&["sms", "email"], 1000).await.unwrap();
        assert!(pending.is_empty(), "every notice was sent");
        for p in &ps {
            p.close().await;
        }
    }

    async fn processes_share_secrets_redeemed_challenges_and_the_sweep(db: TestDb) {
        let ps = processes(&db, 2, &Settings::default()).await;
        let a = ps[0].shared_secret("proof_of_work").await.unwrap();
        assert_eq!(ps[1].shared_secret("proof_of_work").await.unwrap(), a, "one key for all");
        assert_ne!(ps[1].shared_secret("other").await.unwrap(), a);
        assert!(ps[0].redeem_challenge("c1", 100).await.unwrap());
        assert!(!ps[1].redeem_challenge("c1", 100).await.unwrap(), "taken at the other process");
        assert!(ps[1].redeem_challenge("c2", 200).await.unwrap());
        assert_eq!(ps[0].forget_challenges_before(150).await.unwrap(), 1);
        // While one process sweeps, another does not (PostgreSQL; SQLite has one process).
        let inner = ps[0]
            .exclusively(Job::Sweep, async { ps[1].exclusively(Job::Sweep, async { Ok(()) }).await })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(inner.is_none(), db.backend == Backend::Postgres);
        // Released afterwards.
        assert!(ps[1].exclusively(Job::Sweep, async { Ok(()) }).await.unwrap().is_some());
        for p in &ps {
            p.close().await;
        }
    }
}
