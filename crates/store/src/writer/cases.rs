//! Deciding the jobs on cases: registrations (with the earlier case they repeat, and the record
//! they are linked to), commands, and imports of whole histories.

use sqlx::AnyConnection;
use xinfang_domain::case::PersonalStanding;
use xinfang_domain::lifecycle::{self, Allotted, Ctx, Registration};
use xinfang_domain::personal::{PersonalChange, PersonalRequest};
use xinfang_domain::{Calendar, Case, CaseId, Command, Event, NewCase, OrgChart, UnitId};

use super::batch::Pending;
use super::records;
use super::{Link, Who, project};
use crate::auth::new_query_code;
use crate::figures::FigureDelta;
use crate::rows::Param;
use crate::{Settings, StoreError};

/// The identity of new case `id`: its number (XF, the year of `on`, the id) and a query code.
pub fn allot(id: i64, on: chrono::NaiveDate) -> Allotted {
    Allotted {
        id: CaseId(id),
        case_no: format!("XF{}{id:08}", on.format("%Y")),
        query_code: new_query_code(),
    }
}

/// A case with its whole history, written as is (demo generation and imports).
pub struct ImportCase {
    pub case: Case,
    pub events: Vec<(Event, Who, i64)>,
    /// (source, key) of a row of an earlier register: recorded with the case, so that the
    /// same row is never imported twice.
    pub key: Option<(String, String)>,
}

/// An imported case, serialised by the caller so that the writer only chains and inserts.
pub(crate) struct Prepared {
    id: i64,
    key: Option<(String, String)>,
    sealed: crate::personal::Sealed,
    row: Vec<Param>,
    events: Vec<(&'static str, String, Who, i64)>,
}

fn ctx<'a>(
    s: &'a Settings,
    org: &'a OrgChart,
    calendar: &'a Calendar,
    who: &'a Who,
    now: i64,
) -> Ctx<'a> {
    Ctx {
        today: s.clock.date_of(now),
        by: who.by(),
        org,
        calendar,
        policy: &s.policy,
    }
}

/// Registers a petition: the new case, the earlier case it repeats, and the record `link`
/// changes, all or nothing.
#[allow(clippy::too_many_arguments)]
pub(super) async fn register(
    conn: &mut AnyConnection,
    p: &mut Pending,
    s: &Settings,
    new: &NewCase,
    who: &Who,
    unit: UnitId,
    link: Option<&Link>,
    now: i64,
) -> Result<Result<Case, StoreError>, StoreError> {
    let earlier = match new.repeat_of {
        Some(id) => p.load_case(conn, id).await?,
        None => None,
    };
    let id = p.head.next_case;
    let allotted = allot(id, s.clock.date_of(now));
    let (org, calendar) = (p.org.clone(), p.calendar.clone());
    let registration = lifecycle::register(
        new.clone(),
        allotted,
        unit,
        earlier.as_ref(),
        ctx(s, &org, &calendar, who, now),
    );
    let Registration {
        mut case,
        events,
        repeated,
    } = match registration {
        Ok(r) => r,
        Err(e) => return Ok(Err(e.into())),
    };
    let sealed = crate::personal::seal(&p.keys, id, &case.personal_data())?;
    case.personal.digest = Some(sealed.digest.clone());
    // The linked record's change is decided before anything is kept, so that a refusal
    // leaves the batch as it was.
    let linked = match link {
        Some(link) => {
            let change = link(case.id);
            match records::prepare(conn, p, s, change.as_ref(), who, now).await? {
                Ok(Some(changed)) => Some(changed),
                Ok(None) => None,
                Err(e) => return Ok(Err(e)),
            }
        }
        None => None,
    };
    p.head.next_case += 1;
    p.personal.push(crate::personal::Write::Put {
        case_id: id,
        sealed,
    });
    for e in &events {
        p.push_case_event(&case, e, who, now)?;
    }
    p.cases.insert(id, case.clone());
    if let (Some(mut earlier), Some(e)) = (earlier, repeated) {
        earlier.apply(&e);
        p.push_case_event(&earlier, &e, who, now)?;
        p.cases.insert(earlier.id.0, earlier);
    }
    if let Some(changed) = linked {
        records::keep(p, changed, who, now)?;
    }
    Ok(Ok(case))
}

