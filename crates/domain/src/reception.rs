//! 接访 (DESIGN.md §5): leaders' public reception days on a weekly rotation (holidays skipped),
//! appointments booked with petitioners, field visits (下访) that carry named cases down to a
//! town; a session records whom the leader met, and each petition taken there is registered
//! as a case linked to the session. Pure.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty, UnitPath};
use crate::calendar::Calendar;
use crate::error::{DomainError, text};
use crate::ids::{CaseId, PersonId, UnitId};
use crate::org::{Actor, Role};
use crate::supervision::Signed;

/// A unit's reception rotation: on `weekday` each week, the next leader in turn receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rotation {
    pub unit: UnitId,
    /// 1 = Monday … 7 = Sunday.
    pub weekday: u32,
    pub leaders: Vec<(PersonId, String)>,
    /// The first reception day of the rotation (its first leader's).
    pub starts: NaiveDate,
}

/// The reception days of `rotation` from `from` for `weeks` weeks: on its weekday, skipping
/// days that are not working days (the leader whose turn it was receives on the next one).
pub fn schedule(
    rotation: &Rotation,
    from: NaiveDate,
    weeks: u32,
    calendar: &Calendar,
) -> Vec<(NaiveDate, PersonId, String)> {
    let Some(weekday) = Weekday::try_from((rotation.weekday.clamp(1, 7) - 1) as u8).ok() else {
        return Vec::new();
    };
    if rotation.leaders.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut day = rotation.starts;
    while day.weekday() != weekday {
        day += Duration::days(1);
    }
    let mut turn = 0usize;
    let end = from + Duration::weeks(weeks as i64);
    while day < end {
        if calendar.is_working_day(day) {
            if day >= from {
                let (id, name) = &rotation.leaders[turn % rotation.leaders.len()];
                out.push((day, *id, name.clone()));
            }
            turn += 1;
        }
        day += Duration::weeks(1);
    }
    out
}

pub fn may_arrange(by: &Actor, unit_path: &UnitPath) -> bool {
    access::may(by, Duty::ArrangeReception, unit_path)
}

