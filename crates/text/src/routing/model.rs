//! The routing model: TF-IDF over a text's features and a linear support vector machine per
//! label (one against the rest), trained by dual coordinate descent (Hsieh et al., ICML 2008:
//! the method of liblinear, the reference baseline's learner). Labels are weighted by their
//! rarity, so that a unit that receives few cases is still suggested for them.
//!
//! Hand-written on purpose: linfa's logistic regression and SVM take dense matrices (a text's
//! features number in the hundreds of thousands, nearly all zero for any one text), and no
//! well-kept crate trains a sparse linear classifier; the solver is thirty lines.

use std::collections::HashMap;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::features::Featurizer;

/// A text as weighted features (feature index, TF-IDF weight), of unit length.
type Sparse = Vec<(u32, f32)>;

/// How a model is trained.
#[derive(Debug, Clone, Copy)]
pub struct Training {
    /// The cost of a margin violation (liblinear's C).
    pub cost: f32,
    /// Features seen in fewer texts than this are left out.
    pub min_count: u32,
    /// Passes over the texts at most.
    pub epochs: usize,
}

impl Default for Training {
    fn default() -> Self {
        Training {
            cost: 1.0,
            min_count: 2,
            epochs: 50,
        }
    }
}

/// A trained model: its labels, vocabulary, inverse document frequencies and weights.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    labels: Vec<String>,
    vocabulary: HashMap<String, u32>,
    idf: Vec<f32>,
    /// One row per label: a weight per feature, then the bias.
    weights: Vec<Vec<f32>>,
}

/// Texts as interned features, computed once on every core for all the models trained on them.
pub struct Featurized {
    ids: HashMap<String, u32>,
    /// Each distinct text's features.
    texts: Vec<Vec<u32>>,
    /// For each text given, its distinct text.
    slot: Vec<u32>,
}

