//! The assessment read models kept by the writer equal the figures recomputed from the cases,
//! for random histories on both databases, for any period and as of any later day; and they
//! survive a restart and are rebuilt when missing.

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};
use xinfang_domain::command::CollectiveInput;
use xinfang_domain::command::Matter;
use xinfang_domain::metrics::Period;
use xinfang_domain::{Case, CaseId, Command, Outcome, Rating, UnitId};
use xinfang_store::stats::VolumeBy;
use xinfang_store::testing::{SmallCity, TestDb, letter, small_city};
use xinfang_store::{Settings, Store, Who, both_backends};

#[derive(Debug, Clone)]
enum Step {
    /// A new petition; collective with that many people; repeating an earlier case.
    Register {
        people: Option<u32>,
        repeat: Option<usize>,
        channel: usize,
        region: usize,
        skip_level: bool,
    },
    /// A command on one of the latest cases, by whoever may issue it.
    Act {
        case: usize,
        cmd: Command,
    },
    /// The command that takes one of the latest cases a step further along its usual path.
    Advance {
        case: usize,
        pick: usize,
    },
    Wait(i64),
}

fn arb_command() -> impl Strategy<Value = Command> {
    let unit = (0usize..5).prop_map(|i| UnitId(i as i64)); // resolved to a real unit later
    let outcome = prop_oneof![
        Just(Outcome::Support),
        Just(Outcome::Explain),
        Just(Outcome::NotSupport)
    ];
    let rating = prop_oneof![
        Just(Rating::Satisfied),
        Just(Rating::Basically),
        Just(Rating::Dissatisfied)
    ];
    let text = || Just("理由".to_string());
    prop_oneof![
        3 => unit.clone().prop_map(|to_unit| Command::Forward { to_unit }),
        1 => unit.prop_map(|to_unit| Command::Assign { to_unit, report_due: None }),
        1 => text().prop_map(|reason| Command::Reject { reason }),
        1 => text().prop_map(|reason| Command::Object { reason }),
        4 => Just(Command::Accept),
        1 => text().prop_map(|reason| Command::Decline { reason }),
        1 => (1u32..30).prop_map(|days| Command::Extend { days, reason: "需要调查".into() }),
        4 => outcome.clone().prop_map(|outcome| Command::Reply { outcome, text: "意见".into() }),
        3 => (rating.clone(), rating).prop_map(|(office, unit)| Command::Evaluate { office, unit, comment: None }),
        1 => text().prop_map(|reason| Command::RequestReview { reason }),
        1 => outcome.clone().prop_map(|outcome| Command::Review { outcome, text: "复查".into() }),
        1 => text().prop_map(|reason| Command::RequestRereview { reason }),
        1 => outcome.prop_map(|outcome| Command::Rereview { outcome, text: "复核".into() }),
        2 => Just(Command::Close),
        // The duplicate is one of the latest cases, resolved later.
        1 => (0usize..6).prop_map(|k| Command::Merge { duplicates: vec![CaseId(k as i64)], reason: String::new() }),
        1 => Just(Command::Split { matters: vec![
            Matter { title: "物业费".into(), content: "物业乱收费".into(), category: None },
            Matter { title: "停车位".into(), content: "停车位被占".into(), category: None },
        ] }),
    ]
}

fn arb_step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => (
            proptest::option::weighted(0.2, 5u32..40),
            proptest::option::weighted(0.2, 0usize..50),
            0usize..3,
            0usize..3,
            proptest::bool::weighted(0.2),
        )
            .prop_map(|(people, repeat, channel, region, skip_level)| Step::Register { people, repeat, channel, region, skip_level }),
        3 => (0usize..50, arb_command()).prop_map(|(case, cmd)| Step::Act { case, cmd }),
        6 => (0usize..50, 0usize..12).prop_map(|(case, pick)| Step::Advance { case, pick }),
        2 => (0i64..20).prop_map(Step::Wait),
    ]
}

