//! The check of a written reply before it goes to sign-off: does it answer what the petition
//! asked (答非所问 breeds the repeat petition), does it say what was found, what was decided and
//! on what basis, does it tell the petitioner what may follow, and is its tone proper. It only
//! advises: the drafter and the head see the flags with their reasons; nothing is blocked.
//!
//! Relevance is the mean of three views of the same question, each 0..1 (measured on 2,816 real
//! messages with their official replies, BENCHMARKS.md):
//! - how much of the petition's key words (rare words, the first line counting double) the
//!   reply mentions;
//! - how much of the reply's own key words come from the petition (a short reply that speaks
//!   only of the matter scores high here even when it names few of the petition's words);
//! - how many of the character pairs of the petition's first line (its title) the reply
//!   repeats (replies usually quote what they answer).

use std::collections::HashMap;

use serde::Serialize;

/// Below this relevance a reply is flagged `off_topic`: on the real messages 13% of the
/// original pairs fall below it and 95% of replies swapped between different matters.
pub const OFF_TOPIC_BELOW: f64 = 0.08;

/// The relevance at which the relevance half of the score is full.
const RELEVANT_AT: f64 = 0.3;

/// How many of the petition's key words are weighed.
const KEY_WORDS: usize = 20;

/// What the petitioner may do after this reply, which the reply must say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// After a 处理意见书: ask the level above for a 复查 within 30 days.
    Review,
    /// After a 复查意见书: ask for a 复核 within 30 days.
    Rereview,
    /// After a 复核意见书 (final), a suggestion's answer or a report's feedback: nothing to say.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlagCode {
    /// The reply does not address the petition's matters.
    OffTopic,
    /// No law, regulation or policy is cited.
    NoBasis,
    /// The petitioner is not told of the review they may ask for and its time limit.
    NoRemedy,
    /// The facts found or the outcome are missing, or the reply is too short to hold them.
    Incomplete,
    /// Words a reply to a citizen must not use.
    Tone,
}

