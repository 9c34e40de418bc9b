//! Assessment metrics of DESIGN.md §6 (三率 and the rest): what one case contributes to each
//! unit's figures for a period, as of a day. Pure, so that the fast read models and the plain
//! recomputation from the log share one definition.
//!
//! Attribution: acceptance, completion, the unit's rating and repeat petitions count for the
//! handling unit (the one the case was sent to); the office's rating for the sorting office.
//! Cohorts: acceptance by the day the unit received the case, completion by the handling
//! deadline, evaluation by the day of the reply, volume and repeats by the day of registration.
//!
//! Classes: acceptance, completion, volume and repeats count every class; the ratings only the
//! classes the policy rates (their answers carry an evaluation window); 一次性化解 only claims
//! (申诉求决类), the one class with 复查 and 复核.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseStatus};
use crate::ids::UnitId;
use crate::vocab::{PetitionClass, Rating};

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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Counts {
    /// Cases registered in the period (件次) and the people they carry (人次).
    pub cases: u64,
    pub people: u64,
    /// Collective visits (批次) and the people who came in them (人次).
    pub collective: u64,
    pub collective_people: u64,
    /// 越级访: petitions that went past the competent level.
    pub skip_level: u64,
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
    /// 一次性化解: first petitions closed, and those closed without review or a later repeat.
    pub first_closed: u64,
    pub first_closed_once: u64,
    /// 积案: cases still unanswered past their handling deadline when the period began, and
    /// those of them answered within the period (化解).
    pub backlog: u64,
    pub backlog_resolved: u64,
    /// 案件评查: reviews of the unit's closed cases in the period and their points (of 100 each).
    pub reviewed: u64,
    pub review_points: u64,
    /// 回访: follow-up calls that reached the petitioner, and those who said it was solved.
    pub followed_up: u64,
    pub follow_up_resolved: u64,
    /// Sent to bodies above the deployment (复查/复核 requests, cases forwarded up) by this
    /// office, by the day sent: their decisions entered, and those still awaited past the
    /// tracking date.
    pub sent_above: u64,
    pub decided_above: u64,
    pub overdue_above: u64,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        let pairs: [(&mut u64, u64); 28] = [
            (&mut self.cases, o.cases),
            (&mut self.people, o.people),
            (&mut self.collective, o.collective),
            (&mut self.collective_people, o.collective_people),
            (&mut self.skip_level, o.skip_level),
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
            (&mut self.backlog, o.backlog),
            (&mut self.backlog_resolved, o.backlog_resolved),
            (&mut self.reviewed, o.reviewed),
            (&mut self.review_points, o.review_points),
            (&mut self.followed_up, o.followed_up),
            (&mut self.follow_up_resolved, o.follow_up_resolved),
            (&mut self.sent_above, o.sent_above),
            (&mut self.decided_above, o.decided_above),
            (&mut self.overdue_above, o.overdue_above),
        ];
        for (a, b) in pairs {
            *a += b;
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Counts::default()
    }

    /// (name, numerator, denominator) of every rate.
    pub fn rates(&self) -> [Rate; 9] {
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
            Rate::new(
                "backlog_resolution",
                "积案化解率",
                self.backlog_resolved,
                self.backlog,
            ),
            Rate::new(
                "review_score",
                "评查得分率",
                self.review_points,
                self.reviewed * 100,
            ),
            Rate::new(
                "follow_up_resolution",
                "回访解决率",
                self.follow_up_resolved,
                self.followed_up,
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

/// What a case contributes, counted apart from any period or day of asking. The three pending
/// measures wait for their due day: an undecided acceptance becomes overdue, an open case turns
/// from not yet due to overdue, an unused evaluation window lapses — the day after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Measure {
    Cases,
    People,
    Collective,
    CollectivePeople,
    SkipLevel,
    Repeats,
    AcceptOnTime,
    AcceptLate,
    AcceptPending,
    DoneOnTime,
    DoneLate,
    OpenPending,
    Evaluated,
    Satisfied,
    EvaluationPending,
    FirstClosed,
    FirstClosedOnce,
    /// Sent to a body above the deployment; its decision entered; awaited (overdue the day
    /// after the tracking date).
    SentAbove,
    DecidedAbove,
    AbovePending,
    /// A case unanswered past its handling deadline: cohort day the deadline, "due" the day it
    /// was answered (none while open). Not summed by cohort: it is 积案 for every period that
    /// begins after the deadline and not after the answer.
    Late,
}

pub const MEASURES: [Measure; 21] = [
    Measure::Cases,
    Measure::People,
    Measure::Collective,
    Measure::CollectivePeople,
    Measure::SkipLevel,
    Measure::Repeats,
    Measure::AcceptOnTime,
    Measure::AcceptLate,
    Measure::AcceptPending,
    Measure::DoneOnTime,
    Measure::DoneLate,
    Measure::OpenPending,
    Measure::Evaluated,
    Measure::Satisfied,
    Measure::EvaluationPending,
    Measure::FirstClosed,
    Measure::FirstClosedOnce,
    Measure::SentAbove,
    Measure::DecidedAbove,
    Measure::AbovePending,
    Measure::Late,
];

impl Measure {
    /// Its column in the stored tallies.
    pub fn column(self) -> &'static str {
        match self {
            Measure::Cases => "cases",
            Measure::People => "people",
            Measure::Collective => "collective",
            Measure::CollectivePeople => "collective_people",
            Measure::SkipLevel => "skip_level",
            Measure::Repeats => "repeats",
            Measure::AcceptOnTime => "accept_on_time",
            Measure::AcceptLate => "accept_late",
            Measure::AcceptPending => "accept_pending",
            Measure::DoneOnTime => "done_on_time",
            Measure::DoneLate => "done_late",
            Measure::OpenPending => "open_pending",
            Measure::Evaluated => "evaluated",
            Measure::Satisfied => "satisfied",
            Measure::EvaluationPending => "evaluation_pending",
            Measure::FirstClosed => "first_closed",
            Measure::FirstClosedOnce => "first_closed_once",
            Measure::SentAbove => "sent_above",
            Measure::DecidedAbove => "decided_above",
            Measure::AbovePending => "above_pending",
            Measure::Late => "late",
        }
    }

    /// Adds `n` of this measure to `c`; `past` tells whether today is after the fact's due day.
    /// [`Measure::Late`] is not a cohort count and adds nothing here (see [`Fact::add_backlog`]).
    pub fn add_to(self, c: &mut Counts, n: u64, past: bool) {
        let field = match self {
            Measure::Cases => &mut c.cases,
            Measure::People => &mut c.people,
            Measure::Collective => &mut c.collective,
            Measure::CollectivePeople => &mut c.collective_people,
            Measure::SkipLevel => &mut c.skip_level,
            Measure::Late => return,
            Measure::Repeats => &mut c.repeats,
            Measure::AcceptOnTime => &mut c.accept_on_time,
            Measure::AcceptLate => &mut c.accept_late,
            Measure::AcceptPending if past => &mut c.accept_overdue,
            Measure::AcceptPending => return,
            Measure::DoneOnTime => &mut c.done_on_time,
            Measure::DoneLate => &mut c.done_late,
            Measure::OpenPending if past => &mut c.open_overdue,
            Measure::OpenPending => &mut c.open_not_due,
            Measure::Evaluated => {
                c.rated += n;
                &mut c.evaluated
            }
            Measure::Satisfied => &mut c.satisfied,
            Measure::EvaluationPending if past => &mut c.evaluation_lapsed,
            Measure::EvaluationPending => return,
            Measure::FirstClosed => &mut c.first_closed,
            Measure::FirstClosedOnce => &mut c.first_closed_once,
            Measure::SentAbove => &mut c.sent_above,
            Measure::DecidedAbove => &mut c.decided_above,
            Measure::AbovePending if past => &mut c.overdue_above,
            Measure::AbovePending => return,
        };
        *field += n;
    }
}

/// One contribution: `n` of `measure` to `unit`, in the cohort of `day`, pending until `due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fact {
    pub unit: UnitId,
    pub day: NaiveDate,
    pub due: Option<NaiveDate>,
    pub measure: Measure,
    pub n: u64,
}

