//! The organisation from files (#17): the unit tree (名称, 简称, 类型, 上级单位, 地区) and the
//! people (姓名, 用户名, 单位, 角色, 电话), read from any sheet the import reads, checked row by
//! row, and planned against the organisation already there: what is new, parents before their
//! children, what is there already (skipped, so a second run adds nothing), and what is wrong.
//! A unit is named by its name when that is unique, else by its path (`清河市/西山镇/党政办`).

use std::collections::HashMap;

use xinfang_domain::{OrgChart, Role, Unit, UnitId, UnitKind};

use crate::ImportError;
use crate::normalise::header_key;
use crate::read::Sheet;
use crate::row::Problem;

pub const UNIT_HEADERS: [&str; 5] = ["名称", "简称", "类型", "上级单位", "地区"];
pub const PERSON_HEADERS: [&str; 5] = ["姓名", "用户名", "单位", "角色", "电话"];

const UNIT_SYNONYMS: [&[&str]; 5] = [
    &["名称", "单位名称", "单位", "机构名称"],
    &["简称", "单位简称"],
    &["类型", "单位类型", "机构类型"],
    &["上级单位", "上级", "上级单位名称", "所属上级"],
    &["地区", "所属地区", "区域", "行政区划"],
];
const PERSON_SYNONYMS: [&[&str]; 5] = [
    &["姓名", "名字", "人员姓名"],
    &["用户名", "账号", "登录名", "用户账号"],
    &["单位", "所在单位", "单位名称", "所属单位"],
    &["角色", "权限", "岗位角色"],
    &["电话", "手机", "联系电话", "手机号"],
];

/// A unit row: what it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitRow {
    pub number: usize,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub parent: Option<String>,
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub number: usize,
    pub name: String,
    pub username: String,
    pub unit: String,
    pub roles: Vec<Role>,
    pub phone: Option<String>,
}

/// Which column holds each of the file's fields (first header among the synonyms).
fn columns(headers: &[String], synonyms: &[&[&str]]) -> Vec<Option<usize>> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    synonyms
        .iter()
        .map(|names| {
            names
                .iter()
                .find_map(|n| keys.iter().position(|k| *k == header_key(n)))
        })
        .collect()
}

fn cell(cells: &[String], column: Option<usize>) -> Option<String> {
    column
        .and_then(|c| cells.get(c))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn problem(number: usize, column: &str, reason: impl Into<String>) -> Problem {
    Problem {
        row: number,
        column: column.to_string(),
        reason: reason.into(),
    }
}

fn kind_of(v: &str) -> Option<UnitKind> {
    let v = v.trim();
    UnitKind::ALL.into_iter().find(|k| {
        k.label() == v
            || serde_json::to_value(k)
                .ok()
                .and_then(|c| c.as_str().map(String::from))
                == Some(v.to_string())
    })
}

fn role_of(v: &str) -> Option<Role> {
    let v = v.trim();
    Role::ALL.into_iter().find(|r| {
        r.label() == v
            || format!("{}员", r.label()) == v
            || serde_json::to_value(r)
                .ok()
                .and_then(|c| c.as_str().map(String::from))
                == Some(v.to_string())
    })
}

fn required(columns: &[Option<usize>], need: &[(usize, &str)]) -> Result<(), ImportError> {
    let missing: Vec<&str> = need
        .iter()
        .filter(|(i, _)| columns[*i].is_none())
        .map(|(_, n)| *n)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ImportError::Mapping(format!(
            "没有“{}”列",
            missing.join("”“")
        )))
    }
}

/// The units of a sheet, and the rows that are wrong.
pub fn read_units(sheet: &Sheet) -> Result<(Vec<UnitRow>, Vec<Problem>), ImportError> {
    let c = columns(&sheet.headers, &UNIT_SYNONYMS);
    required(&c, &[(0, "名称"), (2, "类型")])?;
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (number, cells) in &sheet.rows {
        let name = cell(cells, c[0]);
        let kind = cell(cells, c[2]);
        let kind_read = kind.as_deref().and_then(kind_of);
        match (name, kind_read) {
            (Some(name), Some(kind)) if name.chars().count() <= 60 && !name.contains('/') => rows
                .push(UnitRow {
                    number: *number,
                    name,
                    short_name: cell(cells, c[1]),
                    kind,
                    parent: cell(cells, c[3]),
                    region: cell(cells, c[4]),
                }),
            (None, _) => problems.push(problem(*number, "名称", "单位名称为空")),
            (Some(_), Some(_)) => {
                problems.push(problem(*number, "名称", "单位名称应为1至60个字，且不含“/”"))
            }
            (Some(_), None) => problems.push(problem(
                *number,
                "类型",
                format!(
                    "单位类型“{}”无法识别（可用：{}）",
                    kind.unwrap_or_default(),
                    UnitKind::ALL.map(|k| k.label()).join("、")
                ),
            )),
        }
    }
    Ok((rows, problems))
}

