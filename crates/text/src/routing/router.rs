//! The server's routing suggestions: models of the office's own history (a case's text to its
//! category, and to the unit it was finally routed to), retrained in the background, and the
//! most frequent categories and units as the answer before any model exists.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use xinfang_domain::{Case, UnitId};
use xinfang_store::{Store, StoreError};

use super::{Featurizer, Model, Training};

/// What the suggestions are drawn from, as last trained.
#[derive(Default)]
pub struct Learned {
    categories: Option<Model>,
    units: Option<Model>,
    /// Categories and units by how often cases went there, most first.
    frequent_categories: Vec<String>,
    frequent_units: Vec<UnitId>,
    /// Cases learned from.
    pub cases: usize,
}

/// A suggested category (its `大类/小类` text) or unit, with a score in 0..1 and whether the
/// model (rather than the frequencies) put it there.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggested<T> {
    pub value: T,
    pub score: f32,
    pub learned: bool,
}

/// Cases shorter than this in the history are left out of training (nothing to learn).
const MIN_TEXT: usize = 2;

impl Learned {
    /// Trains on cases: every case's category, and the unit each routed case went to. Reports
    /// (检举控告) are left out: what the suggestions say must not depend on them.
    pub fn train(cases: &[Case]) -> Learned {
        let text = |c: &Case| format!("{}\n{}", c.title, c.content);
        let usable: Vec<&Case> = cases
            .iter()
            .filter(|c| {
                !c.is_report && c.title.chars().count() + c.content.chars().count() >= MIN_TEXT
            })
            .collect();
        let categories: Vec<(String, String)> = usable
            .iter()
            .filter(|c| !c.category.is_empty())
            .map(|c| (text(c), c.category.clone()))
            .collect();
        let units: Vec<(String, String)> = usable
            .iter()
            .filter_map(|c| c.handling_unit.map(|u| (text(c), u.0.to_string())))
            .collect();
        let training = Training::default();
        Learned {
            frequent_categories: by_frequency(categories.iter().map(|(_, l)| l.clone())),
            frequent_units: by_frequency(units.iter().map(|(_, l)| l.clone()))
                .into_iter()
                .filter_map(|u| u.parse().ok().map(UnitId))
                .collect(),
            categories: Model::train(&categories, training),
            units: Model::train(&units, training),
            cases: usable.len(),
        }
    }

    /// Categories for a text, best first: the model's, then the frequent ones it lacks.
    pub fn categories(&self, featurizer: &mut Featurizer, text: &str) -> Vec<Suggested<String>> {
        let learned = self
            .categories
            .as_ref()
            .map(|m| m.scores(featurizer, text))
            .unwrap_or_default();
        merged(
            learned.into_iter().map(|s| (s.label, s.score)),
            self.frequent_categories.iter().cloned(),
        )
    }

    /// Units for a text, best first, as [`Learned::categories`].
    pub fn units(&self, featurizer: &mut Featurizer, text: &str) -> Vec<Suggested<UnitId>> {
        let learned = self
            .units
            .as_ref()
            .map(|m| m.scores(featurizer, text))
            .unwrap_or_default();
        merged(
            learned
                .into_iter()
                .filter_map(|s| s.label.parse().ok().map(|id| (UnitId(id), s.score))),
            self.frequent_units.iter().copied(),
        )
    }
}

fn by_frequency(values: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.into_iter().map(|(v, _)| v).collect()
}

/// The model's labels, then the frequent ones it did not name (score 0).
fn merged<T: PartialEq>(
    learned: impl Iterator<Item = (T, f32)>,
    frequent: impl Iterator<Item = T>,
) -> Vec<Suggested<T>> {
    let mut out: Vec<Suggested<T>> = learned
        .map(|(value, score)| Suggested {
            value,
            score,
            learned: true,
        })
        .collect();
    for value in frequent {
        if !out.iter().any(|s| s.value == value) {
            out.push(Suggested {
                value,
                score: 0.0,
                learned: false,
            });
        }
    }
    out
}

/// The suggestions a server answers with, swapped whole when a training ends.
#[derive(Clone, Default)]
pub struct Router {
    learned: Arc<RwLock<Arc<Learned>>>,
}

/// Cases read at a time when training.
const PAGE: i64 = 5_000;
/// The newest cases learned from: a few years of a city's decisions (training on 100,000 cases
/// takes about 20 s and 0.5 GB on two cores), and routing follows the present organisation.
pub const MAX_CASES: i64 = 100_000;

impl Router {
    /// What the suggestions are drawn from now.
    pub fn learned(&self) -> Arc<Learned> {
        self.learned
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Trains on the newest [`MAX_CASES`] cases in the store (on a blocking thread) and answers
    /// from the new models from then on; the old ones answer meanwhile.
    pub async fn retrain(&self, store: &Store) -> Result<usize, StoreError> {
        let mut cases = Vec::new();
        let mut after = (store.next_case_id().await? - 1 - MAX_CASES).max(0);
        loop {
            let page = store.cases_after(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id.0;
            cases.extend(page);
        }
        let learned = tokio::task::spawn_blocking(move || Learned::train(&cases))
            .await
            .map_err(|e| StoreError::Config(format!("训练任务中断：{e}")))?;
        let n = learned.cases;
        *self
            .learned
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(learned);
        Ok(n)
    }
}
