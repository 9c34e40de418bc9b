//! Events: the facts appended to the case's log. Each carries the dates the rules computed when it
//! happened, so replaying the log never depends on a later policy.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::case::{
    Case, CaseStatus, Deadlines, Draft, DraftKind, Evaluation, Extension, ExtensionRequest,
    Hearing, Opinion, PersonalStanding, PlannedHearing, Returned,
};
use crate::ids::{CaseId, PersonId, UnitId};
use crate::policy::Limits;
use crate::vocab::{AccusedKind, LegalChannel, Outcome, PetitionClass, Rating};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Registered(Box<Case>),
    Forwarded {
        to: UnitId,
        on: NaiveDate,
        object_due: NaiveDate,
        accept_due: NaiveDate,
        /// Sent to a body above the deployment: tracked by the office that sent it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        external: bool,
    },
    Assigned {
        to: UnitId,
        on: NaiveDate,
        object_due: NaiveDate,
        accept_due: NaiveDate,
        report_due: NaiveDate,
        /// Sent to a body above the deployment: tracked by the office that sent it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        external: bool,
    },
    Redirected {
        legal_channel: LegalChannel,
        note: String,
        on: NaiveDate,
    },
    Rejected {
        reason: String,
        on: NaiveDate,
    },
    Objected {
        unit: UnitId,
        reason: String,
        on: NaiveDate,
        sort_due: NaiveDate,
    },
    Accepted {
        on: NaiveDate,
        handle_due: NaiveDate,
    },
    Declined {
        reason: String,
        on: NaiveDate,
    },
    Extended {
        days: u32,
        reason: String,
        approved_by: PersonId,
        on: NaiveDate,
        handle_due: NaiveDate,
    },
    ExtensionRequested {
        days: u32,
        reason: String,
        by: PersonId,
        on: NaiveDate,
    },
    ExtensionRefused {
        remark: String,
        by: PersonId,
        on: NaiveDate,
    },
    Replied {
        outcome: Outcome,
        text: String,
        on: NaiveDate,
        unit: UnitId,
        review_request_due: NaiveDate,
        evaluation_due: NaiveDate,
    },
    /// A suggestion answered (采纳与否) or a reporter told the result of a report: written,
    /// and the case is closed (no 复查/复核 for these classes).
    Answered {
        class: PetitionClass,
        outcome: Outcome,
        text: String,
        on: NaiveDate,
        unit: UnitId,
        /// When the petitioner's rating lapses; none where the policy does not rate the class.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evaluation_due: Option<NaiveDate>,
    },
    /// The class changed at sorting, with the reason; the limits follow the new class.
    Reclassified {
        class: PetitionClass,
        #[serde(default, skip_serializing_if = "AccusedKind::is_official")]
        accused_kind: AccusedKind,
        reason: String,
        on: NaiveDate,
        limits: Limits,
        sort_due: NaiveDate,
    },
    Evaluated {
        office: Rating,
        unit: Rating,
        comment: Option<String>,
        on: NaiveDate,
    },
    ReviewRequested {
        reason: String,
        on: NaiveDate,
        review_unit: UnitId,
        review_due: NaiveDate,
        /// Sent to a body above the deployment: tracked by the office that sent it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        external: bool,
    },
    Reviewed {
        outcome: Outcome,
        text: String,
        on: NaiveDate,
        unit: UnitId,
        rereview_request_due: NaiveDate,
    },
    RereviewRequested {
        reason: String,
        on: NaiveDate,
        rereview_unit: UnitId,
        rereview_due: NaiveDate,
        /// Sent to a body above the deployment: tracked by the office that sent it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        external: bool,
    },
    HearingScheduled {
        on: NaiveDate,
        hearing_on: NaiveDate,
        place: String,
        panel: Vec<String>,
    },
    HearingStarted {
        on: NaiveDate,
        panel: Vec<String>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        place: String,
    },
    HearingEnded {
        on: NaiveDate,
        conclusion: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        record: String,
        rereview_due: NaiveDate,
    },
    Rereviewed {
        outcome: Outcome,
        text: String,
        on: NaiveDate,
        unit: UnitId,
    },
    Closed {
        on: NaiveDate,
        reason: String,
    },
    Refused {
        repeat_of: CaseId,
        on: NaiveDate,
    },
    Linked {
        repeat_of: CaseId,
        on: NaiveDate,
    },
    /// On the earlier case: the petitioner came again about the same matter (a later case).
    RepeatedBy {
        case: CaseId,
        on: NaiveDate,
    },
    /// 并案, on the surviving case: the duplicates merged into it.
    Absorbed {
        cases: Vec<CaseId>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
        on: NaiveDate,
    },
    /// 并案, on each duplicate: closed, merged into the surviving case.
    MergedInto {
        case: CaseId,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        reason: String,
        on: NaiveDate,
    },
    /// 拆分: the petition became these cases, one per matter.
    SplitInto {
        cases: Vec<CaseId>,
        on: NaiveDate,
    },
    /// 关联, on both cases.
    Related {
        case: CaseId,
        reason: String,
        on: NaiveDate,
    },
    /// The holiday calendar changed: the deadlines counted in working days, counted again.
    DeadlinesMoved {
        on: NaiveDate,
        deadlines: Deadlines,
    },
    /// A written opinion drafted for sign-off (a later draft replaces it).
    Drafted {
        kind: DraftKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        outcome: Option<Outcome>,
        text: String,
        by: PersonId,
        on: NaiveDate,
    },
    /// The head or leader sent the draft back to its drafter.
    DraftReturned {
        remark: String,
        by: PersonId,
        on: NaiveDate,
    },
    /// The head or leader signed the draft; the opinion it issued follows in the log.
    DraftApproved {
        kind: DraftKind,
        by: PersonId,
        on: NaiveDate,
    },
    /// The petitioner's personal data was corrected, restricted or erased on a lawful request;
    /// the log keeps the digest of what the petitioner store now holds, never the data.
    PersonalData {
        standing: PersonalStanding,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        digest: Option<String>,
        reason: String,
        on: NaiveDate,
    },
}

