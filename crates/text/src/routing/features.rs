//! A petition's text as the features the routing model weighs: its characters in runs of one
//! to three (Chinese needs no segmentation to be read this way, and place names the dictionary
//! lacks still count), jieba's words, and pairs of neighbouring words.

use tantivy::tokenizer::{TextAnalyzer, TokenStream};

/// Turns texts into features; one per thread (jieba's analyzer is used mutably).
pub struct Featurizer {
    words: TextAnalyzer,
}

impl Default for Featurizer {
    fn default() -> Self {
        Featurizer {
            words: crate::segment::analyzer(),
        }
    }
}

/// Characters that carry meaning: letters, digits and CJK; punctuation and spaces do not.
fn kept(c: char) -> bool {
    c.is_alphanumeric()
}

impl Featurizer {
    /// The features of `text`, each as often as it occurs.
    pub fn features(&mut self, text: &str) -> Vec<String> {
        let lower = text.to_lowercase();
        let chars: Vec<char> = lower.chars().filter(|c| kept(*c)).collect();
        let mut out = Vec::with_capacity(chars.len() * 4);
        for n in 1..=3 {
            for w in chars.windows(n) {
                let mut f = String::with_capacity(2 + 3 * n);
                f.push((b'0' + n as u8) as char);
                f.push(':');
                f.extend(w);
                out.push(f);
            }
        }
        let mut stream = self.words.token_stream(&lower);
        let mut previous: Option<String> = None;
        while let Some(token) = stream.next() {
            let word = token.text.as_str();
            if !word.chars().any(kept) {
                continue;
            }
            // Single characters are among the character features already.
            if word.chars().count() > 1 {
                out.push(format!("w:{word}"));
            }
            if let Some(p) = previous.replace(word.to_string()) {
                out.push(format!("b:{p}|{word}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_words_and_word_pairs() {
        let f = Featurizer::default().features("拖欠工资！");
        for want in ["1:拖", "2:拖欠", "3:欠工资", "w:拖欠", "w:工资"] {
            assert!(f.iter().any(|x| x == want), "{want} in {f:?}");
        }
        assert!(f.iter().any(|x| x.starts_with("b:")));
        assert!(
            !f.iter().any(|x| x.contains('！')),
            "punctuation is no feature"
        );
        assert!(Featurizer::default().features("  ，。").is_empty());
    }
}
