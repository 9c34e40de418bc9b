//! The single writer: decides commands against the latest state and commits them in batches.
//!
//! Concurrent requests queue here; the writer takes everything waiting (up to a limit), decides
//! each job in order, appends the events to the chain and writes the read models in one
//! transaction, commits once, then answers each job with its own typed reply. If the database
//! refuses the batch, each job is retried alone so that one bad job cannot sink the others.
//!
//! By concern: this file is the queue and the group commit; [`batch`] holds what one batch
//! will write (events on the chain, notices, the head); [`cases`] and [`records`] decide jobs;
//! [`org`] changes the organisation; [`project`] turns state into read-model rows.

mod batch;
mod cases;
mod org;
mod project;
pub(crate) mod records;

use std::sync::{Arc, RwLock};

use sqlx::AnyPool;
use tokio::sync::{mpsc, oneshot, watch};
use xinfang_domain::personal::PersonalRequest;
use xinfang_domain::{Actor, By, Calendar, Case, CaseId, Command, NewCase, OrgChart, UnitId};

use crate::figures::FigureDelta;
use crate::rows::Param;
use crate::{Backend, Settings, StoreError};
use batch::{Head, Pending};
pub(crate) use cases::Prepared;
pub(crate) use org::OrgOp;
pub(crate) use records::{Change, Changed};

const MAX_BATCH: usize = 1024;

/// The PostgreSQL advisory lock every process's writer takes for its transaction, so that the
/// chain stays one chain.
const WRITER_LOCK: i64 = 0x7866_7772_6974_6572; // "xfwriter"

/// Who issues a command, as the writer records it.
#[derive(Debug, Clone)]
pub enum Who {
    Officer(Actor),
    Petitioner,
    System,
}

impl Who {
    fn by(&self) -> By<'_> {
        match self {
            Who::Officer(a) => By::Officer(a),
            Who::Petitioner => By::Petitioner,
            Who::System => By::System,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Who::Officer(_) => "officer",
            Who::Petitioner => "petitioner",
            Who::System => "system",
        }
    }

    fn ids(&self) -> (Option<i64>, Option<i64>) {
        match self {
            Who::Officer(a) => (Some(a.person.0), Some(a.unit.0)),
            _ => (None, None),
        }
    }

    fn actor(&self) -> Option<&Actor> {
        match self {
            Who::Officer(a) => Some(a),
            _ => None,
        }
    }
}

impl From<&Actor> for Who {
    fn from(a: &Actor) -> Who {
        Who::Officer(a.clone())
    }
}

/// A job's answer, kept until its batch commits (or fails).
pub(crate) struct Reply<T> {
    tx: Option<oneshot::Sender<Result<T, StoreError>>>,
    outcome: Option<Result<T, StoreError>>,
}

impl<T> Reply<T> {
    fn new() -> (Reply<T>, oneshot::Receiver<Result<T, StoreError>>) {
        let (tx, rx) = oneshot::channel();
        (
            Reply {
                tx: Some(tx),
                outcome: None,
            },
            rx,
        )
    }

    fn set(&mut self, outcome: Result<T, StoreError>) {
        self.outcome = Some(outcome);
    }

    fn send(&mut self) {
        if let (Some(tx), Some(outcome)) = (self.tx.take(), self.outcome.take()) {
            let _ = tx.send(outcome);
        }
    }

    fn fail(&mut self, e: StoreError) {
        self.outcome = Some(Err(e));
        self.send();
    }
}

/// After a registration, the change it makes to a record in the same transaction (a dispute
/// that became the case, a session where the petition was taken).
pub(crate) type Link = Box<dyn Fn(CaseId) -> Box<dyn Change> + Send + Sync>;

