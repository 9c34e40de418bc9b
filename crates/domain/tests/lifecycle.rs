//! Lifecycle rules: worked examples of §4 and property tests over random command sequences.

// Helpers unwrap: a test that cannot set itself up should fail at once.
#![allow(clippy::unwrap_used)]

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use xinfang_domain::case::{CaseStatus as S, DraftKind};
use xinfang_domain::command::CollectiveInput;
use xinfang_domain::lifecycle::{self, Allotted, Ctx};
use xinfang_domain::vocab::{AccusedKind, LegalChannel, PetitionClass};
use xinfang_domain::*;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

struct World {
    org: OrgChart,
    cal: Calendar,
    policy: Policy,
    actors: Vec<Actor>,
}

const CITY: UnitId = UnitId(1);
const OFFICE: UnitId = UnitId(2);
const DEPT: UnitId = UnitId(3);
const TOWN: UnitId = UnitId(4);
const VILLAGE: UnitId = UnitId(5);
const DISCIPLINE: UnitId = UnitId(6);
const OTHER_TOWN: UnitId = UnitId(7);
const PROVINCE: UnitId = UnitId(8);
const PROVINCE_DISCIPLINE: UnitId = UnitId(9);

fn world() -> World {
    let unit = |id: i64, parent: Option<i64>, path: &str, kind| Unit {
        id: UnitId(id),
        parent: parent.map(UnitId),
        name: format!("单位{id}"),
        kind,
        path: UnitPath::parse(path).unwrap(),
        external: id >= 8,
    };
    let org = OrgChart::new([
        unit(1, None, "/1/", UnitKind::Government),
        unit(2, Some(1), "/1/2/", UnitKind::PetitionOffice),
        unit(3, Some(1), "/1/3/", UnitKind::Department),
        unit(4, Some(1), "/1/4/", UnitKind::Town),
        unit(5, Some(4), "/1/4/5/", UnitKind::Village),
        unit(6, Some(1), "/1/6/", UnitKind::Discipline),
        unit(7, Some(1), "/1/7/", UnitKind::Town),
        // Above the deployment: the province's government and its 纪检监察 body.
        unit(8, None, "/8/", UnitKind::Government),
        unit(9, Some(8), "/8/9/", UnitKind::Discipline),
    ]);
    let actor = |person: i64, unit: UnitId, roles: &[Role]| {
        let u = org.get(unit).unwrap();
        Actor {
            person: PersonId(person),
            name: format!("人员{person}"),
            unit,
            unit_path: u.path.clone(),
            unit_kind: u.kind,
            roles: roles.to_vec(),
        }
    };
    let actors = vec![
        actor(1, OFFICE, &[Role::Registrar, Role::Handler]),
        actor(2, DEPT, &[Role::Handler]),
        actor(3, DEPT, &[Role::UnitHead]),
        actor(4, TOWN, &[Role::Handler, Role::UnitHead]),
        actor(5, CITY, &[Role::Handler, Role::UnitHead, Role::Leader]),
        actor(6, DISCIPLINE, &[Role::Handler, Role::UnitHead]),
        actor(7, OTHER_TOWN, &[Role::Handler, Role::UnitHead]),
        actor(8, VILLAGE, &[Role::Handler]),
        // A second city leader, to sign what the first drafts.
        actor(9, CITY, &[Role::Leader]),
    ];
    World {
        org,
        cal: Calendar::default(),
        policy: Policy::default(),
        actors,
    }
}

fn new_case(is_report: bool) -> NewCase {
    NewCase {
        channel: Channel::Letter,
        title: "小区楼下餐馆油烟扰民".into(),
        content: "反映某小区一楼餐馆排放油烟，长期影响居民生活，请求依法处理。".into(),
        petitioner: Petitioner {
            name: "张三".into(),
            phone: Some("13812345678".into()),
            ..Default::default()
        },
        category: Some("环境保护".into()),
        region: None,
        collective: None,
        is_report,
        class: None,
        accused_kind: None,
        accused_unit: None,
        skip_level: false,
        received_on: None,
        repeat_of: None,
        attachments: Vec::new(),
    }
}

/// A plain letter registered by the office on `today` as case `id`.
fn registered(w: &World, id: i64, today: NaiveDate) -> Case {
    let allotted = Allotted {
        id: CaseId(id),
        case_no: format!("T{id}"),
        query_code: format!("Q{id}"),
    };
    lifecycle::register(
        new_case(false),
        allotted,
        OFFICE,
        None,
        w.ctx(today, By::Officer(&w.actors[0])),
    )
    .unwrap()
    .case
}

impl World {
    fn ctx<'a>(&'a self, today: NaiveDate, by: By<'a>) -> Ctx<'a> {
        Ctx {
            today,
            by,
            org: &self.org,
            calendar: &self.cal,
            policy: &self.policy,
        }
    }

    fn register(
        &self,
        new: NewCase,
        today: NaiveDate,
        prev: Option<&Case>,
    ) -> Result<Case, DomainError> {
        let allotted = Allotted {
            id: CaseId(1),
            case_no: "T1".into(),
            query_code: "Q".into(),
        };
        lifecycle::register(
            new,
            allotted,
            OFFICE,
            prev,
            self.ctx(today, By::Officer(&self.actors[0])),
        )
        .map(|r| r.case)
    }

    fn act(
        &self,
        case: &mut Case,
        by: By,
        today: NaiveDate,
        cmd: Command,
    ) -> Result<Vec<Event>, DomainError> {
        lifecycle::handle(case, &cmd, self.ctx(today, by))
    }

    /// A written opinion drafted by `by` and signed by the first head or leader who may sign
    /// it; the events of the issue (the opinion first), or of the command when nothing was
    /// drafted (a body above the deployment's opinion is entered as given).
    fn issue(
        &self,
        case: &mut Case,
        by: By,
        today: NaiveDate,
        cmd: Command,
    ) -> Result<Vec<Event>, DomainError> {
        let events = self.act(case, by, today, cmd)?;
        if !matches!(events[..], [Event::Drafted { .. }]) {
            return Ok(events);
        }
        for signer in [3, 5, 9] {
            if let Ok(mut signed) = self.act(case, self.officer(signer), today, Command::Approve) {
                assert!(matches!(signed[0], Event::DraftApproved { .. }));
                return Ok(signed.split_off(1));
            }
        }
        panic!("nobody may sign the draft of {:?}", case.draft);
    }

    fn officer(&self, person: i64) -> By<'_> {
        By::Officer(&self.actors[(person - 1) as usize])
    }
}

#[test]
fn a_case_lives_its_whole_lawful_life() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    assert_eq!(c.status, S::Registered);
    assert_eq!(c.deadlines.sort_due, Some(d("2026-03-17")));
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    assert_eq!(c.status, S::Forwarded);
    assert_eq!(c.deadlines.accept_due, Some(d("2026-03-17")));
    // 5 working days from Monday 2 March: Monday 9 March.
    assert_eq!(c.deadlines.object_due, Some(d("2026-03-09")));
    w.act(
        &mut c,
        w.officer(2),
        t0 + Duration::days(3),
        Command::Accept,
    )
    .unwrap();
    assert_eq!(c.deadlines.handle_due, Some(d("2026-05-04")));
    // A handler cannot extend; the unit head can, once.
    let ext = Command::Extend {
        days: 20,
        reason: "需现场勘验".into(),
    };
    assert!(matches!(
        w.act(&mut c, w.officer(2), d("2026-04-01"), ext.clone()),
        Err(DomainError::Forbidden(_))
    ));
    w.act(&mut c, w.officer(3), d("2026-04-01"), ext.clone())
        .unwrap();
    assert_eq!(c.deadlines.handle_due, Some(d("2026-05-24")));
    assert!(matches!(
        w.act(&mut c, w.officer(3), d("2026-04-02"), ext),
        Err(DomainError::AlreadyDone(_))
    ));
    w.issue(
        &mut c,
        w.officer(2),
        d("2026-05-10"),
        Command::Reply {
            outcome: Outcome::Support,
            text: "已责令整改".into(),
        },
    )
    .unwrap();
    assert_eq!(c.status, S::Replied);
    w.act(
        &mut c,
        By::Petitioner,
        d("2026-05-11"),
        Command::Evaluate {
            office: Rating::Satisfied,
            unit: Rating::Dissatisfied,
            comment: None,
        },
    )
    .unwrap();
    w.act(
        &mut c,
        By::Petitioner,
        d("2026-06-09"),
        Command::RequestReview {
            reason: "仍有油烟".into(),
        },
    )
    .unwrap();
    assert_eq!(c.review_unit, Some(CITY));
    assert_eq!(c.deadlines.review_due, Some(d("2026-07-09")));
    w.issue(
        &mut c,
        w.officer(5),
        d("2026-07-01"),
        Command::Review {
            outcome: Outcome::Explain,
            text: "维持".into(),
        },
    )
    .unwrap();
    w.act(
        &mut c,
        By::Petitioner,
        d("2026-07-02"),
        Command::RequestRereview {
            reason: "不服".into(),
        },
    )
    .unwrap();
    // The city is the deployment's top: the re-review goes to the body above it (never the
    // reviewer again), and the petition office that sorted the case tracks it and enters what
    // the province does; the department that replied cannot act for the province.
    assert_eq!(c.rereview_unit, Some(PROVINCE));
    assert_eq!(c.external_body, Some(PROVINCE));
    assert_eq!(c.responsible_unit(), OFFICE);
    assert_eq!(c.deadlines.rereview_due, Some(d("2026-08-01")));
    let city = w.act(
        &mut c,
        w.officer(2),
        d("2026-07-03"),
        Command::Rereview {
            outcome: Outcome::NotSupport,
            text: "终结".into(),
        },
    );
    assert!(matches!(city, Err(DomainError::Forbidden(_))), "{city:?}");
    // A hearing is planned within the limit; planning it past the limit is refused.
    let plan = |on: &str| Command::ScheduleHearing {
        hearing_on: d(on),
        place: "市信访局听证室".into(),
        panel: vec!["人大代表 王五".into(), " ".into(), "律师 赵六".into()],
    };
    let late = w.act(&mut c, w.officer(1), d("2026-07-03"), plan("2026-08-02"));
    assert!(
        matches!(
            late,
            Err(DomainError::Invalid {
                field: "hearing_on",
                ..
            })
        ),
        "{late:?}"
    );
    let before = w.act(&mut c, w.officer(1), d("2026-07-03"), plan("2026-07-02"));
    assert!(
        matches!(
            before,
            Err(DomainError::Invalid {
                field: "hearing_on",
                ..
            })
        ),
        "{before:?}"
    );
    w.act(&mut c, w.officer(1), d("2026-07-03"), plan("2026-07-10"))
        .unwrap();
    let planned = c.planned_hearing.clone().expect("a planned hearing");
    assert_eq!(planned.panel, ["人大代表 王五", "律师 赵六"]);
    assert!(
        c.clock().is_some(),
        "the clock runs on until the hearing begins"
    );
    // Begun on the day with the planned panel and place.
    w.act(
        &mut c,
        w.officer(1),
        d("2026-07-10"),
        Command::StartHearing { panel: vec![] },
    )
    .unwrap();
    assert_eq!(c.planned_hearing, None);
    assert_eq!(c.hearings[0].panel, planned.panel);
    assert_eq!(c.hearings[0].place, "市信访局听证室");
    assert_eq!(c.clock(), None, "the 复核 clock stops during a hearing");
    let rr = Command::Rereview {
        outcome: Outcome::NotSupport,
        text: "终结".into(),
    };
    assert!(
        w.act(&mut c, w.officer(1), d("2026-07-11"), rr.clone())
            .is_err()
    );
    w.act(
        &mut c,
        w.officer(1),
        d("2026-07-13"),
        Command::EndHearing {
            conclusion: "听证认为原处理正确".into(),
            record: "信访人陈述，办理单位答辩".into(),
        },
    )
    .unwrap();
    // Four hearing days (10–13 July) are added.
    assert_eq!(c.deadlines.rereview_due, Some(d("2026-08-05")));
    w.issue(&mut c, w.officer(1), d("2026-07-20"), rr).unwrap();
    assert_eq!(c.status, S::Final);
    // The decision is the province's, entered by the office.
    assert_eq!(c.rereview_opinion.as_ref().map(|o| o.unit), Some(PROVINCE));

    // The same facts again after the final opinion: refused with a notice.
    let mut again = new_case(false);
    again.repeat_of = Some(c.id);
    let refused = w.register(again, d("2026-09-01"), Some(&c)).unwrap();
    assert_eq!(refused.status, S::Refused);
}