impl Event {
    /// Stable kind, as stored in the log.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Registered(_) => "registered",
            Event::Forwarded { .. } => "forwarded",
            Event::Assigned { .. } => "assigned",
            Event::Redirected { .. } => "redirected",
            Event::Rejected { .. } => "rejected",
            Event::Objected { .. } => "objected",
            Event::Accepted { .. } => "accepted",
            Event::Declined { .. } => "declined",
            Event::Extended { .. } => "extended",
            Event::ExtensionRequested { .. } => "extension_requested",
            Event::ExtensionRefused { .. } => "extension_refused",
            Event::Replied { .. } => "replied",
            Event::Answered { .. } => "answered",
            Event::Reclassified { .. } => "reclassified",
            Event::Evaluated { .. } => "evaluated",
            Event::ReviewRequested { .. } => "review_requested",
            Event::Reviewed { .. } => "reviewed",
            Event::RereviewRequested { .. } => "rereview_requested",
            Event::HearingScheduled { .. } => "hearing_scheduled",
            Event::HearingStarted { .. } => "hearing_started",
            Event::HearingEnded { .. } => "hearing_ended",
            Event::Rereviewed { .. } => "rereviewed",
            Event::Closed { .. } => "closed",
            Event::Refused { .. } => "refused",
            Event::Linked { .. } => "linked",
            Event::RepeatedBy { .. } => "repeated_by",
            Event::Absorbed { .. } => "absorbed",
            Event::MergedInto { .. } => "merged_into",
            Event::SplitInto { .. } => "split_into",
            Event::Related { .. } => "related",
            Event::DeadlinesMoved { .. } => "deadlines_moved",
            Event::PersonalData { .. } => "personal_data",
            Event::Drafted { .. } => "drafted",
            Event::DraftReturned { .. } => "draft_returned",
            Event::DraftApproved { .. } => "draft_approved",
        }
    }

    /// What the step is called, for the timeline and the petitioner's view.
    pub fn label(&self) -> &'static str {
        match self {
            Event::Registered(_) => "登记",
            Event::Forwarded { .. } => "转送",
            Event::Assigned { .. } => "交办",
            Event::Redirected { .. } => "告知向法定途径提出",
            Event::Rejected { .. } => "不予受理",
            Event::Objected { .. } => "办理单位提出异议退回",
            Event::Accepted { .. } => "受理",
            Event::Declined { .. } => "办理单位不予受理",
            Event::Extended { .. } => "延期办理",
            Event::ExtensionRequested { .. } => "申请延期（待负责人审批）",
            Event::ExtensionRefused { .. } => "负责人不予批准延期",
            Event::Replied { .. } => "出具处理意见书",
            Event::Answered {
                class: PetitionClass::Suggestion,
                ..
            } => "答复建议意见并办结",
            Event::Answered { .. } => "告知检举控告处理结果并办结",
            Event::Reclassified { .. } => "调整信访事项类别",
            Event::Evaluated { .. } => "信访人评价",
            Event::ReviewRequested { .. } => "申请复查",
            Event::Reviewed { .. } => "出具复查意见书",
            Event::RereviewRequested { .. } => "申请复核",
            Event::HearingScheduled { .. } => "安排听证",
            Event::HearingStarted { .. } => "举行听证",
            Event::HearingEnded { .. } => "听证结束",
            Event::Rereviewed { .. } => "出具复核意见书",
            Event::Closed { .. } => "办结",
            Event::Refused { .. } => "不再受理",
            Event::Linked { .. } => "作为重复信访并案",
            Event::RepeatedBy { .. } => "同一事项再次信访",
            Event::Absorbed { .. } => "并入重复件",
            Event::MergedInto { .. } => "作为重复件并入其他事项",
            Event::SplitInto { .. } => "按事项拆分",
            Event::Related { .. } => "关联相关事项",
            Event::DeadlinesMoved { .. } => "节假日安排调整，期限重新计算",
            Event::Drafted { kind, .. } => match kind {
                DraftKind::Reply => "起草处理意见（待签发）",
                DraftKind::Review => "起草复查意见（待签发）",
                DraftKind::Rereview => "起草复核意见（待签发）",
                DraftKind::Decline => "起草不予受理告知书（待签发）",
            },
            Event::DraftReturned { .. } => "负责人退回修改",
            Event::DraftApproved { .. } => "负责人签发",
            Event::PersonalData { standing, .. } => match standing {
                PersonalStanding::Kept => "更正信访人个人信息",
                PersonalStanding::Restricted => "信访人个人信息限制处理",
                PersonalStanding::Erased => "删除信访人个人信息",
            },
        }
    }

    /// The written notice this event is, if it is one (every notice is a dated document of the case).
    pub fn notice(&self) -> Option<&'static str> {
        Some(match self {
            Event::Registered(_) => "信访事项登记回执",
            Event::Forwarded { external: true, .. } | Event::Assigned { external: true, .. } => {
                "转送上级机关函"
            }
            Event::ReviewRequested { external: true, .. } => "复查申请转送函",
            Event::RereviewRequested { external: true, .. } => "复核申请转送函",
            Event::Redirected { .. } => "告知书",
            Event::Rejected { .. } | Event::Declined { .. } => "不予受理告知书",
            Event::Accepted { .. } => "受理告知书",
            Event::Extended { .. } => "延期告知书",
            Event::Replied { .. } => "处理意见书",
            Event::Answered {
                class: PetitionClass::Suggestion,
                ..
            } => "建议意见答复书",
            Event::Answered { .. } => "检举控告处理结果告知书",
            Event::Reviewed { .. } => "复查意见书",
            Event::Rereviewed { .. } => "复核意见书",
            Event::Refused { .. } => "不再受理告知书",
            Event::MergedInto { .. } => "并案办理告知书",
            _ => return None,
        })
    }

    /// The short message that tells the petitioner of this event (SMS or e-mail), if any: the
    /// query code at registration, then each written notice. It names no officer and no
    /// internal detail; the notice itself is read through the query code.
    /// `tracking` is the address where the petitioner follows the case, when known.
    pub fn petitioner_message(
        &self,
        case: &crate::Case,
        tracking: Option<&str>,
    ) -> Option<(String, String)> {
        let notice = self.notice()?;
        let subject = format!("信访事项{}：{}", case.case_no, notice);
        let at = tracking.map_or("网上信访平台".to_string(), |url| format!("{url} "));
        let body = match self {
            Event::Registered(_) => format!(
                "您的信访事项“{}”已登记，编号{}，查询码{}。请妥善保存查询码，凭其在{at}查询办理进度、评价和申请复查复核。",
                case.title, case.case_no, case.query_code
            ),
            _ => format!(
                "您的信访事项（编号{}）已出具{}，请凭查询码在{at}查看。",
                case.case_no, notice
            ),
        };
        Some((subject, body))
    }

    /// The body whose written opinion this event is (it signs the document).
    pub fn issued_by(&self) -> Option<UnitId> {
        match self {
            Event::Replied { unit, .. }
            | Event::Answered { unit, .. }
            | Event::Reviewed { unit, .. }
            | Event::Rereviewed { unit, .. } => Some(*unit),
            _ => None,
        }
    }

    pub fn on(&self) -> NaiveDate {
        match self {
            Event::Registered(c) => c.registered_on,
            Event::Forwarded { on, .. }
            | Event::Assigned { on, .. }
            | Event::Redirected { on, .. }
            | Event::Rejected { on, .. }
            | Event::Objected { on, .. }
            | Event::Accepted { on, .. }
            | Event::Declined { on, .. }
            | Event::Extended { on, .. }
            | Event::Replied { on, .. }
            | Event::ExtensionRequested { on, .. }
            | Event::ExtensionRefused { on, .. }
            | Event::Answered { on, .. }
            | Event::Reclassified { on, .. }
            | Event::Evaluated { on, .. }
            | Event::ReviewRequested { on, .. }
            | Event::Reviewed { on, .. }
            | Event::RereviewRequested { on, .. }
            | Event::HearingScheduled { on, .. }
            | Event::HearingStarted { on, .. }
            | Event::HearingEnded { on, .. }
            | Event::Rereviewed { on, .. }
            | Event::Closed { on, .. }
            | Event::Refused { on, .. }
            | Event::Linked { on, .. }
            | Event::RepeatedBy { on, .. }
            | Event::Absorbed { on, .. }
            | Event::MergedInto { on, .. }
            | Event::SplitInto { on, .. }
            | Event::Related { on, .. }
            | Event::DeadlinesMoved { on, .. }
            | Event::PersonalData { on, .. }
            | Event::Drafted { on, .. }
            | Event::DraftReturned { on, .. }
            | Event::DraftApproved { on, .. } => *on,
        }
    }

    /// The closing words of this step's written notice: where and until when the petitioner may
    /// ask for the next step (条例 第三十五条), or that the matter is closed.
    pub fn closing(
        &self,
        case: &crate::Case,
        org: &crate::OrgChart,
        policy: &crate::Policy,
    ) -> String {
        let body = |u: Result<UnitId, crate::DomainError>| {
            u.ok()
                .and_then(|u| org.get(u).ok())
                .map(|u| u.name.clone())
                .unwrap_or_else(|| "上一级机关".into())
        };
        let date = |d: &NaiveDate| d.format("%Y年%m月%d日").to_string();
        match self {
            Event::Replied {
                review_request_due, ..
            } => format!(
                "如对本处理意见不服，可以自收到本意见书之日起{}日内（至{}）向{}请求复查。",
                case.limits.review_request.days,
                date(review_request_due),
                body(crate::lifecycle::review_body(case, org, policy))
            ),
            Event::Reviewed {
                rereview_request_due,
                ..
            } => format!(
                "如对本复查意见不服，可以自收到本意见书之日起{}日内（至{}）向{}请求复核。",
                case.limits.rereview_request.days,
                date(rereview_request_due),
                body(crate::lifecycle::rereview_body(case, org))
            ),
            Event::Forwarded { to, external: true, accept_due, .. }
            | Event::Assigned { to, external: true, accept_due, .. } => format!(
                "您的信访事项已转送{}办理，该机关将依照规定决定是否受理并告知您（本机关跟踪至{}）。",
                body(Ok(*to)),
                date(accept_due)
            ),
            Event::ReviewRequested { review_unit, external: true, review_due, .. } => format!(
                "您的复查申请已转送{}，该机关应自收到之日起{}日内作出复查意见（本机关跟踪至{}），请等候其答复。",
                body(Ok(*review_unit)),
                case.limits.review.days,
                date(review_due)
            ),
            Event::RereviewRequested { rereview_unit, external: true, rereview_due, .. } => format!(
                "您的复核申请已转送{}，该机关应自收到之日起{}日内作出复核意见（本机关跟踪至{}），请等候其答复。",
                body(Ok(*rereview_unit)),
                case.limits.rereview.days,
                date(rereview_due)
            ),
            Event::Answered {
                class: PetitionClass::Suggestion,
                ..
            } => "本答复是对您所提建议意见的研究答复，不适用信访事项复查、复核程序。感谢您对我们工作的关心和支持。".into(),
            Event::Answered { .. } if case.accused_kind.is_official() => "检举控告事项依照纪检监察机关的规定办理，不适用信访事项复查、复核程序。您如有新的事实和证据，可以继续向纪检监察机关检举控告；您的身份和检举内容依法予以保密。".into(),
            Event::Answered { .. } => "检举控告事项由主管机关依法查处，不适用信访事项复查、复核程序。您如有新的事实和证据，可以继续向主管机关反映；您的身份和检举内容依法予以保密。".into(),
            Event::Rereviewed { .. } => "本意见为复核意见，信访事项处理程序至此终结。信访人对复核意见不服，仍然以同一事实和理由提出投诉请求的，不再受理。".into(),
            _ => "如对本文书有异议，可依照《信访工作条例》的规定提出。".into(),
        }
    }

    /// Steps inside the offices the petitioner does not follow: a unit's objection, an
    /// extension asked for or refused, a draft and its sign-off (the issued opinion is theirs).
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            Event::Objected { .. }
                | Event::ExtensionRequested { .. }
                | Event::ExtensionRefused { .. }
                | Event::Drafted { .. }
                | Event::DraftReturned { .. }
                | Event::DraftApproved { .. }
        )
    }

    /// The text the petitioner reads for this step: reasons and opinions addressed to them, nothing internal.
    pub fn public_text(&self) -> Option<String> {
        match self {
            Event::Redirected { note, .. } => Some(note.clone()),
            Event::Rejected { reason, .. } | Event::Declined { reason, .. } => Some(reason.clone()),
            Event::Extended { days, reason, handle_due, .. } => {
                Some(format!("延长办理期限{days}日，至{handle_due}。理由：{reason}"))
            }
            Event::Replied { outcome, text, .. }
            | Event::Answered { outcome, text, .. }
            | Event::Reviewed { outcome, text, .. }
            | Event::Rereviewed { outcome, text, .. } => Some(format!("【{}】{}", outcome.label(), text)),
            Event::Accepted { handle_due, .. } => Some(format!("您的信访事项已受理，将于{handle_due}前出具处理意见。")),
            Event::Refused { .. } => Some(
                "您以同一事实和理由提出的信访事项已经复核终结，根据《信访工作条例》第三十五条，不再受理。".into(),
            ),
            Event::Closed { reason, .. } => Some(reason.clone()),
            Event::MergedInto { .. } => Some(
                "您提出的信访事项与他人（或您）此前提出的同一事项合并办理，办理情况和结果按合并后的事项告知您。".into(),
            ),
            _ => None,
        }
    }
}

