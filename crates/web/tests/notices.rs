//! Notices to petitioners on both databases: written with their event, delivered through an
//! HTTP SMS gateway (a real one on loopback), retried with backoff, shown on the case.

mod common;

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use common::spawn;
use serde_json::Value;
use xinfang_domain::{Command, Outcome};
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};
use xinfang_web::notify::{Sender, SmsGateway, deliver_due};

/// A gateway that refuses its first `fail` messages and records the rest.
async fn gateway(fail: usize) -> (String, Arc<Mutex<Vec<(String, Value)>>>) {
    let got: Arc<Mutex<Vec<(String, Value)>>> = Arc::default();
    let left = Arc::new(Mutex::new(fail));
    let (g, l) = (got.clone(), left.clone());
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |headers: HeaderMap, body: axum::Json<Value>| {
            let (g, l) = (g.clone(), l.clone());
            async move {
                let mut l = l.lock().unwrap();
                if *l > 0 {
                    *l -= 1;
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                let key = headers["idempotency-key"].to_str().unwrap().to_string();
                g.lock().unwrap().push((key, body.0));
                StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

both_backends! {
    async fn notices_are_written_with_their_event_and_delivered_once(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let (url, got) = gateway(1).await;
        let senders: Vec<Arc<dyn Sender>> = vec![Arc::new(SmsGateway::new(url, Some("t0ken".into())))];
        let case = app.store.register(letter("小区违建"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        let queued = app.store.notices_of(case.id.0).await.unwrap();
        assert_eq!(queued.len(), 1);
        assert!(queued[0].body.contains(&case.query_code) && queued[0].recipient == "13912345678");
        // Forwarding is internal: no notice. A refused command writes none either.
        app.store.act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        assert!(app.store.act(case.id, Command::Reply { outcome: Outcome::Support, text: "x".into() }, Who::Officer(c.dept_handler.clone())).await.is_err());
        assert_eq!(app.store.notices_of(case.id.0).await.unwrap().len(), 1);
        app.store.act(case.id, Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap();
        let notices = app.store.notices_of(case.id.0).await.unwrap();
        assert_eq!(notices.iter().map(|n| n.subject.ends_with("受理告知书")).collect::<Vec<_>>(), [false, true]);

        // First round: the gateway refuses the first message; it waits for its backoff.
        assert_eq!(deliver_due(&app.store, &senders).await.unwrap(), 2);
        let after = app.store.notices_of(case.id.0).await.unwrap();
        assert_eq!(after.iter().map(|n| n.status.as_str()).collect::<Vec<_>>(), ["pending", "sent"]);
        assert_eq!(after[0].attempts, 1);
        assert!(after[0].last_error.as_deref().unwrap().contains("503"));
        assert_eq!(deliver_due(&app.store, &senders).await.unwrap(), 0, "not due before the backoff");
        app.store.clock().advance(chrono::Duration::minutes(2));
        assert_eq!(deliver_due(&app.store, &senders).await.unwrap(), 1);
        assert_eq!(deliver_due(&app.store, &senders).await.unwrap(), 0, "never sent twice");
        let sent = got.lock().unwrap().clone();
        assert_eq!(sent.len(), 2);
        assert!(sent.iter().all(|(key, body)| key == &format!("xinfang-outbox-{}", body["id"]) && body["to"] == "13912345678"));
        assert!(app.store.notices_of(case.id.0).await.unwrap().iter().all(|n| n.status == "sent"));
    }
}
