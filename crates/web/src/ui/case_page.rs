//! The case page: everything about one case on one screen, and the forms of the actions the
//! officer may take now (each a command of the lifecycle).

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::access::{self, Duty};
use xinfang_domain::case::{CaseStatus, DraftKind};
use xinfang_domain::personal::PersonalRequest;
use xinfang_domain::vocab::{AccusedKind, LegalChannel, Outcome, PetitionClass, Rating};
use xinfang_domain::{Case, CaseId, Command, Role};

use super::form::{Submitted, date};
use super::frame::{Frame, UnitOption, frame, from_api, page_status, unit_options, urlencode};
use super::session::UiOfficer;
use crate::views::{CaseView, TimelineItem, case_view, timeline_view};
use crate::{AppState, app};

#[derive(Template, WebTemplate)]
#[template(path = "case.html")]
struct CasePage {
    frame: Frame,
    v: CaseView,
    /// Cases merged, split or linked with this one, as far as the officer may see them.
    joined: Vec<app::cases::JoinedCase>,
    timeline: Vec<TimelineItem>,
    units: Vec<UnitOption>,
    legal_channels: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    classes: Vec<(&'static str, &'static str)>,
    accused_kinds: Vec<(&'static str, &'static str)>,
    ratings: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    /// The field the error is about: its message stands beside it.
    field: Option<String>,
    /// Units to offer first in the forward form's picker (comma-separated ids).
    suggest: String,
    /// Routing's suggestions at the sorting desk, best first.
    suggested: Vec<app::routing::UnitSuggestion>,
    /// The reply check of the drafted opinion, for its drafter and the head who signs it.
    reply_check: Option<app::replies::ReplyCheck>,
    /// Reply templates of the knowledge base for this case, filled, for the opinion forms.
    templates: Vec<app::knowledge::TemplateOffer>,
    /// The case after this one in the officer's worklist (id, number), for 下一件.
    next_case: Option<(i64, String)>,
    notice: Option<String>,
    /// Notices to the petitioner and how their delivery stands.
    deliveries: Vec<Delivery>,
    /// 督查督办 about this case, and whether this officer may raise it.
    supervision: Vec<xinfang_domain::supervision::Supervision>,
    can_supervise: bool,
    /// 领导包案 of this case, the leaders who may own it, and whether this officer assigns.
    ownerships: Vec<xinfang_domain::ownership::Ownership>,
    leaders: Vec<UnitOption>,
    can_assign_leader: bool,
    parts: Vec<(&'static str, &'static str)>,
    /// The officer's person id.
    me: i64,
    /// 案件评查 and 回访 of this case; whether this officer may review it (closed, above it).
    reviews: Vec<xinfang_domain::review::QualityReview>,
    follow_ups: Vec<xinfang_domain::review::FollowUp>,
    can_review: bool,
    /// Whether this officer acts on requests about the petitioner's personal data.
    can_handle_personal: bool,
}

pub struct Delivery {
    channel: &'static str,
    recipient: String,
    subject: String,
    status: &'static str,
    attempts: i64,
    last_error: String,
}

fn delivery(state: &AppState, n: xinfang_store::outbox::Notice) -> Delivery {
    let recipient = match n.channel.as_str() {
        "sms" => xinfang_domain::petitioner::mask_phone(&n.recipient),
        _ => match n.recipient.split_once('@') {
            Some((_, host)) => format!("***@{host}"),
            None => "***".into(),
        },
    };
    let status = match n.status.as_str() {
        "sent" => "已送达",
        "failed" => "发送失败，已停止重试",
        _ if n.attempts > 0 => "发送失败，等待重试",
        _ => "待发送",
    };
    let when = n.sent_at.map(|ms| state.store.clock().minute_of(ms));
    Delivery {
        channel: if n.channel == "sms" {
            "短信"
        } else {
            "电子邮件"
        },
        recipient,
        subject: match when {
            Some(w) => format!("{}（{w}）", n.subject),
            None => n.subject,
        },
        status,
        attempts: n.attempts,
        last_error: n.last_error.unwrap_or_default(),
    }
}

impl CasePage {
    fn can(&self, action: &str) -> bool {
        self.v.actions.contains(&action)
    }

