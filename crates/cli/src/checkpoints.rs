//! Signed checkpoints of the log ([`xinfang_store::checkpoint`]): written on a schedule by
//! `serve`, at once by `xinfang checkpoint` and after every `restore`, and held against the log
//! by `xinfang verify --checkpoints DIR`.

use std::path::PathBuf;
use std::time::Duration;

use xinfang_store::Store;
use xinfang_store::checkpoint::{self, Finding, Kind};

/// Where checkpoints go and the key that signs them.
#[derive(clap::Args, Clone)]
pub struct CheckpointArgs {
    /// Directory the signed checkpoints are written to — outside the database, best on another
    /// machine (a mount of the supervising level's, or one copied off by cron).
    #[arg(long, env = "XINFANG_CHECKPOINTS")]
    pub checkpoints: Option<PathBuf>,
    /// The Ed25519 signing key (32 bytes as hex), kept outside the database and its backups;
    /// created when missing. Beside the SQLite file by default (`FILE.checkpoint-key`),
    /// `./xinfang-checkpoint-key` for PostgreSQL.
    #[arg(long, env = "XINFANG_CHECKPOINT_KEY")]
    pub checkpoint_key: Option<PathBuf>,
    /// The supervising level's receiver: each checkpoint is also POSTed there as its JSON
    /// (`Idempotency-Key: AT-SEQ`), https with the certificate checked or http on a closed
    /// network; one not taken is sent again with the next.
    #[arg(long, env = "XINFANG_CHECKPOINT_TO")]
    pub checkpoint_to: Option<String>,
}

/// Sends checkpoints to the supervising level, keeping those not yet taken.
struct Courier {
    url: String,
    client: reqwest::Client,
    unsent: Vec<checkpoint::Checkpoint>,
}

impl Courier {
    fn new(url: Option<&String>) -> Result<Option<Courier>, String> {
        let Some(url) = url else { return Ok(None) };
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(format!(
                "--checkpoint-to 应为 https:// 或 http:// 地址：{url}"
            ));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Some(Courier {
            url: url.clone(),
            client,
            unsent: Vec::new(),
        }))
    }

    /// Sends what is waiting, oldest first; stops at the first refusal (tried again later).
    async fn send(&mut self, cp: Option<checkpoint::Checkpoint>) -> Result<(), String> {
        self.unsent.extend(cp);
        while let Some(cp) = self.unsent.first() {
            let sent = self
                .client
                .post(&self.url)
                .header("Idempotency-Key", format!("{}-{}", cp.at_ms, cp.seq))
                .json(cp)
                .send()
                .await
                .map_err(|e| e.to_string())
                .and_then(|r| r.error_for_status().map(drop).map_err(|e| e.to_string()));
            match sent {
                Ok(()) => {
                    self.unsent.remove(0);
                }
                Err(e) => return Err(format!("检查点未能送达上级 {}：{e}", self.url)),
            }
        }
        Ok(())
    }
}

impl CheckpointArgs {
    fn key(&self, db: &str) -> Result<ed25519_dalek::SigningKey, String> {
        let path = crate::config::data_dir(db, self.checkpoint_key.clone(), "checkpoint-key");
        let (key, created) = checkpoint::load_or_create_key(&path).map_err(|e| e.to_string())?;
        if created {
            eprintln!(
                "已生成检查点签名密钥 {}（公钥 {}）。请妥善保管并把公钥交给上级，校验时使用。",
                path.display(),
                hex::encode(key.verifying_key().as_bytes())
            );
        }
        Ok(key)
    }

    /// Writes one checkpoint of `kind` when a directory is set.
    pub async fn write(&self, store: &Store, db: &str, kind: Kind) -> Result<(), String> {
        let Some(dir) = &self.checkpoints else {
            return Ok(());
        };
        let key = self.key(db)?;
        let cp = store
            .write_checkpoint(dir, &key, kind)
            .await
            .map_err(|e| format!("检查点: {e}"))?;
        println!("已写入检查点：{} 个事件，链头 {}", cp.seq, cp.hash);
        if let Some(mut courier) = Courier::new(self.checkpoint_to.as_ref())? {
            courier.send(Some(cp)).await?;
            println!("已送达上级：{}", courier.url);
        }
        Ok(())
    }

    /// Writes a checkpoint every `every` while the server runs, when the head has moved.
    pub fn spawn_periodic(&self, store: Store, db: &str, every: Duration) -> Result<(), String> {
        let Some(dir) = self.checkpoints.clone() else {
            return Ok(());
        };
        let key = self.key(db)?;
        let mut courier = Courier::new(self.checkpoint_to.as_ref())?;
        tokio::spawn(async move {
            let mut last = None;
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                let head = store.head().await.ok();
                let mut written = None;
                if head.is_some() && head != last {
                    match store.write_checkpoint(&dir, &key, Kind::Periodic).await {
                        Ok(cp) => {
                            last = head;
                            written = Some(cp);
                        }
                        Err(e) => tracing::error!(error = %e, "checkpoint not written"),
                    }
                }
                if let Some(c) = courier.as_mut()
                    && let Err(e) = c.send(written).await
                {
                    tracing::warn!(error = %e, waiting = c.unsent.len(), "checkpoint not delivered; sent again with the next");
                }
            }
        });
        Ok(())
    }
}

/// Holds the log against the checkpoints in `dir`; the exit code is 2 on tampering.
pub async fn verify(store: &Store, dir: &std::path::Path, key: &str) -> Result<u8, String> {
    let key = checkpoint::public_key(key).map_err(|e| e.to_string())?;
    let findings = store
        .check_against(dir, &key)
        .await
        .map_err(|e| e.to_string())?;
    let holding = findings
        .iter()
        .filter(|f| matches!(f, Finding::Holds { .. }))
        .count();
    let mut tampered = false;
    for f in &findings {
        match f {
            Finding::Holds { .. } => {}
            Finding::BadSignature { file } => {
                println!("伪造或被改动的检查点: {}（签名不符）", file.display());
            }
            Finding::Truncated { seq, at, head } => println!(
                "截断: {at} 的检查点记有第 {seq} 号事件，日志现止于第 {head} 号：其后的事件被删除"
            ),
            Finding::Rewritten { seq, at } => {
                println!("改写: 第 {seq} 号事件与 {at} 的检查点不符：日志被重写")
            }
            Finding::Restored { at, seq, lost } => println!(
                "恢复: {at} 从备份恢复（恢复点为第 {seq} 号事件），此前检查点所见的 {lost} 个事件随之丢失（非篡改）"
            ),
        }
        tampered |= f.is_tampering();
    }
    println!("检查点: {} 个与日志相符", holding);
    Ok(if tampered { 2 } else { 0 })
}
