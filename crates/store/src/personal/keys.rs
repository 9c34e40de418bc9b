//! The keys that protect petitioners' personal data at rest (GB/T 39786): SM4 in GCM mode for
//! the records, keyed SM3 (HMAC-SM3) for the exact look-ups by phone, ID number and name.
//!
//! A key file holds one or more 32-byte secrets, one per line as `<id> <hex>`; the first
//! encrypts and tags, the others only decrypt (while a rotation re-encrypts). Each secret
//! derives its SM4 key, its look-up key and its id, so the file never holds a derived key.

use std::io::Write;
use std::path::{Path, PathBuf};

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sm3::Sm3;
use sm4::Sm4;

use crate::StoreError;

type Sm4Gcm = AesGcm<Sm4, aes_gcm::aead::consts::U12>;
type HmacSm3 = Hmac<Sm3>;

const NONCE: usize = 12;

/// Where the key comes from.
#[derive(Debug, Clone, Default)]
pub enum KeySource {
    /// Beside the database: `<file>.key` for SQLite, `xinfang-<database>.key` in the working
    /// directory for PostgreSQL; generated there on first start.
    #[default]
    Beside,
    /// This file (generated if missing and the database holds no personal data yet).
    File(PathBuf),
    /// The secret itself, 64 hex digits (from the environment).
    Hex(String),
}

/// Where the key of a database is: a file, or given itself (hex).
pub enum KeyAt<'a> {
    File(PathBuf),
    Given(&'a str),
}

impl KeySource {
    /// Where the key of the database at `url` (normalised) is.
    pub fn at(&self, backend: crate::Backend, url: &str) -> KeyAt<'_> {
        match self {
            KeySource::Hex(h) => KeyAt::Given(h),
            KeySource::File(p) => KeyAt::File(p.clone()),
            KeySource::Beside => KeyAt::File(super::default_key_path(backend, url)),
        }
    }
}

struct Key {
    id: String,
    secret: [u8; 32],
    cipher: Sm4Gcm,
    lookup: [u8; 32],
}

impl Key {
    fn new(secret: [u8; 32]) -> Key {
        let derive = |label: &[u8]| -> [u8; 32] {
            let mut m = <HmacSm3 as Mac>::new_from_slice(&secret).expect("any key length");
            m.update(label);
            m.finalize().into_bytes().into()
        };
        let enc = derive(b"xinfang personal sm4-gcm");
        Key {
            id: hex::encode(&derive(b"xinfang personal key id")[..8]),
            secret,
            cipher: Sm4Gcm::new_from_slice(&enc[..16]).expect("SM4 takes 16 bytes"),
            lookup: derive(b"xinfang personal lookup"),
        }
    }
}

/// The keys in force: the first encrypts, all decrypt.
pub struct Keyring {
    keys: Vec<Key>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("ids", &self.ids()).finish()
    }
}

fn bad_key(m: impl Into<String>) -> StoreError {
    StoreError::Config(m.into())
}

impl Keyring {
    /// A new keyring with one fresh secret.
    pub fn generate() -> Keyring {
        let mut secret = [0u8; 32];
        rand::rng().fill_bytes(&mut secret);
        Keyring {
            keys: vec![Key::new(secret)],
        }
    }

    /// Reads a key file's text (`<id> <hex>` lines; `#` comments).
    pub fn parse(text: &str) -> Result<Keyring, StoreError> {
        let mut keys = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (id, hex_secret) = line.split_once(' ').unwrap_or(("", line));
            let key = Key::new(parse_secret(hex_secret.trim())?);
            if !id.is_empty() && id != key.id {
                return Err(bad_key(format!(
                    "个人信息密钥文件有误：标识 {id} 与密钥不符"
                )));
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(bad_key("个人信息密钥文件中没有密钥"));
        }
        Ok(Keyring { keys })
    }

    /// One secret given as 64 hex digits.
    pub fn from_hex(hex_secret: &str) -> Result<Keyring, StoreError> {
        Ok(Keyring {
            keys: vec![Key::new(parse_secret(hex_secret.trim())?)],
        })
    }

    /// The key file's text.
    pub fn to_text(&self) -> String {
        let mut out = String::from(
            "# xinfang 个人信息密钥（SM4-GCM 加密、SM3 检索）。请妥善保管并单独备份：丢失则信访人个人信息无法读取。\n\
             # 第一行的密钥用于加密，其余仅用于解密（轮换期间）。\n",
        );
        for k in &self.keys {
            out.push_str(&format!("{} {}\n", k.id, hex::encode(k.secret)));
        }
        out
    }