/// Plays `steps`, choosing for each command the actor it belongs to.
async fn play(store: &Store, c: &SmallCity, cases: &mut Vec<Case>, steps: Vec<Step>) {
    for step in steps {
        match step {
            Step::Wait(days) => store.clock().advance(Duration::days(days)),
            Step::Register {
                people,
                repeat,
                channel,
                region,
                skip_level,
            } => {
                let mut new = letter("小区物业不作为");
                new.channel = [
                    xinfang_domain::Channel::Letter,
                    xinfang_domain::Channel::Visit,
                    xinfang_domain::Channel::Online,
                ][channel];
                new.region = [Some("东城镇"), Some("西山镇"), None][region].map(String::from);
                new.skip_level = skip_level;
                new.collective = people.map(|head_count| CollectiveInput {
                    head_count,
                    representatives: Vec::new(),
                });
                if let Some(r) = repeat.filter(|_| !cases.is_empty()) {
                    new.repeat_of = Some(cases[r % cases.len()].id);
                }
                let who = Who::Officer(c.registrar.clone());
                if let Ok(case) = store.register(new, who, c.office).await {
                    cases.push(case);
                }
            }
            Step::Advance { case, pick } => {
                if let Some(i) = latest(cases, case) {
                    let cmd = usual_next(&cases[i], pick);
                    act(store, c, cases, i, cmd).await;
                }
            }
            Step::Act { case, cmd } => {
                if let Some(i) = latest(cases, case) {
                    act(store, c, cases, i, cmd).await;
                }
            }
        }
    }
}

/// One of the latest few cases, so that histories run deep.
fn latest(cases: &[Case], n: usize) -> Option<usize> {
    (!cases.is_empty()).then(|| cases.len() - 1 - n % cases.len().min(6))
}

/// The usual next step of a case; `pick` chooses among the usual ones.
fn usual_next(case: &Case, pick: usize) -> Command {
    use xinfang_domain::CaseStatus as S;
    let outcome = [Outcome::Support, Outcome::Explain, Outcome::NotSupport][pick % 3];
    let rating = [Rating::Satisfied, Rating::Basically, Rating::Dissatisfied];
    match case.status {
        S::Registered => Command::Forward {
            to_unit: UnitId((pick % 5) as i64),
        },
        S::Forwarded | S::Assigned if pick == 0 => Command::Decline {
            reason: "不属于本单位".into(),
        },
        S::Forwarded | S::Assigned => Command::Accept,
        S::Handling => Command::Reply {
            outcome,
            text: "意见".into(),
        },
        S::Replied if pick < 8 => Command::Evaluate {
            office: rating[pick % 3],
            unit: rating[(pick / 3) % 3],
            comment: None,
        },
        S::Replied => Command::RequestReview {
            reason: "不服".into(),
        },
        S::ReviewRequested => Command::Review {
            outcome,
            text: "复查".into(),
        },
        S::Reviewed if pick < 6 => Command::RequestRereview {
            reason: "不服".into(),
        },
        S::RereviewRequested => Command::Rereview {
            outcome,
            text: "复核".into(),
        },
        _ => Command::Close,
    }
}

/// Runs `cmd` on the i-th case as the one who issues such a command.
async fn act(store: &Store, c: &SmallCity, cases: &mut Vec<Case>, i: usize, cmd: Command) {
    // The province is above the deployment: what goes there is tracked by the office.
    let targets = [c.dept, c.town, c.other_town, c.discipline, c.province];
    let actor_of = |unit: UnitId| {
        [
            (c.office, &c.registrar),
            (c.dept, &c.dept_head),
            (c.town, &c.town_handler),
            (c.other_town, &c.other_town_handler),
            (c.city, &c.city_handler),
            (c.discipline, &c.discipline_handler),
        ]
        .into_iter()
        .find(|(u, _)| *u == unit)
        .map(|(_, a)| Who::Officer(a.clone()))
        .unwrap_or(Who::Officer(c.registrar.clone()))
    };
    let cmd = match cmd {
        Command::Forward { to_unit } => Command::Forward {
            to_unit: targets[to_unit.0 as usize],
        },
        Command::Assign {
            to_unit,
            report_due,
        } => Command::Assign {
            to_unit: targets[to_unit.0 as usize],
            report_due,
        },
        Command::Merge { duplicates, reason } => Command::Merge {
            duplicates: duplicates
                .iter()
                .filter_map(|k| latest(cases, k.0 as usize))
                .map(|k| cases[k].id)
                .collect(),
            reason,
        },
        other => other,
    };
    let joins = cmd.joins();
    let who = match cmd {
        Command::Evaluate { .. }
        | Command::RequestReview { .. }
        | Command::RequestRereview { .. } => Who::Petitioner,
        Command::Close => Who::System,
        // Merged and split by the office that sorts the cases.
        _ if joins => Who::Officer(c.registrar.clone()),
        _ => actor_of(cases[i].responsible_unit()),
    };
    if let Ok(case) = c.issue(store, cases[i].id, cmd, who).await {
        cases[i] = case;
        if joins {
            // The other cases changed too; a split's matters are new cases.
            for case in cases.iter_mut() {
                *case = store.case(case.id).await.unwrap().unwrap();
            }
            for part in cases[i].split_into.clone() {
                cases.push(store.case(part).await.unwrap().unwrap());
            }
        }
    }
}

