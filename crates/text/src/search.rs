//! Following the log into the index, and searching it for a viewer.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;
use xinfang_domain::{Actor, UnitPath, access};
use xinfang_store::Store;
use xinfang_store::read::{CaseSummary, MAX_PER_PAGE, Page};

use crate::index::Reach;
use crate::{CaseIndex, CaseText, Synonyms, TextError};

/// Events read per index commit while catching up.
const EVENTS_PER_BATCH: i64 = 20_000;
/// Cases read per index commit while rebuilding.
const CASES_PER_BATCH: i64 = 5_000;
/// Cases between two log lines of a rebuild.
const PROGRESS_EVERY: usize = 100_000;
/// How long a search waits for the index to take in what was committed before it began.
const FRESHNESS_WAIT: Duration = Duration::from_secs(3);
/// A search never pages further than this (as for case lists, narrow the words instead).
pub const MAX_HITS: usize = 2_000;

/// The index and the task that keeps it up with the log.
#[derive(Clone)]
pub struct TextSearch {
    index: Arc<CaseIndex>,
    indexed: watch::Receiver<i64>,
    store: Store,
    /// True while a lost or outdated index is refilled from the cases table.
    rebuilding: Arc<AtomicBool>,
}

impl TextSearch {
    /// Starts following the store's log into `index`: a missing or rebuilt index is filled from
    /// the cases table first, then every commit's cases are re-indexed.
    pub async fn start(store: Store, index: CaseIndex) -> Result<TextSearch, TextError> {
        TextSearch::start_in_batches(store, index, CASES_PER_BATCH).await
    }

    /// As [`TextSearch::start`], a rebuild taking `cases_per_batch` cases per index commit (a
    /// test makes a small table rebuild like a large one).
    pub async fn start_in_batches(
        store: Store,
        index: CaseIndex,
        cases_per_batch: i64,
    ) -> Result<TextSearch, TextError> {
        let index = Arc::new(index);
        let (tx, rx) = watch::channel(index.watermark()?);
        let rebuilding = Arc::new(AtomicBool::new(false));
        let batch = cases_per_batch.max(1);
        tokio::spawn(follow(
            store.clone(),
            index.clone(),
            tx,
            rebuilding.clone(),
            batch,
        ));
        Ok(TextSearch {
            index,
            indexed: rx,
            store,
            rebuilding,
        })
    }

