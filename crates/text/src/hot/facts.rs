//! What the hot issues keep of each case besides its text, in one array sorted by registration
//! day: a period is one contiguous slice, walked in order (a year of a large city is hundreds of
//! thousands of facts, and a tree's pointer chasing cost more than the counting). Pure.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A registration day as days since 0001-01-01 (compact, cheap to compare and to store).
pub type Day = i32;

pub fn day_of(date: NaiveDate) -> Day {
    chrono::Datelike::num_days_from_ce(&date)
}

pub fn date_of(day: Day) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// No slot: the fact no longer counts (its case became a report or was merged).
pub const GONE: u32 = u32::MAX;
/// No region (or no unit in a `seen` place).
pub const NONE: u32 = u32::MAX;

/// One case as the hot issues count it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    pub day: Day,
    pub case: i64,
    pub group: i64,
    /// The group's dense number ([`crate::hot::grouping::Grouper::slot`]); [`GONE`] when the
    /// case no longer counts.
    pub slot: u32,
    /// Interned names ([`NONE`] for no region).
    pub region: u32,
    pub category: u32,
    pub people: u32,
    pub collective: bool,
    pub repeat: bool,
    /// The units the case is seen from (`access::seen_from`), 0 for none.
    pub seen: [i64; 3],
}

impl Fact {
    fn key(&self) -> (Day, i64) {
        (self.day, self.case)
    }

    pub fn counts(&self) -> bool {
        self.slot != GONE
    }
}

/// The facts, sorted by (day, case). Cases arrive roughly by day; one that arrives out of order
/// (a late-dated registration, an import of old letters) waits in a short tail until the next
/// read sorts it in.
#[derive(Default, Serialize, Deserialize)]
pub struct Facts {
    sorted: Vec<Fact>,
    tail: Vec<Fact>,
    #[serde(skip)]
    day_of: HashMap<i64, Day>,
}

impl Facts {
    /// Puts in a case's fact, replacing the one it had.
    pub fn put(&mut self, fact: Fact) {
        if let Some(day) = self.day_of.get(&fact.case).copied() {
            if day == fact.day
                && let Some(old) = self.find_mut(day, fact.case)
            {
                *old = fact;
                return;
            }
            // Registered on another day now (rare): out of its old place, so that a case is
            // in the array once.
            self.delete(day, fact.case);
        }
        self.day_of.insert(fact.case, fact.day);
        let in_order =
            self.tail.is_empty() && self.sorted.last().is_none_or(|l| l.key() < fact.key());
        if in_order {
            self.sorted.push(fact);
        } else {
            self.tail.push(fact);
        }
    }

    /// Marks a case's fact as no longer counting.
    pub fn remove(&mut self, case: i64) {
        if let Some(day) = self.day_of.get(&case).copied()
            && let Some(f) = self.find_mut(day, case)
        {
            f.slot = GONE;
        }
    }

    pub fn get(&self, case: i64) -> Option<&Fact> {
        let day = *self.day_of.get(&case)?;
        let key = (day, case);
        match self.sorted.binary_search_by(|f| f.key().cmp(&key)) {
            Ok(i) => Some(&self.sorted[i]),
            Err(_) => self.tail.iter().find(|f| f.key() == key),
        }
        .filter(|f| f.counts())
    }

    fn find_mut(&mut self, day: Day, case: i64) -> Option<&mut Fact> {
        let key = (day, case);
        match self.sorted.binary_search_by(|f| f.key().cmp(&key)) {
            Ok(i) => Some(&mut self.sorted[i]),
            Err(_) => self.tail.iter_mut().find(|f| f.key() == key),
        }
    }

    fn delete(&mut self, day: Day, case: i64) {
        let key = (day, case);
        match self.sorted.binary_search_by(|f| f.key().cmp(&key)) {
            Ok(i) => {
                self.sorted.remove(i);
            }
            Err(_) => self.tail.retain(|f| f.key() != key),
        }
    }

    /// Whether [`Facts::settle`] has work to do.
    pub fn unsettled(&self) -> bool {
        !self.tail.is_empty()
    }

    /// Sorts the tail in (one merge, linear in the facts).
    pub fn settle(&mut self) {
        if self.tail.is_empty() {
            return;
        }
        let mut tail = std::mem::take(&mut self.tail);
        tail.sort_unstable_by_key(Fact::key);
        let sorted = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(sorted.len() + tail.len());
        let (mut a, mut b) = (sorted.into_iter().peekable(), tail.into_iter().peekable());
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(x), Some(y)) if x.key() <= y.key() => a.next(),
                (_, Some(_)) => b.next(),
                (Some(_), None) => a.next(),
                (None, None) => break,
            };
            merged.extend(next);
        }
        self.sorted = merged;
    }

    /// The facts of `from..=to` that count, in day order. Settled facts only: the caller
    /// settles first.
    pub fn range(&self, from: Day, to: Day) -> impl Iterator<Item = &Fact> {
        let start = self.sorted.partition_point(|f| f.day < from);
        let end = self.sorted.partition_point(|f| f.day <= to);
        self.sorted[start..end.max(start)]
            .iter()
            .filter(|f| f.counts())
    }

    /// Every fact that counts (settled or not), in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &Fact> {
        self.sorted.iter().chain(&self.tail).filter(|f| f.counts())
    }

    /// Facts that count.
    pub fn len(&self) -> usize {
        self.all().count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rebuilds the case index after loading (it is not stored).
    pub fn reindex(&mut self) {
        self.day_of = self
            .sorted
            .iter()
            .chain(&self.tail)
            .filter(|f| f.counts())
            .map(|f| (f.case, f.day))
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn fact(case: i64, day: Day) -> Fact {
        Fact {
            day,
            case,
            group: case,
            slot: case as u32,
            region: NONE,
            category: 0,
            people: 1,
            collective: false,
            repeat: false,
            seen: [0; 3],
        }
    }

    proptest! {
        /// Whatever the order facts arrive in, and however often a case is put again (on the
        /// same or another day) or removed, a range holds exactly the latest fact of each case
        /// that counts, in (day, case) order.
        #[test]
        fn a_range_is_the_latest_facts_of_its_days_in_order(
            ops in prop::collection::vec((0i64..40, 0i32..30, any::<bool>()), 0..200),
            settle_every in 1usize..20,
            from in 0i32..30,
            len in 0i32..30,
        ) {
            let mut facts = Facts::default();
            let mut model: HashMap<i64, Day> = HashMap::new();
            for (i, (case, day, keep)) in ops.iter().enumerate() {
                if *keep {
                    facts.put(fact(*case, *day));
                    model.insert(*case, *day);
                } else {
                    facts.remove(*case);
                    model.remove(case);
                }
                if i % settle_every == 0 {
                    facts.settle();
                }
            }
            facts.settle();
            let to = from + len;
            let got: Vec<(Day, i64)> = facts.range(from, to).map(|f| (f.day, f.case)).collect();
            let mut want: Vec<(Day, i64)> = model
                .iter()
                .filter(|(_, d)| (from..=to).contains(*d))
                .map(|(c, d)| (*d, *c))
                .collect();
            want.sort();
            prop_assert_eq!(got, want);
            prop_assert_eq!(facts.len(), model.len());
            for (case, day) in &model {
                prop_assert_eq!(facts.get(*case).map(|f| f.day), Some(*day));
            }
        }
    }

    #[test]
    fn days_round_trip() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 17).unwrap();
        assert_eq!(date_of(day_of(d)), d);
        assert_eq!(day_of(d) + 1, day_of(d.succ_opt().unwrap()));
    }
}