#[test]
fn objection_returns_the_case_to_sorting_within_five_working_days_only() {
    let w = world();
    let t0 = d("2026-03-06"); // a Friday
    let mut c = w.register(new_case(false), t0, None).unwrap();
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: TOWN })
        .unwrap();
    let late = w.act(
        &mut c,
        w.officer(4),
        d("2026-03-16"),
        Command::Object {
            reason: "不属本镇".into(),
        },
    );
    assert!(matches!(late, Err(DomainError::WindowClosed(_))));
    w.act(
        &mut c,
        w.officer(4),
        d("2026-03-13"),
        Command::Object {
            reason: "不属本镇".into(),
        },
    )
    .unwrap();
    assert_eq!(
        (c.status, c.handling_unit, c.objections),
        (S::Registered, None, 1)
    );
    assert_eq!(c.deadlines.sort_due, Some(d("2026-03-28")));
}

#[test]
fn units_act_on_their_subtree_only() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    w.act(
        &mut c,
        w.officer(1),
        t0,
        Command::Assign {
            to_unit: VILLAGE,
            report_due: None,
        },
    )
    .unwrap();
    assert_eq!(c.deadlines.report_due, Some(t0 + Duration::days(90)));
    // Another town cannot accept; the village's own town (parent) can.
    assert!(matches!(
        w.act(&mut c, w.officer(7), t0, Command::Accept),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        w.act(&mut c, w.officer(2), t0, Command::Accept),
        Err(DomainError::Forbidden(_))
    ));
    w.act(&mut c, w.officer(4), t0, Command::Accept).unwrap();
}

#[test]
fn reports_go_to_discipline_and_never_to_the_accused() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut report = new_case(true);
    report.accused_unit = Some(TOWN);
    let mut c = w.register(report, t0, None).unwrap();
    let to_town = w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: TOWN });
    assert_eq!(to_town.unwrap_err().field(), Some("to_unit"));
    assert!(
        w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
            .is_err()
    );
    w.act(
        &mut c,
        w.officer(1),
        t0,
        Command::Forward {
            to_unit: DISCIPLINE,
        },
    )
    .unwrap();
}

#[test]
fn appeal_windows_are_enforced_and_lapsed_cases_close() {
    let w = world();
    let t0 = d("2026-01-05");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
    w.issue(
        &mut c,
        w.officer(2),
        t0,
        Command::Reply {
            outcome: Outcome::Explain,
            text: "说明".into(),
        },
    )
    .unwrap();
    let due = c.deadlines.review_request_due.unwrap();
    assert_eq!(due, t0 + Duration::days(30));
    assert!(
        w.act(&mut c, By::System, due, Command::Close).is_err(),
        "window still open on its last day"
    );
    let late = w.act(
        &mut c,
        By::Petitioner,
        due + Duration::days(1),
        Command::RequestReview { reason: "x".into() },
    );
    assert!(matches!(late, Err(DomainError::WindowClosed(_))));
    w.act(&mut c, By::System, due + Duration::days(1), Command::Close)
        .unwrap();
    assert_eq!(c.status, S::Closed);
}

#[test]
fn registration_checks_its_input() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut bad_id = new_case(false);
    bad_id.petitioner.id_number = Some("110105194912310021".into());
    assert_eq!(
        w.register(bad_id, t0, None).unwrap_err().field(),
        Some("petitioner.id_number")
    );
    let mut small = new_case(false);
    small.collective = Some(CollectiveInput {
        head_count: 4,
        representatives: vec![],
    });
    assert!(w.register(small, t0, None).is_err());
    let mut too_many = new_case(false);
    let rep = Petitioner {
        name: "代表".into(),
        ..Default::default()
    };
    too_many.collective = Some(CollectiveInput {
        head_count: 30,
        representatives: vec![rep; 6],
    });
    assert_eq!(
        w.register(too_many, t0, None).unwrap_err().field(),
        Some("collective.representatives")
    );
    let mut future = new_case(false);
    future.received_on = Some(t0 + Duration::days(1));
    assert!(w.register(future, t0, None).is_err());
    let mut blank = new_case(false);
    blank.title = "   ".into();
    assert_eq!(
        w.register(blank, t0, None).unwrap_err().field(),
        Some("title")
    );
}

#[test]
fn repeat_of_a_case_in_handling_is_linked() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut first = w.register(new_case(false), t0, None).unwrap();
    w.act(
        &mut first,
        w.officer(1),
        t0,
        Command::Forward { to_unit: DEPT },
    )
    .unwrap();
    w.act(&mut first, w.officer(2), t0, Command::Accept)
        .unwrap();
    let mut again = new_case(false);
    again.repeat_of = Some(first.id);
    assert_eq!(
        w.register(again, t0, Some(&first)).unwrap().status,
        S::Linked
    );
}

#[test]
fn redirect_uses_the_standard_wording() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    let ev = w
        .act(
            &mut c,
            w.officer(1),
            t0,
            Command::Redirect {
                legal_channel: LegalChannel::Litigation,
                note: None,
            },
        )
        .unwrap();
    assert!(ev[0].public_text().unwrap().contains("诉讼"));
    assert_eq!(c.status, S::Redirected);
}

// ---- property tests ----

/// The transitions DESIGN.md §4 allows (self-loops: extension, evaluation, hearings).
fn allowed(from: S, to: S) -> bool {
    from == to
        || matches!(
            (from, to),
            (
                S::Registered,
                S::Forwarded | S::Assigned | S::Redirected | S::Rejected
            ) | (
                S::Forwarded | S::Assigned,
                S::Registered | S::Handling | S::NotAccepted
            ) | (S::Handling, S::Replied)
                // A suggestion's answer, a report's result: written, and closed.
                | (S::Handling, S::Closed)
                | (S::Replied, S::ReviewRequested | S::Closed)
                | (S::ReviewRequested, S::Reviewed)
                | (S::Reviewed, S::RereviewRequested | S::Closed)
                | (S::RereviewRequested, S::Final)
        )
}

fn arb_command() -> impl Strategy<Value = Command> {
    let unit = prop_oneof![
        Just(DEPT),
        Just(TOWN),
        Just(VILLAGE),
        Just(DISCIPLINE),
        Just(OTHER_TOWN),
        Just(OFFICE)
    ];
    let outcome = proptest::sample::select(Outcome::ALL);
    let class = proptest::sample::select(PetitionClass::ALL);
    let rating = prop_oneof![
        Just(Rating::Satisfied),
        Just(Rating::Basically),
        Just(Rating::Dissatisfied)
    ];
    let text = prop_oneof![Just(String::new()), Just("理由".to_string())];
    prop_oneof![
        unit.clone()
            .prop_map(|to_unit| Command::Forward { to_unit }),
        (unit, proptest::option::of(0i64..120)).prop_map(|(to_unit, r)| Command::Assign {
            to_unit,
            report_due: r.map(|r| d("2026-01-01") + Duration::days(r))
        }),
        Just(Command::Redirect {
            legal_channel: LegalChannel::Arbitration,
            note: None
        }),
        text.clone().prop_map(|reason| Command::Reject { reason }),
        text.clone().prop_map(|reason| Command::Object { reason }),
        (
            class,
            proptest::option::of(proptest::sample::select(AccusedKind::ALL)),
            text.clone()
        )
            .prop_map(|(class, accused_kind, reason)| Command::Reclassify {
                class,
                accused_kind,
                reason
            }),
        Just(Command::Accept),
        Just(Command::Accept),
        text.clone().prop_map(|reason| Command::Decline { reason }),
        (0u32..40, text.clone()).prop_map(|(days, reason)| Command::Extend { days, reason }),
        (outcome.clone(), text.clone())
            .prop_map(|(outcome, text)| Command::Reply { outcome, text }),
        (rating.clone(), rating).prop_map(|(office, unit)| Command::Evaluate {
            office,
            unit,
            comment: None
        }),
        text.clone()
            .prop_map(|reason| Command::RequestReview { reason }),
        (outcome.clone(), text.clone())
            .prop_map(|(outcome, text)| Command::Review { outcome, text }),
        text.clone()
            .prop_map(|reason| Command::RequestRereview { reason }),
        (0i64..400).prop_map(|n| Command::ScheduleHearing {
            hearing_on: d("2026-01-01") + Duration::days(n),
            place: "听证室".into(),
            panel: vec!["律师".into()]
        }),
        Just(Command::StartHearing {
            panel: vec!["律师".into()]
        }),
        Just(Command::StartHearing { panel: vec![] }),
        text.clone().prop_map(|conclusion| Command::EndHearing {
            conclusion,
            record: String::new()
        }),
        (outcome, text.clone()).prop_map(|(outcome, text)| Command::Rereview { outcome, text }),
        Just(Command::Approve),
        Just(Command::Approve),
        text.prop_map(|remark| Command::Return { remark }),
        Just(Command::Close),
    ]
}

