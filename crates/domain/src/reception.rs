//! 接访 (DESIGN.md §5): leaders' public reception days on a weekly rotation (holidays skipped),
//! appointments booked with petitioners, field visits (下访) that carry named cases down to a
//! town; a session records whom the leader met, and each petition taken there is registered
//! as a case linked to the session. Pure.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::access::{self, Duty};
use crate::calendar::Calendar;
use crate::error::{DomainError, text};
use crate::ids::{CaseId, PersonId, RotationId, SessionId, UnitId};
use crate::org::{Actor, OrgChart, Role};
use crate::record::{Columns, Record, RecordCtx, RecordOf, Signed, Unchangeable};

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

/// Registrars, heads, leaders and supervisors arrange receptions of the units they oversee.
fn arranges(ctx: &RecordCtx, unit: UnitId, why: &'static str) -> Result<(), DomainError> {
    let by = ctx.officer(why)?;
    if access::may(by, Duty::ArrangeReception, ctx.path(unit)?) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(why))
    }
}

/// A unit's rotation, set or replaced.
#[derive(Debug, Clone)]
pub struct SetRotation {
    pub unit: UnitId,
    pub weekday: u32,
    /// In turn order.
    pub leaders: Vec<Actor>,
    pub starts: NaiveDate,
}

impl RecordOf for RotationId {
    type Record = Rotation;
}

impl Record for Rotation {
    const KIND: &'static str = "reception_rotation";
    const NAME: &'static str = "接访安排";
    type Id = RotationId;
    type New = SetRotation;
    type Command = Unchangeable;

    fn create(
        _: RotationId,
        new: &SetRotation,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        arranges(ctx, new.unit, "只能安排本单位及下级单位的领导接访")?;
        if !(1..=7).contains(&new.weekday) {
            return Err(DomainError::invalid("weekday", "接访日应为星期一至星期日"));
        }
        if new.leaders.is_empty() || new.leaders.len() > 30 {
            return Err(DomainError::invalid(
                "leaders",
                "请选择1至30位轮流接访的领导",
            ));
        }
        if let Some(a) = new.leaders.iter().find(|a| !a.has(Role::Leader)) {
            return Err(DomainError::invalid(
                "leaders",
                format!("{}不是领导", a.name),
            ));
        }
        let r = Rotation {
            unit: new.unit,
            weekday: new.weekday,
            leaders: new
                .leaders
                .iter()
                .map(|a| (a.person, a.name.clone()))
                .collect(),
            starts: new.starts,
        };
        Ok((r, "rotation_set"))
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
            due: None,
            listed: false,
            case_id: None,
            ref_id: None,
        }
    }
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
    pub id: SessionId,
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
    /// A petition taken at the session was registered as this case (in the same transaction;
    /// never taken from outside).
    #[serde(skip)]
    Took {
        case_id: CaseId,
    },
}

/// A reception or field visit to arrange.
#[derive(Debug, Clone)]
pub struct Arrange {
    pub kind: SessionKind,
    /// Where it is held: the receiving unit, or the town visited.
    pub unit: UnitId,
    pub date: NaiveDate,
    pub leader: Actor,
}

impl RecordOf for SessionId {
    type Record = Session;
}

impl Record for Session {
    const KIND: &'static str = "reception_session";
    const NAME: &'static str = "接访";
    const PERSONAL: &'static [&'static str] =
        &["/appointments/*/name", "/appointments/*/phone", "/met/*"];
    type Id = SessionId;
    type New = Arrange;
    type Command = SessionCommand;

    fn create(
        id: SessionId,
        new: &Arrange,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        arranges(ctx, new.unit, "只能安排本单位及下级单位的领导接访")?;
        if !new.leader.has(Role::Leader) {
            return Err(DomainError::invalid("leader_id", "接访人应为领导"));
        }
        if new.date < ctx.today {
            return Err(DomainError::invalid("date", "接访日期不能早于今天"));
        }
        let s = Session {
            id,
            kind: new.kind,
            unit: new.unit,
            date: new.date,
            leader: new.leader.person,
            leader_name: new.leader.name.clone(),
            appointments: Vec::new(),
            carried: Vec::new(),
            met: Vec::new(),
            cases: Vec::new(),
            arranged: Signed::of(ctx.by, ctx.today),
        };
        Ok((s, "session_arranged"))
    }

    fn decide(
        &self,
        cmd: &SessionCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let why = "只有接访单位或接访领导可以办理";
        let by = ctx.officer(why)?;
        if !access::may(by, Duty::ArrangeReception, ctx.path(self.unit)?)
            && by.person != self.leader
        {
            return Err(DomainError::Forbidden(why));
        }
        let mut s = self.clone();
        let event = match cmd {
            SessionCommand::Book {
                name,
                phone,
                matter,
            } => {
                if ctx.today > self.date {
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
                s.appointments.push(Appointment {
                    name: text("name", "预约人姓名", name, 50)?,
                    phone: phone.to_string(),
                    matter: text("matter", "反映事项", matter, 500)?,
                    booked: Signed::of(Some(by), ctx.today),
                });
                "session_changed"
            }
            SessionCommand::Carry { case_id } => {
                ctx.case()?;
                if self.kind != SessionKind::FieldVisit {
                    return Err(DomainError::invalid("case_id", "只有下访可以带案"));
                }
                if !s.carried.contains(case_id) {
                    s.carried.push(*case_id);
                }
                "session_changed"
            }
            SessionCommand::RecordMet { names } => {
                if ctx.today < self.date {
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
                s.met = names;
                "session_changed"
            }
            SessionCommand::Took { case_id } => {
                if !s.cases.contains(case_id) {
                    s.cases.push(*case_id);
                }
                "session_case_registered"
            }
        };
        Ok((s, event))
    }

    fn visible_to(&self, actor: &Actor, org: &OrgChart) -> bool {
        // The receiving leader sees their own.
        self.leader == actor.person || access::sees_record(actor, self.unit, org)
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.unit,
            status: if self.met.is_empty() {
                "arranged"
            } else {
                "held"
            },
            due: Some(self.date),
            listed: false,
            case_id: None,
            ref_id: Some(self.leader.0),
        }
    }

    fn case_of_command(&self, cmd: &SessionCommand) -> Option<CaseId> {
        match cmd {
            SessionCommand::Carry { case_id } => Some(*case_id),
            _ => None,
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
