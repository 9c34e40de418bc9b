//! What one batch will write: events appended to the chain, notices to petitioners, the states
//! of cases and records it changed, and where the log and the id sequences stand after it.

use std::collections::BTreeMap;
use std::sync::Arc;

use sqlx::{AnyConnection, AssertSqlSafe, Row};
use xinfang_domain::policy::stored_limits;
use xinfang_domain::{Calendar, Case, CaseId, Event, OrgChart, Unit};

use super::{Changed, Who};
use crate::StoreError;
use crate::chain::EventRow;
use crate::figures::FigureDelta;
use crate::rows::Param;

/// Where the log and the id sequences stand.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub next_seq: i64,
    pub last_hash: String,
    pub next_case: i64,
    pub next_unit: i64,
    pub next_person: i64,
    pub next_outbox: i64,
    pub next_record: i64,
}

/// What moved in the log since a head was known, beyond the head itself.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Moved {
    /// Units or people were created.
    pub org: bool,
    /// The holiday calendar changed.
    pub calendar: bool,
}

/// The log's kinds that change what every process keeps in memory.
const ORG_KINDS: &str = "'unit_created', 'person_created'";
const CALENDAR_KINDS: &str = "'calendar_year_set'";

impl Head {
    pub async fn load(conn: &mut AnyConnection) -> Result<Head, StoreError> {
        let (next_seq, last_hash) = last_event(conn).await?;
        // Ids reserved by an import are taken even before its cases are written.
        let reserved: i64 =
            sqlx::query("SELECT COALESCE(MAX(last), 0) AS m FROM case_id_reservations")
                .fetch_one(&mut *conn)
                .await?
                .try_get("m")?;
        let mut max = async |table: &'static str| {
            let r = sqlx::query(AssertSqlSafe(format!(
                "SELECT COALESCE(MAX(id), 0) AS m FROM {table}"
            )))
            .fetch_one(&mut *conn)
            .await?;
            Ok::<i64, StoreError>(r.try_get::<i64, _>("m")? + 1)
        };
        Ok(Head {
            next_seq,
            last_hash,
            next_case: max("cases").await?.max(reserved + 1),
            next_unit: max("units").await?,
            next_person: max("people").await?,
            next_outbox: max("outbox").await?,
            next_record: max("records").await?,
        })
    }

    /// Re-reads the head when the log moved past it (another process wrote, or a commit
    /// failed halfway), and says whether units, people or the calendar changed meanwhile.
    pub async fn catch_up(&mut self, conn: &mut AnyConnection) -> Result<Moved, StoreError> {
        let (next_seq, last_hash) = last_event(conn).await?;
        if next_seq == self.next_seq && last_hash == self.last_hash {
            return Ok(Moved::default());
        }
        let since = self.next_seq.min(next_seq) - 1;
        let kinds = |list: &str| {
            AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM events WHERE seq > $1 AND kind IN ({list})"
            ))
        };
        let org: i64 = sqlx::query(kinds(ORG_KINDS))
            .bind(since)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        let calendar: i64 = sqlx::query(kinds(CALENDAR_KINDS))
            .bind(since)
            .fetch_one(&mut *conn)
            .await?
            .try_get("n")?;
        *self = Head::load(conn).await?;
        Ok(Moved {
            org: org > 0,
            calendar: calendar > 0,
        })
    }
}

/// The next sequence number and the last hash of the chain.
async fn last_event(conn: &mut AnyConnection) -> Result<(i64, String), StoreError> {
    let (seq, hash) = crate::chain::head(&mut *conn).await?;
    Ok((seq + 1, hash))
}

/// What one batch will write.
pub(crate) struct Pending {
    pub head: Head,
    pub org: Arc<OrgChart>,
    pub org_changed: bool,
    /// The holiday calendar as the batch leaves it, and the years it replaced.
    pub calendar: Arc<Calendar>,
    pub calendar_changed: bool,
    pub calendar_years: Vec<i32>,
    pub cases: BTreeMap<i64, Case>,
    /// The stored state of each case this batch loaded, for the change to the figures.
    pub before: BTreeMap<i64, Case>,
    pub figures: FigureDelta,
    pub records: BTreeMap<i64, Changed>,
    pub events: Vec<EventRow>,
    pub units: Vec<Unit>,
    pub people: Vec<Vec<Param>>,
    pub imported: Vec<Vec<Param>>,
    /// (source, key, case id) of imported rows.
    pub import_keys: Vec<Vec<Param>>,
    /// (first, last, source, at) of case ids reserved for imports.
    pub reservations: Vec<Vec<Param>>,
    pub outbox: Vec<Vec<Param>>,
    /// Changes to the petitioner store.
    pub personal: Vec<crate::personal::Write>,
    /// Records' sealed personal data: put, or removed (`None`).
    pub record_personal: Vec<(i64, Option<crate::personal::Sealed>)>,
    pub keys: Arc<crate::personal::Keyring>,
    /// A probe's time, written to `writer_probe`.
    pub probe: Option<i64>,
    /// Lines of the personal-data log: (at, person, case, kind).
    pub access_notes: Vec<Vec<Param>>,
    /// Where petitioners follow their case, for their notices.
    pub tracking_url: Option<Arc<str>>,
}

