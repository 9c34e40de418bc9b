//! `xinfang bench texts`: how varied a database's petitions are, beside a file of real ones.
//! Both samples are cut into words by the index's own segmentation (jieba), and the same number
//! of texts is taken from each, since vocabulary grows with the sample.

use std::collections::HashMap;
use std::path::Path;

use xinfang_domain::CaseId;

use crate::DbArgs;

/// Words, distinct words and their ratio over some texts.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Variety {
    pub texts: usize,
    pub chars: usize,
    pub tokens: usize,
    pub vocabulary: usize,
    /// Words seen once.
    pub once: usize,
}

impl Variety {
    pub(crate) fn of<'a>(texts: impl IntoIterator<Item = &'a str>) -> Variety {
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut v = Variety::default();
        for text in texts {
            v.texts += 1;
            v.chars += text.chars().count();
            for word in xinfang_text::segment::indexed_words(text) {
                v.tokens += 1;
                *seen.entry(word).or_default() += 1;
            }
        }
        v.vocabulary = seen.len();
        v.once = seen.values().filter(|n| **n == 1).count();
        v
    }

    fn line(&self, what: &str) -> String {
        format!(
            "| {what} | {} | {:.0} | {} | {} | {:.3} | {:.2} |",
            self.texts,
            self.chars as f64 / self.texts.max(1) as f64,
            self.tokens,
            self.vocabulary,
            self.vocabulary as f64 / self.tokens.max(1) as f64,
            self.once as f64 / self.vocabulary.max(1) as f64,
        )
    }
}

/// The title and text (joined by `joint`) of `n` cases spread evenly over the database's ids.
pub(crate) async fn spread_texts(
    store: &xinfang_store::Store,
    n: usize,
    joint: &str,
) -> Result<Vec<String>, String> {
    let cases = store.count_cases().await.map_err(|e| e.to_string())?;
    let mut texts = Vec::with_capacity(n);
    for i in 0..n as i64 {
        let id = 1 + i * cases.max(1) / n.max(1) as i64;
        if let Some(c) = store.case(CaseId(id)).await.map_err(|e| e.to_string())? {
            texts.push(format!("{}{joint}{}", c.title, c.content));
        }
    }
    Ok(texts)
}

/// Prints the variety of `sample` petitions spread over the database, and of as many rows of
/// `compare` (title and detail columns), when given and present.
pub async fn run(
    db: &DbArgs,
    sample: usize,
    compare: Option<&Path>,
    columns: &[&str],
) -> Result<(), String> {
    let mut real = Vec::new();
    if let Some(path) = compare {
        if path.exists() {
            real = crate::routing::labelled(path, columns, columns[0])?
                .into_iter()
                .map(|(text, _)| text)
                .collect();
        } else {
            println!("{} is absent: the database's texts only", path.display());
        }
    }
    let n = if real.is_empty() {
        sample
    } else {
        sample.min(real.len())
    };
    let store = crate::config::open(db).await?;
    let ours = spread_texts(&store, n, "\n").await?;
    println!(
        "| texts | n | characters per text | words | distinct words | type/token | seen once |"
    );
    println!("|---|---|---|---|---|---|---|");
    println!(
        "{}",
        Variety::of(ours.iter().map(String::as_str)).line("this database")
    );
    if !real.is_empty() {
        real.truncate(n);
        let name = compare.map(|p| p.display().to_string()).unwrap_or_default();
        let line = Variety::of(real.iter().map(String::as_str)).line(&name);
        println!("{line}");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_counted_once_each_and_punctuation_is_not_a_word() {
        let v = Variety::of(["小区噪音扰民，", "小区停车难。"]);
        assert_eq!(v.texts, 2);
        assert!(v.tokens >= 4, "{v:?}");
        assert!(v.vocabulary < v.tokens, "小区 comes twice: {v:?}");
        assert!(v.once >= 2, "{v:?}");
    }
}