impl Fact {
    /// Whether `today` is after the due day (never, without one).
    pub fn past(&self, today: NaiveDate) -> bool {
        self.due.is_some_and(|due| today > due)
    }

    /// What a [`Measure::Late`] fact adds to `period`'s 积案 and its 化解.
    pub fn add_backlog(&self, c: &mut Counts, period: Period) {
        let deadline = self.day;
        let answered = self.due;
        if deadline < period.from && answered.is_none_or(|a| a >= period.from) {
            c.backlog += self.n;
            if answered.is_some_and(|a| a <= period.to) {
                c.backlog_resolved += self.n;
            }
        }
    }
}

/// The unit whose volume a case counts in: its handling unit, else the sorting office — also
/// when it is handled above the deployment (the office sent it there and tracks it).
pub fn owner(case: &Case) -> UnitId {
    case.handling_unit
        .filter(|u| case.external_body != Some(*u))
        .unwrap_or(case.sorting_unit)
}

/// How much of a case the figures count (#17: merge and split).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    Whole,
    /// A merged duplicate: counted once, in the case it was merged into (件次); its people
    /// came all the same (人次).
    People,
    /// A split petition: its matters count, each as a case of its own.
    Nothing,
}

pub fn counting(case: &Case) -> Counting {
    match case.status {
        CaseStatus::Merged => Counting::People,
        CaseStatus::Split => Counting::Nothing,
        _ => Counting::Whole,
    }
}

