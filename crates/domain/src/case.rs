//! The case: its status, its state, and the clock running on it (events fold into it in
//! [`crate::event`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::deadline::{self, Warning};
use crate::ids::{CaseId, PersonId, UnitId};
use crate::petitioner::Petitioner;
use crate::policy::Limits;
use crate::vocab::{
    AccusedKind, Attachment, Channel, Outcome, PetitionClass, Rating, labelled_enum,
};

labelled_enum!(
    /// Where a case stands in its lawful life (DESIGN.md §4).
    CaseStatus {
        Registered => ("registered", "待分流"),
        Forwarded => ("forwarded", "已转送待受理"),
        Assigned => ("assigned", "已交办待受理"),
        Redirected => ("redirected", "已告知法定途径"),
        Rejected => ("rejected", "不予受理"),
        NotAccepted => ("not_accepted", "办理单位不予受理"),
        Handling => ("handling", "办理中"),
        Replied => ("replied", "已答复"),
        ReviewRequested => ("review_requested", "复查中"),
        Reviewed => ("reviewed", "已复查"),
        RereviewRequested => ("rereview_requested", "复核中"),
        Final => ("final", "已复核（终结）"),
        Closed => ("closed", "已办结"),
        Refused => ("refused", "不再受理"),
        Linked => ("linked", "已并案"),
        Merged => ("merged", "已合并（重复件）"),
        Split => ("split", "已拆分"),
    }
);

impl CaseStatus {
    /// Where the case stands, in the words a petitioner reads (the officers' labels are terms
    /// of the trade: 待分流, 已转送待受理 …).
    pub fn plain(self) -> &'static str {
        match self {
            CaseStatus::Registered => "已收到，正在确定由哪个单位办理",
            CaseStatus::Forwarded | CaseStatus::Assigned => "已转给办理单位，等待其决定是否受理",
            CaseStatus::Redirected => "已告知您通过法律规定的途径解决",
            CaseStatus::Rejected | CaseStatus::NotAccepted => "不予受理（理由见下方告知书）",
            CaseStatus::Handling => "办理单位已受理，正在办理",
            CaseStatus::Replied => "已书面答复，您可以评价或申请复查",
            CaseStatus::ReviewRequested => "您申请的复查正在进行",
            CaseStatus::Reviewed => "已出具复查意见，您可以申请复核",
            CaseStatus::RereviewRequested => "您申请的复核正在进行",
            CaseStatus::Final => "已复核，办理结束",
            CaseStatus::Closed => "已办结",
            CaseStatus::Refused => "同一事项已经复核终结，不再受理",
            CaseStatus::Linked => "与您此前提出的同一事项合并办理",
            CaseStatus::Merged => "与同一事项的信访合并办理，办理结果以合并后的事项为准",
            CaseStatus::Split => "您反映的几个事项已分别登记，各自办理",
        }
    }

    /// Terminal states: nothing more happens to the case itself.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            CaseStatus::Redirected
                | CaseStatus::Rejected
                | CaseStatus::NotAccepted
                | CaseStatus::Final
                | CaseStatus::Closed
                | CaseStatus::Refused
                | CaseStatus::Linked
                | CaseStatus::Merged
                | CaseStatus::Split
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Collective {
    pub head_count: u32,
    pub representatives: Vec<Petitioner>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Opinion {
    pub outcome: Outcome,
    pub text: String,
    pub on: NaiveDate,
    pub unit: UnitId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Evaluation {
    pub office: Rating,
    pub unit: Rating,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Extension {
    pub days: u32,
    pub reason: String,
    pub approved_by: PersonId,
    pub on: NaiveDate,
}

/// An extension a handler asked for, waiting for the unit head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExtensionRequest {
    pub days: u32,
    pub reason: String,
    pub by: PersonId,
    pub on: NaiveDate,
}

/// A link between two cases of the same matter (see [`Case::related`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Relation {
    pub case: CaseId,
    pub reason: String,
    pub on: NaiveDate,
}

/// Where an imported case came from (#17): the register it was read from and its number there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Imported {
    /// The file or system it came from, as the import named it.
    pub source: String,
    /// Its id in that register (工单编号 …), when the register had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_id: Option<String>,
    /// Its petition number there, when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_no: Option<String>,
    /// The register's own category when the taxonomy has none like it (the case is 未分类).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

labelled_enum!(
    /// The written opinions a handler drafts and a head or leader signs before they go out.
    DraftKind {
        Reply => ("reply", "处理意见书"),
        Review => ("review", "复查意见书"),
        Rereview => ("rereview", "复核意见书"),
        Decline => ("decline", "不予受理告知书"),
    }
);

/// A written opinion drafted and not yet issued: a unit head or leader other than the drafter
/// approves it (it is then issued, dated that day) or sends it back with a remark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Draft {
    pub kind: DraftKind,
    /// None for a 不予受理告知书, which concludes nothing on the merits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    pub text: String,
    pub by: PersonId,
    pub on: NaiveDate,
    /// Set when it was sent back: the drafter revises it and drafts again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returned: Option<Returned>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Returned {
    pub remark: String,
    pub by: PersonId,
    pub on: NaiveDate,
}