/// The people of a sheet, and the rows that are wrong.
pub fn read_people(sheet: &Sheet) -> Result<(Vec<PersonRow>, Vec<Problem>), ImportError> {
    let c = columns(&sheet.headers, &PERSON_SYNONYMS);
    required(&c, &[(0, "姓名"), (1, "用户名"), (2, "单位"), (3, "角色")])?;
    let (mut rows, mut problems) = (Vec::new(), Vec::new());
    for (number, cells) in &sheet.rows {
        let mut faults = Vec::new();
        let name = cell(cells, c[0]).unwrap_or_default();
        if name.is_empty() || name.chars().count() > 40 {
            faults.push(problem(*number, "姓名", "姓名应为1至40个字"));
        }
        let username = cell(cells, c[1]).unwrap_or_default();
        let good = |ch: char| ch.is_ascii_alphanumeric() || "_.-".contains(ch);
        if !(2..=40).contains(&username.len()) || !username.chars().all(good) {
            faults.push(problem(
                *number,
                "用户名",
                "用户名应为2至40个英文字母、数字或 _ . -",
            ));
        }
        let unit = cell(cells, c[2]).unwrap_or_default();
        if unit.is_empty() {
            faults.push(problem(*number, "单位", "单位为空"));
        }
        let mut roles = Vec::new();
        for token in cell(cells, c[3])
            .unwrap_or_default()
            .split(['、', ',', '，', ';', '；', '/', ' '])
            .filter(|t| !t.trim().is_empty())
        {
            match role_of(token) {
                Some(r) if !roles.contains(&r) => roles.push(r),
                Some(_) => {}
                None => faults.push(problem(
                    *number,
                    "角色",
                    format!(
                        "角色“{token}”无法识别（可用：登记、办理、负责人、督查、领导、管理员）"
                    ),
                )),
            }
        }
        if roles.is_empty() && faults.iter().all(|f| f.column != "角色") {
            faults.push(problem(*number, "角色", "请填写角色"));
        }
        if faults.is_empty() {
            rows.push(PersonRow {
                number: *number,
                name,
                username,
                unit,
                roles,
                phone: cell(cells, c[4]),
            });
        } else {
            problems.extend(faults);
        }
    }
    Ok((rows, problems))
}

/// Where a unit is: one there already, or one planned earlier in the same run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnitRef {
    Existing(UnitId),
    New(usize),
}

/// The units to add, parents first, each with its parent (none: a root).
#[derive(Debug, Default)]
pub struct UnitPlan {
    pub create: Vec<(UnitRow, Option<UnitRef>)>,
    /// Rows naming a unit that is there already (under the same parent).
    pub existing: usize,
    pub problems: Vec<Problem>,
    /// Every unit by name and by path, the planned ones included (for the people).
    names: HashMap<String, Vec<UnitRef>>,
    paths: HashMap<String, UnitRef>,
    path_of: HashMap<UnitRef, String>,
}

impl UnitPlan {
    /// The path of names of a unit there or planned.
    pub fn path(&self, unit: UnitRef) -> Option<&str> {
        self.path_of.get(&unit).map(String::as_str)
    }

    /// The unit a cell names: a path (or its end), or a name only one unit has.
    pub fn find(&self, named: &str) -> Result<UnitRef, String> {
        let named = named.trim().trim_matches('/');
        if named.contains('/') {
            if let Some(u) = self.paths.get(named) {
                return Ok(*u);
            }
            // The end of a path is enough when only one unit's path ends so (北河镇/党政办).
            let tail = format!("/{named}");
            let mut found = self.paths.iter().filter(|(p, _)| p.ends_with(&tail));
            return match (found.next(), found.next()) {
                (Some((_, u)), None) => Ok(*u),
                (Some(_), Some(_)) => Err(format!("有多个单位的路径以“{named}”结尾，请写全路径")),
                _ => Err(format!("没有单位“{named}”")),
            };
        }
        match self.names.get(named).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some([_, ..]) => Err(format!(
                "有多个单位名为“{named}”，请写出上级，如“上级单位/{named}”"
            )),
            _ => Err(format!("没有单位“{named}”")),
        }
    }

    fn add(&mut self, path: String, name: &str, unit: UnitRef) {
        self.names.entry(name.to_string()).or_default().push(unit);
        self.paths.insert(path.clone(), unit);
        self.path_of.insert(unit, path);
    }
}

