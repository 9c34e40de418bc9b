//! The single writer: decides commands against the latest state and commits them in batches.
//!
//! Concurrent requests queue here; the writer takes everything waiting (up to a limit), decides
//! each command in order, appends the events to the chain and upserts the read models in one
//! transaction, commits once, then answers each request. If the database refuses the batch, each
//! job is retried alone so that one bad job cannot sink the others.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use sqlx::{AnyConnection, AnyPool, AssertSqlSafe, Row};
use tokio::sync::{mpsc, oneshot, watch};
use xinfang_domain::case::CaseStatus;
use xinfang_domain::deadline::yellow_from;
use xinfang_domain::lifecycle::{self, Allotted, Ctx};
use xinfang_domain::{
    Actor, By, Case, CaseId, Command, DomainError, Event, NewCase, OrgChart, Role, Unit, UnitId,
    UnitKind, UnitPath,
};

use crate::auth::new_query_code;
use crate::chain::{EventRow, GENESIS};
use crate::figures::FigureDelta;
use crate::rows::{Param, insert_rows};
use crate::{Backend, Settings, Store, StoreError};

const MAX_BATCH: usize = 1024;

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
}

/// A case with its whole history, written as is (demo generation and imports).
pub struct ImportCase {
    pub case: Case,
    pub events: Vec<(Event, Who, i64)>,
}

#[derive(Debug, Clone)]
pub enum OrgOp {
    CreateUnit {
        parent: Option<UnitId>,
        name: String,
        kind: UnitKind,
    },
    CreatePerson {
        username: String,
        name: String,
        unit: UnitId,
        roles: Vec<Role>,
        password_hash: String,
    },
}

enum Work {
    Register {
        new: Box<NewCase>,
        who: Who,
        unit: UnitId,
    },
    Act {
        id: CaseId,
        cmd: Command,
        who: Who,
    },
    /// Taken (not copied) by the first attempt: if the batch fails, a retry finds `None` and
    /// reports the import as failed instead of writing nothing in silence.
    Import(std::sync::Mutex<Option<(Vec<Prepared>, FigureDelta)>>),
    Org {
        op: OrgOp,
        who: Who,
    },
    /// A new record (`id` None) or a change to one; `auto_key` makes raising it idempotent.
    Record {
        id: Option<i64>,
        auto_key: Option<String>,
        change: RecordChange,
        who: Who,
    },
}

/// Decides a record's new state from its current one (None for a new record), given its id and
/// today; a refusal changes nothing.
pub(crate) type RecordChange = Box<
    dyn Fn(i64, Option<&str>, chrono::NaiveDate) -> Result<RecordRow, StoreError> + Send + Sync,
>;

/// A record's row and the event that logs the change.
#[derive(Debug, Clone)]
pub(crate) struct RecordRow {
    pub kind: &'static str,
    pub case_id: Option<i64>,
    pub unit: UnitId,
    pub status: &'static str,
    pub due: Option<chrono::NaiveDate>,
    pub listed: bool,
    /// The record this one belongs to (a meeting, for its agenda items and tasks).
    pub ref_id: Option<i64>,
    pub state: String,
    pub event: &'static str,
    pub auto_key: Option<String>,
}

