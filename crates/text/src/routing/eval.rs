//! Scoring a model on labelled texts: precision, recall and F1 per label, and their mean
//! (macro-F1, which weighs a rare label as much as a common one).

use std::collections::BTreeMap;

/// One label's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelScore {
    pub label: String,
    /// Texts of this label in the test.
    pub support: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Figures of a whole test.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub labels: Vec<LabelScore>,
    pub macro_f1: f64,
    pub accuracy: f64,
}

/// Scores `(truth, prediction)` pairs; labels that occur in neither count nothing.
pub fn score(pairs: &[(String, String)]) -> Report {
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new(); // (tp, fp, fn)
    let mut right = 0;
    for (truth, predicted) in pairs {
        if truth == predicted {
            right += 1;
            counts.entry(truth).or_default().0 += 1;
        } else {
            counts.entry(predicted).or_default().1 += 1;
            counts.entry(truth).or_default().2 += 1;
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let labels: Vec<LabelScore> = counts
        .into_iter()
        .map(|(label, (tp, fp, fneg))| {
            let precision = ratio(tp, tp + fp);
            let recall = ratio(tp, tp + fneg);
            let f1 = if precision + recall == 0.0 {
                0.0
            } else {
                2.0 * precision * recall / (precision + recall)
            };
            LabelScore {
                label: label.to_string(),
                support: tp + fneg,
                precision,
                recall,
                f1,
            }
        })
        .collect();
    let macro_f1 = if labels.is_empty() {
        0.0
    } else {
        labels.iter().map(|l| l.f1).sum::<f64>() / labels.len() as f64
    };
    Report {
        labels,
        macro_f1,
        accuracy: ratio(right, pairs.len()),
    }
}

/// The fold (0..k) of each text, the same for equal texts (a repeated complaint is never on
/// both sides of a split), spread by a hash of the text.
pub fn folds(texts: &[&str], k: usize) -> Vec<usize> {
    use std::hash::{Hash, Hasher};
    texts
        .iter()
        .map(|t| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            t.trim().hash(&mut h);
            (h.finish() % k.max(1) as u64) as usize
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn macro_f1_weighs_each_label_alike() {
        // a: 2 of 3 found, one b taken for a; b: 1 of 2 found.
        let r = score(&pairs(&[
            ("a", "a"),
            ("a", "a"),
            ("a", "b"),
            ("b", "b"),
            ("b", "a"),
        ]));
        let a = &r.labels[0];
        assert_eq!((a.label.as_str(), a.support), ("a", 3));
        assert!((a.precision - 2.0 / 3.0).abs() < 1e-9 && (a.recall - 2.0 / 3.0).abs() < 1e-9);
        let b = &r.labels[1];
        assert!((b.precision - 0.5).abs() < 1e-9 && (b.recall - 0.5).abs() < 1e-9);
        assert!((r.macro_f1 - (2.0 / 3.0 + 0.5) / 2.0).abs() < 1e-9);
        assert!((r.accuracy - 0.6).abs() < 1e-9);
        assert_eq!(score(&pairs(&[("a", "a")])).macro_f1, 1.0);
    }

    #[test]
    fn equal_texts_share_their_fold() {
        let f = folds(&["路灯不亮", "拖欠工资", " 路灯不亮 ", "噪音"], 5);
        assert_eq!(f[0], f[2]);
        assert!(f.iter().all(|x| *x < 5));
    }
}
