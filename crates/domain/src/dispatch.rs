//! 派单目录, the dispatch catalogue (#18): rules from a matter's category (a group or a leaf of
//! the taxonomy), region and keywords to the unit(s) competent for it, with a priority, the days
//! the rule is in force and its legal basis. Kept by administrators; each rule is a record, so
//! every change is a version in the log. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, text};
use crate::ids::{DispatchRuleId, UnitId};
use crate::org::{Actor, OrgChart, Role};
use crate::record::{Change, Columns, Record, RecordCtx, RecordOf, Signed};
use crate::taxonomy;

/// Units a rule may name.
pub const MAX_UNITS: usize = 5;
/// Keywords a rule may list, and the length of each.
pub const MAX_KEYWORDS: usize = 20;
const MAX_KEYWORD: usize = 20;
/// The log's events of the catalogue: a rule made, a rule changed.
pub const EVENTS: [&str; 2] = ["dispatch_rule_created", "dispatch_rule_changed"];
/// Priorities run from 1 (lowest) to this.
pub const MAX_PRIORITY: u32 = 99;

/// A rule as an administrator types it (or a row of the catalogue's workbook).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DispatchRuleInput {
    /// 事项名称.
    pub name: String,
    /// A group (`城乡建设`), a leaf (`城乡建设/物业管理`) or a leaf's code (`cxjs-wygl`).
    #[serde(default)]
    pub category: Option<String>,
    /// A region named in the petition's region or text (`东城区`, `建设街道`).
    #[serde(default)]
    pub region: Option<String>,
    /// Any of these in the petition's text.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The competent units, first the one that leads.
    pub units: Vec<UnitId>,
    /// 1..=99; a higher one is offered first.
    pub priority: u32,
    #[serde(default)]
    pub valid_from: Option<NaiveDate>,
    #[serde(default)]
    pub valid_to: Option<NaiveDate>,
    /// 法律依据: the law or document that makes the units competent.
    #[serde(default)]
    pub basis: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DispatchRule {
    pub id: DispatchRuleId,
    pub name: String,
    /// The taxonomy's text (a group or `大类/小类`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    pub units: Vec<UnitId>,
    pub priority: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    pub basis: String,
    /// Stopped rules are kept (and may be restarted) but never match.
    pub active: bool,
    pub version: u32,
    /// Every version, oldest first.
    pub history: Vec<Change>,
    /// The unit of the administrator who made it (the records' place in the tree).
    pub kept_by: UnitId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DispatchRuleCommand {
    /// Replace the rule's terms (a new version).
    Revise { rule: DispatchRuleInput },
    /// 停用.
    Stop,
    /// 启用.
    Restart,
}

/// What a petition is matched on.
#[derive(Debug, Clone, Copy)]
pub struct Matter<'a> {
    /// Title and content.
    pub text: &'a str,
    pub region: Option<&'a str>,
    /// Its category (`大类/小类`), given or the best suggestion.
    pub category: Option<&'a str>,
    pub today: NaiveDate,
}

impl DispatchRule {
    /// Whether the rule is in force on `day`.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.active
            && self.valid_from.is_none_or(|f| f <= day)
            && self.valid_to.is_none_or(|t| day <= t)
    }

    /// Whether the matter meets every condition the rule sets (it sets at least one).
    pub fn matches(&self, m: &Matter) -> bool {
        if !self.in_force(m.today) {
            return false;
        }
        let category = self.category.as_deref().is_none_or(|rule| {
            m.category.is_some_and(|c| {
                c == rule || c.strip_prefix(rule).is_some_and(|r| r.starts_with('/'))
            })
        });
        let region = self
            .region
            .as_deref()
            .is_none_or(|rule| m.region.is_some_and(|r| r.contains(rule)) || m.text.contains(rule));
        let keywords =
            self.keywords.is_empty() || self.keywords.iter().any(|k| m.text.contains(k.as_str()));
        category && region && keywords
    }

    /// How closely the rule is drawn: more conditions, a leaf rather than a group, first.
    fn specificity(&self) -> u32 {
        u32::from(self.category.as_deref().is_some_and(|c| c.contains('/')))
            + u32::from(self.category.is_some())
            + u32::from(self.region.is_some())
            + u32::from(!self.keywords.is_empty())
    }
}

/// The rules the matter meets, in the order their units are offered: priority, then the more
/// specific, then the older rule.
pub fn matching<'r>(rules: &'r [DispatchRule], m: &Matter) -> Vec<&'r DispatchRule> {
    let mut out: Vec<&DispatchRule> = rules.iter().filter(|r| r.matches(m)).collect();
    out.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.specificity().cmp(&a.specificity()))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// The checked terms of a rule.
struct Terms {
    name: String,
    category: Option<String>,
    region: Option<String>,
    keywords: Vec<String>,
    units: Vec<UnitId>,
    priority: u32,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    basis: String,
}

fn optional(
    field: &'static str,
    name: &str,
    v: Option<&str>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match v.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => Ok(Some(text(field, name, v, max)?)),
        None => Ok(None),
    }
}

