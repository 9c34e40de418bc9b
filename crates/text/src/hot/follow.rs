//! Hot issues kept up with the log: at start every case is grouped (in the background; the
//! answer says when it is still being built), then each committed case joins its group as the
//! writer commits it. A request waits briefly for what was committed before it, as search does.
//! A group that passes the policy's threshold raises its 预警 once (kept in the database, so
//! once across restarts and processes).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::NaiveDate;
use tokio::sync::watch;
use xinfang_domain::access::{self, Scope};
use xinfang_domain::{Actor, Case, OrgChart, UnitId, UnitPath};
use xinfang_store::hot::HotWarning;
use xinfang_store::{Store, StoreError};

use super::grouping::{Grouper, Item};
use super::issues::{self, Counted, HotIssue};

/// Events read per step while following.
const EVENTS_PER_STEP: i64 = 20_000;
/// Cases read per step while grouping the history at start.
const CASES_PER_BATCH: i64 = 5_000;
/// How long a request waits for the cases committed before it to be grouped.
const FRESHNESS_WAIT: Duration = Duration::from_secs(3);

/// What the hot issues keep of a case besides its group.
struct Fact {
    group: i64,
    /// The group's dense number ([`Grouper::slot`]).
    slot: u32,
    region: Option<u32>,
    category: u32,
    people: u32,
    collective: bool,
    repeat: bool,
    /// The units the case is seen from ([`access::seen_from`]).
    seen: [Option<UnitId>; 3],
}

#[derive(Default)]
struct State {
    grouper: Grouper,
    /// By (registration day, case id): a period is one range.
    facts: BTreeMap<(NaiveDate, i64), Fact>,
    day_of: HashMap<i64, NaiveDate>,
    names: Vec<String>,
    name_ids: HashMap<String, u32>,
    /// Issues whose warning was raised (or found raised).
    warned: HashSet<i64>,
}

impl State {
    fn name(&mut self, s: &str) -> u32 {
        if let Some(id) = self.name_ids.get(s) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(s.to_string());
        self.name_ids.insert(s.to_string(), id);
        id
    }

    /// Takes in a case as it stands now; answers its group when it counts in hot issues.
    /// Reports (检举控告) never count (they are 纪检's alone); a case merged into another
    /// counts there.
    fn take_in(&mut self, case: &Case) -> Option<i64> {
        let key = (case.registered_on, case.id.0);
        if case.is_report || case.merged_into.is_some() {
            self.facts.remove(&key);
            return None;
        }
        let top = case.category.split('/').next().filter(|c| !c.is_empty());
        let group = self.grouper.add(Item {
            case: case.id.0,
            day: case.registered_on,
            title: &case.title,
            content: &case.content,
            region: case.region.as_deref(),
            category: top,
        });
        let slot = self.grouper.slot(group).unwrap_or(u32::MAX);
        let region = case.region.as_deref().map(|r| self.name(r));
        let category = self.name(&case.category);
        let mut seen = [None; 3];
        for (slot, unit) in seen.iter_mut().zip(access::seen_from(case)) {
            *slot = Some(unit);
        }
        self.day_of.insert(case.id.0, case.registered_on);
        self.facts.insert(
            key,
            Fact {
                group,
                slot,
                region,
                category,
                people: case.collective.as_ref().map_or(1, |c| c.head_count.max(1)),
                collective: case.collective.is_some(),
                repeat: case.repeat_of.is_some(),
                seen,
            },
        );
        Some(group)
    }

