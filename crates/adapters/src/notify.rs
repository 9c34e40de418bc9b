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

/// Whom outgoing TLS trusts: the public roots (Mozilla's, built in), and the certificate
/// authorities of the office's own network when it signs its gateways itself.
#[derive(Clone, Default)]
pub struct TlsTrust {
    /// PEM certificates of extra certificate authorities (`--tls-ca FILE`).
    pub extra_roots_pem: Option<Vec<u8>>,
}

impl TlsTrust {
    /// Reads a PEM bundle of certificate authorities.
    pub fn from_file(path: &std::path::Path) -> Result<Self, String> {
        let pem = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        reqwest::Certificate::from_pem_bundle(&pem)
            .ok()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| format!("{}: 不是 PEM 格式的 CA 证书", path.display()))?;
        Ok(TlsTrust {
            extra_roots_pem: Some(pem),
        })
    }
}

impl SmsGateway {
    /// A gateway at `url`: `https://` (the certificate checked against [`TlsTrust`]) or, on a
    /// closed network, `http://`.
    pub fn new(url: String, token: Option<SecretString>, trust: &TlsTrust) -> Result<Self, String> {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!("短信网关地址应以 https:// 或 http:// 开头: {url}"));
        }
        let mut builder = reqwest::Client::builder()
            .use_rustls_tls()
            .https_only(url.starts_with("https://"))
            .timeout(Duration::from_secs(10));
        if let Some(pem) = &trust.extra_roots_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem).map_err(|e| e.to_string())? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| format!("短信网关客户端: {e}"))?;
        Ok(SmsGateway { url, token, client })
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

/// How the SMTP relay is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain SMTP upgraded with STARTTLS, which must succeed (port 587 or 25).
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption, for a relay on the same closed network only.
    Plain,
}

impl std::str::FromStr for SmtpSecurity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "starttls" => Ok(SmtpSecurity::StartTls),
            "tls" => Ok(SmtpSecurity::Tls),
            "none" => Ok(SmtpSecurity::Plain),
            _ => Err(format!("应为 starttls、tls 或 none: {s}")),
        }
    }
}

/// E-mail through an SMTP relay — STARTTLS by default, the certificate checked — with
/// `Message-ID: <xinfang-outbox-{id}@host>` so that a resend is recognisably the same mail.
pub struct SmtpRelay {
    from: lettre::message::Mailbox,
    transport: lettre::AsyncSmtpTransport<lettre::Tokio1Executor>,
}

impl SmtpRelay {
    /// `host:port` of the relay, the sender address, optional login (user, password), how the
    /// connection is secured and whom its certificate may come from.
    pub fn new(
        relay: &str,
        from: &str,
        login: Option<(String, SecretString)>,
        security: SmtpSecurity,
        trust: &TlsTrust,
    ) -> Result<Self, String> {
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        let default_port = match security {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Plain => 25,
        };
        let (host, port) = match relay.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("SMTP 端口无效: {relay}"))?,
            ),
            None => (relay, default_port),
        };
        let tls = || -> Result<TlsParameters, String> {
            let mut params = TlsParameters::builder(host.to_string());
            if let Some(pem) = &trust.extra_roots_pem {
                params = params.add_root_certificate(
                    Certificate::from_pem(pem).map_err(|e| format!("CA 证书无效: {e}"))?,
                );
            }
            params.build_rustls().map_err(|e| format!("SMTP TLS: {e}"))
        };
        let tls = match security {
            SmtpSecurity::StartTls => Tls::Required(tls()?),
            SmtpSecurity::Tls => Tls::Wrapper(tls()?),
            SmtpSecurity::Plain => Tls::None,
        };
        let from = from
            .parse()
            .map_err(|e| format!("发件地址无效 {from}: {e}"))?;
        let mut builder =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(host)
                .port(port)
                .tls(tls)
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
