//! The knowledge base searched (tantivy + jieba): the versions in force of every entry, in an
//! index held in memory and rebuilt whole when the log shows an entry changed (a knowledge
//! base holds hundreds or a few thousand entries: a rebuild takes milliseconds). A search waits
//! briefly for the changes committed before it.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, IndexReader, TantivyDocument, Term, doc};
use tokio::sync::watch;
use xinfang_domain::knowledge::{self, EntryKind, KnowledgeEntry};
use xinfang_store::{Store, StoreError};

use crate::TextError;
use crate::segment::{ANALYZER, analyzer, content_words};

const FRESHNESS_WAIT: Duration = Duration::from_secs(3);
/// Words of a query looked up.
const QUERY_WORDS: usize = 40;

/// An entry in force as a search finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub entry: KnowledgeEntry,
    pub score: f32,
}

struct Loaded {
    entries: Vec<KnowledgeEntry>,
    reader: Option<IndexReader>,
    title: Field,
    body: Field,
    slot: Field,
}

fn build(entries: Vec<KnowledgeEntry>) -> Result<Loaded, TextError> {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let title = b.add_text_field("title", text.clone());
    let body = b.add_text_field("body", text);
    let slot = b.add_u64_field("slot", INDEXED | STORED | FAST);
    let index = Index::create_in_ram(b.build());
    index.tokenizers().register(ANALYZER, analyzer());
    let entries: Vec<KnowledgeEntry> = entries
        .into_iter()
        .filter(|e| e.in_force().is_some())
        .collect();
    let reader = if entries.is_empty() {
        None
    } else {
        let mut writer = index.writer_with_num_threads(1, 15_000_000)?;
        for (i, e) in entries.iter().enumerate() {
            if let Some(c) = e.in_force() {
                writer.add_document(
                    doc!(title => c.title.clone(), body => c.body.clone(), slot => i as u64),
                )?;
            }
        }
        writer.commit()?;
        Some(index.reader()?)
    };
    Ok(Loaded {
        entries,
        reader,
        title,
        body,
        slot,
    })
}

/// The knowledge base in force and the task that keeps it up with the log.
#[derive(Clone)]
pub struct KnowledgeSearch {
    loaded: Arc<RwLock<Arc<Loaded>>>,
    followed: watch::Receiver<i64>,
}

/// What a search asks for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ask<'a> {
    pub text: &'a str,
    pub kind: Option<EntryKind>,
    /// Entries of this category (`大类/小类`) or of its group rank first.
    pub category: Option<&'a str>,
    /// Only what the portal shows (approved public Q&A).
    pub portal: bool,
    pub limit: usize,
}

impl KnowledgeSearch {
    /// Loads the entries in force and follows the log.
    pub fn start(store: Store) -> KnowledgeSearch {
        let loaded = Arc::new(RwLock::new(Arc::new(
            build(Vec::new()).expect("an empty index in memory"),
        )));
        let (tx, followed) = watch::channel(-1);
        let task = loaded.clone();
        tokio::spawn(async move { follow(store, task, tx).await });
        KnowledgeSearch { loaded, followed }
    }

    /// Waits until the changes committed before the call are searched (briefly).
    pub async fn fresh(&self, store: &Store) -> bool {
        let target = *store.committed().borrow();
        let mut rx = self.followed.clone();
        tokio::time::timeout(FRESHNESS_WAIT, rx.wait_for(|s| *s >= target))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The entries in force that match `ask`, best first: the words of `ask.text` in their
    /// title (counting double) or text, an entry of the same category before one of the same
    /// group before the rest. Without words: the entries of the category, newest first.
    pub fn search(&self, ask: Ask) -> Vec<Found> {
        let loaded = self
            .loaded
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let keep = |e: &KnowledgeEntry| {
            ask.kind.is_none_or(|k| e.kind == k) && (!ask.portal || e.on_portal().is_some())
        };
        let near = |e: &KnowledgeEntry| -> f32 {
            let (Some(want), Some(have)) = (
                ask.category,
                e.in_force().and_then(|c| c.category.as_deref()),
            ) else {
                return 1.0;
            };
            let group = |c: &str| c.split('/').next().unwrap_or(c).to_string();
            if want == have {
                2.0
            } else if group(want) == group(have) {
                1.5
            } else {
                1.0
            }
        };
        let words = content_words(ask.text, QUERY_WORDS);
        let mut found: Vec<Found> = match (&loaded.reader, words.is_empty()) {
            (Some(reader), false) => {
                let clauses: Vec<(Occur, Box<dyn Query>)> = words
                    .iter()
                    .flat_map(|w| {
                        [(loaded.title, 2.0), (loaded.body, 1.0)].map(|(f, boost)| {
                            let q: Box<dyn Query> = Box::new(BoostQuery::new(
                                Box::new(TermQuery::new(
                                    Term::from_field_text(f, w),
                                    IndexRecordOption::WithFreqs,
                                )),
                                boost,
                            ));
                            (Occur::Should, q)
                        })
                    })
                    .collect();
                let searcher = reader.searcher();
                let top = searcher
                    .search(
                        &BooleanQuery::new(clauses),
                        &TopDocs::with_limit(loaded.entries.len().max(1)).order_by_score(),
                    )
                    .unwrap_or_default();
                top.into_iter()
                    .filter_map(|(score, addr)| {
                        let d: TantivyDocument = searcher.doc(addr).ok()?;
                        let slot = d.get_first(loaded.slot)?.as_u64()? as usize;
                        let e = loaded.entries.get(slot)?;
                        keep(e).then(|| Found {
                            score: score * near(e),
                            entry: e.clone(),
                        })
                    })
                    .collect()
            }
            (_, true) => loaded
                .entries
                .iter()
                .filter(|e| keep(e) && (ask.category.is_none() || near(e) > 1.0))
                .rev()
                .map(|e| Found {
                    score: near(e),
                    entry: e.clone(),
                })
                .collect(),
            (None, false) => Vec::new(),
        };
        found.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then(b.entry.id.cmp(&a.entry.id))
        });
        found.truncate(ask.limit.max(1));
        found
    }
}

async fn follow(store: Store, loaded: Arc<RwLock<Arc<Loaded>>>, tx: watch::Sender<i64>) {
    let mut committed = store.committed();
    let mut mark = *committed.borrow_and_update();
    while let Err(e) = reload(&store, &loaded).await {
        tracing::warn!(error = %e, "knowledge base: loading failed; retrying");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    tx.send_replace(mark);
    loop {
        let head = *committed.borrow_and_update();
        if head > mark {
            match store.logged_between(&knowledge::EVENTS, mark, head).await {
                Ok(false) => {
                    mark = head;
                    tx.send_replace(mark);
                }
                Ok(true) => match reload(&store, &loaded).await {
                    Ok(()) => {
                        mark = head;
                        tx.send_replace(mark);
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "knowledge base: reloading failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                },
                Err(e) => {
                    tracing::warn!(error = %e, "knowledge base: following the log failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            }
        }
        if committed.changed().await.is_err() {
            return;
        }
    }
}

async fn reload(store: &Store, loaded: &Arc<RwLock<Arc<Loaded>>>) -> Result<(), StoreError> {
    let entries = store.all::<KnowledgeEntry>(None).await?;
    let built = tokio::task::spawn_blocking(move || build(entries))
        .await
        .map_err(|e| StoreError::Corrupt(format!("knowledge base: {e}")))?
        .map_err(|e| StoreError::Corrupt(format!("knowledge base: {e}")))?;
    *loaded
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(built);
    Ok(())
}
