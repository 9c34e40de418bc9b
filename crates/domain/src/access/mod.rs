//! Who may see and do what, and how much of a petitioner they see (DESIGN.md §1.5, §3): the one
//! place these rules live. The store, the text index and the web layer ask here; nothing else
//! compares unit paths.
//!
//! A role sees and acts on its unit's subtree, never sideways, never upward. The sideways
//! exceptions the design names each have their own function below.

pub mod path;

use serde::{Deserialize, Serialize};

pub use path::{Scope, UnitPath};

use crate::case::Case;
use crate::ids::UnitId;
use crate::org::{Actor, OrgChart, Role, Unit, UnitKind};
use crate::petitioner::Petitioner;

// ---------- cases ----------

/// The units whose cases an officer works on: their unit's subtree; administrators everywhere.
pub fn case_scope(actor: &Actor) -> Scope {
    if actor.has(Role::Admin) {
        Scope::All
    } else {
        Scope::Under(actor.unit_path.clone())
    }
}

/// The units a case is seen from: the unit handling it and the unit responsible for it now, and
/// (the exception of DESIGN.md §3: the petition office sees what it forwarded) the unit that
/// registered and sorts it — except for a report, which the office sees only while it sorts it
/// (it is then the responsible unit). An officer whose [`case_scope`] covers one of them sees
/// the case; lists and the text index filter by the same units.
pub fn seen_from(case: &Case) -> impl Iterator<Item = UnitId> {
    [
        registering_unit_sees(case.is_report).then_some(case.registered_unit),
        case.handling_unit,
        Some(case.responsible_unit()),
    ]
    .into_iter()
    .flatten()
}

/// Whether an officer may name a case in a mechanism's record (a supervision, an agenda item, a
/// leader's ownership, a case carried on a field visit, a review or a follow-up call): they see
/// it, or it is seen from a unit they oversee. Anything else is answered as missing, so that
/// ids cannot be tried to learn which cases exist.
pub fn may_refer_to_case(actor: &Actor, case: &Case, org: &OrgChart) -> bool {
    let reach = oversight(actor);
    may_see_case(actor, case, org)
        || seen_from(case)
            .filter_map(|u| org.get(u).ok())
            .any(|u| reach.covers(&u.path))
}

/// Whether an officer may route a petition to `to` from the sorting desk: a sorter (registrar,
/// handler or head) of a petition office routes to any unit but their own (DESIGN.md §4; a
/// report's own limits are checked when it is forwarded). Nobody else routes.
pub fn may_route_to(actor: &Actor, to: &Unit) -> bool {
    actor.unit_kind == UnitKind::PetitionOffice
        && crate::lifecycle::SORTERS.iter().any(|r| actor.has(*r))
        && to.id != actor.unit
}

/// Whether the registering unit keeps seeing a case it no longer holds: not for a report.
pub fn registering_unit_sees(is_report: bool) -> bool {
    !is_report
}

/// Whether look-ups by a petitioner's phone, ID number or name, and searches of the words of
/// cases, may reach reports (检举控告) at all: only for 纪检监察 officers, within their scope.
/// For everyone else, administrators included, reports answer no such look-up, so that nobody
/// can learn who reported by trying names.
pub fn identity_lookups_reach_reports(actor: &Actor) -> bool {
    sees_reporter(actor)
}

/// Whether the officer may see the case (see [`seen_from`]).
pub fn may_see_case(actor: &Actor, case: &Case, org: &OrgChart) -> bool {
    let scope = case_scope(actor);
    seen_from(case)
        .filter_map(|u| org.get(u).ok())
        .any(|u| scope.covers(&u.path))
}

/// Whether the officer may act on a case at `unit` holding one of `roles` (administrators
/// always may).
pub fn may_work_case(actor: &Actor, roles: &[Role], unit: &Unit) -> bool {
    actor.has(Role::Admin) || (actor.has_any(roles) && case_scope(actor).covers(&unit.path))
}

/// Whether the officer may sign (签发) a written opinion of `unit`: its head or a leader over
/// it. No administrator exception: signing is an official's act, not a system's.
pub fn may_sign(actor: &Actor, unit: &Unit) -> bool {
    actor.has_any(&[Role::UnitHead, Role::Leader])
        && Scope::Under(actor.unit_path.clone()).covers(&unit.path)
}

// ---------- oversight and the mechanisms' records ----------

/// The units an officer oversees: their own subtree; the petition office serves the level it
/// belongs to (its parent's subtree), on behalf of that level's Party committee and government;
/// administrators everywhere.
pub fn oversight(actor: &Actor) -> Scope {
    if actor.has(Role::Admin) {
        Scope::All
    } else {
        unit_oversight(&actor.unit_path, actor.unit_kind)
    }
}