    pub fn current_id(&self) -> &str {
        &self.keys[0].id
    }

    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.id.clone()).collect()
    }

    /// A keyring whose first key is new and which still holds these (a rotation's start).
    pub fn rotated(&self) -> Keyring {
        let mut next = Keyring::generate();
        next.keys
            .extend(self.keys.iter().map(|k| Key::new(k.secret)));
        next
    }

    /// Only the current key (a rotation's end).
    pub fn current_only(&self) -> Keyring {
        Keyring {
            keys: vec![Key::new(self.keys[0].secret)],
        }
    }

    /// Encrypts `plain` bound to `context` (what it belongs to, so a sealed value copied to
    /// another row does not open there): `<key id>:<hex of nonce and ciphertext>`.
    pub fn seal(&self, context: &str, plain: &[u8]) -> String {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = key
            .cipher
            .encrypt(
                (&nonce).into(),
                Payload {
                    msg: plain,
                    aad: context.as_bytes(),
                },
            )
            .expect("SM4-GCM encrypts any length we store");
        let mut out = Vec::with_capacity(NONCE + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        format!("{}:{}", key.id, hex::encode(out))
    }

    /// Decrypts what [`Keyring::seal`] made for the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>, StoreError> {
        let corrupt = |why: &str| StoreError::Corrupt(format!("个人信息（{context}）{why}"));
        let (id, body) = sealed.split_once(':').ok_or_else(|| corrupt("格式不符"))?;
        let key = self.keys.iter().find(|k| k.id == id).ok_or_else(|| {
            StoreError::Config(format!(
                "个人信息由密钥 {id} 加密，但所给密钥中没有它（请使用数据库对应的密钥文件）"
            ))
        })?;
        let bytes = hex::decode(body).map_err(|_| corrupt("格式不符"))?;
        if bytes.len() < NONCE {
            return Err(corrupt("过短"));
        }
        let (nonce, ct) = bytes.split_at(NONCE);
        key.cipher
            .decrypt(
                nonce.into(),
                Payload {
                    msg: ct,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| corrupt("无法解密（密文被改动）"))
    }

    /// The keyed SM3 tag of a value for exact look-ups; `kind` keeps a phone from matching an
    /// ID number.
    pub fn tag(&self, kind: &str, value: &str) -> Vec<u8> {
        let mut m = <HmacSm3 as Mac>::new_from_slice(&self.keys[0].lookup).expect("any key length");
        m.update(kind.as_bytes());
        m.update(&[0x1f]);
        m.update(value.as_bytes());
        m.finalize().into_bytes()[..16].to_vec()
    }

    /// Loads the keyring from a file, or creates the file with a fresh key when it does not
    /// exist and `may_create` (two processes starting at once end up with the same key: the
    /// file is created exclusively and the loser reads the winner's).
    pub fn load_or_create(path: &Path, may_create: bool) -> Result<(Keyring, bool), StoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                return Ok((Keyring::parse(&text)?, false));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(bad_key(format!(
                    "读取个人信息密钥文件 {} 失败：{e}",
                    path.display()
                )));
            }
            Err(_) => {}
        }
        if !may_create {
            return Err(bad_key(format!(
                "找不到个人信息密钥文件 {}，而数据库中已有加密的个人信息（请用 --personal-key 指定原密钥文件）",
                path.display()
            )));
        }
        let k = Keyring::generate();
        match write_new(path, &k.to_text()) {
            Ok(()) => Ok((k, true)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Keyring::load_or_create(path, false)
            }
            Err(e) => Err(bad_key(format!(
                "无法创建个人信息密钥文件 {}：{e}",
                path.display()
            ))),
        }
    }

    /// Writes the key file in place of the old one (through a temporary file, so that a crash
    /// leaves either the old or the new file whole).
    pub fn save(&self, path: &Path) -> Result<(), StoreError> {
        let tmp = path.with_extension("key.tmp");
        let _ = std::fs::remove_file(&tmp);
        write_new(&tmp, &self.to_text())
            .and_then(|()| std::fs::rename(&tmp, path))
            .map_err(|e| bad_key(format!("无法写入个人信息密钥文件 {}：{e}", path.display())))
    }
}

fn parse_secret(hex_secret: &str) -> Result<[u8; 32], StoreError> {
    hex::decode(hex_secret)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| bad_key("个人信息密钥应为64位十六进制数"))
}

/// Creates `path` exclusively, readable by its owner only, and syncs it (key files).
pub(crate) fn write_new(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_data_opens_only_with_its_key_and_context() {
        let k = Keyring::generate();
        let s = k.seal("case:1", "张三 13800001111".as_bytes());
        assert!(!s.contains("13800001111"));
        assert_eq!(k.open("case:1", &s).unwrap(), "张三 13800001111".as_bytes());
        assert!(k.open("case:2", &s).is_err(), "bound to its row");
        assert!(
            Keyring::generate().open("case:1", &s).is_err(),
            "another key"
        );
        let mut tampered = s.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == '0' { '1' } else { '0' });
        assert!(k.open("case:1", &tampered).is_err(), "tampering is found");
    }

    #[test]
    fn key_file_round_trips_and_rotation_keeps_old_keys_for_reading() {
        let k = Keyring::generate();
        let again = Keyring::parse(&k.to_text()).unwrap();
        assert_eq!(k.ids(), again.ids());
        assert_eq!(
            k.tag("phone", "13800001111"),
            again.tag("phone", "13800001111")
        );
        assert_ne!(k.tag("phone", "13800001111"), k.tag("name", "13800001111"));
        let sealed = k.seal("x", b"old");
        let r = k.rotated();
        assert_ne!(r.current_id(), k.current_id());
        assert_eq!(r.open("x", &sealed).unwrap(), b"old");
        assert!(r.current_only().open("x", &sealed).is_err());
        assert!(Keyring::parse("abc 00").is_err());
        let wrong_id = k.to_text().replacen(k.current_id(), "0000000000000000", 1);
        assert!(Keyring::parse(&wrong_id).is_err());
    }

    /// SM4 known-answer test from GB/T 32907-2016 appendix A: the block cipher under GCM is SM4.
    #[test]
    fn sm4_is_the_standard_cipher() {
        use sm4::cipher::{BlockEncrypt, KeyInit as _};
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let c = sm4::Sm4::new_from_slice(&key).unwrap();
        let mut block = sm4::cipher::generic_array::GenericArray::clone_from_slice(&key);
        c.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }
}