fn checked(input: &DispatchRuleInput, org: &OrgChart) -> Result<Terms, DomainError> {
    let name = text("name", "事项名称", &input.name, 100)?;
    let category = taxonomy::resolve_field("category", input.category.as_deref())?;
    let region = optional("region", "地区", input.region.as_deref(), 50)?;
    let mut keywords: Vec<String> = Vec::new();
    for k in &input.keywords {
        if let Some(k) = optional("keywords", "关键词", Some(k), MAX_KEYWORD)?
            && !keywords.contains(&k)
        {
            keywords.push(k);
        }
    }
    if keywords.len() > MAX_KEYWORDS {
        return Err(DomainError::invalid(
            "keywords",
            format!("关键词至多{MAX_KEYWORDS}个"),
        ));
    }
    if category.is_none() && region.is_none() && keywords.is_empty() {
        return Err(DomainError::invalid(
            "category",
            "请至少填写分类、地区或关键词中的一项",
        ));
    }
    let mut units: Vec<UnitId> = Vec::new();
    for u in &input.units {
        let unit = org
            .get(*u)
            .map_err(|_| DomainError::invalid("units", format!("没有编号为{}的单位", u.0)))?;
        if unit.external {
            return Err(DomainError::invalid(
                "units",
                format!("{}不在本地组织机构中，不能作为承办单位", unit.name),
            ));
        }
        if !units.contains(u) {
            units.push(*u);
        }
    }
    if units.is_empty() || units.len() > MAX_UNITS {
        return Err(DomainError::invalid(
            "units",
            format!("请选择1至{MAX_UNITS}个承办单位"),
        ));
    }
    if !(1..=MAX_PRIORITY).contains(&input.priority) {
        return Err(DomainError::invalid(
            "priority",
            format!("优先级应在1至{MAX_PRIORITY}之间"),
        ));
    }
    if let (Some(f), Some(t)) = (input.valid_from, input.valid_to)
        && t < f
    {
        return Err(DomainError::invalid("valid_to", "失效日期不能早于生效日期"));
    }
    let basis = match input.basis.trim() {
        "" => String::new(),
        b => text("basis", "法律依据", b, 500)?,
    };
    Ok(Terms {
        name,
        category,
        region,
        keywords,
        units,
        priority: input.priority,
        valid_from: input.valid_from,
        valid_to: input.valid_to,
        basis,
    })
}

/// Whether a rule's terms would be taken (an import checks every row before it writes one).
pub fn check(input: &DispatchRuleInput, org: &OrgChart) -> Result<(), DomainError> {
    checked(input, org).map(|_| ())
}

impl DispatchRule {
    /// The rule's terms as an input (to revise it, or to compare an imported row with it).
    pub fn input(&self) -> DispatchRuleInput {
        DispatchRuleInput {
            name: self.name.clone(),
            category: self.category.clone(),
            region: self.region.clone(),
            keywords: self.keywords.clone(),
            units: self.units.clone(),
            priority: self.priority,
            valid_from: self.valid_from,
            valid_to: self.valid_to,
            basis: self.basis.clone(),
        }
    }
}

/// Only administrators keep the catalogue.
fn keeps<'a>(ctx: &RecordCtx<'a>) -> Result<&'a Actor, DomainError> {
    let by = ctx.officer("只有管理员可以维护派单目录")?;
    if by.has(Role::Admin) {
        Ok(by)
    } else {
        Err(DomainError::Forbidden("只有管理员可以维护派单目录"))
    }
}

impl DispatchRule {
    fn with(mut self, t: Terms) -> DispatchRule {
        self.name = t.name;
        self.category = t.category;
        self.region = t.region;
        self.keywords = t.keywords;
        self.units = t.units;
        self.priority = t.priority;
        self.valid_from = t.valid_from;
        self.valid_to = t.valid_to;
        self.basis = t.basis;
        self
    }

    fn changed(mut self, what: &str, ctx: &RecordCtx) -> DispatchRule {
        self.version += 1;
        self.history.push(Change {
            version: self.version,
            what: what.into(),
            signed: Signed::of(ctx.by, ctx.today),
        });
        self
    }
}

impl RecordOf for DispatchRuleId {
    type Record = DispatchRule;
}

impl Record for DispatchRule {
    const KIND: &'static str = "dispatch_rule";
    const NAME: &'static str = "派单规则";
    type Id = DispatchRuleId;
    type New = DispatchRuleInput;
    type Command = DispatchRuleCommand;

    fn create(
        id: DispatchRuleId,
        input: &DispatchRuleInput,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let by = keeps(ctx)?;
        let terms = checked(input, ctx.org)?;
        let rule = DispatchRule {
            id,
            name: String::new(),
            category: None,
            region: None,
            keywords: Vec::new(),
            units: Vec::new(),
            priority: 0,
            valid_from: None,
            valid_to: None,
            basis: String::new(),
            active: true,
            version: 0,
            history: Vec::new(),
            kept_by: by.unit,
        }
        .with(terms)
        .changed("新建", ctx);
        Ok((rule, EVENTS[0]))
    }

