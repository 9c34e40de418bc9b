//! Cases with lawful histories: every step goes through the real rules of the domain, on the day
//! it happened; cases registered recently are still open, some are late, some were appealed.

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xinfang_domain::case::CaseStatus;
use xinfang_domain::command::CollectiveInput;
use xinfang_domain::lifecycle::{self, Ctx};
use xinfang_domain::petitioner::id_check_char;
use xinfang_domain::vocab::{AccusedKind, LegalChannel, PetitionClass};
use xinfang_domain::{
    Actor, By, Calendar, Case, Channel, Command, Event, NewCase, OrgChart, Outcome, Petitioner,
    Policy, Rating, UnitId,
};
use xinfang_store::{Clock, ImportCase, Store, StoreError, Who};

use crate::city::DemoCity;
use crate::content::*;

const BATCH: usize = 2_000;

/// How the demo's units differ, so that the dashboards, the ranking and the sweeps have
/// something to find: one department is chronically late, one bounces what it is sent, one
/// town sees many collective visits.
const LATE_DEPARTMENT: &str = "zrj";
const BOUNCING_DEPARTMENT: &str = "cgj";
const CROWDED_TOWN: usize = 2;

/// Petitions per month, relative (January first): winter heating and wages owed before the
/// Spring Festival, summer heat, noise and floods; quiet in October's holidays.
const SEASON: [u32; 12] = [14, 9, 12, 10, 10, 11, 13, 12, 9, 8, 11, 14];

#[derive(Debug, Clone, Copy)]
pub struct GenerateReport {
    pub cases: u64,
    pub events: u64,
    pub seconds: f64,
}

