//! Deadline policy: the statute's limits as defaults, local rules as overrides (DESIGN.md §4).

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::vocab::{Channel, PetitionClass};

pub const DEFAULT_POLICY_TOML: &str = include_str!("policy.default.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    #[default]
    Calendar,
    Working,
}

impl DayCount {
    fn is_calendar(&self) -> bool {
        *self == DayCount::Calendar
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Limit {
    pub days: u32,
    #[serde(default, skip_serializing_if = "DayCount::is_calendar")]
    pub count: DayCount,
}

impl Limit {
    pub const fn calendar(days: u32) -> Self {
        Limit {
            days,
            count: DayCount::Calendar,
        }
    }

    /// The limit as people read it: `15日`, `5个工作日`.
    pub fn describe(&self) -> String {
        match self.count {
            DayCount::Calendar => format!("{}日", self.days),
            DayCount::Working => format!("{}个工作日", self.days),
        }
    }

    /// The due date of a limit started on `start`.
    pub fn due(&self, start: NaiveDate, calendar: &Calendar) -> NaiveDate {
        match self.count {
            DayCount::Calendar => start + Duration::days(self.days as i64),
            DayCount::Working => calendar.add_working_days(start, self.days),
        }
    }
}

macro_rules! limits {
    ($($field:ident),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct Limits {
            $(pub $field: Limit,)*
        }

        /// Part of [`Limits`], as written in an override.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(deny_unknown_fields)]
        pub struct LimitsPatch {
            $(#[serde(default, skip_serializing_if = "Option::is_none")] pub $field: Option<Limit>,)*
        }

        impl Limits {
            fn patch(&mut self, p: &LimitsPatch) {
                $(if let Some(l) = p.$field { self.$field = l; })*
            }

            /// The limits in the order of their fields.
            fn in_order(&self) -> Vec<Limit> {
                vec![$(self.$field),*]
            }

            /// Limits from as many as there are fields, in their order.
            fn from_order(limits: &[Limit]) -> Option<Limits> {
                let mut each = limits.iter().copied();
                let out = Limits { $($field: each.next()?,)* };
                each.next().is_none().then_some(out)
            }
        }
    };
}

limits!(
    sort,
    object,
    accept,
    handle,
    extension_max,
    report,
    review_request,
    review,
    rereview_request,
    rereview,
    evaluation,
    improvement_answer,
);

impl Limits {
    /// The limits on one short line, in the order of their fields: `15,5w,15,60,…` (`w` for
    /// working days).
    pub fn line(&self) -> String {
        let each: Vec<String> = self
            .in_order()
            .iter()
            .map(|l| match l.count {
                DayCount::Calendar => l.days.to_string(),
                DayCount::Working => format!("{}w", l.days),
            })
            .collect();
        each.join(",")
    }

    /// Limits read back from [`Limits::line`].
    pub fn from_line(line: &str) -> Option<Limits> {
        let each: Option<Vec<Limit>> = line
            .split(',')
            .map(|part| match part.strip_suffix('w') {
                Some(days) => Some(Limit {
                    days: days.parse().ok()?,
                    count: DayCount::Working,
                }),
                None => Some(Limit::calendar(part.parse().ok()?)),
            })
            .collect();
        Limits::from_order(&each?)
    }
}

/// How a case's limits are written: in full (what the API shows), or as one [`Limits::line`]
/// where the store keeps the case (its row and its registration event: about 290 bytes less
/// in each). Either form is read back.
pub mod stored_limits {
    use std::cell::Cell;

    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Limits;

    thread_local! {
        static AS_LINE: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `write` with limits written as one line, as the store keeps them.
    pub fn as_line<T>(write: impl FnOnce() -> T) -> T {
        struct Restore(bool);
        impl Drop for Restore {
            fn drop(&mut self) {
                AS_LINE.set(self.0);
            }
        }
        let _restore = Restore(AS_LINE.replace(true));
        write()
    }

    pub fn serialize<S: Serializer>(limits: &Limits, s: S) -> Result<S::Ok, S::Error> {
        if AS_LINE.get() {
            s.serialize_str(&limits.line())
        } else {
            limits.serialize(s)
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Line(String),
        Full(Limits),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Limits, D::Error> {
        match Either::deserialize(d)? {
            Either::Full(limits) => Ok(limits),
            Either::Line(line) => Limits::from_line(&line)
                .ok_or_else(|| D::Error::custom(format!("limits {line:?} are not a limits line"))),
        }
    }
}

/// A local rule: stricter limits for some channels or categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub name: String,
    /// Applies to these channels (any if empty).
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// Applies to categories starting with one of these (any if empty).
    #[serde(default)]
    pub categories: Vec<String>,
    /// Applies to these classes (any if empty).
    #[serde(default)]
    pub classes: Vec<PetitionClass>,
    pub limits: LimitsPatch,
}

impl Override {
    fn matches(&self, channel: Channel, category: &str, class: PetitionClass) -> bool {
        (self.channels.is_empty() || self.channels.contains(&channel))
            && (self.classes.is_empty() || self.classes.contains(&class))
            && (self.categories.is_empty()
                || self
                    .categories
                    .iter()
                    .any(|c| category.starts_with(c.as_str())))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub timezone: String,
    pub limits: Limits,
    #[serde(default)]
    pub overrides: Vec<Override>,
    /// Weights of the monthly ranking of units.
    #[serde(default)]
    pub ranking: RankingWeights,
    #[serde(default)]
    pub personal_data: PersonalDataPolicy,
    #[serde(default)]
    pub classes: ClassPolicy,
    #[serde(default)]
    pub review: ReviewPolicy,
    #[serde(default)]
    pub hot_issues: HotIssuePolicy,
}

/// When a hot issue raises a 预警 to the petition office (once per issue): this many cases, or
/// this many collective visits, within `days` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HotIssuePolicy {
    pub warn_cases: u32,
    pub warn_collective: u32,
    pub days: u32,
}

impl Default for HotIssuePolicy {
    fn default() -> Self {
        HotIssuePolicy {
            warn_cases: 10,
            warn_collective: 3,
            days: 7,
        }
    }
}

/// Who reviews (复查) a department's answer: both exist in practice (条例 第三十五条).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DepartmentReview {
    /// The government at the department's own level.
    #[default]
    Government,
    /// The department of the same function one level up (above the deployment, an external
    /// unit), matched by name; the government where there is none.
    UpperDepartment,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewPolicy {
    #[serde(default)]
    pub department: DepartmentReview,
}

/// How the classes differ beyond their limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClassPolicy {
    /// The classes whose answers the petitioner rates (参评率, 满意率).
    pub rated: Vec<PetitionClass>,
}

impl Default for ClassPolicy {
    fn default() -> Self {
        ClassPolicy {
            rated: vec![PetitionClass::Claim],
        }
    }
}

/// How long a petitioner's personal data is kept after the case closes (the office's archive
/// rules): until then a request to erase it restricts its processing instead (PIPL art. 47).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PersonalDataPolicy {
    pub retention_years: u32,
}

impl Default for PersonalDataPolicy {
    fn default() -> Self {
        PersonalDataPolicy { retention_years: 5 }
    }
}

/// How much each rate counts in a unit's ranking score (0–100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RankingWeights {
    pub timely_acceptance: u32,
    pub on_time_completion: u32,
    /// Counts 1 − 重复信访率.
    pub repeat_control: u32,
    pub satisfaction: u32,
    pub participation: u32,
}

impl Default for RankingWeights {
    fn default() -> Self {
        RankingWeights {
            timely_acceptance: 5,
            on_time_completion: 10,
            repeat_control: 10,
            satisfaction: 10,
            participation: 5,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::from_toml(DEFAULT_POLICY_TOML).expect("the built-in policy parses")
    }
}

impl Policy {
    pub fn from_toml(text: &str) -> Result<Self, String> {
        let policy: Policy = toml::from_str(text).map_err(|e| format!("政策配置格式错误: {e}"))?;
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), String> {
        if self.limits.extension_max.days > 30 {
            return Err("延期不得超过30日（《信访工作条例》第三十五条）".into());
        }
        for o in &self.overrides {
            if o.limits.extension_max.is_some_and(|l| l.days > 30) {
                return Err(format!("规则“{}”：延期不得超过30日", o.name));
            }
        }
        let h = self.hot_issues;
        if h.warn_cases < 2 || h.warn_collective < 1 || !(1..=90).contains(&h.days) {
            return Err("热点预警：件数至少为2，集体访批次至少为1，天数在1到90之间".into());
        }
        Ok(())
    }

    /// The limits in force for a case of this channel, category and class: statute, then
    /// matching overrides in order.
    pub fn limits_for(&self, channel: Channel, category: &str, class: PetitionClass) -> Limits {
        let mut limits = self.limits;
        for o in self
            .overrides
            .iter()
            .filter(|o| o.matches(channel, category, class))
        {
            limits.patch(&o.limits);
        }
        limits
    }

    /// Whether the petitioner rates the answer of a case of this class.
    pub fn rated(&self, class: PetitionClass) -> bool {
        self.classes.rated.contains(&class)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_statute() {
        let p = Policy::default();
        let l = p.limits_for(Channel::Letter, "城乡建设", PetitionClass::Claim);
        assert_eq!(l.sort, Limit::calendar(15));
        assert_eq!(
            l.object,
            Limit {
                days: 5,
                count: DayCount::Working
            }
        );
        assert_eq!(l.accept.days, 15);
        assert_eq!(l.handle.days, 60);
        assert_eq!(l.extension_max.days, 30);
        assert_eq!(l.review_request.days, 30);
        assert_eq!(l.rereview.days, 30);
    }

    #[test]
    fn local_rules_are_configuration() {
        let text = format!(
            "{DEFAULT_POLICY_TOML}\n{}",
            r#"
[[overrides]]
name = "民生和扶贫事项当日交办、5日办结、10日报告"
categories = ["民生", "扶贫"]
limits = { sort = { days = 0 }, handle = { days = 5 }, report = { days = 10 } }

[[overrides]]
name = "热线当日收件、当日转办、当日回复"
channels = ["phone"]
limits = { sort = { days = 0 }, accept = { days = 0 }, handle = { days = 0 } }
"#
        );
        let p = Policy::from_toml(&text).unwrap();
        let l = p.limits_for(Channel::Online, "民生保障/低保", PetitionClass::Claim);
        assert_eq!((l.sort.days, l.handle.days, l.report.days), (0, 5, 10));
        let phone = p.limits_for(Channel::Phone, "交通运输", PetitionClass::Claim);
        assert_eq!(
            (phone.sort.days, phone.accept.days, phone.handle.days),
            (0, 0, 0)
        );
        assert_eq!(
            p.limits_for(Channel::Letter, "交通运输", PetitionClass::Claim)
                .handle
                .days,
            60
        );
    }

    #[test]
    fn extension_beyond_statute_is_refused() {
        let bad = DEFAULT_POLICY_TOML.replace(
            "extension_max = { days = 30 }",
            "extension_max = { days = 45 }",
        );
        assert!(Policy::from_toml(&bad).is_err());
        assert!(Policy::from_toml("timezone = 1").is_err());
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Kept {
        #[serde(with = "stored_limits")]
        limits: Limits,
    }

    #[test]
    fn the_store_keeps_limits_on_one_line_and_reads_either_form() {
        let limits = Policy::default().limits;
        let kept = Kept { limits };
        let full = serde_json::to_string(&kept).unwrap();
        assert!(
            full.contains(r#""object":{"days":5,"count":"working"}"#),
            "{full}"
        );
        let line = stored_limits::as_line(|| serde_json::to_string(&kept).unwrap());
        assert_eq!(line, r#"{"limits":"15,5w,15,60,30,90,30,30,30,30,30,30"}"#);
        // Outside `as_line` the full form is written again.
        assert_eq!(serde_json::to_string(&kept).unwrap(), full);
        for text in [&full, &line] {
            assert_eq!(serde_json::from_str::<Kept>(text).unwrap(), kept);
        }
        for bad in [
            r#"{"limits":"15,5w"}"#,
            r#"{"limits":"15,x,15,60,30,90,30,30,30,30,30,30"}"#,
            r#"{"limits":"15,5w,15,60,30,90,30,30,30,30,30,30,1"}"#,
            r#"{"limits":""}"#,
        ] {
            assert!(serde_json::from_str::<Kept>(bad).is_err(), "{bad}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_limits_survive_their_line(days in proptest::collection::vec((0u32..1000, proptest::bool::ANY), 12)) {
            let each: Vec<Limit> = days
                .iter()
                .map(|(d, working)| Limit {
                    days: *d,
                    count: if *working { DayCount::Working } else { DayCount::Calendar },
                })
                .collect();
            let limits = Limits::from_order(&each).unwrap();
            proptest::prop_assert_eq!(Limits::from_line(&limits.line()), Some(limits));
        }
    }
}
