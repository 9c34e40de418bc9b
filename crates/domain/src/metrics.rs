//! Assessment metrics of DESIGN.md §6 (三率 and the rest): what one case contributes to each
//! unit's figures for a period, as of a day. Pure, so that the fast read models and the plain
//! recomputation from the log share one definition.
//!
//! Attribution: acceptance, completion, the unit's rating and repeat petitions count for the
//! handling unit (the one the case was sent to); the office's rating for the sorting office.
//! Cohorts: acceptance by the day the unit received the case, completion by the handling
//! deadline, evaluation by the day of the reply, volume and repeats by the day of registration.

use chrono::NaiveDate;
use serde::Serialize;

use crate::case::{Case, CaseStatus, Rating};
use crate::ids::UnitId;

/// An inclusive range of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}

/// Counts behind one unit's figures. Every rate is a ratio of two of these.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Counts {
    /// Cases registered in the period (件次) and the people they carry (人次).
    pub cases: u64,
    pub people: u64,
    /// Collective visits (批次).
    pub collective: u64,
    /// 及时受理: decided (accepted or declined) within the limit, after it, or not at all past it.
    pub accept_on_time: u64,
    pub accept_late: u64,
    pub accept_overdue: u64,
    /// 按期办结: replied by the deadline, after it; still open before it, or past it.
    pub done_on_time: u64,
    pub done_late: u64,
    pub open_not_due: u64,
    pub open_overdue: u64,
    /// 参评: replies evaluated, and replies whose evaluation window lapsed unused.
    pub evaluated: u64,
    pub evaluation_lapsed: u64,
    /// 满意: 满意 or 基本满意, in the rating this unit received (as handling unit or as office).
    pub satisfied: u64,
    /// Ratings this unit received (a unit can be rated as office and as handling unit).
    pub rated: u64,
    /// 重复信访: registrations that repeat an earlier case.
    pub repeats: u64,
    /// 一次性化解: first petitions closed, and those closed without review.
    pub first_closed: u64,
    pub first_closed_once: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        let pairs: [(&mut u64, u64); 17] = [
            (&mut self.cases, o.cases),
            (&mut self.people, o.people),
            (&mut self.collective, o.collective),
            (&mut self.accept_on_time, o.accept_on_time),
            (&mut self.accept_late, o.accept_late),
            (&mut self.accept_overdue, o.accept_overdue),
            (&mut self.done_on_time, o.done_on_time),
            (&mut self.done_late, o.done_late),
            (&mut self.open_not_due, o.open_not_due),
            (&mut self.open_overdue, o.open_overdue),
            (&mut self.evaluated, o.evaluated),
            (&mut self.evaluation_lapsed, o.evaluation_lapsed),
            (&mut self.satisfied, o.satisfied),
            (&mut self.rated, o.rated),
            (&mut self.repeats, o.repeats),
            (&mut self.first_closed, o.first_closed),
            (&mut self.first_closed_once, o.first_closed_once),
        ];
        for (a, b) in pairs {
            *a += b;
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }

    /// (name, numerator, denominator) of every rate.
    pub fn rates(&self) -> [Rate; 6] {
        [
            Rate::new(
                "timely_acceptance",
                "及时受理率",
                self.accept_on_time,
                self.accept_on_time + self.accept_late + self.accept_overdue,
            ),
            Rate::new(
                "on_time_completion",
                "按期办结率",
                self.done_on_time,
                self.done_on_time + self.done_late + self.open_not_due + self.open_overdue,
            ),
            Rate::new(
                "participation",
                "参评率",
                self.evaluated,
                self.evaluated + self.evaluation_lapsed,
            ),
            Rate::new("satisfaction", "满意率", self.satisfied, self.rated),
            Rate::new("repeat", "重复信访率", self.repeats, self.cases),
            Rate::new(
                "resolved_first_time",
                "一次性化解率",
                self.first_closed_once,
                self.first_closed,
            ),
        ]
    }
}

/// The ranking score (0–100): the weighted mean of the rates that have data, with repeat
/// petitions counted as 1 − 重复信访率. None when no rate has data.
pub fn score(c: &Counts, w: &crate::policy::RankingWeights) -> Option<f64> {
    let r = c.rates();
    let parts = [
        (r[0].value, w.timely_acceptance),
        (r[1].value, w.on_time_completion),
        (r[4].value.map(|v| 1.0 - v), w.repeat_control),
        (r[3].value, w.satisfaction),
        (r[2].value, w.participation),
    ];
    let (sum, weight) = parts
        .iter()
        .filter_map(|(v, w)| v.map(|v| (v * *w as f64, *w as f64)))
        .fold((0.0, 0.0), |(s, t), (v, w)| (s + v, t + w));
    (weight > 0.0).then(|| 100.0 * sum / weight)
}

