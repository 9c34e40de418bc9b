//! Commands: what people ask the system to do with a case.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{CaseId, UnitId};
use crate::org::Actor;
use crate::petitioner::Petitioner;
use crate::vocab::{
    AccusedKind, Attachment, Channel, LegalChannel, Outcome, PetitionClass, Rating,
};

/// Who issues a command.
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    Officer(&'a Actor),
    /// The petitioner, identified by the case's query code.
    Petitioner,
    /// The server itself (closing lapsed cases).
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CollectiveInput {
    pub head_count: u32,
    #[serde(default)]
    pub representatives: Vec<Petitioner>,
}

/// A petition as taken in at registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCase {
    pub channel: Channel,
    pub title: String,
    pub content: String,
    pub petitioner: Petitioner,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub collective: Option<CollectiveInput>,
    /// Which of the three classes the matter is; without it, 检举控告类 when `is_report`,
    /// otherwise 申诉求决类 (what old clients meant).
    #[serde(default)]
    pub class: Option<PetitionClass>,
    /// 检举控告: a report of misconduct (the same fact as `class` = `report`).
    #[serde(default)]
    pub is_report: bool,
    /// Whom a report accuses (officials when absent).
    #[serde(default)]
    pub accused_kind: Option<AccusedKind>,
    #[serde(default)]
    pub accused_unit: Option<UnitId>,
    /// 越级访: the petitioner went past the level competent for the matter (e.g. to the city
    /// about a town's matter). Counted in the volumes; it changes nothing in the handling.
    #[serde(default)]
    pub skip_level: bool,
    /// The day the petition was received; today when absent.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    /// An earlier case of the same petitioner on the same matter.
    #[serde(default)]
    pub repeat_of: Option<CaseId>,
    /// Files the petitioner handed in, already stored by their hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Command {
    /// 转送: send to the competent unit.
    Forward { to_unit: UnitId },
    /// 交办: send and demand a 办结报告 by a date.
    Assign {
        to_unit: UnitId,
        #[serde(default)]
        report_due: Option<NaiveDate>,
    },
    /// 告知: the matter belongs to a legal channel.
    Redirect {
        legal_channel: LegalChannel,
        #[serde(default)]
        note: Option<String>,
    },
    /// 不予受理 at sorting.
    Reject { reason: String },
    /// The receiving unit says the case is not its own.
    Object { reason: String },
    /// The sorting office changes the matter's class, with the reason.
    Reclassify {
        class: PetitionClass,
        #[serde(default)]
        accused_kind: Option<AccusedKind>,
        reason: String,
    },
    /// 受理.
    Accept,
    /// 不予受理 by the receiving unit.
    Decline { reason: String },
    /// 延期, given by the unit head.
    Extend { days: u32, reason: String },
    /// A handler asks the unit head for an extension.
    RequestExtension { days: u32, reason: String },
    /// The unit head approves the extension asked for (the 延期告知书 goes out).
    ApproveExtension,
    /// The unit head refuses it, saying why.
    RefuseExtension { remark: String },
    /// 处理意见书.
    Reply { outcome: Outcome, text: String },
    /// The petitioner rates the office and the handling unit.
    Evaluate {
        office: Rating,
        unit: Rating,
        #[serde(default)]
        comment: Option<String>,
    },
    /// 申请复查.
    RequestReview { reason: String },
    /// 复查意见书.
    Review { outcome: Outcome, text: String },
    /// 申请复核.
    RequestRereview { reason: String },
    /// 听证 planned ahead: its day (within the 复核 limit), place and panel. Planning again
    /// replaces the plan; the clock runs on until the hearing begins.
    ScheduleHearing {
        hearing_on: NaiveDate,
        place: String,
        panel: Vec<String>,
    },
    /// 听证 begins; the 复核 clock stops. The panel defaults to the planned one.
    StartHearing {
        #[serde(default)]
        panel: Vec<String>,
    },
    /// 听证 ends; the 复核 deadline moves by the hearing's length.
    EndHearing {
        conclusion: String,
        /// 听证笔录: what was said, as recorded.
        #[serde(default)]
        record: String,
    },
    /// 复核意见书: the final opinion.
    Rereview { outcome: Outcome, text: String },
    /// A unit head or leader other than the drafter signs the drafted opinion: it is issued,
    /// dated today and sent.
    Approve,
    /// The head or leader sends the draft back to its drafter, saying what to change.
    Return { remark: String },
    /// Close a case whose appeal window has lapsed.
    Close,
    /// 并案: the duplicates named (the same petition received again, still open) are merged
    /// into this case, which survives; each is closed as merged and counts once, here, in 件次.
    /// Their petitioners stay on them and are shown on this case.
    Merge {
        duplicates: Vec<CaseId>,
        #[serde(default)]
        reason: String,
    },
    /// 拆分 at sorting: a petition raising several matters becomes one case per matter, each
    /// with the petition's dates, sorted and counted on its own.
    Split { matters: Vec<Matter> },
    /// 关联: another case of the same matter (raised by other petitioners), with the reason.
    Relate { case: CaseId, reason: String },
    /// Count the running deadlines again on the holiday calendar in force (after an
    /// administrator changed it). The system's only; never taken from outside.
    #[serde(skip)]
    RecomputeDeadlines,
}