    /// The error's message when it is about `field` (shown beside that field).
    fn beside(&self, field: &str) -> &str {
        match (&self.error, &self.field) {
            (Some(e), Some(f)) if f == field => e,
            _ => "",
        }
    }

    /// The deadline table: each stage the case has had, its due day, and whether it is done.
    fn stages(&self) -> Vec<(&'static str, chrono::NaiveDate, bool)> {
        let c = &self.v.case;
        let d = &c.deadlines;
        let decided = c.accepted_on.is_some() || c.status == CaseStatus::NotAccepted;
        let closed = c.closed_on.is_some();
        [
            ("分流", d.sort_due, c.status != CaseStatus::Registered),
            ("异议", d.object_due, decided || c.handling_unit.is_none()),
            ("受理", d.accept_due, decided),
            ("办结报告", d.report_due, c.replied_on.is_some()),
            ("答复", d.handle_due, c.replied_on.is_some()),
            (
                "申请复查截止",
                d.review_request_due,
                c.review_requested_on.is_some() || closed,
            ),
            ("复查意见", d.review_due, c.reviewed_on.is_some()),
            (
                "申请复核截止",
                d.rereview_request_due,
                c.rereview_requested_on.is_some() || closed,
            ),
            ("复核意见", d.rereview_due, c.rereview_opinion.is_some()),
            ("评价截止", d.evaluation_due, c.evaluation.is_some()),
        ]
        .into_iter()
        .filter_map(|(stage, due, done)| due.map(|due| (stage, due, done)))
        .collect()
    }

    /// What the handling unit's written answer is called in this class.
    fn reply_heading(&self) -> &'static str {
        match self.v.case.class {
            PetitionClass::Claim => "出具处理意见书",
            PetitionClass::Suggestion => "答复建议意见（是否采纳）",
            PetitionClass::Report => "告知检举控告处理结果",
        }
    }

    /// The forms of written opinions: (action, title, button).
    fn opinion_forms(&self) -> [(&'static str, &'static str, &'static str); 3] {
        [
            ("reply", self.reply_heading(), self.submit_label()),
            ("review", "出具复查意见书", self.submit_label()),
            ("rereview", "出具复核意见书（终结）", self.submit_label()),
        ]
    }

    /// The forms that refuse a petition: the office's at sorting, the unit's (drafted) on receipt.
    fn refusal_forms(&self) -> [(&'static str, &'static str, &'static str); 2] {
        [
            ("reject", "不予受理", "不予受理"),
            ("decline", "不予受理（不予受理告知书）", self.submit_label()),
        ]
    }

    /// An opinion of a unit here is drafted for sign-off; a body above the deployment's is
    /// entered as it decided.
    fn submit_label(&self) -> &'static str {
        if self.v.case.external_body.is_some() {
            "录入上级机关意见"
        } else {
            "提交负责人签发"
        }
    }

    /// What the draft of `action` says so far (a form to revise it starts from it).
    fn drafted(&self, action: &str) -> (&str, &str) {
        match &self.v.case.draft {
            Some(d) if d.kind.code() == action => {
                (d.outcome.map_or("", |o| o.code()), d.text.as_str())
            }
            _ => ("", ""),
        }
    }
}

/// The case after `id` among those waiting on the officer's unit, most urgent first (the
/// worklist's order); the first one when `id` is not among them.
async fn next_in_worklist(
    state: &AppState,
    actor: &xinfang_domain::Actor,
    id: i64,
) -> Option<(i64, String)> {
    let filter = xinfang_store::read::CaseFilter {
        waiting_on: Some(actor.unit),
        open_only: true,
        per_page: 100,
        ..Default::default()
    };
    let items = app::cases::list(state, actor, &filter).await.ok()?.items;
    let at = items.iter().position(|c| c.id == id);
    let next = match at {
        Some(i) => items.get(i + 1),
        None => items.first(),
    }?;
    Some((next.id, next.case_no.clone()))
}

