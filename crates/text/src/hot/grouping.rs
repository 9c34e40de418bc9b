//! Grouping petitions by matter as they arrive: each new text joins the group of the most alike
//! recent petition, or starts a group of its own. Pure (no I/O); the follower in `hot::follow`
//! feeds it the log.
//!
//! A text is a short vector of its key words weighed by rarity (rarity counted over the texts
//! seen so far), the title's words weighing five times a word of the content: titles name the
//! matter and the place, contents wander. A petition joins a group when
//! - it reads as a near-duplicate of one of the group's recent petitions (the same complaint
//!   again, by the same or other people: cosine ≥ [`NEAR_DUPLICATE`]), wherever it is; or
//! - it is alike to one of them (≥ [`ALIKE`]) and to the group as a whole (≥ [`GROUP_ALIKE`],
//!   which stops a chain of pairwise likenesses from drifting to another matter), and it is at
//!   the same place (region) with the same first-level category, where both are known.
//!
//! Tuned on the 4,326 real messages of `messages_with_votes.csv` (BENCHMARKS.md): the known hot
//! matters of that board come out as groups (a mixing station beside a housing estate: 54
//! messages; parking spaces sold bundled with flats: 32; …).

use std::collections::{HashMap, VecDeque};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::facts::{Day, day_of};
use super::names::Names;
use crate::reply_check::key_words;

/// Cosine at or above which two texts are the same complaint, wherever they come from.
pub const NEAR_DUPLICATE: f32 = 0.6;
/// Cosine to the most alike recent petition for the same matter at the same place.
pub const ALIKE: f32 = 0.3;
/// Cosine to the group's centre (its first members) needed as well.
pub const GROUP_ALIKE: f32 = 0.25;
/// A petition older than this (in days before the newest) is no longer joined to.
pub const WINDOW_DAYS: i64 = 90;

/// Key words kept per text.
const TERMS: usize = 12;
/// How much a word of the title weighs against one of the content.
const TITLE_WEIGHT: f32 = 5.0;
/// The rarest words of a text through which alike petitions are looked up.
const LOOKUP_WORDS: usize = 8;
/// Recent petitions remembered per word for the look-up.
const PER_WORD: usize = 200;
/// A group's centre is the sum of its first members.
const CENTRE_MEMBERS: u32 = 30;

/// A petition as the grouping reads it.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    pub case: i64,
    pub day: NaiveDate,
    pub title: &'a str,
    pub content: &'a str,
    pub region: Option<&'a str>,
    /// The category's first level (大类), when known.
    pub category: Option<&'a str>,
}

/// A sparse vector of word ids and weights, sorted by word id, of length 1.
type Vector = Vec<(u32, f32)>;

#[derive(Serialize, Deserialize)]
struct Member {
    group: u32,
    day: Day,
    place: Option<u32>,
    category: Option<u32>,
    /// Dropped once the petition leaves the window.
    vector: Option<Vector>,
}

#[derive(Default, Serialize, Deserialize)]
struct Centre {
    sum: HashMap<u32, f32>,
    members: u32,
    /// The group's latest member: once its vector is dropped no petition can join the group,
    /// and the centre goes too (a city's years hold hundreds of thousands of groups).
    last: u32,
}

/// The groups so far. Group ids are the index of their first petition (stable for the life
/// of the grouping, and across restarts when it is kept: see `hot::snapshot`).
#[derive(Default, Serialize, Deserialize)]
pub struct Grouper {
    words: Names,
    texts_with: Vec<u32>,
    texts: u32,
    /// Places and categories.
    names: Names,
    members: Vec<Member>,
    /// Rebuilt from `cases` after loading.
    #[serde(skip)]
    by_case: HashMap<i64, u32>,
    cases: Vec<i64>,
    postings: HashMap<u32, VecDeque<u32>>,
    centres: HashMap<u32, Centre>,
    newest: Option<NaiveDate>,
    /// Members before this index have had their vectors dropped.
    dropped_before: usize,
}

impl Grouper {
    pub fn new() -> Grouper {
        Grouper::default()
    }