impl FlagCode {
    /// The stable machine code (the API's `code`).
    pub fn code(self) -> &'static str {
        match self {
            FlagCode::OffTopic => "off_topic",
            FlagCode::NoBasis => "no_basis",
            FlagCode::NoRemedy => "no_remedy",
            FlagCode::Incomplete => "incomplete",
            FlagCode::Tone => "tone",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flag {
    pub code: FlagCode,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Checked {
    /// 0..1: half relevance, half completeness, less for improper words.
    pub score: f64,
    /// 0..1, the mean of the three views above.
    pub relevance: f64,
    pub flags: Vec<Flag>,
}

impl Checked {
    pub fn has(&self, code: FlagCode) -> bool {
        self.flags.iter().any(|f| f.code == code)
    }
}

/// How rare a word is among the office's cases: `ln((n + 1) / (df + 1)) + 1`, 1 when nothing
/// is known (every word then weighs the same and the stop words below do the sorting).
pub trait Rarity {
    fn idf(&self, word: &str) -> f64;
}

/// Word rarity counted over a set of texts (the evaluation's, or a test's).
#[derive(Debug, Default, Clone)]
pub struct Counted {
    texts: usize,
    df: HashMap<String, usize>,
}

impl Counted {
    pub fn over<'a>(texts: impl IntoIterator<Item = &'a str>) -> Counted {
        let mut c = Counted::default();
        for t in texts {
            c.texts += 1;
            let mut seen: Vec<String> = key_words(t);
            seen.sort();
            seen.dedup();
            for w in seen {
                *c.df.entry(w).or_default() += 1;
            }
        }
        c
    }
}

impl Rarity for Counted {
    fn idf(&self, word: &str) -> f64 {
        idf(
            self.texts as u64,
            self.df.get(word).copied().unwrap_or(0) as u64,
        )
    }
}

pub fn idf(texts: u64, df: u64) -> f64 {
    ((texts as f64 + 1.0) / (df as f64 + 1.0)).ln() + 1.0
}

/// Words of petitions and replies that say nothing of the matter: the forms of address, the
/// verbs of the procedure and the courtesies of every reply.
const STOP_WORDS: &[&str] = &[
    "问题",
    "反映",
    "情况",
    "希望",
    "相关",
    "部门",
    "我们",
    "你们",
    "一个",
    "没有",
    "什么",
    "这个",
    "那个",
    "已经",
    "可以",
    "进行",
    "如何",
    "如果",
    "因为",
    "所以",
    "但是",
    "还是",
    "现在",
    "目前",
    "要求",
    "有关",
    "领导",
    "政府",
    "市民",
    "网友",
    "您好",
    "谢谢",
    "感谢",
    "关于",
    "留言",
    "及时",
    "解决",
    "处理",
    "工作",
    "是否",
    "怎么",
    "为什么",
    "请问",
    "能否",
    "不能",
    "不是",
    "这样",
    "他们",
    "自己",
    "大家",
    "时候",
    "一直",
    "只能",
    "非常",
    "严重",
    "收悉",
    "回复",
    "答复",
    "如下",
    "理解",
    "监督",
    "支持",
    "信任",
    "同志",
    "来信",
    "来访",
    "意见",
    "建议",
    "投诉",
    "举报",
    "咨询",
    "求助",
    "将会",
    "我局",
    "本局",
    "单位",
    "联系",
    "电话",
    "信访",
    "信访人",
    "事项",
    "您好",
];

/// Character pairs of a title that say nothing of its matter.
const STOP_PAIRS: &[&str] = &[
    "问题", "反映", "关于", "建议", "投诉", "举报", "希望", "请求", "要求",
];

/// The words of `text` worth weighing: jieba's search-mode cut (long words also give their
/// parts), two characters or more, with a Chinese character, not a stop word; in order, repeats
/// kept.
pub fn key_words(text: &str) -> Vec<String> {
    crate::segment::indexed_words(text)
        .into_iter()
        .filter(|w| {
            w.chars().count() >= 2 && w.chars().any(is_han) && !STOP_WORDS.contains(&w.as_str())
        })
        .collect()
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// The petition's first line, or its first sentence, or its first 40 characters: its title
/// when the caller put the title first.
fn first_line(petition: &str) -> &str {
    let t = petition.trim_start();
    let end = t
        .char_indices()
        .find(|(_, c)| matches!(c, '\n' | '。' | '！' | '？' | '!' | '?'))
        .map_or(t.len(), |(i, _)| i);
    let line = &t[..end];
    match line.char_indices().nth(40) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The petition's key words with their weights, heaviest first (at most [`KEY_WORDS`]): the
/// title's words count double, a word of the content at most thrice.
fn petition_key_words(title: &str, body: &str, rarity: &dyn Rarity) -> Vec<(String, f64)> {
    let mut weights: HashMap<String, f64> = HashMap::new();
    for w in key_words(title) {
        let idf = rarity.idf(&w);
        *weights.entry(w).or_default() += 2.0 * idf;
    }
    for (w, n) in counts(key_words(body)) {
        let idf = rarity.idf(&w);
        *weights.entry(w).or_default() += n.min(3) as f64 * idf;
    }
    let mut key: Vec<(String, f64)> = weights.into_iter().collect();
    key.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    key.truncate(KEY_WORDS);
    key
}

/// The three views of relevance, each 0..1, and the petition's key words the reply does not
/// mention, heaviest first (what an `off_topic` flag names).
fn relevance_views(petition: &str, reply: &str, rarity: &dyn Rarity) -> ([f64; 3], Vec<String>) {
    let petition = squeezed(petition);
    let reply = squeezed(reply);
    let title = first_line(&petition);
    let body = &petition[title.len()..];

    let key = petition_key_words(title, body, rarity);
    let covered = share(key.iter().map(|(w, v)| (reply.contains(w.as_str()), *v)));
    let missing = key
        .into_iter()
        .map(|(w, _)| w)
        .filter(|w| !reply.contains(w.as_str()))
        .collect();

    // The reply's key words that come from the petition, a word at most twice.
    let from_petition = share(counts(key_words(&reply)).into_iter().map(|(w, n)| {
        (
            petition.contains(w.as_str()),
            n.min(2) as f64 * rarity.idf(&w),
        )
    }));

    // The title's character pairs the reply repeats.
    let chars: Vec<char> = title.chars().collect();
    let mut pairs: Vec<String> = chars
        .windows(2)
        .filter(|p| p.iter().all(|c| c.is_alphanumeric()))
        .map(|p| p.iter().collect::<String>())
        .filter(|p| !STOP_PAIRS.contains(&p.as_str()))
        .collect();
    pairs.sort();
    pairs.dedup();
    let repeated = share(pairs.iter().map(|p| (reply.contains(p.as_str()), 1.0)));

    ([covered, from_petition, repeated], missing)
}

fn counts(words: Vec<String>) -> Vec<(String, usize)> {
    let mut m: HashMap<String, usize> = HashMap::new();
    for w in words {
        *m.entry(w).or_default() += 1;
    }
    let mut v: Vec<(String, usize)> = m.into_iter().collect();
    v.sort();
    v
}

/// The weight of the true items over the weight of all (0 when there is nothing to weigh).
fn share(items: impl Iterator<Item = (bool, f64)>) -> f64 {
    let (mut yes, mut all) = (0.0, 0.0);
    for (hit, w) in items {
        all += w;
        if hit {
            yes += w;
        }
    }
    if all > 0.0 { yes / all } else { 0.0 }
}

/// Words that show the reply says what was looked into and found.
const FACTS: &[&str] = &[
    "经查",
    "经核实",
    "经调查",
    "调查",
    "核实",
    "核查",
    "查明",
    "了解到",
    "经了解",
    "据查",
    "现场",
    "走访",
    "勘察",
    "查勘",
    "实地",
    "了解",
    "目前",
    "现状",
    "经研究",
    "检查",
    "查看",
];
/// Words that show the reply says what was decided or done.
const OUTCOME: &[&str] = &[
    "予以支持",
    "不予支持",
    "支持您",
    "同意",
    "决定",
    "已经",
    "已",
    "将于",
    "将",
    "整改",
    "处理结果",
    "处理意见",
    "落实",
    "责令",
    "解释",
];
/// Words that show a basis is cited.
const BASIS: &[&str] = &[
    "《", "根据", "依据", "按照", "依照", "规定", "条例", "办法", "法律", "法规", "政策", "文件",
    "标准",
];
/// Words a reply to a citizen must not use.
const IMPROPER: &[&str] = &[
    "无理取闹",
    "刁民",
    "胡搅蛮缠",
    "不要再来",
    "别再来",
    "别再",
    "后果自负",
    "与我们无关",
    "不归我们管",
    "爱找谁找谁",
    "闹事",
    "缠访",
    "滋事",
    "不予理睬",
    "少来",
];
/// Shorter than this a reply cannot hold facts, outcome and basis.
const SHORT: usize = 40;

/// Checks `reply` against `petition` (title first, then the content). `next` is what the
/// petitioner may do next, which the reply must tell.
pub fn check(petition: &str, reply: &str, next: NextStep, rarity: &dyn Rarity) -> Checked {
    let (views, missing) = relevance_views(petition, reply, rarity);
    let relevance = views.iter().sum::<f64>() / 3.0;
    let text = squeezed(reply);
    let mut flags = Vec::new();
    if relevance < OFF_TOPIC_BELOW {
        let missing = &missing[..missing.len().min(3)];
        let message = if missing.is_empty() {
            "答复未回应信访事项的主要内容".to_string()
        } else {
            format!(
                "答复未回应信访事项的主要内容：未提及{}",
                missing
                    .iter()
                    .map(|w| format!("“{w}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            )
        };
        flags.push(Flag {
            code: FlagCode::OffTopic,
            message,
        });
    }

    let mut checks = 0usize;
    let mut passed = 0usize;
    let mut wanting: Vec<&str> = Vec::new();
    let length = text.chars().count();
    checks += 3;
    if FACTS.iter().any(|w| text.contains(w)) {
        passed += 1;
    } else {
        wanting.push("未写明调查核实的事实");
    }
    if OUTCOME.iter().any(|w| text.contains(w)) {
        passed += 1;
    } else {
        wanting.push("未写明处理结果");
    }
    if length >= SHORT {
        passed += 1;
    } else {
        wanting.push("答复过短");
    }
    if !wanting.is_empty() {
        flags.push(Flag {
            code: FlagCode::Incomplete,
            message: format!("答复不完整：{}", wanting.join("；")),
        });
    }

    checks += 1;
    if BASIS.iter().any(|w| text.contains(w)) {
        passed += 1;
    } else {
        flags.push(Flag {
            code: FlagCode::NoBasis,
            message: "答复未引用处理依据（如“根据《××条例》第×条”或有关政策规定）".into(),
        });
    }

    let remedy = match next {
        NextStep::Review => Some("复查"),
        NextStep::Rereview => Some("复核"),
        NextStep::None => None,
    };
    if let Some(step) = remedy {
        checks += 1;
        let names = text.contains(step);
        let limit = ["30日", "三十日", "30天", "三十天"]
            .iter()
            .any(|w| text.contains(w));
        if names && limit {
            passed += 1;
        } else {
            flags.push(Flag {
                code: FlagCode::NoRemedy,
                message: format!(
                    "答复未告知信访人：对意见不服的，可自收到之日起30日内请求{step}{}",
                    if names { "（缺少时限）" } else { "" }
                ),
            });
        }
    }

    let improper: Vec<&str> = IMPROPER
        .iter()
        .copied()
        .filter(|w| text.contains(w))
        .collect();
    if !improper.is_empty() {
        flags.push(Flag {
            code: FlagCode::Tone,
            message: format!(
                "答复措辞不当：{}",
                improper
                    .iter()
                    .map(|w| format!("“{w}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        });
    }

    let relevant = (relevance / RELEVANT_AT).min(1.0);
    let complete = passed as f64 / checks as f64;
    let score = (0.5 * relevant + 0.5 * complete - 0.2 * improper.len() as f64).clamp(0.0, 1.0);
    Checked {
        score: (score * 1000.0).round() / 1000.0,
        relevance: (relevance * 1000.0).round() / 1000.0,
        flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETITION: &str = "清河区幸福小区楼下烧烤店夜间油烟噪音扰民\n\
        幸福小区3栋楼下的烧烤店每天营业到凌晨两点，油烟直冲楼上住户窗户，噪音吵得老人孩子无法入睡，\
        多次找店主协商无果，希望有关部门查处。";

    const GOOD: &str = "经调查核实，幸福小区3栋楼下烧烤店确存在夜间经营油烟、噪音扰民情况。\
        根据《中华人民共和国噪声污染防治法》第六十一条和《大气污染防治法》第八十一条，\
        区城管局已责令该烧烤店安装油烟净化设施，并将营业时间调整至晚上十点前。\
        如对本处理意见不服，可自收到本意见书之日起30日内向清河区人民政府请求复查。";

    const OTHER: &str = "经调查核实，您反映的农民工工资拖欠问题属实。根据《保障农民工工资支付条例》\
        第三十条，人社局已责令建筑公司于本月底前足额支付所欠工资。如对本处理意见不服，\
        可自收到本意见书之日起30日内请求复查。";

    fn none() -> Counted {
        Counted::default()
    }

    #[test]
    fn a_reply_that_answers_the_petition_passes() {
        let c = check(PETITION, GOOD, NextStep::Review, &none());
        assert!(c.flags.is_empty(), "{c:?}");
        assert!(c.score > 0.9, "{c:?}");
    }

    #[test]
    fn a_reply_to_another_matter_is_off_topic_and_names_what_it_misses() {
        let c = check(PETITION, OTHER, NextStep::Review, &none());
        assert!(c.has(FlagCode::OffTopic), "{c:?}");
        let good = check(PETITION, GOOD, NextStep::Review, &none());
        assert!(c.score < good.score);
        let msg = &c.flags[0].message;
        assert!(msg.contains("未提及"), "{msg}");
    }

    #[test]
    fn basis_remedy_and_completeness_are_each_flagged() {
        let bare = "幸福小区烧烤店油烟噪音的事我们知道了。";
        let c = check(PETITION, bare, NextStep::Review, &none());
        assert!(c.has(FlagCode::NoBasis), "{c:?}");
        assert!(c.has(FlagCode::NoRemedy), "{c:?}");
        assert!(c.has(FlagCode::Incomplete), "{c:?}");
        assert!(!c.has(FlagCode::OffTopic), "{c:?}");
    }

    #[test]
    fn no_remedy_only_where_a_next_step_exists() {
        let final_reply = GOOD.replace(
            "如对本处理意见不服，可自收到本意见书之日起30日内向清河区人民政府请求复查。",
            "",
        );
        assert!(check(PETITION, &final_reply, NextStep::Review, &none()).has(FlagCode::NoRemedy));
        assert!(!check(PETITION, &final_reply, NextStep::None, &none()).has(FlagCode::NoRemedy));
        // A 复查意见书 must name the 复核, with its time limit.
        let c = check(PETITION, GOOD, NextStep::Rereview, &none());
        assert!(c.has(FlagCode::NoRemedy));
        let no_limit = GOOD.replace("30日内", "");
        let c = check(PETITION, &no_limit, NextStep::Review, &none());
        assert!(
            c.flags
                .iter()
                .any(|f| f.code == FlagCode::NoRemedy && f.message.contains("缺少时限")),
            "{c:?}"
        );
    }

    #[test]
    fn improper_words_are_flagged_and_lower_the_score() {
        let rude = format!("{GOOD}请不要无理取闹。");
        let c = check(PETITION, &rude, NextStep::Review, &none());
        assert!(c.has(FlagCode::Tone));
        assert!(c.score < check(PETITION, GOOD, NextStep::Review, &none()).score);
    }

    #[test]
    fn the_first_line_is_the_title() {
        assert_eq!(first_line("标题在此\n正文"), "标题在此");
        assert_eq!(first_line("  只有一句话。后面"), "只有一句话");
        assert_eq!(first_line(&"字".repeat(50)).chars().count(), 40);
        assert_eq!(first_line(""), "");
    }

    #[test]
    fn empty_texts_score_low_without_panicking() {
        let c = check("", "", NextStep::Review, &none());
        assert!(c.has(FlagCode::OffTopic) && c.has(FlagCode::Incomplete));
        assert!(c.score < 0.2);
    }

    #[test]
    fn rarity_counts_texts_containing_a_word() {
        let r = Counted::over(["烧烤店油烟", "烧烤店噪音", "工资拖欠"]);
        assert!(r.idf("工资") > r.idf("烧烤"));
        assert!(r.idf("没见过的词") > r.idf("工资"));
    }
}
