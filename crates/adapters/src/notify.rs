//! Delivery of the outbox: a loop claims due notices and hands each to the sender of its
//! channel. Senders are pluggable; the SMS sender posts to an HTTP gateway.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use xinfang_store::Store;
use xinfang_store::outbox::Notice;

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Delivers one notice over one channel (`sms`, `email`).
pub trait Sender: Send + Sync {
    fn channel(&self) -> &'static str;
    fn send<'a>(&'a self, notice: &'a Notice) -> SendResult<'a>;
}

/// SMS through an HTTP gateway: `POST {url}` with JSON `{"id", "to", "text"}`, the bearer token,
/// and `Idempotency-Key: xinfang-outbox-{id}`; any 2xx is delivery.
pub struct SmsGateway {
    pub url: String,
    /// Never printed (`SecretString` shows as redacted).
    token: Option<SecretString>,
    client: reqwest::Client,
}

impl SmsGateway {
    pub fn new(url: String, token: Option<SecretString>) -> Self {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .expect("http client");
        SmsGateway { url, token, client }
    }
}

impl Sender for SmsGateway {
    fn channel(&self) -> &'static str {
        "sms"
    }

    fn send<'a>(&'a self, n: &'a Notice) -> SendResult<'a> {
        Box::pin(async move {
            let mut req = self
                .client
                .post(&self.url)
                .header("Idempotency-Key", format!("xinfang-outbox-{}", n.id))
                .json(&serde_json::json!({"id": n.id, "to": n.recipient, "text": n.body}));
            if let Some(t) = &self.token {
                req = req.bearer_auth(t.expose_secret());
            }
            let r = req
                .send()
                .await
                .map_err(|e| format!("短信网关不可达: {e}"))?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!("短信网关拒绝: HTTP {}", r.status().as_u16()))
            }
        })
    }
}

/// E-mail through an SMTP relay (plain SMTP, as intranet relays take it; no TLS in this build),
/// with `Message-ID: <xinfang-outbox-{id}@host>` so that a resend is recognisably the same mail.
pub struct SmtpRelay {
    from: lettre::message::Mailbox,
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
}

impl SmtpRelay {
    /// `host:port` of the relay, the sender address, and optional login (user, password).
    pub fn new(
        relay: &str,
        from: &str,
        login: Option<(String, SecretString)>,
    ) -> Result<Self, String> {
        let (host, port) = match relay.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("SMTP 端口无效: {relay}"))?,
            ),
            None => (relay, 25),
        };
        let from = from
            .parse()
            .map_err(|e| format!("发件地址无效 {from}: {e}"))?;
        let mut builder =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host)
                .port(port)
                .timeout(Some(Duration::from_secs(15)));
        if let Some((user, password)) = login {
            builder =
                builder.credentials(lettre::transport::smtp::authentication::Credentials::new(
                    user,
                    password.expose_secret().to_string(),
                ));
        }
        Ok(SmtpRelay {
            from,
            transport: builder.build(),
        })
    }
}

impl Sender for SmtpRelay {
    fn channel(&self) -> &'static str {
        "email"
    }

    fn send<'a>(&'a self, n: &'a Notice) -> SendResult<'a> {
        use lettre::AsyncTransport;
        Box::pin(async move {
            let to = n
                .recipient
                .parse()
                .map_err(|e| format!("收件地址无效: {e}"))?;
            let host = self.from.email.domain().to_string();
            let mail = lettre::Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(&n.subject)
                .message_id(Some(format!("<xinfang-outbox-{}@{host}>", n.id)))
                .header(lettre::message::header::ContentType::TEXT_PLAIN)
                .body(n.body.clone())
                .map_err(|e| format!("邮件无法生成: {e}"))?;
            self.transport
                .send(mail)
                .await
                .map(drop)
                .map_err(|e| format!("邮件服务器拒绝或不可达: {e}"))
        })
    }
}

/// Delivers due notices every `every` (and soon after each commit) until the store closes.
pub fn spawn_delivery(store: Store, senders: Vec<Arc<dyn Sender>>, every: Duration) {
    if senders.is_empty() {
        tracing::warn!("no notice sender configured: notices wait in the outbox");
        return;
    }
    tokio::spawn(async move {
        let mut committed = store.committed();
        loop {
            if let Err(e) = deliver_due(&store, &senders).await {
                tracing::warn!(error = %e, "notice delivery round failed; will retry");
            }
            tokio::select! {
                _ = tokio::time::sleep(every) => {}
                changed = committed.changed() => if changed.is_err() { return },
            }
        }
    });
}

/// One round: claims due notices of the channels we can send and records each outcome.
pub async fn deliver_due(
    store: &Store,
    senders: &[Arc<dyn Sender>],
) -> Result<usize, xinfang_store::StoreError> {
    let channels: Vec<&str> = senders.iter().map(|s| s.channel()).collect();
    let notices = store.claim_notices(&channels, 50).await?;
    let n = notices.len();
    for notice in notices {
        let sender = senders
            .iter()
            .find(|s| s.channel() == notice.channel)
            .expect("claimed for a known channel");
        match sender.send(&notice).await {
            Ok(()) => store.notice_sent(notice.id).await?,
            Err(e) => {
                tracing::warn!(id = notice.id, error = %e, "notice not delivered; will retry");
                store.notice_failed(&notice, &e).await?
            }
        }
    }
    Ok(n)
}