/// An imported case, serialised by the caller so that the writer only chains and inserts.
struct Prepared {
    id: i64,
    row: Vec<Param>,
    events: Vec<(&'static str, String, Who, i64)>,
}

enum Done {
    Case(Box<Case>),
    Id(i64),
    Nothing,
}

struct Job {
    work: Work,
    reply: oneshot::Sender<Result<Done, StoreError>>,
}

#[derive(Clone)]
pub(crate) struct Handle(mpsc::Sender<Job>);

/// Where the log and the id sequences stand.
#[derive(Debug, Clone)]
struct Head {
    next_seq: i64,
    last_hash: String,
    next_case: i64,
    next_unit: i64,
    next_person: i64,
    next_outbox: i64,
    next_record: i64,
}

struct Writer {
    pool: AnyPool,
    backend: Backend,
    org: Arc<RwLock<Arc<OrgChart>>>,
    settings: Arc<Settings>,
    head: Head,
    /// The last committed event's sequence number, for followers of the log (the text index).
    committed: watch::Sender<i64>,
}

/// What one batch will write.
struct Pending {
    head: Head,
    org: Arc<OrgChart>,
    org_changed: bool,
    cases: BTreeMap<i64, Case>,
    /// The stored state of each case this batch loaded, for the change to the figures.
    before: BTreeMap<i64, Case>,
    figures: FigureDelta,
    records: BTreeMap<i64, RecordRow>,
    events: Vec<EventRow>,
    units: Vec<Unit>,
    people: Vec<Vec<Param>>,
    imported: Vec<Vec<Param>>,
    outbox: Vec<Vec<Param>>,
}

pub(crate) async fn start(
    pool: AnyPool,
    backend: Backend,
    org: Arc<RwLock<Arc<OrgChart>>>,
    settings: Arc<Settings>,
) -> Result<(Handle, watch::Receiver<i64>), StoreError> {
    let head = load_head(&pool).await?;
    let (tx, rx) = mpsc::channel(8192);
    let (committed, committed_rx) = watch::channel(head.next_seq - 1);
    let writer = Writer {
        pool,
        backend,
        org,
        settings,
        head,
        committed,
    };
    tokio::spawn(writer.run(rx));
    Ok((Handle(tx), committed_rx))
}

async fn load_head(pool: &AnyPool) -> Result<Head, StoreError> {
    let last = sqlx::query("SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1")
        .fetch_optional(pool)
        .await?;
    let (next_seq, last_hash) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")? + 1, r.try_get("hash")?),
        None => (1, GENESIS.to_string()),
    };
    let max = |table: &'static str| async move {
        let r = sqlx::query(AssertSqlSafe(format!(
            "SELECT COALESCE(MAX(id), 0) AS m FROM {table}"
        )))
        .fetch_one(pool)
        .await?;
        Ok::<i64, StoreError>(r.try_get::<i64, _>("m")? + 1)
    };
    Ok(Head {
        next_seq,
        last_hash,
        next_case: max("cases").await?,
        next_unit: max("units").await?,
        next_person: max("people").await?,
        next_outbox: max("outbox").await?,
        next_record: max("records").await?,
    })
}