    fn decide(
        &self,
        cmd: &DispatchRuleCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        keeps(ctx)?;
        let rule = match cmd {
            DispatchRuleCommand::Revise { rule } => {
                let terms = checked(rule, ctx.org)?;
                self.clone().with(terms).changed("修改", ctx)
            }
            DispatchRuleCommand::Stop if self.active => {
                let mut r = self.clone();
                r.active = false;
                r.changed("停用", ctx)
            }
            DispatchRuleCommand::Restart if !self.active => {
                let mut r = self.clone();
                r.active = true;
                r.changed("启用", ctx)
            }
            DispatchRuleCommand::Stop | DispatchRuleCommand::Restart => {
                return Err(DomainError::IllegalTransition {
                    status: if self.active {
                        "启用中"
                    } else {
                        "已停用"
                    },
                    action: if self.active { "启用" } else { "停用" },
                });
            }
        };
        Ok((rule, EVENTS[1]))
    }

    /// Every officer may read the catalogue: its rules are the reasons sorters are shown.
    fn visible_to(&self, _actor: &Actor, _org: &OrgChart) -> bool {
        true
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.kept_by,
            status: if self.active { "active" } else { "stopped" },
            due: self.valid_to,
            listed: false,
            case_id: None,
            ref_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(id: i64, priority: u32) -> DispatchRule {
        DispatchRule {
            id: DispatchRuleId(id),
            name: format!("规则{id}"),
            category: None,
            region: None,
            keywords: Vec::new(),
            units: vec![UnitId(id)],
            priority,
            valid_from: None,
            valid_to: None,
            basis: String::new(),
            active: true,
            version: 1,
            history: Vec::new(),
            kept_by: UnitId(1),
        }
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn matter<'a>(text: &'a str, region: Option<&'a str>, category: Option<&'a str>) -> Matter<'a> {
        Matter {
            text,
            region,
            category,
            today: day("2026-11-29"),
        }
    }

    #[test]
    fn a_group_rule_covers_its_leaves_and_a_leaf_rule_only_itself() {
        let group = DispatchRule {
            category: Some("城乡建设".into()),
            ..rule(1, 10)
        };
        let leaf = DispatchRule {
            category: Some("城乡建设/物业管理".into()),
            ..rule(2, 10)
        };
        let m = matter("物业费", None, Some("城乡建设/物业管理"));
        assert!(group.matches(&m) && leaf.matches(&m));
        let other = matter("房屋漏水", None, Some("城乡建设/房屋质量"));
        assert!(group.matches(&other) && !leaf.matches(&other));
        // A group's name is not a prefix of another group's.
        let near = DispatchRule {
            category: Some("城乡".into()),
            ..rule(3, 10)
        };
        assert!(!near.matches(&m));
        assert!(!group.matches(&matter("物业费", None, None)));
    }

    #[test]
    fn every_condition_must_hold_and_keywords_any() {
        let r = DispatchRule {
            region: Some("东城区".into()),
            keywords: vec!["噪音".into(), "扰民".into()],
            ..rule(1, 10)
        };
        assert!(r.matches(&matter("广场舞扰民", Some("东城区建设街道"), None)));
        assert!(
            r.matches(&matter("东城区某工地夜间噪音", None, None)),
            "the region named in the text"
        );
        assert!(!r.matches(&matter("广场舞扰民", Some("西城区"), None)));
        assert!(!r.matches(&matter("物业费", Some("东城区"), None)));
    }

    #[test]
    fn only_rules_in_force_match() {
        let r = DispatchRule {
            keywords: vec!["供暖".into()],
            valid_from: Some(day("2026-11-15")),
            valid_to: Some(day("2027-03-15")),
            ..rule(1, 10)
        };
        let mut m = matter("供暖不热", None, None);
        assert!(r.matches(&m));
        m.today = day("2026-11-14");
        assert!(!r.matches(&m));
        m.today = day("2027-03-16");
        assert!(!r.matches(&m));
        let stopped = DispatchRule { active: false, ..r };
        assert!(!stopped.matches(&matter("供暖不热", None, None)));
    }

    #[test]
    fn higher_priority_then_the_more_specific_rule_comes_first() {
        let kw = |id, p, cat: Option<&str>| DispatchRule {
            keywords: vec!["拖欠".into()],
            category: cat.map(Into::into),
            ..rule(id, p)
        };
        let rules = vec![
            kw(1, 10, None),
            kw(2, 10, Some("劳动和社会保障/拖欠工资")),
            kw(3, 50, None),
            kw(4, 10, Some("劳动和社会保障")),
        ];
        let found: Vec<i64> = matching(
            &rules,
            &matter("拖欠工资三个月", None, Some("劳动和社会保障/拖欠工资")),
        )
        .iter()
        .map(|r| r.id.0)
        .collect();
        assert_eq!(found, vec![3, 2, 4, 1]);
    }
}