/// What a job asks, and where its answer goes.
pub(crate) enum Work {
    Register {
        new: Box<NewCase>,
        who: Who,
        unit: UnitId,
        link: Option<Link>,
        reply: Reply<Case>,
    },
    Act {
        id: CaseId,
        cmd: Command,
        who: Who,
        /// The version of the case the command was drawn from, when its author said.
        drawn_from: Option<u32>,
        reply: Reply<Case>,
    },
    /// Taken (not copied) by the first attempt: if the batch fails, a retry finds `None` and
    /// reports the import as failed instead of writing nothing in silence.
    Import {
        cases: Option<(Vec<Prepared>, FigureDelta)>,
        reply: Reply<()>,
    },
    Org {
        op: OrgOp,
        who: Who,
        reply: Reply<i64>,
    },
    /// A lawful request about a case's personal data (correction, restriction, erasure).
    Personal {
        id: CaseId,
        request: PersonalRequest,
        who: Who,
        reply: Reply<Case>,
    },
    /// A block of case ids taken for an import's batch (the first id is the answer).
    Reserve {
        count: i64,
        source: String,
        who: Who,
        reply: Reply<i64>,
    },
    /// A line of the personal-data log (who looked up or saw whose data): written in the
    /// batch's transaction, so that concurrent look-ups share one durable commit.
    AccessNote { line: [Param; 4], reply: Reply<()> },
    /// A write that changes nothing of the cases: whether the database takes writes.
    Probe { reply: Reply<()> },
    /// No write: catch up with what other processes committed (`true` when the log moved).
    Follow { reply: Reply<bool> },
    /// One year of the holiday calendar replaced.
    Calendar {
        schedule: crate::calendar::YearSchedule,
        who: Who,
        reply: Reply<()>,
    },
    /// `None` when an automatic record with the change's key was raised before.
    Record {
        change: Box<dyn Change>,
        who: Who,
        reply: Reply<Option<Changed>>,
    },
}

impl Work {
    fn send(&mut self) {
        match self {
            Work::Register { reply, .. }
            | Work::Act { reply, .. }
            | Work::Personal { reply, .. } => reply.send(),
            Work::Import { reply, .. } => reply.send(),
            Work::Org { reply, .. } => reply.send(),
            Work::Reserve { reply, .. } => reply.send(),
            Work::Record { reply, .. } => reply.send(),
            Work::Calendar { reply, .. } => reply.send(),
            Work::Probe { reply } | Work::AccessNote { reply, .. } => reply.send(),
            Work::Follow { reply } => reply.send(),
        }
    }

    fn fail(&mut self, e: StoreError) {
        match self {
            Work::Register { reply, .. }
            | Work::Act { reply, .. }
            | Work::Personal { reply, .. } => reply.fail(e),
            Work::Import { reply, .. } => reply.fail(e),
            Work::Org { reply, .. } => reply.fail(e),
            Work::Reserve { reply, .. } => reply.fail(e),
            Work::Record { reply, .. } => reply.fail(e),
            Work::Calendar { reply, .. } => reply.fail(e),
            Work::Probe { reply } | Work::AccessNote { reply, .. } => reply.fail(e),
            Work::Follow { reply } => reply.fail(e),
        }
    }
}

#[derive(Clone)]
pub(crate) struct Handle(mpsc::Sender<Work>);

struct Writer {
    pool: AnyPool,
    backend: Backend,
    org: Arc<RwLock<Arc<OrgChart>>>,
    calendar: Arc<RwLock<Arc<Calendar>>>,
    settings: Arc<Settings>,
    keys: Arc<crate::personal::Keyring>,
    head: Head,
    /// The last committed event's sequence number, for followers of the log (the text index).
    committed: watch::Sender<i64>,
    health: Arc<Health>,
}

/// How the writer fares: batches the database refused, and whether the last commit failed
/// (the readiness of the server).
#[derive(Debug, Default)]
pub struct Health {
    refused: std::sync::atomic::AtomicU64,
    /// The error of the last failed commit, cleared by the next that succeeds.
    failing: std::sync::Mutex<Option<String>>,
}

