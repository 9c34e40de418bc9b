//! Changing the organisation: new units in the tree, new people; each in the log.

use std::sync::Arc;

use xinfang_domain::{DomainError, OrgChart, PersonId, Role, Unit, UnitId, UnitKind, UnitPath};

use super::Who;
use super::batch::Pending;
use crate::StoreError;
use crate::calendar::YearSchedule;

#[derive(Debug, Clone)]
pub(crate) enum OrgOp {
    CreateUnit {
        parent: Option<UnitId>,
        name: String,
        kind: UnitKind,
        external: bool,
    },
    CreatePerson {
        username: String,
        name: String,
        unit: UnitId,
        roles: Vec<Role>,
        password_hash: String,
    },
}

/// Decides and keeps an organisation change; the new unit's or person's id.
pub(super) fn decide(p: &mut Pending, op: &OrgOp, who: &Who, now: i64) -> Result<i64, StoreError> {
    let (id, kind, payload) = match op {
        OrgOp::CreateUnit {
            parent,
            name,
            kind,
            external,
        } => {
            let parent_path = p
                .org
                .check_new_unit(*parent, name, *external)?
                .map(|u| u.path.clone());
            let id = UnitId(p.head.next_unit);
            let unit = Unit {
                id,
                parent: *parent,
                name: name.trim().to_string(),
                kind: *kind,
                path: UnitPath::child(parent_path.as_ref(), id),
                external: *external,
            };
            p.head.next_unit += 1;
            let payload = serde_json::to_string(&unit)?;
            let mut units: Vec<Unit> = p.org.units().cloned().collect();
            units.push(unit.clone());
            p.org = Arc::new(OrgChart::new(units));
            p.org_changed = true;
            p.units.push(unit);
            (id.0, "unit_created", payload)
        }
        OrgOp::CreatePerson {
            username,
            name,
            unit,
            roles,
            password_hash,
        } => {
            if p.org.get(*unit)?.external {
                return Err(DomainError::invalid(
                    "unit_id",
                    "外部机关（本平台以上）不在本平台办公，不能为其设置账号",
                )
                .into());
            }
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
            (id, "person_created", payload.to_string())
        }
    };
    p.push_event(None, kind, payload, who, now);
    Ok(id)
}

/// Replaces one year of the holiday calendar, in the log.
pub(super) fn set_year(
    p: &mut Pending,
    schedule: &YearSchedule,
    who: &Who,
    now: i64,
) -> Result<(), StoreError> {
    let cal = p
        .calendar
        .with_year(schedule.year, &schedule.holidays, &schedule.workdays)?;
    p.calendar = Arc::new(cal);
    p.calendar_changed = true;
    p.calendar_years.push(schedule.year);
    let payload = serde_json::json!({
        "year": schedule.year,
        "holidays": schedule.holidays,
        "workdays": schedule.workdays,
    });
    p.push_event(None, "calendar_year_set", payload.to_string(), who, now);
    Ok(())
}

impl crate::Store {
    pub async fn create_unit(
        &self,
        parent: Option<UnitId>,
        name: &str,
        kind: UnitKind,
        who: Who,
    ) -> Result<UnitId, StoreError> {
        self.add_unit(parent, name, kind, false, who).await
    }

    /// Adds a body above the deployment (see [`Unit::external`]): a root, or under another one.
    pub async fn create_external_unit(
        &self,
        parent: Option<UnitId>,
        name: &str,
        kind: UnitKind,
        who: Who,
    ) -> Result<UnitId, StoreError> {
        self.add_unit(parent, name, kind, true, who).await
    }

    async fn add_unit(
        &self,
        parent: Option<UnitId>,
        name: &str,
        kind: UnitKind,
        external: bool,
        who: Who,
    ) -> Result<UnitId, StoreError> {
        let op = OrgOp::CreateUnit {
            parent,
            name: name.to_string(),
            kind,
            external,
        };
        self.change_org(op, who).await.map(UnitId)
    }

    pub async fn create_person(
        &self,
        username: &str,
        name: &str,
        unit: UnitId,
        roles: &[Role],
        password_hash: String,
        who: Who,
    ) -> Result<PersonId, StoreError> {
        let op = OrgOp::CreatePerson {
            username: username.to_string(),
            name: name.to_string(),
            unit,
            roles: roles.to_vec(),
            password_hash,
        };
        self.change_org(op, who).await.map(PersonId)
    }
}

pub(crate) fn kind_code(kind: UnitKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}
