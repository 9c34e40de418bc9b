//! What each viewer sees of a case: officers (personal data masked or hidden by role and unit)
//! and the petitioner (steps, notices and deadlines; nothing internal).

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use xinfang_domain::access::{Disclosure, disclosure, redact};
use xinfang_domain::case::Case;
use xinfang_domain::deadline::Warning;
use xinfang_domain::lifecycle::{Ctx, available_actions};
use xinfang_domain::{Actor, By, CaseStatus, Event, OrgChart, UnitId};
use xinfang_store::Store;
use xinfang_store::read::TimelineEntry;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClockView {
    /// The step waiting: 分流, 受理, 办理, 复查, 复核.
    pub step: &'static str,
    pub start: NaiveDate,
    pub due: NaiveDate,
    pub days_left: i64,
    pub warning: Warning,
    pub warning_label: &'static str,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitRef {
    pub id: UnitId,
    pub name: String,
}

fn unit_ref(org: &OrgChart, id: Option<UnitId>) -> Option<UnitRef> {
    let id = id?;
    Some(UnitRef {
        id,
        name: org.get(id).map(|u| u.name.clone()).unwrap_or_default(),
    })
}

/// A case as an officer sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub case: Case,
    pub status_label: &'static str,
    pub channel_label: &'static str,
    pub disclosure: Disclosure,
    /// Masked now, and the caller may ask for the full data (`?reveal=true`, recorded).
    pub may_reveal: bool,
    pub clock: Option<ClockView>,
    pub registered_unit_ref: Option<UnitRef>,
    pub handling_unit_ref: Option<UnitRef>,
    pub responsible_unit_ref: Option<UnitRef>,
    /// Commands this viewer may issue now (codes of `POST /cases/{id}/actions`).
    pub actions: Vec<&'static str>,
    /// The same with their Chinese names (the case page's buttons).
    #[serde(skip)]
    pub action_names: Vec<(&'static str, &'static str)>,
}

pub fn clock_view(case: &Case, today: NaiveDate) -> Option<ClockView> {
    case.clock().map(|k| {
        let w = k.warning(today);
        ClockView {
            step: k.step,
            start: k.start,
            due: k.due,
            days_left: (k.due - today).num_days(),
            warning: w,
            warning_label: w.label(),
        }
    })
}

