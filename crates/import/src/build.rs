//! A row as a case with its history: registered on its own day by the importing administrator,
//! sent to the unit that answered, answered on the reply's day (the opinion as recorded, signed
//! in the old system), rated, closed — events like every other case's, so the statistics of its
//! period, search and the petitioner's history see it.

use chrono::{NaiveDate, NaiveDateTime};
use xinfang_domain::case::Imported;
use xinfang_domain::command::CollectiveInput;
use xinfang_domain::lifecycle::{self, Allotted, Ctx};
use xinfang_domain::vocab::{AccusedKind, Outcome, PetitionClass};
use xinfang_domain::{
    Actor, By, Calendar, Case, Command, DomainError, Event, NewCase, OrgChart, Petitioner, Policy,
    UnitId,
};

use crate::normalise::Standing;
use crate::row::Row;

/// What building needs to know of the deployment.
pub struct Context<'a> {
    pub org: &'a OrgChart,
    pub calendar: &'a Calendar,
    pub policy: &'a Policy,
    /// The administrator the import is attributed to.
    pub admin: &'a Actor,
    /// The petition office whose register the rows join (registering and sorting unit).
    pub office: UnitId,
    /// The file or system the rows come from.
    pub source: &'a str,
    pub today: NaiveDate,
}

/// What a petitioner without a name is registered as.
pub const NO_NAME: &str = "未留姓名";

/// A built case: its state, and its events with the moment each happened.
pub struct Built {
    pub case: Case,
    pub events: Vec<(Event, NaiveDateTime)>,
    /// What was left out to make the row a case (a malformed phone number …).
    pub warnings: Vec<String>,
}

/// The outcome a reply of unknown conclusion is recorded with, in the class's words: the
/// register kept the text, not a verdict.
fn neutral_outcome(class: PetitionClass) -> Outcome {
    match class {
        PetitionClass::Claim => Outcome::Explain,
        PetitionClass::Suggestion => Outcome::PartlyAdopted,
        PetitionClass::Report => Outcome::PartlySubstantiated,
    }
}

impl Context<'_> {
    /// The rules' context on `day`, acting as the importing administrator.
    fn at(&self, day: NaiveDate) -> Ctx<'_> {
        Ctx {
            today: day,
            by: By::Officer(self.admin),
            org: self.org,
            calendar: self.calendar,
            policy: self.policy,
        }
    }
}

pub fn build(row: &Row, allotted: Allotted, cx: &Context) -> Result<Built, String> {
    let mut warnings = Vec::new();
    let received = row.received_at;
    if received.date() > cx.today {
        return Err(format!("登记时间 {} 晚于今天", received.date()));
    }
    let ctx = |day: NaiveDate| cx.at(day);
    let mut petitioner = Petitioner {
        name: row
            .petitioner_name
            .clone()
            .unwrap_or_else(|| NO_NAME.to_string()),
        phone: row.petitioner_phone.clone(),
        id_number: row.petitioner_id_number.clone(),
        address: row.address.clone(),
        email: None,
    };
    let new = |petitioner: Petitioner| NewCase {
        channel: row.channel,
        title: row.title.chars().take(lifecycle::MAX_TITLE_CHARS).collect(),
        content: row.content.clone(),
        petitioner,
        category: row.category.clone(),
        region: row.region.clone(),
        collective: (row.head_count >= lifecycle::COLLECTIVE_MIN_PEOPLE).then_some(
            CollectiveInput {
                head_count: row.head_count,
                representatives: Vec::new(),
            },
        ),
        class: Some(row.class),
        is_report: row.class == PetitionClass::Report,
        // A hotline's 举报 is mostly about a firm or a shop: it goes to the regulator, not
        // automatically to 纪检 (DESIGN.md §4).
        accused_kind: (row.class == PetitionClass::Report).then_some(AccusedKind::Other),
        accused_unit: None,
        skip_level: false,
        received_on: None,
        repeat_of: None,
        attachments: Vec::new(),
    };
    let registered = match lifecycle::register(
        new(petitioner.clone()),
        allotted.clone(),
        cx.office,
        None,
        ctx(received.date()),
    ) {
        Err(DomainError::Invalid { field, message }) if field.starts_with("petitioner.") => {
            // Registers keep what the caller said: a landline with words, a short ID number.
            warnings.push(format!(
                "信访人信息“{field}”不合规（{message}），未导入该项"
            ));
            petitioner.phone = None;
            petitioner.id_number = None;
            petitioner.address = None;
            lifecycle::register(
                new(petitioner),
                allotted,
                cx.office,
                None,
                ctx(received.date()),
            )
        }
        other => other,
    }
    .map_err(|e| e.to_string())?;
    let mut case = registered.case;
    case.imported = Some(Imported {
        source: cx.source.to_string(),
        source_id: row.source_id.clone(),
        case_no: row.case_no.clone(),
        category: row.original_category.clone(),
    });
    let mut events = vec![(Event::Registered(Box::new(case.clone())), received)];
    let done = row.reply.is_some() || row.standing == Some(Standing::Done);
    let at_unit = row.unit.filter(|u| *u != cx.office);
    let h = &mut History {
        cx,
        case: &mut case,
        events: &mut events,
    };
    if let Some(reply) = &row.reply {
        let at = row.replied_at.unwrap_or(received);
        if row.replied_at.is_none() {
            warnings.push("没有答复时间，按登记时间记为答复日期".to_string());
        }
        h.taken_by(at_unit.unwrap_or(cx.office), received)?;
        let opinion = lifecycle::recorded_opinion(
            h.case,
            ctx(at.date()),
            neutral_outcome(h.case.class),
            reply.clone(),
        )
        .map_err(|e| e.to_string())?;
        h.record(opinion, at);
        if let Some(r) = row.satisfaction {
            h.record(
                Event::Evaluated {
                    office: r,
                    unit: r,
                    comment: None,
                    on: at.date(),
                },
                at,
            );
        }
        if h.case.class == PetitionClass::Claim {
            h.record(
                Event::Closed {
                    on: at.date(),
                    reason: "原系统已答复办结（导入）".into(),
                },
                at,
            );
        }
    } else if done {
        let at = row.replied_at.unwrap_or(received);
        if let Some(unit) = at_unit {
            h.taken_by(unit, received)?;
        }
        h.record(
            Event::Closed {
                on: at.date(),
                reason: "原系统已办结，答复未随文件导入（导入）".into(),
            },
            at,
        );
    } else if row.standing == Some(Standing::Open) {
        // Still being handled, as the register says: open, however old.
        if let Some(unit) = at_unit {
            h.taken_by(unit, received)?;
        }
    } else if cx.today - received.date() > chrono::Duration::days(h.case.limits.handle.days as i64)
    {
        // Long past any limit and nothing said of it: closed, its outcome unknown.
        let at = cx.today.and_time(chrono::NaiveTime::MIN);
        h.record(
            Event::Closed {
                on: cx.today,
                reason: "导入，办理结果不详".into(),
            },
            at,
        );
    }
    Ok(Built {
        case,
        events,
        warnings,
    })
}

