//! Hot issues of a period: the groups of petitions ranked by heat. Pure: the caller hands the
//! petitions of the period and of the period before, in (day, case) order, each with its group
//! and figures, regions and categories as numbers into a list of names.

use std::collections::VecDeque;

use chrono::NaiveDate;
use serde::Serialize;

use super::facts::{Day, date_of, day_of};

/// Case ids listed per issue.
pub const MAX_CASE_IDS: usize = 200;

/// What a hot issue counts of one petition.
#[derive(Debug, Clone, Copy)]
pub struct Counted {
    pub case: i64,
    pub group: i64,
    /// The group's dense number, below the `slots` given to [`rank`].
    pub slot: u32,
    /// The registration day ([`day_of`]).
    pub day: Day,
    /// Numbers into the names given to [`rank`].
    pub region: Option<u32>,
    pub category: u32,
    /// 人次: the head count of a collective visit, else 1.
    pub people: u32,
    pub collective: bool,
    /// A repeat petition (重复信访).
    pub repeat: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotIssue {
    /// The group: the id of its first petition (stable while the server runs; the same after a
    /// restart for petitions taken in the same order).
    pub id: i64,
    /// Filled by the caller: a representative title (of the group's first petition the caller
    /// may see in the period).
    pub title: String,
    pub cases: u32,
    pub people: u32,
    /// 集体访 (批次) among the cases.
    pub collective: u32,
    /// Repeat petitions among the cases.
    pub repeats: u32,
    /// Cases of the group in the period of the same length just before.
    pub before: u32,
    /// (cases − before) / max(before, 1).
    pub growth: f64,
    /// Regions with their case counts, most first.
    pub regions: Vec<(String, u32)>,
    pub categories: Vec<(String, u32)>,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// cases × (1 + growth / 2, growth counted from 0 to 4) + 3 per collective visit + 1 per
    /// repeat petition.
    pub heat: f64,
    /// The cases, latest first (at most [`MAX_CASE_IDS`]).
    pub case_ids: Vec<i64>,
    /// Cases per day of the period that had any.
    pub daily: Vec<(NaiveDate, u32)>,
}

/// The details of one of the hottest groups, counted in arrays (a template-wide group of a
/// large city holds hundreds of thousands of a year's cases: a map per case cost more than the
/// walk).
struct Tally {
    cases: u32,
    people: u32,
    collective: u32,
    repeats: u32,
    before: u32,
    /// Cases per region and per category, by name number.
    regions: Vec<u32>,
    categories: Vec<u32>,
    first: Option<Day>,
    last: Option<Day>,
    /// The latest cases (the walk is in day order: the last ones seen).
    ids: VecDeque<i64>,
    /// Cases per day of the period, from its first day.
    daily: Vec<u32>,
}

impl Tally {
    fn new(names: usize, days: usize) -> Tally {
        Tally {
            cases: 0,
            people: 0,
            collective: 0,
            repeats: 0,
            before: 0,
            regions: vec![0; names],
            categories: vec![0; names],
            first: None,
            last: None,
            ids: VecDeque::with_capacity(MAX_CASE_IDS),
            daily: vec![0; days],
        }
    }
}

/// What the first pass counts of a group: enough for its heat.
#[derive(Default, Clone, Copy)]
struct Light {
    group: i64,
    cases: u32,
    before: u32,
    collective: u32,
    repeats: u32,
}

fn heat(cases: u32, before: u32, collective: u32, repeats: u32) -> (f64, f64) {
    let growth = (cases as f64 - before as f64) / before.max(1) as f64;
    let heat = cases as f64 * (1.0 + growth.clamp(0.0, 4.0) / 2.0)
        + 3.0 * collective as f64
        + repeats as f64;
    (growth, heat)
}

/// The issues of `from..=to` with at least two cases, hottest first, at most `limit`.
/// `petitions` gives those of the period and of the period of the same length before it, in
/// (day, case) order; it is walked twice: once to count every group (a year of a large city
/// holds hundreds of thousands, most of one case), once to gather the details of the hottest
/// only. `names` are the regions' and categories' names by number.
pub fn rank<I: Iterator<Item = Counted>>(
    petitions: impl Fn() -> I,
    slots: usize,
    names: &[String],
    from: NaiveDate,
    to: NaiveDate,
    limit: usize,
) -> Vec<HotIssue> {
    // Groups are counted in an array by their dense number: a year of a large city holds
    // hundreds of thousands of groups, and a map of them costs more than the walk itself.
    let first_day = from;
    let (from, to) = (day_of(from), day_of(to));
    let days = (to - from + 1).max(0) as usize;
    let mut light = vec![Light::default(); slots];
    for p in petitions().filter(|p| p.day <= to) {
        let Some(t) = light.get_mut(p.slot as usize) else {
            continue;
        };
        t.group = p.group;
        if p.day < from {
            t.before += 1;
        } else {
            t.cases += 1;
            t.collective += u32::from(p.collective);
            t.repeats += u32::from(p.repeat);
        }
    }
    let mut hottest: Vec<(f64, u32, i64, u32)> = light
        .iter()
        .enumerate()
        .filter(|(_, t)| t.cases >= 2)
        .map(|(slot, t)| {
            let (_, h) = heat(t.cases, t.before, t.collective, t.repeats);
            (h, t.cases, t.group, slot as u32)
        })
        .collect();
    let order = |a: &(f64, u32, i64, u32), b: &(f64, u32, i64, u32)| {
        b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
    };
    // At most 255 issues (each is numbered in a byte for the second walk).
    let limit = limit.min(255);
    if limit == 0 {
        return Vec::new();
    }
    if hottest.len() > limit {
        hottest.select_nth_unstable_by(limit - 1, order);
        hottest.truncate(limit);
    }
    hottest.sort_by(order);
    // Which of the hottest a group is (1-based; 0 for the rest), for the second walk.
    let mut rank_of = vec![0u8; if hottest.is_empty() { 0 } else { slots }];
    let mut tallies: Vec<Tally> = Vec::with_capacity(hottest.len());
    for (i, (_, _, _, slot)) in hottest.iter().enumerate() {
        rank_of[*slot as usize] = (i + 1) as u8;
        tallies.push(Tally::new(names.len(), days));
    }
    for p in petitions().filter(|p| p.day <= to) {
        let i = rank_of.get(p.slot as usize).copied().unwrap_or(0);
        if i == 0 {
            continue;
        }
        let t = &mut tallies[i as usize - 1];
        if p.day < from {
            t.before += 1;
            continue;
        }
        t.cases += 1;
        t.people += p.people.max(1);
        t.collective += u32::from(p.collective);
        t.repeats += u32::from(p.repeat);
        if let Some(n) = p.region.and_then(|r| t.regions.get_mut(r as usize)) {
            *n += 1;
        }
        if let Some(n) = t.categories.get_mut(p.category as usize) {
            *n += 1;
        }
        t.first = Some(t.first.map_or(p.day, |f| f.min(p.day)));
        t.last = Some(t.last.map_or(p.day, |l| l.max(p.day)));
        if t.ids.len() == MAX_CASE_IDS {
            t.ids.pop_front();
        }
        t.ids.push_back(p.case);
        t.daily[(p.day - from) as usize] += 1;
    }
    hottest
        .into_iter()
        .zip(tallies)
        .map(|((_, _, id, _), t)| issue(id, t, names, first_day))
        .collect()
}

fn issue(id: i64, t: Tally, names: &[String], first_day: NaiveDate) -> HotIssue {
    let (growth, heat) = heat(t.cases, t.before, t.collective, t.repeats);
    let daily: Vec<(NaiveDate, u32)> = t
        .daily
        .iter()
        .enumerate()
        .filter(|(_, n)| **n > 0)
        .map(|(d, n)| (first_day + chrono::Duration::days(d as i64), *n))
        .collect();
    HotIssue {
        id,
        title: String::new(),
        cases: t.cases,
        people: t.people,
        collective: t.collective,
        repeats: t.repeats,
        before: t.before,
        growth: (growth * 100.0).round() / 100.0,
        regions: most_first(&t.regions, names),
        categories: most_first(&t.categories, names),
        first_day: t.first.map(date_of).unwrap_or_default(),
        last_day: t.last.map(date_of).unwrap_or_default(),
        heat: (heat * 10.0).round() / 10.0,
        case_ids: t.ids.into_iter().rev().collect(),
        daily,
    }
}

fn most_first(counts: &[u32], names: &[String]) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = counts
        .iter()
        .zip(names)
        .filter(|(n, _)| **n > 0)
        .map(|(n, name)| (name.clone(), *n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 5, 1).unwrap() + chrono::Duration::days(n as i64)
    }

