//! Attachment files, kept on disk under their SHA-256 (the same file handed in twice is kept
//! once). An upload is written to a temporary file while it is hashed and measured; only a
//! complete, allowed file is moved into place, so a refused upload leaves nothing behind.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use xinfang_domain::vocab::{Attachment, MAX_ATTACHMENT_BYTES};

/// Kinds of file a petition may carry, recognised by their content, not their name.
pub const ALLOWED_TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "JPEG 图片"),
    ("image/png", "PNG 图片"),
    ("image/gif", "GIF 图片"),
    ("image/webp", "WebP 图片"),
    ("application/pdf", "PDF 文档"),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word 文档（docx）",
    ),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel 表格（xlsx）",
    ),
    ("audio/mpeg", "MP3 录音"),
    ("video/mp4", "MP4 视频"),
    ("text/plain", "纯文本"),
];

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("附件“{0}”超过10MB")]
    TooLarge(String),
    #[error("附件“{0}”是空文件")]
    Empty(String),
    #[error("附件“{0}”的类型不在允许之列（允许：图片、PDF、Word、Excel、MP3、MP4、纯文本）")]
    Type(String),
    #[error("附件存储失败: {0}")]
    Io(#[from] std::io::Error),
    /// A kept file whose content no longer matches its name (its SHA-256).
    #[error("附件文件 {0} 已损坏（内容与校验值不符）")]
    Damaged(String),
}

#[derive(Clone)]
pub struct FileStore {
    dir: PathBuf,
}

/// A file received but not yet kept: dropping it removes the temporary file.
pub struct Staged {
    pub attachment: Attachment,
    temp: Option<PathBuf>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(t) = self.temp.take() {
            let _ = std::fs::remove_file(t);
        }
    }
}

/// A file being received.
pub struct Upload {
    staged: Staged,
    file: tokio::fs::File,
    hasher: Sha256,
    head: Vec<u8>,
}

impl Upload {
    /// Takes the next chunk, refusing the file as soon as it passes the size limit (the caller
    /// drops the upload, which removes the temporary file).
    pub async fn push(&mut self, chunk: &[u8]) -> Result<(), FileError> {
        let a = &mut self.staged.attachment;
        a.size += chunk.len() as u64;
        if a.size > MAX_ATTACHMENT_BYTES {
            return Err(FileError::TooLarge(a.name.clone()));
        }
        if self.head.len() < 8192 {
            let take = (8192 - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.file.write_all(chunk).await?;
        Ok(())
    }

    /// Checks the whole file (not empty, an allowed type by content) and makes it durable.
    pub async fn finish(mut self) -> Result<Staged, FileError> {
        let name = self.staged.attachment.name.clone();
        if self.staged.attachment.size == 0 {
            return Err(FileError::Empty(name));
        }
        let media_type = sniff(&self.head).ok_or(FileError::Type(name))?;
        self.file.sync_all().await?;
        let a = &mut self.staged.attachment;
        a.media_type = media_type.to_string();
        a.sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        Ok(self.staged)
    }
}

/// What [`FileStore::copy_into`] did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Copied {
    /// Files kept at the target that came from here.
    pub files: u64,
    pub bytes: u64,
    /// Of those, the files copied now (the rest were there already).
    pub new: u64,
}

impl FileStore {
    pub fn open(dir: &Path) -> std::io::Result<FileStore> {
        std::fs::create_dir_all(dir.join("tmp"))?;
        Ok(FileStore {
            dir: dir.to_path_buf(),
        })
    }

    fn final_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(&sha256[..2]).join(sha256)
    }

    /// Starts receiving a file into a temporary file.
    pub async fn begin(&self, name: &str) -> Result<Upload, FileError> {
        let temp = self
            .dir
            .join("tmp")
            .join(format!("{:032x}", rand::random::<u128>()));
        let staged = Staged {
            attachment: Attachment {
                name: clean_name(name),
                media_type: String::new(),
                size: 0,
                sha256: String::new(),
            },
            temp: Some(temp.clone()),
        };
        let file = tokio::fs::File::create(&temp).await?;
        Ok(Upload {
            staged,
            file,
            hasher: Sha256::new(),
            head: Vec::with_capacity(8192),
        })
    }