fn check_deadlines(c: &Case) -> Result<(), TestCaseError> {
    let dl = &c.deadlines;
    let pairs = [
        (Some(c.sorting_since), dl.sort_due),
        (c.received_on, dl.object_due),
        (c.received_on, dl.accept_due),
        (c.received_on, dl.report_due),
        (c.accepted_on, dl.handle_due),
        (c.replied_on, dl.review_request_due),
        (c.replied_on, dl.evaluation_due),
        (c.review_requested_on, dl.review_due),
        (c.reviewed_on, dl.rereview_request_due),
        (c.rereview_requested_on, dl.rereview_due),
    ];
    for (start, due) in pairs {
        if let (Some(s), Some(due)) = (start, due) {
            prop_assert!(
                due >= s,
                "deadline {due} precedes its start {s} in {:?}",
                c.status
            );
        }
    }
    if let (Some(acc), Some(due)) = (c.accepted_on, dl.handle_due) {
        let base = acc + Duration::days(c.limits.handle.days as i64);
        prop_assert!(due - base <= Duration::days(30), "extension beyond 30 days");
        prop_assert_eq!(due == base, c.extension.is_none());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_command_sequence_breaks_the_rules(
        class in proptest::sample::select(PetitionClass::ALL),
        accused_kind in proptest::sample::select(AccusedKind::ALL),
        steps in proptest::collection::vec((arb_command(), 0usize..11, 0i64..25), 1..60),
    ) {
        let w = world();
        let mut today = d("2026-01-05");
        let mut new = new_case(false);
        new.class = Some(class);
        new.accused_kind = (class == PetitionClass::Report).then_some(accused_kind);
        let mut case = w.register(new, today, None).unwrap();
        prop_assert_eq!(case.version, 1);
        let mut extensions = 0;
        for (cmd, who, gap) in steps {
            today += Duration::days(gap);
            let by = match who {
                0..=8 => By::Officer(&w.actors[who]),
                9 => By::Petitioner,
                _ => By::System,
            };
            let before = case.clone();
            match lifecycle::handle(&mut case, &cmd, w.ctx(today, by)) {
                Err(_) => prop_assert_eq!(&case, &before, "a refused command changed the case"),
                Ok(events) => {
                    prop_assert!(allowed(before.status, case.status), "{:?} -> {:?} by {:?}", before.status, case.status, cmd);
                    prop_assert!(!before.status.is_terminal(), "terminal case changed by {:?}", cmd);
                    // Each step makes a new version: a command drawn before it is stale.
                    prop_assert!(case.version > before.version);
                    prop_assert!(lifecycle::check_drawn_from(&case, Some(before.version)).is_err());
                    prop_assert!(lifecycle::check_drawn_from(&case, Some(case.version)).is_ok());
                    prop_assert!(lifecycle::check_drawn_from(&case, None).is_ok());
                    // A written opinion of a unit in the city goes out only signed by a head or
                    // leader other than its drafter, as drafted, dated the day it is signed.
                    let issued = events.iter().find(|e| {
                        matches!(e, Event::Replied { .. } | Event::Answered { .. } | Event::Reviewed { .. } | Event::Rereviewed { .. } | Event::Declined { .. })
                    });
                    if let Some(opinion) = issued {
                        let unit = opinion.issued_by().or(before.handling_unit).unwrap();
                        if !w.org.get(unit).unwrap().external {
                            let draft = before.draft.as_ref().expect("issued without a draft");
                            prop_assert!(draft.pending());
                            let By::Officer(signer) = by else { panic!("signed by {by:?}") };
                            prop_assert_ne!(signer.person, draft.by);
                            prop_assert!(signer.has(Role::UnitHead) || signer.has(Role::Leader));
                            let signed = matches!(events[0], Event::DraftApproved { .. });
                            prop_assert!(signed);
                            prop_assert_eq!(opinion.on(), today);
                            let text = match opinion {
                                Event::Declined { reason, .. } => reason,
                                Event::Replied { text, .. } | Event::Answered { text, .. } | Event::Reviewed { text, .. } | Event::Rereviewed { text, .. } => text,
                                _ => unreachable!(),
                            };
                            prop_assert_eq!(text, &draft.text);
                        }
                    }
                    if matches!(events[..], [Event::Drafted { .. }] | [Event::DraftReturned { .. }]) {
                        prop_assert_eq!(case.status, before.status, "a draft moved the case");
                    }
                    for e in &events {
                        if let Event::Extended { days, .. } = e {
                            extensions += 1;
                            prop_assert!(*days >= 1 && *days <= 30);
                        }
                        // A report accusing officials goes to 纪检监察 and nowhere else.
                        if let Event::Forwarded { to, .. } | Event::Assigned { to, .. } = e
                            && before.is_report
                            && before.accused_kind.is_official()
                        {
                            prop_assert_eq!(*to, DISCIPLINE);
                        }
                        // 复查 and 复核 are a claim's; suggestions and reports are answered and closed.
                        match e {
                            Event::Replied { outcome, .. }
                            | Event::Reviewed { outcome, .. }
                            | Event::Rereviewed { outcome, .. } => {
                                prop_assert_eq!(before.class, PetitionClass::Claim);
                                prop_assert!(before.class.outcomes().contains(outcome));
                            }
                            Event::Answered { outcome, class, evaluation_due, .. } => {
                                prop_assert_ne!(before.class, PetitionClass::Claim);
                                prop_assert_eq!(*class, before.class);
                                prop_assert!(before.class.outcomes().contains(outcome));
                                prop_assert_eq!(evaluation_due.is_some(), w.policy.rated(*class));
                            }
                            Event::ReviewRequested { .. } | Event::RereviewRequested { .. } => {
                                prop_assert_eq!(before.class, PetitionClass::Claim);
                            }
                            Event::Reclassified { .. } => prop_assert_eq!(before.status, S::Registered),
                            _ => {}
                        }
                    }
                }
            }
            prop_assert!(extensions <= 1);
            // `is_report` stays the same fact as the class, for old clients.
            prop_assert_eq!(case.is_report, case.class == PetitionClass::Report);
            prop_assert!(case.accused_kind.is_official() || case.is_report);
            prop_assert!(case.accused_unit.is_none() || case.is_report);
            check_deadlines(&case)?;
            if let Some(clock) = case.clock() {
                prop_assert!(clock.due >= clock.start);
            }
        }
    }

    #[test]
    fn replaying_events_rebuilds_the_same_case(steps in proptest::collection::vec((arb_command(), 0usize..10, 0i64..20), 1..40)) {
        let w = world();
        let mut today = d("2026-02-02");
        let mut case = w.register(new_case(false), today, None).unwrap();
        let mut log = vec![Event::Registered(Box::new(case.clone()))];
        for (cmd, who, gap) in steps {
            today += Duration::days(gap);
            let by = if who < 9 { By::Officer(&w.actors[who]) } else { By::Petitioner };
            if let Ok(events) = lifecycle::handle(&mut case, &cmd, w.ctx(today, by)) {
                log.extend(events);
            }
        }
        // Through JSON, as the store keeps them.
        let mut replayed = Case::clone(&case);
        for (i, e) in log.iter().enumerate() {
            let e: Event = serde_json::from_str(&serde_json::to_string(e).unwrap()).unwrap();
            if i == 0 { replayed = match e { Event::Registered(c) => *c, _ => unreachable!() }; } else { replayed.apply(&e); }
        }
        prop_assert_eq!(replayed, case);
    }
}

#[test]
fn available_actions_follow_state_and_role() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    let avail = |c: &Case, by| lifecycle::available_actions(c, w.ctx(t0, by));
    assert_eq!(
        avail(&c, w.officer(1)),
        [
            "forward",
            "assign",
            "redirect",
            "reject",
            "reclassify",
            "merge",
            "split",
            "relate"
        ]
    );
    assert!(avail(&c, w.officer(2)).is_empty());
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    assert_eq!(avail(&c, w.officer(2)), ["object", "accept", "decline"]);
    w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
    assert_eq!(avail(&c, w.officer(2)), ["request_extension", "reply"]);
    assert_eq!(
        avail(&c, w.officer(3)),
        ["extend", "request_extension", "reply"]
    );
    assert!(avail(&c, w.officer(7)).is_empty());
}

#[test]
fn intake_problems_name_every_bad_field_at_once() {
    let mut bad = new_case(false);
    bad.title = "  ".into();
    bad.petitioner.name = String::new();
    bad.petitioner.id_number = Some("110105194912310021".into());
    bad.petitioner.phone = Some("12345".into());
    let fields: Vec<_> = lifecycle::intake_problems(&bad)
        .iter()
        .map(|e| e.field().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "title",
            "petitioner.name",
            "petitioner.id_number",
            "petitioner.phone"
        ]
    );
    assert!(lifecycle::intake_problems(&new_case(false)).is_empty());
}