    /// The names the tests' petitions number.
    fn names() -> Vec<String> {
        ["东区", "城乡建设/物业管理", "西区"]
            .map(String::from)
            .to_vec()
    }

    fn p(case: i64, group: i64, day: u32) -> Counted {
        Counted {
            case,
            group,
            slot: group as u32,
            day: day_of(d(day)),
            region: Some(0),
            category: 1,
            people: 1,
            collective: false,
            repeat: false,
        }
    }

    #[test]
    fn issues_rank_by_heat_and_count_the_period_only() {
        let mut list = vec![
            // Group 1: 3 cases before, 3 in the period (growth 0).
            p(1, 1, 0),
            p(2, 1, 1),
            p(3, 1, 2),
            p(4, 1, 10),
            p(5, 1, 11),
            p(6, 1, 12),
            // Group 7: new, 2 cases, one a collective visit of 30 people.
            p(7, 7, 10),
            Counted {
                people: 30,
                collective: true,
                ..p(8, 7, 13)
            },
            // A single petition is no issue; a case after the period is not counted.
            p(9, 9, 12),
            p(10, 1, 30),
        ];
        list.push(Counted {
            region: Some(2),
            repeat: true,
            ..p(11, 1, 13)
        });
        list.sort_by_key(|p| (p.day, p.case));
        let names = names();
        let issues = rank(|| list.iter().copied(), 20, &names, d(10), d(19), 10);
        assert_eq!(issues.len(), 2);
        let (a, b) = (&issues[0], &issues[1]);
        // Group 7: 2 × (1 + 2/2) + 3 = 7; group 1: 4 × (1 + (1/3)/2) + 1 = 5.67.
        assert_eq!(
            (a.id, a.cases, a.people, a.collective, a.before),
            (7, 2, 31, 1, 0)
        );
        assert_eq!(a.growth, 2.0);
        assert_eq!(a.heat, 7.0);
        assert_eq!((b.id, b.cases, b.before, b.repeats), (1, 4, 3, 1));
        assert_eq!(b.heat, 5.7);
        assert_eq!(b.case_ids, vec![11, 6, 5, 4]);
        assert_eq!(
            b.regions,
            vec![("东区".to_string(), 3), ("西区".to_string(), 1)]
        );
        assert_eq!(b.categories, vec![("城乡建设/物业管理".to_string(), 4)]);
        assert_eq!((b.first_day, b.last_day), (d(10), d(13)));
        assert_eq!(
            b.daily,
            vec![(d(10), 1), (d(11), 1), (d(12), 1), (d(13), 1)]
        );
        assert_eq!(
            rank(std::iter::empty, 0, &names, d(0), d(1), 10),
            Vec::new()
        );
        let two = [p(1, 1, 0), p(2, 1, 0)];
        assert_eq!(
            rank(|| two.iter().copied(), 2, &names, d(0), d(0), 0).len(),
            0
        );
        assert_eq!(
            rank(|| two.iter().copied(), 2, &names, d(0), d(0), 1).len(),
            1
        );
    }

    #[test]
    fn a_large_group_lists_its_latest_cases_only() {
        let list: Vec<Counted> = (0..500).map(|i| p(i, 0, (i / 100) as u32)).collect();
        let issues = rank(|| list.iter().copied(), 1, &names(), d(0), d(4), 10);
        assert_eq!(issues[0].cases, 500);
        assert_eq!(issues[0].case_ids.len(), MAX_CASE_IDS);
        assert_eq!(issues[0].case_ids[0], 499);
        assert_eq!(issues[0].case_ids[MAX_CASE_IDS - 1], 300);
        assert_eq!(issues[0].daily.len(), 5);
    }
}
