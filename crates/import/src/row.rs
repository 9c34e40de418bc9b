//! One row of a register, read through the mapping and the tables: what it says of the case, or
//! what is wrong with it (row, column and reason, in Chinese), and what was guessed (warnings).

use chrono::NaiveDateTime;
use xinfang_domain::vocab::PetitionClass;
use xinfang_domain::{Channel, OrgChart, Rating, UnitId};

use crate::dates::{self, DayOrder};
use crate::fields::{Mapping, Target};
use crate::normalise::{Standing, Tables, Unknown};
use crate::read::Sheet;

/// What is wrong (or was guessed) at a row and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub row: usize,
    /// The column's header, or the field's name when the file has no such column.
    pub column: String,
    pub reason: String,
}

/// What values fall back to when the tables do not know them.
#[derive(Debug, Clone, Copy)]
pub struct Defaults {
    pub channel: Channel,
    /// The unit a reply is from when the row names none or one the tables do not know.
    pub unit: UnitId,
}

/// A row as a case to be.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub number: usize,
    pub source_id: Option<String>,
    pub case_no: Option<String>,
    pub received_at: NaiveDateTime,
    pub channel: Channel,
    pub petitioner_name: Option<String>,
    pub petitioner_phone: Option<String>,
    pub petitioner_id_number: Option<String>,
    pub address: Option<String>,
    pub region: Option<String>,
    /// A taxonomy category; none when the row had none or one not in the taxonomy (kept below).
    pub category: Option<String>,
    /// The register's own category when the taxonomy had no match.
    pub original_category: Option<String>,
    pub class: PetitionClass,
    pub title: String,
    pub content: String,
    pub head_count: u32,
    pub unit: Option<UnitId>,
    pub reply: Option<String>,
    pub replied_at: Option<NaiveDateTime>,
    pub standing: Option<Standing>,
    pub satisfaction: Option<Rating>,
}

/// How a row came out.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Case(Box<Row>),
    /// 咨询: answered on the line, not a petition.
    Consultation,
}

/// The day order of each date column, learned from all its values (see [`DayOrder::of_column`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Orders {
    pub received: DayOrder,
    pub replied: DayOrder,
}

impl Default for Orders {
    fn default() -> Orders {
        Orders {
            received: DayOrder::MonthFirst,
            replied: DayOrder::MonthFirst,
        }
    }
}

impl Orders {
    /// Takes in one row's dates.
    pub fn see(&mut self, mapping: &Mapping, cells: &[String]) {
        for (target, order) in [
            (Target::ReceivedAt, &mut self.received),
            (Target::RepliedAt, &mut self.replied),
        ] {
            if *order == DayOrder::MonthFirst
                && let Some(v) = mapping.column(target).and_then(|c| cells.get(c))
            {
                *order = DayOrder::of_column([v.as_str()]);
            }
        }
    }
}

/// Reads the sheet's rows with a mapping: each row's case or its problems; the warnings of all.
pub struct Reading<'a> {
    headers: &'a [String],
    mapping: &'a Mapping,
    tables: &'a Tables,
    org: &'a OrgChart,
    defaults: Defaults,
    received_order: DayOrder,
    replied_order: DayOrder,
    /// What each unit and category value means, as first found: a register repeats a few
    /// dozen names over its rows, and matching one against the tree and the taxonomy is not
    /// free (a tenth of an import's time when done for every row).
    units: Memo<UnitId>,
    categories: Memo<String>,
}

type Memo<T> = std::sync::Mutex<std::collections::HashMap<String, Result<T, Unknown>>>;

/// `find(value)`, kept in `memo` for the next row with the same value.
fn memoised<T: Clone>(
    memo: &Memo<T>,
    value: &str,
    find: impl FnOnce(&str) -> Result<T, Unknown>,
) -> Result<T, Unknown> {
    let mut memo = memo
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    memo.entry(value.to_string())
        .or_insert_with(|| find(value))
        .clone()
}

const TITLE_FROM_CONTENT: usize = 30;