/// The case as `actor` sees it: personal data masked unless `revealed` (see [`access::shown`]).
pub fn case_view(store: &Store, actor: &Actor, case: Case, revealed: bool) -> CaseView {
    let (org, calendar) = (store.org(), store.calendar());
    let today = store.clock().today();
    let ctx = Ctx {
        today,
        by: By::Officer(actor),
        org: &org,
        calendar: &calendar,
        policy: store.policy(),
    };
    let action_names = xinfang_domain::lifecycle::available_commands(&case, ctx);
    let actions = action_names.iter().map(|(code, _)| *code).collect();
    let how = xinfang_domain::access::shown(actor, &case, revealed);
    CaseView {
        status_label: case.status.label(),
        channel_label: case.channel.label(),
        disclosure: how,
        may_reveal: how == Disclosure::Masked && disclosure(actor, &case) == Disclosure::Full,
        clock: clock_view(&case, today),
        registered_unit_ref: unit_ref(&org, Some(case.registered_unit)),
        handling_unit_ref: unit_ref(&org, case.handling_unit),
        responsible_unit_ref: unit_ref(&org, Some(case.responsible_unit())),
        actions,
        action_names,
        case: redact(case, how),
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineItem {
    pub seq: i64,
    pub kind: &'static str,
    pub label: &'static str,
    pub on: NaiveDate,
    /// When it was recorded, in the deployment's time zone.
    pub at: String,
    pub actor: String,
    pub unit: Option<String>,
    /// The written notice this step produced, if any.
    pub notice: Option<&'static str>,
    #[schema(value_type = Object)]
    pub event: Event,
}

pub async fn timeline_view(
    store: &Store,
    actor: &Actor,
    case: &Case,
    entries: Vec<TimelineEntry>,
) -> Result<Vec<TimelineItem>, xinfang_store::StoreError> {
    let org = store.org();
    let how = disclosure(actor, case);
    let ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_id).collect();
    let names = store.person_names(&ids).await?;
    Ok(entries
        .into_iter()
        .map(|e| {
            let actor_name = match (e.actor_kind.as_str(), e.actor_id) {
                ("petitioner", _) => "信访人".to_string(),
                ("system", _) => "系统".to_string(),
                (_, Some(id)) => names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")),
                _ => String::new(),
            };
            let event = match e.event {
                Event::Registered(c) => Event::Registered(Box::new(redact(*c, how))),
                other => other,
            };
            TimelineItem {
                seq: e.seq,
                kind: event.kind(),
                label: event.label(),
                on: event.on(),
                at: store.clock().format_ms(e.at),
                actor: actor_name,
                unit: e
                    .unit_id
                    .and_then(|u| org.get(UnitId(u)).ok())
                    .map(|u| u.name.clone()),
                notice: event.notice(),
                event,
            }
        })
        .collect())
}

/// One step as the petitioner sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicStep {
    pub on: NaiveDate,
    pub label: &'static str,
    /// The notice sent for this step (受理告知书, 处理意见书 …).
    pub notice: Option<&'static str>,
    pub text: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicDeadline {
    pub what: &'static str,
    pub due: NaiveDate,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicOpinion {
    pub outcome: &'static str,
    pub text: String,
    pub on: NaiveDate,
    pub unit: Option<String>,
}

/// The petitioner's view by query code: steps, notices, the reply and the deadlines now running.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCase {
    pub case_no: String,
    pub title: String,
    pub channel: &'static str,
    pub status: CaseStatus,
    pub status_label: &'static str,
    pub registered_on: NaiveDate,
    pub handling_unit: Option<String>,
    pub steps: Vec<PublicStep>,
    pub reply: Option<PublicOpinion>,
    pub review_opinion: Option<PublicOpinion>,
    pub rereview_opinion: Option<PublicOpinion>,
    pub deadlines: Vec<PublicDeadline>,
    pub evaluated: bool,
    /// What the petitioner may do now: `evaluate`, `request_review`, `request_rereview`.
    pub actions: Vec<&'static str>,
}

pub fn public_view(store: &Store, case: &Case, entries: &[TimelineEntry]) -> PublicCase {
    let org = store.org();
    let today = store.clock().today();
    let unit_name = |u: UnitId| org.get(u).ok().map(|u| u.name.clone());
    let opinion = |o: &Option<xinfang_domain::case::Opinion>| {
        o.as_ref().map(|o| PublicOpinion {
            outcome: o.outcome.label(),
            text: o.text.clone(),
            on: o.on,
            unit: unit_name(o.unit),
        })
    };
    let steps = entries
        .iter()
        // The offices' inner steps (objections, extension requests, drafts and sign-off) are
        // not the petitioner's: they see the case return to sorting or the opinion issued.
        .filter(|e| !e.event.is_internal())
        .map(|e| PublicStep {
            on: e.event.on(),
            label: e.event.label(),
            notice: e.event.notice(),
            text: e.event.public_text(),
        })
        .collect();
    let d = &case.deadlines;
    let mut deadlines = Vec::new();
    if let Some(k) = case.clock() {
        let what = match k.step {
            "分流" => "信访部门分流办理",
            "受理" => "有权处理机关决定是否受理",
            "办理" => "出具处理意见书",
            "复查" => "出具复查意见书",
            _ => "出具复核意见书",
        };
        deadlines.push(PublicDeadline { what, due: k.due });
    }
    let actions: Vec<&'static str> = {
        let calendar = store.calendar();
        let ctx = Ctx {
            today,
            by: By::Petitioner,
            org: &org,
            calendar: &calendar,
            policy: store.policy(),
        };
        available_actions(case, ctx)
            .into_iter()
            .filter(|a| PETITIONER_ACTIONS.contains(a))
            .collect()
    };
    if actions.contains(&"request_review") {
        deadlines.extend(d.review_request_due.map(|due| PublicDeadline {
            what: "申请复查的截止日",
            due,
        }));
    }
    if actions.contains(&"request_rereview") {
        deadlines.extend(d.rereview_request_due.map(|due| PublicDeadline {
            what: "申请复核的截止日",
            due,
        }));
    }
    if actions.contains(&"evaluate") {
        deadlines.extend(d.evaluation_due.map(|due| PublicDeadline {
            what: "评价的截止日",
            due,
        }));
    }
    PublicCase {
        case_no: case.case_no.clone(),
        title: case.title.clone(),
        channel: case.channel.label(),
        status: case.status,
        status_label: case.status.plain(),
        registered_on: case.registered_on,
        handling_unit: case.handling_unit.and_then(unit_name),
        steps,
        reply: opinion(&case.reply),
        review_opinion: opinion(&case.review_opinion),
        rereview_opinion: opinion(&case.rereview_opinion),
        deadlines,
        evaluated: case.evaluation.is_some(),
        actions,
    }
}

/// The only commands a petitioner may issue by query code.
pub const PETITIONER_ACTIONS: &[&str] = &["evaluate", "request_review", "request_rereview"];

/// A form's problems, each shown next to its field: (field, message).
#[derive(Debug, Clone, Default)]
pub struct Problems(pub Vec<(String, String)>);

impl Problems {
    /// From the domain's refusals (e.g. [`xinfang_domain::lifecycle::intake_problems`]).
    pub fn of(errors: Vec<xinfang_domain::DomainError>) -> Problems {
        Problems(
            errors
                .into_iter()
                .map(|e| {
                    let field = e.field().unwrap_or("form").to_string();
                    let message = match e {
                        xinfang_domain::DomainError::Invalid { message, .. } => message,
                        other => other.to_string(),
                    };
                    (field, message)
                })
                .collect(),
        )
    }

    /// The message for a field ("" when it is fine).
    pub fn msg(&self, field: &str) -> &str {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }

    pub fn bad(&self, field: &str) -> bool {
        !self.msg(field).is_empty()
    }

    /// The line at the top of the form.
    pub fn summary(&self) -> String {
        match self.0.as_slice() {
            [(_, only)] => only.clone(),
            many => format!("有 {} 处需要更正，见标红的栏目", many.len()),
        }
    }
}
