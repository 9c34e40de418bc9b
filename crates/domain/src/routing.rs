//! How well routing suggestions served (#18): per month and target (the category at
//! registration, the unit at sorting), how often the officer took the first suggestion, and
//! how often the final routing was the first suggestion or among the three. Pure.

use serde::Serialize;

/// What was suggested for one decision, what the officer chose, and what the case carries now
/// (after corrections: an objection upheld and re-sorted, a category changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub month: String,
    /// `category` or `unit`.
    pub target: String,
    /// Best first, at most three.
    pub suggested: Vec<String>,
    pub chosen: String,
    /// `None` when the case no longer has one (a unit taken back to sorting).
    pub now: Option<String>,
}

/// One month's figures for one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Acceptance {
    pub month: String,
    pub target: String,
    /// Decisions made with a suggestion shown.
    pub decisions: u64,
    /// The officer chose the first suggestion.
    pub first_taken: u64,
    /// The final routing is the first suggestion / among the suggestions.
    pub top1: u64,
    pub top3: u64,
}

impl Acceptance {
    pub fn rate(part: u64, whole: u64) -> Option<f64> {
        (whole > 0).then(|| part as f64 / whole as f64)
    }
}

/// Sums choices by month (newest first) and target. The final routing of a choice is what the
/// case carries now, or the choice itself when the case carries nothing.
pub fn tally(choices: impl IntoIterator<Item = Choice>) -> Vec<Acceptance> {
    let mut out: Vec<Acceptance> = Vec::new();
    for c in choices {
        let at = match out
            .iter()
            .position(|a| a.month == c.month && a.target == c.target)
        {
            Some(i) => i,
            None => {
                out.push(Acceptance {
                    month: c.month.clone(),
                    target: c.target.clone(),
                    decisions: 0,
                    first_taken: 0,
                    top1: 0,
                    top3: 0,
                });
                out.len() - 1
            }
        };
        let a = &mut out[at];
        let last = c.now.as_deref().unwrap_or(&c.chosen);
        a.decisions += 1;
        a.first_taken += u64::from(c.suggested.first() == Some(&c.chosen));
        a.top1 += u64::from(c.suggested.first().map(String::as_str) == Some(last));
        a.top3 += u64::from(c.suggested.iter().any(|s| s == last));
    }
    out.sort_by(|a, b| b.month.cmp(&a.month).then(a.target.cmp(&b.target)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choice(month: &str, suggested: &[&str], chosen: &str, now: Option<&str>) -> Choice {
        Choice {
            month: month.into(),
            target: "unit".into(),
            suggested: suggested.iter().map(|s| s.to_string()).collect(),
            chosen: chosen.into(),
            now: now.map(Into::into),
        }
    }

    #[test]
    fn the_final_routing_decides_accuracy_and_the_choice_decides_uptake() {
        let figures = tally([
            // Took the first, and it stayed.
            choice("2026-10", &["1", "2", "3"], "1", Some("1")),
            // Took the second; later corrected to the third.
            choice("2026-10", &["1", "2", "3"], "2", Some("3")),
            // Took the first; corrected to one never suggested.
            choice("2026-10", &["1", "2", "3"], "1", Some("9")),
            // Taken back to sorting: the choice stands.
            choice("2026-11", &["4", "5"], "4", None),
        ]);
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[0].month, "2026-11", "newest first");
        assert_eq!(
            (
                figures[0].decisions,
                figures[0].first_taken,
                figures[0].top1,
                figures[0].top3
            ),
            (1, 1, 1, 1)
        );
        let oct = &figures[1];
        assert_eq!(
            (oct.decisions, oct.first_taken, oct.top1, oct.top3),
            (3, 2, 1, 2)
        );
        assert_eq!(Acceptance::rate(oct.top3, oct.decisions), Some(2.0 / 3.0));
        assert_eq!(Acceptance::rate(0, 0), None);
    }
}
