//! The server's routing suggestions: models of the office's own history (a case's text to its
//! category, and to the unit it was finally routed to), retrained in the background; the
//! decisions made since, followed from the log, so that a correction counts at once; and the
//! most frequent categories and units (for the region, then overall) before any model exists.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use xinfang_domain::dispatch::{self, DispatchRule, Matter};
use xinfang_domain::{Case, CaseId, UnitId};
use xinfang_store::{Store, StoreError};

use super::{Featurized, Featurizer, Model, Training};

/// What the suggestions are drawn from, as last trained; kept in the database, so that a
/// restarted server suggests from its first request.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct Learned {
    categories: Option<Model>,
    units: Option<Model>,
    /// Texts each model learned from.
    #[serde(default)]
    pub trained_on: TrainedOn,
    /// The log position the history was read at (0 for models from a file only).
    #[serde(default)]
    pub upto: i64,
    frequent: Frequent,
    by_region: HashMap<String, Frequent>,
    /// The units cases of each category went to, most often first.
    by_category: HashMap<String, Vec<UnitId>>,
    /// The newest cases each unit handled, to name as examples of a suggestion.
    examples: HashMap<UnitId, Vec<Example>>,
    /// Cases learned from.
    pub cases: usize,
}

/// How many texts each model learned from.
#[derive(Debug, Default, Clone, Copy, Serialize, Deserialize)]
pub struct TrainedOn {
    pub categories: usize,
    pub units: usize,
}

/// Categories and units by how often cases went there, most first.
#[derive(Clone, Default, Serialize, Deserialize)]
struct Frequent {
    categories: Vec<String>,
    units: Vec<UnitId>,
}

/// A past case named as an example: its id and its text's character pairs (hashed, sorted),
/// to pick the examples that read most like the text asked about.
#[derive(Clone, Serialize, Deserialize)]
struct Example {
    case: CaseId,
    pairs: Vec<u32>,
}

/// Why something is suggested.
#[derive(Debug, Clone, PartialEq)]
pub enum Why {
    /// A case with the same text was routed there (or given that category) since the models
    /// were trained: the office's latest word, a correction included.
    Decided(CaseId),
    /// A rule of the dispatch catalogue names the unit.
    Rule { name: String, basis: String },
    /// The model: cases that read alike went there (with examples, newest and most alike first).
    Learned(Vec<CaseId>),
    /// Among the units cases of the matter's category went to most often.
    FrequentForCategory,
    /// Among the most frequent for the region.
    FrequentInRegion,
    /// Among the most frequent overall.
    Frequent,
}

/// A suggested category (its `大类/小类` text) or unit, with a score in 0..1 and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggested<T> {
    pub value: T,
    pub score: f32,
    pub why: Why,
}

/// What a model predicts: a case's category, or the unit it goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Category,
    Unit,
}

/// A model learned from fewer texts of the history than this does not replace one trained on a
/// labelled file (a new office's first weeks).
pub const MIN_HISTORY: usize = 200;
/// The name the learned models are kept under in the database.
const SAVED: &str = "learned";

/// Cases shorter than this in the history are left out of training (nothing to learn).
const MIN_TEXT: usize = 2;
/// Examples kept per unit, and offered per suggestion (the caller sees those it may).
const EXAMPLES_KEPT: usize = 24;
const EXAMPLES_OFFERED: usize = 4;

fn text_of(c: &Case) -> String {
    format!("{}\n{}", c.title, c.content)
}

/// Reports (检举控告) are never learned from: what the suggestions say must not depend on them.
fn learnable(c: &Case) -> bool {
    !c.is_report && c.title.chars().count() + c.content.chars().count() >= MIN_TEXT
}

impl Learned {
    /// Trains on cases: every case's category, and the unit each routed case went to. The
    /// texts are featurized once for both models.
    pub fn train(cases: &[Case]) -> Learned {
        Learned::counted(cases).with_models(cases)
    }