impl<'a> Reading<'a> {
    pub fn new(
        sheet: &'a Sheet,
        mapping: &'a Mapping,
        tables: &'a Tables,
        org: &'a OrgChart,
        defaults: Defaults,
    ) -> Reading<'a> {
        let mut orders = Orders::default();
        for (_, cells) in &sheet.rows {
            orders.see(mapping, cells);
        }
        Reading::with_orders(&sheet.headers, orders, mapping, tables, org, defaults)
    }

    /// A reading of rows under `headers` whose date columns follow `orders` (learned from
    /// every row in a pass before).
    pub fn with_orders(
        headers: &'a [String],
        orders: Orders,
        mapping: &'a Mapping,
        tables: &'a Tables,
        org: &'a OrgChart,
        defaults: Defaults,
    ) -> Reading<'a> {
        Reading {
            received_order: orders.received,
            replied_order: orders.replied,
            headers,
            mapping,
            tables,
            org,
            defaults,
            units: Default::default(),
            categories: Default::default(),
        }
    }

    /// What the mapping misses that every row needs: refused before any row is read.
    pub fn missing(&self) -> Vec<String> {
        let m = self.mapping;
        let mut out = Vec::new();
        if m.column(Target::ReceivedAt).is_none() {
            out.push(format!(
                "没有“{}”列（received_at）",
                Target::ReceivedAt.label()
            ));
        }
        if m.column(Target::Content).is_none() && m.column(Target::Title).is_none() {
            out.push("没有“标题”或“内容”列（title / content）".to_string());
        }
        out
    }

    fn header(&self, t: Target) -> String {
        self.mapping
            .column(t)
            .and_then(|c| self.headers.get(c))
            .cloned()
            .unwrap_or_else(|| t.label().to_string())
    }

    /// The row's case, or its problems; `warnings` gets what was guessed.
    pub fn row(
        &self,
        number: usize,
        cells: &[String],
        warnings: &mut Vec<Problem>,
    ) -> Result<Outcome, Vec<Problem>> {
        let value = |t: Target| -> Option<String> {
            self.mapping
                .column(t)
                .and_then(|c| cells.get(c))
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let mut problems = Vec::new();
        let problem = |t: Target, reason: String| Problem {
            row: number,
            column: self.header(t),
            reason,
        };
        let mut warn = |t: Target, reason: String| warnings.push(problem(t, reason));
        // The kind first: a consultation is no petition at all.
        let class = match value(Target::Kind).map(|k| self.tables.kind(&k)) {
            None => PetitionClass::Claim,
            Some(Ok(None)) => return Ok(Outcome::Consultation),
            Some(Ok(Some(c))) => c,
            Some(Err(u)) => {
                warn(
                    Target::Kind,
                    format!("诉求类型“{}”无法识别，按申诉求决类导入", u.0),
                );
                PetitionClass::Claim
            }
        };
        let received_at = match value(Target::ReceivedAt) {
            None => {
                problems.push(problem(Target::ReceivedAt, "登记时间为空".into()));
                None
            }
            Some(v) => match dates::parse(&v, self.received_order) {
                Ok(t) => Some(t),
                Err(e) => {
                    problems.push(problem(Target::ReceivedAt, e));
                    None
                }
            },
        };
        let content = value(Target::Content);
        let title = value(Target::Title);
        if content.is_none() && title.is_none() {
            problems.push(problem(Target::Content, "标题和内容都为空".into()));
        }
        let channel = match value(Target::Channel).map(|c| self.tables.channel(&c)) {
            None => self.defaults.channel,
            Some(Ok(c)) => c,
            Some(Err(u)) => {
                warn(
                    Target::Channel,
                    format!(
                        "渠道“{}”无法识别，按{}导入",
                        u.0,
                        self.defaults.channel.label()
                    ),
                );
                self.defaults.channel
            }
        };
        let (category, original_category) = match value(Target::Category) {
            None => (None, None),
            Some(c) => match memoised(&self.categories, &c, |c| self.tables.category(c)) {
                Ok(path) => (Some(path), None),
                Err(u) => {
                    warn(
                        Target::Category,
                        format!("分类“{}”不在分类目录中，保留原文，列为未分类", u.0),
                    );
                    (None, Some(u.0))
                }
            },
        };
        let unit = match value(Target::Unit)
            .map(|u| memoised(&self.units, &u, |u| self.tables.unit(u, self.org)))
        {
            None => None,
            Some(Ok(u)) => Some(u),
            Some(Err(u)) => {
                let office = self
                    .org
                    .get(self.defaults.unit)
                    .map(|u| u.name.clone())
                    .unwrap_or_default();
                warn(
                    Target::Unit,
                    format!("单位“{}”无法对应到本系统的单位，按{office}导入", u.0),
                );
                Some(self.defaults.unit)
            }
        };
        let replied_at = match value(Target::RepliedAt) {
            None => None,
            Some(v) => match dates::parse(&v, self.replied_order) {
                Ok(t) => Some(t),
                Err(e) => {
                    problems.push(problem(Target::RepliedAt, e));
                    None
                }
            },
        };
        if let (Some(r), Some(a)) = (received_at, replied_at)
            && a < r
        {
            problems.push(problem(Target::RepliedAt, "答复时间早于登记时间".into()));
        }
        let standing = match value(Target::Status).map(|s| self.tables.status(&s)) {
            None | Some(Ok(None)) => None,
            Some(Ok(s)) => s,
            Some(Err(u)) => {
                warn(
                    Target::Status,
                    format!("状态“{}”无法识别，按答复情况判断", u.0),
                );
                None
            }
        };
        let satisfaction = match value(Target::Satisfaction).map(|s| self.tables.satisfaction(&s)) {
            None => None,
            Some(Ok(r)) => r,
            Some(Err(u)) => {
                warn(
                    Target::Satisfaction,
                    format!("满意度“{}”无法识别，不计评价", u.0),
                );
                None
            }
        };
        let head_count = match value(Target::HeadCount) {
            None => 1,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=100_000).contains(&n) => n,
                _ => {
                    problems.push(problem(
                        Target::HeadCount,
                        format!("人数“{v}”不是 1 以上的整数"),
                    ));
                    1
                }
            },
        };
        let (Some(received_at), true) = (received_at, problems.is_empty()) else {
            return Err(problems);
        };
        let content = content.or_else(|| title.clone()).unwrap_or_default();
        let title = title.unwrap_or_else(|| content.chars().take(TITLE_FROM_CONTENT).collect());
        Ok(Outcome::Case(Box::new(Row {
            number,
            source_id: value(Target::SourceId),
            case_no: value(Target::CaseNo),
            received_at,
            channel,
            petitioner_name: value(Target::PetitionerName),
            petitioner_phone: value(Target::PetitionerPhone),
            petitioner_id_number: value(Target::PetitionerIdNumber),
            address: value(Target::Address),
            region: value(Target::Region),
            category,
            original_category,
            class,
            title,
            content,
            head_count,
            unit,
            reply: value(Target::Reply),
            replied_at,
            standing,
            satisfaction,
        })))
    }
}