    /// Rebuilds what is not stored after loading.
    pub fn reindex(&mut self) {
        self.words.reindex();
        self.names.reindex();
        self.by_case = self
            .cases
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i as u32))
            .collect();
    }

    /// Petitions taken in.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The group of a case taken in: the case id of the group's first petition.
    pub fn group_of(&self, case: i64) -> Option<i64> {
        let m = *self.by_case.get(&case)?;
        Some(self.cases[self.members[m as usize].group as usize])
    }

    /// A group's dense number (0 ≤ slot < [`Grouper::len`]): the index of its first petition.
    pub fn slot(&self, group: i64) -> Option<u32> {
        self.by_case.get(&group).copied()
    }

    /// Takes in a petition (once; a case already taken in keeps its group) and answers its
    /// group: the case id of the group's first petition.
    pub fn add(&mut self, item: Item) -> i64 {
        if let Some(g) = self.group_of(item.case) {
            return g;
        }
        let vector = self.vector(item.title, item.content);
        let place = item.region.map(|r| self.names.id(r));
        let category = item.category.map(|c| self.names.id(c));
        let index = self.members.len() as u32;
        let group = self
            .best_group(&vector, item.day, place, category)
            .unwrap_or(index);
        for (w, _) in &vector {
            let list = self.postings.entry(*w).or_default();
            if list.len() == PER_WORD {
                list.pop_front();
            }
            list.push_back(index);
        }
        let centre = self.centres.entry(group).or_default();
        centre.last = index;
        if centre.members < CENTRE_MEMBERS {
            centre.members += 1;
            for (w, x) in &vector {
                *centre.sum.entry(*w).or_default() += x;
            }
        }
        self.members.push(Member {
            group,
            day: day_of(item.day),
            place,
            category,
            vector: Some(vector),
        });
        self.by_case.insert(item.case, index);
        self.cases.push(item.case);
        if self.newest.is_none_or(|n| item.day > n) {
            self.newest = Some(item.day);
            self.drop_old_vectors();
        }
        self.cases[group as usize]
    }

    /// The text's key words weighed by rarity (the text itself counted among the texts).
    fn vector(&mut self, title: &str, content: &str) -> Vector {
        let title_words = key_words(title);
        let content_words = key_words(content);
        let mut counts: HashMap<u32, (f32, u32)> = HashMap::new();
        for (words, weight) in [(&title_words, TITLE_WEIGHT), (&content_words, 1.0)] {
            for w in words {
                let id = self.words.id(w);
                if id as usize == self.texts_with.len() {
                    self.texts_with.push(0);
                }
                let e = counts.entry(id).or_default();
                // A content word counts at most three times.
                if weight > 1.0 || e.1 < 3 {
                    e.0 += weight;
                    if weight <= 1.0 {
                        e.1 += 1;
                    }
                }
            }
        }
        self.texts += 1;
        for id in counts.keys() {
            self.texts_with[*id as usize] += 1;
        }
        let texts = self.texts as f32;
        let mut v: Vector = counts
            .into_iter()
            .map(|(id, (tf, _))| {
                let idf = ((texts + 1.0) / (self.texts_with[id as usize] as f32 + 1.0)).ln() + 1.0;
                (id, tf * idf)
            })
            .collect();
        v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(TERMS);
        let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            for (_, x) in &mut v {
                *x /= norm;
            }
        }
        v.sort_by_key(|(id, _)| *id);
        v
    }

    fn best_group(
        &self,
        v: &Vector,
        day: NaiveDate,
        place: Option<u32>,
        category: Option<u32>,
    ) -> Option<u32> {
        let oldest = day_of(day) - WINDOW_DAYS as Day;
        let mut rare: Vec<(u32, u32)> = v
            .iter()
            .map(|(w, _)| (self.texts_with[*w as usize], *w))
            .collect();
        rare.sort();
        // The recent petitions sharing a rare word, each once.
        let mut candidates: Vec<u32> = rare
            .into_iter()
            .take(LOOKUP_WORDS)
            .filter_map(|(_, w)| self.postings.get(&w))
            .flatten()
            .copied()
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        let mut best: Option<(f32, u32)> = None;
        for m in candidates {
            let member = &self.members[m as usize];
            let Some(other) = member.vector.as_ref().filter(|_| member.day >= oldest) else {
                continue;
            };
            let cos = dot(v, other);
            if best.is_none_or(|(b, _)| cos > b) {
                best = Some((cos, m));
            }
        }
        let (cos, m) = best?;
        let member = &self.members[m as usize];
        if cos >= NEAR_DUPLICATE {
            return Some(member.group);
        }
        let same = |a: Option<u32>, b: Option<u32>| a.is_none() || b.is_none() || a == b;
        (cos >= ALIKE
            && same(place, member.place)
            && same(category, member.category)
            && self.centre_cosine(v, member.group) >= GROUP_ALIKE)
            .then_some(member.group)
    }

    fn centre_cosine(&self, v: &Vector, group: u32) -> f32 {
        let Some(c) = self.centres.get(&group) else {
            return 0.0;
        };
        let norm = c.sum.values().map(|x| x * x).sum::<f32>().sqrt();
        if norm == 0.0 {
            return 0.0;
        }
        v.iter()
            .map(|(w, x)| x * c.sum.get(w).copied().unwrap_or(0.0))
            .sum::<f32>()
            / norm
    }

    /// Frees the vectors of petitions that left the window (taken in roughly by day, so the
    /// walk stops at the first one still inside).
    fn drop_old_vectors(&mut self) {
        let Some(newest) = self.newest else { return };
        let oldest = day_of(newest) - WINDOW_DAYS as Day;
        while let Some(m) = self.members.get_mut(self.dropped_before) {
            if m.day >= oldest {
                break;
            }
            m.vector = None;
            let group = m.group;
            let index = self.dropped_before as u32;
            if self.centres.get(&group).is_some_and(|c| c.last == index) {
                self.centres.remove(&group);
            }
            self.dropped_before += 1;
        }
    }
}

