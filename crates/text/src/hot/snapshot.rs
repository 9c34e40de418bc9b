//! The hot issues' state kept in a file, so that a start reads it (about a second at a million
//! cases) instead of grouping every case again (minutes). A header names the layout and the log
//! position it holds, with that event's hash: a snapshot of another log (a restored backup, a
//! database swapped under the same path) is recognised and set aside.

use std::io::{BufWriter, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::follow::State;

const MAGIC: &str = "xinfang hot issues";
/// Raised whenever the state's layout or the grouping's rules change: an older snapshot is then
/// regrouped rather than read.
const LAYOUT: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Header {
    magic: String,
    layout: u32,
    seq: i64,
    hash: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Format(#[from] postcard::Error),
}

/// Writes the snapshot beside `path` and moves it in place (a reader sees the old file or the
/// new one, never half); answers its size.
pub(super) fn save(path: &Path, seq: i64, hash: &str, state: &State) -> Result<u64, SnapshotError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Unique, so that two saves (a timer's and a stop's, or two processes') never share one.
    let tmp = path.with_extension(format!(
        "tmp-{}-{:x}",
        std::process::id(),
        rand::random::<u64>()
    ));
    let header = Header {
        magic: MAGIC.to_string(),
        layout: LAYOUT,
        seq,
        hash: hash.to_string(),
    };
    let written = (|| {
        let mut out = BufWriter::new(std::fs::File::create(&tmp)?);
        out.write_all(&postcard::to_allocvec(&header)?)?;
        postcard::to_io(state, &mut out)?;
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        let size = file.metadata()?.len();
        std::fs::rename(&tmp, path)?;
        Ok::<u64, SnapshotError>(size)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Reads the snapshot: its log position, that event's hash and the state; `None` when there is
/// none or it is of another layout.
pub(super) fn load(path: &Path) -> Result<Option<(i64, String, State)>, SnapshotError> {
    let mut bytes = Vec::new();
    match std::fs::File::open(path) {
        Ok(mut f) => f.read_to_end(&mut bytes)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let (header, rest): (Header, &[u8]) = postcard::take_from_bytes(&bytes)?;
    if header.magic != MAGIC || header.layout != LAYOUT {
        return Ok(None);
    }
    let mut state: State = postcard::from_bytes(rest)?;
    state.reindex();
    Ok(Some((header.seq, header.hash, state)))
}