    /// What [`Learned::counted`] gave, with the two models trained on the same cases.
    fn with_models(self, cases: &[Case]) -> Learned {
        let mut learned = self;
        let usable: Vec<&Case> = cases.iter().filter(|c| learnable(c)).collect();
        let texts: Vec<String> = usable.iter().map(|c| text_of(c)).collect();
        let started = std::time::Instant::now();
        let featurized = Featurized::of(texts.iter().map(String::as_str));
        tracing::debug!(
            seconds = started.elapsed().as_secs_f64(),
            "routing: texts featurized"
        );
        let categories: Vec<(usize, &str)> = usable
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.category.is_empty())
            .map(|(i, c)| (i, c.category.as_str()))
            .collect();
        let unit_labels: Vec<String> = usable
            .iter()
            .map(|c| c.handling_unit.map(|u| u.0.to_string()).unwrap_or_default())
            .collect();
        let units: Vec<(usize, &str)> = unit_labels
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.is_empty())
            .map(|(i, l)| (i, l.as_str()))
            .collect();
        let training = Training::default();
        let t0 = std::time::Instant::now();
        learned.categories = Model::train_on(&featurized, &categories, training);
        let t1 = std::time::Instant::now();
        learned.units = Model::train_on(&featurized, &units, training);
        tracing::debug!(
            categories = (t1 - t0).as_secs_f64(),
            units = t1.elapsed().as_secs_f64(),
            "routing: models trained"
        );
        learned.trained_on = TrainedOn {
            categories: categories.len(),
            units: units.len(),
        };
        learned
    }

    /// Neither models nor counts (a server's first start on an office's history).
    fn knows_nothing(&self) -> bool {
        self.cases == 0 && self.categories.is_none() && self.units.is_none()
    }

    /// What counting the cases gives, before any model: the most frequent categories and units
    /// (overall, by region, by category) and each unit's latest cases as examples.
    pub fn counted(cases: &[Case]) -> Learned {
        let usable: Vec<&Case> = cases.iter().filter(|c| learnable(c)).collect();
        let mut by_region: HashMap<&str, Vec<&Case>> = HashMap::new();
        let mut by_category: HashMap<&str, Vec<&Case>> = HashMap::new();
        for c in &usable {
            if let Some(r) = c.region.as_deref().filter(|r| !r.is_empty()) {
                by_region.entry(r).or_default().push(c);
            }
            if !c.category.is_empty() && c.handling_unit.is_some() {
                by_category.entry(c.category.as_str()).or_default().push(c);
            }
        }
        // Newest first, so that each unit keeps its latest examples.
        let mut examples: HashMap<UnitId, Vec<Example>> = HashMap::new();
        for c in usable.iter().rev() {
            if let Some(u) = c.handling_unit {
                let kept = examples.entry(u).or_default();
                if kept.len() < EXAMPLES_KEPT {
                    kept.push(Example {
                        case: c.id,
                        pairs: pairs(&text_of(c)),
                    });
                }
            }
        }
        Learned {
            frequent: Frequent::of(&usable),
            by_region: by_region
                .into_iter()
                .map(|(r, cs)| (r.to_string(), Frequent::of(&cs)))
                .collect(),
            by_category: by_category
                .into_iter()
                .map(|(k, cs)| (k.to_string(), Frequent::of(&cs).units))
                .collect(),
            examples,
            categories: None,
            units: None,
            trained_on: TrainedOn::default(),
            upto: 0,
            cases: usable.len(),
        }
    }

    /// Categories for a text, best first: the model's, then the frequent ones it lacks.
    pub fn categories(
        &self,
        featurizer: &mut Featurizer,
        text: &str,
        region: Option<&str>,
    ) -> Vec<Suggested<String>> {
        let learned = self
            .categories
            .as_ref()
            .map(|m| m.scores(featurizer, text))
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.label, s.score, Why::Learned(Vec::new())));
        let regional = self.regional(region).map(|f| {
            f.categories
                .iter()
                .cloned()
                .map(|c| (c, Why::FrequentInRegion))
        });
        merged(
            learned,
            regional.into_iter().flatten(),
            self.frequent.categories.iter().cloned(),
        )
    }

    /// Units for a text, best first, as [`Learned::categories`]; the model's come with the
    /// examples of each unit that read most like the text.
    pub fn units(
        &self,
        featurizer: &mut Featurizer,
        text: &str,
        region: Option<&str>,
        category: Option<&str>,
    ) -> Vec<Suggested<UnitId>> {
        let asked = pairs(text);
        let learned = self
            .units
            .as_ref()
            .map(|m| m.scores(featurizer, text))
            .unwrap_or_default()
            .into_iter()
            .filter_map(|s| {
                let unit = UnitId(s.label.parse().ok()?);
                Some((unit, s.score, Why::Learned(self.examples_of(unit, &asked))))
            });
        // The units of the matter's category, then of its region, before those overall.
        let of_category = category
            .and_then(|c| self.by_category.get(c))
            .map(|u| u.iter().copied().map(|u| (u, Why::FrequentForCategory)));
        let regional = self
            .regional(region)
            .map(|f| f.units.iter().copied().map(|u| (u, Why::FrequentInRegion)));
        merged(
            learned,
            of_category
                .into_iter()
                .flatten()
                .chain(regional.into_iter().flatten()),
            self.frequent.units.iter().copied(),
        )
    }

    /// The model of `target`, trained elsewhere (a labelled file for a cold start), in the
    /// place of the one learned from the history.
    pub fn set_model(&mut self, target: Target, model: Model, texts: usize) {
        match target {
            Target::Category => {
                self.categories = Some(model);
                self.trained_on.categories = texts;
            }
            Target::Unit => {
                self.units = Some(model);
                self.trained_on.units = texts;
            }
        }
    }

    /// Where the history taught too little for a model, the one `before` had (from a file)
    /// answers on.
    fn keep_where_thin(&mut self, before: &mut Learned) {
        if self.trained_on.categories < MIN_HISTORY && before.categories.is_some() {
            self.categories = before.categories.take();
            self.trained_on.categories = before.trained_on.categories;
        }
        if self.trained_on.units < MIN_HISTORY && before.units.is_some() {
            self.units = before.units.take();
            self.trained_on.units = before.trained_on.units;
        }
    }

    fn regional(&self, region: Option<&str>) -> Option<&Frequent> {
        self.by_region.get(region?.trim())
    }

    /// The unit's kept cases most alike to the text (by shared character pairs), at most
    /// [`EXAMPLES_OFFERED`].
    fn examples_of(&self, unit: UnitId, asked: &[u32]) -> Vec<CaseId> {
        let Some(kept) = self.examples.get(&unit) else {
            return Vec::new();
        };
        let mut scored: Vec<(usize, usize, CaseId)> = kept
            .iter()
            .enumerate()
            .map(|(age, e)| (shared(asked, &e.pairs), age, e.case))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored
            .into_iter()
            .take(EXAMPLES_OFFERED)
            .map(|(_, _, c)| c)
            .collect()
    }
}