/// Every unit's path of names from its root (`清河市/西山镇`).
pub fn path_names(org: &OrgChart, id: UnitId) -> String {
    let mut names = Vec::new();
    let mut at = org.get(id).ok();
    while let Some(u) = at {
        names.push(u.name.clone());
        at = u.parent.and_then(|p| org.get(p).ok());
    }
    names.reverse();
    names.join("/")
}

/// How a cell names a unit so that [`UnitPlan::find`] reads it back: its name where no other
/// unit of the tree has it, else its path of names.
pub fn cell_name(org: &OrgChart, unit: &Unit) -> String {
    let namesakes = org
        .units()
        .filter(|u| !u.external && u.name == unit.name)
        .count();
    if namesakes > 1 {
        path_names(org, unit.id)
    } else {
        unit.name.clone()
    }
}

/// Plans `rows` against `org`: rows may come in any order; a parent is found among the units
/// there and those the file adds.
pub fn plan_units(rows: Vec<UnitRow>, org: &OrgChart) -> UnitPlan {
    let mut plan = UnitPlan::default();
    for u in org.units().filter(|u| !u.external) {
        plan.add(path_names(org, u.id), &u.name, UnitRef::Existing(u.id));
    }
    let mut pending = rows;
    loop {
        let before = pending.len();
        let mut waiting = Vec::new();
        for row in pending {
            let parent = match row.parent.as_deref() {
                None => Ok(None),
                Some(p) => plan.find(p).map(Some),
            };
            let parent = match parent {
                Ok(p) => p,
                Err(e) if e.starts_with("没有单位") => {
                    waiting.push(row);
                    continue;
                }
                Err(e) => {
                    plan.problems.push(problem(row.number, "上级单位", e));
                    continue;
                }
            };
            let parent_path = parent.map(|p| plan.path_of.get(&p).cloned().unwrap_or_default());
            let path = match &parent_path {
                Some(pp) => format!("{pp}/{}", row.name),
                None => row.name.clone(),
            };
            match plan.paths.get(&path) {
                Some(UnitRef::Existing(_)) => plan.existing += 1,
                Some(UnitRef::New(_)) => {
                    plan.problems
                        .push(problem(row.number, "名称", format!("“{path}”在文件中重复")))
                }
                None => {
                    let at = UnitRef::New(plan.create.len());
                    plan.add(path.clone(), &row.name, at);
                    plan.create.push((row, parent));
                }
            }
        }
        if waiting.is_empty() || waiting.len() == before {
            for row in waiting {
                let p = row.parent.clone().unwrap_or_default();
                plan.problems.push(problem(
                    row.number,
                    "上级单位",
                    format!("上级单位“{p}”不存在"),
                ));
            }
            break;
        }
        pending = waiting;
    }
    plan
}

/// The organisation as the rows of its two files (what `import-org` reads): units parents first
/// (the bodies above the deployment left out), each parent by its path; people with their
/// unit's path.
pub fn export_rows(
    org: &OrgChart,
    details: &HashMap<i64, (Option<String>, Option<String>)>,
    phones: &HashMap<i64, String>,
    people: &[xinfang_store::org::Person],
) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut units: Vec<_> = org.units().filter(|u| !u.external).collect();
    units.sort_by_key(|u| (u.depth(), u.id.0));
    let units = units
        .iter()
        .map(|u| {
            let (short, region) = details.get(&u.id.0).cloned().unwrap_or_default();
            vec![
                u.name.clone(),
                short.unwrap_or_default(),
                u.kind.label().to_string(),
                u.parent.map(|p| path_names(org, p)).unwrap_or_default(),
                region.unwrap_or_default(),
            ]
        })
        .collect();
    let people = people
        .iter()
        .map(|p| {
            vec![
                p.name.clone(),
                p.username.clone(),
                path_names(org, p.unit),
                p.roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join("、"),
                phones.get(&p.id.0).cloned().unwrap_or_default(),
            ]
        })
        .collect();
    (units, people)
}

#[cfg(test)]
mod tests {
    use super::*;
    use xinfang_domain::UnitPath;

