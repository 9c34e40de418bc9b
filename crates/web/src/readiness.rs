//! `/readyz`: whether this server takes writes now. A load balancer stops sending it work while
//! it says no; `/healthz` stays 200 as long as the process lives.

use std::time::Duration;

use axum::extract::State;
use xinfang_store::StoreError;

use crate::AppState;
use crate::error::ApiError;

/// Below this much free space on a disk the server writes to, it is not ready: a petition with
/// its attachments would not fit, and SQLite needs room for its journal.
const LOW_SPACE_BYTES: u64 = 4 * 1024 * 1024;

/// How long the probe write may take before the database counts as away.
const PROBE_WAIT: Duration = Duration::from_secs(3);

/// Ready unless a local disk is (nearly) full, or the last commit failed and a probe write
/// still fails (a database away, a disk the server cannot see).
pub async fn readyz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    for dir in state.disks.iter() {
        // A directory that cannot be measured (removed, another platform) is not judged here.
        if let Ok(free) = fs4::available_space(dir)
            && free < LOW_SPACE_BYTES
        {
            return Err(
                StoreError::StorageFull(format!("{}: {free} bytes free", dir.display())).into(),
            );
        }
    }
    if state.store.health().failing().is_none() {
        return Ok("ready");
    }
    match tokio::time::timeout(PROBE_WAIT, state.store.probe()).await {
        Ok(Ok(())) => Ok("ready"),
        Ok(Err(e)) => Err(e.into()),
        Err(_) => {
            Err(StoreError::StorageUnavailable("the probe write did not finish".into()).into())
        }
    }
}
