//! 每月一题 and 专项治理 (#19): a leader takes up a hot issue as a campaign with a lead unit, a
//! responsible leader, a goal and a deadline. The issue's cases, and those that join it later,
//! are the campaign's; more may be linked by hand. Its progress (resolved share, satisfaction,
//! repeat petitions since it began) is counted from the cases; the record keeps the terms and
//! every change. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access;
use crate::case::Case;
use crate::error::{DomainError, text};
use crate::ids::{CampaignId, CaseId, PersonId, UnitId};
use crate::org::{Actor, OrgChart, Role, UnitKind};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed};
use crate::vocab::{Rating, labelled_enum};

/// Cases linked by hand at most (the issue's own are counted besides).
pub const MAX_LINKED: usize = 2_000;
/// The log's events of campaigns.
pub const EVENTS: [&str; 2] = ["campaign_created", "campaign_changed"];

labelled_enum!(
    CampaignKind {
        MonthlyTopic => ("monthly_topic", "每月一题"),
        Special => ("special", "专项治理"),
    }
);

/// A campaign as the leader sets it up; `leader` is the responsible leader as the store found
/// them, `cases` the hot issue's cases the creator may see.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub kind: CampaignKind,
    /// The hot issue taken up: the id of its first case.
    pub issue: CaseId,
    pub lead_unit: UnitId,
    pub leader: Actor,
    pub goal: String,
    pub deadline: NaiveDate,
    pub cases: Vec<CaseId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CampaignChange {
    /// 发起, 关联, 调整, 办结.
    pub what: String,
    pub signed: Signed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub kind: CampaignKind,
    pub issue: CaseId,
    pub lead_unit: UnitId,
    pub leader: PersonId,
    pub leader_name: String,
    pub goal: String,
    pub deadline: NaiveDate,
    pub started: NaiveDate,
    /// Cases linked when it began and by hand since (the issue's later cases join by the
    /// grouping, not here).
    pub cases: Vec<CaseId>,
    pub open: bool,
    /// What the leader said when closing it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    pub history: Vec<CampaignChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum CampaignCommand {
    /// Links more cases (the lead unit's officers or a leader).
    Link { cases: Vec<CaseId> },
    /// A new goal or deadline (a leader).
    Revise { goal: String, deadline: NaiveDate },
    /// 办结: the campaign ends with the leader's summary.
    Close { summary: String },
}

impl RecordOf for CampaignId {
    type Record = Campaign;
}

fn goal(s: &str) -> Result<String, DomainError> {
    text("goal", "目标", s, 2_000)
}