    fn sheet(headers: &[&str], rows: &[&[&str]]) -> Sheet {
        Sheet {
            headers: headers.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| (i + 2, r.iter().map(|s| s.to_string()).collect()))
                .collect(),
            name: "CSV".into(),
            names: vec!["CSV".into()],
        }
    }

    fn org() -> OrgChart {
        let unit = |id: i64, parent: Option<i64>, name: &str, path: &str, kind| Unit {
            id: UnitId(id),
            parent: parent.map(UnitId),
            name: name.into(),
            kind,
            path: UnitPath::parse(path).unwrap(),
            external: false,
        };
        OrgChart::new([
            unit(1, None, "清河市", "/1/", UnitKind::Government),
            unit(2, Some(1), "西山镇", "/1/2/", UnitKind::Town),
            unit(3, Some(2), "党政办", "/1/2/3/", UnitKind::Department),
            unit(4, Some(1), "北河镇", "/1/4/", UnitKind::Town),
            unit(5, Some(4), "党政办", "/1/4/5/", UnitKind::Department),
        ])
    }

    #[test]
    fn a_unit_is_written_by_its_name_or_where_another_has_it_by_its_path_and_read_back() {
        let org = org();
        let plan = plan_units(Vec::new(), &org);
        let name = |id| cell_name(&org, org.get(UnitId(id)).unwrap());
        assert_eq!(name(2), "西山镇");
        assert_eq!(name(3), "清河市/西山镇/党政办");
        assert_eq!(name(5), "清河市/北河镇/党政办");
        for u in org.units() {
            assert_eq!(
                plan.find(&name(u.id.0)),
                Ok(UnitRef::Existing(u.id)),
                "{}",
                u.name
            );
        }
        assert_eq!(plan.find("北河镇/党政办"), Ok(UnitRef::Existing(UnitId(5))));
        let ambiguous = plan.find("党政办").unwrap_err();
        assert!(ambiguous.contains("上级单位/党政办"), "{ambiguous}");
        assert!(plan.find("东山镇").is_err());
    }

    #[test]
    fn units_come_parents_first_whatever_the_order_and_what_is_there_is_skipped() {
        let s = sheet(
            &["单位名称", "简称", "类型", "上级单位", "地区"],
            &[
                &["枫林村", "", "村社区", "东山镇", "东山镇"],
                &["东山镇", "东山", "乡镇街道", "清河市", ""],
                &["西山镇", "", "乡镇街道", "清河市", ""],
                &["信访办", "", "部门", "北河镇/党政办", ""],
                &["综治办", "", "部门", "党政办", ""],
                &["杨树村", "", "村社区", "南湖镇", ""],
                &["东山镇", "", "乡镇街道", "清河市", ""],
                &["", "", "部门", "清河市", ""],
                &["规划局", "", "局", "清河市", ""],
            ],
        );
        let (rows, problems) = read_units(&s).unwrap();
        assert_eq!(
            problems
                .iter()
                .map(|p| (p.row, p.column.as_str()))
                .collect::<Vec<_>>(),
            [(9, "名称"), (10, "类型")]
        );
        let plan = plan_units(rows, &org());
        let made: Vec<(&str, Option<UnitRef>)> = plan
            .create
            .iter()
            .map(|(r, p)| (r.name.as_str(), *p))
            .collect();
        assert_eq!(
            made,
            [
                ("东山镇", Some(UnitRef::Existing(UnitId(1)))),
                ("信访办", Some(UnitRef::Existing(UnitId(5)))),
                ("枫林村", Some(UnitRef::New(0))),
            ]
        );
        assert_eq!(plan.existing, 1, "西山镇 is there");
        let reasons: Vec<(usize, &str)> = plan
            .problems
            .iter()
            .map(|p| (p.row, p.reason.as_str()))
            .collect();
        assert!(
            reasons
                .iter()
                .any(|(r, m)| *r == 6 && m.contains("请写出上级")),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|(r, m)| *r == 7 && m.contains("“南湖镇”不存在")),
            "{reasons:?}"
        );
        assert!(
            reasons.iter().any(|(r, m)| *r == 8 && m.contains("重复")),
            "{reasons:?}"
        );
        assert_eq!(plan.find("东山镇"), Ok(UnitRef::New(0)));
        assert_eq!(
            plan.find("清河市/北河镇/党政办"),
            Ok(UnitRef::Existing(UnitId(5)))
        );
    }

    #[test]
    fn people_are_read_with_their_roles_and_each_fault_named() {
        let s = sheet(
            &["姓名", "账号", "所在单位", "角色", "手机"],
            &[
                &["陈静", "chenjing", "西山镇", "登记、办理", "13800000000"],
                &["李四", "li si", "西山镇", "督查员", ""],
                &["王五", "wangwu", "", "神仙", ""],
                &["赵六", "zhaoliu", "北河镇", "unit_head,leader", ""],
            ],
        );
        let (rows, problems) = read_people(&s).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].roles, [Role::Registrar, Role::Handler]);
        assert_eq!(rows[1].roles, [Role::UnitHead, Role::Leader]);
        assert_eq!(rows[0].phone.as_deref(), Some("13800000000"));
        let faults: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row, p.column.as_str()))
            .collect();
        assert_eq!(faults, [(3, "用户名"), (4, "单位"), (4, "角色")]);
        assert!(read_people(&sheet(&["姓名", "单位"], &[])).is_err());
    }
}