/// Runs a command on a case.
pub(super) async fn act(
    conn: &mut AnyConnection,
    p: &mut Pending,
    s: &Settings,
    (id, drawn_from): (CaseId, Option<u32>),
    cmd: &Command,
    who: &Who,
    now: i64,
) -> Result<Result<Case, StoreError>, StoreError> {
    let Some(mut case) = p.load_case(conn, id).await? else {
        return Ok(Err(StoreError::NotFound("信访事项")));
    };
    if let Err(e) = lifecycle::check_drawn_from(&case, drawn_from) {
        return Ok(Err(e.into()));
    }
    if cmd.joins() {
        return join(conn, p, s, case, cmd, who, now).await;
    }
    let (org, calendar) = (p.org.clone(), p.calendar.clone());
    let events = match lifecycle::handle(&mut case, cmd, ctx(s, &org, &calendar, who, now)) {
        Ok(events) => events,
        Err(e) => return Ok(Err(e.into())),
    };
    for e in &events {
        p.push_case_event(&case, e, who, now)?;
    }
    p.cases.insert(id.0, case.clone());
    Ok(Ok(case))
}

/// Merges, splits or links (#17): decided with every case the command names, written together.
async fn join(
    conn: &mut AnyConnection,
    p: &mut Pending,
    s: &Settings,
    case: Case,
    cmd: &Command,
    who: &Who,
    now: i64,
) -> Result<Result<Case, StoreError>, StoreError> {
    let mut others = Vec::new();
    for id in cmd.names_cases() {
        match p.load_case(conn, id).await? {
            Some(c) => others.push(c),
            None => return Ok(Err(StoreError::NotFound("信访事项"))),
        }
    }
    let today = s.clock.date_of(now);
    let mut next = p.head.next_case;
    let mut allot_next = || {
        next += 1;
        allot(next - 1, today)
    };
    let (org, calendar) = (p.org.clone(), p.calendar.clone());
    let ctx = ctx(s, &org, &calendar, who, now);
    let joined = match xinfang_domain::joining::decide(&case, &others, cmd, &mut allot_next, ctx) {
        Ok(j) => j,
        Err(e) => return Ok(Err(e.into())),
    };
    // New cases (a split's matters) carry the petitioner's data to the store, sealed each.
    let mut sealed = Vec::new();
    for c in &joined.created {
        sealed.push(crate::personal::seal(&p.keys, c.id.0, &c.personal_data())?);
    }
    p.head.next_case = next;
    for (mut created, sealed) in joined.created.into_iter().zip(sealed) {
        created.personal.digest = Some(sealed.digest.clone());
        p.personal.push(crate::personal::Write::Put {
            case_id: created.id.0,
            sealed,
        });
        p.cases.insert(created.id.0, created);
    }
    for c in others {
        p.cases.insert(c.id.0, c);
    }
    p.cases.insert(case.id.0, case);
    for (id, e) in &joined.events {
        let Some(c) = p.cases.get_mut(&id.0) else {
            continue;
        };
        if !matches!(e, Event::Registered(_)) {
            c.apply(e);
        }
        let c = c.clone();
        p.push_case_event(&c, e, who, now)?;
    }
    let acted = p.cases[&joined.events[0].0.0].clone();
    Ok(Ok(acted))
}

/// Acts on a lawful request about a case's personal data: the petitioner store is rewritten,
/// restricted or emptied, and the log records what was done with the digest, never the data.
pub(super) async fn personal(
    conn: &mut AnyConnection,
    p: &mut Pending,
    s: &Settings,
    id: CaseId,
    request: &PersonalRequest,
    who: &Who,
    now: i64,
) -> Result<Result<Case, StoreError>, StoreError> {
    let Some(mut case) = p.load_case(conn, id).await? else {
        return Ok(Err(StoreError::NotFound("信访事项")));
    };
    let Some(actor) = who.actor() else {
        return Ok(Err(xinfang_domain::DomainError::Forbidden(
            "个人信息请求须由工作人员办理",
        )
        .into()));
    };
    let today = s.clock.date_of(now);
    let org = p.org.clone();
    let change =
        match xinfang_domain::personal::decide(&case, request, actor, &org, &s.policy, today) {
            Ok(c) => c,
            Err(e) => return Ok(Err(e.into())),
        };
    let (standing, write) = match change {
        PersonalChange::Rewrite(petitioner) => {
            let mut data = case.personal_data();
            data.petitioner = petitioner;
            let sealed = crate::personal::seal(&p.keys, id.0, &data)?;
            case.put_personal_data(data);
            case.personal.digest = Some(sealed.digest.clone());
            (
                PersonalStanding::Kept,
                crate::personal::Write::Put {
                    case_id: id.0,
                    sealed,
                },
            )
        }
        PersonalChange::Restrict => (
            PersonalStanding::Restricted,
            crate::personal::Write::Restrict { case_id: id.0 },
        ),
        PersonalChange::Erase => (
            PersonalStanding::Erased,
            crate::personal::Write::Erase { case_id: id.0 },
        ),
    };
    if standing != PersonalStanding::Kept {
        // Processed no further: the case's row keeps no look-up tags and no notice goes out.
        case = case.without_personal_data();
    }
    let event = Event::PersonalData {
        standing,
        digest: case.personal.digest.clone(),
        reason: request.reason().trim().to_string(),
        on: today,
    };
    case.apply(&event);
    p.personal.push(write);
    p.push_case_event(&case, &event, who, now)?;
    p.cases.insert(id.0, case.clone());
    Ok(Ok(case))
}