/// A village: its unit, name and (for some) its own handler.
type Village = (UnitId, &'static str, Option<Actor>);
/// A town: its unit, handler, head and villages.
type TownCast = (UnitId, Actor, Actor, Vec<Village>);

/// The officers the generator acts as, owned so the generator can run on its own thread.
#[derive(Clone)]
struct Cast {
    office: UnitId,
    registrar: Actor,
    leader: Actor,
    deputy_leader: Actor,
    departments: Vec<(&'static str, UnitId, Actor, Actor)>,
    towns: Vec<TownCast>,
    discipline: (UnitId, Actor, Actor),
    political_legal: (UnitId, Actor, Actor),
}

impl Cast {
    fn of(city: &DemoCity) -> Cast {
        Cast {
            office: city.office,
            registrar: city.registrar.clone(),
            leader: city.leader.clone(),
            deputy_leader: city.deputy_leader.clone(),
            departments: city
                .departments
                .iter()
                .map(|d| (d.code, d.unit, d.handler.clone(), d.head.clone()))
                .collect(),
            towns: city
                .towns
                .iter()
                .map(|t| {
                    (
                        t.unit,
                        t.handler.clone(),
                        t.head.clone(),
                        t.villages.clone(),
                    )
                })
                .collect(),
            discipline: (
                city.discipline.unit,
                city.discipline.handler.clone(),
                city.discipline.head.clone(),
            ),
            political_legal: (
                city.political_legal.unit,
                city.political_legal.handler.clone(),
                city.political_legal.head.clone(),
            ),
        }
    }

    /// The unit of the department with `code`.
    fn department(&self, code: &str) -> UnitId {
        self.departments
            .iter()
            .find(|d| d.0 == code)
            .map_or(self.departments[0].1, |d| d.1)
    }

    /// The officers of a unit: (handler, head).
    fn officers(&self, unit: UnitId) -> (Actor, Actor) {
        if let Some(d) = self.departments.iter().find(|d| d.1 == unit) {
            return (d.2.clone(), d.3.clone());
        }
        for t in &self.towns {
            if t.0 == unit {
                return (t.1.clone(), t.2.clone());
            }
            if let Some((_, _, Some(v))) = t.3.iter().find(|v| v.0 == unit) {
                return (v.clone(), t.2.clone());
            }
        }
        for (u, h, head) in [&self.discipline, &self.political_legal] {
            if *u == unit {
                return (h.clone(), head.clone());
            }
        }
        (self.leader.clone(), self.leader.clone())
    }
}

/// Generates `n` cases registered over the year before today and writes them with their events.
pub async fn generate_cases(
    store: &Store,
    city: &DemoCity,
    n: u64,
    seed: u64,
) -> Result<GenerateReport, StoreError> {
    generate_cases_with(store, city, n, seed, |_| {}).await
}

/// [`generate_cases`], telling `progress` how many cases are written after each batch; ends
/// with the store settled after a bulk load ([`Store::after_bulk_load`]).
pub async fn generate_cases_with(
    store: &Store,
    city: &DemoCity,
    n: u64,
    seed: u64,
    progress: impl Fn(u64),
) -> Result<GenerateReport, StoreError> {
    let started = Instant::now();
    let first_id = store.next_case_id().await?;
    let cast = Cast::of(city);
    let org = store.org();
    let calendar = (*store.calendar()).clone();
    let policy = store.policy().clone();
    let clock = store.clock().clone();
    let today = clock.today();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Vec<ImportCase>, u64)>(4);
    let producer = std::thread::spawn(move || {
        let g = Generator {
            season: season(today),
            cast,
            org,
            calendar,
            policy,
            clock,
            today,
        };
        let mut recent: Vec<Case> = Vec::new();
        let mut batch = Vec::with_capacity(BATCH);
        let mut events = 0u64;
        for i in 0..n {
            let id = first_id + i as i64;
            let mut rng =
                StdRng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (id as u64));
            let ic = g.case(&mut rng, id, &recent);
            events += ic.events.len() as u64;
            if recent.len() < 512 {
                recent.push(ic.case.clone());
            } else {
                recent[(id as usize) % 512] = ic.case.clone();
            }
            batch.push(ic);
            if batch.len() == BATCH {
                if tx
                    .blocking_send((std::mem::take(&mut batch), events))
                    .is_err()
                {
                    return;
                }
                events = 0;
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send((batch, events));
        }
    });
    let (mut cases, mut events) = (0u64, 0u64);
    // A few batches in flight: one is prepared while the writer commits the one before.
    let mut in_flight = std::collections::VecDeque::new();
    while let Some((batch, ev)) = rx.recv().await {
        cases += batch.len() as u64;
        events += ev;
        let store = store.clone();
        in_flight.push_back(tokio::spawn(async move { store.import(batch).await }));
        if in_flight.len() >= 3
            && let Some(oldest) = in_flight.pop_front()
        {
            oldest.await.map_err(|_| StoreError::WriterGone)??;
        }
        progress(cases);
    }
    for pending in in_flight {
        pending.await.map_err(|_| StoreError::WriterGone)??;
    }
    store.after_bulk_load().await?;
    producer
        .join()
        .map_err(|_| StoreError::Corrupt("demo generator panicked".into()))?;
    Ok(GenerateReport {
        cases,
        events,
        seconds: started.elapsed().as_secs_f64(),
    })
}

struct Generator {
    /// Cumulative weights of the days before today (index: days back), by [`SEASON`].
    season: Vec<u32>,
    cast: Cast,
    org: std::sync::Arc<OrgChart>,
    calendar: Calendar,
    policy: Policy,
    clock: Clock,
    today: NaiveDate,
}

/// One case's history being written.
struct History<'a> {
    g: &'a Generator,
    case: Case,
    events: Vec<(Event, Who, i64)>,
    day: NaiveDate,
    /// The last step's time: each step comes after it, even on the same day.
    at: i64,
    open: bool,
}