async fn render_case(
    state: &AppState,
    officer: &UiOfficer,
    case: Case,
    error: Option<String>,
    // The form field the error is about (shown beside it).
    field: Option<String>,
    notice: Option<String>,
    revealed: bool,
) -> Response {
    let entries = match state.store.timeline(case.id).await {
        Ok(e) => e,
        Err(e) => return from_api(e.into()),
    };
    let timeline = match timeline_view(&state.store, &officer.actor, &case, entries).await {
        Ok(t) => t,
        Err(e) => return from_api(e.into()),
    };
    // Where a report's notices went would say who reported: shown to nobody who may not know.
    let deliveries = if access::disclosure(&officer.actor, &case) == access::Disclosure::Hidden {
        Vec::new()
    } else {
        match state.store.notices_of(case.id.0).await {
            Ok(n) => n.into_iter().map(|n| delivery(state, n)).collect(),
            Err(e) => return from_api(e.into()),
        }
    };
    let supervision = match app::cases::records_of(state, &case).await {
        Ok(s) => s,
        Err(e) => return from_api(e),
    };
    let can_supervise = state
        .store
        .org()
        .get(case.responsible_unit())
        .is_ok_and(|u| access::may(&officer.actor, Duty::Supervise, &u.path));
    let ownerships = match app::cases::records_of(state, &case).await {
        Ok(o) => o,
        Err(e) => return from_api(e),
    };
    let a = &officer.actor;
    let org = state.store.org();
    let may = |duty| {
        org.get(case.responsible_unit())
            .is_ok_and(|u| access::may(a, duty, &u.path))
    };
    let can_assign_leader = may(Duty::AssignLeader);
    let leaders = if can_assign_leader {
        let org = state.store.org();
        match state.store.people().await {
            Ok(people) => people
                .into_iter()
                .filter(|p| p.roles.contains(&Role::Leader))
                .map(|p| UnitOption {
                    id: p.id.0,
                    label: format!(
                        "{}（{}）",
                        p.name,
                        org.get(p.unit).map(|u| u.name.as_str()).unwrap_or("")
                    ),
                    ..Default::default()
                })
                .collect(),
            Err(e) => return from_api(e.into()),
        }
    } else {
        Vec::new()
    };
    let (reviews, follow_ups) = match state.store.reviews_of(case.id).await {
        Ok(r) => r,
        Err(e) => return from_api(e.into()),
    };
    let can_review =
        matches!(case.status, CaseStatus::Closed | CaseStatus::Final) && may(Duty::ReviewQuality);
    let can_handle_personal =
        xinfang_domain::personal::may_handle(&officer.actor, &case, &state.store.org());
    let status = page_status(&error);
    let outcomes = case
        .class
        .outcomes()
        .iter()
        .map(|c| (c.code(), c.label()))
        .collect();
    let next_case = next_in_worklist(state, &officer.actor, case.id.0).await;
    let joined = match app::cases::joined(state, &officer.actor, &case).await {
        Ok(j) => j,
        Err(e) => return from_api(e),
    };
    // At the sorting desk, the units routing suggests come first, each with its reason.
    let suggested = if case.status == CaseStatus::Registered {
        match app::routing::units_for_case(state, &officer.actor, &case).await {
            Ok(units) => units,
            Err(e) => return from_api(e),
        }
    } else {
        Vec::new()
    };
    let suggest = suggested
        .iter()
        .map(|u| u.id.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let reply_check = app::replies::of_draft(state, &case);
    let view = case_view(&state.store, &officer.actor, case.clone(), revealed);
    let templates = if ["reply", "review", "rereview"]
        .iter()
        .any(|a| view.actions.contains(a))
    {
        app::knowledge::templates_for(state, &officer.actor, &case).await
    } else {
        Vec::new()
    };
    let page = CasePage {
        reply_check,
        templates,
        joined,
        suggest,
        suggested,
        next_case,
        frame: frame(state, officer),
        v: view,
        timeline,
        units: unit_options(state),
        legal_channels: LegalChannel::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        outcomes,
        classes: PetitionClass::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        accused_kinds: AccusedKind::ALL
            .iter()
            .map(|c| (c.code(), c.label()))
            .collect(),
        ratings: Rating::ALL.iter().map(|c| (c.code(), c.label())).collect(),
        error,
        field,
        notice,
        deliveries,
        supervision,
        can_supervise,
        ownerships,
        leaders,
        can_assign_leader,
        me: officer.actor.person.0,
        reviews,
        follow_ups,
        can_review,
        can_handle_personal,
        parts: xinfang_domain::ownership::Part::ALL
            .iter()
            .map(|p| (p.code(), p.label()))
            .collect(),
    };
    (status, page).into_response()
}

/// `?done=` after an action; `?reveal=1` to show the petitioner's data unmasked (recorded).
#[derive(Debug, Default, serde::Deserialize)]
pub struct CasePageQuery {
    #[serde(default)]
    done: Option<String>,
    #[serde(default)]
    reveal: Option<String>,
}

pub async fn case_page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
    Query(q): Query<CasePageQuery>,
) -> Response {
    match app::cases::readable(&state, &officer.actor, CaseId(id)).await {
        Ok(case) => {
            let done = q.done.map(|d| format!("已{d}"));
            let revealed = q.reveal.is_some();
            if revealed
                && let Err(e) = app::cases::reveal(&state, &officer.actor, &case, "reveal").await
            {
                return from_api(e);
            }
            render_case(&state, &officer, case, None, None, done, revealed).await
        }
        Err(e) => from_api(e),
    }
}