impl Health {
    /// How many batches the database refused since start.
    pub fn refused_batches(&self) -> u64 {
        self.refused.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Why the last commit failed, while the next has not succeeded.
    pub fn failing(&self) -> Option<String> {
        self.failing.lock().expect("health lock").clone()
    }

    fn record(&self, outcome: &Result<(), String>) {
        let mut failing = self.failing.lock().expect("health lock");
        match outcome {
            Ok(()) => *failing = None,
            Err(e) => {
                self.refused
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                *failing = Some(e.clone());
            }
        }
    }
}

/// Begins a transaction that writes as the writer does, one at a time across processes:
/// SQLite's write lock taken at once, PostgreSQL's advisory writer lock (see
/// [`Writer::write_batch`]). The one-time moves and the key rotation use it too.
pub(crate) async fn begin_writing(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => {
            sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        }
        Backend::Postgres => {
            sqlx::query("BEGIN").execute(&mut *conn).await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITER_LOCK)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// Ends a transaction begun by [`begin_writing`]: commits when `result` is an answer, rolls
/// back (and passes the error on) when it is not.
pub(crate) async fn end_writing<T>(
    conn: &mut sqlx::AnyConnection,
    result: Result<T, StoreError>,
) -> Result<T, StoreError> {
    match result {
        Ok(answer) => {
            sqlx::query("COMMIT").execute(&mut *conn).await?;
            Ok(answer)
        }
        Err(e) => {
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            Err(e)
        }
    }
}

pub(crate) async fn start(
    pool: AnyPool,
    backend: Backend,
    org: Arc<RwLock<Arc<OrgChart>>>,
    calendar: Arc<RwLock<Arc<Calendar>>>,
    settings: Arc<Settings>,
    health: Arc<Health>,
    keys: Arc<crate::personal::Keyring>,
) -> Result<(Handle, watch::Receiver<i64>), StoreError> {
    let head = Head::load(&mut *pool.acquire().await?).await?;
    let (tx, rx) = mpsc::channel(8192);
    let (committed, committed_rx) = watch::channel(head.next_seq - 1);
    let writer = Writer {
        pool,
        backend,
        org,
        calendar,
        settings,
        keys,
        head,
        committed,
        health,
    };
    tokio::spawn(writer.run(rx));
    Ok((Handle(tx), committed_rx))
}

impl Writer {
    async fn run(mut self, mut rx: mpsc::Receiver<Work>) {
        while let Some(first) = rx.recv().await {
            let mut works = vec![first];
            while works.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(w) => works.push(w),
                    Err(_) => break,
                }
            }
            // Following the log writes nothing: done first, outside any transaction.
            let (follows, mut works): (Vec<Work>, Vec<Work>) = works
                .into_iter()
                .partition(|w| matches!(w, Work::Follow { .. }));
            for mut f in follows {
                match self.follow().await {
                    Ok(moved) => {
                        if let Work::Follow { reply } = &mut f {
                            reply.set(Ok(moved));
                        }
                        f.send();
                    }
                    Err(e) => f.fail(e),
                }
            }
            if works.is_empty() {
                continue;
            }
            match self.commit(&mut works).await {
                Ok(()) => works.iter_mut().for_each(Work::send),
                Err(e) if works.len() == 1 => works[0].fail(e),
                // A full or unreachable database refuses every job alike: no retry one by one.
                Err(e) if e.is_storage() => {
                    for w in &mut works {
                        w.fail(
                            e.storage_again()
                                .unwrap_or(StoreError::StorageUnavailable(e.to_string())),
                        );
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, jobs = works.len(), "batch refused; retrying its jobs one by one");
                    for w in &mut works {
                        match self.commit(std::slice::from_mut(w)).await {
                            Ok(()) => w.send(),
                            Err(e) => w.fail(e),
                        }
                    }
                }
            }
        }
    }