/// The case being built and its events so far.
struct History<'h, 'a> {
    cx: &'h Context<'a>,
    case: &'h mut Case,
    events: &'h mut Vec<(Event, NaiveDateTime)>,
}

impl History<'_, '_> {
    /// A step as the rules take it (checked, deadlines computed).
    fn act(&mut self, cmd: Command, at: NaiveDateTime) -> Result<(), String> {
        let done =
            lifecycle::handle(self.case, &cmd, self.cx.at(at.date())).map_err(|e| e.to_string())?;
        self.events.extend(done.into_iter().map(|e| (e, at)));
        Ok(())
    }

    /// A fact the register records as done.
    fn record(&mut self, e: Event, at: NaiveDateTime) {
        self.case.apply(&e);
        self.events.push((e, at));
    }

    /// Received and accepted by `unit` on the day it was registered.
    fn taken_by(&mut self, unit: UnitId, at: NaiveDateTime) -> Result<(), String> {
        if unit != self.cx.office {
            self.act(Command::Forward { to_unit: unit }, at)?;
            return self.act(Command::Accept, at);
        }
        // The office answered itself (the register names nobody else): received and accepted
        // there on the day, a step the live system never takes (it sends cases on).
        let (l, day, calendar) = (self.case.limits, at.date(), self.cx.calendar);
        self.record(
            Event::Forwarded {
                to: unit,
                on: day,
                object_due: l.object.due(day, calendar),
                accept_due: l.accept.due(day, calendar),
                external: false,
            },
            at,
        );
        self.record(
            Event::Accepted {
                on: day,
                handle_due: l.handle.due(day, calendar),
            },
            at,
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use xinfang_domain::{CaseId, Channel, Rating, Role, Unit, UnitKind, UnitPath};

    struct World {
        org: OrgChart,
        cal: Calendar,
        policy: Policy,
        admin: Actor,
    }

    fn world() -> World {
        let unit = |id: i64, parent: Option<i64>, path: &str, kind| Unit {
            id: UnitId(id),
            parent: parent.map(UnitId),
            name: format!("单位{id}"),
            kind,
            path: UnitPath::parse(path).unwrap(),
            external: false,
        };
        let org = OrgChart::new([
            unit(1, None, "/1/", UnitKind::Government),
            unit(2, Some(1), "/1/2/", UnitKind::PetitionOffice),
            unit(3, Some(1), "/1/3/", UnitKind::Department),
        ]);
        let admin = Actor {
            person: xinfang_domain::PersonId(9),
            name: "管理员".into(),
            unit: UnitId(1),
            unit_path: UnitPath::parse("/1/").unwrap(),
            unit_kind: UnitKind::Government,
            roles: vec![Role::Admin],
        };
        World {
            org,
            cal: Calendar::default(),
            policy: Policy::default(),
            admin,
        }
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn row() -> Row {
        Row {
            number: 2,
            source_id: Some("GD001".into()),
            case_no: None,
            received_at: at("2026-03-02 09:30"),
            channel: Channel::Phone,
            petitioner_name: None,
            petitioner_phone: Some("13912345678".into()),
            petitioner_id_number: None,
            address: None,
            region: None,
            category: Some("劳动和社会保障/拖欠工资".into()),
            original_category: None,
            class: PetitionClass::Claim,
            title: "工地欠薪".into(),
            content: "建筑工地拖欠工资三个月".into(),
            head_count: 1,
            unit: Some(UnitId(3)),
            reply: Some("已督促支付".into()),
            replied_at: Some(at("2026-03-20 16:00")),
            standing: None,
            satisfaction: Some(Rating::Satisfied),
        }
    }

    fn built(w: &World, r: &Row) -> Result<Built, String> {
        let cx = Context {
            org: &w.org,
            calendar: &w.cal,
            policy: &w.policy,
            admin: &w.admin,
            office: UnitId(2),
            source: "12345导出.xlsx",
            today: NaiveDate::from_ymd_opt(2026, 11, 29).unwrap(),
        };
        let allotted = Allotted {
            id: CaseId(7),
            case_no: "XF202600000007".into(),
            query_code: "Q".into(),
        };
        build(r, allotted, &cx)
    }

    fn kinds(b: &Built) -> Vec<&'static str> {
        b.events.iter().map(|(e, _)| e.kind()).collect()
    }

    #[test]
    fn a_replied_row_keeps_its_dates_reply_rating_and_is_closed() {
        let w = world();
        let b = built(&w, &row()).unwrap();
        assert_eq!(
            kinds(&b),
            [
                "registered",
                "forwarded",
                "accepted",
                "replied",
                "evaluated",
                "closed"
            ]
        );
        let c = &b.case;
        assert_eq!(
            (
                c.registered_on.to_string(),
                c.replied_on.map(|d| d.to_string())
            ),
            ("2026-03-02".into(), Some("2026-03-20".into()))
        );
        assert_eq!(c.handling_unit, Some(UnitId(3)));
        assert_eq!(c.reply.as_ref().unwrap().text, "已督促支付");
        assert_eq!(c.status, xinfang_domain::CaseStatus::Closed);
        assert_eq!(c.petitioner.name, NO_NAME);
        assert_eq!(
            c.imported.as_ref().unwrap().source_id.as_deref(),
            Some("GD001")
        );
        assert_eq!(b.events[3].1, at("2026-03-20 16:00"));
        // Replaying the events gives the same case (as the store folds them).
        let mut replay = match &b.events[0].0 {
            Event::Registered(c) => (**c).clone(),
            _ => unreachable!(),
        };
        for (e, _) in &b.events[1..] {
            replay.apply(e);
        }
        assert_eq!(&replay, c);
    }

    #[test]
    fn a_row_without_reply_is_closed_when_old_and_waits_for_sorting_when_recent() {
        let w = world();
        let mut old = row();
        (old.reply, old.replied_at, old.satisfaction) = (None, None, None);
        let b = built(&w, &old).unwrap();
        assert_eq!(kinds(&b), ["registered", "closed"]);
        assert!(
            matches!(&b.events[1].0, Event::Closed { reason, .. } if reason.contains("办理结果不详"))
        );
        let mut recent = old.clone();
        recent.received_at = at("2026-11-20 10:00");
        let b = built(&w, &recent).unwrap();
        assert_eq!(
            (kinds(&b), b.case.status),
            (vec!["registered"], xinfang_domain::CaseStatus::Registered)
        );
        recent.standing = Some(Standing::Open);
        assert_eq!(
            kinds(&built(&w, &recent).unwrap()),
            ["registered", "forwarded", "accepted"],
            "handled at its unit"
        );
        old.standing = Some(Standing::Open);
        assert_eq!(
            kinds(&built(&w, &old).unwrap()),
            ["registered", "forwarded", "accepted"],
            "a register that says it is still being handled is believed, however old the row"
        );
    }

    #[test]
    fn a_suggestion_is_answered_a_report_goes_to_the_regulator_and_a_bad_phone_is_left_out() {
        let w = world();
        let mut s = row();
        s.class = PetitionClass::Suggestion;
        let b = built(&w, &s).unwrap();
        assert_eq!(
            kinds(&b),
            [
                "registered",
                "forwarded",
                "accepted",
                "answered",
                "evaluated"
            ]
        );
        let mut r = row();
        r.class = PetitionClass::Report;
        r.petitioner_phone = Some("电话打不通".into());
        let b = built(&w, &r).unwrap();
        assert_eq!(b.case.accused_kind, AccusedKind::Other);
        assert_eq!(b.case.petitioner.phone, None);
        assert_eq!(b.warnings.len(), 1, "{:?}", b.warnings);
        let mut office = row();
        office.unit = None;
        let b = built(&w, &office).unwrap();
        assert_eq!(
            b.case.handling_unit,
            Some(UnitId(2)),
            "answered by the office itself"
        );
        let mut future = row();
        future.received_at = at("2027-01-01 00:00");
        assert!(built(&w, &future).is_err());
    }
}