/// Everything `case` contributes to any unit's figures. Depends on the case alone, so that read
/// models can keep the sum of every case's facts and change it by the difference an event makes.
pub fn facts(case: &Case) -> Vec<Fact> {
    let mut out = Vec::new();
    let mut fact = |unit, day, due, measure, n| {
        if n > 0 {
            out.push(Fact {
                unit,
                day,
                due,
                measure,
                n,
            })
        }
    };
    let owner = owner(case);
    let d = &case.deadlines;

    let reg = case.registered_on;
    let people = case.collective.as_ref().map_or(1, |c| c.head_count as u64);
    match counting(case) {
        Counting::Nothing => return out,
        Counting::People => {
            fact(owner, reg, None, Measure::People, people);
            return out;
        }
        Counting::Whole => {}
    }
    fact(owner, reg, None, Measure::Cases, 1);
    fact(owner, reg, None, Measure::People, people);
    fact(
        owner,
        reg,
        None,
        Measure::Collective,
        u64::from(case.collective.is_some()),
    );
    let together = case.collective.as_ref().map_or(0, |c| c.head_count as u64);
    fact(owner, reg, None, Measure::CollectivePeople, together);
    fact(
        owner,
        reg,
        None,
        Measure::SkipLevel,
        u64::from(case.skip_level),
    );
    fact(
        owner,
        reg,
        None,
        Measure::Repeats,
        u64::from(case.repeat_of.is_some()),
    );

    if let (Some(unit), Some(received), Some(due)) =
        (case.handling_unit, case.received_on, d.accept_due)
    {
        match decided_on(case) {
            Some(on) if on <= due => fact(unit, received, None, Measure::AcceptOnTime, 1),
            Some(_) => fact(unit, received, None, Measure::AcceptLate, 1),
            None => fact(unit, received, Some(due), Measure::AcceptPending, 1),
        }
    }
    if let (Some(unit), Some(due)) = (case.handling_unit, d.handle_due) {
        match case.replied_on {
            Some(on) if on <= due => fact(unit, due, None, Measure::DoneOnTime, 1),
            Some(_) => fact(unit, due, None, Measure::DoneLate, 1),
            None => fact(unit, due, Some(due), Measure::OpenPending, 1),
        }
        if case.replied_on.is_none_or(|on| on > due) {
            fact(unit, due, case.replied_on, Measure::Late, 1);
        }
    }
    // Rated answers only: a class the policy does not rate has no evaluation window.
    let rated = d.evaluation_due.is_some() || case.evaluation.is_some();
    if let (Some(unit), Some(replied), true) = (case.handling_unit, case.replied_on, rated) {
        // The office that handled a case itself is rated once.
        let rated: &[UnitId] = if unit == case.sorting_unit {
            &[unit]
        } else {
            &[unit, case.sorting_unit]
        };
        for &rated_unit in rated {
            match &case.evaluation {
                Some(e) => {
                    let rating = if rated_unit == unit { e.unit } else { e.office };
                    fact(rated_unit, replied, None, Measure::Evaluated, 1);
                    fact(
                        rated_unit,
                        replied,
                        None,
                        Measure::Satisfied,
                        u64::from(good(rating)),
                    );
                }
                None => fact(
                    rated_unit,
                    replied,
                    d.evaluation_due,
                    Measure::EvaluationPending,
                    1,
                ),
            }
        }
    }
    // 一次性化解 is a claim's measure: only claims can be taken to 复查.
    if let (None, CaseStatus::Closed, Some(closed), PetitionClass::Claim) =
        (case.repeat_of, case.status, case.closed_on, case.class)
    {
        // 一次性化解: no review asked for, and the petitioner did not come again.
        let once = case.review_requested_on.is_none() && case.repeated_on.is_none();
        fact(owner, closed, None, Measure::FirstClosed, 1);
        fact(
            owner,
            closed,
            None,
            Measure::FirstClosedOnce,
            u64::from(once),
        );
    }
    if let Some((sent, due, decided)) = sent_above(case) {
        // Counted for the office that sent it and tracks it.
        let office = case.sorting_unit;
        fact(office, sent, None, Measure::SentAbove, 1);
        match decided {
            Some(_) => fact(office, sent, None, Measure::DecidedAbove, 1),
            None => fact(office, sent, due, Measure::AbovePending, 1),
        }
    }
    out
}