    /// Moves a staged file into place; returns whether it was new (not kept before).
    pub fn keep(&self, mut staged: Staged) -> std::io::Result<(Attachment, bool)> {
        let target = self.final_path(&staged.attachment.sha256);
        let temp = staged.temp.take().expect("staged once");
        let new = !target.exists();
        if new {
            std::fs::create_dir_all(target.parent().expect("has a parent"))?;
            std::fs::rename(&temp, &target)?;
        } else {
            std::fs::remove_file(&temp)?;
        }
        Ok((staged.attachment.clone(), new))
    }

    /// Removes a kept file (when the case that was to carry it was refused).
    pub fn forget(&self, sha256: &str) {
        let _ = std::fs::remove_file(self.final_path(sha256));
    }

    pub async fn read(&self, a: &Attachment) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.final_path(&a.sha256)).await
    }

    /// Files waiting in the temporary folder (none once every upload has finished).
    pub fn staged_count(&self) -> usize {
        std::fs::read_dir(self.dir.join("tmp"))
            .map(|d| d.count())
            .unwrap_or(0)
    }

    /// Whether the file an attachment names is kept here.
    pub fn has(&self, sha256: &str) -> bool {
        sha256.len() > 2 && self.final_path(sha256).is_file()
    }

    /// Copies every kept file into the store at `to` (same layout), skipping those already
    /// there, so that a backup directory used again receives only the new ones. Each copy is
    /// checked against its name (the SHA-256 of its content) before it is put in place.
    /// Returns the files and bytes kept at `to` from here.
    pub fn copy_into(&self, to: &Path) -> Result<Copied, FileError> {
        let target = FileStore::open(to)?;
        let mut copied = Copied::default();
        for shard in std::fs::read_dir(&self.dir)? {
            let shard = shard?;
            if shard.file_name() == "tmp" || !shard.file_type()?.is_dir() {
                continue;
            }
            for file in std::fs::read_dir(shard.path())? {
                let file = file?;
                let name = file.file_name().to_string_lossy().to_string();
                let dest = target.final_path(&name);
                let size = file.metadata()?.len();
                if !dest.is_file() {
                    let bytes = std::fs::read(file.path())?;
                    if hex::encode(Sha256::digest(&bytes)) != name {
                        return Err(FileError::Damaged(name));
                    }
                    let temp = target
                        .dir
                        .join("tmp")
                        .join(format!("{:032x}", rand::random::<u128>()));
                    std::fs::write(&temp, &bytes)?;
                    std::fs::File::open(&temp)?.sync_all()?;
                    std::fs::create_dir_all(dest.parent().expect("has a parent"))?;
                    std::fs::rename(&temp, &dest)?;
                    copied.new += 1;
                }
                copied.files += 1;
                copied.bytes += size;
            }
        }
        Ok(copied)
    }

    pub fn kept_count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.file_name() != "tmp")
                    .map(|e| std::fs::read_dir(e.path()).map(|d| d.count()).unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0)
    }
}

/// The media type of a file by its first bytes, if it is one we take.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    let t = infer::get(head).map(|t| t.mime_type());
    match t {
        Some(m) => ALLOWED_TYPES.iter().map(|(a, _)| *a).find(|a| *a == m),
        // Plain text: valid UTF-8 (the head may cut a character) without control bytes.
        None => {
            let cut = head.len().saturating_sub(3);
            let valid = match std::str::from_utf8(head) {
                Ok(_) => true,
                Err(e) => e.valid_up_to() >= cut && e.error_len().is_none(),
            };
            let clean = !head
                .iter()
                .any(|&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t'));
            (valid && clean).then_some("text/plain")
        }
    }
}

/// A file name safe to show and to send back: no path, no control characters, at most 100 chars.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if cleaned.trim().is_empty() {
        "附件".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_recognised_by_content() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"%PDF-1.7\n"), Some("application/pdf"));
        assert_eq!(sniff("我的诉求如下：".as_bytes()), Some("text/plain"));
        // An executable named .jpg is still an executable.
        assert_eq!(sniff(b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"), None);
        assert_eq!(sniff(b"\x7fELF\x02\x01\x01"), None);
        assert_eq!(sniff(b"text with \0 nul"), None);
    }

    #[test]
    fn names_lose_their_paths() {
        assert_eq!(clean_name("C:\\Users\\a\\合同.pdf"), "合同.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("\u{0}"), "附件");
    }
}