/// Takes `count` ids from the head for an import, kept in `case_id_reservations` (where every
/// process's head starts above them) and logged.
pub(super) fn reserve(p: &mut Pending, count: i64, source: &str, who: &Who, now: i64) -> i64 {
    let first = p.head.next_case;
    let last = first + count.max(1) - 1;
    p.head.next_case = last + 1;
    p.reservations
        .push(vec![first.into(), last.into(), source.into(), now.into()]);
    let payload = serde_json::json!({ "first": first, "last": last, "source": source });
    p.push_event(None, "case_ids_reserved", payload.to_string(), who, now);
    first
}

/// Chains and keeps the prepared histories of an import.
pub(super) async fn import(
    conn: &mut sqlx::AnyConnection,
    p: &mut Pending,
    prepared: Option<(Vec<Prepared>, FigureDelta)>,
) -> Result<(), StoreError> {
    use sqlx::Row;
    let Some((cases, figures)) = prepared else {
        return Err(StoreError::Conflict("导入批次写入失败，请重新导入".into()));
    };
    // Ids are the caller's (reserved by an import, or allotted by the demo on an empty
    // database): a case that holds one of them must never be overwritten.
    if let (Some(lo), Some(hi)) = (
        cases.iter().map(|c| c.id).min(),
        cases.iter().map(|c| c.id).max(),
    ) {
        let taken: i64 = sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE id >= $1 AND id <= $2")
            .bind(lo)
            .bind(hi)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        let in_batch = p.cases.keys().any(|id| (lo..=hi).contains(id));
        if taken > 0 || in_batch {
            return Err(StoreError::Conflict(
                "导入期间有新登记的信访事项，编号已被占用：请重新导入（已导入的行会跳过）".into(),
            ));
        }
    }
    p.figures.merge(figures);
    for c in cases {
        if let Some((source, key)) = c.key {
            p.import_keys
                .push(vec![source.into(), key.into(), c.id.into()]);
        }
        p.head.next_case = p.head.next_case.max(c.id + 1);
        p.personal.push(crate::personal::Write::Put {
            case_id: c.id,
            sealed: c.sealed,
        });
        for (kind, payload, who, at) in c.events {
            p.push_event(Some(c.id), kind, payload, &who, at);
        }
        p.imported.push(c.row);
    }
    Ok(())
}

/// Serialises imported cases and their figures on the caller's task.
pub(super) fn prepare(
    cases: Vec<ImportCase>,
    org: &OrgChart,
    keys: &crate::personal::Keyring,
) -> Result<(Vec<Prepared>, FigureDelta), StoreError> {
    let mut figures = FigureDelta::default();
    let prepared = cases
        .into_iter()
        .map(|mut ic| {
            figures.add(&ic.case, 1);
            let sealed = crate::personal::seal(keys, ic.case.id.0, &ic.case.personal_data())?;
            ic.case.personal.digest = Some(sealed.digest.clone());
            let events = ic
                .events
                .into_iter()
                .map(|(e, who, at)| {
                    Ok((e.kind(), super::batch::log_payload(&e, &ic.case)?, who, at))
                })
                .collect::<Result<_, StoreError>>()?;
            Ok(Prepared {
                id: ic.case.id.0,
                key: ic.key,
                row: project::case_row(&ic.case, org, keys)?,
                sealed,
                events,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((prepared, figures))
}

impl crate::Store {
    /// Which of `keys` were imported from `source` already.
    pub async fn imported_keys(
        &self,
        source: &str,
        keys: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        use sqlx::Row;
        let mut found = std::collections::HashSet::new();
        for chunk in keys.chunks(500) {
            let marks: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
            let sql = format!(
                "SELECT key FROM import_keys WHERE source = $1 AND key IN ({})",
                marks.join(", ")
            );
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(source.to_string());
            for k in chunk {
                q = q.bind(k.clone());
            }
            for r in q.fetch_all(&self.pool).await? {
                found.insert(r.try_get::<String, _>("key")?);
            }
        }
        Ok(found)
    }

    /// The id the next registered or imported case will get.
    pub async fn next_case_id(&self) -> Result<i64, StoreError> {
        use sqlx::Row;
        let r = sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM cases")
            .fetch_one(&self.pool)
            .await?;
        Ok(r.try_get::<i64, _>("m")? + 1)
    }

    /// Closes every case whose appeal window has lapsed; returns how many were closed.
    pub async fn close_lapsed(&self) -> Result<usize, StoreError> {
        use sqlx::Row;
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
