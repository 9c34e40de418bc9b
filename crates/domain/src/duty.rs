//! 值班、信息报送 (DESIGN.md §5): each unit's duty roster with the duty leader of each day, and
//! urgent incident reports whose reporting deadline depends on severity; reports made late, or
//! not made by the deadline, are flagged. Pure; times are milliseconds since the epoch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty};
use crate::error::{DomainError, text};
use crate::ids::{DutyDayId, IncidentId, UnitId};
use crate::org::{Actor, OrgChart};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed, Unchangeable};

/// One day of a unit's duty roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyDay {
    pub id: DutyDayId,
    pub unit: UnitId,
    pub date: NaiveDate,
    /// 带班领导.
    pub leader: String,
    /// 值班人员.
    pub officer: String,
    pub phone: String,
    pub set: Signed,
}

/// A day of duty to set (setting the same unit and day again replaces it).
#[derive(Debug, Clone)]
pub struct SetDuty {
    pub unit: UnitId,
    pub date: NaiveDate,
    pub leader: String,
    pub officer: String,
    pub phone: String,
}

/// Officers of the units overseen (heads and leaders for the roster; handlers too for
/// incidents).
fn may(ctx: &RecordCtx, duty: Duty, unit: UnitId, why: &'static str) -> Result<(), DomainError> {
    let by = ctx.officer(why)?;
    if access::may(by, duty, ctx.path(unit)?) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(why))
    }
}

/// A duty telephone: 5 to 20 digits and dashes.
fn phone(field: &'static str, what: &str, phone: &str) -> Result<String, DomainError> {
    let phone = phone.trim();
    if phone.len() < 5 || phone.len() > 20 || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        return Err(DomainError::invalid(
            field,
            format!("{what}应为5至20位数字"),
        ));
    }
    Ok(phone.to_string())
}

impl RecordOf for DutyDayId {
    type Record = DutyDay;
}

impl Record for DutyDay {
    const KIND: &'static str = "duty_day";
    const NAME: &'static str = "值班";
    type Id = DutyDayId;
    type New = SetDuty;
    type Command = Unchangeable;

    fn create(
        id: DutyDayId,
        new: &SetDuty,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        may(
            ctx,
            Duty::KeepRoster,
            new.unit,
            "只能安排本单位及下级单位的值班",
        )?;
        if new.date < ctx.today {
            return Err(DomainError::invalid("date", "不能安排已过去的值班"));
        }
        let d = DutyDay {
            id,
            unit: new.unit,
            date: new.date,
            phone: phone("phone", "值班电话", &new.phone)?,
            leader: text("leader", "带班领导", &new.leader, 50)?,
            officer: text("officer", "值班人员", &new.officer, 50)?,
            set: Signed::of(ctx.by, ctx.today),
        };
        Ok((d, "duty_set"))
    }

    fn decide(
        &self,
        cmd: &Unchangeable,
        _: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        match *cmd {}
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: "set",
            due: Some(self.date),
            listed: false,
            case_id: None,
            ref_id: None,
        }
    }
}

/// How grave an incident is; the graver, the sooner it must be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 特别重大: within 1 hour.
    Critical,
    /// 重大: within 2 hours.
    Major,
    /// 较大: within 6 hours.
    Serious,
    /// 一般: within 24 hours.
    Ordinary,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::Major,
        Severity::Serious,
        Severity::Ordinary,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Major => "major",
            Severity::Serious => "serious",
            Severity::Ordinary => "ordinary",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Severity::Critical => "特别重大",
            Severity::Major => "重大",
            Severity::Serious => "较大",
            Severity::Ordinary => "一般",
        }
    }

    pub fn from_code(c: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.code() == c)
    }

    /// Hours from the incident to the reporting deadline.
    pub fn hours(self) -> i64 {
        match self {
            Severity::Critical => 1,
            Severity::Major => 2,
            Severity::Serious => 6,
            Severity::Ordinary => 24,
        }
    }
}

/// An urgent incident and its report to the level above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Incident {
    pub id: IncidentId,
    pub unit: UnitId,
    pub title: String,
    pub severity: Severity,
    /// When it happened (ms), and the reporting deadline that follows from the severity.
    pub occurred_at: i64,
    pub report_due_at: i64,
    pub noted: Signed,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Report>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub text: String,
    pub at: i64,
    pub by: Signed,
}