/// The read models agree with the recomputation for many periods, as of today. Returns whether
/// any period had 积案, so that the caller can tell the histories reached it.
async fn check(store: &Store, start: NaiveDate, context: &str) -> bool {
    let today = store.clock().today();
    let mut periods = vec![Period {
        from: start - Duration::days(1),
        to: today + Duration::days(400),
    }];
    let mut from = start;
    while from <= today + Duration::days(60) {
        periods.push(Period {
            from,
            to: from + Duration::days(29),
        });
        periods.push(Period {
            from: from + Duration::days(7),
            to: from + Duration::days(7),
        });
        from += Duration::days(30);
    }
    let fast = store.assessments(&periods).await.unwrap();
    let plain = store.assessments_recomputed(&periods).await.unwrap();
    for ((p, f), r) in periods.iter().zip(&fast).zip(&plain) {
        assert_eq!(f, r, "{context}: figures for {p:?} as of {today}");
    }
    assert!(
        fast[0].values().map(|c| c.cases).sum::<u64>() > 0,
        "{context}: the history registered nothing"
    );
    for by in [
        VolumeBy::Channel,
        VolumeBy::Class,
        VolumeBy::Category,
        VolumeBy::Region,
        VolumeBy::Unit,
    ] {
        let fast = store.volumes(&periods[..3], by).await.unwrap();
        let plain = store.volumes_recomputed(&periods[..3], by).await.unwrap();
        assert_eq!(fast, plain, "{context}: volumes by {by:?} as of {today}");
    }
    // The whole range (pending facts not yet due among them), the first month, and the month
    // holding today.
    let current = periods
        .iter()
        .rposition(|p| p.from <= today && today <= p.to && p.from < p.to);
    for i in [Some(0), Some(1), current].into_iter().flatten() {
        behind_each_count(store, periods[i], &fast[i], context).await;
    }
    fast.iter().flat_map(|m| m.values()).any(|c| c.backlog > 0)
}

/// The drill-down lists exactly the cases behind a count, page by page, with the exact total:
/// the same cases as the plain path that folds every case through the metrics; one case per
/// count for the counts of cases; and a subtree's list is the union of its units' lists.
async fn behind_each_count(
    store: &Store,
    period: Period,
    figures: &std::collections::BTreeMap<UnitId, xinfang_domain::metrics::Counts>,
    context: &str,
) {
    use std::collections::BTreeSet;
    use xinfang_domain::metrics::DRILLS;
    let org = store.org();
    let root = org
        .units()
        .find(|u| u.parent.is_none() && !u.external)
        .expect("a root")
        .id;
    // Every page of the drill-down, in order; the total each page gave.
    let pages = |unit: UnitId, subtree: bool, drill| async move {
        let (mut ids, mut totals) = (Vec::new(), BTreeSet::new());
        for page in 1.. {
            let b = store
                .cases_behind(period, (unit, subtree), drill, (page, 4))
                .await
                .unwrap();
            totals.insert(b.total);
            let last = b.ids.len() < 4;
            ids.extend(b.ids);
            if last {
                break;
            }
        }
        (ids, totals)
    };
    for drill in &DRILLS {
        let name = drill.name;
        let mut union = BTreeSet::new();
        for unit in org.units() {
            let plain = store
                .cases_behind_recomputed(period, unit.id, false, drill.count)
                .await
                .unwrap();
            let (listed, totals) = pages(unit.id, false, drill).await;
            let set: BTreeSet<i64> = listed.iter().copied().collect();
            let what = format!("{context}: {name} of {} in {period:?}", unit.name);
            assert_eq!(set.len(), listed.len(), "{what}: a case listed twice");
            assert_eq!(set, plain.iter().copied().collect(), "{what}");
            assert_eq!(
                totals,
                BTreeSet::from([plain.len() as i64]),
                "{what}: total"
            );
            if name != "collective_people" {
                let expected = figures.get(&unit.id).map_or(0, drill.count);
                assert_eq!(plain.len() as u64, expected, "{what}: the figure");
            }
            // The bodies above the deployment are outside its tree: their counts are theirs.
            if !unit.external {
                union.extend(plain);
            }
        }
        let plain = store
            .cases_behind_recomputed(period, root, true, drill.count)
            .await
            .unwrap();
        assert_eq!(
            plain,
            union.iter().copied().collect::<Vec<_>>(),
            "{context}: {name} of the whole city"
        );
        let (listed, totals) = pages(root, true, drill).await;
        let set: BTreeSet<i64> = listed.iter().copied().collect();
        assert_eq!(
            set.len(),
            listed.len(),
            "{context}: {name} of the whole city listed a case twice"
        );
        assert_eq!(
            set, union,
            "{context}: {name} of the whole city, page by page"
        );
        assert_eq!(
            totals,
            BTreeSet::from([union.len() as i64]),
            "{context}: {name} of the whole city: total"
        );
    }
}

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url, Settings::default()).await.unwrap()
}