impl Featurized {
    pub fn of<'a>(texts: impl Iterator<Item = &'a str>) -> Featurized {
        // Equal texts are featurized once.
        let mut seen: HashMap<&str, u32> = HashMap::new();
        let mut distinct: Vec<&str> = Vec::new();
        let slot: Vec<u32> = texts
            .map(|t| {
                *seen.entry(t).or_insert_with(|| {
                    distinct.push(t);
                    distinct.len() as u32 - 1
                })
            })
            .collect();
        let texts = distinct;
        // A few thousand texts at a time, so that no more than those texts' feature strings
        // are held at once.
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut out: Vec<Vec<u32>> = Vec::with_capacity(texts.len());
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        for chunk in texts.chunks(4_096) {
            let parts: Vec<Vec<Vec<String>>> = std::thread::scope(|s| {
                let handles: Vec<_> = chunk
                    .chunks(chunk.len().div_ceil(threads))
                    .map(|part| {
                        s.spawn(move || {
                            let mut f = Featurizer::default();
                            part.iter().map(|t| f.features(t)).collect::<Vec<_>>()
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| h.join().expect("featurizing does not panic"))
                    .collect()
            });
            for features in parts.into_iter().flatten() {
                let text = features
                    .into_iter()
                    .map(|f| {
                        let next = ids.len() as u32;
                        *ids.entry(f).or_insert(next)
                    })
                    .collect();
                out.push(text);
            }
        }
        Featurized {
            ids,
            texts: out,
            slot,
        }
    }
}

/// A label and how strongly the text points to it (0..1; the labels' scores add up to 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub label: String,
    pub score: f32,
}

impl Model {
    /// Trains on `(text, label)` pairs. `None` when fewer than two labels occur.
    pub fn train(examples: &[(String, String)], training: Training) -> Option<Model> {
        let texts = Featurized::of(examples.iter().map(|(t, _)| t.as_str()));
        let labelled: Vec<(usize, &str)> = examples
            .iter()
            .enumerate()
            .map(|(i, (_, l))| (i, l.as_str()))
            .collect();
        Model::train_on(&texts, &labelled, training)
    }

    /// Trains on texts featurized once (several models of the same texts share the work):
    /// `(index of the text, label)` pairs.
    pub fn train_on(
        featurized: &Featurized,
        examples: &[(usize, &str)],
        training: Training,
    ) -> Option<Model> {
        let mut labels: Vec<String> = examples.iter().map(|(_, l)| l.to_string()).collect();
        labels.sort();
        labels.dedup();
        if labels.len() < 2 {
            return None;
        }
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        // Equal texts with equal labels are learned once with their number as weight: with the
        // squared hinge, k copies at cost C are one text at cost kC (the same model, sooner: a
        // hotline's register repeats many texts).
        let mut groups: Vec<(u32, &str, u32)> = Vec::new();
        let mut group_of: HashMap<(u32, &str), usize> = HashMap::new();
        for (i, label) in examples {
            let slot = featurized.slot[*i];
            match group_of.get(&(slot, *label)) {
                Some(g) => groups[*g].2 += 1,
                None => {
                    group_of.insert((slot, *label), groups.len());
                    groups.push((slot, label, 1));
                }
            }
        }
        // The vocabulary: features in at least `min_count` texts (copies counted).
        let mut counts = vec![0u32; featurized.ids.len()];
        for (slot, _, copies) in &groups {
            let mut distinct = featurized.texts[*slot as usize].clone();
            distinct.sort_unstable();
            distinct.dedup();
            for f in distinct {
                counts[f as usize] += copies;
            }
        }
        let mut index = vec![u32::MAX; featurized.ids.len()];
        let mut idf = Vec::new();
        let n = examples.len() as f32;
        let vocabulary: HashMap<String, u32> = featurized
            .ids
            .iter()
            .filter(|(_, id)| counts[**id as usize] >= training.min_count)
            .map(|(f, id)| {
                let kept = idf.len() as u32;
                index[*id as usize] = kept;
                idf.push(((1.0 + n) / (1.0 + counts[*id as usize] as f32)).ln() + 1.0);
                (f.clone(), kept)
            })
            .collect();
        let mut model = Model {
            labels,
            vocabulary,
            idf,
            weights: Vec::new(),
        };
        let docs: Vec<Sparse> = groups
            .iter()
            .map(|(slot, _, _)| {
                let kept: Vec<u32> = featurized.texts[*slot as usize]
                    .iter()
                    .map(|f| index[*f as usize])
                    .filter(|i| *i != u32::MAX)
                    .collect();
                model.weigh(&kept)
            })
            .collect();
        let targets: Vec<usize> = groups
            .iter()
            .map(|(_, l, _)| {
                model
                    .labels
                    .binary_search_by(|m| m.as_str().cmp(l))
                    .expect("a label of the examples")
            })
            .collect();
        // Each text's cost, by the rarity of its label (as liblinear's "balanced" weights),
        // times its copies.
        let mut per_label = vec![0u32; model.labels.len()];
        for (t, (_, _, copies)) in targets.iter().zip(&groups) {
            per_label[*t] += copies;
        }
        let k = model.labels.len() as f32;
        let costs: Vec<f32> = targets
            .iter()
            .zip(&groups)
            .map(|(t, (_, _, copies))| {
                training.cost * n / (k * per_label[*t] as f32) * *copies as f32
            })
            .collect();
        let dim = model.idf.len();
        let label_count = model.labels.len();
        // Each thread takes the next label to learn until none is left (labels take unequal
        // time: a fixed share each would leave a core idle).
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut learned: Vec<(usize, Vec<f32>)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads.min(label_count))
                .map(|_| {
                    let (docs, targets, costs, next) = (&docs, &targets, &costs, &next);
                    s.spawn(move || {
                        let mut rows = Vec::new();
                        loop {
                            let label = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if label >= label_count {
                                return rows;
                            }
                            let signs: Vec<f32> = targets
                                .iter()
                                .map(|t| if *t == label { 1.0 } else { -1.0 })
                                .collect();
                            let w =
                                one_against_rest(docs, &signs, costs, dim, training.epochs, label);
                            rows.push((label, w));
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("training does not panic"))
                .collect()
        });
        learned.sort_by_key(|(label, _)| *label);
        model.weights = learned.into_iter().map(|(_, w)| w).collect();
        Some(model)
    }

    /// Its features, its labels, and the bytes of its vocabulary and weights (as f32).
    pub fn size(&self) -> (usize, usize, usize) {
        let words: usize = self.vocabulary.keys().map(|k| k.len() + 4).sum();
        let numbers = 4 * (self.idf.len() + self.weights.iter().map(Vec::len).sum::<usize>());
        (self.idf.len(), self.labels.len(), words + numbers)
    }

    /// The labels the model knows.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// A text's labels, best first, with scores.
    pub fn scores(&self, featurizer: &mut Featurizer, text: &str) -> Vec<Scored> {
        let x = self.vector(&featurizer.features(text));
        let decisions: Vec<f32> = self
            .weights
            .iter()
            .map(|w| dot(w, &x) + w[w.len() - 1])
            .collect();
        // A softmax over the margins (sharpened: margins lie within about ±1).
        let top = decisions.iter().copied().fold(f32::MIN, f32::max);
        let exp: Vec<f32> = decisions.iter().map(|d| ((d - top) * 4.0).exp()).collect();
        let sum: f32 = exp.iter().sum();
        let mut out: Vec<Scored> = self
            .labels
            .iter()
            .zip(exp)
            .map(|(label, e)| Scored {
                label: label.clone(),
                score: e / sum,
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out
    }

    /// The features' TF-IDF vector.
    fn vector(&self, features: &[String]) -> Sparse {
        let known: Vec<u32> = features
            .iter()
            .filter_map(|f| self.vocabulary.get(f.as_str()).copied())
            .collect();
        self.weigh(&known)
    }

    /// Known features' TF-IDF vector: sublinear term frequency, unit length.
    fn weigh(&self, features: &[u32]) -> Sparse {
        let mut sorted = features.to_vec();
        sorted.sort_unstable();
        let mut v: Sparse = Vec::new();
        for f in sorted {
            match v.last_mut() {
                Some((last, n)) if *last == f => *n += 1.0,
                _ => v.push((f, 1.0)),
            }
        }
        v.iter_mut()
            .for_each(|(i, n)| *n = (1.0 + n.ln()) * self.idf[*i as usize]);
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|(_, x)| *x /= norm);
        }
        v
    }
}

fn dot(w: &[f32], x: &Sparse) -> f32 {
    x.iter().map(|(i, v)| w[*i as usize] * v).sum()
}

/// An L2-regularised, squared-hinge-loss linear SVM (with a bias) by dual coordinate descent:
/// `signs` say which texts are the label's (+1) and which are not (-1).
fn one_against_rest(
    docs: &[Sparse],
    signs: &[f32],
    costs: &[f32],
    dim: usize,
    epochs: usize,
    seed: usize,
) -> Vec<f32> {
    let mut w = vec![0f32; dim + 1];
    let mut alpha = vec![0f32; docs.len()];
    // The diagonal of the squared-hinge dual: |x|² (1 for unit vectors, 0 for a text with no
    // known feature) plus the bias's 1 plus 1/(2C).
    let diagonal: Vec<f32> = docs
        .iter()
        .zip(costs)
        .map(|(x, c)| x.iter().map(|(_, v)| v * v).sum::<f32>() + 1.0 + 0.5 / c)
        .collect();
    // liblinear's shrinking: a text whose margin is comfortably met (alpha at 0, gradient above
    // the last pass's largest) leaves the active set; once the active set converges, every text
    // is checked again, and the solver stops when all of them meet the tolerance.
    let all: Vec<usize> = (0..docs.len()).collect();
    let mut active = all.clone();
    // (No bound above alpha with the squared hinge: only the gradient's largest is tracked.)
    let mut upper = f32::INFINITY;
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed as u64);
    for _ in 0..epochs {
        active.shuffle(&mut rng);
        let (mut largest, mut smallest) = (f32::NEG_INFINITY, f32::INFINITY);
        let mut s = 0;
        while s < active.len() {
            let i = active[s];
            let x = &docs[i];
            let y = signs[i];
            let g = y * (dot(&w, x) + w[dim]) - 1.0 + alpha[i] * 0.5 / costs[i];
            let projected = if alpha[i] == 0.0 {
                if g > upper {
                    active.swap_remove(s);
                    continue;
                }
                g.min(0.0)
            } else {
                g
            };
            largest = largest.max(projected);
            smallest = smallest.min(projected);
            if projected.abs() > 1e-12 {
                let old = alpha[i];
                alpha[i] = (alpha[i] - g / diagonal[i]).max(0.0);
                let step = (alpha[i] - old) * y;
                for (f, v) in x {
                    w[*f as usize] += step * v;
                }
                w[dim] += step;
            }
            s += 1;
        }
        // liblinear's stopping rule (tolerance 0.1), checked over every text.
        if largest - smallest <= 0.1 {
            if active.len() == all.len() {
                break;
            }
            active = all.clone();
            upper = f32::INFINITY;
            continue;
        }
        upper = if largest <= 0.0 {
            f32::INFINITY
        } else {
            largest
        };
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_are_featurized_once() {
        let f = Featurized::of(["路灯不亮", "拖欠工资", "路灯不亮"].into_iter());
        assert_eq!((f.texts.len(), f.slot.clone()), (2, vec![0, 1, 0]));
    }

    fn examples() -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (label, texts) in [
            (
                "住建",
                [
                    "小区路灯不亮",
                    "楼道路灯坏了",
                    "路灯晚上不亮",
                    "小区电梯故障",
                ],
            ),
            (
                "人社",
                [
                    "工地拖欠工资",
                    "公司拖欠工资",
                    "拖欠农民工工资",
                    "社保缴费查询",
                ],
            ),
            (
                "环保",
                [
                    "工厂排放废气",
                    "河道污水排放",
                    "夜间噪音扰民",
                    "工地噪音扰民",
                ],
            ),
        ] {
            for t in texts {
                out.push((t.to_string(), label.to_string()));
            }
        }
        out
    }

    #[test]
    fn a_text_goes_to_the_label_of_its_like() {
        let model = Model::train(&examples(), Training::default()).unwrap();
        let mut f = Featurizer::default();
        for (text, want) in [
            ("路灯不亮了", "住建"),
            ("老板拖欠工资", "人社"),
            ("废气排放", "环保"),
        ] {
            let scored = model.scores(&mut f, text);
            assert_eq!(scored[0].label, want, "{text}: {scored:?}");
            let sum: f32 = scored.iter().map(|s| s.score).sum();
            assert!((sum - 1.0).abs() < 1e-4);
            assert!(scored.windows(2).all(|w| w[0].score >= w[1].score));
        }
        // A text with nothing known still gets every label, in some order.
        assert_eq!(model.scores(&mut f, "？？").len(), 3);
    }

    #[test]
    fn one_label_is_no_model() {
        let one = vec![("路灯".to_string(), "住建".to_string()); 3];
        assert!(Model::train(&one, Training::default()).is_none());
    }

    #[test]
    fn a_model_survives_serialisation() {
        let model = Model::train(&examples(), Training::default()).unwrap();
        let back: Model = serde_json::from_str(&serde_json::to_string(&model).unwrap()).unwrap();
        let mut f = Featurizer::default();
        assert_eq!(
            model.scores(&mut f, "拖欠工资"),
            back.scores(&mut f, "拖欠工资")
        );
    }
}