proptest! {
    /// The form's list of problems and registration agree: registration refuses exactly when the
    /// list is not empty, with its first problem.
    #[test]
    fn intake_problems_agree_with_registration(
        title in prop::sample::select(vec!["", " ", "小区违建", "长"]),
        name in prop::sample::select(vec!["", "李四", " 王五 "]),
        id in prop::sample::select(vec![None, Some("11010519491231002X"), Some("110105194912310021"), Some("123")]),
        phone in prop::sample::select(vec![None, Some("13912345678"), Some("139"), Some("010-12345678")]),
        head in prop::option::of(0u32..12),
        reps in 0usize..8,
    ) {
        let w = world();
        let mut new = new_case(false);
        new.title = title.repeat(if title == "长" { 101 } else { 1 });
        new.petitioner.name = name.into();
        new.petitioner.id_number = id.map(String::from);
        new.petitioner.phone = phone.map(String::from);
        new.collective = head.map(|head_count| CollectiveInput {
            head_count,
            representatives: vec![Petitioner { name: "代表".into(), ..Default::default() }; reps],
        });
        let problems = lifecycle::intake_problems(&new);
        match w.register(new, d("2026-03-02"), None) {
            Ok(_) => prop_assert!(problems.is_empty(), "{problems:?}"),
            Err(e) => prop_assert_eq!(Some(e.field()), problems.first().map(|p| p.field())),
        }
    }
}

mod assessment {
    use super::*;
    use xinfang_domain::metrics::{Counts, Period, contributions};

    fn counts_of(c: &Case, period: Period, today: NaiveDate, unit: UnitId) -> Counts {
        contributions(c, period, today)
            .into_iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, c)| c)
            .unwrap_or_default()
    }

    #[test]
    fn a_case_counts_for_acceptance_completion_and_satisfaction() {
        let w = world();
        let march = Period {
            from: d("2026-03-01"),
            to: d("2026-03-31"),
        };
        let t0 = d("2026-03-02");
        let mut c = w.register(new_case(false), t0, None).unwrap();
        w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
            .unwrap();
        // Received on 3-02, accept due 3-17: undecided counts nowhere until it is late.
        assert_eq!(
            counts_of(&c, march, d("2026-03-10"), DEPT).accept_on_time
                + counts_of(&c, march, d("2026-03-10"), DEPT).accept_overdue,
            0
        );
        assert_eq!(
            counts_of(&c, march, d("2026-03-20"), DEPT).accept_overdue,
            1
        );
        // Accepted late (3-19): late, whatever day we look.
        w.act(&mut c, w.officer(2), d("2026-03-19"), Command::Accept)
            .unwrap();
        let dept = counts_of(&c, march, d("2026-04-01"), DEPT);
        assert_eq!(
            (dept.accept_on_time, dept.accept_late, dept.accept_overdue),
            (0, 1, 0)
        );
        assert_eq!(dept.rates()[0].value, Some(0.0));
        // The handling deadline (60 days from acceptance) falls in May: May's cohort.
        let may = Period {
            from: d("2026-05-01"),
            to: d("2026-05-31"),
        };
        let due = c.deadlines.handle_due.unwrap();
        assert!(may.contains(due), "{due}");
        assert_eq!(counts_of(&c, may, d("2026-04-01"), DEPT).open_not_due, 1);
        assert_eq!(
            counts_of(&c, may, due + Duration::days(1), DEPT).open_overdue,
            1
        );
        w.issue(
            &mut c,
            w.officer(2),
            d("2026-04-10"),
            Command::Reply {
                outcome: Outcome::Support,
                text: "已处理".into(),
            },
        )
        .unwrap();
        assert_eq!(counts_of(&c, may, d("2026-06-01"), DEPT).done_on_time, 1);
        // April's replies: evaluated by the citizen, office satisfied, unit not.
        let april = Period {
            from: d("2026-04-01"),
            to: d("2026-04-30"),
        };
        w.act(
            &mut c,
            By::Petitioner,
            d("2026-04-12"),
            Command::Evaluate {
                office: Rating::Satisfied,
                unit: Rating::Dissatisfied,
                comment: None,
            },
        )
        .unwrap();
        let (dept, office) = (
            counts_of(&c, april, d("2026-04-20"), DEPT),
            counts_of(&c, april, d("2026-04-20"), OFFICE),
        );
        assert_eq!((dept.evaluated, dept.rated, dept.satisfied), (1, 1, 0));
        assert_eq!(
            (office.evaluated, office.rated, office.satisfied),
            (1, 1, 1)
        );
        assert_eq!(office.rates()[3].value, Some(1.0));
        // Volume: registered in March, counted for the unit that handles it.
        assert_eq!(
            (
                counts_of(&c, march, t0, DEPT).cases,
                counts_of(&c, march, t0, DEPT).people
            ),
            (1, 1)
        );
        assert_eq!(counts_of(&c, april, t0, DEPT).cases, 0);
    }

    #[test]
    fn a_case_late_when_a_period_begins_is_its_backlog_until_answered() {
        let w = world();
        let t0 = d("2026-03-02");
        let mut c = w.register(new_case(false), t0, None).unwrap();
        w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
            .unwrap();
        w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
        let due = c.deadlines.handle_due.unwrap();
        let month_from = |from: NaiveDate| Period {
            from,
            to: from + Duration::days(29),
        };
        let backlog = |c: &Case, p: Period| {
            let x = counts_of(c, p, p.to, DEPT);
            (x.backlog, x.backlog_resolved)
        };
        // Open: not backlog of a period that begins on or before its deadline; backlog after.
        assert_eq!(backlog(&c, month_from(due)), (0, 0));
        assert_eq!(backlog(&c, month_from(due + Duration::days(1))), (1, 0));
        // Answered ten days late: 化解 in the period that holds the answer.
        let answered = due + Duration::days(10);
        let reply = Command::Reply {
            outcome: Outcome::Support,
            text: "已处理".into(),
        };
        w.issue(&mut c, w.officer(2), answered, reply).unwrap();
        assert_eq!(backlog(&c, month_from(due + Duration::days(1))), (1, 1));
        assert_eq!(backlog(&c, month_from(answered)), (1, 1));
        assert_eq!(
            backlog(&c, month_from(answered + Duration::days(1))),
            (0, 0)
        );
        let rate = counts_of(&c, month_from(answered), answered, DEPT).rates()[6];
        assert_eq!((rate.code, rate.value), ("backlog_resolution", Some(1.0)));
    }

    #[test]
    fn an_unused_evaluation_window_lapses_for_both_units() {
        let w = world();
        let t0 = d("2026-03-02");
        let mut c = w.register(new_case(false), t0, None).unwrap();
        w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
            .unwrap();
        w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
        w.issue(
            &mut c,
            w.officer(2),
            d("2026-03-05"),
            Command::Reply {
                outcome: Outcome::Explain,
                text: "已答复".into(),
            },
        )
        .unwrap();
        let march = Period {
            from: d("2026-03-01"),
            to: d("2026-03-31"),
        };
        let due = c.deadlines.evaluation_due.unwrap();
        assert_eq!(counts_of(&c, march, due, DEPT).evaluation_lapsed, 0);
        for unit in [DEPT, OFFICE] {
            let n = counts_of(&c, march, due + Duration::days(1), unit);
            assert_eq!((n.evaluated, n.evaluation_lapsed), (0, 1));
            assert_eq!(n.rates()[2].value, Some(0.0));
        }
    }

    proptest! {
        /// Splitting a period in two never changes the totals: every cohort is by one day.
        #[test]
        fn counts_add_up_over_split_periods(split in 1i64..60, look in 0i64..200) {
            let w = world();
            let t0 = d("2026-03-02");
            let mut c = w.register(new_case(false), t0, None).unwrap();
            w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT }).unwrap();
            w.act(&mut c, w.officer(2), d("2026-03-10"), Command::Accept).unwrap();
            w.issue(&mut c, w.officer(2), d("2026-04-10"), Command::Reply { outcome: Outcome::Support, text: "x".into() }).unwrap();
            let today = t0 + Duration::days(look);
            let whole = Period { from: d("2026-03-01"), to: d("2026-05-31") };
            let mid = whole.from + Duration::days(split);
            let mut parts = Counts::default();
            for p in [Period { from: whole.from, to: mid - Duration::days(1) }, Period { from: mid, to: whole.to }] {
                for unit in [DEPT, OFFICE] {
                    parts.add(&counts_of(&c, p, today, unit));
                }
            }
            let mut all = Counts::default();
            for unit in [DEPT, OFFICE] {
                all.add(&counts_of(&c, whole, today, unit));
            }
            prop_assert_eq!(parts, all);
        }
    }
}

fn new_of_class(class: PetitionClass) -> NewCase {
    NewCase {
        class: Some(class),
        ..new_case(false)
    }
}