    /// The cases of `from..=to` and of the period of the same length before, as counted.
    fn counted<'a>(
        &'a self,
        from: NaiveDate,
        to: NaiveDate,
        keep: &'a Kept,
    ) -> impl Iterator<Item = Counted<'a>> + 'a {
        let before = from
            .checked_sub_signed(to - from + chrono::Duration::days(1))
            .unwrap_or(NaiveDate::MIN);
        self.facts
            .range((before, i64::MIN)..=(to, i64::MAX))
            .filter(move |(_, f)| keep.keeps(f))
            .map(|((day, case), f)| Counted {
                case: *case,
                group: f.group,
                slot: f.slot,
                day: *day,
                region: f.region.map(|r| self.names[r as usize].as_str()),
                category: &self.names[f.category as usize],
                people: f.people,
                collective: f.collective,
                repeat: f.repeat,
            })
    }

    /// The warnings due for `groups` (all groups when `None`) on `today`.
    fn due(
        &self,
        groups: Option<&HashSet<i64>>,
        today: NaiveDate,
        policy: xinfang_domain::policy::HotIssuePolicy,
    ) -> Vec<(i64, Vec<i64>, u32)> {
        let from = today - chrono::Duration::days(policy.days as i64 - 1);
        let mut tally: HashMap<i64, (Vec<i64>, u32)> = HashMap::new();
        for ((_, case), f) in self.facts.range((from, i64::MIN)..=(today, i64::MAX)) {
            if self.warned.contains(&f.group) || groups.is_some_and(|g| !g.contains(&f.group)) {
                continue;
            }
            let t = tally.entry(f.group).or_default();
            t.0.push(*case);
            t.1 += u32::from(f.collective);
        }
        tally
            .into_iter()
            .filter(|(_, (cases, collective))| {
                cases.len() as u32 >= policy.warn_cases || *collective >= policy.warn_collective
            })
            .map(|(g, (mut cases, collective))| {
                cases.reverse();
                (g, cases, collective)
            })
            .collect()
    }
}

/// Which cases a request counts.
pub struct Filter {
    /// The caller's reach ([`access::case_scope`]).
    pub scope: Scope,
    /// A unit's cases only: those seen from the unit itself, or from its subtree.
    pub unit: Option<(UnitId, UnitPath, bool)>,
}

impl Filter {
    pub fn for_actor(actor: &Actor) -> Filter {
        Filter {
            scope: access::case_scope(actor),
            unit: None,
        }
    }

    /// The filter as sets of units, worked out once per request: the units the caller's reach
    /// covers, and those the unit asked for stands for.
    fn compile(&self, org: &OrgChart) -> Kept {
        let scope = match &self.scope {
            Scope::All => None,
            scope => Some(
                org.units()
                    .filter(|u| scope.covers(&u.path))
                    .map(|u| u.id)
                    .collect(),
            ),
        };
        let unit = self.unit.as_ref().map(|(id, path, subtree)| {
            if *subtree {
                org.units()
                    .filter(|u| path.covers(&u.path))
                    .map(|u| u.id)
                    .collect()
            } else {
                HashSet::from([*id])
            }
        });
        Kept { scope, unit }
    }
}

/// A [`Filter`] compiled: `None` keeps every case.
struct Kept {
    scope: Option<HashSet<UnitId>>,
    unit: Option<HashSet<UnitId>>,
}

impl Kept {
    fn keeps(&self, f: &Fact) -> bool {
        let any = |set: &Option<HashSet<UnitId>>| {
            set.as_ref()
                .is_none_or(|s| f.seen.iter().flatten().any(|u| s.contains(u)))
        };
        any(&self.scope) && any(&self.unit)
    }
}

/// The hot issues and the task that keeps them up with the log.
#[derive(Clone)]
pub struct HotIssues {
    state: Arc<RwLock<State>>,
    followed: watch::Receiver<i64>,
    built: watch::Receiver<bool>,
}

/// Hot issues as a request sees them.
pub struct Answer {
    pub items: Vec<HotIssue>,
    /// False while the history is still being grouped after a start.
    pub complete: bool,
}

impl HotIssues {
    /// Starts grouping the store's cases, then follows its log.
    pub fn start(store: Store) -> HotIssues {
        let state = Arc::new(RwLock::new(State::default()));
        let (followed_tx, followed) = watch::channel(0);
        let (built_tx, built) = watch::channel(false);
        let task_state = state.clone();
        tokio::spawn(async move {
            follow(store, task_state, followed_tx, built_tx).await;
        });
        HotIssues {
            state,
            followed,
            built,
        }
    }

    /// Waits until the cases committed before the call are grouped (briefly); false on timeout.
    pub async fn fresh(&self, store: &Store) -> bool {
        let target = *store.committed().borrow();
        let mut followed = self.followed.clone();
        let mut built = self.built.clone();
        tokio::time::timeout(FRESHNESS_WAIT, async {
            built.wait_for(|b| *b).await.is_ok()
                && followed.wait_for(|s| *s >= target).await.is_ok()
        })
        .await
        .unwrap_or(false)
    }