/// When the case was sent to the body above the deployment that last had it, until when the
/// office tracks it, and when that body's decision was entered.
fn sent_above(case: &Case) -> Option<(NaiveDate, Option<NaiveDate>, Option<NaiveDate>)> {
    let body = case.external_body?;
    let d = &case.deadlines;
    let on = |o: &Option<crate::case::Opinion>| o.as_ref().map(|o| o.on);
    let (sent, due, decided) = if case.rereview_unit == Some(body) {
        (
            case.rereview_requested_on,
            d.rereview_due,
            on(&case.rereview_opinion),
        )
    } else if case.review_unit == Some(body) {
        (
            case.review_requested_on,
            d.review_due,
            on(&case.review_opinion),
        )
    } else {
        let declined = (case.status == CaseStatus::NotAccepted)
            .then_some(case.closed_on)
            .flatten();
        (
            case.received_on,
            d.handle_due.or(d.accept_due),
            case.replied_on.or(declined),
        )
    };
    Some((sent?, due, decided))
}

/// What `case` adds to each unit's counts for `period`, as of `today`.
pub fn contributions(case: &Case, period: Period, today: NaiveDate) -> Vec<(UnitId, Counts)> {
    let mut out: Vec<(UnitId, Counts)> = Vec::new();
    for f in facts(case) {
        let late = f.measure == Measure::Late;
        if !late && !period.contains(f.day) {
            continue;
        }
        let i = match out.iter().position(|(u, _)| *u == f.unit) {
            Some(i) => i,
            None => {
                out.push((f.unit, Counts::default()));
                out.len() - 1
            }
        };
        if late {
            f.add_backlog(&mut out[i].1, period);
        } else {
            f.measure.add_to(&mut out[i].1, f.n, f.past(today));
        }
    }
    out.retain(|(_, c)| !c.is_empty());
    out
}

/// Whether a fact's due day has passed, as a drill-down selects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    Any,
    Past,
    NotPast,
}

/// Which stored facts hold the cases behind a count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Facts of the measure whose cohort day lies in the period, by their due day.
    Cohort(Measure, Due),
    /// [`Measure::Late`] facts late when the period began (积案); with `resolved`, those answered
    /// within it (化解). See [`Fact::add_backlog`].
    Backlog { resolved: bool },
}

/// A count that can be listed case by case (drill-down): its name, its value in [`Counts`],
/// and the facts behind it.
#[derive(Debug, Clone, Copy)]
pub struct Drill {
    pub name: &'static str,
    pub count: fn(&Counts) -> u64,
    pub selection: Selection,
}

impl Drill {
    /// Whether one case may stand behind this count for two units (the ratings count for the
    /// handling unit and the sorting office): a subtree's list then holds it once.
    pub fn shared(&self) -> bool {
        matches!(
            self.selection,
            Selection::Cohort(
                Measure::Evaluated | Measure::Satisfied | Measure::EvaluationPending,
                _
            )
        )
    }
}

const fn drill(name: &'static str, count: fn(&Counts) -> u64, selection: Selection) -> Drill {
    Drill {
        name,
        count,
        selection,
    }
}

const fn cohort(m: Measure, due: Due) -> Selection {
    Selection::Cohort(m, due)
}