impl Case {
    /// Folds one event into the state. Events come from [`crate::lifecycle::decide`], which checked them.
    pub fn apply(&mut self, event: &Event) {
        use Event::*;
        self.sent_out(event);
        let status_before = self.status;
        let d = &mut self.deadlines;
        match event {
            Registered(case) => {
                *self = (**case).clone();
                // Cases registered before classes were recorded: a report is 检举控告类.
                if self.is_report {
                    self.class = PetitionClass::Report;
                }
            }
            Forwarded {
                to,
                on,
                object_due,
                accept_due,
                ..
            }
            | Assigned {
                to,
                on,
                object_due,
                accept_due,
                ..
            } => {
                self.assigned = matches!(event, Assigned { .. });
                self.status = if self.assigned {
                    CaseStatus::Assigned
                } else {
                    CaseStatus::Forwarded
                };
                self.handling_unit = Some(*to);
                self.received_on = Some(*on);
                self.dispatches += 1;
                d.object_due = Some(*object_due);
                d.accept_due = Some(*accept_due);
                if let Assigned { report_due, .. } = event {
                    d.report_due = Some(*report_due);
                }
            }
            Redirected { on, .. } => self.finish(CaseStatus::Redirected, *on),
            Rejected { on, .. } => self.finish(CaseStatus::Rejected, *on),
            Objected { on, sort_due, .. } => {
                self.status = CaseStatus::Registered;
                self.handling_unit = None;
                self.received_on = None;
                self.objections += 1;
                self.external_body = None;
                self.sorting_since = *on;
                d.sort_due = Some(*sort_due);
                d.object_due = None;
                d.accept_due = None;
                d.report_due = None;
            }
            Accepted { on, handle_due } => {
                self.status = CaseStatus::Handling;
                self.accepted_on = Some(*on);
                d.handle_due = Some(*handle_due);
            }
            Declined { on, .. } => self.finish(CaseStatus::NotAccepted, *on),
            Extended {
                days,
                reason,
                approved_by,
                on,
                handle_due,
            } => {
                self.extension = Some(Extension {
                    days: *days,
                    reason: reason.clone(),
                    approved_by: *approved_by,
                    on: *on,
                });
                self.extension_request = None;
                d.handle_due = Some(*handle_due);
            }
            Replied {
                outcome,
                text,
                on,
                unit,
                review_request_due,
                evaluation_due,
            } => {
                self.status = CaseStatus::Replied;
                self.replied_on = Some(*on);
                self.reply = Some(Opinion {
                    outcome: *outcome,
                    text: text.clone(),
                    on: *on,
                    unit: *unit,
                });
                d.review_request_due = Some(*review_request_due);
                d.evaluation_due = Some(*evaluation_due);
            }
            ExtensionRequested {
                days,
                reason,
                by,
                on,
            } => {
                self.extension_request = Some(ExtensionRequest {
                    days: *days,
                    reason: reason.clone(),
                    by: *by,
                    on: *on,
                })
            }
            ExtensionRefused { .. } => self.extension_request = None,
            Answered {
                outcome,
                text,
                on,
                unit,
                evaluation_due,
                ..
            } => {
                self.replied_on = Some(*on);
                self.reply = Some(Opinion {
                    outcome: *outcome,
                    text: text.clone(),
                    on: *on,
                    unit: *unit,
                });
                d.evaluation_due = *evaluation_due;
                self.finish(CaseStatus::Closed, *on);
            }
            Reclassified {
                class,
                accused_kind,
                limits,
                sort_due,
                ..
            } => {
                self.class = *class;
                self.is_report = *class == PetitionClass::Report;
                if self.is_report {
                    self.accused_kind = *accused_kind;
                } else {
                    // Only a report accuses anyone.
                    self.accused_kind = AccusedKind::Official;
                    self.accused_unit = None;
                }
                self.limits = *limits;
                d.sort_due = Some(*sort_due);
            }
            Evaluated {
                office,
                unit,
                comment,
                on,
            } => {
                self.evaluation = Some(Evaluation {
                    office: *office,
                    unit: *unit,
                    comment: comment.clone(),
                    on: *on,
                });
            }
            ReviewRequested {
                on,
                review_unit,
                review_due,
                ..
            } => {
                self.status = CaseStatus::ReviewRequested;
                self.review_requested_on = Some(*on);
                self.review_unit = Some(*review_unit);
                d.review_due = Some(*review_due);
            }
            Reviewed {
                outcome,
                text,
                on,
                unit,
                rereview_request_due,
            } => {
                self.status = CaseStatus::Reviewed;
                self.reviewed_on = Some(*on);
                self.review_opinion = Some(Opinion {
                    outcome: *outcome,
                    text: text.clone(),
                    on: *on,
                    unit: *unit,
                });
                d.rereview_request_due = Some(*rereview_request_due);
            }
            RereviewRequested {
                on,
                rereview_unit,
                rereview_due,
                ..
            } => {
                self.status = CaseStatus::RereviewRequested;
                self.rereview_requested_on = Some(*on);
                self.rereview_unit = Some(*rereview_unit);
                d.rereview_due = Some(*rereview_due);
            }
            HearingScheduled {
                hearing_on,
                place,
                panel,
                ..
            } => {
                self.planned_hearing = Some(PlannedHearing {
                    on: *hearing_on,
                    place: place.clone(),
                    panel: panel.clone(),
                })
            }
            HearingStarted { on, panel, place } => {
                self.planned_hearing = None;
                self.hearings.push(Hearing {
                    started_on: *on,
                    panel: panel.clone(),
                    place: place.clone(),
                    ended_on: None,
                    conclusion: None,
                    record: None,
                })
            }
            HearingEnded {
                on,
                conclusion,
                record,
                rereview_due,
            } => {
                if let Some(h) = self.hearings.last_mut() {
                    h.ended_on = Some(*on);
                    h.conclusion = Some(conclusion.clone());
                    h.record = Some(record.clone()).filter(|r| !r.is_empty());
                }
                d.rereview_due = Some(*rereview_due);
            }
            Rereviewed {
                outcome,
                text,
                on,
                unit,
            } => {
                self.rereview_opinion = Some(Opinion {
                    outcome: *outcome,
                    text: text.clone(),
                    on: *on,
                    unit: *unit,
                });
                self.finish(CaseStatus::Final, *on);
            }
            Closed { on, .. } => self.finish(CaseStatus::Closed, *on),
            Refused { on, .. } => self.finish(CaseStatus::Refused, *on),
            Linked { on, .. } => self.finish(CaseStatus::Linked, *on),
            RepeatedBy { on, .. } => {
                self.repeated_on.get_or_insert(*on);
            }
            Absorbed { cases, .. } => self.merged.extend(cases),
            MergedInto { case, on, .. } => {
                self.merged_into = Some(*case);
                self.finish(CaseStatus::Merged, *on)
            }
            SplitInto { cases, on } => {
                self.split_into = cases.clone();
                self.finish(CaseStatus::Split, *on)
            }
            Related { case, reason, on } => self.related.push(crate::case::Relation {
                case: *case,
                reason: reason.clone(),
                on: *on,
            }),
            DeadlinesMoved { deadlines, .. } => *d = deadlines.clone(),
            PersonalData {
                standing, digest, ..
            } => {
                self.personal.standing = *standing;
                self.personal.digest = digest.clone();
            }
            Drafted {
                kind,
                outcome,
                text,
                by,
                on,
            } => {
                self.draft = Some(Draft {
                    kind: *kind,
                    outcome: *outcome,
                    text: text.clone(),
                    by: *by,
                    on: *on,
                    returned: None,
                })
            }
            DraftReturned { remark, by, on } => {
                if let Some(draft) = &mut self.draft {
                    draft.returned = Some(Returned {
                        remark: remark.clone(),
                        by: *by,
                        on: *on,
                    });
                }
            }
            DraftApproved { .. } => self.draft = None,
        }
        // A draft belongs to the step it was written for: once the case moves on it is void.
        if self.status != status_before {
            self.draft = None;
        }
        // The version counts the steps officers and petitioners take; a recount of deadlines or
        // a later case repeating this one, duplicates merged into it or a case related to it
        // leave forms drawn before them good.
        if !matches!(
            event,
            Registered(_)
                | DeadlinesMoved { .. }
                | RepeatedBy { .. }
                | Absorbed { .. }
                | Related { .. }
        ) {
            self.version += 1;
        }
    }

    /// Remembers the body above the deployment the case was sent to, if it was.
    fn sent_out(&mut self, event: &Event) {
        if let Event::Forwarded { to, external, .. }
        | Event::Assigned { to, external, .. }
        | Event::ReviewRequested {
            review_unit: to,
            external,
            ..
        }
        | Event::RereviewRequested {
            rereview_unit: to,
            external,
            ..
        } = event
        {
            self.external_body = external.then_some(*to);
        }
    }

    fn finish(&mut self, status: CaseStatus, on: NaiveDate) {
        self.status = status;
        self.closed_on = Some(on);
    }
}