impl Writer {
    async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(j) => jobs.push(j),
                    Err(_) => break,
                }
            }
            let works: Vec<&Work> = jobs.iter().map(|j| &j.work).collect();
            let outcomes = match self.commit(&works).await {
                Ok(outcomes) => outcomes,
                Err(e) if jobs.len() == 1 => vec![Err(e)],
                Err(e) => {
                    tracing::warn!(error = %e, jobs = jobs.len(), "batch refused; retrying its jobs one by one");
                    let mut outcomes = Vec::with_capacity(jobs.len());
                    for w in &works {
                        outcomes.push(match self.commit(std::slice::from_ref(w)).await {
                            Ok(mut o) => o.pop().expect("one outcome per job"),
                            Err(e) => Err(e),
                        });
                    }
                    outcomes
                }
            };
            for (job, outcome) in jobs.into_iter().zip(outcomes) {
                let _ = job.reply.send(outcome);
            }
        }
    }

    /// Decides every job, writes the batch in one transaction and commits. On a database error
    /// nothing is written and the head is reloaded.
    async fn commit(
        &mut self,
        works: &[&Work],
    ) -> Result<Vec<Result<Done, StoreError>>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let mut p = Pending {
            head: self.head.clone(),
            org: self.org.read().expect("org lock").clone(),
            org_changed: false,
            cases: BTreeMap::new(),
            before: BTreeMap::new(),
            figures: FigureDelta::default(),
            records: BTreeMap::new(),
            events: Vec::new(),
            units: Vec::new(),
            people: Vec::new(),
            imported: Vec::new(),
            outbox: Vec::new(),
        };
        let mut outcomes = Vec::with_capacity(works.len());
        for w in works {
            outcomes.push(self.decide(&mut tx, &mut p, w).await?);
        }
        let result = async {
            self.flush(&mut tx, &mut p).await?;
            tx.commit().await?;
            Ok::<(), StoreError>(())
        }
        .await;
        match result {
            Ok(()) => {
                self.head = p.head;
                self.committed.send_if_modified(|last| {
                    let now = self.head.next_seq - 1;
                    std::mem::replace(last, now) != now
                });
                if p.org_changed {
                    *self.org.write().expect("org lock") = p.org;
                }
                Ok(outcomes)
            }
            Err(e) => {
                if let Ok(head) = load_head(&self.pool).await {
                    self.head = head;
                }
                Err(e)
            }
        }
    }

    /// Runs the domain rules for one job. Domain refusals are outcomes (nothing pending is
    /// touched); only database errors abort the batch.
    async fn decide(
        &self,
        conn: &mut AnyConnection,
        p: &mut Pending,
        work: &Work,
    ) -> Result<Result<Done, StoreError>, StoreError> {
        let s = &self.settings;
        let now = s.clock.now_ms();
        let today = s.clock.date_of(now);
        let org = p.org.clone();
        let ctx = |by| Ctx {
            today,
            by,
            org: &org,
            calendar: &s.calendar,
        };
        Ok(match work {
            Work::Register { new, who, unit } => {
                let prev = match new.repeat_of {
                    Some(id) => load_case(conn, p, CaseId(id.0)).await?,
                    None => None,
                };
                let id = p.head.next_case;
                let year = today.format("%Y");
                let allotted = Allotted {
                    id: CaseId(id),
                    case_no: format!("XF{year}{id:08}"),
                    query_code: new_query_code(),
                };
                match lifecycle::register(
                    (**new).clone(),
                    allotted,
                    *unit,
                    prev.as_ref(),
                    &s.policy,
                    ctx(who.by()),
                ) {
                    Err(e) => Err(e.into()),
                    Ok(events) => {
                        p.head.next_case += 1;
                        let mut case = match &events[0] {
                            Event::Registered(c) => (**c).clone(),
                            _ => unreachable!("register starts with Registered"),
                        };
                        for e in &events[1..] {
                            case.apply(e);
                        }
                        for e in &events {
                            push_event(p, Some(id), e.kind(), serde_json::to_string(e)?, who, now);
                            queue_notices(p, &case, e, now);
                        }
                        p.cases.insert(id, case.clone());
                        // The earlier case learns it was repeated (一次性化解 no longer holds).
                        if let Some(mut prev) = prev {
                            let e = Event::RepeatedBy {
                                case: CaseId(id),
                                on: today,
                            };
                            prev.apply(&e);
                            push_event(
                                p,
                                Some(prev.id.0),
                                e.kind(),
                                serde_json::to_string(&e)?,
                                who,
                                now,
                            );
                            p.cases.insert(prev.id.0, prev);
                        }
                        Ok(Done::Case(Box::new(case)))
                    }
                }
            }
            Work::Act { id, cmd, who } => match load_case(conn, p, *id).await? {
                None => Err(StoreError::NotFound("信访事项")),
                Some(mut case) => match lifecycle::handle(&mut case, cmd, ctx(who.by())) {
                    Err(e) => Err(e.into()),
                    Ok(events) => {
                        for e in &events {
                            push_event(
                                p,
                                Some(id.0),
                                e.kind(),
                                serde_json::to_string(e)?,
                                who,
                                now,
                            );
                            queue_notices(p, &case, e, now);
                        }
                        p.cases.insert(id.0, case.clone());
                        Ok(Done::Case(Box::new(case)))
                    }
                },
            },
            Work::Import(cases) => match cases.lock().expect("import lock").take() {
                None => Err(StoreError::Conflict("导入批次写入失败，请重新导入".into())),
                Some((cases, figures)) => {
                    p.figures.merge(figures);
                    for c in cases {
                        p.head.next_case = p.head.next_case.max(c.id + 1);
                        for (kind, payload, who, at) in c.events {
                            push_event(p, Some(c.id), kind, payload, &who, at);
                        }
                        p.imported.push(c.row);
                    }
                    Ok(Done::Nothing)
                }
            },
            Work::Record {
                id,
                auto_key,
                change,
                who,
            } => record_work(conn, p, *id, auto_key.as_deref(), change, who, today, now).await?,
            Work::Org { op, who } => match self.org_op(p, op) {
                Err(e) => Err(e),
                Ok((id, kind, payload)) => {
                    push_event(p, None, kind, payload, who, now);
                    Ok(Done::Id(id))
                }
            },
        })
    }

    fn org_op(
        &self,
        p: &mut Pending,
        op: &OrgOp,
    ) -> Result<(i64, &'static str, String), StoreError> {
        match op {
            OrgOp::CreateUnit { parent, name, kind } => {
                let parent_path = p.org.check_new_unit(*parent, name)?.map(|u| u.path.clone());
                let id = UnitId(p.head.next_unit);
                let unit = Unit {
                    id,
                    parent: *parent,
                    name: name.trim().to_string(),
                    kind: *kind,
                    path: UnitPath::child(parent_path.as_ref(), id),
                };
                p.head.next_unit += 1;
                let payload = serde_json::to_string(&unit)?;
                let mut units: Vec<Unit> = p.org.units().cloned().collect();
                units.push(unit.clone());
                p.org = Arc::new(OrgChart::new(units));
                p.org_changed = true;
                p.units.push(unit);
                Ok((id.0, "unit_created", payload))
            }
            OrgOp::CreatePerson {
                username,
                name,
                unit,
                roles,
                password_hash,
            } => {
                p.org.get(*unit)?;
                let username = username.trim();
                if username.is_empty()
                    || username.len() > 40
                    || !username
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                {
                    return Err(DomainError::invalid(
                        "username",
                        "用户名应为1至40位字母、数字或 . _ -",
                    )
                    .into());
                }
                if name.trim().is_empty() || roles.is_empty() {
                    return Err(DomainError::invalid("name", "姓名和角色不能为空").into());
                }
                let id = p.head.next_person;
                p.head.next_person += 1;
                let roles_json = serde_json::to_string(roles)?;
                let payload = serde_json::json!({"id": id, "username": username, "name": name.trim(), "unit": unit, "roles": roles});
                p.people.push(vec![
                    id.into(),
                    username.into(),
                    name.trim().into(),
                    unit.0.into(),
                    roles_json.into(),
                    password_hash.clone().into(),
                ]);
                Ok((id, "person_created", payload.to_string()))
            }
        }
    }

    async fn flush(&self, conn: &mut AnyConnection, p: &mut Pending) -> Result<(), StoreError> {
        let units = std::mem::take(&mut p.units)
            .into_iter()
            .map(|u| {
                vec![
                    u.id.0.into(),
                    u.parent.map(|x| x.0).into(),
                    u.name.into(),
                    kind_code(u.kind).into(),
                    u.path.into(),
                ]
            })
            .collect();
        insert_rows(
            conn,
            self.backend,
            "units",
            &["id", "parent_id", "name", "kind", "path"],
            units,
            "",
        )
        .await?;
        let people = std::mem::take(&mut p.people);
        insert_rows(
            conn,
            self.backend,
            "people",
            &[
                "id",
                "username",
                "name",
                "unit_id",
                "roles",
                "password_hash",
            ],
            people,
            "",
        )
        .await?;
        // The figures change by each case's facts after the batch less its facts before.
        let mut figures = std::mem::take(&mut p.figures);
        for (id, case) in &p.cases {
            if let Some(before) = p.before.get(id) {
                figures.add(before, -1);
            }
            figures.add(case, 1);
        }
        figures.write(conn, self.backend).await?;
        let mut cases: Vec<Vec<Param>> = std::mem::take(&mut p.cases)
            .into_values()
            .map(|c| case_row(&c, &p.org))
            .collect::<Result<_, _>>()?;
        cases.append(&mut p.imported);
        let updates: Vec<String> = CASE_COLUMNS[3..]
            .iter()
            .map(|c| format!("{c} = excluded.{c}"))
            .collect();
        let upsert = format!("ON CONFLICT (id) DO UPDATE SET {}", updates.join(", "));
        insert_rows(conn, self.backend, "cases", CASE_COLUMNS, cases, &upsert).await?;
        let events = std::mem::take(&mut p.events)
            .into_iter()
            .map(|e| {
                vec![
                    e.seq.into(),
                    e.case_id.into(),
                    e.kind.into(),
                    e.payload.into(),
                    e.actor_kind.into(),
                    e.actor_id.into(),
                    e.unit_id.into(),
                    e.at.into(),
                    e.prev_hash.into(),
                    e.hash.into(),
                ]
            })
            .collect();
        insert_rows(
            conn,
            self.backend,
            "events",
            &[
                "seq",
                "case_id",
                "kind",
                "payload",
                "actor_kind",
                "actor_id",
                "unit_id",
                "at",
                "prev_hash",
                "hash",
            ],
            events,
            "",
        )
        .await?;
        let records = std::mem::take(&mut p.records)
            .into_iter()
            .map(|(id, r)| {
                let path = p.org.get(r.unit).map(|u| u.path.clone())?;
                Ok(vec![
                    id.into(),
                    r.kind.into(),
                    r.case_id.into(),
                    r.unit.0.into(),
                    path.into(),
                    r.status.into(),
                    r.due.map(|d| d.to_string()).into(),
                    i64::from(r.listed).into(),
                    r.ref_id.into(),
                    r.auto_key.into(),
                    r.state.into(),
                    now_ms().into(),
                ])
            })
            .collect::<Result<Vec<Vec<Param>>, StoreError>>()?;
        // An existing record keeps its key; only what the change decides is updated.
        insert_rows(
            conn,
            self.backend,
            "records",
            RECORD_COLUMNS,
            records,
            "ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
             status = excluded.status, due = excluded.due, listed = excluded.listed, \
             ref_id = excluded.ref_id, state = excluded.state, updated_at = excluded.updated_at",
        )
        .await?;
        insert_rows(
            conn,
            self.backend,
            "outbox",
            crate::outbox::COLUMNS,
            std::mem::take(&mut p.outbox),
            "",
        )
        .await?;
        Ok(())
    }
}