#[test]
fn a_suggestion_is_studied_answered_and_closed_without_review() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w
        .register(new_of_class(PetitionClass::Suggestion), t0, None)
        .unwrap();
    assert_eq!((c.class, c.is_report), (PetitionClass::Suggestion, false));
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
    // The built-in policy gives suggestions their own answer limit (60 days from acceptance).
    assert_eq!(c.deadlines.handle_due, Some(d("2026-05-01")));
    // A claim's outcome does not answer a suggestion.
    let wrong = w.act(
        &mut c,
        w.officer(2),
        d("2026-04-01"),
        Command::Reply {
            outcome: Outcome::Support,
            text: "支持".into(),
        },
    );
    assert!(matches!(
        wrong,
        Err(DomainError::Invalid {
            field: "outcome",
            ..
        })
    ));
    let events = w
        .issue(
            &mut c,
            w.officer(2),
            d("2026-04-01"),
            Command::Reply {
                outcome: Outcome::PartlyAdopted,
                text: "建议部分采纳，已纳入明年计划".into(),
            },
        )
        .unwrap();
    assert!(matches!(events[..], [Event::Answered { .. }]));
    assert_eq!(events[0].notice(), Some("建议意见答复书"));
    assert!(
        events[0]
            .closing(&c, &w.org, &w.policy)
            .contains("不适用信访事项复查、复核程序")
    );
    assert_eq!(c.status, S::Closed);
    assert_eq!(c.replied_on, Some(d("2026-04-01")));
    // No 复查, and by default no rating.
    assert!(lifecycle::available_actions(&c, w.ctx(d("2026-04-02"), By::Petitioner)).is_empty());
    let review = w.act(
        &mut c,
        By::Petitioner,
        d("2026-04-02"),
        Command::RequestReview {
            reason: "不服".into(),
        },
    );
    assert!(matches!(review, Err(DomainError::IllegalTransition { .. })));
    let rate = Command::Evaluate {
        office: Rating::Satisfied,
        unit: Rating::Satisfied,
        comment: None,
    };
    assert!(matches!(
        w.act(&mut c, By::Petitioner, d("2026-04-02"), rate.clone()),
        Err(DomainError::WindowClosed(_))
    ));
    // A policy that rates suggestions opens the window.
    let mut rated = world();
    rated.policy.classes.rated.push(PetitionClass::Suggestion);
    let mut c = rated
        .register(new_of_class(PetitionClass::Suggestion), t0, None)
        .unwrap();
    rated
        .act(
            &mut c,
            rated.officer(1),
            t0,
            Command::Forward { to_unit: DEPT },
        )
        .unwrap();
    rated
        .act(&mut c, rated.officer(2), t0, Command::Accept)
        .unwrap();
    rated
        .issue(
            &mut c,
            rated.officer(2),
            t0,
            Command::Reply {
                outcome: Outcome::Adopted,
                text: "采纳".into(),
            },
        )
        .unwrap();
    rated.act(&mut c, By::Petitioner, t0, rate).unwrap();
    assert!(c.evaluation.is_some());
}

#[test]
fn a_report_goes_to_discipline_or_to_the_regulator_and_is_told_its_result() {
    let w = world();
    let t0 = d("2026-03-02");
    // Accusing an official: 纪检监察 only.
    let mut official = w
        .register(new_of_class(PetitionClass::Report), t0, None)
        .unwrap();
    assert!(official.is_report && official.accused_kind.is_official());
    assert!(
        w.act(
            &mut official,
            w.officer(1),
            t0,
            Command::Forward { to_unit: DEPT }
        )
        .is_err()
    );
    w.act(
        &mut official,
        w.officer(1),
        t0,
        Command::Forward {
            to_unit: DISCIPLINE,
        },
    )
    .unwrap();
    // Accusing a firm: the competent regulator.
    let mut firm = w
        .register(
            NewCase {
                accused_kind: Some(AccusedKind::Other),
                ..new_of_class(PetitionClass::Report)
            },
            t0,
            None,
        )
        .unwrap();
    w.act(
        &mut firm,
        w.officer(1),
        t0,
        Command::Forward { to_unit: DEPT },
    )
    .unwrap();
    w.act(&mut firm, w.officer(2), t0, Command::Accept).unwrap();
    let events = w
        .issue(
            &mut firm,
            w.officer(2),
            d("2026-03-20"),
            Command::Reply {
                outcome: Outcome::Substantiated,
                text: "经查属实，已责令停产整改并处罚款".into(),
            },
        )
        .unwrap();
    assert_eq!(events[0].notice(), Some("检举控告处理结果告知书"));
    assert!(
        events[0]
            .closing(&firm, &w.org, &w.policy)
            .contains("主管机关")
    );
    assert_eq!(firm.status, S::Closed);
    assert_eq!(firm.deadlines.evaluation_due, None);
    // A firm is no public body: no accused unit with it.
    let mut bad = new_of_class(PetitionClass::Report);
    bad.accused_kind = Some(AccusedKind::Other);
    bad.accused_unit = Some(TOWN);
    assert!(w.register(bad, t0, None).is_err());
    // The class and is_report must agree.
    let mut mixed = new_of_class(PetitionClass::Claim);
    mixed.is_report = true;
    assert!(matches!(
        w.register(mixed, t0, None),
        Err(DomainError::Invalid { field: "class", .. })
    ));
}

#[test]
fn the_sorting_office_changes_the_class_with_a_reason_before_it_sends_the_case() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    assert_eq!(c.class, PetitionClass::Claim);
    let to_report = |reason: &str| Command::Reclassify {
        class: PetitionClass::Report,
        accused_kind: None,
        reason: reason.into(),
    };
    assert!(w.act(&mut c, w.officer(1), t0, to_report(" ")).is_err());
    assert!(matches!(
        w.act(&mut c, w.officer(2), t0, to_report("举报公职人员")),
        Err(DomainError::Forbidden(_))
    ));
    w.act(&mut c, w.officer(1), t0, to_report("内容系举报公职人员"))
        .unwrap();
    assert!(c.is_report);
    assert_eq!(c.class, PetitionClass::Report);
    // Now a report: 纪检监察 only.
    assert!(
        w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
            .is_err()
    );
    w.act(
        &mut c,
        w.officer(1),
        t0,
        Command::Reclassify {
            class: PetitionClass::Suggestion,
            accused_kind: None,
            reason: "实为意见建议".into(),
        },
    )
    .unwrap();
    assert!(!c.is_report);
    assert_eq!(c.limits.handle.days, 60);
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    // Once sent, the class stays.
    assert!(matches!(
        w.act(&mut c, w.officer(1), t0, to_report("改为举报")),
        Err(DomainError::IllegalTransition { .. })
    ));
}

#[test]
fn a_report_registered_before_classes_were_recorded_reads_as_a_report() {
    let w = world();
    let c = w.register(new_case(true), d("2026-03-02"), None).unwrap();
    let mut json = serde_json::to_value(Event::Registered(Box::new(c))).unwrap();
    json.as_object_mut().unwrap().remove("class");
    let old: Event = serde_json::from_value(json).unwrap();
    let mut replayed = Case::clone(&w.register(new_case(false), d("2026-03-02"), None).unwrap());
    replayed.apply(&old);
    assert_eq!(replayed.class, PetitionClass::Report);
}

#[test]
fn a_town_case_goes_to_the_city_for_review_and_above_the_city_for_rereview() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: TOWN })
        .unwrap();
    w.act(&mut c, w.officer(4), t0, Command::Accept).unwrap();
    let reply = Command::Reply {
        outcome: Outcome::NotSupport,
        text: "不予支持".into(),
    };
    w.issue(&mut c, w.officer(4), t0, reply).unwrap();
    let ask = |reason: &str| Command::RequestReview {
        reason: reason.into(),
    };
    w.act(&mut c, By::Petitioner, t0, ask("不服")).unwrap();
    assert_eq!((c.review_unit, c.external_body), (Some(CITY), None));
    w.issue(
        &mut c,
        w.officer(5),
        t0,
        Command::Review {
            outcome: Outcome::NotSupport,
            text: "维持".into(),
        },
    )
    .unwrap();
    let events = w
        .act(
            &mut c,
            By::Petitioner,
            t0,
            Command::RequestRereview {
                reason: "仍不服".into(),
            },
        )
        .unwrap();
    // Never the city twice: 复核 goes to the province, with a transfer letter that tells the
    // petitioner where it went and until when the office tracks it.
    assert_eq!(c.rereview_unit, Some(PROVINCE));
    assert_ne!(c.rereview_unit, c.review_unit);
    assert_eq!(events[0].notice(), Some("复核申请转送函"));
    let closing = events[0].closing(&c, &w.org, &w.policy);
    assert!(
        closing.contains("单位8") && closing.contains("2026年04月01日"),
        "{closing}"
    );
    // The office sees it in its worklist (it is responsible while the province holds it).
    assert_eq!(c.responsible_unit(), OFFICE);
    assert!(lifecycle::available_actions(&c, w.ctx(t0, w.officer(1))).contains(&"rereview"));
    assert!(lifecycle::available_actions(&c, w.ctx(t0, w.officer(4))).is_empty());
    w.act(
        &mut c,
        w.officer(1),
        d("2026-03-20"),
        Command::Rereview {
            outcome: Outcome::NotSupport,
            text: "经复核，维持复查意见。".into(),
        },
    )
    .unwrap();
    assert_eq!(c.status, S::Final);
    assert_eq!(c.responsible_unit(), PROVINCE);
}

#[test]
fn a_report_accusing_the_city_goes_to_the_discipline_body_above_it() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut new = new_case(true);
    new.accused_unit = Some(CITY);
    let c = w.register(new, t0, None).unwrap();
    // The city's own 纪检监察 is accused with the city: the province's takes it at once, and
    // nobody in the city (the office included) holds it.
    assert_eq!(c.status, S::Forwarded);
    assert_eq!(c.handling_unit, Some(PROVINCE_DISCIPLINE));
    assert_eq!(c.external_body, Some(PROVINCE_DISCIPLINE));
    assert_eq!(c.responsible_unit(), PROVINCE_DISCIPLINE);
    assert!(lifecycle::available_actions(&c, w.ctx(t0, w.officer(1))).is_empty());
    assert!(lifecycle::available_actions(&c, w.ctx(t0, w.officer(6))).is_empty());
}

#[test]
fn without_a_body_above_the_top_a_review_is_refused_not_given_to_the_same_body() {
    let mut w = world();
    w.org = OrgChart::new(w.org.units().filter(|u| !u.external).cloned());
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
    let reply = Command::Reply {
        outcome: Outcome::NotSupport,
        text: "不予支持".into(),
    };
    w.issue(&mut c, w.officer(2), t0, reply).unwrap();
    w.act(
        &mut c,
        By::Petitioner,
        t0,
        Command::RequestReview {
            reason: "不服".into(),
        },
    )
    .unwrap();
    w.issue(
        &mut c,
        w.officer(5),
        t0,
        Command::Review {
            outcome: Outcome::NotSupport,
            text: "维持".into(),
        },
    )
    .unwrap();
    let refused = w.act(
        &mut c,
        By::Petitioner,
        t0,
        Command::RequestRereview {
            reason: "不服".into(),
        },
    );
    assert!(
        matches!(&refused, Err(DomainError::Invalid { message, .. }) if message.contains("上一级机关未在本平台设置")),
        "{refused:?}"
    );
    assert_eq!(c.status, S::Reviewed);
}

