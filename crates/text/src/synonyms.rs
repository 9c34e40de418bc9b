//! Words that name the same matter (欠薪 / 拖欠工资 / 讨薪): a search for one finds the others.
//! The list is kept by administrators as text, one group a line.

/// Groups of words a search treats as one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
}

/// A group holds at most this many words, a word this many characters, the list this many groups.
pub const MAX_GROUP: usize = 20;
pub const MAX_WORD_CHARS: usize = 20;
pub const MAX_GROUPS: usize = 500;

impl Synonyms {
    /// The list as stored (already checked when it was saved).
    pub fn new(groups: Vec<Vec<String>>) -> Synonyms {
        Synonyms { groups }
    }

    pub fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    /// Reads the list an administrator typed: one group a line, words separated by spaces or
    /// Chinese/Latin commas; blank lines skipped. Refused (with the line, in Chinese) when a group
    /// has one word, a word is too long, or a word stands in two groups.
    pub fn parse(text: &str) -> Result<Synonyms, String> {
        let mut groups: Vec<Vec<String>> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let mut group: Vec<String> = Vec::new();
            for w in line.split([' ', '\t', '　', ',', '，', '、', ';', '；']) {
                let w = w.trim().to_lowercase();
                if w.is_empty() || group.contains(&w) {
                    continue;
                }
                if w.chars().count() > MAX_WORD_CHARS {
                    return Err(format!("第{n}行：“{w}”超过{MAX_WORD_CHARS}个字"));
                }
                if let Some(j) = groups.iter().position(|g| g.contains(&w)) {
                    return Err(format!("第{n}行：“{w}”已在第{}组中", j + 1));
                }
                group.push(w);
            }
            match group.len() {
                0 => continue,
                1 => return Err(format!("第{n}行：一组同义词至少要有两个词")),
                len if len > MAX_GROUP => {
                    return Err(format!("第{n}行：一组同义词最多{MAX_GROUP}个词"));
                }
                _ => groups.push(group),
            }
        }
        if groups.len() > MAX_GROUPS {
            return Err(format!("同义词最多{MAX_GROUPS}组"));
        }
        Ok(Synonyms { groups })
    }

    /// The list as an administrator edits it.
    pub fn to_text(&self) -> String {
        self.groups
            .iter()
            .map(|g| g.join(" "))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Takes the listed words out of `query`, longest first: the rest of the query, and for each
    /// word found, its group (the case must hold one of the group's words).
    pub fn take_from<'a>(&'a self, query: &str) -> (String, Vec<&'a [String]>) {
        let mut rest = query.to_lowercase();
        let mut words: Vec<(&str, usize)> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.iter().map(move |w| (w.as_str(), i)))
            .collect();
        words.sort_by_key(|(w, _)| std::cmp::Reverse(w.chars().count()));
        let mut found: Vec<usize> = Vec::new();
        for (w, i) in words {
            if rest.contains(w) {
                rest = rest.replace(w, " ");
                if !found.contains(&i) {
                    found.push(i);
                }
            }
        }
        (
            rest,
            found
                .into_iter()
                .map(|i| self.groups[i].as_slice())
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_list_is_read_line_by_line_and_refused_with_the_line() {
        let s = Synonyms::parse("欠薪 拖欠工资，讨薪\n\n噪音、噪声\n").unwrap();
        assert_eq!(s.groups().len(), 2);
        assert_eq!(s.to_text(), "欠薪 拖欠工资 讨薪\n噪音 噪声");
        assert_eq!(
            Synonyms::parse("欠薪").unwrap_err(),
            "第1行：一组同义词至少要有两个词"
        );
        assert_eq!(
            Synonyms::parse("欠薪 讨薪\n噪音 欠薪").unwrap_err(),
            "第2行：“欠薪”已在第1组中"
        );
        assert!(Synonyms::parse(&format!("a {}", "长".repeat(21))).is_err());
    }

    #[test]
    fn listed_words_are_taken_out_of_the_query_longest_first() {
        let s = Synonyms::parse("欠薪 拖欠工资 工资\n噪音 噪声").unwrap();
        let (rest, groups) = s.take_from("建筑工地拖欠工资");
        assert_eq!(rest.trim(), "建筑工地");
        assert_eq!(
            groups,
            vec![&s.groups()[0][..]],
            "拖欠工资 before 工资, one group once"
        );
        let (rest, groups) = s.take_from("路灯不亮");
        assert_eq!((rest.as_str(), groups.len()), ("路灯不亮", 0));
    }
}
