//! Notices to petitioners on both databases: written with their event, delivered through an
//! HTTP SMS gateway (a real one on loopback), retried with backoff, shown on the case.

use std::sync::{Arc, Mutex};

use crate::common::spawn;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use xinfang_adapters::notify::{Sender, SmsGateway, deliver_due};
use xinfang_domain::{Command, Outcome};
use xinfang_store::testing::letter;
use xinfang_store::{Who, both_backends};

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
        let senders: Vec<Arc<dyn Sender>> = vec![Arc::new(SmsGateway::new(url, Some("t0ken".into()), &Default::default()).unwrap())];
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

/// A minimal SMTP server: accepts every message and keeps its envelope recipient and data.
async fn smtp_server() -> (String, Arc<Mutex<Vec<(String, String)>>>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let g = got.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let g = g.clone();
            tokio::spawn(async move {
                let (r, mut w) = socket.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 test ESMTP\r\n").await.unwrap();
                let (mut rcpt, mut data, mut in_data) = (String::new(), String::new(), false);
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            g.lock()
                                .unwrap()
                                .push((std::mem::take(&mut rcpt), std::mem::take(&mut data)));
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-test\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        rcpt = line[8..].trim().to_string();
                        b"250 ok\r\n"
                    } else if upper.starts_with("DATA") {
                        in_data = true;
                        b"354 go on\r\n"
                    } else if upper.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.unwrap();
                        break;
                    } else {
                        b"250 ok\r\n"
                    };
                    w.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (addr, got)
}

both_backends! {
    async fn notices_go_by_email_through_an_smtp_relay(db: TestDb) {
        let app = spawn(db).await;
        let c = &app.city;
        let (relay, got) = smtp_server().await;
        let senders: Vec<Arc<dyn Sender>> = vec![Arc::new(xinfang_adapters::notify::SmtpRelay::new(&relay, "信访局 <xinfang@qinghe.gov.cn>", None, xinfang_adapters::notify::SmtpSecurity::Plain, &Default::default()).unwrap())];
        let mut new = letter("小区违建");
        new.petitioner.email = Some("li.si@example.cn".into());
        let case = app.store.register(new, Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        // SMS and e-mail are queued; only e-mail has a sender here, so SMS waits.
        assert_eq!(app.store.notices_of(case.id.0).await.unwrap().len(), 2);
        assert_eq!(deliver_due(&app.store, &senders).await.unwrap(), 1);
        assert_eq!(deliver_due(&app.store, &senders).await.unwrap(), 0);
        let mail = got.lock().unwrap().clone();
        assert_eq!(mail.len(), 1);
        assert_eq!(mail[0].0, "<li.si@example.cn>");
        let id = app.store.notices_of(case.id.0).await.unwrap().iter().find(|n| n.channel == "email").unwrap().id;
        assert!(mail[0].1.contains(&format!("Message-ID: <xinfang-outbox-{id}@qinghe.gov.cn>")), "{}", mail[0].1);
        let statuses: Vec<(String, String)> = app.store.notices_of(case.id.0).await.unwrap().into_iter().map(|n| (n.channel, n.status)).collect();
        assert_eq!(statuses, [("sms".to_string(), "pending".to_string()), ("email".to_string(), "sent".to_string())]);
    }
}

both_backends! {
    async fn notices_name_where_the_petitioner_follows_the_case(db: TestDb) {
        let url = db.url.clone();
        let settings = xinfang_store::Settings {
            tracking_url: Some("https://xf.example.gov.cn/public/track".into()),
            ..Default::default()
        };
        let store = xinfang_store::Store::open(&url, settings).await.unwrap();
        let c = xinfang_store::testing::small_city(&store).await;
        let case = store.register(letter("路灯不亮"), Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        let queued = store.notices_of(case.id.0).await.unwrap();
        assert!(queued[0].body.contains("https://xf.example.gov.cn/public/track") && queued[0].body.contains(&case.query_code), "{}", queued[0].body);
    }
}