/// Where an incident's report stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    Due,
    Missing,
    OnTime,
    Late,
}

impl ReportState {
    pub fn label(self) -> &'static str {
        match self {
            ReportState::Due => "待报送",
            ReportState::Missing => "逾期未报",
            ReportState::OnTime => "按时报送",
            ReportState::Late => "迟报",
        }
    }

    /// Flagged for the level above.
    pub fn flagged(self) -> bool {
        matches!(self, ReportState::Missing | ReportState::Late)
    }
}

/// An incident noted (and, with `report`, reported at once).
#[derive(Debug, Clone)]
pub struct NoteIncident {
    pub unit: UnitId,
    pub title: String,
    pub severity: Severity,
    /// When it happened, in milliseconds since the epoch.
    pub occurred_at: i64,
    pub report: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum IncidentCommand {
    /// The unit where it happened reports it to the level above.
    Report { text: String },
}

impl Incident {
    fn submit(&mut self, text_: &str, ctx: &RecordCtx) -> Result<(), DomainError> {
        let why = "只有事发单位可以报送";
        let by = ctx.officer(why)?;
        if !access::answers_for(by, self.unit) {
            return Err(DomainError::Forbidden(why));
        }
        if self.report.is_some() {
            return Err(DomainError::AlreadyDone("已报送"));
        }
        self.report = Some(Report {
            text: text("text", "报送内容", text_, 10_000)?,
            at: ctx.now_ms,
            by: Signed::of(Some(by), ctx.today),
        });
        Ok(())
    }

    pub fn state(&self, now: i64) -> ReportState {
        match &self.report {
            Some(r) if r.at <= self.report_due_at => ReportState::OnTime,
            Some(_) => ReportState::Late,
            None if now > self.report_due_at => ReportState::Missing,
            None => ReportState::Due,
        }
    }
}

impl RecordOf for IncidentId {
    type Record = Incident;
}

impl Record for Incident {
    const KIND: &'static str = "incident";
    const NAME: &'static str = "信息";
    type Id = IncidentId;
    type New = NoteIncident;
    type Command = IncidentCommand;

    fn create(
        id: IncidentId,
        new: &NoteIncident,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        may(
            ctx,
            Duty::ReportIncident,
            new.unit,
            "只能报送本单位及下级单位的信息",
        )?;
        if new.occurred_at > ctx.now_ms {
            return Err(DomainError::invalid("occurred_at", "发生时间不能晚于现在"));
        }
        let mut i = Incident {
            id,
            unit: new.unit,
            title: text("title", "事件名称", &new.title, 200)?,
            severity: new.severity,
            occurred_at: new.occurred_at,
            report_due_at: new.occurred_at + new.severity.hours() * 3_600_000,
            noted: Signed::of(ctx.by, ctx.today),
            report: None,
        };
        if let Some(report) = &new.report {
            i.submit(report, ctx)?;
        }
        Ok((i, "incident_noted"))
    }

    fn decide(
        &self,
        cmd: &IncidentCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let IncidentCommand::Report { text } = cmd;
        let mut i = self.clone();
        i.submit(text, ctx)?;
        Ok((i, "incident_reported"))
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, ctx: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: if self.report.is_some() {
                "reported"
            } else {
                "due"
            },
            due: Some((ctx.day_of)(self.report_due_at)),
            listed: false,
            case_id: None,
            ref_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_flagged_late_or_missing_by_severity() {
        let hour = 3_600_000;
        let mut i = Incident {
            id: IncidentId(1),
            unit: UnitId(1),
            title: "x".into(),
            severity: Severity::Major,
            occurred_at: 0,
            report_due_at: Severity::Major.hours() * hour,
            noted: Signed {
                by: None,
                by_name: String::new(),
                on: NaiveDate::default(),
            },
            report: None,
        };
        assert_eq!(i.state(2 * hour), ReportState::Due);
        assert_eq!(i.state(2 * hour + 1), ReportState::Missing);
        i.report = Some(Report {
            text: "y".into(),
            at: 3 * hour,
            by: i.noted.clone(),
        });
        assert_eq!(i.state(10 * hour), ReportState::Late);
        assert!(i.state(10 * hour).flagged());
        i.report.as_mut().unwrap().at = hour;
        assert_eq!(i.state(10 * hour), ReportState::OnTime);
    }
}