/// A rate with what it is made of; `value` is None when nothing was counted.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rate {
    pub code: &'static str,
    pub name: &'static str,
    pub numerator: u64,
    pub denominator: u64,
    pub value: Option<f64>,
}

impl Rate {
    fn new(code: &'static str, name: &'static str, numerator: u64, denominator: u64) -> Rate {
        Rate {
            code,
            name,
            numerator,
            denominator,
            value: (denominator > 0).then(|| numerator as f64 / denominator as f64),
        }
    }
}

fn good(r: Rating) -> bool {
    matches!(r, Rating::Satisfied | Rating::Basically)
}

/// The day the handling unit decided on acceptance (accepted, or declined).
fn decided_on(c: &Case) -> Option<NaiveDate> {
    c.accepted_on.or(match c.status {
        CaseStatus::NotAccepted => c.closed_on,
        _ => None,
    })
}

/// What `case` adds to each unit's counts for `period`, as of `today`.
pub fn contributions(case: &Case, period: Period, today: NaiveDate) -> Vec<(UnitId, Counts)> {
    let mut out: Vec<(UnitId, Counts)> = Vec::new();
    let mut at =
        |unit: UnitId, f: &dyn Fn(&mut Counts)| match out.iter_mut().find(|(u, _)| *u == unit) {
            Some((_, c)) => f(c),
            None => {
                let mut c = Counts::default();
                f(&mut c);
                out.push((unit, c));
            }
        };
    let owner = case.handling_unit.unwrap_or(case.sorting_unit);
    let d = &case.deadlines;

    if period.contains(case.registered_on) {
        let people = case.collective.as_ref().map_or(1, |c| c.head_count as u64);
        at(owner, &|c| {
            c.cases += 1;
            c.people += people;
            c.collective += u64::from(case.collective.is_some());
            c.repeats += u64::from(case.repeat_of.is_some());
        });
    }
    if let (Some(unit), Some(received), Some(due)) =
        (case.handling_unit, case.received_on, d.accept_due)
        && period.contains(received)
    {
        match decided_on(case) {
            Some(on) if on <= due => at(unit, &|c| c.accept_on_time += 1),
            Some(_) => at(unit, &|c| c.accept_late += 1),
            None if today > due => at(unit, &|c| c.accept_overdue += 1),
            None => {}
        }
    }
    if let (Some(unit), Some(due)) = (case.handling_unit, d.handle_due)
        && period.contains(due)
    {
        match case.replied_on {
            Some(on) if on <= due => at(unit, &|c| c.done_on_time += 1),
            Some(_) => at(unit, &|c| c.done_late += 1),
            None if today > due => at(unit, &|c| c.open_overdue += 1),
            None => at(unit, &|c| c.open_not_due += 1),
        }
    }
    if let (Some(unit), Some(replied)) = (case.handling_unit, case.replied_on)
        && period.contains(replied)
    {
        let lapsed = case.evaluation.is_none() && d.evaluation_due.is_some_and(|due| today > due);
        for rated_unit in [unit, case.sorting_unit] {
            if let Some(e) = &case.evaluation {
                let rating = if rated_unit == unit { e.unit } else { e.office };
                at(rated_unit, &|c| {
                    c.evaluated += 1;
                    c.rated += 1;
                    c.satisfied += u64::from(good(rating));
                });
            } else if lapsed {
                at(rated_unit, &|c| c.evaluation_lapsed += 1);
            }
            if rated_unit == case.sorting_unit && unit == case.sorting_unit {
                break; // the office handled it itself: one rating, counted once
            }
        }
    }
    if case.repeat_of.is_none()
        && case.status == CaseStatus::Closed
        && case.closed_on.is_some_and(|on| period.contains(on))
    {
        let once = case.review_requested_on.is_none();
        at(owner, &|c| {
            c.first_closed += 1;
            c.first_closed_once += u64::from(once);
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::RankingWeights;

    #[test]
    fn the_score_weighs_the_rates_that_have_data() {
        let w = RankingWeights::default();
        assert_eq!(score(&Counts::default(), &w), None);
        // Acceptance 1/2 (weight 5) and no repeats among 2 cases (weight 10): (5·0.5 + 10·1) / 15.
        let c = Counts {
            cases: 2,
            accept_on_time: 1,
            accept_overdue: 1,
            ..Default::default()
        };
        let s = score(&c, &w).unwrap();
        assert!((s - 100.0 * 12.5 / 15.0).abs() < 1e-9, "{s}");
        let perfect = Counts {
            cases: 1,
            accept_on_time: 1,
            done_on_time: 1,
            evaluated: 1,
            rated: 1,
            satisfied: 1,
            ..Default::default()
        };
        assert_eq!(score(&perfect, &w), Some(100.0));
    }
}