/// What a unit of `kind` at `path` oversees (e.g. the reach of a meeting it convenes).
pub fn unit_oversight(path: &UnitPath, kind: UnitKind) -> Scope {
    match (kind, path.parent()) {
        (UnitKind::PetitionOffice, Some(parent)) => Scope::Under(parent),
        _ => Scope::Under(path.clone()),
    }
}

/// Exception (DESIGN.md §3): the petition office's supervisors and the leaders see the figures
/// of every unit they assess; everyone else sees the figures of their own subtree.
pub fn figures_scope(actor: &Actor) -> Scope {
    if actor.has_any(&[Role::Supervisor, Role::Leader]) {
        oversight(actor)
    } else {
        case_scope(actor)
    }
}

/// Who is shown the 预警 of hot issues: the petition office (to which they are raised), the
/// leaders and administrators. The cases they list are still shown only to those who may see
/// each ([`may_see_case`]).
pub fn sees_hot_warnings(actor: &Actor) -> bool {
    actor.unit_kind == UnitKind::PetitionOffice || actor.has_any(&[Role::Leader, Role::Admin])
}

/// Exception (DESIGN.md §3): the member units of a joint meeting see the meeting and the cases
/// on its agenda.
pub fn meeting_member(actor: &Actor, members: &[UnitId]) -> bool {
    members.contains(&actor.unit)
}

/// Exception (DESIGN.md §3): a member unit of a joint meeting reads a case on the meeting's
/// agenda (to come prepared). Never a report: its reporter and material stay with 纪检监察.
pub fn sees_agenda_case(actor: &Actor, case: &Case, members: &[UnitId]) -> bool {
    meeting_member(actor, members) && (!case.is_report || sees_reporter(actor))
}

/// The acts of the mechanisms (DESIGN.md §5), each allowed to some roles over the units the
/// officer oversees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Raise, list, hold to account and close 督查督办.
    Supervise,
    /// Convene joint meetings, put cases on their agenda, decide their tasks.
    Convene,
    /// Attach a leader to a case (领导包案).
    AssignLeader,
    /// Own a case as its leader: the leader needs jurisdiction over it.
    OwnCase,
    /// Keep the dispute ledger (排查台账).
    KeepLedger,
    /// Arrange reception days, sessions and appointments (接访).
    ArrangeReception,
    /// Keep the duty roster (值班).
    KeepRoster,
    /// Note and report incidents (信息报送).
    ReportIncident,
    /// Review the quality of a closed case (案件评查).
    ReviewQuality,
    /// Call the petitioner back after the reply (回访).
    FollowUp,
}

impl Duty {
    fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Duty::Supervise | Duty::Convene | Duty::AssignLeader | Duty::ReviewQuality => {
                &[Supervisor, Leader, Admin]
            }
            Duty::OwnCase => &[Leader],
            Duty::KeepLedger => &[Handler, UnitHead, Leader, Supervisor, Admin],
            Duty::ArrangeReception => &[Registrar, UnitHead, Leader, Supervisor, Admin],
            Duty::KeepRoster => &[UnitHead, Leader, Admin],
            Duty::ReportIncident => &[Handler, UnitHead, Leader, Admin],
            Duty::FollowUp => &[Handler, UnitHead, Supervisor, Leader, Admin],
        }
    }
}

/// Whether the officer may do `duty` for the unit at `path`.
pub fn may(actor: &Actor, duty: Duty, path: &UnitPath) -> bool {
    actor.has_any(duty.roles()) && oversight(actor).covers(path)
}

/// Whether the officer sees a mechanism's record kept at `unit`: they oversee the unit.
pub fn sees_record(actor: &Actor, unit: UnitId, org: &OrgChart) -> bool {
    org.get(unit)
        .is_ok_and(|u| oversight(actor).covers(&u.path))
}

/// Whether the officer answers for `unit` (its handlers, head or leader): a supervision's
/// answer, an incident's report.
pub fn answers_for(actor: &Actor, unit: UnitId) -> bool {
    actor.unit == unit && actor.has_any(&[Role::UnitHead, Role::Handler, Role::Leader])
}

// ---------- personal data ----------

/// How much of a petitioner an officer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Disclosure {
    Full,
    Masked,
    /// 检举控告: the reporter is hidden from every unit but 纪检监察.
    Hidden,
}

/// 检举控告 confidentiality: only 纪检监察 sees who reported.
pub fn sees_reporter(actor: &Actor) -> bool {
    actor.unit_kind == UnitKind::Discipline
}

/// Officers who work cases see personal data in full; others see it masked.
pub fn sees_personal_data(actor: &Actor) -> bool {
    actor.has_any(&[Role::Registrar, Role::Handler, Role::UnitHead])
}

pub fn disclosure(actor: &Actor, case: &Case) -> Disclosure {
    if case.is_report && !sees_reporter(actor) {
        Disclosure::Hidden
    } else if sees_personal_data(actor) {
        Disclosure::Full
    } else {
        Disclosure::Masked
    }
}