impl Draft {
    /// Waiting for sign-off (drafted and not sent back).
    pub fn pending(&self) -> bool {
        self.returned.is_none()
    }
}

/// A 听证 planned ahead of its day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlannedHearing {
    pub on: NaiveDate,
    pub place: String,
    /// 听证员, each with what they are (人大代表, 政协委员, 律师, 社区代表, …).
    pub panel: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hearing {
    pub started_on: NaiveDate,
    pub panel: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub place: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    /// 听证笔录.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
}

/// Every deadline the case has had; `None` where the step has not started.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadlines {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accept_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handle_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_request_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rereview_request_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rereview_due: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_due: Option<NaiveDate>,
}

/// A running clock on a unit: what it waits for, since when, until when.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clock {
    pub step: &'static str,
    pub start: NaiveDate,
    pub due: NaiveDate,
}

impl Clock {
    pub fn warning(&self, today: NaiveDate) -> Warning {
        deadline::warning(self.start, self.due, today)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: CaseId,
    pub case_no: String,
    pub query_code: String,
    pub channel: Channel,
    pub title: String,
    pub content: String,
    pub category: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub petitioner: Petitioner,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective: Option<Collective>,
    /// Which of the three classes the matter is; set at intake, changed at sorting.
    #[serde(default)]
    pub class: PetitionClass,
    /// 检举控告 (the same fact as `class` being [`PetitionClass::Report`], kept for old
    /// clients): the petitioner is hidden from every unit but 纪检监察.
    pub is_report: bool,
    /// Whom a report accuses: officials go to 纪检监察, others to the competent regulator.
    #[serde(default, skip_serializing_if = "AccusedKind::is_official")]
    pub accused_kind: AccusedKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accused_unit: Option<UnitId>,
    /// 越级访 (see [`crate::NewCase::skip_level`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_level: bool,
    pub registered_unit: UnitId,
    pub registered_by: PersonId,
    /// The petition office that sorts the case (receives it back after an objection).
    pub sorting_unit: UnitId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handling_unit: Option<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_unit: Option<UnitId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rereview_unit: Option<UnitId>,
    /// The body above the deployment the case was last sent to (see [`crate::Unit::external`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_body: Option<UnitId>,
    pub status: CaseStatus,
    /// The limits in force when the case was registered (policy may change later).
    #[serde(with = "crate::policy::stored_limits")]
    pub limits: Limits,
    pub registered_on: NaiveDate,
    pub sorting_since: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_requested_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rereview_requested_on: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_on: Option<NaiveDate>,
    pub assigned: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply: Option<Opinion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_opinion: Option<Opinion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rereview_opinion: Option<Opinion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<Extension>,
    /// An extension asked for and not yet decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension_request: Option<ExtensionRequest>,
    /// A written opinion awaiting sign-off, or sent back to its drafter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<Draft>,
    /// Set on a case brought in from an earlier register.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<Imported>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hearings: Vec<Hearing>,
    /// The next 听证, planned and not yet begun.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_hearing: Option<PlannedHearing>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Evaluation>,
    /// How many times the case was sent to a unit (转送/交办).
    pub dispatches: u32,
    /// How many times a receiving unit objected (退回).
    pub objections: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_of: Option<CaseId>,
    /// When the petitioner first came again about the same matter (a later case repeats this one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeated_on: Option<NaiveDate>,
    /// 并案: the case this duplicate was merged into (it counts once, there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<CaseId>,
    /// The duplicates merged into this case; their petitioners stay on them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged: Vec<CaseId>,
    /// 拆分: the petition this matter was split from (it keeps that petition's dates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split_from: Option<CaseId>,
    /// The cases, one per matter, this petition was split into.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub split_into: Vec<CaseId>,
    /// 关联: related cases (the same matter raised by other petitioners), with the reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Relation>,
    pub deadlines: Deadlines,
    /// Counts the steps taken on the case (1 when registered): a form or an API call names the
    /// version it was drawn from, and a stale one is refused instead of acting on a state its
    /// author did not see.
    #[serde(default)]
    pub version: u32,
    /// Where the petitioner's personal data stands in the petitioner store, and the digest the
    /// log keeps of it (the log never holds the data itself).
    #[serde(default, skip_serializing_if = "PersonalMark::is_unset")]
    pub personal: PersonalMark,
}

labelled_enum!(
    /// What became of a petitioner's personal data on a lawful request (PIPL arts. 46, 47).
    PersonalStanding {
        Kept => ("kept", "正常"),
        Restricted => ("restricted", "已限制处理"),
        Erased => ("erased", "已删除"),
    }
);

// labelled_enum! makes the enum, so #[default] cannot be put on a variant.
#[allow(clippy::derivable_impls)]
impl Default for PersonalStanding {
    fn default() -> Self {
        PersonalStanding::Kept
    }
}

/// The case's reference to its petitioner record: the digest of what is kept, and its standing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonalMark {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
    #[serde(default)]
    pub standing: PersonalStanding,
}