#[test]
fn a_department_is_reviewed_by_its_government_or_by_the_department_above_as_the_policy_says() {
    let mut w = world();
    // The department does 住房和城乡建设, and so does one of the province's (external).
    let renamed: Vec<Unit> = w
        .org
        .units()
        .cloned()
        .map(|mut u| {
            if u.id == DEPT {
                u.name = "测试市住房和城乡建设局".into();
            }
            u
        })
        .chain([Unit {
            id: UnitId(10),
            parent: Some(PROVINCE),
            name: "测试省住房和城乡建设厅".into(),
            kind: UnitKind::Department,
            path: UnitPath::parse("/8/10/").unwrap(),
            external: true,
        }])
        .collect();
    w.org = OrgChart::new(renamed);
    let replied = |w: &World| {
        let t0 = d("2026-03-02");
        let mut c = w.register(new_case(false), t0, None).unwrap();
        w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
            .unwrap();
        w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
        let reply = Command::Reply {
            outcome: Outcome::NotSupport,
            text: "不予支持".into(),
        };
        let events = w.issue(&mut c, w.officer(2), t0, reply).unwrap();
        let ask = Command::RequestReview {
            reason: "不服".into(),
        };
        let closing = events[0].closing(&c, &w.org, &w.policy);
        w.act(&mut c, By::Petitioner, t0, ask).unwrap();
        (c, closing)
    };
    let (c, closing) = replied(&w);
    assert_eq!(c.review_unit, Some(CITY));
    assert!(closing.contains("向单位1请求复查"), "{closing}");
    w.policy.review.department = xinfang_domain::policy::DepartmentReview::UpperDepartment;
    let (c, closing) = replied(&w);
    assert_eq!(c.review_unit, Some(UnitId(10)));
    assert_eq!(
        c.responsible_unit(),
        OFFICE,
        "the office tracks the province's review"
    );
    assert!(
        closing.contains("向测试省住房和城乡建设厅请求复查"),
        "{closing}"
    );
}

#[test]
fn a_handler_asks_for_an_extension_and_the_head_approves_or_refuses_it() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
    let due = c.deadlines.handle_due.unwrap();
    let ask = |days| Command::RequestExtension {
        days,
        reason: "需现场勘验".into(),
    };
    assert!(matches!(
        w.act(&mut c, w.officer(2), t0, ask(31)),
        Err(DomainError::Invalid { field: "days", .. })
    ));
    w.act(&mut c, w.officer(2), t0, ask(20)).unwrap();
    assert!(matches!(
        w.act(&mut c, w.officer(2), t0, ask(10)),
        Err(DomainError::AlreadyDone(_))
    ));
    // Only the head decides; a refusal says why and nothing moves.
    assert!(matches!(
        w.act(&mut c, w.officer(2), t0, Command::ApproveExtension),
        Err(DomainError::Forbidden(_))
    ));
    let refuse = Command::RefuseExtension {
        remark: "证据已足，无需延期".into(),
    };
    w.act(&mut c, w.officer(3), t0, refuse).unwrap();
    assert_eq!(
        (c.extension_request.clone(), c.deadlines.handle_due),
        (None, Some(due))
    );
    assert!(matches!(
        w.act(&mut c, w.officer(3), t0, Command::ApproveExtension),
        Err(DomainError::IllegalTransition { .. })
    ));
    // Asked again and approved: the deadline moves, the 延期告知书 goes out.
    w.act(&mut c, w.officer(2), t0, ask(20)).unwrap();
    let events = w
        .act(&mut c, w.officer(3), t0, Command::ApproveExtension)
        .unwrap();
    assert_eq!(events[0].notice(), Some("延期告知书"));
    assert_eq!(c.deadlines.handle_due, Some(due + Duration::days(20)));
    assert_eq!(
        c.extension.as_ref().map(|x| x.approved_by),
        Some(PersonId(3))
    );
    assert!(c.extension_request.is_none());
    assert!(matches!(
        w.act(&mut c, w.officer(2), t0, ask(5)),
        Err(DomainError::AlreadyDone(_))
    ));
}

#[test]
fn written_opinions_are_drafted_and_signed_by_a_head_other_than_the_drafter() {
    let w = world();
    let t0 = d("2026-03-02");
    let mut c = w.register(new_case(false), t0, None).unwrap();
    w.act(&mut c, w.officer(1), t0, Command::Forward { to_unit: DEPT })
        .unwrap();
    // A 不予受理告知书 is drafted too; the head sends it back, and the unit accepts instead.
    w.act(
        &mut c,
        w.officer(2),
        t0,
        Command::Decline {
            reason: "不属于本单位职权".into(),
        },
    )
    .unwrap();
    assert_eq!(
        (c.status, c.draft.as_ref().map(|d| d.kind)),
        (S::Forwarded, Some(DraftKind::Decline))
    );
    w.act(
        &mut c,
        w.officer(3),
        t0,
        Command::Return {
            remark: "属于本单位职责，应当受理".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        w.act(&mut c, w.officer(3), t0, Command::Approve),
        Err(DomainError::IllegalTransition { .. })
    ));
    w.act(&mut c, w.officer(2), t0, Command::Accept).unwrap();
    assert_eq!(
        c.draft, None,
        "a draft for a step the case has left is void"
    );

    let reply = |text: &str| Command::Reply {
        outcome: Outcome::Support,
        text: text.into(),
    };
    let drafted = w
        .act(&mut c, w.officer(2), d("2026-03-10"), reply("初稿"))
        .unwrap();
    assert!(matches!(
        drafted[..],
        [Event::Drafted {
            kind: DraftKind::Reply,
            ..
        }]
    ));
    assert_eq!(
        (c.status, c.replied_on),
        (S::Handling, None),
        "nothing is issued by drafting"
    );
    let avail = |c: &Case, by| lifecycle::available_actions(c, w.ctx(t0, by));
    assert!(avail(&c, w.officer(3)).contains(&"approve"));
    assert!(avail(&c, w.officer(3)).contains(&"return"));
    assert!(
        !avail(&c, w.officer(2)).contains(&"approve"),
        "the drafter does not sign"
    );
    // Neither the drafter, nor an administrator as such, nor a head elsewhere signs.
    assert!(matches!(
        w.act(&mut c, w.officer(2), t0, Command::Approve),
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        w.act(&mut c, w.officer(7), t0, Command::Approve),
        Err(DomainError::Forbidden(_))
    ));
    let admin = Actor {
        roles: vec![Role::Admin],
        ..w.actors[4].clone()
    };
    assert!(matches!(
        w.act(&mut c, By::Officer(&admin), t0, Command::Approve),
        Err(DomainError::Forbidden(_))
    ));
    // Sent back with a remark (required), redrafted, signed: issued on the day it is signed.
    assert!(matches!(
        w.act(
            &mut c,
            w.officer(3),
            t0,
            Command::Return { remark: " ".into() }
        ),
        Err(DomainError::Invalid { .. })
    ));
    w.act(
        &mut c,
        w.officer(3),
        d("2026-03-11"),
        Command::Return {
            remark: "请写明依据".into(),
        },
    )
    .unwrap();
    assert_eq!(
        c.draft.as_ref().unwrap().returned.as_ref().unwrap().remark,
        "请写明依据"
    );
    assert!(
        !avail(&c, w.officer(3)).contains(&"approve"),
        "a returned draft waits for its drafter"
    );
    w.act(
        &mut c,
        w.officer(2),
        d("2026-03-12"),
        reply("依据《物业管理条例》第四十条，责令退还。"),
    )
    .unwrap();
    assert!(c.draft.as_ref().unwrap().pending());
    let signed = w
        .act(&mut c, w.officer(3), d("2026-03-16"), Command::Approve)
        .unwrap();
    assert!(matches!(
        signed[..],
        [
            Event::DraftApproved {
                by: PersonId(3),
                ..
            },
            Event::Replied { .. }
        ]
    ));
    assert_eq!(c.status, S::Replied);
    assert_eq!(c.replied_on, Some(d("2026-03-16")));
    assert_eq!(
        c.reply.as_ref().unwrap().text,
        "依据《物业管理条例》第四十条，责令退还。"
    );
    assert_eq!(c.deadlines.review_request_due, Some(d("2026-04-15")));
    assert_eq!(c.draft, None);
    // A head who drafts is signed by another: here the city's leader over the department.
    w.act(
        &mut c,
        By::Petitioner,
        d("2026-03-20"),
        Command::RequestReview {
            reason: "不服".into(),
        },
    )
    .unwrap();
    w.act(
        &mut c,
        w.officer(5),
        d("2026-03-25"),
        Command::Review {
            outcome: Outcome::Support,
            text: "维持".into(),
        },
    )
    .unwrap();
    assert!(matches!(
        w.act(&mut c, w.officer(5), t0, Command::Approve),
        Err(DomainError::Forbidden(_))
    ));
    assert!(
        matches!(
            w.act(&mut c, w.officer(3), t0, Command::Approve),
            Err(DomainError::Forbidden(_))
        ),
        "the department does not sign the city's review"
    );
    w.act(&mut c, w.officer(9), d("2026-03-26"), Command::Approve)
        .unwrap();
    assert_eq!(
        (c.status, c.reviewed_on),
        (S::Reviewed, Some(d("2026-03-26")))
    );
}

#[test]
fn exactly_the_heads_and_leaders_over_the_unit_other_than_the_drafter_sign() {
    let w = world();
    let t0 = d("2026-03-02");
    for (unit, head_of_unit) in [(DEPT, 3), (TOWN, 4), (DISCIPLINE, 6)] {
        let mut handling = w.register(new_case(false), t0, None).unwrap();
        w.act(
            &mut handling,
            w.officer(1),
            t0,
            Command::Forward { to_unit: unit },
        )
        .unwrap();
        w.act(&mut handling, w.officer(head_of_unit), t0, Command::Accept)
            .unwrap();
        for drafter in 1..=9 {
            let mut drafted = handling.clone();
            let reply = Command::Reply {
                outcome: Outcome::Support,
                text: "意见".into(),
            };
            if w.act(&mut drafted, w.officer(drafter), t0, reply).is_err() {
                continue;
            }
            for signer in 1..=9 {
                let a = &w.actors[signer - 1];
                let over_unit = a.unit == unit || a.unit == CITY;
                let may = signer != drafter as usize
                    && over_unit
                    && (a.has(Role::UnitHead) || a.has(Role::Leader));
                let mut c = drafted.clone();
                let signed = w.act(&mut c, w.officer(signer as i64), t0, Command::Approve);
                assert_eq!(
                    signed.is_ok(),
                    may,
                    "unit {unit:?}: {drafter} drafted, {signer} signed: {signed:?}"
                );
            }
        }
    }
}

