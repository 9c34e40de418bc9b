//! `xinfang backup` and `xinfang restore`: the database in the store's logical format, the
//! attachment files beside it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Instant;

use xinfang_adapters::files::FileStore;
use xinfang_store::Store;
use xinfang_store::backup::{FilesDump, Manifest};
use xinfang_store::chain::Verdict;

use crate::DbArgs;
use crate::config::{data_dir, settings};
use crate::progress::Following;

/// Bytes under `dir`, recursively.
fn size_of(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => size_of(&e.path()),
                    _ => e.metadata().map(|m| m.len()).unwrap_or(0),
                })
                .sum()
        })
        .unwrap_or(0)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1024.0 / 1024.0
}

pub async fn backup(
    args: &DbArgs,
    to: &Path,
    files: Option<PathBuf>,
    without_keys: bool,
) -> Result<(), String> {
    let started = Instant::now();
    let store = Store::open(&args.db, settings(args)?)
        .await
        .map_err(|e| e.to_string())?;
    let rows = Arc::new(AtomicU64::new(0));
    let bar = Following::start(crate::progress::bar(0, "行"), rows.clone());
    let dumped = store.backup(to, !without_keys, &rows).await;
    bar.finish();
    let mut manifest = dumped.map_err(|e| e.to_string())?;
    // The files after the snapshot: every attachment it names was kept before its case.
    let source = data_dir(&args.db, files, "files");
    let copied = if source.is_dir() {
        FileStore::open(&source)
            .and_then(|f| {
                f.copy_into(&to.join("files"))
                    .map_err(std::io::Error::other)
            })
            .map_err(|e| format!("复制附件 {}: {e}", source.display()))?
    } else {
        Default::default()
    };
    manifest.files = Some(FilesDump {
        count: copied.files,
        bytes: copied.bytes,
    });
    manifest.write(to).map_err(|e| e.to_string())?;
    store.close().await;
    println!(
        "已备份：{} 个事件（链头 #{}），共 {} 行；附件 {} 个（新增 {}）；{:.1} MB，用时 {:.1} 秒 → {}",
        manifest.head_seq,
        manifest.head_seq,
        manifest.rows(),
        copied.files,
        copied.new,
        mb(size_of(to)),
        started.elapsed().as_secs_f64(),
        to.display()
    );
    if without_keys {
        println!(
            "备份不含个人信息密钥：恢复时须用 --keys 指定密钥文件（{}）",
            store_key_hint(args)
        );
    }
    Ok(())
}

/// Where the key file of the database is, for messages.
fn store_key_hint(args: &DbArgs) -> String {
    match &args.personal_key {
        Some(p) => p.display().to_string(),
        None => "默认在数据库文件旁的 .key 文件".into(),
    }
}

pub async fn restore(
    from: &Path,
    args: &DbArgs,
    files: Option<PathBuf>,
    index: Option<PathBuf>,
    keys: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let started = Instant::now();
    let manifest = Manifest::read(from).map_err(|e| e.to_string())?;
    let target_key = settings(args)?.personal_key;
    // Each row is counted twice: checked, then written.
    let rows = Arc::new(AtomicU64::new(0));
    let bar = Following::start(
        crate::progress::bar(manifest.rows() * 2, "行（校验与写入）"),
        rows.clone(),
    );
    let restored =
        xinfang_store::backup::restore(&args.db, from, keys.as_deref(), &target_key, &rows).await;
    bar.finish();
    let restored = restored.map_err(|e| e.to_string())?;
    let attachments = from.join("files");
    let copied = if attachments.is_dir() {
        let target = data_dir(&args.db, files, "files");
        FileStore::open(&attachments)
            .and_then(|f| f.copy_into(&target).map_err(std::io::Error::other))
            .map_err(|e| format!("恢复附件到 {}: {e}", target.display()))?
    } else {
        Default::default()
    };
    // The text index of whatever was here before would not match: the server rebuilds it.
    let index = data_dir(&args.db, index, "index");
    if index.exists() {
        std::fs::remove_dir_all(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    }
    // Opening sums the figures from the restored cases.
    let store = Store::open(&args.db, settings(args)?)
        .await
        .map_err(|e| e.to_string())?;
    let verdict = store.verify_chain().await.map_err(|e| e.to_string())?;
    // A backup from before the petitioner store was re-chained on opening: its head is the
    // one the re-chaining started from.
    let reanchored = store
        .reanchors()
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|r| r.old_head == manifest.head_hash && r.last_seq == manifest.head_seq);
    store.after_bulk_load().await.map_err(|e| e.to_string())?;
    store.close().await;
    if let Some(r) = &reanchored {
        println!(
            "备份来自旧版本：信访人个人信息已移入加密信息库，事件链已重新计算（原链头 {} → 新链头 {}）",
            r.old_head, r.new_head
        );
    }
    let expected_head = reanchored.map_or(manifest.head_hash.clone(), |r| r.new_head);
    match verdict {
        Verdict::Intact { events, head }
            if events as i64 == manifest.head_seq && head == expected_head =>
        {
            println!(
                "已恢复：{} 行（{} 个事件，链完好，链头与备份一致），附件 {} 个，用时 {:.1} 秒",
                restored.rows,
                events,
                copied.files,
                started.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Intact { events, head } => {
            println!(
                "恢复后的链与备份不一致：{events} 个事件、链头 {head}，备份为 {} 个、{}",
                manifest.head_seq, manifest.head_hash
            );
            Ok(ExitCode::from(2))
        }
        Verdict::Broken { seq, reason, .. } => {
            println!("恢复后的链损坏：第 {seq} 号事件 — {reason}");
            Ok(ExitCode::from(2))
        }
    }
}
