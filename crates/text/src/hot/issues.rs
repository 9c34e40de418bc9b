//! Hot issues of a period: the groups of petitions ranked by heat. Pure: the caller hands the
//! petitions of the period and of the period before, each with its group and figures.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

/// Case ids listed per issue.
pub const MAX_CASE_IDS: usize = 200;

/// What a hot issue counts of one petition.
#[derive(Debug, Clone, Copy)]
pub struct Counted<'a> {
    pub case: i64,
    pub group: i64,
    pub day: NaiveDate,
    pub region: Option<&'a str>,
    pub category: &'a str,
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

#[derive(Default)]
struct Tally<'a> {
    cases: u32,
    people: u32,
    collective: u32,
    repeats: u32,
    before: u32,
    regions: HashMap<&'a str, u32>,
    categories: HashMap<&'a str, u32>,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
    ids: Vec<(NaiveDate, i64)>,
    daily: HashMap<NaiveDate, u32>,
}

/// The issues of `from..=to` with at least two cases, hottest first, at most `limit`.
/// `petitions` holds those of the period and of the period of the same length before it.
pub fn rank<'a>(
    petitions: impl IntoIterator<Item = Counted<'a>>,
    from: NaiveDate,
    to: NaiveDate,
    limit: usize,
) -> Vec<HotIssue> {
    let mut groups: HashMap<i64, Tally> = HashMap::new();
    for p in petitions {
        if p.day > to {
            continue;
        }
        let t = groups.entry(p.group).or_default();
        if p.day < from {
            t.before += 1;
            continue;
        }
        t.cases += 1;
        t.people += p.people.max(1);
        t.collective += u32::from(p.collective);
        t.repeats += u32::from(p.repeat);
        if let Some(r) = p.region {
            *t.regions.entry(r).or_default() += 1;
        }
        *t.categories.entry(p.category).or_default() += 1;
        t.first = Some(t.first.map_or(p.day, |f| f.min(p.day)));
        t.last = Some(t.last.map_or(p.day, |l| l.max(p.day)));
        t.ids.push((p.day, p.case));
        *t.daily.entry(p.day).or_default() += 1;
    }
    let mut issues: Vec<HotIssue> = groups
        .into_iter()
        .filter(|(_, t)| t.cases >= 2)
        .map(|(id, t)| issue(id, t))
        .collect();
    issues.sort_by(|a, b| {
        b.heat
            .total_cmp(&a.heat)
            .then(b.cases.cmp(&a.cases))
            .then(a.id.cmp(&b.id))
    });
    issues.truncate(limit);
    issues
}

fn issue(id: i64, mut t: Tally) -> HotIssue {
    let growth = (t.cases as f64 - t.before as f64) / t.before.max(1) as f64;
    let heat = t.cases as f64 * (1.0 + growth.clamp(0.0, 4.0) / 2.0)
        + 3.0 * t.collective as f64
        + t.repeats as f64;
    t.ids.sort_by(|a, b| b.cmp(a));
    let mut daily: Vec<(NaiveDate, u32)> = t.daily.into_iter().collect();
    daily.sort();
    HotIssue {
        id,
        title: String::new(),
        cases: t.cases,
        people: t.people,
        collective: t.collective,
        repeats: t.repeats,
        before: t.before,
        growth: (growth * 100.0).round() / 100.0,
        regions: most_first(t.regions),
        categories: most_first(t.categories),
        first_day: t.first.unwrap_or_default(),
        last_day: t.last.unwrap_or_default(),
        heat: (heat * 10.0).round() / 10.0,
        case_ids: t
            .ids
            .into_iter()
            .take(MAX_CASE_IDS)
            .map(|(_, id)| id)
            .collect(),
        daily,
    }
}

fn most_first(counts: HashMap<&str, u32>) -> Vec<(String, u32)> {
    let mut v: Vec<(String, u32)> = counts
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
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

    fn p(case: i64, group: i64, day: u32) -> Counted<'static> {
        Counted {
            case,
            group,
            day: d(day),
            region: Some("东区"),
            category: "城乡建设/物业管理",
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
            region: Some("西区"),
            repeat: true,
            ..p(11, 1, 13)
        });
        let issues = rank(list, d(10), d(19), 10);
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
        assert_eq!((b.first_day, b.last_day), (d(10), d(13)));
        assert_eq!(b.daily.len(), 4);
        assert_eq!(rank(Vec::new(), d(0), d(1), 10), Vec::new());
        assert_eq!(rank(vec![p(1, 1, 0), p(2, 1, 0)], d(0), d(0), 0).len(), 0);
    }
}
