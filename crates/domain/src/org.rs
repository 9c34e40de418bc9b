//! The unit tree (four levels), unit kinds, roles and the acting person (DESIGN.md §3).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::access::path::UnitPath;
use crate::error::DomainError;
use crate::ids::{PersonId, UnitId};

/// City → town/department → village/community → village group.
pub const MAX_UNIT_DEPTH: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    PartyCommittee,
    Government,
    Department,
    PetitionOffice,
    Discipline,
    PoliticalLegal,
    Town,
    Village,
    VillageGroup,
}

impl UnitKind {
    pub const ALL: [UnitKind; 9] = [
        UnitKind::PartyCommittee,
        UnitKind::Government,
        UnitKind::Department,
        UnitKind::PetitionOffice,
        UnitKind::Discipline,
        UnitKind::PoliticalLegal,
        UnitKind::Town,
        UnitKind::Village,
        UnitKind::VillageGroup,
    ];

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::PartyCommittee => "党委",
            UnitKind::Government => "政府",
            UnitKind::Department => "部门",
            UnitKind::PetitionOffice => "信访部门",
            UnitKind::Discipline => "纪检监察",
            UnitKind::PoliticalLegal => "政法",
            UnitKind::Town => "乡镇街道",
            UnitKind::Village => "村社区",
            UnitKind::VillageGroup => "村小组",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Registrar,
    Handler,
    UnitHead,
    Supervisor,
    Leader,
    Admin,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Registrar,
        Role::Handler,
        Role::UnitHead,
        Role::Supervisor,
        Role::Leader,
        Role::Admin,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Role::Registrar => "登记",
            Role::Handler => "办理",
            Role::UnitHead => "负责人",
            Role::Supervisor => "督查",
            Role::Leader => "领导",
            Role::Admin => "管理员",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Unit {
    pub id: UnitId,
    pub parent: Option<UnitId>,
    pub name: String,
    pub kind: UnitKind,
    /// Where the unit sits in the tree (see [`UnitPath`]).
    pub path: UnitPath,
    /// A body above the deployment (the prefecture's or province's government, its petition
    /// office, the 纪检监察 body one level up): cases and requests sent to it are tracked by the
    /// office that sent them until its decision is entered; nobody works in it here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
}

impl Unit {
    pub fn depth(&self) -> usize {
        self.path.depth()
    }

    /// Whether `other` lies in this unit's subtree (itself included).
    pub fn covers(&self, other: &Unit) -> bool {
        self.path.covers(&other.path)
    }
}

/// The whole tree in memory: cities have hundreds to a few thousand units.
#[derive(Debug, Clone, Default)]
pub struct OrgChart {
    units: HashMap<UnitId, Unit>,
}

impl OrgChart {
    pub fn new(units: impl IntoIterator<Item = Unit>) -> Self {
        OrgChart {
            units: units.into_iter().map(|u| (u.id, u)).collect(),
        }
    }

    pub fn get(&self, id: UnitId) -> Result<&Unit, DomainError> {
        self.units.get(&id).ok_or(DomainError::NotFound("单位"))
    }

    pub fn parent_or_self(&self, id: UnitId) -> Result<&Unit, DomainError> {
        let unit = self.get(id)?;
        match unit.parent {
            Some(p) => self.get(p),
            None => Ok(unit),
        }
    }

    pub fn units(&self) -> impl Iterator<Item = &Unit> {
        self.units.values()
    }

    /// The body one level above `unit`: its parent; above the deployment's top, the external
    /// body of the same kind (else the external government). None where no such body is set up.
    pub fn level_above(&self, unit: UnitId) -> Option<&Unit> {
        let u = self.get(unit).ok()?;
        if let Some(p) = u.parent {
            return self.get(p).ok();
        }
        if u.external {
            return None;
        }
        let mut outside: Vec<&Unit> = self.units.values().filter(|x| x.external).collect();
        outside.sort_by_key(|x| (x.depth(), x.id));
        outside
            .iter()
            .find(|x| x.kind == u.kind)
            .or_else(|| outside.iter().find(|x| x.kind == UnitKind::Government))
            .copied()
    }