    /// Waits until the index holds every event committed before the call; false on timeout.
    /// While the index is being rebuilt, or is further behind than one step of catching up,
    /// it answers false at once: a search then answers with what the index holds and says so,
    /// rather than waiting for nothing.
    pub async fn fresh(&self) -> bool {
        let target = *self.store.committed().borrow();
        if self.is_rebuilding() || target - self.indexed() > EVENTS_PER_BATCH {
            return false;
        }
        let mut rx = self.indexed.clone();
        tokio::time::timeout(FRESHNESS_WAIT, rx.wait_for(|seq| *seq >= target))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The index's directory (none for an index in memory).
    pub fn dir(&self) -> Option<&std::path::Path> {
        self.index.dir()
    }

    /// How rare each word is among the indexed cases.
    pub fn rarity(&self) -> crate::index::IndexRarity {
        self.index.rarity()
    }

    /// Whether the index is being refilled from the cases table (after it was lost, or of
    /// another layout).
    pub fn is_rebuilding(&self) -> bool {
        self.rebuilding.load(Ordering::Relaxed)
    }

    /// Whether the index holds every committed event now (no waiting).
    pub fn is_current(&self) -> bool {
        *self.indexed.borrow() >= *self.store.committed().borrow()
    }

    /// The event sequence number the index has reached.
    pub fn indexed(&self) -> i64 {
        *self.indexed.borrow()
    }

    /// The ids of the cases the viewer may reach whose text holds every word of `query` (a
    /// listed word or one of its synonyms), best first, at most [`MAX_HITS`]; and whether more
    /// matched. The database narrows them further (see `Store::matching_in_order`).
    pub async fn ranked(&self, actor: &Actor, query: &str) -> Result<(Vec<i64>, bool), TextError> {
        let hits = self.hits(actor, query, 0, MAX_HITS).await?;
        Ok((hits.ids, hits.total > MAX_HITS))
    }

    /// Cases the viewer may see whose text holds every word of `query`, best first.
    pub async fn cases(
        &self,
        actor: &Actor,
        query: &str,
        page: u32,
        per_page: u32,
    ) -> Result<Page<CaseSummary>, TextError> {
        let per_page = per_page.clamp(1, MAX_PER_PAGE);
        let page = page.max(1);
        let offset = ((page - 1) as usize * per_page as usize).min(MAX_HITS);
        let hits = self.hits(actor, query, offset, per_page as usize).await?;
        // The database has the last word on visibility (the index may trail a forward by a moment).
        let items = self.store.summaries_in_order(actor, &hits.ids).await?;
        Ok(Page {
            items,
            page,
            per_page,
            total: hits.total.min(MAX_HITS) as i64,
            total_capped: hits.total > MAX_HITS,
        })
    }

    /// One window of the hits of `query` within the viewer's reach, after the index caught up
    /// with what was committed before the call, with the synonym list in force.
    async fn hits(
        &self,
        actor: &Actor,
        query: &str,
        offset: usize,
        limit: usize,
    ) -> Result<crate::Hits, TextError> {
        self.fresh().await;
        let synonyms = Synonyms::new(self.store.synonyms().await?);
        let scope = access::case_scope(actor).path().cloned();
        let reports = access::identity_lookups_reach_reports(actor);
        let index = self.index.clone();
        let query = query.to_string();
        tokio::task::spawn_blocking(move || {
            let reach = Reach {
                scope: scope.as_ref().map(UnitPath::as_str),
                reports,
            };
            index.search(&query, &synonyms, reach, offset, limit)
        })
        .await?
    }
}

impl TextSearch {
    /// Cases the viewer may see that read like `text` (the duplicate check at intake), most
    /// alike first.
    pub async fn similar(
        &self,
        actor: &Actor,
        text: &str,
        limit: usize,
    ) -> Result<Vec<CaseSummary>, TextError> {
        self.fresh().await;
        let scope = access::case_scope(actor).path().cloned();
        let reports = access::identity_lookups_reach_reports(actor);
        let index = self.index.clone();
        let text = text.to_string();
        let limit = limit.min(MAX_PER_PAGE as usize);
        let ids = tokio::task::spawn_blocking(move || {
            let reach = Reach {
                scope: scope.as_ref().map(UnitPath::as_str),
                reports,
            };
            index.similar(&text, reach, limit)
        })
        .await??;
        Ok(self.store.summaries_in_order(actor, &ids).await?)
    }
}

/// The follower: rebuild if empty, then index each committed range of the log.
async fn follow(
    store: Store,
    index: Arc<CaseIndex>,
    tx: watch::Sender<i64>,
    rebuilding: Arc<AtomicBool>,
    cases_per_batch: i64,
) {
    let mut committed = store.committed();
    loop {
        match step(&store, &index, &rebuilding, cases_per_batch).await {
            Ok(Some(seq)) => {
                tx.send_replace(seq);
                continue;
            }
            Ok(None) => {}
            // The runtime is shutting down.
            Err(TextError::Task(e)) if e.is_cancelled() => return,
            Err(e) => {
                tracing::error!(error = %e, "text index: catching up failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        }
        if tx.is_closed() && committed.has_changed().is_err() {
            return;
        }
        // Nothing new: wait for the next commit (or notice the store going away).
        tokio::select! {
            changed = committed.changed() => if changed.is_err() { return },
            _ = tx.closed() => return,
        }
    }
}

/// Clears the rebuilding flag however the rebuild ends (done, failed, cancelled).
struct Rebuilt<'a>(&'a AtomicBool);

impl Drop for Rebuilt<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Relaxed);
    }
}

/// One step of catching up; `Some(watermark)` when the index moved.
async fn step(
    store: &Store,
    index: &Arc<CaseIndex>,
    rebuilding: &AtomicBool,
    cases_per_batch: i64,
) -> Result<Option<i64>, TextError> {
    let head = *store.committed().borrow();
    let mark = index.watermark()?;
    if mark >= head {
        return Ok(None);
    }
    let org = store.org();
    if mark == 0 && index.is_empty() {
        // Rebuild from the read model, then take events after `head` as usual. A table of more
        // than one batch is a rebuild worth saying so (searches answer at once meanwhile); a
        // small one is done within a search's wait.
        let _done = Rebuilt(rebuilding);
        let started = std::time::Instant::now();
        let mut after = 0;
        let mut total = 0usize;
        loop {
            let cases = store.cases_after(after, cases_per_batch).await?;
            let Some(last) = cases.last() else { break };
            if cases.len() as i64 == cases_per_batch {
                rebuilding.store(true, Ordering::Relaxed);
            }
            after = last.id.0;
            total += cases.len();
            let texts: Vec<CaseText> = cases.iter().map(|c| CaseText::of(c, &org)).collect();
            let index = index.clone();
            // The watermark stays 0 until the whole table is in.
            tokio::task::spawn_blocking(move || index.apply(&texts, 0)).await??;
            // A server has no progress bar: a line every 100,000 cases says how far it is.
            if total % PROGRESS_EVERY < cases.len() {
                tracing::info!(
                    cases = total,
                    seconds = started.elapsed().as_secs_f64(),
                    "text index: rebuilding, word search answers with what is in"
                );
            }
        }
        let index2 = index.clone();
        tokio::task::spawn_blocking(move || index2.apply(&[], head)).await??;
        tracing::info!(
            cases = total,
            seconds = started.elapsed().as_secs_f64(),
            "text index rebuilt"
        );
        return Ok(Some(head));
    }
    let upto = head.min(mark + EVENTS_PER_BATCH);
    let cases = store.cases_touched(mark, upto).await?;
    let texts: Vec<CaseText> = cases.iter().map(|c| CaseText::of(c, &org)).collect();
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.apply(&texts, upto)).await??;
    Ok(Some(upto))
}