/// Decides one record change: skips an automatic record already raised, loads the current
/// state (this batch's, else the table's), and keeps the new row and its event in the batch.
#[allow(clippy::too_many_arguments)]
async fn record_work(
    conn: &mut AnyConnection,
    p: &mut Pending,
    id: Option<i64>,
    auto_key: Option<&str>,
    change: &RecordChange,
    who: &Who,
    today: chrono::NaiveDate,
    now: i64,
) -> Result<Result<Done, StoreError>, StoreError> {
    if let Some(key) = auto_key {
        let in_batch = p
            .records
            .values()
            .any(|r| r.auto_key.as_deref() == Some(key));
        let stored = sqlx::query("SELECT id FROM records WHERE auto_key = $1")
            .bind(key)
            .fetch_optional(&mut *conn)
            .await?;
        if in_batch || stored.is_some() {
            return Ok(Ok(Done::Nothing));
        }
    }
    let (id, current) = match id {
        None => (p.head.next_record, None),
        Some(id) => match p.records.get(&id) {
            Some(r) => (id, Some(r.state.clone())),
            None => {
                let row = sqlx::query("SELECT state FROM records WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
                match row {
                    Some(r) => (id, Some(r.try_get::<String, _>("state")?)),
                    None => return Ok(Err(StoreError::NotFound("记录"))),
                }
            }
        },
    };
    let mut row = match change(id, current.as_deref(), today) {
        Ok(row) => row,
        Err(e) => return Ok(Err(e)),
    };
    if current.is_none() {
        p.head.next_record += 1;
        row.auto_key = auto_key.map(String::from);
    } else if let Some(r) = p.records.get(&id) {
        row.auto_key = r.auto_key.clone();
    }
    let payload = format!(
        r#"{{"record":{id},"kind":"{}","state":{}}}"#,
        row.kind, row.state
    );
    push_event(p, None, row.event, payload, who, now);
    p.records.insert(id, row);
    Ok(Ok(Done::Id(id)))
}

/// The petitioner's notices for an event just pushed, into the outbox of the same batch.
fn queue_notices(p: &mut Pending, case: &Case, event: &Event, now: i64) {
    let Some((subject, body)) = event.petitioner_message(case) else {
        return;
    };
    let seq = p.head.next_seq - 1;
    for (channel, recipient) in crate::outbox::recipients(&case.petitioner) {
        let id = p.head.next_outbox;
        p.head.next_outbox += 1;
        p.outbox.push(crate::outbox::row(
            id, case.id.0, seq, channel, recipient, &subject, &body, now,
        ));
    }
}

fn push_event(
    p: &mut Pending,
    case_id: Option<i64>,
    kind: &str,
    payload: String,
    who: &Who,
    at: i64,
) {
    let (actor_id, unit_id) = who.ids();
    let mut row = EventRow {
        seq: p.head.next_seq,
        case_id,
        kind: kind.to_string(),
        payload,
        actor_kind: who.kind().to_string(),
        actor_id,
        unit_id,
        at,
        prev_hash: std::mem::take(&mut p.head.last_hash),
        hash: String::new(),
    };
    row.hash = row.compute_hash();
    p.head.last_hash = row.hash.clone();
    p.head.next_seq += 1;
    p.events.push(row);
}

/// The latest state: what this batch already changed, else the read model.
async fn load_case(
    conn: &mut AnyConnection,
    p: &mut Pending,
    id: CaseId,
) -> Result<Option<Case>, StoreError> {
    if let Some(c) = p.cases.get(&id.0) {
        return Ok(Some(c.clone()));
    }
    let row = sqlx::query("SELECT state FROM cases WHERE id = $1")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    let case = crate::read::case_state(row)?;
    if let Some(c) = &case {
        p.before.entry(id.0).or_insert_with(|| c.clone());
    }
    Ok(case)
}

pub(crate) fn kind_code(kind: UnitKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

const RECORD_COLUMNS: &[&str] = &[
    "id",
    "kind",
    "case_id",
    "unit_id",
    "unit_path",
    "status",
    "due",
    "listed",
    "ref_id",
    "auto_key",
    "state",
    "updated_at",
];

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) const CASE_COLUMNS: &[&str] = &[
    "id",
    "case_no",
    "query_code",
    "status",
    "channel",
    "category",
    "region",
    "title",
    "petitioner_name",
    "petitioner_phone",
    "petitioner_id_number",
    "is_report",
    "head_count",
    "registered_unit",
    "registered_path",
    "handling_unit",
    "handling_path",
    "responsible_unit",
    "responsible_path",
    "registered_on",
    "closed_on",
    "clock_step",
    "clock_due",
    "yellow_from",
    "lapse_due",
    "repeat_of",
    "bounces",
    "version",
    "state",
];

/// The read-model row of a case: the columns lists filter on, and the whole state as JSON.
fn case_row(c: &Case, org: &OrgChart) -> Result<Vec<Param>, StoreError> {
    let path = |u: UnitId| org.get(u).map(|u| String::from(u.path.clone()));
    let clock = c.clock();
    let lapse = match c.status {
        CaseStatus::Replied => c.deadlines.review_request_due,
        CaseStatus::Reviewed => c.deadlines.rereview_request_due,
        _ => None,
    };
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let responsible = c.responsible_unit();
    Ok(vec![
        c.id.0.into(),
        c.case_no.clone().into(),
        c.query_code.clone().into(),
        c.status.code().into(),
        c.channel.code().into(),
        c.category.clone().into(),
        c.region.clone().into(),
        c.title.clone().into(),
        c.petitioner.name.clone().into(),
        c.petitioner.phone.clone().into(),
        c.petitioner.id_number.clone().into(),
        (c.is_report as i64).into(),
        (c.collective.as_ref().map_or(1, |x| x.head_count) as i64).into(),
        c.registered_unit.0.into(),
        path(c.registered_unit)?.into(),
        c.handling_unit.map(|u| u.0).into(),
        c.handling_unit.map(path).transpose()?.into(),
        responsible.0.into(),
        path(responsible)?.into(),
        c.registered_on.to_string().into(),
        date(c.closed_on).into(),
        clock.map(|k| k.step.to_string()).into(),
        date(clock.map(|k| k.due)).into(),
        date(clock.map(|k| yellow_from(k.start, k.due))).into(),
        date(lapse).into(),
        c.repeat_of.map(|x| x.0).into(),
        (c.dispatches.max(c.objections) as i64).into(),
        1i64.into(),
        serde_json::to_string(c)?.into(),
    ])
}

impl Store {
    async fn submit(&self, work: Work) -> Result<Done, StoreError> {
        let (reply, rx) = oneshot::channel();
        self.writer
            .0
            .send(Job { work, reply })
            .await
            .map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Registers a petition taken in by `unit`.
    pub async fn register(&self, new: NewCase, who: Who, unit: UnitId) -> Result<Case, StoreError> {
        match self
            .submit(Work::Register {
                new: Box::new(new),
                who,
                unit,
            })
            .await?
        {
            Done::Case(c) => Ok(*c),
            _ => unreachable!(),
        }
    }

    /// Runs a command on a case; returns the new state.
    pub async fn act(&self, id: CaseId, cmd: Command, who: Who) -> Result<Case, StoreError> {
        match self.submit(Work::Act { id, cmd, who }).await? {
            Done::Case(c) => Ok(*c),
            _ => unreachable!(),
        }
    }

    /// Writes new cases with their histories as they are (the demo generator). The rows are
    /// serialised here, on the caller's task, so that the writer only chains and inserts them.
    /// Meant for bulk loads into a database nobody is acting on at the same time.
    pub async fn import(&self, cases: Vec<ImportCase>) -> Result<(), StoreError> {
        let org = self.org();
        let mut figures = FigureDelta::default();
        let prepared = cases
            .into_iter()
            .map(|ic| {
                figures.add(&ic.case, 1);
                let events = ic
                    .events
                    .into_iter()
                    .map(|(e, who, at)| Ok((e.kind(), serde_json::to_string(&e)?, who, at)))
                    .collect::<Result<_, StoreError>>()?;
                Ok(Prepared {
                    id: ic.case.id.0,
                    row: case_row(&ic.case, &org)?,
                    events,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.submit(Work::Import(std::sync::Mutex::new(Some((
            prepared, figures,
        )))))
        .await
        .map(|_| ())
    }

    /// The id the next registered or imported case will get.
    pub async fn next_case_id(&self) -> Result<i64, StoreError> {
        let r = sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM cases")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get::<i64, _>("m")? + 1)
    }

    /// Writes a record change; returns the record's id, or None when an automatic record with
    /// this key was raised before.
    pub(crate) async fn record(
        &self,
        id: Option<i64>,
        auto_key: Option<String>,
        who: Who,
        change: RecordChange,
    ) -> Result<Option<i64>, StoreError> {
        match self
            .submit(Work::Record {
                id,
                auto_key,
                change,
                who,
            })
            .await?
        {
            Done::Id(id) => Ok(Some(id)),
            _ => Ok(None),
        }
    }

    pub async fn create_unit(
        &self,
        parent: Option<UnitId>,
        name: &str,
        kind: UnitKind,
        who: Who,
    ) -> Result<UnitId, StoreError> {
        let op = OrgOp::CreateUnit {
            parent,
            name: name.to_string(),
            kind,
        };
        match self.submit(Work::Org { op, who }).await? {
            Done::Id(id) => Ok(UnitId(id)),
            _ => unreachable!(),
        }
    }

    pub async fn create_person(
        &self,
        username: &str,
        name: &str,
        unit: UnitId,
        roles: &[Role],
        password_hash: String,
        who: Who,
    ) -> Result<xinfang_domain::PersonId, StoreError> {
        let op = OrgOp::CreatePerson {
            username: username.to_string(),
            name: name.to_string(),
            unit,
            roles: roles.to_vec(),
            password_hash,
        };
        match self.submit(Work::Org { op, who }).await? {
            Done::Id(id) => Ok(xinfang_domain::PersonId(id)),
            _ => unreachable!(),
        }
    }

    /// Closes every case whose appeal window has lapsed; returns how many were closed.
    pub async fn close_lapsed(&self) -> Result<usize, StoreError> {
        let today = self.clock().today().to_string();
        let ids: Vec<i64> = sqlx::query("SELECT id FROM cases WHERE lapse_due < $1 ORDER BY id")
            .bind(today)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| r.try_get("id"))
            .collect::<Result<_, _>>()?;
        let mut closed = 0;
        for id in ids {
            match self.act(CaseId(id), Command::Close, Who::System).await {
                Ok(_) => closed += 1,
                Err(StoreError::Domain(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(closed)
    }
}
