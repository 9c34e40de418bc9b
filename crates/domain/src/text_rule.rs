//! The one rule for text that arrives from outside, whatever the field and whichever database
//! keeps it. PostgreSQL cannot store NUL and SQLite can, so the rule is decided here rather than
//! left to the database; real petitions carry tabs and line breaks, so those stay.

use crate::DomainError;

/// What is wrong with a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// NUL or another control character (tab, line feed and carriage return are allowed).
    Control,
    /// A bidirectional override, embedding or isolate: it makes text read other than it is.
    Bidi,
    /// U+FFFE, U+FFFF and the other noncharacters: no XML can carry them (Open311's XML).
    Noncharacter,
}

impl Fault {
    fn message(self) -> &'static str {
        match self {
            Fault::Control => "含有不允许的控制字符",
            Fault::Bidi => "含有改变文字方向的控制字符",
            Fault::Noncharacter => "含有无效字符",
        }
    }
}

/// The first fault of `s`, if any.
pub fn fault(s: &str) -> Option<Fault> {
    s.chars().find_map(char_fault)
}

fn char_fault(c: char) -> Option<Fault> {
    match c {
        '\t' | '\n' | '\r' => None,
        c if c.is_control() => Some(Fault::Control),
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Some(Fault::Bidi),
        '\u{FDD0}'..='\u{FDEF}' => Some(Fault::Noncharacter),
        c if (c as u32) & 0xFFFE == 0xFFFE => Some(Fault::Noncharacter),
        _ => None,
    }
}

/// Whether nothing is left of `s` once whitespace and zero-width characters are removed.
pub fn is_blank(s: &str) -> bool {
    s.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{180E}'
            )
    })
}

/// Refuses text with a [`Fault`], naming the field (`name` is its Chinese name).
pub fn check(field: &'static str, name: &str, s: &str) -> Result<(), DomainError> {
    match fault(s) {
        None => Ok(()),
        Some(f) => Err(DomainError::invalid(
            field,
            format!("{name}{}", f.message()),
        )),
    }
}

/// The message for a field of any request refused by the rule (the edge checks every string,
/// including those no domain function reads).
pub fn edge_message(f: Fault) -> String {
    format!("内容{}", f.message())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn petitions_keep_their_tabs_and_line_breaks() {
        assert_eq!(fault("第一段\r\n第二段\t附表"), None);
        assert_eq!(fault("a\u{0}b"), Some(Fault::Control));
        assert_eq!(fault("\u{1b}[31m"), Some(Fault::Control));
        assert_eq!(fault("\u{85}"), Some(Fault::Control));
        assert_eq!(fault("abc\u{202E}cba"), Some(Fault::Bidi));
        assert_eq!(fault("\u{2067}x"), Some(Fault::Bidi));
        assert_eq!(fault("x\u{FFFE}"), Some(Fault::Noncharacter));
        assert_eq!(fault("x\u{10FFFF}"), Some(Fault::Noncharacter));
        assert_eq!(fault("阿拉伯文 مرحبا and emoji 😀"), None);
    }

    #[test]
    fn zero_width_only_is_blank() {
        assert!(is_blank(" \u{200B}\u{200D}\u{FEFF}\u{3000}\n"));
        assert!(!is_blank("\u{200B}路灯不亮"));
        assert!(is_blank(""));
    }

    proptest! {
        // Whatever the input, a refused string contains a character the rule names, and an
        // accepted one none: the rule is exactly per character.
        #[test]
        fn the_rule_is_per_character(s in "\\PC*", c in any::<char>()) {
            let joined = format!("{s}{c}");
            prop_assert_eq!(fault(&joined).is_some(), fault(&s).is_some() || char_fault(c).is_some());
        }
    }
}
