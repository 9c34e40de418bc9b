//! Merge, split and link (#17): the commands that change more than the case they are given to.
//! [`crate::lifecycle::decide`] checks the case's own side (state, role, input) and leaves the
//! rest to [`decide`], which the store calls with the other cases loaded. Pure, like the rest.
//!
//! What the figures make of them ([`crate::metrics::facts`]): a merged duplicate counts its
//! people (人次) but not as a case (件次) — the surviving case carries it; a split petition
//! counts nothing, each of its matters counts as a case of its own.

use crate::case::{Case, CaseStatus};
use crate::command::{Command, Matter};
use crate::error::DomainError;
use crate::event::Event;
use crate::ids::CaseId;
use crate::lifecycle::{self, Allotted, Ctx};

/// At most this many duplicates merged in one step, and matters split from one petition.
pub const MAX_DUPLICATES: usize = 20;
pub const MAX_MATTERS: usize = 10;
/// A reason for a merge or a link, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// What a joining command does: each case's events in order (the one acted on first), and the
/// cases it creates (a split's matters, whose first event registers them).
#[derive(Debug, Clone, Default)]
pub struct Joined {
    pub events: Vec<(CaseId, Event)>,
    pub created: Vec<Case>,
}

/// The checks of the case acted on alone (state, role, the command's own input), for
/// [`crate::lifecycle::decide`] and the actions a page offers.
pub fn check_own_side(case: &Case, cmd: &Command, ctx: Ctx) -> Result<(), DomainError> {
    let illegal = || DomainError::IllegalTransition {
        status: case.status.label(),
        action: cmd.name(),
    };
    match cmd {
        Command::Merge { duplicates, reason } => {
            if case.status.is_terminal() {
                return Err(illegal());
            }
            sorting_office(case, ctx, "并案须由受理该事项的信访部门办理")?;
            reason_text(reason, false)?;
            let mut seen = Vec::new();
            if duplicates.is_empty() || duplicates.len() > MAX_DUPLICATES {
                return Err(DomainError::invalid(
                    "duplicates",
                    format!("请填写要并入的重复件（1至{MAX_DUPLICATES}件）"),
                ));
            }
            for d in duplicates {
                if *d == case.id {
                    return Err(DomainError::invalid("duplicates", "不能把事项并入它自己"));
                }
                if seen.contains(d) {
                    return Err(DomainError::invalid("duplicates", "同一件重复件填写了两次"));
                }
                seen.push(*d);
            }
            Ok(())
        }
        Command::Split { matters } => {
            if case.status != CaseStatus::Registered {
                return Err(illegal());
            }
            sorting_office(case, ctx, "拆分须由受理该事项的信访部门在分流时办理")?;
            if matters.len() < 2 || matters.len() > MAX_MATTERS {
                return Err(DomainError::invalid(
                    "matters",
                    format!("拆分须列出2至{MAX_MATTERS}个事项，每个事项填写标题和内容"),
                ));
            }
            for m in matters {
                matter(case, m)?;
            }
            Ok(())
        }
        Command::Relate {
            case: other,
            reason,
        } => {
            sorting_office(case, ctx, "关联须由受理该事项的信访部门办理")?;
            reason_text(reason, true)?;
            if *other == case.id {
                return Err(DomainError::invalid("case", "不能关联事项本身"));
            }
            if case.related.iter().any(|r| r.case == *other) {
                return Err(DomainError::invalid("case", "这两件事项已经关联"));
            }
            Ok(())
        }
        _ => Err(illegal()),
    }
}

