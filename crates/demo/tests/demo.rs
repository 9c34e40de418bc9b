//! The demo city is reproducible by seed and covers every channel and most states.

// Helpers unwrap: a test that cannot set itself up should fail at once.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use xinfang_domain::metrics::Period;
use xinfang_domain::vocab::{AccusedKind, PetitionClass};
use xinfang_domain::{CaseId, Channel};
use xinfang_store::chain::Verdict;
use xinfang_store::testing::TestDb;
use xinfang_store::{Backend, Settings, Store, both_backends};

async fn city(db: &TestDb, seed: u64) -> (Store, Vec<(String, String, String)>) {
    let store = Store::open(&db.url, Settings::default()).await.unwrap();
    let (city, report) = xinfang_demo::load(&store, 400, seed).await.unwrap();
    assert_eq!(report.cases, 400);
    assert!(
        city.accounts.len() >= 50 && city.accounts.len() <= 70,
        "about sixty people: {}",
        city.accounts.len()
    );
    let mut rows = Vec::new();
    for id in 1..=400 {
        let c = store.case(CaseId(id)).await.unwrap().unwrap();
        rows.push((
            c.title,
            c.status.code().to_string(),
            c.registered_on.to_string(),
        ));
    }
    (store, rows)
}

both_backends! {
    async fn the_demo_city_is_reproducible_and_lawful(db: TestDb) {
        let (store, first) = city(&db, 7).await;
        let other = TestDb::new(Backend::Sqlite).await;
        let (_, again) = city(&other, 7).await;
        assert_eq!(first, again, "same seed, same city");
        let third = TestDb::new(Backend::Sqlite).await;
        let (_, different) = city(&third, 8).await;
        assert_ne!(first, different);

        let org = store.org();
        assert_eq!(org.units().map(|u| u.depth()).max(), Some(4), "four levels of units");
        let statuses: BTreeSet<&str> = first.iter().map(|r| r.1.as_str()).collect();
        for s in ["registered", "handling", "replied", "closed", "redirected", "rejected"] {
            assert!(statuses.contains(s), "no {s} case among {statuses:?}");
        }
        let mut channels = BTreeSet::new();
        let mut classes = BTreeSet::new();
        let mut kinds = BTreeSet::new();
        for id in 1..=400 {
            let c = store.case(CaseId(id)).await.unwrap().unwrap();
            // A case's history runs forward: no step before the one it follows.
            let times: Vec<i64> = store.timeline(CaseId(id)).await.unwrap().iter().map(|e| e.at).collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "case {id}: {times:?}");
            channels.insert(c.channel);
            classes.insert(c.class);
            if c.is_report {
                kinds.insert(c.accused_kind);
            }
            assert_eq!(c.is_report, c.class == PetitionClass::Report);
        }
        assert_eq!(channels.len(), Channel::ALL.len(), "every channel appears");
        assert_eq!(classes.len(), PetitionClass::ALL.len(), "every class appears: {classes:?}");
        assert_eq!(kinds.len(), AccusedKind::ALL.len(), "reports accuse officials and others");
        assert!(matches!(store.verify_chain().await.unwrap(), Verdict::Intact { .. }));

        // The import keeps the assessment read models: they equal the figures recomputed.
        let today = store.clock().today();
        let all = Period { from: today - chrono::Duration::days(3650), to: today };
        let fast = store.assessment(all).await.unwrap();
        assert_eq!(fast.values().map(|c| c.cases).sum::<u64>(), 400);
        assert_eq!(fast, store.assessment_recomputed(all).await.unwrap());
        for by in [xinfang_store::stats::VolumeBy::Category, xinfang_store::stats::VolumeBy::Class] {
            assert_eq!(store.volume(all, by).await.unwrap(), store.volumes_recomputed(&[all], by).await.unwrap()[0]);
        }
    }
}
