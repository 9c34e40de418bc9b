//! Merge, split and link through the writer (#17): every case changed in one transaction, the
//! petitioners kept, the figures following, the chain intact; on both databases.

use chrono::Duration;
use xinfang_domain::command::Matter;
use xinfang_domain::metrics::Period;
use xinfang_domain::{CaseId, CaseStatus, Command};
use xinfang_store::testing::{letter, small_city};
use xinfang_store::{Settings, Store, StoreError, Who, both_backends};

both_backends! {
    async fn merged_split_and_linked_cases_are_written_together_and_counted_as_the_law_counts(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let who = Who::Officer(c.registrar.clone());
        let office_unit = c.office;
        let register = |title: &str, name: &str| {
            let mut new = letter(title);
            new.petitioner.name = name.into();
            let (store, who) = (store.clone(), who.clone());
            async move { store.register(new, who, office_unit).await.unwrap() }
        };
        let a = register("小区物业乱收费", "李四").await;
        let b = register("小区物业乱收费", "王五").await;
        let d = register("物业费和停车位问题", "赵六").await;
        let today = store.clock().today();
        let period = Period { from: today - Duration::days(1), to: today + Duration::days(1) };
        let office = |store: Store| async move {
            let f = store.assessment(period).await.unwrap();
            f.get(&office_unit).map(|c| (c.cases, c.people)).unwrap_or_default()
        };
        assert_eq!(office(store.clone()).await, (3, 3));

        // Merge: the duplicate closes into the survivor, its petitioner kept and told.
        let survivor = store
            .act(a.id, Command::Merge { duplicates: vec![b.id], reason: "同一事项重复来信".into() }, who.clone())
            .await
            .unwrap();
        assert_eq!(survivor.merged, vec![b.id]);
        let merged = store.case(b.id).await.unwrap().unwrap();
        assert_eq!(merged.status, CaseStatus::Merged);
        assert_eq!(merged.merged_into, Some(a.id));
        assert_eq!(merged.petitioner.name, "王五");
        let notices = store.notices_of(b.id.0).await.unwrap();
        assert!(notices.iter().any(|n| n.subject.contains("并案办理告知书")), "{notices:?}");
        assert_eq!(office(store.clone()).await, (2, 3), "件次 once, 人次 for both");

        // Refused steps write nothing: merging it again, a case that does not exist.
        let events = store.timeline(a.id).await.unwrap().len();
        let again = store
            .act(a.id, Command::Merge { duplicates: vec![b.id], reason: String::new() }, who.clone())
            .await;
        assert!(matches!(again, Err(StoreError::Domain(_))), "{again:?}");
        let missing = store
            .act(a.id, Command::Merge { duplicates: vec![CaseId(999_999)], reason: String::new() }, who.clone())
            .await;
        assert!(matches!(missing, Err(StoreError::NotFound(_))), "{missing:?}");
        assert_eq!(store.timeline(a.id).await.unwrap().len(), events);

        // Split: one case per matter, with the petition's dates and petitioner, each its own code.
        let matters = vec![
            Matter { title: "物业费".into(), content: "物业费上涨未经业主大会".into(), category: None },
            Matter { title: "停车位".into(), content: "小区停车位被外来车辆占用".into(), category: None },
        ];
        let split = store.act(d.id, Command::Split { matters }, who.clone()).await.unwrap();
        assert_eq!(split.status, CaseStatus::Split);
        assert_eq!(split.split_into.len(), 2);
        let mut codes = vec![d.query_code.clone()];
        for id in &split.split_into {
            let part = store.case(*id).await.unwrap().unwrap();
            assert_eq!(part.status, CaseStatus::Registered);
            assert_eq!(part.split_from, Some(d.id));
            assert_eq!(part.registered_on, d.registered_on);
            assert_eq!(part.petitioner.name, "赵六");
            assert!(!codes.contains(&part.query_code));
            codes.push(part.query_code.clone());
            // The petitioner is told each new case's code.
            let notices = store.notices_of(id.0).await.unwrap();
            assert!(notices.iter().any(|n| n.body.contains(&part.query_code)), "{notices:?}");
        }
        assert_eq!(office(store.clone()).await, (3, 4), "a split petition counts per matter");

        // Link: both ways, with the reason.
        let part = split.split_into[0];
        store
            .act(a.id, Command::Relate { case: part, reason: "同一小区物业".into() }, who.clone())
            .await
            .unwrap();
        let linked = store.case(part).await.unwrap().unwrap();
        assert_eq!(linked.related[0].case, a.id);
        assert_eq!(store.case(a.id).await.unwrap().unwrap().related[0].case, part);

        // The read models agree with the cases, and everything was logged.
        assert_eq!(store.assessment(period).await.unwrap(), store.assessment_recomputed(period).await.unwrap());
        assert!(matches!(store.verify_chain().await.unwrap(), xinfang_store::chain::Verdict::Intact { .. }));
        drop(store);
        let reopened = Store::open(&db.url, Settings::default()).await.unwrap();
        assert_eq!(reopened.case(b.id).await.unwrap().unwrap().merged_into, Some(a.id));
        assert_eq!(office(reopened.clone()).await, (3, 4));
    }
}