impl History<'_> {
    fn act_in(
        &mut self,
        rng: &mut StdRng,
        gap: std::ops::Range<i64>,
        who: Who,
        cmd: Command,
    ) -> bool {
        let gap = rng.random_range(gap);
        self.act(rng, gap, who, cmd)
    }

    /// A written opinion drafted by `who` `gap` days after the last step and signed by `signer`
    /// the same day or within two days.
    fn issue(&mut self, rng: &mut StdRng, gap: i64, who: Who, signer: Who, cmd: Command) -> bool {
        if !self.act(rng, gap, who, cmd) {
            return false;
        }
        if !self.case.draft.as_ref().is_some_and(|d| d.pending()) {
            return true;
        }
        let gap = rng.random_range(0..3);
        self.act(rng, gap, signer, Command::Approve)
    }

    /// Issues `cmd` as `who` `gap` days after the last step; stops the history once past today.
    fn act(&mut self, rng: &mut StdRng, gap: i64, who: Who, cmd: Command) -> bool {
        if !self.open {
            return false;
        }
        let day = self.day + Duration::days(gap);
        if day > self.g.today {
            self.open = false;
            return false;
        }
        let ctx = Ctx {
            today: day,
            by: by(&who),
            org: &self.g.org,
            calendar: &self.g.calendar,
            policy: &self.g.policy,
        };
        match lifecycle::handle(&mut self.case, &cmd, ctx) {
            Ok(events) => {
                self.day = day;
                // Within office hours, but never before the step it follows (a few minutes
                // after it, when that is later; without a draw, so that the rest of the city
                // stays as the seed made it).
                let at = self
                    .g
                    .clock
                    .ms_at(day, rng.random_range(8 * 60 + 30..17 * 60 + 30))
                    .max(self.at + 60_000 * (1 + self.events.len() as i64 % 29));
                self.at = at;
                self.events
                    .extend(events.into_iter().map(|e| (e, who.clone(), at)));
                true
            }
            Err(_) => {
                self.open = false;
                false
            }
        }
    }
}

fn by(who: &Who) -> By<'_> {
    match who {
        Who::Officer(a) => By::Officer(a),
        Who::Petitioner => By::Petitioner,
        Who::System => By::System,
    }
}

