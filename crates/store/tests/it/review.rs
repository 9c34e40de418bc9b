//! 案件评查 and 回访 on both databases: rules of who and when, and what they add to the handling
//! unit's figures (the same through the read model and the recomputation).

use chrono::Duration;
use xinfang_domain::metrics::Period;
use xinfang_domain::review::{Call, FollowUp, QualityReview, Review, Scores};
use xinfang_domain::{Actor, CaseId, Command, DomainError, Outcome, Rating};
use xinfang_store::testing::{letter, small_city};
use xinfang_store::{Settings, Store, StoreError, Who, both_backends};

async fn review_case(
    store: &Store,
    case_id: CaseId,
    scores: Scores,
    findings: &str,
    by: &Actor,
) -> Result<QualityReview, StoreError> {
    store
        .create::<QualityReview>(
            Review {
                case_id,
                scores,
                findings: findings.into(),
            },
            by,
        )
        .await
}

async fn follow_up(
    store: &Store,
    case_id: CaseId,
    reached: bool,
    resolved: bool,
    rating: Option<Rating>,
    note: &str,
    by: &Actor,
) -> Result<FollowUp, StoreError> {
    store
        .create::<FollowUp>(
            Call {
                case_id,
                reached,
                resolved,
                rating,
                note: note.into(),
            },
            by,
        )
        .await
}

both_backends! {
    async fn reviews_and_follow_ups_count_for_the_handling_unit(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let dept = || Who::Officer(c.dept_head.clone());
        let case = store.register(letter("物业乱收费"), reg(), c.office).await.unwrap();
        store.act(case.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        store.act(case.id, Command::Accept, dept()).await.unwrap();
        let scores = Scores { acceptance: 25, handling: 20, reply: 18, procedure: 22 };
        let open = review_case(&store, case.id, scores.clone(), "答复依据充分", &c.city_handler).await;
        assert!(matches!(open, Err(StoreError::Domain(DomainError::IllegalTransition { .. }))), "only closed cases are reviewed");
        let early = follow_up(&store, case.id, true, true, None, "x", &c.registrar).await;
        assert!(early.is_err(), "no follow-up before the reply");
        c.issue(&store, case.id, Command::Reply { outcome: Outcome::Support, text: "责令退还".into() }, dept()).await.unwrap();

        let f = follow_up(&store, case.id, true, true, Some(Rating::Satisfied), "已退还多收费用", &c.registrar).await.unwrap();
        assert!(f.resolved);
        let unreached = follow_up(&store, case.id, false, true, Some(Rating::Satisfied), "电话无人接听", &c.registrar).await.unwrap();
        assert!(!unreached.resolved && unreached.rating.is_none(), "an unreached call records no answer");
        store.clock().advance(Duration::days(40));
        store.close_lapsed().await.unwrap();
        let bad = Scores { reply: 26, ..scores.clone() };
        assert!(matches!(review_case(&store, case.id, bad, "x", &c.city_handler).await,
            Err(StoreError::Domain(DomainError::Invalid { field: "scores.reply", .. }))));
        // Another unit may not even name the case.
        assert!(matches!(review_case(&store, case.id, scores.clone(), "x", &c.town_handler).await,
            Err(StoreError::Domain(DomainError::NotFound(_)))));
        let r = review_case(&store, case.id, scores, "答复依据充分，送达及时", &c.city_handler).await.unwrap();
        assert_eq!((r.unit, r.scores.total()), (c.dept, 85));

        let all = Period { from: case.registered_on, to: store.clock().today() };
        let fast = store.assessment(all).await.unwrap();
        let d = fast[&c.dept];
        assert_eq!((d.reviewed, d.review_points, d.followed_up, d.follow_up_resolved), (1, 85, 1, 1));
        let rate = d.rates()[7];
        assert_eq!((rate.code, rate.numerator, rate.denominator), ("review_score", 85, 100));
        assert_eq!(fast, store.assessment_recomputed(all).await.unwrap());
        let (reviews, calls) = store.reviews_of(case.id).await.unwrap();
        assert_eq!((reviews.len(), calls.len()), (1, 2));
    }
}
