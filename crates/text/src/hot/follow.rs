//! Hot issues kept up with the log: at start the snapshot is read (or, without one, every case
//! is grouped, in the background; the answer says when it is still being built), then each
//! committed case joins its group as the writer commits it. A request waits briefly for what was committed before it, as search does.
//! A group that passes the policy's threshold raises its 预警 once (kept in the database, so
//! once across restarts and processes).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use xinfang_domain::access::{self, Scope};
use xinfang_domain::{Actor, Case, OrgChart, UnitId, UnitPath};
use xinfang_store::hot::HotWarning;
use xinfang_store::{Store, StoreError};

use super::facts::{self, Fact, Facts};
use super::grouping::{Grouper, Item};
use super::issues::{self, Counted, HotIssue};
use super::names::Names;
use super::snapshot;

/// Events read per step while following.
const EVENTS_PER_STEP: i64 = 20_000;
/// Cases read per step while grouping the history at start.
const CASES_PER_BATCH: i64 = 5_000;
/// How long a request waits for the cases committed before it to be grouped.
const FRESHNESS_WAIT: Duration = Duration::from_secs(3);
/// How often the snapshot is kept while cases come in (and when the server stops): a start
/// reads it and follows the log from there.
const SAVE_EVERY: Duration = Duration::from_secs(10 * 60);

/// Everything the hot issues hold: kept across restarts as a snapshot (`hot::snapshot`).
#[derive(Default, Serialize, Deserialize)]
pub(super) struct State {
    grouper: Grouper,
    facts: Facts,
    /// Regions and categories.
    names: Names,
    /// Issues whose warning was raised (or found raised).
    warned: HashSet<i64>,
    /// The log position of the snapshot this state was read from.
    #[serde(skip)]
    loaded_at: Option<i64>,
}

impl State {
    /// Rebuilds what a snapshot does not hold.
    pub(super) fn reindex(&mut self) {
        self.grouper.reindex();
        self.facts.reindex();
        self.names.reindex();
    }

    /// Cases that count.
    pub(super) fn len(&self) -> usize {
        self.facts.len()
    }

