//! Deciding the jobs on cases: registrations (with the earlier case they repeat, and the record
//! they are linked to), commands, and imports of whole histories.

use sqlx::AnyConnection;
use xinfang_domain::lifecycle::{self, Allotted, Ctx, Registration};
use xinfang_domain::{Calendar, Case, CaseId, Command, Event, NewCase, OrgChart, UnitId};

use super::batch::Pending;
use super::records;
use super::{Link, Who, project};
use crate::auth::new_query_code;
use crate::figures::FigureDelta;
use crate::rows::Param;
use crate::{Settings, StoreError};

/// A case with its whole history, written as is (demo generation and imports).
pub struct ImportCase {
    pub case: Case,
    pub events: Vec<(Event, Who, i64)>,
}

/// An imported case, serialised by the caller so that the writer only chains and inserts.
pub(crate) struct Prepared {
    id: i64,
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
    let today = s.clock.date_of(now);
    let allotted = Allotted {
        id: CaseId(id),
        case_no: format!("XF{}{id:08}", today.format("%Y")),
        query_code: new_query_code(),
    };
    let (org, calendar) = (p.org.clone(), p.calendar.clone());
    let registration = lifecycle::register(
        new.clone(),
        allotted,
        unit,
        earlier.as_ref(),
        &s.policy,
        ctx(s, &org, &calendar, who, now),
    );
    let Registration {
        case,
        events,
        repeated,
    } = match registration {
        Ok(r) => r,
        Err(e) => return Ok(Err(e.into())),
    };
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
        records::keep(p, changed, who, now);
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

/// Chains and keeps the prepared histories of an import.
pub(super) fn import(
    p: &mut Pending,
    prepared: Option<(Vec<Prepared>, FigureDelta)>,
) -> Result<(), StoreError> {
    let Some((cases, figures)) = prepared else {
        return Err(StoreError::Conflict("导入批次写入失败，请重新导入".into()));
    };
    p.figures.merge(figures);
    for c in cases {
        p.head.next_case = p.head.next_case.max(c.id + 1);
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
) -> Result<(Vec<Prepared>, FigureDelta), StoreError> {
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
                row: project::case_row(&ic.case, org)?,
                events,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok((prepared, figures))
}

impl crate::Store {
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