    /// Decides every job (each keeps its answer), writes the batch in one transaction and
    /// commits. Nothing is answered before the commit is durable. After a failure the
    /// connection is closed, whatever state the failed transaction left it in (a full disk can
    /// leave SQLite's transaction open), and the next batch starts from the head the database
    /// holds.
    async fn commit(&mut self, works: &mut [Work]) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        let result = self.write_batch(&mut conn, works).await;
        self.health
            .record(&result.as_ref().map(drop).map_err(|e| e.to_string()));
        match result {
            Ok(p) => {
                drop(conn);
                self.head = p.head;
                self.committed.send_if_modified(|last| {
                    let now = self.head.next_seq - 1;
                    std::mem::replace(last, now) != now
                });
                if p.org_changed {
                    *self.org.write().expect("org lock") = p.org;
                }
                if p.calendar_changed {
                    *self.calendar.write().expect("calendar lock") = p.calendar;
                }
                Ok(())
            }
            Err(e) => {
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                let _ = conn.close().await;
                Err(e)
            }
        }
    }

    /// Moves the head to the chain's end as the database holds it, reloading the org chart or
    /// the calendar when the events between changed them.
    async fn catch_up(&mut self, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
        let moved = self.head.catch_up(conn).await?;
        if moved.org {
            *self.org.write().expect("org lock") = Arc::new(crate::org::load_org(conn).await?);
        }
        if moved.calendar {
            let cal = crate::calendar::load(conn).await?.unwrap_or_default();
            *self.calendar.write().expect("calendar lock") = Arc::new(cal);
        }
        Ok(())
    }

    /// Catches up with commits of other processes on the database, between batches, and tells
    /// the followers of the log (the text index, the sweep) about them.
    async fn follow(&mut self) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        self.catch_up(&mut conn).await?;
        drop(conn);
        let now = self.head.next_seq - 1;
        Ok(self
            .committed
            .send_if_modified(|last| std::mem::replace(last, now) != now))
    }

    /// One batch in one transaction on `conn`: the head re-read under the write lock, every
    /// job decided, the rows written, committed.
    async fn write_batch(
        &mut self,
        conn: &mut sqlx::AnyConnection,
        works: &mut [Work],
    ) -> Result<Pending, StoreError> {
        // SQLite: take the write lock first. A deferred transaction that has read cannot become
        // a writer once another connection (a login, the outbox) has written since: it fails at
        // once with SQLITE_BUSY_SNAPSHOT, whatever the busy timeout. PostgreSQL: one writer at a
        // time across every process on the database, by a transaction-scoped advisory lock.
        begin_writing(conn, self.backend).await?;
        // The chain as the database has it: another process, or a commit that failed halfway,
        // may have moved it since this writer last wrote.
        self.catch_up(conn).await?;
        let org = self.org.read().expect("org lock").clone();
        let calendar = self.calendar.read().expect("calendar lock").clone();
        let mut p = Pending::new(self.head.clone(), org, calendar, self.keys.clone());
        p.tracking_url = self.settings.tracking_url.as_deref().map(Arc::from);
        for w in works.iter_mut() {
            self.decide(conn, &mut p, w).await?;
        }
        project::flush(conn, self.backend, &mut p, self.settings.clock.now_ms()).await?;
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        Ok(p)
    }

    /// Runs the rules for one job and keeps its answer. Refusals are answers (nothing pending
    /// is touched); only database errors abort the batch.
    async fn decide(
        &self,
        conn: &mut sqlx::AnyConnection,
        p: &mut Pending,
        work: &mut Work,
    ) -> Result<(), StoreError> {
        let s = &self.settings;
        let now = s.clock.now_ms();
        match work {
            Work::Register {
                new,
                who,
                unit,
                link,
                reply,
            } => reply.set(cases::register(conn, p, s, new, who, *unit, link.as_ref(), now).await?),
            Work::Act {
                id,
                cmd,
                who,
                drawn_from,
                reply,
            } => reply.set(cases::act(conn, p, s, (*id, *drawn_from), cmd, who, now).await?),
            Work::Personal {
                id,
                request,
                who,
                reply,
            } => reply.set(cases::personal(conn, p, s, *id, request, who, now).await?),
            Work::Import { cases, reply } => reply.set(cases::import(conn, p, cases.take()).await),
            Work::Record { change, who, reply } => {
                reply.set(records::decide(conn, p, s, change.as_ref(), who, now).await?)
            }
            Work::Org { op, who, reply } => reply.set(org::decide(p, op, who, now)),
            Work::Reserve {
                count,
                source,
                who,
                reply,
            } => reply.set(Ok(cases::reserve(p, *count, source, who, now))),
            Work::Calendar {
                schedule,
                who,
                reply,
            } => reply.set(org::set_year(p, schedule, who, now)),
            Work::AccessNote { line, reply } => {
                p.access_notes.push(line.to_vec());
                reply.set(Ok(()));
            }
            Work::Probe { reply } => {
                p.probe = Some(now);
                reply.set(Ok(()));
            }
            // Taken out of the batch by `run`; nothing to write.
            Work::Follow { reply } => reply.set(Ok(false)),
        }
        Ok(())
    }
}

