//! JSON as the database keeps it: compressed with zstd and a dictionary built into the program.
//!
//! A case's state and an event's payload are small JSON documents that repeat the same keys,
//! codes and dates; zstd alone barely shrinks a document of a kilobyte, but with a dictionary of
//! those common parts it keeps a fifth to a half of it. Dictionaries are files of this crate
//! (`dict/`), named by the first byte of each value they packed: a released dictionary never
//! changes and is never removed, so every value stays readable and a backup restores anywhere.
//! JSON text starts with a printable byte, so a value written before packing (or one packing did
//! not make smaller) is kept and read as it is.
//!
//! What the log's chain covers is the JSON text, not these bytes.

use std::cell::RefCell;
use std::sync::LazyLock;

use zstd::bulk::{Compressor, Decompressor};
use zstd::dict::{DecoderDictionary, EncoderDictionary};
use zstd::zstd_safe::CParameter;

use crate::StoreError;

/// The first byte of a value packed with `dict/v1.zdict`.
const V1: u8 = 0x01;
/// Trained by `examples/train_dictionary.rs` on the demo city's states and payloads, with every
/// text that holds Chinese blanked: it knows the documents' shape, not what petitioners wrote.
const V1_DICT: &[u8] = include_bytes!("../dict/v1.zdict");
/// zstd's level 3 (its default): level 1 saves little time on values this small, 9 little room.
const LEVEL: i32 = 3;
/// What every zstd frame starts with: the first byte stands for it, so it is not kept.
const MAGIC: [u8; 4] = 0xFD2F_B528u32.to_le_bytes();
/// No value is unpacked into more than this (the largest document the API accepts is far less).
const MAX_UNPACKED: usize = 16 << 20;

static ENCODER: LazyLock<EncoderDictionary<'static>> =
    LazyLock::new(|| EncoderDictionary::copy(V1_DICT, LEVEL));
static DECODER: LazyLock<DecoderDictionary<'static>> =
    LazyLock::new(|| DecoderDictionary::copy(V1_DICT));

thread_local! {
    static PACKER: RefCell<Option<Compressor<'static>>> = const { RefCell::new(None) };
    static UNPACKER: RefCell<Option<Decompressor<'static>>> = const { RefCell::new(None) };
}

/// The bytes a JSON document is kept as: packed, or the text itself when packing does not make it
/// smaller.
pub fn pack(json: &str) -> Result<Vec<u8>, StoreError> {
    let packed = PACKER.with(|cell| -> std::io::Result<Vec<u8>> {
        let mut slot = cell.borrow_mut();
        let packer = match slot.as_mut() {
            Some(p) => p,
            None => slot.insert(packer()?),
        };
        packer.compress(json.as_bytes())
    });
    let packed = packed.map_err(|e| StoreError::Corrupt(format!("压缩失败：{e}")))?;
    let frame = packed
        .strip_prefix(&MAGIC)
        .ok_or_else(|| StoreError::Corrupt("压缩结果没有 zstd 帧头".into()))?;
    if frame.len() + 1 >= json.len() {
        return Ok(json.as_bytes().to_vec());
    }
    let mut out = Vec::with_capacity(frame.len() + 1);
    out.push(V1);
    out.extend_from_slice(frame);
    Ok(out)
}

/// The JSON text of a value [`pack`] made (or one kept as text before packing).
pub fn unpack(bytes: Vec<u8>) -> Result<String, StoreError> {
    let text = match bytes.first() {
        Some(&V1) => UNPACKER.with(|cell| -> Result<Vec<u8>, StoreError> {
            let mut slot = cell.borrow_mut();
            let unpacker = match slot.as_mut() {
                Some(u) => u,
                None => slot.insert(unpacker().map_err(corrupt)?),
            };
            let frame = [&MAGIC, &bytes[1..]].concat();
            unpacker.decompress(&frame, MAX_UNPACKED).map_err(corrupt)
        })?,
        Some(b) if is_packed(&bytes) => {
            return Err(StoreError::Corrupt(format!(
                "存储的 JSON 用了本程序不认识的压缩字典 {b}"
            )));
        }
        _ => bytes,
    };
    String::from_utf8(text).map_err(corrupt)
}

/// Whether a stored value is packed (else it is JSON text, kept as it was).
pub(crate) fn is_packed(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| *b < 0x20)
}

/// A packed column as JSON text, from a row.
pub(crate) fn column(row: &sqlx::any::AnyRow, name: &str) -> Result<String, StoreError> {
    use sqlx::Row;
    unpack(row.try_get::<Vec<u8>, _>(name)?)
}

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("存储的 JSON 无法解压：{e}"))
}

/// The frame leaves out what the first byte already says (the dictionary's id) and a checksum
/// (the log's chain covers the text); it keeps the text's size, so unpacking allocates once.
fn packer() -> std::io::Result<Compressor<'static>> {
    let mut c = Compressor::with_prepared_dictionary(&ENCODER)?;
    c.set_parameter(CParameter::ChecksumFlag(false))?;
    c.set_parameter(CParameter::DictIdFlag(false))?;
    c.set_parameter(CParameter::ContentSizeFlag(true))?;
    Ok(c)
}

fn unpacker() -> std::io::Result<Decompressor<'static>> {
    Decompressor::with_prepared_dictionary(&DECODER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_case_state_is_kept_in_a_fraction_of_its_text_and_read_back_whole() {
        let json = r#"{"id":12,"case_no":"XF2026000012","status":"Accepted","channel":"Web","category":"0203","region":"1101","title":"小区噪音扰民","content":"楼下商铺夜间施工，噪音很大","registered_on":"2026-03-02","deadlines":{"accept_due":"2026-03-17"},"version":3,"dispatches":0,"objections":0}"#;
        let packed = pack(json).unwrap();
        assert_eq!(packed[0], V1);
        assert!(
            packed.len() * 2 < json.len(),
            "{} of {}",
            packed.len(),
            json.len()
        );
        assert_eq!(unpack(packed).unwrap(), json);
    }

    #[test]
    fn text_kept_before_packing_reads_as_it_is_and_an_unknown_dictionary_is_refused() {
        assert_eq!(unpack(br#"{"a":1}"#.to_vec()).unwrap(), r#"{"a":1}"#);
        assert_eq!(unpack(br#""Accepted""#.to_vec()).unwrap(), r#""Accepted""#);
        assert!(matches!(
            unpack(vec![0x02, 1, 2]),
            Err(StoreError::Corrupt(_))
        ));
        assert!(matches!(
            unpack(vec![V1, 0xff, 0xff]),
            Err(StoreError::Corrupt(_))
        ));
    }

    proptest! {
        #[test]
        fn any_text_survives_packing(text in ".{0,600}") {
            let json = serde_json::to_string(&serde_json::json!({"t": text})).unwrap();
            let packed = pack(&json).unwrap();
            prop_assert!(packed.len() <= json.len());
            prop_assert_eq!(unpack(packed).unwrap(), json);
        }
    }
}