impl PersonalMark {
    pub fn is_unset(&self) -> bool {
        self.digest.is_none() && self.standing == PersonalStanding::Kept
    }
}

/// A case's personal data: the petitioner and a collective visit's representatives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    pub petitioner: Petitioner,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub representatives: Vec<Petitioner>,
}

impl Case {
    /// The personal data the case carries.
    pub fn personal_data(&self) -> PersonalData {
        PersonalData {
            petitioner: self.petitioner.clone(),
            representatives: self
                .collective
                .as_ref()
                .map(|c| c.representatives.clone())
                .unwrap_or_default(),
        }
    }

    /// The case without its personal data (as the log and the read model keep it): the people
    /// are blank, their number stays.
    pub fn without_personal_data(&self) -> Case {
        let mut c = self.clone();
        c.put_personal_data(PersonalData {
            petitioner: Petitioner::default(),
            representatives: vec![
                Petitioner::default();
                self.personal_data().representatives.len()
            ],
        });
        c
    }

    /// Puts the personal data back (from the petitioner store).
    pub fn put_personal_data(&mut self, data: PersonalData) {
        self.petitioner = data.petitioner;
        if let Some(c) = &mut self.collective {
            c.representatives = data.representatives;
        }
    }

    pub fn open_hearing(&self) -> Option<&Hearing> {
        self.hearings.last().filter(|h| h.ended_on.is_none())
    }

    /// The clock now running on a unit, if any; paused while a hearing sits.
    pub fn clock(&self) -> Option<Clock> {
        let d = &self.deadlines;
        let (step, start, due) = match self.status {
            CaseStatus::Registered => ("分流", Some(self.sorting_since), d.sort_due),
            CaseStatus::Forwarded | CaseStatus::Assigned => {
                ("受理", self.received_on, d.accept_due)
            }
            CaseStatus::Handling => ("办理", self.accepted_on, d.handle_due),
            CaseStatus::ReviewRequested => ("复查", self.review_requested_on, d.review_due),
            CaseStatus::RereviewRequested if self.open_hearing().is_none() => {
                ("复核", self.rereview_requested_on, d.rereview_due)
            }
            _ => return None,
        };
        Some(Clock {
            step,
            start: start?,
            due: due?,
        })
    }

    /// The unit whose people act on the case now (for authorization and worklists). While a
    /// body above the deployment holds it, the office that sent it tracks it and enters what
    /// comes back — except a report, which stays out of the office's sight.
    pub fn responsible_unit(&self) -> UnitId {
        let at = match self.status {
            CaseStatus::ReviewRequested | CaseStatus::Reviewed => self.review_unit,
            CaseStatus::RereviewRequested | CaseStatus::Final => self.rereview_unit,
            _ => self.handling_unit,
        }
        .or(self.handling_unit)
        .unwrap_or(self.sorting_unit);
        match self.tracker() {
            Some(office) if self.external_body == Some(at) && !self.status.is_terminal() => office,
            _ => at,
        }
    }

    /// The office that tracks the case while a body above the deployment holds it and enters
    /// its decisions: the sorting office; none for a report (admins enter those).
    pub fn tracker(&self) -> Option<UnitId> {
        (self.external_body.is_some() && !self.is_report).then_some(self.sorting_unit)
    }
}
