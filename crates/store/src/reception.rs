//! 接访 kept as records (see [`xinfang_domain::reception`]): one rotation per unit, sessions
//! (receptions and field visits) with their appointments, carried cases, whom the leader met,
//! and the cases registered there.

use chrono::NaiveDate;
use sqlx::Row;
use xinfang_domain::Scope;
use xinfang_domain::reception::{self, Rotation, Session, SessionCommand, SessionKind};
use xinfang_domain::{Actor, Case, NewCase, PersonId, UnitId};

use crate::records::RecordQuery;
use crate::writer::RecordRow;
use crate::{Store, StoreError, Who};

const ROTATION: &str = "reception_rotation";
const SESSION: &str = "reception_session";

fn session_row(s: &Session, event: &'static str) -> Result<RecordRow, StoreError> {
    Ok(RecordRow {
        kind: SESSION,
        case_id: None,
        unit: s.unit,
        status: if s.met.is_empty() { "arranged" } else { "held" },
        due: Some(s.date),
        listed: false,
        ref_id: Some(s.leader.0),
        state: serde_json::to_string(s)?,
        event,
        auto_key: None,
    })
}

impl Store {
    /// Sets (or replaces) a unit's reception rotation.
    pub async fn set_rotation(
        &self,
        unit: UnitId,
        weekday: u32,
        leaders: &[PersonId],
        starts: NaiveDate,
        by: &Actor,
    ) -> Result<Rotation, StoreError> {
        let path = self.org().get(unit)?.path.clone();
        let mut named = Vec::new();
        for id in leaders {
            let a = self.actor(*id).await?.ok_or(StoreError::NotFound("领导"))?;
            if !a.has(xinfang_domain::Role::Leader) {
                return Err(xinfang_domain::DomainError::invalid(
                    "leaders",
                    format!("{}不是领导", a.name),
                )
                .into());
            }
            named.push((a.person, a.name));
        }
        let existing: Option<i64> =
            sqlx::query("SELECT id FROM records WHERE kind = $1 AND unit_id = $2")
                .bind(ROTATION)
                .bind(unit.0)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("id"))
                .transpose()?;
        let actor = by.clone();
        let id = self
            .record(
                existing,
                None,
                Who::Officer(by.clone()),
                Box::new(move |_, _, _| {
                    let r =
                        reception::rotation(unit, &path, weekday, named.clone(), starts, &actor)?;
                    Ok(RecordRow {
                        kind: ROTATION,
                        case_id: None,
                        unit,
                        status: "set",
                        due: None,
                        listed: false,
                        ref_id: None,
                        state: serde_json::to_string(&r)?,
                        event: "rotation_set",
                        auto_key: None,
                    })
                }),
            )
            .await?
            .expect("a record");
        self.record_state(ROTATION, id)
            .await?
            .ok_or(StoreError::NotFound("接访安排"))
    }

    /// Reception days of the rotations within `under_path`, from `from` for `weeks` weeks.
    pub async fn reception_days(
        &self,
        scope: &Scope,
        from: NaiveDate,
        weeks: u32,
    ) -> Result<Vec<(UnitId, NaiveDate, PersonId, String)>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            limit: 500,
            ..Default::default()
        };
        let rotations: Vec<Rotation> = self.record_states(ROTATION, &q).await?;
        let mut days: Vec<_> = rotations
            .iter()
            .flat_map(|r| {
                reception::schedule(r, from, weeks.min(52), self.calendar())
                    .into_iter()
                    .map(|(d, p, n)| (r.unit, d, p, n))
            })
            .collect();
        days.sort_by_key(|(u, d, _, _)| (*d, *u));
        Ok(days)
    }

    /// Arranges a reception or a field visit.
    pub async fn arrange_session(
        &self,
        kind: SessionKind,
        unit: UnitId,
        date: NaiveDate,
        leader: PersonId,
        by: &Actor,
    ) -> Result<Session, StoreError> {
        let path = self.org().get(unit)?.path.clone();
        let leader = self
            .actor(leader)
            .await?
            .ok_or(StoreError::NotFound("接访领导"))?;
        let actor = by.clone();
        let id = self
            .record(
                None,
                None,
                Who::Officer(by.clone()),
                Box::new(move |id, _, today| {
                    let s =
                        reception::arrange(id, kind, unit, &path, date, &leader, &actor, today)?;
                    session_row(&s, "session_arranged")
                }),
            )
            .await?
            .expect("a new record");
        self.session(id).await?.ok_or(StoreError::NotFound("接访"))
    }

    pub async fn session(&self, id: i64) -> Result<Option<Session>, StoreError> {
        self.record_state(SESSION, id).await
    }

    /// Sessions held at units within `under_path`, by date.
    pub async fn sessions(&self, scope: &Scope) -> Result<Vec<Session>, StoreError> {
        let q = RecordQuery {
            under_path: scope.path().cloned(),
            by_due: true,
            limit: 500,
            ..Default::default()
        };
        self.record_states(SESSION, &q).await
    }

    pub async fn act_session(
        &self,
        id: i64,
        cmd: SessionCommand,
        by: &Actor,
    ) -> Result<Session, StoreError> {
        if let SessionCommand::Carry { case_id } = &cmd {
            self.case(*case_id)
                .await?
                .ok_or(StoreError::NotFound("信访事项"))?;
        }
        let org = self.org();
        let actor = by.clone();
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, state, today| {
                let mut s: Session = serde_json::from_str(state.unwrap_or("null"))?;
                let path = org.get(s.unit)?.path.clone();
                s.handle(&cmd, &actor, &path, today)?;
                session_row(&s, "session_changed")
            }),
        )
        .await?;
        self.session(id).await?.ok_or(StoreError::NotFound("接访"))
    }

    /// Registers a petition taken at the session (by a registrar) and links it to the session.
    pub async fn register_at_session(
        &self,
        id: i64,
        new: NewCase,
        by: &Actor,
    ) -> Result<Case, StoreError> {
        self.session(id)
            .await?
            .ok_or(StoreError::NotFound("接访"))?;
        let case = self
            .register(new, Who::Officer(by.clone()), by.unit)
            .await?;
        let case_id = case.id;
        self.record(
            Some(id),
            None,
            Who::Officer(by.clone()),
            Box::new(move |_, state, _| {
                let mut s: Session = serde_json::from_str(state.unwrap_or("null"))?;
                s.took(case_id);
                session_row(&s, "session_case_registered")
            }),
        )
        .await?;
        Ok(case)
    }
}
