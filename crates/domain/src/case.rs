//! The case: its vocabulary, its state, and how events fold into it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::deadline::{self, Warning};
use crate::event::Event;
use crate::ids::{CaseId, PersonId, UnitId};
use crate::petitioner::Petitioner;
use crate::policy::Limits;

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Stable code, as in the API and the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// Chinese label for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

labelled_enum!(
    /// How a petition came in.
    Channel {
        Letter => ("letter", "来信"),
        Visit => ("visit", "来访"),
        Phone => ("phone", "电话"),
        Online => ("online", "网上"),
        Email => ("email", "电子邮件"),
        Video => ("video", "视频"),
    }
);

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
    }
);

impl CaseStatus {
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
        )
    }
}

labelled_enum!(
    /// The outcome of a reply or review opinion (处理意见).
    Outcome {
        Support => ("support", "支持"),
        Explain => ("explain", "解释说明"),
        NotSupport => ("not_support", "不予支持"),
    }
);

labelled_enum!(
    /// The petitioner's evaluation.
    Rating {
        Satisfied => ("satisfied", "满意"),
        Basically => ("basically", "基本满意"),
        Dissatisfied => ("dissatisfied", "不满意"),
    }
);

labelled_enum!(
    /// Legal channels a petitioner is redirected to (导入法定途径).
    LegalChannel {
        Litigation => ("litigation", "诉讼"),
        Arbitration => ("arbitration", "仲裁"),
        AdministrativeReconsideration => ("administrative_reconsideration", "行政复议"),
        Other => ("other", "其他法定途径"),
    }
);

impl LegalChannel {
    /// The standard wording of the redirect notice.
    pub fn standard_wording(self) -> String {
        format!(
            "您反映的事项依法应当通过{}途径解决，请您向有关机关提出。根据《信访工作条例》第三十一条，信访部门不予受理，特此告知。",
            self.label()
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
    pub attachments: Vec<crate::command::Attachment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective: Option<Collective>,
    /// 检举控告: the petitioner is hidden from every unit but 纪检监察.
    pub is_report: bool,
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
    pub status: CaseStatus,
    /// The limits in force when the case was registered (policy may change later).
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
    pub deadlines: Deadlines,
}

impl Case {
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

    /// Folds one event into the state. Events come from [`crate::lifecycle::decide`], which checked them.
    pub fn apply(&mut self, event: &Event) {
        use Event::*;
        let d = &mut self.deadlines;
        match event {
            Registered(case) => *self = (**case).clone(),
            Forwarded {
                to,
                on,
                object_due,
                accept_due,
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
        }
    }

    fn finish(&mut self, status: CaseStatus, on: NaiveDate) {
        self.status = status;
        self.closed_on = Some(on);
    }

    /// The unit whose people act on the case now (for authorization and worklists).
    pub fn responsible_unit(&self) -> UnitId {
        match self.status {
            CaseStatus::ReviewRequested | CaseStatus::Reviewed => self.review_unit,
            CaseStatus::RereviewRequested | CaseStatus::Final => self.rereview_unit,
            _ => self.handling_unit,
        }
        .or(self.handling_unit)
        .unwrap_or(self.sorting_unit)
    }
}
