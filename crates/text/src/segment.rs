//! Chinese word segmentation (jieba) shared by indexing and querying.

use tantivy::tokenizer::{LowerCaser, TextAnalyzer, TokenStream};
use tantivy_jieba::JiebaTokenizer;

/// The name the analyzer is registered under in the index.
pub const ANALYZER: &str = "jieba";

/// Search-mode jieba (long words also yield their dictionary sub-words, so "拖欠工资" finds
/// "工资"), lower-cased so that Latin letters in names and plates match either case.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::new())
        .filter(LowerCaser)
        .build()
}

/// The name the character-pair analyzer is registered under.
pub const BIGRAMS: &str = "bigram";

/// Every pair of neighbouring characters, lower-cased: what a word is found by when jieba cut
/// the text around it otherwise (in "晚上路灯不亮" it cuts 路 / 灯不亮, so the word 路灯 alone
/// would miss it).
pub fn bigram_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(
        tantivy::tokenizer::NgramTokenizer::all_ngrams(2, 2).expect("2..2 is a valid n-gram range"),
    )
    .filter(LowerCaser)
    .build()
}

/// The words of a text as the index cuts them (punctuation and spaces left out), in order.
pub fn indexed_words(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let word = &stream.token().text;
        if word.chars().any(char::is_alphanumeric) {
            out.push(word.clone());
        }
    }
    out
}

/// The character pairs of a query word (none for a single character).
pub fn bigrams(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.to_lowercase().chars().collect();
    let mut out: Vec<String> = Vec::new();
    for pair in chars.windows(2) {
        let b: String = pair.iter().collect();
        if !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// Words too common to narrow a search.
const STOP_WORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "是", "在", "我", "我们", "有", "被", "把", "也", "就", "都",
    "请",
];

/// A word of a search query and, for a compound, the dictionary words it is made of: a case
/// matches the word itself or all of its parts ("拖欠工资" matches "拖欠了三个月工资").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    pub word: String,
    pub parts: Vec<String>,
}

/// The words of a search query: jieba's precise cut (no overlapping sub-words, so that every
/// word can be required), without punctuation, spaces and stop words, lower-cased, deduplicated.
pub fn query_words(query: &str) -> Vec<QueryWord> {
    words(query)
        .into_iter()
        .map(|word| {
            let mut parts = Vec::new();
            if word.chars().count() > 2 {
                let mut a = analyzer();
                let mut s = a.token_stream(&word);
                while let Some(t) = s.next() {
                    if t.text != word && !parts.contains(&t.text) {
                        parts.push(t.text.clone());
                    }
                }
            }
            QueryWord { word, parts }
        })
        .collect()
}

/// The distinct words of a text worth matching another text on (two characters or more).
pub fn content_words(text: &str, at_most: usize) -> Vec<String> {
    words(text)
        .into_iter()
        .filter(|w| w.chars().count() >= 2)
        .take(at_most)
        .collect()
}

fn words(query: &str) -> Vec<String> {
    let mut tokenizer = TextAnalyzer::builder(JiebaTokenizer::with_search_mode(false))
        .filter(LowerCaser)
        .build();
    let mut stream = tokenizer.token_stream(query);
    let mut words: Vec<String> = Vec::new();
    while let Some(t) = stream.next() {
        let w = t.text.trim();
        if w.is_empty()
            || !w.chars().any(char::is_alphanumeric)
            || STOP_WORDS.contains(&w)
            || words.iter().any(|x| x == w)
        {
            continue;
        }
        words.push(w.to_string());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indexing_yields_the_words_a_query_asks_for() {
        let indexed = indexed_words("小区物业拖欠农民工工资三个月");
        for w in words("拖欠 工资") {
            assert!(indexed.contains(&w), "{w} not in {indexed:?}");
        }
        assert!(indexed.contains(&"物业".to_string()));
    }

    #[test]
    fn query_words_drop_punctuation_stop_words_and_repeats() {
        assert_eq!(words("工资，工资的问题！"), vec!["工资", "问题"]);
        assert_eq!(words("  ，。 "), Vec::<String>::new());
        assert_eq!(words("ABC 小区"), vec!["abc", "小区"]);
    }

    #[test]
    fn a_compound_query_word_carries_its_parts() {
        let q = query_words("拖欠工资");
        assert_eq!(q.len(), 1);
        assert!(
            q[0].parts.contains(&"拖欠".to_string()) && q[0].parts.contains(&"工资".to_string()),
            "{q:?}"
        );
        assert!(query_words("工资")[0].parts.is_empty());
    }
}
