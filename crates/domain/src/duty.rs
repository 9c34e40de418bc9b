//! 值班、信息报送 (DESIGN.md §5): each unit's duty roster with the duty leader of each day, and
//! urgent incident reports whose reporting deadline depends on severity; reports made late, or
//! not made by the deadline, are flagged. Pure; times are milliseconds since the epoch.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty, UnitPath};
use crate::error::{DomainError, text};
use crate::ids::UnitId;
use crate::org::Actor;
use crate::supervision::Signed;

/// One day of a unit's duty roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DutyDay {
    pub id: i64,
    pub unit: UnitId,
    pub date: NaiveDate,
    /// 带班领导.
    pub leader: String,
    /// 值班人员.
    pub officer: String,
    pub phone: String,
    pub set: Signed,
}

/// Unit heads and leaders keep their own unit's roster (and those below).
pub fn may_keep_roster(by: &Actor, unit_path: &UnitPath) -> bool {
    access::may(by, Duty::KeepRoster, unit_path)
}

#[allow(clippy::too_many_arguments)]
pub fn set_duty(
    id: i64,
    unit: UnitId,
    unit_path: &UnitPath,
    date: NaiveDate,
    leader: &str,
    officer: &str,
    phone: &str,
    by: &Actor,
    today: NaiveDate,
) -> Result<DutyDay, DomainError> {
    if !may_keep_roster(by, unit_path) {
        return Err(DomainError::Forbidden("只能安排本单位及下级单位的值班"));
    }
    if date < today {
        return Err(DomainError::invalid("date", "不能安排已过去的值班"));
    }
    let phone = phone.trim();
    if phone.len() < 5 || phone.len() > 20 || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')
    {
        return Err(DomainError::invalid("phone", "值班电话应为5至20位数字"));
    }
    Ok(DutyDay {
        id,
        unit,
        date,
        leader: text("leader", "带班领导", leader, 50)?,
        officer: text("officer", "值班人员", officer, 50)?,
        phone: phone.to_string(),
        set: Signed::of(Some(by), today),
    })
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
    pub id: i64,
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

/// Officers of a unit note incidents of their unit or below.
pub fn may_report(by: &Actor, unit_path: &UnitPath) -> bool {
    access::may(by, Duty::ReportIncident, unit_path)
}

#[allow(clippy::too_many_arguments)]
pub fn note_incident(
    id: i64,
    unit: UnitId,
    unit_path: &UnitPath,
    title: &str,
    severity: Severity,
    occurred_at: i64,
    by: &Actor,
    now: i64,
    today: NaiveDate,
) -> Result<Incident, DomainError> {
    if !may_report(by, unit_path) {
        return Err(DomainError::Forbidden("只能报送本单位及下级单位的信息"));
    }
    if occurred_at > now {
        return Err(DomainError::invalid("occurred_at", "发生时间不能晚于现在"));
    }
    Ok(Incident {
        id,
        unit,
        title: text("title", "事件名称", title, 200)?,
        severity,
        occurred_at,
        report_due_at: occurred_at + severity.hours() * 3_600_000,
        noted: Signed::of(Some(by), today),
        report: None,
    })
}

impl Incident {
    pub fn submit(
        &mut self,
        text_: &str,
        by: &Actor,
        now: i64,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        if !access::answers_for(by, self.unit) {
            return Err(DomainError::Forbidden("只有事发单位可以报送"));
        }
        if self.report.is_some() {
            return Err(DomainError::AlreadyDone("已报送"));
        }
        self.report = Some(Report {
            text: text("text", "报送内容", text_, 10_000)?,
            at: now,
            by: Signed::of(Some(by), today),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_flagged_late_or_missing_by_severity() {
        let hour = 3_600_000;
        let mut i = Incident {
            id: 1,
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
