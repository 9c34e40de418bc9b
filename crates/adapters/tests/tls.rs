//! Outgoing TLS, against real TLS servers on loopback signed by a test certificate authority:
//! the SMS gateway over https, the SMTP relay with STARTTLS and with implicit TLS. Each is
//! delivered when the authority is trusted (`--tls-ca`) and refused when it is not: the
//! certificate is checked by default.

#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use xinfang_adapters::notify::{Sender, SmsGateway, SmtpRelay, SmtpSecurity, TlsTrust};
use xinfang_store::outbox::Notice;

/// A certificate authority and a server certificate for `localhost` signed by it.
struct Pki {
    ca_pem: String,
    acceptor: TlsAcceptor,
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(rcgen::DnType::CommonName, "xinfang test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca_cert, &ca_key)
        .unwrap();
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(leaf.der().to_vec())],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        acceptor: TlsAcceptor::from(Arc::new(config)),
    }
}

fn trusting(pki: &Pki) -> TlsTrust {
    TlsTrust {
        extra_roots_pem: Some(pki.ca_pem.clone().into_bytes()),
    }
}

fn notice(channel: &str, to: &str) -> Notice {
    Notice {
        id: 7,
        case_id: 1,
        event_seq: 1,
        channel: channel.into(),
        recipient: to.into(),
        subject: "受理告知书".into(),
        body: "您的信访事项已受理。".into(),
        status: "pending".into(),
        attempts: 0,
        next_at: 0,
        sent_at: None,
        last_error: None,
    }
}

/// An https endpoint answering 200 to every POST; keeps the bodies.
async fn https_gateway(acceptor: TlsAcceptor) -> (u16, Arc<Mutex<Vec<String>>>) {
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let g = got.clone();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let (acceptor, g) = (acceptor.clone(), g.clone());
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut r = BufReader::new(tls);
                let mut length = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if line == "\r\n" {
                        break;
                    }
                }
                let mut body = vec![0; length];
                r.read_exact(&mut body).await.unwrap();
                g.lock().unwrap().push(String::from_utf8(body).unwrap());
                let mut tls = r.into_inner();
                tls.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await
                    .unwrap();
                tls.shutdown().await.ok();
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn sms_goes_over_https_with_the_certificate_checked() {
    let pki = pki();
    let (port, got) = https_gateway(pki.acceptor.clone()).await;
    let url = format!("https://localhost:{port}/sms");
    let trusted = SmsGateway::new(url.clone(), Some("t0ken".into()), &trusting(&pki)).unwrap();
    trusted.send(&notice("sms", "13912345678")).await.unwrap();
    assert!(got.lock().unwrap()[0].contains("13912345678"));
    // The public roots alone do not vouch for the office's own CA: refused, nothing sent.
    let strict = SmsGateway::new(url, None, &TlsTrust::default()).unwrap();
    let e = strict
        .send(&notice("sms", "13912345678"))
        .await
        .unwrap_err();
    assert_eq!(got.lock().unwrap().len(), 1, "{e}");
    assert!(SmsGateway::new("ftp://x".into(), None, &TlsTrust::default()).is_err());
}

/// Speaks SMTP on `stream` until QUIT; keeps each message's data. With `starttls`, offers
/// STARTTLS and returns the plain stream when the client asks for it.
async fn converse<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    starttls: bool,
    got: &Mutex<Vec<String>>,
) -> Option<S> {
    let mut s = BufReader::new(stream);
    let mut data: Option<String> = None;
    loop {
        let mut line = String::new();
        if s.read_line(&mut line).await.unwrap_or(0) == 0 {
            return None;
        }
        let line = line.trim_end().to_string();
        if let Some(d) = data.as_mut() {
            if line == "." {
                got.lock().unwrap().push(data.take().unwrap());
                s.write_all(b"250 queued\r\n").await.unwrap();
            } else {
                d.push_str(&line);
                d.push('\n');
            }
            continue;
        }
        let upper = line.to_ascii_uppercase();
        let reply: &[u8] = if upper.starts_with("EHLO") {
            if starttls {
                b"250-test\r\n250 STARTTLS\r\n"
            } else {
                b"250-test\r\n250 8BITMIME\r\n"
            }
        } else if upper.starts_with("STARTTLS") {
            s.write_all(b"220 go ahead\r\n").await.unwrap();
            return Some(s.into_inner());
        } else if upper.starts_with("DATA") {
            data = Some(String::new());
            b"354 go on\r\n"
        } else if upper.starts_with("QUIT") {
            s.write_all(b"221 bye\r\n").await.unwrap();
            return None;
        } else {
            b"250 ok\r\n"
        };
        s.write_all(reply).await.unwrap();
    }
}

async fn smtp_server(
    acceptor: TlsAcceptor,
    security: SmtpSecurity,
) -> (u16, Arc<Mutex<Vec<String>>>) {
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let g = got.clone();
    tokio::spawn(async move {
        loop {
            let (mut socket, _) = listener.accept().await.unwrap();
            let (acceptor, g) = (acceptor.clone(), g.clone());
            tokio::spawn(async move {
                if security == SmtpSecurity::Tls {
                    let Ok(mut tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    tls.write_all(b"220 test ESMTP\r\n").await.unwrap();
                    converse(tls, false, &g).await;
                    return;
                }
                socket.write_all(b"220 test ESMTP\r\n").await.unwrap();
                if let Some(plain) = converse(socket, true, &g).await
                    && let Ok(tls) = acceptor.accept(plain).await
                {
                    converse(tls, false, &g).await;
                }
            });
        }
    });
    (port, got)
}

#[tokio::test]
async fn mail_goes_with_starttls_and_with_implicit_tls_and_the_certificate_checked() {
    let pki = pki();
    for security in [SmtpSecurity::StartTls, SmtpSecurity::Tls] {
        let (port, got) = smtp_server(pki.acceptor.clone(), security).await;
        let relay = format!("localhost:{port}");
        let from = "信访局 <xinfang@qinghe.gov.cn>";
        let trusted = SmtpRelay::new(&relay, from, None, security, &trusting(&pki)).unwrap();
        trusted
            .send(&notice("email", "li.si@example.cn"))
            .await
            .unwrap();
        assert_eq!(got.lock().unwrap().len(), 1, "{security:?}");
        assert!(got.lock().unwrap()[0].contains("Message-ID: <xinfang-outbox-7@qinghe.gov.cn>"));
        let strict = SmtpRelay::new(&relay, from, None, security, &TlsTrust::default()).unwrap();
        assert!(
            strict
                .send(&notice("email", "li.si@example.cn"))
                .await
                .is_err(),
            "{security:?}"
        );
        assert_eq!(
            got.lock().unwrap().len(),
            1,
            "nothing sent to an unverified server"
        );
    }
}