fn deadline(d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, DomainError> {
    if d < today {
        return Err(DomainError::invalid("deadline", "完成时限不能早于今天"));
    }
    Ok(d)
}

fn leader_acts<'a>(ctx: &RecordCtx<'a>, what: &'static str) -> Result<&'a Actor, DomainError> {
    let by = ctx.officer(what)?;
    if by.has(Role::Leader) {
        Ok(by)
    } else {
        Err(DomainError::Forbidden(what))
    }
}

fn linked(mut cases: Vec<CaseId>, more: &[CaseId]) -> Result<Vec<CaseId>, DomainError> {
    for c in more {
        if !cases.contains(c) {
            cases.push(*c);
        }
    }
    if cases.len() > MAX_LINKED {
        return Err(DomainError::invalid(
            "cases",
            format!("一个专项至多关联{MAX_LINKED}件信访事项"),
        ));
    }
    Ok(cases)
}

impl Campaign {
    fn changed(mut self, what: &str, ctx: &RecordCtx) -> Campaign {
        self.history.push(CampaignChange {
            what: what.into(),
            signed: Signed::of(ctx.by, ctx.today),
        });
        self
    }
}

impl Record for Campaign {
    const KIND: &'static str = "campaign";
    const NAME: &'static str = "专项";
    type Id = CampaignId;
    type New = NewCampaign;
    type Command = CampaignCommand;

    fn create(
        id: CampaignId,
        new: &NewCampaign,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        leader_acts(ctx, "只有领导可以把热点问题列为专项")?;
        let lead = ctx.org.get(new.lead_unit).map_err(|_| {
            DomainError::invalid("lead_unit", format!("没有编号为{}的单位", new.lead_unit.0))
        })?;
        if lead.external {
            return Err(DomainError::invalid(
                "lead_unit",
                format!("{}不在本地组织机构中，不能牵头", lead.name),
            ));
        }
        if !new.leader.has(Role::Leader) {
            return Err(DomainError::invalid(
                "leader_id",
                format!("{}不是领导，不能作为责任领导", new.leader.name),
            ));
        }
        let campaign = Campaign {
            id,
            name: text("name", "专项名称", &new.name, 100)?,
            kind: new.kind,
            issue: new.issue,
            lead_unit: new.lead_unit,
            leader: new.leader.person,
            leader_name: new.leader.name.clone(),
            goal: goal(&new.goal)?,
            deadline: deadline(new.deadline, ctx.today)?,
            started: ctx.today,
            cases: linked(Vec::new(), &new.cases)?,
            open: true,
            summary: None,
            history: Vec::new(),
        }
        .changed("发起", ctx);
        Ok((campaign, EVENTS[0]))
    }

    fn decide(
        &self,
        cmd: &CampaignCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        if !self.open {
            return Err(DomainError::IllegalTransition {
                status: "已办结",
                action: match cmd {
                    CampaignCommand::Link { .. } => "关联信访事项",
                    CampaignCommand::Revise { .. } => "调整",
                    CampaignCommand::Close { .. } => "办结",
                },
            });
        }
        let next = match cmd {
            CampaignCommand::Link { cases } => {
                let by = ctx.officer("请先登录")?;
                let lead = ctx.path(self.lead_unit)?;
                if !(by.has(Role::Leader) || access::case_scope(by).covers(lead)) {
                    return Err(DomainError::Forbidden("只有领导和牵头单位可以关联信访事项"));
                }
                if cases.is_empty() {
                    return Err(DomainError::invalid("cases", "请选择要关联的信访事项"));
                }
                let mut c = self.clone();
                c.cases = linked(c.cases, cases)?;
                c.changed("关联", ctx)
            }
            CampaignCommand::Revise {
                goal: g,
                deadline: d,
            } => {
                leader_acts(ctx, "只有领导可以调整专项")?;
                let mut c = self.clone();
                c.goal = goal(g)?;
                c.deadline = deadline(*d, ctx.today)?;
                c.changed("调整", ctx)
            }
            CampaignCommand::Close { summary } => {
                leader_acts(ctx, "只有领导可以办结专项")?;
                let mut c = self.clone();
                c.summary = Some(text("summary", "办结情况", summary, 5_000)?);
                c.open = false;
                c.changed("办结", ctx)
            }
        };
        Ok((next, EVENTS[1]))
    }

    /// The leaders, the petition office, the lead unit and those above it, administrators.
    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        actor.has_any(&[Role::Leader, Role::Admin])
            || actor.unit_kind == UnitKind::PetitionOffice
            || org
                .get(self.lead_unit)
                .is_ok_and(|u| access::case_scope(actor).covers(&u.path))
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.lead_unit,
            status: if self.open { "open" } else { "closed" },
            due: Some(self.deadline),
            listed: false,
            case_id: Some(self.issue),
            ref_id: Some(self.leader.0),
        }
    }
}

/// A campaign's progress over its cases.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub cases: u32,
    /// Closed (办结) or final.
    pub resolved: u32,
    /// resolved / cases.
    pub resolved_share: Option<f64>,
    pub evaluated: u32,
    /// The unit rated 满意 or 基本满意.
    pub satisfied: u32,
    pub satisfaction: Option<f64>,
    /// Cases registered since the campaign began.
    pub new_since_start: u32,
    /// Repeat petitions (重复信访) registered since it began.
    pub repeats_since_start: u32,
    /// Per month (`YYYY-MM`) since the campaign began: new cases, closed, repeat petitions.
    pub months: Vec<MonthProgress>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthProgress {
    pub month: String,
    pub new: u32,
    pub closed: u32,
    pub repeats: u32,
}

fn ratio(a: u32, b: u32) -> Option<f64> {
    (b > 0).then(|| (a as f64 / b as f64 * 1000.0).round() / 1000.0)
}

fn row(
    months: &mut std::collections::BTreeMap<String, MonthProgress>,
    m: String,
) -> &mut MonthProgress {
    months.entry(m.clone()).or_insert(MonthProgress {
        month: m,
        new: 0,
        closed: 0,
        repeats: 0,
    })
}

/// The progress of a campaign that began on `started`, over its cases as they stand.
pub fn progress(started: NaiveDate, cases: &[Case]) -> Progress {
    let mut p = Progress::default();
    let mut months: std::collections::BTreeMap<String, MonthProgress> = Default::default();
    let month = |d: NaiveDate| d.format("%Y-%m").to_string();
    for c in cases {
        p.cases += 1;
        if let Some(closed) = c.closed_on {
            p.resolved += 1;
            if closed >= started {
                row(&mut months, month(closed)).closed += 1;
            }
        }
        if let Some(e) = &c.evaluation {
            p.evaluated += 1;
            p.satisfied += u32::from(matches!(e.unit, Rating::Satisfied | Rating::Basically));
        }
        if c.registered_on >= started {
            p.new_since_start += 1;
            let r = row(&mut months, month(c.registered_on));
            r.new += 1;
            if c.repeat_of.is_some() {
                p.repeats_since_start += 1;
                r.repeats += 1;
            }
        }
    }
    p.resolved_share = ratio(p.resolved, p.cases);
    p.satisfaction = ratio(p.satisfied, p.evaluated);
    p.months = months.into_values().collect();
    p
}