/// Cumulative weights of the 365 days before `today` (index: days back), by [`SEASON`].
fn season(today: NaiveDate) -> Vec<u32> {
    use chrono::Datelike;
    (0..365)
        .scan(0, |sum, back| {
            *sum += SEASON[(today - Duration::days(back)).month0() as usize];
            Some(*sum)
        })
        .collect()
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn chance(rng: &mut StdRng, per_mille: u32) -> bool {
    rng.random_range(0..1000) < per_mille
}

impl Generator {
    fn petitioner(&self, rng: &mut StdRng, place: &str) -> Petitioner {
        let name = format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN));
        let phone = format!(
            "1{}{:09}",
            pick(rng, &[3, 5, 7, 8, 9]),
            rng.random_range(0..1_000_000_000u64)
        );
        let id_number = chance(rng, 600).then(|| {
            let birth = NaiveDate::from_ymd_opt(1950, 1, 1).expect("date")
                + Duration::days(rng.random_range(0..20_000));
            let first17 = format!(
                "{}{}{:03}",
                pick(rng, AREA_CODES),
                birth.format("%Y%m%d"),
                rng.random_range(0..1000)
            );
            let check = id_check_char(&first17).expect("17 digits");
            format!("{first17}{check}")
        });
        Petitioner {
            name,
            phone: Some(phone),
            id_number,
            address: Some(place.to_string()),
            email: None,
        }
    }

    fn case(&self, rng: &mut StdRng, id: i64, recent: &[Case]) -> ImportCase {
        let c = &self.cast;
        let total: u32 = TEMPLATES.iter().map(|t| t.weight).sum();
        let mut roll = rng.random_range(0..total);
        let t = TEMPLATES.iter().find(|t| {
            if roll < t.weight {
                true
            } else {
                roll -= t.weight;
                false
            }
        });
        let t = t.unwrap_or(&TEMPLATES[0]);
        // Three cases in a hundred (by id, so that every other case stays as it was) are of a
        // hot matter: its place and town, one of its wordings, within its weeks.
        let hot = (id % 100 < 3).then(|| &HOT_MATTERS[(id / 100) as usize % HOT_MATTERS.len()]);
        let hot_template;
        let t = match hot {
            Some(h) => {
                hot_template = Template {
                    category: h.category,
                    target: h.target,
                    title: pick::<&str>(rng, h.titles),
                    content: pick::<&str>(rng, h.contents),
                    weight: 0,
                };
                &hot_template
            }
            None => t,
        };
        let town = match hot {
            Some(h) => &c.towns[h.town % c.towns.len()],
            None => pick(rng, &c.towns),
        };
        let village = pick(rng, &town.3);
        let place = if let Some(h) = hot {
            h.place.to_string()
        } else if t.target == Target::Town || chance(rng, 500) {
            village.1.to_string()
        } else {
            estate(rng)
        };
        // One company, road and sum per petition: its title and its text name the same.
        let company = company(rng);
        let road = road(rng);
        let amount = (rng.random_range(3..400u32) * 500).to_string();
        let months = rng.random_range(2..13u32).to_string();
        let year = rng.random_range(2019..2026u32).to_string();
        let fill = |s: &str| {
            s.replace("{place}", &place)
                .replace("{company}", &company)
                .replace("{road}", &road)
                .replace("{amount}", &amount)
                .replace("{months}", &months)
                .replace("{year}", &year)
        };
        let channel = *pick(
            rng,
            &[
                Channel::Letter,
                Channel::Letter,
                Channel::Visit,
                Channel::Visit,
                Channel::Phone,
                Channel::Phone,
                Channel::Phone,
                Channel::Online,
                Channel::Online,
                Channel::Online,
                Channel::Email,
                Channel::Video,
            ],
        );
        let t0 = match hot {
            // Growing: u² crowds the petitions towards today.
            Some(h) if h.growing => {
                let u: f64 = rng.random_range(0.0..1.0);
                self.today - Duration::days((h.starts as f64 * u * u) as i64)
            }
            Some(h) => self.today - Duration::days(h.starts - rng.random_range(0..h.lasts.max(1))),
            None => {
                let roll = rng.random_range(0..*self.season.last().expect("365 days"));
                self.today - Duration::days(self.season.partition_point(|w| *w <= roll) as i64)
            }
        };
        // The class as a registrar would confirm it from the words; 纪检监察's matters are reports
        // accusing officials, a report sent elsewhere accuses a firm or a person.
        let accuses_official = t.target == Target::Discipline;
        let class = if accuses_official {
            PetitionClass::Report
        } else {
            PetitionClass::suggest(t.title, t.content)
        };
        let is_report = class == PetitionClass::Report;
        let repeat = (!is_report && chance(rng, 40))
            .then(|| recent.get(rng.random_range(0..recent.len().max(1))))
            .flatten();
        let repeat = repeat.filter(|p| p.registered_on < t0 && !p.is_report);
        let petitioner = match repeat {
            Some(prev) => prev.petitioner.clone(),
            None => self.petitioner(rng, &place),
        };
        let crowded = std::ptr::eq(town, &c.towns[CROWDED_TOWN % c.towns.len()]);
        let collective_share = hot.map_or(if crowded { 500 } else { 80 }, |h| h.collective);
        let collective = (channel == Channel::Visit && !is_report && chance(rng, collective_share))
            .then(|| CollectiveInput {
                head_count: rng.random_range(5..60),
                representatives: (0..rng.random_range(1..=5))
                    .map(|_| self.petitioner(rng, &place))
                    .collect(),
            });
        let new = NewCase {
            channel,
            // A hot matter keeps its few wordings; other petitions are in the petitioner's words.
            title: match hot {
                Some(_) => fill(t.title),
                None => fill(&frame_title(rng, t.title)),
            },
            content: match hot {
                Some(_) => fill(t.content),
                None => fill(&wrap(rng, t.content)),
            },
            petitioner,
            category: Some(t.category.to_string()),
            region: Some(town.0.to_string()).map(|_| {
                self.org
                    .get(town.0)
                    .map(|u| u.name.clone())
                    .unwrap_or_default()
            }),
            collective,
            is_report,
            class: Some(class),
            accused_kind: (is_report && !accuses_official).then_some(AccusedKind::Other),
            accused_unit: accuses_official.then_some(town.0),
            // Some visitors go straight to the city about a town's matter (one in ten, by id, so
            // that the random stream and so the rest of the demo stay as they were).
            skip_level: channel == Channel::Visit && id % 10 == 3,
            received_on: Some(t0),
            repeat_of: repeat.map(|p| p.id),
            attachments: Vec::new(),
        };
        let allotted = xinfang_store::allot(id, t0);
        let registrar = Who::Officer(c.registrar.clone());
        let ctx = Ctx {
            today: t0,
            by: by(&registrar),
            org: &self.org,
            calendar: &self.calendar,
            policy: &self.policy,
        };
        let lifecycle::Registration { case, events, .. } =
            lifecycle::register(new, allotted, c.office, repeat, ctx)
                .expect("demo petitions are valid");
        let at = self
            .clock
            .ms_at(t0, rng.random_range(8 * 60 + 30..17 * 60 + 30));
        let open = case.status == CaseStatus::Registered;
        let mut h = History {
            g: self,
            case,
            events: events
                .into_iter()
                .map(|e| (e, registrar.clone(), at))
                .collect(),
            day: t0,
            at,
            open,
        };
        self.live(rng, &mut h, t, town, village);
        ImportCase {
            case: h.case,
            events: h.events,
            key: None,
        }
    }

    fn live(
        &self,
        rng: &mut StdRng,
        h: &mut History,
        t: &Template,
        town: &TownCast,
        village: &Village,
    ) {
        let c = &self.cast;
        let office = || Who::Officer(c.registrar.clone());
        let sort_gap = if chance(rng, 50) {
            rng.random_range(16..22)
        } else {
            rng.random_range(0..4)
        };
        // Sorting: most cases go to a unit; some are redirected to a legal channel or rejected.
        let r = rng.random_range(0..1000);
        if r < 50 {
            let ch = *pick(
                rng,
                &[
                    LegalChannel::Litigation,
                    LegalChannel::Arbitration,
                    LegalChannel::AdministrativeReconsideration,
                ],
            );
            h.act(
                rng,
                sort_gap,
                office(),
                Command::Redirect {
                    legal_channel: ch,
                    note: None,
                },
            );
            return;
        }
        if r < 80 {
            h.act(
                rng,
                sort_gap,
                office(),
                Command::Reject {
                    reason: "所反映事项已由有关机关依法处理完毕，无新的事实和理由。".into(),
                },
            );
            return;
        }
        let target = match t.target {
            Target::Department(code) => c.department(code),
            Target::Town if village.2.is_some() && chance(rng, 400) => village.0,
            Target::Town => town.0,
            Target::Discipline => c.discipline.0,
            Target::PoliticalLegal => c.political_legal.0,
        };
        // Now and then the office first sends the case to the wrong unit, which objects; one
        // department is sent (and bounces) more than its share.
        if t.target != Target::Discipline && chance(rng, 90) {
            let wrong = pick(rng, &c.departments).1;
            let wrong = match h.case.id.0 % 2 {
                0 => c.department(BOUNCING_DEPARTMENT),
                _ => wrong,
            };
            if wrong != target
                && h.act(rng, sort_gap, office(), Command::Forward { to_unit: wrong })
            {
                let (handler, _) = c.officers(wrong);
                let reason = "该事项不属于本单位职责范围，建议转有关主管部门办理。".to_string();
                if !h.act_in(rng, 1..5, Who::Officer(handler), Command::Object { reason }) {
                    return;
                }
            }
        }
        let dispatch = if chance(rng, 150) {
            Command::Assign {
                to_unit: target,
                report_due: None,
            }
        } else {
            Command::Forward { to_unit: target }
        };
        let gap = if h.case.objections > 0 {
            rng.random_range(1..3)
        } else {
            sort_gap
        };
        if !h.act(rng, gap, office(), dispatch) {
            return;
        }
        let (handler, head) = c.officers(target);
        let late = target == c.department(LATE_DEPARTMENT);
        let worker = || Who::Officer(handler.clone());
        let signer = self.signer(target, &handler);
        if chance(rng, 30) {
            let gap = rng.random_range(2..12);
            h.issue(
                rng,
                gap,
                worker(),
                signer,
                Command::Decline {
                    reason: "该事项已经依法处理，信访人未提出新的事实和理由。".into(),
                },
            );
            return;
        }
        // The late department is late by more, too: its cases stay open past their deadline.
        let accept_gap = if chance(rng, if late { 300 } else { 50 }) {
            rng.random_range(16..if late { 40 } else { 26 })
        } else {
            rng.random_range(1..12)
        };
        if !h.act(rng, accept_gap, worker(), Command::Accept) {
            return;
        }
        let mut reply_gap = if chance(rng, if late { 450 } else { 60 }) {
            rng.random_range(61..if late { 150 } else { 85 })
        } else {
            rng.random_range(5..58)
        };
        if chance(rng, 100) {
            let at = rng.random_range(30..55).min(reply_gap - 1);
            let reason = "该事项涉及多个部门，需要进一步调查核实和协调，延期办理。".to_string();
            let days = rng.random_range(10..31);
            if h.act(
                rng,
                at,
                Who::Officer(head.clone()),
                Command::Extend { days, reason },
            ) {
                reply_gap = (reply_gap - at).max(1) + rng.random_range(0..20);
            } else if !h.open {
                return;
            }
        }
        let (outcome, text) = *pick(rng, REPLIES);
        let outcome = Outcome::from_code(outcome).unwrap_or(Outcome::Explain);
        // The same conclusion in the class's words (支持 → 采纳 → 反映属实, …).
        let class = h.case.class;
        let outcome = PetitionClass::Claim
            .outcomes()
            .iter()
            .position(|o| *o == outcome)
            .map_or(outcome, |i| class.outcomes()[i]);
        if !h.issue(
            rng,
            reply_gap,
            worker(),
            signer,
            Command::Reply {
                outcome,
                text: text.to_string(),
            },
        ) {
            return;
        }
        // Suggestions and reports are closed by their answer; only rated classes are rated.
        if h.case.status == CaseStatus::Closed && h.case.deadlines.evaluation_due.is_none() {
            return;
        }
        let unhappy_bias = if outcome == Outcome::NotSupport {
            400
        } else {
            80
        };
        if chance(rng, 650) {
            let rate = |rng: &mut StdRng, unhappy| {
                let r = rng.random_range(0..1000);
                if r < unhappy {
                    Rating::Dissatisfied
                } else if r < unhappy + 250 {
                    Rating::Basically
                } else {
                    Rating::Satisfied
                }
            };
            // The late department's slowness shows in how its petitioners rate it.
            let unit_bias = if late {
                unhappy_bias + 300
            } else {
                unhappy_bias
            };
            let (office, unit) = (rate(rng, unhappy_bias), rate(rng, unit_bias));
            let gap = rng.random_range(1..20);
            h.act(
                rng,
                gap,
                Who::Petitioner,
                Command::Evaluate {
                    office,
                    unit,
                    comment: None,
                },
            );
        }
        let replied = h.case.replied_on.unwrap_or(h.day);
        let appeal = unhappy_bias / 3 + 40;
        if chance(rng, appeal) {
            let gap = (replied + Duration::days(rng.random_range(3..29)) - h.day)
                .num_days()
                .max(0);
            if !h.act(
                rng,
                gap,
                Who::Petitioner,
                Command::RequestReview {
                    reason: "对处理意见不服，申请复查。".into(),
                },
            ) {
                return;
            }
            let (reviewer, signer) = self.reviewer(h.case.review_unit);
            let gap = rng.random_range(7..29);
            h.issue(
                rng,
                gap,
                reviewer,
                signer,
                Command::Review {
                    outcome: Outcome::Explain,
                    text: "经复查，原处理意见认定事实清楚，适用法规正确，予以维持。".into(),
                },
            );
            if h.open && chance(rng, 300) {
                let reviewed = h.day;
                if h.act_in(
                    rng,
                    3..29,
                    Who::Petitioner,
                    Command::RequestRereview {
                        reason: "对复查意见不服，申请复核。".into(),
                    },
                ) {
                    let (rereviewer, signer) = self.reviewer(h.case.rereview_unit);
                    if chance(rng, 300) {
                        // Planned a week ahead, held on the day with the planned panel.
                        let gap = rng.random_range(1..4);
                        h.act(
                            rng,
                            gap,
                            rereviewer.clone(),
                            Command::ScheduleHearing {
                                hearing_on: h.day + Duration::days(gap + 7),
                                place: "市信访局听证室".into(),
                                panel: vec![
                                    "市人大代表".into(),
                                    "市政协委员".into(),
                                    "执业律师".into(),
                                    "社区代表".into(),
                                ],
                            },
                        );
                        h.act(
                            rng,
                            7,
                            rereviewer.clone(),
                            Command::StartHearing { panel: vec![] },
                        );
                        h.act_in(
                            rng,
                            0..3,
                            rereviewer.clone(),
                            Command::EndHearing {
                                conclusion: "听证员多数意见认为原处理意见正确。".into(),
                                record: "信访人陈述诉求，办理单位说明处理依据，听证员逐一提问。"
                                    .into(),
                            },
                        );
                    }
                    let gap = rng.random_range(5..25);
                    h.issue(
                        rng,
                        gap,
                        rereviewer,
                        signer,
                        Command::Rereview {
                            outcome: Outcome::NotSupport,
                            text: "经复核，维持复查意见。本意见为终结意见。".into(),
                        },
                    );
                    return;
                }
                let lapse = (reviewed + Duration::days(31) - h.day).num_days().max(0);
                h.open = true;
                h.act(rng, lapse, Who::System, Command::Close);
            } else if h.open {
                let lapse = (h.case.deadlines.rereview_request_due.unwrap_or(h.day)
                    + Duration::days(1)
                    - h.day)
                    .num_days()
                    .max(0);
                h.act(rng, lapse, Who::System, Command::Close);
            }
            return;
        }
        h.open = true;
        let lapse = (h.case.deadlines.review_request_due.unwrap_or(h.day) + Duration::days(1)
            - h.day)
            .num_days()
            .max(0);
        h.act(rng, lapse, Who::System, Command::Close);
    }

    /// Who drafts a 复查/复核 opinion of `unit`, and who signs it.
    fn reviewer(&self, unit: Option<UnitId>) -> (Who, Who) {
        let handler = unit.map_or(self.cast.leader.clone(), |u| self.cast.officers(u).0);
        let signer = unit.map_or(Who::Officer(self.cast.deputy_leader.clone()), |u| {
            self.signer(u, &handler)
        });
        (Who::Officer(handler), signer)
    }

    /// Who signs `unit`'s opinions drafted by `drafter`: the unit's head, or the deputy city
    /// leader where the head drafted it (the city's own opinions).
    fn signer(&self, unit: UnitId, drafter: &Actor) -> Who {
        let (_, head) = self.cast.officers(unit);
        if head.person == drafter.person {
            Who::Officer(self.cast.deputy_leader.clone())
        } else {
            Who::Officer(head)
        }
    }
}