    /// The hot issues of `from..=to` among the cases `filter` keeps, hottest first, at most
    /// `limit` (their titles left for the caller to fill from cases it may see).
    pub async fn issues(
        &self,
        store: &Store,
        filter: &Filter,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> Answer {
        let complete = self.fresh(store).await;
        let kept = filter.compile(&store.org());
        let state = self.read();
        let slots = state.grouper.len();
        let items = issues::rank(|| state.counted(from, to, &kept), slots, from, to, limit);
        Answer { items, complete }
    }

    /// Every case of a group (whoever may see them), oldest first.
    pub fn members(&self, group: i64) -> Vec<i64> {
        self.read()
            .facts
            .iter()
            .filter(|(_, f)| f.group == group)
            .map(|((_, case), _)| *case)
            .collect()
    }

    /// The group of a case, when it counts in hot issues.
    pub fn group_of(&self, case: i64) -> Option<i64> {
        let state = self.read();
        let day = state.day_of.get(&case)?;
        state.facts.get(&(*day, case)).map(|f| f.group)
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

async fn follow(
    store: Store,
    state: Arc<RwLock<State>>,
    followed: watch::Sender<i64>,
    built: watch::Sender<bool>,
) {
    let start = *store.committed().borrow();
    loop {
        match build(&store, &state).await {
            Ok(()) => break,
            Err(e) => {
                tracing::warn!(error = %e, "hot issues: grouping the history failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
    raise_warnings(&store, &state, None).await;
    followed.send_replace(start);
    built.send_replace(true);
    let mut committed = store.committed();
    let mut mark = start;
    loop {
        let head = *committed.borrow_and_update();
        while mark < head {
            let upto = head.min(mark + EVENTS_PER_STEP);
            match step(&store, &state, mark, upto).await {
                Ok(()) => {
                    mark = upto;
                    followed.send_replace(mark);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "hot issues: following the log failed; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        if committed.changed().await.is_err() {
            return;
        }
    }
}

/// Groups every case of the store, in id order.
async fn build(store: &Store, state: &Arc<RwLock<State>>) -> Result<(), StoreError> {
    let started = std::time::Instant::now();
    let mut after = 0;
    loop {
        let cases = store.cases_after(after, CASES_PER_BATCH).await?;
        let Some(last) = cases.last() else { break };
        after = last.id.0;
        let state = state.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = state
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            for c in &cases {
                s.take_in(c);
            }
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("hot issues: {e}")))?;
    }
    let s = state
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    tracing::info!(
        cases = s.facts.len(),
        seconds = started.elapsed().as_secs_f64(),
        "hot issues: history grouped"
    );
    Ok(())
}

async fn step(
    store: &Store,
    state: &Arc<RwLock<State>>,
    after: i64,
    upto: i64,
) -> Result<(), StoreError> {
    let cases = store.cases_touched(after, upto).await?;
    if cases.is_empty() {
        return Ok(());
    }
    let touched = {
        let state = state.clone();
        tokio::task::spawn_blocking(move || {
            let mut s = state
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            cases
                .iter()
                .filter_map(|c| s.take_in(c))
                .collect::<HashSet<i64>>()
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("hot issues: {e}")))?
    };
    raise_warnings(store, state, Some(&touched)).await;
    Ok(())
}

/// Raises the warnings due for `groups` (all when `None`); a failed write is tried again at the
/// group's next case.
async fn raise_warnings(store: &Store, state: &Arc<RwLock<State>>, groups: Option<&HashSet<i64>>) {
    let policy = store.policy().hot_issues;
    let today = store.clock().today();
    let due = state
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .due(groups, today, policy);
    for (issue, cases, collective) in due {
        let w = HotWarning {
            issue,
            raised_at_ms: store.clock().now_ms(),
            raised_on: today,
            case_count: cases.len() as u32,
            cases,
            collective,
            days: policy.days,
        };
        match store.raise_hot_warning(&w).await {
            Ok(new) => {
                if new {
                    tracing::info!(issue, cases = w.case_count, "hot issues: warning raised");
                }
                state
                    .write()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .warned
                    .insert(issue);
            }
            Err(e) => {
                tracing::warn!(error = %e, issue, "hot issues: the warning could not be kept")
            }
        }
    }
}
