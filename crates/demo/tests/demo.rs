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

        // Its units behave differently, so that the figures have something to find.
        use sqlx::Row;
        let org = store.org();
        let unit = |name: &str| org.units().find(|u| u.name == name).unwrap().id;
        let of_kind = |kind| org.units().filter(move |u| u.kind == kind).map(|u| u.id);
        let counts = |u| fast.get(&u).copied().unwrap_or_default();
        let late_share = |u| {
            let c = counts(u);
            (c.done_late + c.accept_late) as f64 / (c.done_on_time + c.done_late + c.accept_on_time + c.accept_late).max(1) as f64
        };
        let late = unit("清河市自然资源局");
        for d in of_kind(xinfang_domain::UnitKind::Department).filter(|d| *d != late) {
            assert!(late_share(late) > late_share(d), "the late department is later than {d:?}: {} vs {}", late_share(late), late_share(d));
        }
        // … and rated lower: its 满意率 against all other departments' together.
        let others = of_kind(xinfang_domain::UnitKind::Department).filter(|d| *d != late).map(counts);
        let (satisfied, rated) = others.fold((0, 0), |(s, r), c| (s + c.satisfied, r + c.rated));
        let rate = |s: u64, r: u64| s as f64 / r.max(1) as f64;
        let (mine, theirs) = (rate(counts(late).satisfied, counts(late).rated), rate(satisfied, rated));
        assert!(counts(late).rated > 0 && mine + 0.1 < theirs, "the late department is rated lower: {mine} vs {theirs}");
        let objections = |u: xinfang_domain::UnitId| {
            let store = store.clone();
            async move {
                sqlx::query("SELECT COUNT(*) AS n FROM events WHERE kind = 'objected' AND unit_id = $1")
                    .bind(u.0)
                    .fetch_one(store.pool())
                    .await
                    .unwrap()
                    .try_get::<i64, _>("n")
                    .unwrap()
            }
        };
        let bouncing = unit("清河市城市管理局");
        let most = objections(bouncing).await;
        for d in of_kind(xinfang_domain::UnitKind::Department).filter(|d| *d != bouncing) {
            assert!(most > objections(d).await, "the bouncing department objects more than {d:?}");
        }
        let regions = store.volume(all, xinfang_store::stats::VolumeBy::Region).await.unwrap();
        let crowded = regions.get("西山镇").map_or(0, |v| v.collective);
        for (town, v) in regions.iter().filter(|(t, _)| t.as_str() != "西山镇") {
            assert!(crowded > v.collective, "西山镇 has more collective visits than {town}: {crowded} vs {}", v.collective);
        }
    }
}
