//! Two officers, one case, at the same moment, on both databases: of two commands drawn from
//! the same version exactly one is done; the other is refused as stale and writes nothing.
//! Without a version the second is judged against the state the first left.

use sqlx::Row;
use xinfang_domain::{Case, Command, DomainError, Outcome};
use xinfang_store::testing::{SmallCity, letter, small_city};
use xinfang_store::{Settings, Store, StoreError, Who, both_backends};

async fn events(store: &Store) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM events")
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

/// A case at the handling unit: forwarded, and accepted when `accepted`.
async fn at_unit(store: &Store, c: &SmallCity, accepted: bool) -> Case {
    let reg = Who::Officer(c.registrar.clone());
    let case = store
        .register(letter("噪音扰民"), reg.clone(), c.office)
        .await
        .unwrap();
    let case = store
        .act(case.id, Command::Forward { to_unit: c.dept }, reg)
        .await
        .unwrap();
    if !accepted {
        return case;
    }
    store
        .act(
            case.id,
            Command::Accept,
            Who::Officer(c.dept_handler.clone()),
        )
        .await
        .unwrap()
}

/// Runs both commands at once, drawn from `case`'s version; returns how many were done and the
/// refusals.
async fn race(
    store: &Store,
    case: &Case,
    a: (Who, Command),
    b: (Who, Command),
) -> (usize, Vec<StoreError>) {
    let before = events(store).await;
    let (s1, s2) = (store.clone(), store.clone());
    let (id, v) = (case.id, Some(case.version));
    let (r1, r2) = tokio::join!(
        tokio::spawn(async move { s1.act_drawn_from(id, a.1, a.0, v).await }),
        tokio::spawn(async move { s2.act_drawn_from(id, b.1, b.0, v).await }),
    );
    let mut done = 0;
    let mut refused = Vec::new();
    let mut winner = None;
    for r in [r1.unwrap(), r2.unwrap()] {
        match r {
            Ok(c) => {
                done += 1;
                winner = Some(c);
            }
            Err(e) => refused.push(e),
        }
    }
    // Only the winner's events were written.
    let winner = winner.expect("one command was done");
    let now = store.case(case.id).await.unwrap().unwrap();
    assert_eq!(now, winner, "the case is as the winner left it");
    assert_eq!(
        events(store).await - before,
        i64::from(now.version - case.version)
    );
    (done, refused)
}

fn stale(e: &StoreError) -> bool {
    matches!(e, StoreError::Domain(DomainError::Stale { .. }))
}

both_backends! {
    async fn of_two_commands_drawn_from_one_version_exactly_one_is_done(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let handler = || Who::Officer(c.dept_handler.clone());
        let head = || Who::Officer(c.dept_head.clone());
        let reply = |text: &str| Command::Reply { outcome: Outcome::Support, text: text.into() };

        // Accept and decline.
        let case = at_unit(&store, &c, false).await;
        let (done, refused) = race(&store, &case, (handler(), Command::Accept), (handler(), Command::Decline { reason: "不属于受理范围".into() })).await;
        assert_eq!((done, refused.len()), (1, 1));
        assert!(stale(&refused[0]), "{:?}", refused[0]);

        // Two replies.
        let case = at_unit(&store, &c, true).await;
        let (done, refused) = race(&store, &case, (handler(), reply("经核查，已责令整改。")), (head(), reply("经调查，诉求合理，予以支持。"))).await;
        assert_eq!((done, refused.len()), (1, 1));
        assert!(stale(&refused[0]));

        // An extension and a reply.
        let case = at_unit(&store, &c, true).await;
        let (done, refused) = race(&store, &case, (head(), Command::Extend { days: 20, reason: "需现场勘查".into() }), (handler(), reply("已办结。"))).await;
        assert_eq!((done, refused.len()), (1, 1));
        assert!(stale(&refused[0]));

        // The refused one is a message an officer can read.
        assert!(refused[0].to_string().contains("已有新的办理进展"), "{}", refused[0]);

        // Without a version the second command is judged against the state the first left.
        let case = at_unit(&store, &c, true).await;
        c.issue(&store, case.id, reply("已答复。"), handler()).await.unwrap();
        let again = store.act(case.id, reply("再次答复。"), head()).await.unwrap_err();
        assert!(matches!(again, StoreError::Domain(DomainError::IllegalTransition { .. })), "{again:?}");

        // A command drawn from the current version is done.
        let case = at_unit(&store, &c, false).await;
        let accepted = store.act_drawn_from(case.id, Command::Accept, handler(), Some(case.version)).await.unwrap();
        assert_eq!(accepted.version, case.version + 1);
        store.close().await;
    }
}