/// Every count of cases there is a drill-down for. The counts of people, 评查 and 回访 have none.
pub const DRILLS: [Drill; 23] = [
    drill("cases", |c| c.cases, cohort(Measure::Cases, Due::Any)),
    drill(
        "collective",
        |c| c.collective,
        cohort(Measure::Collective, Due::Any),
    ),
    drill(
        "collective_people",
        |c| c.collective_people,
        cohort(Measure::Collective, Due::Any),
    ),
    drill(
        "skip_level",
        |c| c.skip_level,
        cohort(Measure::SkipLevel, Due::Any),
    ),
    drill(
        "backlog",
        |c| c.backlog,
        Selection::Backlog { resolved: false },
    ),
    drill(
        "backlog_resolved",
        |c| c.backlog_resolved,
        Selection::Backlog { resolved: true },
    ),
    drill(
        "accept_on_time",
        |c| c.accept_on_time,
        cohort(Measure::AcceptOnTime, Due::Any),
    ),
    drill(
        "accept_late",
        |c| c.accept_late,
        cohort(Measure::AcceptLate, Due::Any),
    ),
    drill(
        "accept_overdue",
        |c| c.accept_overdue,
        cohort(Measure::AcceptPending, Due::Past),
    ),
    drill(
        "done_on_time",
        |c| c.done_on_time,
        cohort(Measure::DoneOnTime, Due::Any),
    ),
    drill(
        "done_late",
        |c| c.done_late,
        cohort(Measure::DoneLate, Due::Any),
    ),
    drill(
        "open_not_due",
        |c| c.open_not_due,
        cohort(Measure::OpenPending, Due::NotPast),
    ),
    drill(
        "open_overdue",
        |c| c.open_overdue,
        cohort(Measure::OpenPending, Due::Past),
    ),
    drill(
        "evaluated",
        |c| c.evaluated,
        cohort(Measure::Evaluated, Due::Any),
    ),
    drill(
        "evaluation_lapsed",
        |c| c.evaluation_lapsed,
        cohort(Measure::EvaluationPending, Due::Past),
    ),
    drill(
        "satisfied",
        |c| c.satisfied,
        cohort(Measure::Satisfied, Due::Any),
    ),
    drill("rated", |c| c.rated, cohort(Measure::Evaluated, Due::Any)),
    drill("repeats", |c| c.repeats, cohort(Measure::Repeats, Due::Any)),
    drill(
        "first_closed",
        |c| c.first_closed,
        cohort(Measure::FirstClosed, Due::Any),
    ),
    drill(
        "first_closed_once",
        |c| c.first_closed_once,
        cohort(Measure::FirstClosedOnce, Due::Any),
    ),
    drill(
        "sent_above",
        |c| c.sent_above,
        cohort(Measure::SentAbove, Due::Any),
    ),
    drill(
        "decided_above",
        |c| c.decided_above,
        cohort(Measure::DecidedAbove, Due::Any),
    ),
    drill(
        "overdue_above",
        |c| c.overdue_above,
        cohort(Measure::AbovePending, Due::Past),
    ),
];

/// The drill-down of the count named `name`.
pub fn drill_named(name: &str) -> Option<&'static Drill> {
    DRILLS.iter().find(|d| d.name == name)
}

/// Whether facts of `m` are kept case by case for drill-down: every measure a [`Drill`] reads.
pub fn listed(m: Measure) -> bool {
    !matches!(m, Measure::People | Measure::CollectivePeople)
}

/// Sums of facts by (unit, cohort day, due day), one number per measure: the shape of the
/// stored tallies. Adding a case's facts before an event with −1 and after it with +1 gives
/// the change the event makes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tallies(pub BTreeMap<(UnitId, NaiveDate, Option<NaiveDate>), [i64; MEASURES.len()]>);

impl Tallies {
    pub fn add(&mut self, case: &Case, sign: i64) {
        for f in facts(case) {
            let row = self.0.entry((f.unit, f.day, f.due)).or_default();
            row[f.measure as usize] += sign * f.n as i64;
        }
    }

    pub fn merge(&mut self, other: Tallies) {
        for (k, row) in other.0 {
            let mine = self.0.entry(k).or_default();
            for (a, b) in mine.iter_mut().zip(row) {
                *a += b;
            }
        }
    }

    /// Drops rows that cancelled out.
    pub fn prune(&mut self) {
        self.0.retain(|_, row| row.iter().any(|n| *n != 0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::RankingWeights;

    #[test]
    fn measures_index_their_own_column() {
        for (i, m) in MEASURES.iter().enumerate() {
            assert_eq!(*m as usize, i, "{m:?}");
        }
    }

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