    /// The department of the same function as `unit` serving the level above its own (for a
    /// city's department, the province's, an external unit), matched by name: 清河市住房和城乡建设局
    /// and 江川省住房和城乡建设厅 both do 住房和城乡建设.
    pub fn counterpart_above(&self, unit: UnitId) -> Option<&Unit> {
        let u = self.get(unit).ok()?;
        let level = u.parent?;
        let upper = self.level_above(level)?.id;
        let function = function_of(&u.name);
        let mut found: Vec<&Unit> = self
            .units
            .values()
            .filter(|x| {
                x.parent == Some(upper)
                    && x.kind == UnitKind::Department
                    && function_of(&x.name) == function
            })
            .collect();
        found.sort_by_key(|x| x.id);
        found.first().copied()
    }

    /// The 纪检监察 bodies that may take reports raised at `unit`: those serving a level above
    /// it (a 纪检监察 unit under one of its ancestors), the closest first, then the external
    /// 纪检监察 bodies above the deployment.
    pub fn discipline_above(&self, unit: UnitId) -> Vec<&Unit> {
        let mut found = Vec::new();
        let mut at = self.get(unit).ok().and_then(|u| u.parent);
        while let Some(level) = at {
            let mut here: Vec<&Unit> = self
                .units
                .values()
                .filter(|u| u.parent == Some(level) && u.kind == UnitKind::Discipline)
                .collect();
            here.sort_by_key(|u| u.id);
            found.extend(here);
            at = self.get(level).ok().and_then(|u| u.parent);
        }
        let mut outside: Vec<&Unit> = self
            .units
            .values()
            .filter(|u| u.external && u.kind == UnitKind::Discipline)
            .collect();
        outside.sort_by_key(|u| (u.depth(), u.id));
        found.extend(outside);
        found
    }

    pub fn len(&self) -> usize {
        self.units.len()
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }

    /// Checks a new unit against the tree: the parent exists, the depth stays within four
    /// levels, and external bodies stay among themselves (above the deployment).
    pub fn check_new_unit(
        &self,
        parent: Option<UnitId>,
        name: &str,
        external: bool,
    ) -> Result<Option<&Unit>, DomainError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(DomainError::invalid("name", "单位名称应为1至60个字"));
        }
        match parent {
            None => Ok(None),
            Some(p) => {
                let parent = self.get(p)?;
                if parent.external != external {
                    return Err(DomainError::invalid(
                        "parent_id",
                        "外部机关（本平台以上）只能设在外部机关之下，本平台单位不能设在外部机关之下",
                    ));
                }
                if parent.depth() >= MAX_UNIT_DEPTH {
                    return Err(DomainError::invalid(
                        "parent_id",
                        "单位层级不能超过四级（市、镇区/部门、村社区、村小组）",
                    ));
                }
                Ok(Some(parent))
            }
        }
    }
}

/// What a department does, from its name: without the place before the first 省, 市, 县, 区, 州,
/// 镇 or 乡 and without the closing 局, 厅, 委员会, 委, 办公室 or 办.
fn function_of(name: &str) -> &str {
    let name = name.trim();
    let rest = name
        .char_indices()
        .find(|(_, c)| "省市县区州镇乡".contains(*c))
        .map_or(name, |(i, c)| &name[i + c.len_utf8()..]);
    ["委员会", "办公室", "局", "厅", "委", "办"]
        .iter()
        .find_map(|s| rest.strip_suffix(s))
        .unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_departments_function_is_its_name_without_place_and_rank() {
        use super::function_of;
        assert_eq!(function_of("清河市住房和城乡建设局"), "住房和城乡建设");
        assert_eq!(function_of("江川省住房和城乡建设厅"), "住房和城乡建设");
        assert_eq!(function_of("清河市市场监督管理局"), "市场监督管理");
        assert_eq!(function_of("江川省市场监督管理局"), "市场监督管理");
        assert_eq!(function_of("清河市卫生健康委员会"), "卫生健康");
        assert_eq!(function_of("江川省卫生健康委"), "卫生健康");
        assert_ne!(function_of("清河市公安局"), function_of("江川省司法厅"));
    }
}

/// An officer acting in the system, resolved from the session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    pub person: PersonId,
    pub name: String,
    pub unit: UnitId,
    pub unit_path: UnitPath,
    pub unit_kind: UnitKind,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }
}