impl Frequent {
    fn of(cases: &[&Case]) -> Frequent {
        Frequent {
            categories: by_frequency(
                cases
                    .iter()
                    .filter(|c| !c.category.is_empty())
                    .map(|c| c.category.clone()),
            ),
            units: by_frequency(cases.iter().filter_map(|c| c.handling_unit)),
        }
    }
}

/// A text's distinct character pairs, hashed (FNV-1a) and sorted.
fn pairs(text: &str) -> Vec<u32> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    let mut out: Vec<u32> = chars
        .windows(2)
        .map(|w| {
            let mut h: u32 = 0x811c_9dc5;
            for c in w {
                h = (h ^ *c as u32).wrapping_mul(0x0100_0193);
            }
            h
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// How many items two sorted lists share.
fn shared(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

fn by_frequency<T: std::hash::Hash + Eq + Ord>(values: impl Iterator<Item = T>) -> Vec<T> {
    let mut counts: HashMap<T, usize> = HashMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let mut out: Vec<(T, usize)> = counts.into_iter().collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out.into_iter().map(|(v, _)| v).collect()
}

/// The model's labels, then the frequent ones of the matter's category or region, then those
/// overall (score 0).
fn merged<T: PartialEq>(
    learned: impl Iterator<Item = (T, f32, Why)>,
    particular: impl Iterator<Item = (T, Why)>,
    frequent: impl Iterator<Item = T>,
) -> Vec<Suggested<T>> {
    let mut out: Vec<Suggested<T>> = learned
        .map(|(value, score, why)| Suggested { value, score, why })
        .collect();
    let rest = particular.chain(frequent.map(|v| (v, Why::Frequent)));
    for (value, why) in rest {
        if !out.iter().any(|s| s.value == value) {
            out.push(Suggested {
                value,
                score: 0.0,
                why,
            });
        }
    }
    out
}

/// A decision made since the models were trained: where a case with this text went.
#[derive(Clone)]
struct Decision {
    case: CaseId,
    category: String,
    unit: Option<UnitId>,
    /// The log position it was read at.
    seq: i64,
}

/// The decisions followed from the log since the last training, by normalised text.
#[derive(Default)]
struct Recent {
    by_text: HashMap<String, Decision>,
}

/// The text as compared for "the same text": letters and digits only, lower case.
fn normalised(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The suggestions a server answers with: the models, swapped whole when a training ends, and
/// the decisions made since.
#[derive(Clone)]
pub struct Router {
    learned: Arc<RwLock<Arc<Learned>>>,
    recent: Arc<RwLock<Recent>>,
    /// The catalogue's rules in force or to come (stopped ones left out), reloaded when the
    /// log shows a change.
    catalogue: Arc<RwLock<Arc<Vec<DispatchRule>>>>,
    followed: watch::Receiver<i64>,
    followed_tx: Arc<watch::Sender<i64>>,
}

impl Default for Router {
    fn default() -> Self {
        let (tx, rx) = watch::channel(0);
        Router {
            learned: Arc::default(),
            recent: Arc::default(),
            catalogue: Arc::default(),
            followed: rx,
            followed_tx: Arc::new(tx),
        }
    }
}

/// Cases read at a time when training.
const PAGE: i64 = 5_000;
/// The newest cases learned from: a few years of a city's decisions (training on 100,000 cases
/// takes about 20 s and 0.5 GB on two cores), and routing follows the present organisation.
pub const MAX_CASES: i64 = 100_000;
/// Events read at a time while following the log.
const EVENTS_PER_STEP: i64 = 20_000;
/// How long a suggestion waits for the decisions committed before it to be taken in.
const FRESHNESS_WAIT: Duration = Duration::from_secs(2);
/// Decisions remembered between trainings at most (a busy hour holds far fewer).
const MAX_RECENT: usize = 200_000;

impl Router {
    /// What the suggestions are drawn from now.
    pub fn learned(&self) -> Arc<Learned> {
        self.learned
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Trains on the newest [`MAX_CASES`] cases in the store (on a blocking thread) and answers
    /// from the new models from then on; the old ones answer meanwhile. Decisions the training
    /// saw are no longer kept apart.
    pub async fn retrain(&self, store: &Store) -> Result<usize, StoreError> {
        let started = std::time::Instant::now();
        let seen_upto = *store.committed().borrow();
        let mut cases = Vec::new();
        let mut after = (store.next_case_id().await? - 1 - MAX_CASES).max(0);
        loop {
            let page = store.cases_after(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.id.0;
            cases.extend(page);
        }
        let read = started.elapsed();
        let counted = Learned::counted(&cases);
        // A server that knows nothing yet answers with the counts while the models train.
        if self.learned().knows_nothing() {
            let mut first = counted.clone();
            first.upto = seen_upto;
            self.swap(first);
        }
        let mut learned = tokio::task::spawn_blocking(move || counted.with_models(&cases))
            .await
            .map_err(|e| StoreError::Config(format!("训练任务中断：{e}")))?;
        let trained = started.elapsed();
        learned.upto = seen_upto;
        let n = learned.cases;
        if self.learned().upto > learned.upto {
            // A training that read the log later has already answered.
            return Ok(n);
        }
        // Where the history is thin, the kept model (one trained on a file meanwhile included)
        // answers on.
        let thin =
            learned.trained_on.categories < MIN_HISTORY || learned.trained_on.units < MIN_HISTORY;
        if thin && let Some(mut before) = load(store).await? {
            learned.keep_where_thin(&mut before);
        }
        // Nothing learned is nothing to keep (a new server on an empty database).
        if !learned.knows_nothing() {
            save(store, &learned).await?;
        }
        self.swap(learned);
        self.recent
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_text
            .retain(|_, d| d.seq > seen_upto);
        tracing::debug!(
            reading = read.as_secs_f64(),
            training = (trained - read).as_secs_f64(),
            keeping = (started.elapsed() - trained).as_secs_f64(),
            "routing: retrained"
        );
        Ok(n)
    }

    /// Follows the store's log from now on: each committed case's category and unit become the
    /// latest decision for its text (in this process and, through the log, in every other).
    pub fn follow(&self, store: Store) {
        let router = self.clone();
        let start = *store.committed().borrow();
        tokio::spawn(async move {
            match load(&store).await {
                Ok(Some(kept)) => router.swap(kept),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "routing: the kept models could not be read"),
            }
            while let Err(e) = router.reload_catalogue(&store).await {
                tracing::warn!(error = %e, "routing: reading the dispatch catalogue failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            router.followed_tx.send_replace(start);
            let mut committed = store.committed();
            let mut mark = start;
            loop {
                let head = *committed.borrow_and_update();
                while mark < head {
                    let upto = head.min(mark + EVENTS_PER_STEP);
                    match router.step(&store, mark, upto).await {
                        Ok(()) => {
                            mark = upto;
                            router.followed_tx.send_replace(mark);
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "routing: following the log failed; retrying");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
                if committed.changed().await.is_err() {
                    return;
                }
            }
        });
    }

    /// Answers from `learned` unless what answers now was trained on a later log.
    fn swap(&self, learned: Learned) {
        let mut current = self
            .learned
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if current.upto <= learned.upto {
            *current = Arc::new(learned);
        }
    }

    /// Takes in the log between `after` and `upto`: the cases' decisions, and the catalogue
    /// when a rule changed.
    async fn step(&self, store: &Store, after: i64, upto: i64) -> Result<(), StoreError> {
        let cases = store.cases_touched(after, upto).await?;
        self.take_in(&cases, upto);
        if store.logged_between(&dispatch::EVENTS, after, upto).await? {
            self.reload_catalogue(store).await?;
        }
        Ok(())
    }

    async fn reload_catalogue(&self, store: &Store) -> Result<(), StoreError> {
        let rules = store.all::<DispatchRule>(Some("active")).await?;
        *self
            .catalogue
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(rules);
        Ok(())
    }

    /// The catalogue's rules as last read.
    pub fn catalogue(&self) -> Arc<Vec<DispatchRule>> {
        self.catalogue
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn take_in(&self, cases: &[Case], seq: i64) {
        let mut recent = self
            .recent
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.by_text.len() > MAX_RECENT {
            recent.by_text.clear();
        }
        for c in cases.iter().filter(|c| learnable(c)) {
            recent.by_text.insert(
                normalised(&text_of(c)),
                Decision {
                    case: c.id,
                    category: c.category.clone(),
                    unit: c.handling_unit,
                    seq,
                },
            );
        }
    }

    /// Waits until the decisions committed before the call are taken in (briefly).
    pub async fn fresh(&self, store: &Store) -> bool {
        let target = *store.committed().borrow();
        let mut rx = self.followed.clone();
        tokio::time::timeout(FRESHNESS_WAIT, rx.wait_for(|seq| *seq >= target))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Categories for a text, best first: the latest decision on the same text (about another
    /// case than `except`, the case being sorted), then what [`Learned::categories`] gives.
    pub fn categories(
        &self,
        featurizer: &mut Featurizer,
        text: &str,
        region: Option<&str>,
        except: Option<CaseId>,
    ) -> Vec<Suggested<String>> {
        let decided = self
            .decided(text, except)
            .filter(|d| !d.category.is_empty())
            .map(|d| Suggested {
                value: d.category,
                score: 1.0,
                why: Why::Decided(d.case),
            });
        first_then(decided, self.learned().categories(featurizer, text, region))
    }

    /// Units for a matter, best first: the latest decision on the same text, then the units
    /// of the catalogue's rules it meets (see [`dispatch::matching`]), then what
    /// [`Learned::units`] gives.
    pub fn units(
        &self,
        featurizer: &mut Featurizer,
        matter: &Matter,
        except: Option<CaseId>,
    ) -> Vec<Suggested<UnitId>> {
        let decided = self.decided(matter.text, except).and_then(|d| {
            Some(Suggested {
                value: d.unit?,
                score: 1.0,
                why: Why::Decided(d.case),
            })
        });
        let catalogue = self.catalogue();
        let ruled = dispatch::matching(&catalogue, matter)
            .into_iter()
            .flat_map(|r| {
                r.units.iter().map(|u| Suggested {
                    value: *u,
                    score: 1.0,
                    why: Why::Rule {
                        name: r.name.clone(),
                        basis: r.basis.clone(),
                    },
                })
            });
        let mut out: Vec<Suggested<UnitId>> = decided.into_iter().collect();
        let learned = self.learned();
        let rest = learned.units(featurizer, matter.text, matter.region, matter.category);
        for s in ruled.chain(rest) {
            if !out.iter().any(|o| o.value == s.value) {
                out.push(s);
            }
        }
        out
    }

    fn decided(&self, text: &str, except: Option<CaseId>) -> Option<Decision> {
        self.recent
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .by_text
            .get(&normalised(text))
            .filter(|d| Some(d.case) != except)
            .cloned()
    }
}

/// The models kept in the database, if any.
pub async fn load(store: &Store) -> Result<Option<Learned>, StoreError> {
    let Some(state) = store.routing_model(SAVED).await? else {
        return Ok(None);
    };
    tokio::task::spawn_blocking(move || serde_json::from_str(&state))
        .await
        .map_err(|e| StoreError::Config(format!("读取模型中断：{e}")))?
        .map(Some)
        .map_err(|e| StoreError::Config(format!("保存的分流模型无法读取：{e}")))
}

/// Keeps the models in the database.
pub async fn save(store: &Store, learned: &Learned) -> Result<(), StoreError> {
    let state = serde_json::to_string(learned)
        .map_err(|e| StoreError::Config(format!("模型无法保存：{e}")))?;
    store.save_routing_model(SAVED, &state).await
}

fn first_then<T: PartialEq>(
    first: Option<Suggested<T>>,
    rest: Vec<Suggested<T>>,
) -> Vec<Suggested<T>> {
    let Some(first) = first else { return rest };
    let mut out = Vec::with_capacity(rest.len() + 1);
    out.extend(rest.into_iter().filter(|s| s.value != first.value));
    out.insert(0, first);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_pairs_count_what_two_texts_have_in_common() {
        let a = pairs("小区物业费上涨");
        let b = pairs("物业费收费过高");
        assert_eq!(shared(&a, &b), 2, "物业 and 业费");
        assert_eq!(shared(&a, &a), a.len());
        assert_eq!(shared(&a, &pairs("工资拖欠")), 0);
    }

    #[test]
    fn the_same_text_ignores_spaces_punctuation_and_case() {
        assert_eq!(normalised("物业 费，上涨!ABC"), normalised("物业费上涨abc"));
        assert_ne!(normalised("物业费上涨"), normalised("物业费下降"));
    }

    #[test]
    fn a_decision_comes_first_and_is_not_repeated() {
        let s = |v: i64, why: Why| Suggested {
            value: v,
            score: 0.5,
            why,
        };
        let out = first_then(
            Some(s(2, Why::Decided(CaseId(9)))),
            vec![
                s(1, Why::Frequent),
                s(2, Why::Frequent),
                s(3, Why::Frequent),
            ],
        );
        let values: Vec<i64> = out.iter().map(|s| s.value).collect();
        assert_eq!(values, vec![2, 1, 3]);
        assert_eq!(out[0].why, Why::Decided(CaseId(9)));
    }

    fn model(labels: [&str; 2]) -> Model {
        let examples: Vec<(String, String)> = (0..10)
            .map(|i| {
                let l = labels[i % 2];
                (format!("{l}的事情{i}"), l.to_string())
            })
            .collect();
        Model::train(&examples, Training::default()).unwrap()
    }

    #[test]
    fn a_thin_history_keeps_the_model_trained_on_a_file() {
        let mut from_file = Learned::default();
        from_file.set_model(Target::Category, model(["甲", "乙"]), 5_000);
        let mut thin = Learned {
            categories: Some(model(["丙", "丁"])),
            trained_on: TrainedOn {
                categories: MIN_HISTORY - 1,
                units: 0,
            },
            ..Learned::default()
        };
        thin.keep_where_thin(&mut from_file);
        assert_eq!(thin.categories.as_ref().unwrap().labels(), ["乙", "甲"]);
        assert_eq!(thin.trained_on.categories, 5_000);
        assert!(
            thin.units.is_none(),
            "nothing kept where the file had nothing"
        );

        let mut from_file = Learned::default();
        from_file.set_model(Target::Category, model(["甲", "乙"]), 5_000);
        let mut rich = Learned {
            categories: Some(model(["丙", "丁"])),
            trained_on: TrainedOn {
                categories: MIN_HISTORY,
                units: 0,
            },
            ..Learned::default()
        };
        rich.keep_where_thin(&mut from_file);
        assert_eq!(rich.categories.as_ref().unwrap().labels(), ["丁", "丙"]);
    }

    #[test]
    fn regional_frequencies_come_before_the_overall_ones() {
        let out = merged(
            std::iter::once((7, 0.9, Why::Learned(Vec::new()))),
            [(5, Why::FrequentInRegion), (7, Why::FrequentInRegion)].into_iter(),
            [1, 5, 6].into_iter(),
        );
        let order: Vec<(i64, Why)> = out.into_iter().map(|s| (s.value, s.why)).collect();
        assert_eq!(
            order,
            vec![
                (7, Why::Learned(Vec::new())),
                (5, Why::FrequentInRegion),
                (1, Why::Frequent),
                (6, Why::Frequent)
            ]
        );
    }
}