#[test]
fn categories_come_from_the_taxonomy_or_are_left_for_sorting() {
    let w = world();
    let t0 = d("2026-03-02");
    let with = |category: Option<&str>| NewCase {
        category: category.map(str::to_string),
        ..new_case(false)
    };
    let got = |category| w.register(with(category), t0, None).map(|c| c.category);
    assert_eq!(got(Some("cxjs-wygl")).unwrap(), "城乡建设/物业管理");
    assert_eq!(
        got(Some(" 城乡建设/物业管理 ")).unwrap(),
        "城乡建设/物业管理"
    );
    assert_eq!(got(Some("城乡建设")).unwrap(), "城乡建设");
    assert_eq!(got(None).unwrap(), "未分类");
    assert!(matches!(
        got(Some("物业乱收费")),
        Err(DomainError::Invalid {
            field: "category",
            ..
        })
    ));
    assert_eq!(
        lifecycle::intake_problems(&with(Some("物业乱收费")))[0].field(),
        Some("category")
    );
}

/// Merge, split and link (#17): what each does to the cases and what the figures count.
mod joining {
    use super::*;
    use xinfang_domain::command::Matter;
    use xinfang_domain::joining::{self, Joined};
    use xinfang_domain::metrics::{Measure, facts};

    /// Decides `cmd` on `cases[at]` with every other case at hand, and applies what it did.
    fn join(
        w: &World,
        cases: &mut Vec<Case>,
        at: usize,
        cmd: &Command,
        by: By,
        today: NaiveDate,
    ) -> Result<Joined, DomainError> {
        let mut next = cases.iter().map(|c| c.id.0).max().unwrap() + 1;
        let mut allot = || {
            let id = next;
            next += 1;
            Allotted {
                id: CaseId(id),
                case_no: format!("T{id}"),
                query_code: format!("Q{id}"),
            }
        };
        let others: Vec<Case> = cases.clone();
        let joined = joining::decide(&cases[at], &others, cmd, &mut allot, w.ctx(today, by))?;
        cases.extend(joined.created.iter().cloned());
        for (id, e) in &joined.events {
            let c = cases.iter_mut().find(|c| c.id == *id).unwrap();
            if !matches!(e, Event::Registered(_)) {
                c.apply(e);
            }
        }
        Ok(joined)
    }

    fn total(cases: &[Case], measure: Measure) -> u64 {
        cases
            .iter()
            .flat_map(facts)
            .filter(|f| f.measure == measure)
            .map(|f| f.n)
            .sum()
    }

    fn matter(title: &str) -> Matter {
        Matter {
            title: title.into(),
            content: format!("{title}的具体情况"),
            category: None,
        }
    }

    #[test]
    fn a_merged_duplicate_is_closed_and_counted_once_with_its_petitioner_kept() {
        let w = world();
        let t0 = d("2026-03-02");
        let mut cases: Vec<Case> = (1..=3).map(|id| registered(&w, id, t0)).collect();
        cases[2].petitioner.name = "李四".into();
        w.act(
            &mut cases[0],
            w.officer(1),
            t0,
            Command::Forward { to_unit: DEPT },
        )
        .unwrap();
        assert_eq!(total(&cases, Measure::Cases), 3);
        let version = cases[0].version;
        let merge = Command::Merge {
            duplicates: vec![CaseId(2), CaseId(3)],
            reason: "同一信件重复寄送".into(),
        };
        join(&w, &mut cases, 0, &merge, w.officer(1), t0).unwrap();
        assert_eq!(cases[0].merged, vec![CaseId(2), CaseId(3)]);
        assert_eq!(cases[0].status, S::Forwarded, "the survivor goes on");
        assert_eq!(
            cases[0].version, version,
            "forms drawn on the survivor stay good"
        );
        for dup in &cases[1..] {
            assert_eq!(dup.status, S::Merged);
            assert_eq!(dup.merged_into, Some(CaseId(1)));
            assert_eq!(dup.closed_on, Some(t0));
            assert!(
                dup.clock().is_none(),
                "no deadline runs on a merged duplicate"
            );
        }
        assert_eq!(cases[2].petitioner.name, "李四", "the petitioner is kept");
        // 件次 once, 人次 for every petitioner.
        assert_eq!(total(&cases, Measure::Cases), 1);
        assert_eq!(total(&cases, Measure::People), 3);
        // Nothing more happens to a merged duplicate.
        let mut dup = cases[1].clone();
        assert!(
            w.act(
                &mut dup,
                w.officer(1),
                t0,
                Command::Forward { to_unit: DEPT }
            )
            .is_err()
        );
    }

    #[test]
    fn a_merge_is_refused_for_answered_cases_reports_strangers_and_itself() {
        let w = world();
        let t0 = d("2026-03-02");
        let mut cases: Vec<Case> = (1..=2).map(|id| registered(&w, id, t0)).collect();
        let merge = |ids: &[i64]| Command::Merge {
            duplicates: ids.iter().map(|i| CaseId(*i)).collect(),
            reason: String::new(),
        };
        // Itself, twice the same, none.
        for ids in [&[1][..], &[2, 2], &[]] {
            let e = join(&w, &mut cases, 0, &merge(ids), w.officer(1), t0).unwrap_err();
            assert!(
                matches!(
                    e,
                    DomainError::Invalid {
                        field: "duplicates",
                        ..
                    }
                ),
                "{e:?}"
            );
        }
        // A unit that does not sort them (the department's handler).
        let e = join(&w, &mut cases, 0, &merge(&[2]), w.officer(2), t0).unwrap_err();
        assert!(matches!(e, DomainError::Forbidden(_)), "{e:?}");
        // A case not at hand.
        let e = join(&w, &mut cases, 0, &merge(&[9]), w.officer(1), t0).unwrap_err();
        assert!(matches!(e, DomainError::NotFound(_)), "{e:?}");
        // A report is merged only with reports.
        let mut report = registered(&w, 3, t0);
        report.is_report = true;
        cases.push(report);
        let e = join(&w, &mut cases, 0, &merge(&[3]), w.officer(1), t0).unwrap_err();
        assert!(e.to_string().contains("检举控告"), "{e}");
        // A duplicate already answered keeps its answer.
        w.act(
            &mut cases[1],
            w.officer(1),
            t0,
            Command::Reject {
                reason: "不属于信访事项".into(),
            },
        )
        .unwrap();
        let e = join(&w, &mut cases, 0, &merge(&[2]), w.officer(1), t0).unwrap_err();
        assert!(e.to_string().contains("不能作为重复件并入"), "{e}");
        // Nothing changed.
        assert!(cases[0].merged.is_empty());
    }

    #[test]
    fn a_split_petition_becomes_one_case_per_matter_with_its_dates() {
        let w = world();
        let t0 = d("2026-03-02");
        let mut cases = vec![registered(&w, 1, t0)];
        let split = Command::Split {
            matters: vec![
                matter("餐馆油烟扰民"),
                Matter {
                    category: Some("城乡建设".into()),
                    ..matter("小区道路破损")
                },
                matter("路灯不亮"),
            ],
        };
        let later = t0 + Duration::days(4);
        let joined = join(&w, &mut cases, 0, &split, w.officer(1), later).unwrap();
        assert_eq!(joined.created.len(), 3);
        let original = &cases[0];
        assert_eq!(original.status, S::Split);
        assert_eq!(original.split_into, vec![CaseId(2), CaseId(3), CaseId(4)]);
        for part in &cases[1..] {
            assert_eq!(part.status, S::Registered);
            assert_eq!(part.split_from, Some(CaseId(1)));
            assert_eq!(part.registered_on, t0, "keeps the original's dates");
            assert_eq!(part.deadlines.sort_due, original.deadlines.sort_due);
            assert_eq!(part.petitioner, original.petitioner);
            assert_eq!(part.version, 1);
        }
        assert_eq!(cases[2].title, "小区道路破损");
        assert_eq!(
            cases[2].category,
            xinfang_domain::taxonomy::resolve("城乡建设").unwrap()
        );
        assert_eq!(cases[3].category, original.category);
        // 件次 per matter; the original counts nothing.
        assert_eq!(total(&cases, Measure::Cases), 3);
        assert!(facts(&cases[0]).is_empty());
        // Each part is sorted on its own.
        let mut part = cases[1].clone();
        w.act(
            &mut part,
            w.officer(1),
            later,
            Command::Forward { to_unit: DEPT },
        )
        .unwrap();
        assert_eq!(part.status, S::Forwarded);
    }

    #[test]
    fn a_split_is_refused_after_sorting_and_with_fewer_than_two_matters() {
        let w = world();
        let t0 = d("2026-03-02");
        let mut cases = vec![registered(&w, 1, t0)];
        let one = Command::Split {
            matters: vec![matter("餐馆油烟扰民")],
        };
        let e = join(&w, &mut cases, 0, &one, w.officer(1), t0).unwrap_err();
        assert!(
            matches!(
                e,
                DomainError::Invalid {
                    field: "matters",
                    ..
                }
            ),
            "{e:?}"
        );
        let blank = Command::Split {
            matters: vec![
                matter("餐馆油烟扰民"),
                Matter {
                    title: " ".into(),
                    ..matter("x")
                },
            ],
        };
        assert!(join(&w, &mut cases, 0, &blank, w.officer(1), t0).is_err());
        w.act(
            &mut cases[0],
            w.officer(1),
            t0,
            Command::Forward { to_unit: DEPT },
        )
        .unwrap();
        let two = Command::Split {
            matters: vec![matter("甲"), matter("乙")],
        };
        let e = join(&w, &mut cases, 0, &two, w.officer(1), t0).unwrap_err();
        assert!(matches!(e, DomainError::IllegalTransition { .. }), "{e:?}");
        assert_eq!(cases.len(), 1);
    }