pub fn rotation(
    unit: UnitId,
    unit_path: &UnitPath,
    weekday: u32,
    leaders: Vec<(PersonId, String)>,
    starts: NaiveDate,
    by: &Actor,
) -> Result<Rotation, DomainError> {
    if !may_arrange(by, unit_path) {
        return Err(DomainError::Forbidden("只能安排本单位及下级单位的领导接访"));
    }
    if !(1..=7).contains(&weekday) {
        return Err(DomainError::invalid("weekday", "接访日应为星期一至星期日"));
    }
    if leaders.is_empty() || leaders.len() > 30 {
        return Err(DomainError::invalid(
            "leaders",
            "请选择1至30位轮流接访的领导",
        ));
    }
    Ok(Rotation {
        unit,
        weekday,
        leaders,
        starts,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// 领导公开接访 at the unit.
    Reception,
    /// 下访: the leader goes down to a town with named cases.
    FieldVisit,
}

impl SessionKind {
    pub fn label(self) -> &'static str {
        match self {
            SessionKind::Reception => "公开接访",
            SessionKind::FieldVisit => "领导下访",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appointment {
    pub name: String,
    pub phone: String,
    pub matter: String,
    pub booked: Signed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    pub id: i64,
    pub kind: SessionKind,
    /// Where it is held: the receiving unit, or the town visited.
    pub unit: UnitId,
    pub date: NaiveDate,
    pub leader: PersonId,
    pub leader_name: String,
    #[serde(default)]
    pub appointments: Vec<Appointment>,
    /// Cases the leader carries down (a field visit).
    #[serde(default)]
    pub carried: Vec<CaseId>,
    /// Whom the leader met, recorded after the session.
    #[serde(default)]
    pub met: Vec<String>,
    /// Cases registered from petitions taken at the session.
    #[serde(default)]
    pub cases: Vec<CaseId>,
    pub arranged: Signed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum SessionCommand {
    Book {
        name: String,
        phone: String,
        matter: String,
    },
    Carry {
        case_id: CaseId,
    },
    RecordMet {
        names: Vec<String>,
    },
}

#[allow(clippy::too_many_arguments)]
pub fn arrange(
    id: i64,
    kind: SessionKind,
    unit: UnitId,
    unit_path: &UnitPath,
    date: NaiveDate,
    leader: &Actor,
    by: &Actor,
    today: NaiveDate,
) -> Result<Session, DomainError> {
    if !may_arrange(by, unit_path) {
        return Err(DomainError::Forbidden("只能安排本单位及下级单位的领导接访"));
    }
    if !leader.has(Role::Leader) {
        return Err(DomainError::invalid("leader_id", "接访人应为领导"));
    }
    if date < today {
        return Err(DomainError::invalid("date", "接访日期不能早于今天"));
    }
    Ok(Session {
        id,
        kind,
        unit,
        date,
        leader: leader.person,
        leader_name: leader.name.clone(),
        appointments: Vec::new(),
        carried: Vec::new(),
        met: Vec::new(),
        cases: Vec::new(),
        arranged: Signed::of(Some(by), today),
    })
}

impl Session {
    pub fn handle(
        &mut self,
        cmd: &SessionCommand,
        by: &Actor,
        unit_path: &UnitPath,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        if !may_arrange(by, unit_path) && by.person != self.leader {
            return Err(DomainError::Forbidden("只有接访单位或接访领导可以办理"));
        }
        match cmd {
            SessionCommand::Book {
                name,
                phone,
                matter,
            } => {
                if today > self.date {
                    return Err(DomainError::WindowClosed("接访日已过，不能再预约".into()));
                }
                if self.appointments.len() >= 50 {
                    return Err(DomainError::invalid("name", "本场接访预约已满"));
                }
                let phone = phone.trim();
                if phone.len() < 5
                    || phone.len() > 20
                    || !phone.chars().all(|c| c.is_ascii_digit() || c == '-')
                {
                    return Err(DomainError::invalid("phone", "联系电话应为5至20位数字"));
                }
                self.appointments.push(Appointment {
                    name: text("name", "预约人姓名", name, 50)?,
                    phone: phone.to_string(),
                    matter: text("matter", "反映事项", matter, 500)?,
                    booked: Signed::of(Some(by), today),
                });
            }
            SessionCommand::Carry { case_id } => {
                if self.kind != SessionKind::FieldVisit {
                    return Err(DomainError::invalid("case_id", "只有下访可以带案"));
                }
                if !self.carried.contains(case_id) {
                    self.carried.push(*case_id);
                }
            }
            SessionCommand::RecordMet { names } => {
                if today < self.date {
                    return Err(DomainError::invalid("names", "接访尚未进行"));
                }
                let names: Vec<String> = names
                    .iter()
                    .map(|n| n.trim().to_string())
                    .filter(|n| !n.is_empty())
                    .collect();
                if names.is_empty()
                    || names.len() > 500
                    || names.iter().any(|n| n.chars().count() > 50)
                {
                    return Err(DomainError::invalid(
                        "names",
                        "请填写接待的信访人（每人不超过50字）",
                    ));
                }
                self.met = names;
            }
        }
        Ok(())
    }

    /// A petition taken at the session was registered as `case`.
    pub fn took(&mut self, case: CaseId) {
        if !self.cases.contains(&case) {
            self.cases.push(case);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reception_days_rotate_and_skip_holidays() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let leaders = vec![
            (PersonId(1), "甲".to_string()),
            (PersonId(2), "乙".to_string()),
        ];
        let r = Rotation {
            unit: UnitId(1),
            weekday: 1,
            leaders,
            starts: d("2026-09-28"),
        };
        let mut cal = Calendar::default();
        for day in 1..=7 {
            cal.holidays.insert(d(&format!("2026-10-0{day}")));
        }
        let days = schedule(&r, d("2026-09-28"), 4, &cal);
        // 2026-10-05 is a Monday of the National Day holiday: skipped, the turn passes on.
        let shown: Vec<(String, &str)> = days
            .iter()
            .map(|(d, _, n)| (d.to_string(), n.as_str()))
            .collect();
        assert!(cal.is_working_day(d("2026-09-28")) && !cal.is_working_day(d("2026-10-05")));
        assert_eq!(
            shown,
            vec![
                ("2026-09-28".to_string(), "甲"),
                ("2026-10-12".to_string(), "乙"),
                ("2026-10-19".to_string(), "甲"),
            ]
        );
        // Asking from later keeps the same turns.
        let later = schedule(&r, d("2026-10-19"), 1, &cal);
        assert_eq!(later[0].2, "甲");
    }
}