/// One of the case page's action forms; `action` names the command.
#[derive(Deserialize)]
pub struct ActionForm {
    action: String,
    /// The version of the case the page showed: a form drawn before someone else's step is
    /// refused instead of acting on a state its author did not see.
    #[serde(default)]
    version: String,
    #[serde(default)]
    to_unit: String,
    #[serde(default)]
    report_due: String,
    #[serde(default)]
    legal_channel: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    office: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    hearing_on: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    panel: String,
    #[serde(default)]
    conclusion: String,
    #[serde(default)]
    record: String,
    #[serde(default)]
    remark: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    accused_kind: String,
    /// Case numbers (or ids) a merge or a link names.
    #[serde(default)]
    cases: String,
    /// A split's matters: `matter_title_N`, `matter_content_N`, `matter_category_N`.
    #[serde(flatten)]
    matters: std::collections::BTreeMap<String, String>,
}

/// The most matter rows the split form has.
const SPLIT_ROWS: usize = 4;

/// The cases named by number (or id) in a form's field, found as the officer may see them:
/// one they may not see is answered as missing. `Err` is (field, message).
async fn named_cases(
    state: &AppState,
    actor: &xinfang_domain::Actor,
    text: &str,
    field: &'static str,
) -> Result<Vec<CaseId>, (&'static str, String)> {
    let mut out = Vec::new();
    for token in text
        .split([',', '，', '、', ';', '；', ' ', '\n', '\t'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .take(xinfang_domain::joining::MAX_DUPLICATES + 1)
    {
        let found = match token.parse::<i64>() {
            Ok(id) => state.store.case(CaseId(id)).await,
            Err(_) => state.store.case_by_no(&token.to_uppercase()).await,
        };
        match found {
            Ok(Some(c)) if state.store.may_see(actor, &c) => out.push(c.id),
            Ok(_) => return Err((field, format!("找不到编号为 {token} 的信访事项"))),
            Err(e) => return Err((field, e.to_string())),
        }
    }
    Ok(out)
}

impl ActionForm {
    /// The command the form asks for, or what is wrong with the form. `cases`: the cases the
    /// form's `cases` field names, found.
    fn command(self, cases: Vec<CaseId>) -> Result<Command, String> {
        let number =
            |v: &str, what: &str| v.trim().parse::<i64>().map_err(|_| format!("请填写{what}"));
        let optional = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let choice = |v: &str, what: &str| format!("请选择{what}（{}）", v.trim());
        let panel = |v: &str| {
            v.split(['\n', '，', ',', '、'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect::<Vec<_>>()
        };
        let outcome = |v: &str| Outcome::from_code(v.trim()).ok_or_else(|| choice(v, "处理意见"));
        let rating = |v: &str| Rating::from_code(v.trim()).ok_or_else(|| choice(v, "评价"));
        Ok(match self.action.as_str() {
            "forward" => Command::Forward {
                to_unit: xinfang_domain::UnitId(number(&self.to_unit, "接收单位")?),
            },
            "assign" => Command::Assign {
                to_unit: xinfang_domain::UnitId(number(&self.to_unit, "接收单位")?),
                report_due: optional(self.report_due).map(|d| date(&d)).transpose()?,
            },
            "redirect" => Command::Redirect {
                legal_channel: LegalChannel::from_code(self.legal_channel.trim())
                    .ok_or_else(|| choice(&self.legal_channel, "法定途径"))?,
                note: optional(self.note),
            },
            "reject" => Command::Reject {
                reason: self.reason,
            },
            "object" => Command::Object {
                reason: self.reason,
            },
            "reclassify" => Command::Reclassify {
                class: PetitionClass::from_code(self.class.trim())
                    .ok_or_else(|| choice(&self.class, "类别"))?,
                accused_kind: optional(self.accused_kind)
                    .map(|k| AccusedKind::from_code(&k).ok_or_else(|| choice(&k, "被检举对象")))
                    .transpose()?,
                reason: self.reason,
            },
            "request_extension" => Command::RequestExtension {
                days: u32::try_from(number(&self.days, "延长天数")?)
                    .map_err(|_| "延长天数不正确".to_string())?,
                reason: self.reason,
            },
            "approve_extension" => Command::ApproveExtension,
            "refuse_extension" => Command::RefuseExtension {
                remark: self.remark,
            },
            "accept" => Command::Accept,
            "decline" => Command::Decline {
                reason: self.reason,
            },
            "extend" => Command::Extend {
                days: u32::try_from(number(&self.days, "延长天数")?)
                    .map_err(|_| "延长天数不正确".to_string())?,
                reason: self.reason,
            },
            "reply" => Command::Reply {
                outcome: outcome(&self.outcome)?,
                text: self.text,
            },
            "review" => Command::Review {
                outcome: outcome(&self.outcome)?,
                text: self.text,
            },
            "rereview" => Command::Rereview {
                outcome: outcome(&self.outcome)?,
                text: self.text,
            },
            "evaluate" => Command::Evaluate {
                office: rating(&self.office)?,
                unit: rating(&self.unit)?,
                comment: optional(self.comment),
            },
            "request_review" => Command::RequestReview {
                reason: self.reason,
            },
            "request_rereview" => Command::RequestRereview {
                reason: self.reason,
            },
            "schedule_hearing" => Command::ScheduleHearing {
                hearing_on: date(&self.hearing_on)?,
                place: self.place,
                panel: panel(&self.panel),
            },
            "start_hearing" => Command::StartHearing {
                panel: panel(&self.panel),
            },
            "end_hearing" => Command::EndHearing {
                conclusion: self.conclusion,
                record: self.record,
            },
            "approve" => Command::Approve,
            "return" => Command::Return {
                remark: self.remark,
            },
            "close" => Command::Close,
            "merge" => Command::Merge {
                duplicates: cases,
                reason: self.reason,
            },
            "relate" => Command::Relate {
                case: match cases[..] {
                    [one] => one,
                    _ => return Err("请填写一件相关事项的编号".into()),
                },
                reason: self.reason,
            },
            "split" => {
                let field = |name: &str, n: usize| {
                    self.matters
                        .get(&format!("matter_{name}_{n}"))
                        .map(|v| v.trim().to_string())
                        .unwrap_or_default()
                };
                let matters = (1..=SPLIT_ROWS)
                    .map(|n| xinfang_domain::command::Matter {
                        title: field("title", n),
                        content: field("content", n),
                        category: Some(field("category", n)).filter(|c| !c.is_empty()),
                    })
                    .filter(|m| !m.title.is_empty() || !m.content.is_empty())
                    .collect();
                Command::Split { matters }
            }
            _ => return Err("未知的操作".into()),
        })
    }
}

pub async fn act(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<ActionForm>,
) -> Response {
    let case = match app::cases::visible(&state, &officer.actor, CaseId(id)).await {
        Ok(c) => c,
        Err(e) => return from_api(e),
    };
    let drawn_from = match form.version.trim() {
        "" => None,
        v => match v.parse::<u32>() {
            Ok(v) => Some(v),
            Err(_) => {
                let e = "表单内容不完整，请刷新页面后重新操作".to_string();
                return render_case(&state, &officer, case, Some(e), None, None, false).await;
            }
        },
    };
    let field = if form.action == "relate" {
        "case"
    } else {
        "duplicates"
    };
    let cases = match named_cases(&state, &officer.actor, &form.cases, field).await {
        Ok(c) => c,
        Err((field, e)) => {
            let field = Some(field.to_string());
            return render_case(&state, &officer, case, Some(e), field, None, false).await;
        }
    };
    let cmd = match form.command(cases) {
        Ok(c) => c,
        Err(e) => return render_case(&state, &officer, case, Some(e), None, None, false).await,
    };
    let name = cmd.name();
    match app::cases::act(&state, &officer.actor, case.id, cmd, drawn_from).await {
        Ok(now) => {
            // A written opinion handed in is not yet given: say where it went.
            let done = match &now.draft {
                Some(d) if d.pending() && d.by == officer.actor.person => "提交负责人签发",
                _ => name,
            };
            Redirect::to(&format!("/cases/{id}?done={}", urlencode(done))).into_response()
        }
        // The page shows the case as it is now, with why nothing was done.
        Err(e) => match app::cases::visible(&state, &officer.actor, case.id).await {
            Ok(now) => {
                let field = e.field.map(|f| f.to_string());
                render_case(&state, &officer, now, Some(e.message), field, None, false).await
            }
            Err(gone) => from_api(gone),
        },
    }
}

/// A request about the petitioner's personal data, as the case page's form sends it: for a
/// correction, the fields filled in replace the record's, the others stay.
#[derive(Deserialize)]
pub struct PersonalForm {
    action: String,
    reason: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    email: String,
}

impl PersonalForm {
    fn request(
        self,
        current: &xinfang_domain::Petitioner,
    ) -> Result<(PersonalRequest, &'static str), String> {
        let reason = self.reason;
        Ok(match self.action.as_str() {
            "correct" => {
                let mut p = current.clone();
                let filled = |v: String| Some(v.trim().to_string()).filter(|v| !v.is_empty());
                if let Some(v) = filled(self.name) {
                    p.name = v;
                }
                for (field, v) in [
                    (&mut p.phone, self.phone),
                    (&mut p.id_number, self.id_number),
                    (&mut p.address, self.address),
                    (&mut p.email, self.email),
                ] {
                    if let Some(v) = filled(v) {
                        *field = Some(v);
                    }
                }
                (
                    PersonalRequest::Correct {
                        petitioner: p,
                        reason,
                    },
                    "更正信访人个人信息",
                )
            }
            "restrict" => (PersonalRequest::Restrict { reason }, "限制处理个人信息"),
            "erase" => (PersonalRequest::Erase { reason }, "处理删除个人信息的请求"),
            _ => return Err("未知的操作".into()),
        })
    }
}

pub async fn personal_data(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<PersonalForm>,
) -> Response {
    let case = match app::cases::visible(&state, &officer.actor, CaseId(id)).await {
        Ok(c) => c,
        Err(e) => return from_api(e),
    };
    let (request, done) = match form.request(&case.petitioner) {
        Ok(r) => r,
        Err(e) => return render_case(&state, &officer, case, Some(e), None, None, false).await,
    };
    match app::cases::personal_request(&state, &officer.actor, case.id, request).await {
        Ok(_) => Redirect::to(&format!("/cases/{id}?done={}", urlencode(done))).into_response(),
        Err(e) => render_case(&state, &officer, case, Some(e.message), None, None, false).await,
    }
}

#[derive(Deserialize)]
pub struct ReplyCheckForm {
    kind: String,
    text: String,
}

/// The reply check of the opinion being drafted on the case page (its 检查答复 button): the
/// same answer as `POST /api/v1/replies/check` with the case's title and content.
pub async fn reply_check(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Submitted { officer, form }: Submitted<ReplyCheckForm>,
) -> Response {
    let case = match app::cases::readable(&state, &officer.actor, CaseId(id)).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let kind = match form.kind.as_str() {
        "review" => DraftKind::Review,
        "rereview" => DraftKind::Rereview,
        "decline" => DraftKind::Decline,
        _ => DraftKind::Reply,
    };
    let petition = format!("{}\n{}", case.title, case.content);
    let kind = app::replies::ReplyKind::of_draft(kind, &case);
    match app::replies::check(&state, &petition, &form.text, kind) {
        Ok(c) => Json(c).into_response(),
        Err(e) => e.into_response(),
    }
}