/// Decides a joining command on `case` with the other cases it names (`others`, in any order;
/// one missing is answered as not found) and, for a split, an identity for each new case.
pub fn decide(
    case: &Case,
    others: &[Case],
    cmd: &Command,
    allot: &mut dyn FnMut() -> Allotted,
    ctx: Ctx,
) -> Result<Joined, DomainError> {
    check_own_side(case, cmd, ctx)?;
    let today = ctx.today;
    let other = |id: CaseId| {
        others
            .iter()
            .find(|c| c.id == id)
            .ok_or(DomainError::NotFound("信访事项"))
    };
    let mut out = Joined::default();
    match cmd {
        Command::Merge { duplicates, reason } => {
            let reason = reason.trim().to_string();
            for &id in duplicates {
                let d = other(id)?;
                same_confidentiality(case, d, "duplicates")?;
                if !matches!(
                    d.status,
                    CaseStatus::Registered
                        | CaseStatus::Forwarded
                        | CaseStatus::Assigned
                        | CaseStatus::Handling
                ) {
                    return Err(DomainError::invalid(
                        "duplicates",
                        format!(
                            "{}{}，不能作为重复件并入（只能并入尚未答复的事项）",
                            d.case_no,
                            d.status.label()
                        ),
                    ));
                }
                sorting_office(d, ctx, "重复件须由受理它的信访部门并案")?;
                out.events.push((
                    id,
                    Event::MergedInto {
                        case: case.id,
                        reason: reason.clone(),
                        on: today,
                    },
                ));
            }
            out.events.insert(
                0,
                (
                    case.id,
                    Event::Absorbed {
                        cases: duplicates.clone(),
                        reason,
                        on: today,
                    },
                ),
            );
        }
        Command::Split { matters } => {
            let mut ids = Vec::new();
            for m in matters {
                let (title, content, category) = matter(case, m)?;
                let a = allot();
                let mut part = case.clone();
                part.id = a.id;
                part.case_no = a.case_no;
                part.query_code = a.query_code;
                part.title = title;
                part.content = content;
                part.category = category;
                part.split_from = Some(case.id);
                part.version = 1;
                part.personal = Default::default();
                part.merged.clear();
                part.repeated_on = None;
                part.related.clear();
                ids.push(part.id);
                out.events
                    .push((part.id, Event::Registered(Box::new(part.clone()))));
                out.created.push(part);
            }
            out.events.insert(
                0,
                (
                    case.id,
                    Event::SplitInto {
                        cases: ids,
                        on: today,
                    },
                ),
            );
        }
        Command::Relate {
            case: other_id,
            reason,
        } => {
            let o = other(*other_id)?;
            same_confidentiality(case, o, "case")?;
            let reason = reason.trim().to_string();
            let link = |to: CaseId| Event::Related {
                case: to,
                reason: reason.clone(),
                on: today,
            };
            out.events.push((case.id, link(o.id)));
            out.events.push((o.id, link(case.id)));
        }
        _ => unreachable!("check_own_side refuses other commands"),
    }
    Ok(out)
}

/// Merging, splitting and linking are the sorting office's: an officer who sorts for the office
/// that took the case in, while they still see it (a report that left the office is not its to
/// join any more).
fn sorting_office(case: &Case, ctx: Ctx, why: &'static str) -> Result<(), DomainError> {
    let actor = lifecycle::officer(ctx, lifecycle::SORTERS, case.sorting_unit, why)?;
    if crate::access::may_see_case(actor, case, ctx.org) {
        Ok(())
    } else {
        Err(DomainError::Forbidden(why))
    }
}

/// A report (检举控告) is joined only to reports: anything else would show a case outside
/// 纪检监察 that a report exists and who made it.
fn same_confidentiality(case: &Case, other: &Case, field: &'static str) -> Result<(), DomainError> {
    if case.is_report == other.is_report {
        Ok(())
    } else {
        Err(DomainError::invalid(
            field,
            "检举控告事项只能与检举控告事项并案或关联",
        ))
    }
}

fn reason_text(reason: &str, required: bool) -> Result<(), DomainError> {
    if reason.trim().is_empty() {
        return if required {
            Err(DomainError::invalid("reason", "请填写关联的理由"))
        } else {
            Ok(())
        };
    }
    lifecycle::required_text("reason", "理由", reason, MAX_REASON_CHARS).map(drop)
}

/// A matter's title, content and category (the petition's own when none is given).
fn matter(case: &Case, m: &Matter) -> Result<(String, String, String), DomainError> {
    let title =
        lifecycle::required_text("matters", "事项标题", &m.title, lifecycle::MAX_TITLE_CHARS)?;
    let content = lifecycle::required_text(
        "matters",
        "事项内容",
        &m.content,
        lifecycle::MAX_CONTENT_CHARS,
    )?;
    let category = match m.category.as_deref().map(str::trim) {
        None | Some("") => case.category.clone(),
        Some(given) => crate::taxonomy::resolve(given).ok_or_else(|| {
            DomainError::invalid("matters", format!("分类“{given}”不在分类目录中"))
        })?,
    };
    Ok((title, content, category))
}
