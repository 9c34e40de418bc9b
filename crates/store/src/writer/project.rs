//! The read models a batch writes beside its events: each case's row (the columns lists filter
//! on, and the state as JSON), the records' rows, the figures' tallies, units, people, notices.

use sqlx::AnyConnection;
use xinfang_domain::case::CaseStatus;
use xinfang_domain::deadline::yellow_from;
use xinfang_domain::policy::stored_limits;
use xinfang_domain::{Case, OrgChart, UnitId};

use super::batch::Pending;
use super::org::kind_code;
use crate::chain::hash_bytes;
use crate::packed;
use crate::rows::{Param, insert_rows};
use crate::{Backend, StoreError};

pub(crate) const CASE_COLUMNS: &[&str] = &[
    "id",
    "case_no",
    "query_code",
    "status",
    "channel",
    "category",
    "region",
    "title",
    "name_tag",
    "phone_tag",
    "id_tag",
    "is_report",
    "class",
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
    "signoff",
    "version",
    "state",
];

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

/// The read-model row of a case: the columns lists filter on, and the whole state as packed JSON.
/// The personal data stays out of both: the columns hold keyed tags of it, the state a digest.
pub(crate) fn case_row(
    c: &Case,
    org: &OrgChart,
    keys: &crate::personal::Keyring,
) -> Result<Vec<Param>, StoreError> {
    let [name, phone, id_number] = crate::personal::tags(keys, &c.petitioner);
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
        Param::Bytes(name.unwrap_or_default()),
        Param::OptBytes(phone),
        Param::OptBytes(id_number),
        (c.is_report as i64).into(),
        c.class.code().into(),
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
        i64::from(c.draft.as_ref().is_some_and(|d| d.pending())).into(),
        i64::from(c.version).into(),
        Param::Bytes(packed::pack(&stored_limits::as_line(|| {
            serde_json::to_string(&c.without_personal_data())
        })?)?),
    ])
}

/// Writes everything the batch decided, before its commit.
pub(super) async fn flush(
    conn: &mut AnyConnection,
    backend: Backend,
    p: &mut Pending,
    now: i64,
) -> Result<(), StoreError> {
    let units = std::mem::take(&mut p.units)
        .into_iter()
        .map(|u| {
            vec![
                u.id.0.into(),
                u.parent.map(|x| x.0).into(),
                u.name.into(),
                kind_code(u.kind).into(),
                u.path.into(),
                i64::from(u.external).into(),
            ]
        })
        .collect();
    insert_rows(
        conn,
        backend,
        "units",
        &["id", "parent_id", "name", "kind", "path", "external"],
        units,
        "",
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "people",
        &[
            "id",
            "username",
            "name",
            "unit_id",
            "roles",
            "password_hash",
        ],
        std::mem::take(&mut p.people),
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
    figures.write(conn, backend).await?;
    let mut cases: Vec<Vec<Param>> = std::mem::take(&mut p.cases)
        .into_values()
        .map(|c| case_row(&c, &p.org, &p.keys))
        .collect::<Result<_, _>>()?;
    cases.append(&mut p.imported);
    let updates: Vec<String> = CASE_COLUMNS[3..]
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let upsert = format!("ON CONFLICT (id) DO UPDATE SET {}", updates.join(", "));
    insert_rows(conn, backend, "cases", CASE_COLUMNS, cases, &upsert).await?;
    insert_rows(
        conn,
        backend,
        "import_keys",
        &["source", "key", "case_id"],
        std::mem::take(&mut p.import_keys),
        "",
    )
    .await?;
    insert_rows(
        conn,
        backend,
        "case_id_reservations",
        &["first", "last", "source", "reserved_at"],
        std::mem::take(&mut p.reservations),
        "",
    )
    .await?;
    crate::personal::flush(conn, backend, std::mem::take(&mut p.personal), now).await?;
    let events = std::mem::take(&mut p.events)
        .into_iter()
        .map(|e| {
            Ok(vec![
                e.seq.into(),
                e.case_id.into(),
                e.kind.into(),
                Param::Bytes(packed::pack(&e.payload)?),
                e.actor_kind.into(),
                e.actor_id.into(),
                e.unit_id.into(),
                e.at.into(),
                Param::Bytes(hash_bytes(&e.hash)?),
            ])
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    insert_rows(
        conn,
        backend,
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
            "hash",
        ],
        events,
        "",
    )
    .await?;
    let records = std::mem::take(&mut p.records)
        .into_values()
        .map(|r| {
            let c = r.columns;
            let path = p.org.get(c.unit).map(|u| u.path.clone())?;
            Ok(vec![
                r.id.into(),
                r.kind.into(),
                c.case_id.map(|c| c.0).into(),
                c.unit.0.into(),
                path.into(),
                c.status.into(),
                c.due.map(|d| d.to_string()).into(),
                i64::from(c.listed).into(),
                c.ref_id.into(),
                r.auto_key.into(),
                crate::personal::fields::split(&r.state, r.personal)?
                    .0
                    .into(),
                now.into(),
            ])
        })
        .collect::<Result<Vec<Vec<Param>>, StoreError>>()?;
    // An existing record keeps its key; only what the change decides is updated.
    insert_rows(
        conn,
        backend,
        "records",
        RECORD_COLUMNS,
        records,
        "ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, unit_path = excluded.unit_path, \
         status = excluded.status, due = excluded.due, listed = excluded.listed, \
         ref_id = excluded.ref_id, state = excluded.state, updated_at = excluded.updated_at",
    )
    .await?;
    crate::personal::flush_records(conn, backend, std::mem::take(&mut p.record_personal)).await?;
    insert_rows(
        conn,
        backend,
        "personal_data_log",
        crate::personal_log::COLUMNS,
        std::mem::take(&mut p.access_notes),
        "",
    )
    .await?;
    if let Some(at) = p.probe.take() {
        insert_rows(
            conn,
            backend,
            "writer_probe",
            &["id", "at"],
            vec![vec![1i64.into(), at.into()]],
            "ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        )
        .await?;
    }
    // The years the batch replaced, written whole from the calendar it leaves.
    for year in std::mem::take(&mut p.calendar_years) {
        let (first, last) = (format!("{year}-01-01"), format!("{year}-12-31"));
        sqlx::query("DELETE FROM calendar_days WHERE day >= $1 AND day <= $2")
            .bind(first)
            .bind(last)
            .execute(&mut *conn)
            .await?;
        let year_days = crate::calendar::YearSchedule::of(&p.calendar, year);
        let rows = (year_days.holidays.iter().map(|d| (d, "holiday")))
            .chain(year_days.workdays.iter().map(|d| (d, "workday")))
            .map(|(d, kind)| vec![d.to_string().into(), kind.into()])
            .collect();
        insert_rows(conn, backend, "calendar_days", &["day", "kind"], rows, "").await?;
    }
    insert_rows(
        conn,
        backend,
        "outbox",
        crate::outbox::COLUMNS,
        std::mem::take(&mut p.outbox),
        "",
    )
    .await
}