impl Pending {
    pub fn new(
        head: Head,
        org: Arc<OrgChart>,
        calendar: Arc<Calendar>,
        keys: Arc<crate::personal::Keyring>,
    ) -> Pending {
        Pending {
            head,
            org,
            org_changed: false,
            calendar,
            calendar_changed: false,
            calendar_years: Vec::new(),
            cases: BTreeMap::new(),
            before: BTreeMap::new(),
            figures: FigureDelta::default(),
            records: BTreeMap::new(),
            events: Vec::new(),
            units: Vec::new(),
            people: Vec::new(),
            imported: Vec::new(),
            import_keys: Vec::new(),
            reservations: Vec::new(),
            outbox: Vec::new(),
            personal: Vec::new(),
            record_personal: Vec::new(),
            keys,
            probe: None,
            access_notes: Vec::new(),
            tracking_url: None,
        }
    }

    /// Appends an event to the chain.
    pub fn push_event(
        &mut self,
        case_id: Option<i64>,
        kind: &str,
        payload: String,
        who: &Who,
        at: i64,
    ) {
        let (actor_id, unit_id) = who.ids();
        let mut row = EventRow {
            seq: self.head.next_seq,
            case_id,
            kind: kind.to_string(),
            payload,
            actor_kind: who.kind().to_string(),
            actor_id,
            unit_id,
            at,
            prev_hash: std::mem::take(&mut self.head.last_hash),
            hash: String::new(),
        };
        row.hash = row.compute_hash();
        self.head.last_hash = row.hash.clone();
        self.head.next_seq += 1;
        self.events.push(row);
    }

    /// Appends a case's event and queues the petitioner's notices for it (in the outbox of the
    /// same batch, so a notice is never lost).
    pub fn push_case_event(
        &mut self,
        case: &Case,
        event: &Event,
        who: &Who,
        at: i64,
    ) -> Result<(), StoreError> {
        self.push_event(
            Some(case.id.0),
            event.kind(),
            log_payload(event, case)?,
            who,
            at,
        );
        let Some((subject, body)) = event.petitioner_message(case, self.tracking_url.as_deref())
        else {
            return Ok(());
        };
        let seq = self.head.next_seq - 1;
        for (channel, recipient) in crate::outbox::recipients(&case.petitioner) {
            let id = self.head.next_outbox;
            self.head.next_outbox += 1;
            let recipient = crate::personal::seal_recipient(&self.keys, id, &recipient);
            self.outbox.push(crate::outbox::row(
                id, case.id.0, seq, channel, recipient, &subject, &body, at,
            ));
        }
        Ok(())
    }

    /// The latest state of a case: what this batch already changed, else the read model.
    pub async fn load_case(
        &mut self,
        conn: &mut AnyConnection,
        id: CaseId,
    ) -> Result<Option<Case>, StoreError> {
        if let Some(c) = self.cases.get(&id.0) {
            return Ok(Some(c.clone()));
        }
        let row = sqlx::query(AssertSqlSafe(format!(
            "{} WHERE cases.id = $1",
            crate::personal::CASE_SELECT
        )))
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
        let case = row
            .map(|r| crate::personal::case_of(&self.keys, &r))
            .transpose()?;
        if let Some(c) = &case {
            self.before.entry(id.0).or_insert_with(|| c.clone());
        }
        Ok(case)
    }
}

/// An event as the log keeps it: a registration carries the digest of the people, not them.
pub(crate) fn log_payload(event: &Event, case: &Case) -> Result<String, StoreError> {
    Ok(stored_limits::as_line(|| match event {
        Event::Registered(registered) => {
            let mut kept = registered.without_personal_data();
            kept.personal = case.personal.clone();
            serde_json::to_string(&Event::Registered(Box::new(kept)))
        }
        _ => serde_json::to_string(event),
    })?)
}