fn dot(a: &Vector, b: &Vector) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Duration::days(d as i64)
    }

    fn item<'a>(case: i64, d: u32, title: &'a str, content: &'a str, region: &'a str) -> Item<'a> {
        Item {
            case,
            day: day(d),
            title,
            content,
            region: Some(region),
            category: Some("城乡建设"),
        }
    }

    const UNRELATED: &[(&str, &str)] = &[
        (
            "拖欠农民工工资三个月",
            "建筑工地老板拖欠我们十二名农民工工资三个月共计八万元。",
        ),
        (
            "小学门口交通拥堵",
            "每天早晚接送孩子时学校门口车辆乱停，交通拥堵严重。",
        ),
        (
            "医保报销比例咨询",
            "异地就医住院费用的医保报销比例是多少，需要什么手续。",
        ),
        (
            "路灯损坏多日未修",
            "滨江路北段路灯损坏半个月了，晚上出行很不安全。",
        ),
        (
            "养老金资格认证问题",
            "退休职工养老金资格认证在手机上总是失败，请帮助解决。",
        ),
        (
            "菜市场占道经营",
            "南门菜市场摊贩占道经营，行人通行困难，垃圾遍地。",
        ),
    ];

    #[test]
    fn near_identical_complaints_among_unrelated_ones_form_one_group_whole() {
        let mut g = Grouper::new();
        let mut case = 0;
        let mut planted = Vec::new();
        for round in 0..4 {
            for (t, c) in UNRELATED {
                case += 1;
                g.add(item(case, round, t, c, &format!("区{case}")));
            }
            for k in 0..3 {
                case += 1;
                let content = format!(
                    "丽发新城小区旁边新建的搅拌站{}，粉尘和噪音严重影响居民休息，请求取缔。",
                    ["日夜施工", "凌晨还在作业", "大车进出不断"][k]
                );
                planted.push(case);
                g.add(item(
                    case,
                    round,
                    "丽发新城附近搅拌站噪音粉尘扰民",
                    &content,
                    "岳麓区",
                ));
            }
        }
        let group = g.group_of(planted[0]).unwrap();
        for c in &planted {
            assert_eq!(g.group_of(*c), Some(group), "case {c}");
        }
        let others: Vec<i64> = (1..=case).filter(|c| !planted.contains(c)).collect();
        assert!(others.iter().all(|c| g.group_of(*c) != Some(group)));
    }

    #[test]
    fn the_same_subject_at_another_place_is_another_group_unless_it_reads_the_same() {
        let mut g = Grouper::new();
        for (i, (t, c)) in UNRELATED.iter().enumerate() {
            g.add(item(100 + i as i64, 0, t, c, "他区"));
        }
        // Smoke from barbecues is a common complaint: its words say little, the place much.
        let places = [
            "金星路",
            "银河湾",
            "翠竹园",
            "滨江苑",
            "梧桐里",
            "南湖村",
            "北岸城",
            "青石巷",
            "红枫林",
            "白鹭洲",
        ];
        for (i, p) in places.iter().enumerate() {
            let (t, c) = (
                format!("{p}烧烤店油烟扰民"),
                format!("{p}门口烧烤店油烟大，晚上吵。"),
            );
            g.add(item(200 + i as i64, 0, &t, &c, &format!("{p}区")));
        }
        let a = g.add(item(
            1,
            1,
            "幸福小区烧烤店油烟扰民",
            "幸福小区楼下烧烤店油烟很大，每晚营业到凌晨。",
            "东区",
        ));
        let b = g.add(item(
            2,
            2,
            "阳光花园烧烤店油烟扰民",
            "阳光花园门口烧烤店油烟很大，晚上营业到很晚。",
            "西区",
        ));
        assert_ne!(a, b);
        // The same words again from another place: a near-duplicate joins wherever it is.
        let c = g.add(item(
            3,
            3,
            "幸福小区烧烤店油烟扰民",
            "幸福小区楼下烧烤店油烟很大，每晚营业到凌晨。",
            "西区",
        ));
        assert_eq!(c, a);
    }

    #[test]
    fn a_case_is_taken_in_once_and_old_petitions_are_not_joined() {
        let mut g = Grouper::new();
        let a = g.add(item(
            1,
            0,
            "幸福小区烧烤店油烟扰民",
            "楼下烧烤店油烟很大。",
            "东区",
        ));
        assert_eq!(g.add(item(1, 0, "别的", "别的", "东区")), a);
        assert_eq!(g.len(), 1);
        let late = g.add(item(
            2,
            200,
            "幸福小区烧烤店油烟扰民",
            "楼下烧烤店油烟很大。",
            "东区",
        ));
        assert_eq!(late, 2, "a petition beyond the window starts its own group");
    }
}
