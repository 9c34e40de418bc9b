//! The single writer beside other writes (sessions, the outbox) on both databases: no batch is
//! refused because someone else wrote in between.

use xinfang_store::testing::{TEST_PASSWORD, letter, small_city};
use xinfang_store::{Settings, Store, Who, both_backends};

both_backends! {
    async fn sessions_written_beside_the_writer_never_make_it_refuse_a_batch(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let s = store.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..30 {
                    let (token, _) = xinfang_store::testing::login(&s, "registrar", TEST_PASSWORD).await;
                    s.logout(&token).await.unwrap();
                    s.purge_sessions().await.unwrap();
                }
            }));
        }
        for t in 0..8 {
            let (s, who) = (store.clone(), Who::Officer(c.registrar.clone()));
            let office = c.office;
            tasks.push(tokio::spawn(async move {
                for i in 0..40 {
                    let case = s.register(letter(&format!("事项{t}-{i}")), who.clone(), office).await.unwrap();
                    s.act(case.id, xinfang_domain::Command::Reject { reason: "不属于信访事项".into() }, who.clone()).await.unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(store.health().refused_batches(), 0, "{:?}", store.health().failing());
        assert!(matches!(store.verify_chain().await.unwrap(), xinfang_store::chain::Verdict::Intact { .. }));
    }
}
