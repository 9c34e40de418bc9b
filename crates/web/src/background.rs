//! What a server process does beside answering requests: the minute sweep (one process at a
//! time across the processes on a database) and following the log that other processes write.

use std::time::Duration;

use xinfang_store::Store;
use xinfang_store::shared::Job;

/// How often a process looks for commits of other processes on the database (their cases
/// reach its text index, their org chart and calendar changes its caches, within this).
pub const FOLLOW_EVERY: Duration = Duration::from_secs(1);

/// Every `every`: closes cases whose appeal window has lapsed, raises the supervision now due,
/// proposes cases for the joint conference, drops expired sessions and redeemed challenges.
/// Each pass runs in one process at a time; the steps are idempotent, so restarts are harmless.
pub fn spawn_sweeper(store: Store, every: Duration) {
    tokio::spawn(async move {
        // The first pass after `every`, like the others: a process just started is busy enough.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        let mut mark = xinfang_store::sweep::SweepMark::default();
        loop {
            tick.tick().await;
            match store
                .exclusively(Job::Sweep, sweep(&store, &mut mark))
                .await
            {
                Ok(Some(())) => {}
                Ok(None) => tracing::debug!("another process is sweeping"),
                Err(e) => tracing::warn!(error = %e, "sweeper failed; will retry"),
            }
        }
    });
}

async fn sweep(
    store: &Store,
    mark: &mut xinfang_store::sweep::SweepMark,
) -> Result<(), xinfang_store::StoreError> {
    match store.close_lapsed().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(closed = n, "closed cases whose appeal window lapsed"),
        Err(e) => tracing::warn!(error = %e, "closing lapsed cases failed; will retry"),
    }
    match store.sweep_mechanisms(mark).await {
        Ok((0, 0)) => {}
        Ok((raised, proposed)) => tracing::info!(
            raised,
            proposed,
            "raised supervision of late or bouncing cases; proposed cases for the joint conference"
        ),
        // The mark is kept: the next tick retries the same pass.
        Err(e) => {
            tracing::warn!(error = %e, "supervision or conference sweep failed; will retry")
        }
    }
    if let Err(e) = store.purge_sessions().await {
        tracing::warn!(error = %e, "could not purge expired sessions");
    }
    let expired = crate::pow::oldest_valid_issue();
    if let Err(e) = store.forget_challenges_before(expired).await {
        tracing::warn!(error = %e, "could not forget expired challenges");
    }
    Ok(())
}

/// How often the routing models learn the decisions made since.
pub const RETRAIN_EVERY: Duration = Duration::from_secs(3600);

/// At once and then every `every`: the routing models trained on the office's history, in the
/// background (the suggestions answer from the last models, or from frequencies, meanwhile).
pub fn spawn_routing_trainer(store: Store, router: xinfang_text::routing::Router, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let started = std::time::Instant::now();
            match router.retrain(&store).await {
                Ok(cases) => tracing::info!(
                    cases,
                    seconds = started.elapsed().as_secs_f64(),
                    "routing models trained"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "training the routing models failed; will retry")
                }
            }
        }
    });
}

/// Every `every`: catches up with the commits of other processes on the database.
pub fn spawn_log_follower(store: Store, every: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = store.follow_log().await {
                tracing::debug!(error = %e, "following the log failed; will retry");
            }
        }
    });
}