impl crate::Store {
    /// Hands a job to the writer and waits for its answer.
    async fn submit<T>(&self, work: impl FnOnce(Reply<T>) -> Work) -> Result<T, StoreError> {
        let (reply, rx) = Reply::new();
        self.writer
            .0
            .send(work(reply))
            .await
            .map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Registers a petition taken in by `unit`.
    pub async fn register(&self, new: NewCase, who: Who, unit: UnitId) -> Result<Case, StoreError> {
        self.register_linked(new, who, unit, None).await
    }

    /// Registers a petition and, in the same transaction, makes `link`'s change to a record.
    pub(crate) async fn register_linked(
        &self,
        new: NewCase,
        who: Who,
        unit: UnitId,
        link: Option<Link>,
    ) -> Result<Case, StoreError> {
        let new = Box::new(new);
        self.submit(|reply| Work::Register {
            new,
            who,
            unit,
            link,
            reply,
        })
        .await
    }

    /// Runs a command on a case; returns the new state.
    pub async fn act(&self, id: CaseId, cmd: Command, who: Who) -> Result<Case, StoreError> {
        self.act_drawn_from(id, cmd, who, None).await
    }

    /// Like [`Store::act`], for a command drawn from version `drawn_from` of the case: refused
    /// with [`xinfang_domain::DomainError::Stale`] (nothing written) when someone acted since.
    pub async fn act_drawn_from(
        &self,
        id: CaseId,
        cmd: Command,
        who: Who,
        drawn_from: Option<u32>,
    ) -> Result<Case, StoreError> {
        self.submit(|reply| Work::Act {
            id,
            cmd,
            who,
            drawn_from,
            reply,
        })
        .await
    }

    /// Acts on a lawful request about a case's personal data; returns the new state.
    pub async fn personal_request(
        &self,
        id: CaseId,
        request: PersonalRequest,
        who: Who,
    ) -> Result<Case, StoreError> {
        self.submit(|reply| Work::Personal {
            id,
            request,
            who,
            reply,
        })
        .await
    }

    /// Writes new cases with their histories as they are (the demo generator, imports). The rows
    /// are serialised here, on the caller's task, so that the writer only chains and inserts
    /// them. Their ids are the caller's: taken by [`Store::reserve_case_ids`] when others may
    /// register meanwhile; a batch with an id a case holds already is refused whole.
    pub async fn import(&self, cases: Vec<cases::ImportCase>) -> Result<(), StoreError> {
        let prepared = cases::prepare(cases, &self.org(), &self.keys)?;
        self.submit(|reply| Work::Import {
            cases: Some(prepared),
            reply,
        })
        .await
    }

    /// Takes `count` case ids for an import's batch and answers the first: no registration,
    /// here or in another process on the database, is given one of them.
    pub async fn reserve_case_ids(
        &self,
        count: u32,
        source: &str,
        who: Who,
    ) -> Result<i64, StoreError> {
        self.submit(|reply| Work::Reserve {
            count: count.into(),
            source: source.to_string(),
            who,
            reply,
        })
        .await
    }

    /// Writes a record change; `None` when an automatic record with its key was raised before.
    pub(crate) async fn write_record(
        &self,
        change: Box<dyn Change>,
        who: Who,
    ) -> Result<Option<Changed>, StoreError> {
        self.submit(|reply| Work::Record { change, who, reply })
            .await
    }

    pub(crate) async fn change_org(&self, op: OrgOp, who: Who) -> Result<i64, StoreError> {
        self.submit(|reply| Work::Org { op, who, reply }).await
    }

    /// Writes through the writer and commits: whether the database takes writes now (the
    /// readiness of a server whose last commit failed).
    pub async fn probe(&self) -> Result<(), StoreError> {
        self.submit(|reply| Work::Probe { reply }).await
    }

    /// A line of the personal-data log, committed with the batch it joins.
    pub(crate) async fn write_access_note(&self, line: [Param; 4]) -> Result<(), StoreError> {
        self.submit(|reply| Work::AccessNote { line, reply }).await
    }

    /// Catches up with what other server processes on the database committed: the chain's
    /// head, the org chart and the calendar, and the followers of the log (the text index
    /// indexes their cases). `true` when the log had moved.
    pub async fn follow_log(&self) -> Result<bool, StoreError> {
        self.submit(|reply| Work::Follow { reply }).await
    }

    /// Replaces one year of the holiday calendar (see [`Store::set_calendar_year`]).
    pub(crate) async fn change_calendar(
        &self,
        schedule: crate::calendar::YearSchedule,
        who: Who,
    ) -> Result<(), StoreError> {
        self.submit(|reply| Work::Calendar {
            schedule,
            who,
            reply,
        })
        .await
    }
}

pub use cases::{ImportCase, allot};
