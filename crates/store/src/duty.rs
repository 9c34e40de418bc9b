//! 值班、信息报送 kept as records (see [`xinfang_domain::duty`]): one record per unit and day
//! of the roster (setting a day again replaces it), and one per incident with its report.

use chrono::NaiveDate;
use sqlx::Row;
use xinfang_domain::Scope;
use xinfang_domain::duty::{self, DutyDay, Incident, Severity};
use xinfang_domain::{Actor, UnitId};

use crate::records::RecordQuery;
use crate::writer::RecordRow;
use crate::{Store, StoreError, Who};

const DUTY: &str = "duty_day";
const INCIDENT: &str = "incident";

fn duty_row(d: &DutyDay) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: DUTY,
        case_id: None,
        unit: d.unit,
        status: "set",
        due: Some(d.date),
        listed: false,
        ref_id: None,
        state: serde_json::to_string(d)?,
        event: "duty_set",
        auto_key: None,
    })
}

fn incident_row(
    i: &Incident,
    event: &'static str,
    clock: &crate::Clock,
) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: INCIDENT,
        case_id: None,
        unit: i.unit,
        status: if i.report.is_some() {
            "reported"
        } else {
            "due"
        },
        due: Some(clock.date_of(i.report_due_at)),
        listed: false,
        ref_id: None,
        state: serde_json::to_string(i)?,
        event,
        auto_key: None,
    })
}

impl Store {
    /// Sets (or replaces) a unit's duty for a day.
    pub async fn set_duty(
        &self,
        unit: UnitId,
        date: NaiveDate,
        leader: &str,
        officer: &str,
        phone: &str,
        by: &Actor,
    ) -> Result<DutyDay, StoreError> {
        let path = self.org().get(unit)?.path.clone();
        let existing: Option<i64> =
            sqlx::query("SELECT id FROM records WHERE kind = $1 AND unit_id = $2 AND due = $3")
                .bind(DUTY)
                .bind(unit.0)
                .bind(date.to_string())
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("id"))
                .transpose()?;
        let (leader, officer, phone, actor) = (
            leader.to_string(),
            officer.to_string(),
            phone.to_string(),
            by.clone(),
        );
        let id = self
            .record(
                existing,
                None,
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    let d = duty::set_duty(
                        id, unit, &path, date, &leader, &officer, &phone, &actor, today,
                    )?;
                    duty_row(&d)
                }),
            )
            .await?
            .expect("a record");
        self.record_state(DUTY, id)
            .await?
            .ok_or(StoreError::NotFound("值班"))
    }

    /// The roster of units within `under_path` from `from` on (at most 500 days), by date.
    pub async fn roster(&self, scope: &Scope, from: NaiveDate) -> Result<Vec<DutyDay>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        let mut days: Vec<DutyDay> = self.record_states(DUTY, &q).await?;
        days.retain(|d| d.date >= from);
        Ok(days)
    }

    /// Notes an incident; with `report`, reports it at once.
    pub async fn note_incident(
        &self,
        unit: UnitId,
        title: &str,
        severity: Severity,
        occurred_at: i64,
        report: Option<String>,
        by: &Actor,
    ) -> Result<Incident, StoreError> {
        let path = self.org().get(unit)?.path.clone();
        let (title, actor, clock) = (title.to_string(), by.clone(), self.clock().clone());
        let id = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    let now = clock.now_ms();
                    let mut i = duty::note_incident(
                        id,
                        unit,
                        &path,
                        &title,
                        severity,
                        occurred_at,
                        &actor,
                        now,
                        today,
                    )?;
                    if let Some(text) = &report {
                        i.submit(text, &actor, now, today)?;
                    }
                    incident_row(&i, "incident_noted", &clock)
                }),
            )
            .await?
            .expect("a new record");
        self.incident(id).await?.ok_or(StoreError::NotFound("信息"))
    }

    pub async fn incident(&self, id: i64) -> Result<Option<Incident>, StoreError> {
        self.record_state(INCIDENT, id).await
    }

    /// Reports a noted incident.
    pub async fn report_incident(
        &self,
        id: i64,
        text: &str,
        by: &Actor,
    ) -> Result<Incident, StoreError> {
        let (text, actor, clock) = (text.to_string(), by.clone(), self.clock().clone());
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, state, today| {
                let mut i: Incident = serde_json::from_str(state.unwrap_or("null"))?;
                i.submit(&text, &actor, clock.now_ms(), today)?;
                incident_row(&i, "incident_reported", &clock)
            }),
        )
        .await?;
        self.incident(id).await?.ok_or(StoreError::NotFound("信息"))
    }

    /// Incidents of units within `under_path`, newest first.
    pub async fn incidents(&self, scope: &Scope) -> Result<Vec<Incident>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            limit: 500,
            ..Default::default()
        };
        self.record_states(INCIDENT, &q).await
    }
}