/// How a case goes out in an export for exchange (`xinfang export`): not at all unless the
/// officer sees it, never a report outside 纪检监察, its people in full only to those who see
/// personal data in full (the export is then their reveal, recorded case by case).
pub fn exported(actor: &Actor, case: &Case, org: &OrgChart) -> Option<Disclosure> {
    if !may_see_case(actor, case, org) {
        return None;
    }
    match disclosure(actor, case) {
        Disclosure::Hidden => None,
        d => Some(d),
    }
}

/// What a case page or read shows: masked by default even to those who may see everything;
/// the full data only when they ask for it (`revealed`, an act the server records).
pub fn shown(actor: &Actor, case: &Case, revealed: bool) -> Disclosure {
    match disclosure(actor, case) {
        Disclosure::Full if !revealed => Disclosure::Masked,
        d => d,
    }
}

/// The name a list shows for a case's petitioner: hidden for a report outside 纪检监察.
pub fn listed_name(actor: &Actor, is_report: bool, name: String) -> String {
    if is_report && !sees_reporter(actor) {
        "（保密）".into()
    } else {
        name
    }
}

/// The case with [`Disclosure`] applied to every person on it.
pub fn redact(mut case: Case, how: Disclosure) -> Case {
    let disclose = |p: &Petitioner| match how {
        Disclosure::Full => p.clone(),
        Disclosure::Masked => p.masked(),
        Disclosure::Hidden => Petitioner {
            name: "（检举控告人信息保密）".into(),
            ..Default::default()
        },
    };
    if let Some(c) = case.collective.as_mut() {
        c.representatives = c.representatives.iter().map(disclose).collect();
    }
    case.petitioner = disclose(&case.petitioner);
    if how == Disclosure::Hidden {
        case.query_code = "（保密）".into();
        case.content = "（检举控告内容仅纪检监察机关可见）".into();
    }
    case
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::PersonId;

    fn path(s: &str) -> UnitPath {
        UnitPath::parse(s).unwrap()
    }

    fn actor(p: &str, kind: UnitKind, roles: Vec<Role>) -> Actor {
        Actor {
            person: PersonId(1),
            name: "甲".into(),
            unit: UnitId(2),
            unit_path: path(p),
            unit_kind: kind,
            roles,
        }
    }

    #[test]
    fn paths_cover_their_subtree_only() {
        let city = path("/1/");
        assert!(city.covers(&path("/1/")) && city.covers(&path("/1/4/17/")));
        assert!(
            !path("/1/4/").covers(&path("/1/41/")),
            "a sibling with a longer id"
        );
        assert!(!path("/1/4/").covers(&path("/1/")), "never upward");
        assert!(UnitPath::root().covers(&city));
        assert_eq!(path("/1/4/").parent(), Some(city.clone()));
        assert_eq!(city.parent(), Some(UnitPath::root()));
        assert_eq!(UnitPath::root().parent(), None);
        assert_eq!(path("/1/4/17/").depth(), 3);
        assert_eq!(
            path("/1/4/").ancestors().collect::<Vec<_>>(),
            vec!["/1/", "/1/4/"]
        );
        let (low, high) = path("/1/4/").range();
        assert!(low.as_str() <= "/1/4/9/" && "/1/4/9/" < high.as_str());
        assert!("/1/41/" >= high.as_str());
        for bad in ["", "1/", "/1", "/a/", "//", "/1//"] {
            assert!(UnitPath::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_petition_office_oversees_the_level_it_serves() {
        let office = actor("/1/2/", UnitKind::PetitionOffice, vec![Role::Supervisor]);
        assert_eq!(oversight(&office), Scope::Under(path("/1/")));
        assert!(
            may(&office, Duty::Supervise, &path("/1/3/")),
            "a department of the same government"
        );
        assert!(!may(&office, Duty::Supervise, &path("/9/")));
        let dept = actor("/1/3/", UnitKind::Department, vec![Role::Leader]);
        assert!(may(&dept, Duty::Supervise, &path("/1/3/7/")));
        assert!(
            !may(&dept, Duty::Supervise, &path("/1/4/")),
            "a sibling department"
        );
        let clerk = actor("/1/2/", UnitKind::PetitionOffice, vec![Role::Handler]);
        assert!(
            !may(&clerk, Duty::Supervise, &path("/1/3/")),
            "handlers do not supervise"
        );
        assert_eq!(case_scope(&clerk), Scope::Under(path("/1/2/")));
    }

    #[test]
    fn only_discipline_sees_a_reporter() {
        let jw = actor("/1/9/", UnitKind::Discipline, vec![Role::Handler]);
        let dept = actor("/1/3/", UnitKind::Department, vec![Role::Handler]);
        assert!(sees_reporter(&jw) && !sees_reporter(&dept));
        assert_eq!(listed_name(&dept, true, "张三".into()), "（保密）");
        assert_eq!(listed_name(&dept, false, "张三".into()), "张三");
        assert_eq!(listed_name(&jw, true, "张三".into()), "张三");
    }
}