/// One matter of a petition being split (see [`Command::Split`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Matter {
    pub title: String,
    pub content: String,
    /// A category's code or "大类/小类"; the petition's own when absent.
    #[serde(default)]
    pub category: Option<String>,
}

impl Command {
    /// The other cases the command names: it is decided with them ([`crate::joining`]).
    pub fn names_cases(&self) -> Vec<CaseId> {
        match self {
            Command::Merge { duplicates, .. } => duplicates.clone(),
            Command::Relate { case, .. } => vec![*case],
            _ => Vec::new(),
        }
    }

    /// Whether the command changes more than the case it is given to ([`crate::joining`]).
    pub fn joins(&self) -> bool {
        matches!(
            self,
            Command::Merge { .. } | Command::Split { .. } | Command::Relate { .. }
        )
    }

    /// (stable code, Chinese name) of the command.
    fn describe(&self) -> (&'static str, &'static str) {
        match self {
            Command::Forward { .. } => ("forward", "转送"),
            Command::Assign { .. } => ("assign", "交办"),
            Command::Redirect { .. } => ("redirect", "告知"),
            Command::Reject { .. } => ("reject", "不予受理"),
            Command::Object { .. } => ("object", "提出异议"),
            Command::Reclassify { .. } => ("reclassify", "调整类别"),
            Command::Accept => ("accept", "受理"),
            Command::Decline { .. } => ("decline", "不予受理"),
            Command::Extend { .. } => ("extend", "延期"),
            Command::RequestExtension { .. } => ("request_extension", "申请延期"),
            Command::ApproveExtension => ("approve_extension", "批准延期"),
            Command::RefuseExtension { .. } => ("refuse_extension", "不予批准延期"),
            Command::Reply { .. } => ("reply", "答复"),
            Command::Evaluate { .. } => ("evaluate", "评价"),
            Command::RequestReview { .. } => ("request_review", "申请复查"),
            Command::Review { .. } => ("review", "复查"),
            Command::RequestRereview { .. } => ("request_rereview", "申请复核"),
            Command::ScheduleHearing { .. } => ("schedule_hearing", "安排听证"),
            Command::StartHearing { .. } => ("start_hearing", "听证开始"),
            Command::EndHearing { .. } => ("end_hearing", "听证结束"),
            Command::Rereview { .. } => ("rereview", "复核"),
            Command::Approve => ("approve", "签发"),
            Command::Return { .. } => ("return", "退回修改"),
            Command::Close => ("close", "办结"),
            Command::Merge { .. } => ("merge", "并案"),
            Command::Split { .. } => ("split", "拆分"),
            Command::Relate { .. } => ("relate", "关联"),
            Command::RecomputeDeadlines => ("recompute_deadlines", "重算期限"),
        }
    }

    pub fn name(&self) -> &'static str {
        self.describe().1
    }

    pub fn code(&self) -> &'static str {
        self.describe().0
    }
}