both_backends! {
    async fn figures_kept_by_the_writer_equal_those_recomputed(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let start = store.clock().today();
        let mut runner = TestRunner::new(Config::default());
        let history = proptest::collection::vec(arb_step(), 20..80);
        let mut cases = Vec::new();
        let mut backlog_seen = false;
        for round in 0..10 {
            // Every round registers something: a history of twenty steps has no registration
            // in one run of about thirty, and the figures must then still show a case.
            let mut steps = vec![Step::Register { people: None, repeat: None, channel: 0, region: 0, skip_level: false }];
            steps.extend(history.new_tree(&mut runner).unwrap().current());
            let shown = format!("round {round} after {steps:?}");
            play(&store, &c, &mut cases, steps).await;
            check(&store, start, &shown).await;
            // Pending figures turn as days pass with nothing written.
            store.clock().advance(Duration::days(16));
            backlog_seen |= check(&store, start, &format!("{shown}, 16 days on")).await;
            // The daily sweep closes cases whose appeal window lapsed.
            store.clock().advance(Duration::days(16));
            store.close_lapsed().await.unwrap();
            for case in cases.iter_mut() {
                *case = store.case(case.id).await.unwrap().unwrap();
            }
            check(&store, start, &format!("{shown}, 32 days on, lapsed cases closed")).await;
        }
        assert!(backlog_seen, "no history left a case late at the start of a period");
        let reached = |f: fn(&Case) -> bool| cases.iter().any(f);
        assert!(reached(|x| x.evaluation.is_some()), "no history reached an evaluation");
        assert!(reached(|x| x.external_body.is_some()), "no history sent a case above the city");
        assert!(reached(|x| x.review_requested_on.is_some()), "no history reached a review");
        assert!(reached(|x| x.status == xinfang_domain::CaseStatus::Closed), "no history closed a case");

        // Kept across a restart; rebuilt from the cases when missing or stale.
        let clock = store.clock().clone();
        store.close().await;
        let settings = || Settings { clock: clock.clone(), ..Settings::default() };
        let store = Store::open(&db.url, settings()).await.unwrap();
        check(&store, start, "after a restart").await;
        let before = store.assessment(Period { from: start, to: clock.today() }).await.unwrap();
        // As a database from before the read models, or built from older facts, looks.
        for table in ["unit_figures", "late_figures", "volume_figures", "case_facts", "fact_pairs", "read_models"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
                .execute(store.pool())
                .await
                .unwrap();
        }
        store.close().await;
        let store = Store::open(&db.url, settings()).await.unwrap();
        check(&store, start, "after a rebuild").await;
        assert_eq!(store.assessment(Period { from: start, to: clock.today() }).await.unwrap(), before);
    }
}

both_backends! {
    async fn a_closed_case_petitioned_again_is_no_longer_resolved_first_time(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let dept = || Who::Officer(c.dept_head.clone());
        let first = store.register(letter("路灯不亮"), reg(), c.office).await.unwrap();
        store.act(first.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        store.act(first.id, Command::Accept, dept()).await.unwrap();
        let reply = Command::Reply { outcome: Outcome::Support, text: "已修复".into() };
        c.issue(&store, first.id, reply, dept()).await.unwrap();
        store.clock().advance(Duration::days(40));
        assert_eq!(store.close_lapsed().await.unwrap(), 1);
        let year = Period { from: first.registered_on, to: store.clock().today() };
        let once = |m: &std::collections::BTreeMap<UnitId, xinfang_domain::metrics::Counts>| {
            let d = m.get(&c.dept).copied().unwrap_or_default();
            (d.first_closed, d.first_closed_once)
        };
        assert_eq!(once(&store.assessment(year).await.unwrap()), (1, 1));

        let mut again = letter("路灯又不亮了");
        again.repeat_of = Some(first.id);
        store.register(again, reg(), c.office).await.unwrap();
        let earlier = store.case(first.id).await.unwrap().unwrap();
        assert_eq!(earlier.repeated_on, Some(store.clock().today()));
        let year = Period { to: store.clock().today(), ..year };
        assert_eq!(once(&store.assessment(year).await.unwrap()), (1, 0), "repeated: not resolved first time");
        assert_eq!(store.assessment(year).await.unwrap(), store.assessment_recomputed(year).await.unwrap());
    }
}