    /// Takes in a case as it stands now; answers its group when it counts in hot issues.
    /// Reports (检举控告) never count (they are 纪检's alone); a case merged into another
    /// counts there.
    fn take_in(&mut self, case: &Case) -> Option<i64> {
        if case.is_report || case.merged_into.is_some() {
            self.facts.remove(case.id.0);
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
        let slot = self.grouper.slot(group).unwrap_or(facts::GONE);
        let region = case
            .region
            .as_deref()
            .map_or(facts::NONE, |r| self.names.id(r));
        let category = self.names.id(&case.category);
        let mut seen = [0; 3];
        for (slot, unit) in seen.iter_mut().zip(access::seen_from(case)) {
            *slot = unit.0;
        }
        self.facts.put(Fact {
            day: facts::day_of(case.registered_on),
            case: case.id.0,
            group,
            slot,
            region,
            category,
            people: case.collective.as_ref().map_or(1, |c| c.head_count.max(1)),
            collective: case.collective.is_some(),
            repeat: case.repeat_of.is_some(),
            seen,
        });
        Some(group)
    }

    /// The cases of `from..=to` and of the period of the same length before, as counted.
    fn counted<'a>(
        &'a self,
        from: NaiveDate,
        to: NaiveDate,
        keep: &'a Kept,
    ) -> impl Iterator<Item = Counted> + 'a {
        let before = from
            .checked_sub_signed(to - from + chrono::Duration::days(1))
            .unwrap_or(NaiveDate::MIN);
        self.facts
            .range(facts::day_of(before), facts::day_of(to))
            .filter(move |f| keep.keeps(f))
            .map(|f| Counted {
                case: f.case,
                group: f.group,
                slot: f.slot,
                day: f.day,
                region: (f.region != facts::NONE).then_some(f.region),
                category: f.category,
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
        for f in self.facts.range(facts::day_of(from), facts::day_of(today)) {
            if self.warned.contains(&f.group) || groups.is_some_and(|g| !g.contains(&f.group)) {
                continue;
            }
            let t = tally.entry(f.group).or_default();
            t.0.push(f.case);
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
        let set = |keep: &dyn Fn(&UnitPath, UnitId) -> bool| Units::of(org, keep);
        let scope = match &self.scope {
            Scope::All => None,
            scope => Some(set(&|path, _| scope.covers(path))),
        };
        let unit = self.unit.as_ref().map(|(id, path, subtree)| {
            if *subtree {
                set(&|p, _| path.covers(p))
            } else {
                set(&|_, u| u == *id)
            }
        });
        Kept { scope, unit }
    }
}

/// A set of units as a bit per unit id (ids are small and dense; a case is looked up three
/// times per request, a million cases in a year).
struct Units(Vec<bool>);

impl Units {
    fn of(org: &OrgChart, keep: &dyn Fn(&UnitPath, UnitId) -> bool) -> Units {
        let kept: Vec<UnitId> = org
            .units()
            .filter(|u| keep(&u.path, u.id))
            .map(|u| u.id)
            .collect();
        let size = kept
            .iter()
            .map(|u| u.0.max(0) as usize + 1)
            .max()
            .unwrap_or(0);
        let mut bits = vec![false; size];
        for u in kept {
            bits[u.0.max(0) as usize] = true;
        }
        Units(bits)
    }

    fn contains(&self, unit: i64) -> bool {
        usize::try_from(unit).is_ok_and(|u| self.0.get(u).copied().unwrap_or(false))
    }
}

/// A [`Filter`] compiled: `None` keeps every case.
struct Kept {
    scope: Option<Units>,
    unit: Option<Units>,
}

impl Kept {
    fn keeps(&self, f: &Fact) -> bool {
        let any = |set: &Option<Units>| {
            set.as_ref()
                .is_none_or(|s| f.seen.iter().any(|u| *u != 0 && s.contains(*u)))
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
    /// Where the snapshot is kept (none: grouped from scratch at every start).
    snapshot: Option<Arc<Path>>,
}

/// Hot issues as a request sees them.
pub struct Answer {
    pub items: Vec<HotIssue>,
    /// False while the history is still being grouped after a start.
    pub complete: bool,
}

impl HotIssues {
    /// Starts from the snapshot at `snapshot` when it is of this database (else groups the
    /// store's cases), then follows its log, saving the snapshot now and then.
    pub fn start(store: Store, snapshot: Option<PathBuf>) -> HotIssues {
        let state = Arc::new(RwLock::new(State::default()));
        let (followed_tx, followed) = watch::channel(0);
        let (built_tx, built) = watch::channel(false);
        let hot = HotIssues {
            state,
            followed,
            built,
            snapshot: snapshot.map(Into::into),
        };
        let task = hot.clone();
        tokio::spawn(async move {
            task.follow(store, followed_tx, built_tx).await;
        });
        hot
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
        let state = self.settled();
        let slots = state.grouper.len();
        let names = state.names.all();
        let items = issues::rank(
            || state.counted(from, to, &kept),
            slots,
            names,
            from,
            to,
            limit,
        );
        Answer { items, complete }
    }

    /// Every case of a group (whoever may see them), oldest first.
    pub fn members(&self, group: i64) -> Vec<i64> {
        let state = self.read();
        let mut cases: Vec<(facts::Day, i64)> = state
            .facts
            .all()
            .filter(|f| f.group == group)
            .map(|f| (f.day, f.case))
            .collect();
        cases.sort_unstable();
        cases.into_iter().map(|(_, case)| case).collect()
    }

    /// The group of a case, when it counts in hot issues.
    pub fn group_of(&self, case: i64) -> Option<i64> {
        self.read().facts.get(case).map(|f| f.group)
    }

    /// Keeps the snapshot now (when there is a place for it and the history is grouped): a
    /// start after this one reads it instead of grouping every case again.
    pub async fn save(&self, store: &Store) -> Result<(), StoreError> {
        let Some(path) = self.snapshot.clone() else {
            return Ok(());
        };
        if !*self.built.borrow() {
            return Ok(());
        }
        let seq = *self.followed.borrow();
        let hash = store.event_hash(seq).await?.unwrap_or_default();
        let state = self.state.clone();
        let started = std::time::Instant::now();
        let bytes = tokio::task::spawn_blocking(move || {
            let s = state
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            snapshot::save(&path, seq, &hash, &s)
        })
        .await
        .map_err(|e| StoreError::Corrupt(format!("hot issues: {e}")))?
        .map_err(|e| StoreError::Corrupt(format!("hot issues: snapshot: {e}")))?;
        tracing::info!(
            seq,
            bytes,
            seconds = started.elapsed().as_secs_f64(),
            "hot issues: snapshot kept"
        );
        Ok(())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The state with every fact in day order (those taken in out of order sorted in first).
    fn settled(&self) -> std::sync::RwLockReadGuard<'_, State> {
        if self.read().facts.unsettled() {
            self.write().facts.settle();
        }
        self.read()
    }

    async fn follow(&self, store: Store, followed: watch::Sender<i64>, built: watch::Sender<bool>) {
        let mut mark = loop {
            match self.begin(&store).await {
                Ok(mark) => break mark,
                Err(e) => {
                    tracing::warn!(error = %e, "hot issues: grouping the history failed; retrying");
                    *self.write() = State::default();
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        raise_warnings(&store, &self.state, None).await;
        followed.send_replace(mark);
        built.send_replace(true);
        let mut saved = (mark, tokio::time::Instant::now());
        // A state just read from the snapshot at `mark` needs no keeping again.
        if self.snapshot.is_some() && self.read_from_snapshot() != Some(mark) {
            self.save_logged(&store, mark, &mut saved).await;
        }
        let mut committed = store.committed();
        loop {
            let head = *committed.borrow_and_update();
            while mark < head {
                let upto = head.min(mark + EVENTS_PER_STEP);
                match step(&store, &self.state, mark, upto).await {
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
            let due = saved.1 + SAVE_EVERY;
            tokio::select! {
                changed = committed.changed() => if changed.is_err() { return },
                _ = tokio::time::sleep_until(due), if self.snapshot.is_some() && saved.0 < mark => {
                    self.save_logged(&store, mark, &mut saved).await;
                }
            }
        }
    }

    async fn save_logged(&self, store: &Store, mark: i64, saved: &mut (i64, tokio::time::Instant)) {
        *saved = (mark, tokio::time::Instant::now());
        if let Err(e) = self.save(store).await {
            tracing::warn!(error = %e, "hot issues: the snapshot could not be kept");
        }
    }

    /// The log position of the snapshot the state was read from at start (none when the
    /// history was grouped anew).
    pub fn read_from_snapshot(&self) -> Option<i64> {
        self.read().loaded_at
    }

    /// Reads the snapshot when it is of this database, else groups every case; answers the log
    /// position the state holds.
    async fn begin(&self, store: &Store) -> Result<i64, StoreError> {
        if let Some(path) = self.snapshot.clone() {
            let started = std::time::Instant::now();
            let read = tokio::task::spawn_blocking(move || snapshot::load(&path))
                .await
                .map_err(|e| StoreError::Corrupt(format!("hot issues: {e}")))?;
            match read {
                Ok(Some((seq, hash, mut state))) => {
                    if store.event_hash(seq).await?.as_deref() == Some(hash.as_str()) {
                        state.loaded_at = Some(seq);
                        tracing::info!(
                            seq,
                            cases = state.len(),
                            seconds = started.elapsed().as_secs_f64(),
                            "hot issues: snapshot read"
                        );
                        *self.write() = state;
                        return Ok(seq);
                    }
                    tracing::warn!(
                        seq,
                        "hot issues: the snapshot is of another log (a restore?): grouping anew"
                    );
                }
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "hot issues: unreadable snapshot: grouping anew")
                }
            }
        }
        let start = *store.committed().borrow();
        build(store, &self.state).await?;
        Ok(start)
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
    let mut s = state
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    s.facts.settle();
    tracing::info!(
        cases = s.len(),
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
    let due = {
        let mut s = state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        s.facts.settle();
        s.due(groups, today, policy)
    };
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