    #[test]
    fn related_cases_are_linked_both_ways_once_with_the_reason() {
        let w = world();
        let t0 = d("2026-03-02");
        let mut cases: Vec<Case> = (1..=2).map(|id| registered(&w, id, t0)).collect();
        let relate = Command::Relate {
            case: CaseId(2),
            reason: "同一小区居民反映同一餐馆".into(),
        };
        join(&w, &mut cases, 0, &relate, w.officer(1), t0).unwrap();
        assert_eq!(cases[0].related[0].case, CaseId(2));
        assert_eq!(cases[1].related[0].case, CaseId(1));
        assert_eq!(cases[1].related[0].reason, "同一小区居民反映同一餐馆");
        assert_eq!(total(&cases, Measure::Cases), 2, "both still count");
        let e = join(&w, &mut cases, 0, &relate, w.officer(1), t0).unwrap_err();
        assert!(e.to_string().contains("已经关联"), "{e}");
        let no_reason = Command::Relate {
            case: CaseId(2),
            reason: " ".into(),
        };
        assert!(join(&w, &mut cases, 1, &no_reason, w.officer(1), t0).is_err());
    }

    #[test]
    fn the_page_offers_merge_split_and_link_to_the_sorting_office_only() {
        let w = world();
        let c = registered(&w, 1, d("2026-03-02"));
        let office = lifecycle::available_actions(&c, w.ctx(d("2026-03-02"), w.officer(1)));
        for a in ["merge", "split", "relate"] {
            assert!(office.contains(&a), "{a}: {office:?}");
        }
        let dept = lifecycle::available_actions(&c, w.ctx(d("2026-03-02"), w.officer(2)));
        assert!(
            !dept
                .iter()
                .any(|a| ["merge", "split", "relate"].contains(a)),
            "{dept:?}"
        );
        // Given alone (without the cases it names), a joining command changes nothing.
        let mut alone = c.clone();
        let relate = Command::Relate {
            case: CaseId(2),
            reason: "同一事项".into(),
        };
        assert!(
            w.act(&mut alone, w.officer(1), d("2026-03-02"), relate)
                .is_err()
        );
        assert_eq!(alone, c);
    }

    fn arb_join() -> impl Strategy<Value = (u8, usize, Vec<usize>)> {
        (
            0u8..3,
            0usize..8,
            proptest::collection::vec(0usize..8, 1..4),
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Whatever is merged, split or linked: every petition counts once in 件次 (a split
        /// one per matter), every petitioner in 人次, and the links agree both ways.
        #[test]
        fn joining_keeps_the_counts_and_the_links_consistent(
            n in 2usize..6,
            forwarded in proptest::collection::vec(any::<bool>(), 6),
            steps in proptest::collection::vec(arb_join(), 1..12),
        ) {
            let w = world();
            let t0 = d("2026-03-02");
            let mut cases: Vec<Case> = (1..=n as i64).map(|id| registered(&w, id, t0)).collect();
            for (c, f) in cases.iter_mut().zip(forwarded) {
                if f {
                    w.act(c, w.officer(1), t0, Command::Forward { to_unit: DEPT }).unwrap();
                }
            }
            for (kind, at, others) in steps {
                let at = at % cases.len();
                let ids: Vec<CaseId> = others.iter().map(|o| cases[o % cases.len()].id).collect();
                let cmd = match kind {
                    0 => Command::Merge { duplicates: ids, reason: String::new() },
                    1 => Command::Split { matters: vec![matter("甲"), matter("乙")] },
                    _ => Command::Relate { case: ids[0], reason: "同一事项".into() },
                };
                let _ = join(&w, &mut cases, at, &cmd, w.officer(1), t0);
            }
            let counted = cases
                .iter()
                .filter(|c| !matches!(c.status, S::Merged | S::Split))
                .count() as u64;
            prop_assert_eq!(total(&cases, Measure::Cases), counted);
            let people = cases.iter().filter(|c| c.status != S::Split).count() as u64;
            prop_assert_eq!(total(&cases, Measure::People), people);
            let by_id = |id: CaseId| cases.iter().find(|c| c.id == id).unwrap();
            for c in &cases {
                if let Some(into) = c.merged_into {
                    prop_assert!(by_id(into).merged.contains(&c.id));
                }
                for m in &c.merged {
                    prop_assert_eq!(by_id(*m).merged_into, Some(c.id));
                }
                for r in &c.related {
                    prop_assert!(by_id(r.case).related.iter().any(|b| b.case == c.id));
                }
                for p in &c.split_into {
                    prop_assert_eq!(by_id(*p).split_from, Some(c.id));
                }
            }
        }
    }
}

mod campaigns {
    use super::*;
    use xinfang_domain::campaign::{
        Campaign, CampaignCommand, CampaignKind, MonthProgress, NewCampaign, progress,
    };
    use xinfang_domain::case::Evaluation;
    use xinfang_domain::record::{Record, RecordCtx};
    use xinfang_domain::vocab::Rating;

    fn today(_: i64) -> NaiveDate {
        d("2026-06-01")
    }

    fn rctx<'a>(w: &'a World, by: &'a Actor) -> RecordCtx<'a> {
        RecordCtx {
            by: Some(by),
            today: d("2026-06-01"),
            now_ms: 0,
            day_of: &today,
            org: &w.org,
            calendar: &w.cal,
            case: None,
        }
    }

    fn case_on(w: &World, id: i64, day: &str) -> Case {
        registered(w, id, d(day))
    }

    fn rated(unit: Rating, on: &str) -> Option<Evaluation> {
        Some(Evaluation {
            office: Rating::Satisfied,
            unit,
            comment: None,
            on: d(on),
        })
    }

    #[test]
    fn progress_counts_resolved_satisfied_and_what_came_since_the_start() {
        let w = world();
        let mut a = case_on(&w, 1, "2026-05-20");
        a.closed_on = Some(d("2026-06-10"));
        a.evaluation = rated(Rating::Satisfied, "2026-06-11");
        let mut b = case_on(&w, 2, "2026-06-05");
        b.repeat_of = Some(CaseId(1));
        let mut c = case_on(&w, 3, "2026-07-02");
        c.closed_on = Some(d("2026-07-20"));
        c.evaluation = rated(Rating::Dissatisfied, "2026-07-21");
        let e = case_on(&w, 4, "2026-07-03");
        let p = progress(d("2026-06-01"), &[a, b, c, e]);
        assert_eq!((p.cases, p.resolved, p.resolved_share), (4, 2, Some(0.5)));
        assert_eq!(
            (p.evaluated, p.satisfied, p.satisfaction),
            (2, 1, Some(0.5))
        );
        assert_eq!((p.new_since_start, p.repeats_since_start), (3, 1));
        let m = |month: &str, new, closed, repeats| MonthProgress {
            month: month.into(),
            new,
            closed,
            repeats,
        };
        assert_eq!(p.months, vec![m("2026-06", 1, 1, 1), m("2026-07", 2, 1, 0)]);
        let none = progress(d("2026-06-01"), &[]);
        assert_eq!((none.resolved_share, none.satisfaction), (None, None));
    }

    fn new_campaign(w: &World, leader: &Actor, deadline: &str) -> NewCampaign {
        let _ = w;
        NewCampaign {
            name: "小区油烟扰民专项".into(),
            kind: CampaignKind::Special,
            issue: CaseId(1),
            lead_unit: DEPT,
            leader: leader.clone(),
            goal: "三个月内油烟扰民投诉下降一半".into(),
            deadline: d(deadline),
            cases: vec![CaseId(1), CaseId(2), CaseId(1)],
        }
    }

    #[test]
    fn a_leader_takes_up_an_issue_the_lead_unit_links_and_only_a_leader_closes() {
        let w = world();
        let (registrar, dept, town, leader) =
            (&w.actors[0], &w.actors[1], &w.actors[6], &w.actors[4]);
        let new = new_campaign(&w, leader, "2026-09-01");
        assert!(matches!(
            Campaign::create(CampaignId(1), &new, &rctx(&w, registrar)),
            Err(DomainError::Forbidden(_))
        ));
        let not_a_leader = new_campaign(&w, dept, "2026-09-01");
        let e = Campaign::create(CampaignId(1), &not_a_leader, &rctx(&w, leader)).unwrap_err();
        assert_eq!(e.field(), Some("leader_id"));
        let past = new_campaign(&w, leader, "2026-05-01");
        let e = Campaign::create(CampaignId(1), &past, &rctx(&w, leader)).unwrap_err();
        assert_eq!(e.field(), Some("deadline"));

        let (c, event) = Campaign::create(CampaignId(1), &new, &rctx(&w, leader)).unwrap();
        assert_eq!(event, "campaign_created");
        assert_eq!(c.cases, vec![CaseId(1), CaseId(2)], "linked once each");
        assert!(c.open && c.started == d("2026-06-01"));
        assert!(c.visible_to(dept, &w.org) && c.visible_to(registrar, &w.org));
        assert!(
            !c.visible_to(town, &w.org),
            "another town sees nothing of it"
        );

        let link = CampaignCommand::Link {
            cases: vec![CaseId(3)],
        };
        assert!(matches!(
            c.decide(&link, &rctx(&w, town)),
            Err(DomainError::Forbidden(_))
        ));
        let (c, _) = c.decide(&link, &rctx(&w, dept)).unwrap();
        assert_eq!(c.cases.len(), 3);
        let close = CampaignCommand::Close {
            summary: "已完成整治".into(),
        };
        assert!(matches!(
            c.decide(&close, &rctx(&w, dept)),
            Err(DomainError::Forbidden(_))
        ));
        let (c, _) = c.decide(&close, &rctx(&w, leader)).unwrap();
        assert!(!c.open);
        assert_eq!(
            c.history
                .iter()
                .map(|h| h.what.as_str())
                .collect::<Vec<_>>(),
            ["发起", "关联", "办结"]
        );
        assert!(matches!(
            c.decide(&link, &rctx(&w, leader)),
            Err(DomainError::IllegalTransition { .. })
        ));
    }
}
