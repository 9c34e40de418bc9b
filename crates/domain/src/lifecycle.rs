//! The rules of §4: `decide(case, command, ctx) -> events | error`. Pure: no clock, no storage.

use chrono::{Duration, NaiveDate};

use crate::access;
use crate::calendar::Calendar;
use crate::case::{Case, CaseStatus, Collective, Deadlines, DraftKind};
use crate::command::{By, Command, NewCase};
use crate::error::DomainError;
use crate::event::Event;
use crate::ids::{CaseId, PersonId, UnitId};
use crate::org::{Actor, OrgChart, Role, Unit, UnitKind};
use crate::petitioner::{PETITIONER_FIELDS, REPRESENTATIVE_FIELDS};
use crate::policy::{DayCount, DepartmentReview, Limit, Policy};
use crate::vocab::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Outcome, PetitionClass};

pub const MAX_TITLE_CHARS: usize = 100;
pub const MAX_CONTENT_CHARS: usize = 20_000;
pub const MAX_TEXT_CHARS: usize = 20_000;
pub const MAX_REPRESENTATIVES: usize = 5;
pub const COLLECTIVE_MIN_PEOPLE: u32 = 5;

/// What a decision needs to know about the world.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub today: NaiveDate,
    pub by: By<'a>,
    pub org: &'a OrgChart,
    pub calendar: &'a Calendar,
    pub policy: &'a Policy,
}

/// Identity the store allots to a new case.
#[derive(Debug, Clone)]
pub struct Allotted {
    pub id: CaseId,
    pub case_no: String,
    pub query_code: String,
}

const CASE_WORKERS: &[Role] = &[Role::Handler, Role::UnitHead];
pub(crate) const SORTERS: &[Role] = &[Role::Registrar, Role::Handler, Role::UnitHead];

/// Every problem of a petition's own fields (text, petitioner, collective), for forms that mark
/// each field; [`register`] refuses with the first of them and checks the rest of the context.
pub fn intake_problems(new: &NewCase) -> Vec<DomainError> {
    let mut out = Vec::new();
    let mut note = |r: Result<(), DomainError>| out.extend(r.err());
    note(required_text("title", "标题", &new.title, MAX_TITLE_CHARS).map(drop));
    note(required_text("content", "内容", &new.content, MAX_CONTENT_CHARS).map(drop));
    note(
        optional_text("category", "分类", new.category.clone(), 50).and_then(|given| match given {
            Some(g) if crate::taxonomy::resolve(&g).is_none() => {
                Err(DomainError::invalid("category", "请从分类目录中选择分类"))
            }
            _ => Ok(()),
        }),
    );
    note(optional_text("region", "地区", new.region.clone(), 50).map(drop));
    if let Err(all) = new.petitioner.clone().checked(PETITIONER_FIELDS) {
        out.extend(all);
    }
    if new.attachments.len() > MAX_ATTACHMENTS {
        out.push(DomainError::invalid(
            "attachments",
            format!("附件不得超过{MAX_ATTACHMENTS}个"),
        ));
    }
    for a in &new.attachments {
        let name_ok = !a.name.trim().is_empty() && a.name.chars().count() <= 100;
        let hash_ok = a.sha256.len() == 64
            && a.sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !name_ok || !hash_ok || a.size == 0 || a.size > MAX_ATTACHMENT_BYTES {
            out.push(DomainError::invalid(
                "attachments",
                format!(
                    "附件“{}”不符合要求（每个不超过10MB）",
                    a.name.chars().take(100).collect::<String>()
                ),
            ));
        }
    }
    if let Some(c) = &new.collective {
        if !(COLLECTIVE_MIN_PEOPLE..=100_000).contains(&c.head_count) {
            out.push(DomainError::invalid(
                "collective.head_count",
                "集体访人数应为5人以上",
            ));
        }
        if c.representatives.len() > MAX_REPRESENTATIVES {
            out.push(DomainError::invalid(
                "collective.representatives",
                "集体访代表不得超过5人",
            ));
        }
        out.extend(
            c.representatives
                .iter()
                .filter_map(|p| p.clone().normalized(REPRESENTATIVE_FIELDS).err()),
        );
    }
    out
}

/// A petition registered.
#[derive(Debug, Clone)]
pub struct Registration {
    /// The new case, as its events leave it.
    pub case: Case,
    /// `Registered`, followed by `Refused` (same facts after the final opinion) or `Linked` (the
    /// matter is already being handled).
    pub events: Vec<Event>,
    /// What the earlier case named in `repeat_of` learns: it was petitioned again (一次性化解 no
    /// longer holds for it).
    pub repeated: Option<Event>,
}

/// Registers a petition: validates it and decides its events (see [`Registration`]).
pub fn register(
    new: NewCase,
    allotted: Allotted,
    registering_unit: UnitId,
    repeat_of: Option<&Case>,
    ctx: Ctx,
) -> Result<Registration, DomainError> {
    let registered_by = match ctx.by {
        By::Officer(actor) if actor.has_any(&[Role::Registrar, Role::Admin]) => actor.person,
        By::Officer(_) => return Err(DomainError::Forbidden("只有登记人员可以登记信访事项")),
        By::Petitioner | By::System => crate::ids::PersonId(0),
    };
    ctx.org.get(registering_unit)?;
    let title = required_text("title", "标题", &new.title, MAX_TITLE_CHARS)?;
    let content = required_text("content", "内容", &new.content, MAX_CONTENT_CHARS)?;
    if let Some(problem) = intake_problems(&new).into_iter().next() {
        return Err(problem);
    }
    let petitioner = new.petitioner.normalized(PETITIONER_FIELDS)?;
    let category = match optional_text("category", "分类", new.category, 50)? {
        None => crate::taxonomy::UNCLASSIFIED.to_string(),
        Some(given) => crate::taxonomy::resolve(&given).ok_or_else(|| {
            DomainError::invalid(
                "category",
                format!("分类“{given}”不在分类目录中：请填写目录中的代码或名称（如 cxjs-wygl 或 城乡建设/物业管理）"),
            )
        })?,
    };
    let region = optional_text("region", "地区", new.region, 50)?;
    let collective = match new.collective {
        None => None,
        Some(c) => {
            if c.head_count < COLLECTIVE_MIN_PEOPLE {
                return Err(DomainError::invalid(
                    "collective.head_count",
                    "集体访人数应为5人以上",
                ));
            }
            if c.head_count > 100_000 {
                return Err(DomainError::invalid(
                    "collective.head_count",
                    "集体访人数不合理",
                ));
            }
            if c.representatives.len() > MAX_REPRESENTATIVES {
                return Err(DomainError::invalid(
                    "collective.representatives",
                    "集体访代表不得超过5人",
                ));
            }
            let representatives = c
                .representatives
                .into_iter()
                .map(|p| p.normalized(REPRESENTATIVE_FIELDS))
                .collect::<Result<_, _>>()?;
            Some(Collective {
                head_count: c.head_count,
                representatives,
            })
        }
    };
    let class = match (new.class, new.is_report) {
        (None, true) => PetitionClass::Report,
        (None, false) => PetitionClass::Claim,
        (Some(c), true) if c != PetitionClass::Report => {
            return Err(DomainError::invalid(
                "class",
                "检举控告（is_report）与所填类别不一致",
            ));
        }
        (Some(c), _) => c,
    };
    let is_report = class == PetitionClass::Report;
    if !is_report && (new.accused_unit.is_some() || new.accused_kind.is_some()) {
        return Err(DomainError::invalid(
            "accused_unit",
            "只有检举控告类事项可以填写被检举对象",
        ));
    }
    let accused_kind = new.accused_kind.unwrap_or_default();
    if !accused_kind.is_official() && new.accused_unit.is_some() {
        return Err(DomainError::invalid(
            "accused_unit",
            "被检举的是企业或个人时不填被检举单位（被检举单位指公权力机关）",
        ));
    }
    if let Some(u) = new.accused_unit {
        ctx.org
            .get(u)
            .map_err(|_| DomainError::invalid("accused_unit", "被检举单位不存在"))?;
    }
    let received_on = new.received_on.unwrap_or(ctx.today);
    if received_on > ctx.today {
        return Err(DomainError::invalid("received_on", "收件日期不能晚于今天"));
    }
    if ctx.today - received_on > Duration::days(366) {
        return Err(DomainError::invalid(
            "received_on",
            "收件日期不能早于一年前",
        ));
    }
    let limits = ctx.policy.limits_for(new.channel, &category, class);
    let case = Case {
        id: allotted.id,
        case_no: allotted.case_no,
        query_code: allotted.query_code,
        channel: new.channel,
        title,
        content,
        category,
        region,
        petitioner,
        attachments: new.attachments,
        collective,
        class,
        is_report,
        accused_kind,
        skip_level: new.skip_level,
        accused_unit: new.accused_unit,
        registered_unit: registering_unit,
        registered_by,
        sorting_unit: registering_unit,
        handling_unit: None,
        review_unit: None,
        rereview_unit: None,
        external_body: None,
        status: CaseStatus::Registered,
        limits,
        registered_on: received_on,
        personal: Default::default(),
        sorting_since: received_on,
        received_on: None,
        accepted_on: None,
        replied_on: None,
        review_requested_on: None,
        reviewed_on: None,
        rereview_requested_on: None,
        closed_on: None,
        assigned: false,
        reply: None,
        review_opinion: None,
        rereview_opinion: None,
        extension: None,
        extension_request: None,
        draft: None,
        imported: None,
        hearings: Vec::new(),
        planned_hearing: None,
        evaluation: None,
        dispatches: 0,
        objections: 0,
        repeat_of: new.repeat_of,
        repeated_on: None,
        merged_into: None,
        merged: Vec::new(),
        split_from: None,
        split_into: Vec::new(),
        related: Vec::new(),
        deadlines: Deadlines {
            sort_due: Some(limits.sort.due(received_on, ctx.calendar)),
            ..Deadlines::default()
        },
        version: 1,
    };
    let mut events = vec![Event::Registered(Box::new(case.clone()))];
    let mut repeated = None;
    match (new.repeat_of, repeat_of) {
        (None, _) => {}
        (Some(_), None) => return Err(DomainError::invalid("repeat_of", "关联的原信访事项不存在")),
        (Some(id), Some(prev)) => {
            match prev.status {
                CaseStatus::Final => events.push(Event::Refused {
                    repeat_of: id,
                    on: ctx.today,
                }),
                s if !s.is_terminal()
                    && !matches!(s, CaseStatus::Replied | CaseStatus::Reviewed) =>
                {
                    events.push(Event::Linked {
                        repeat_of: id,
                        on: ctx.today,
                    })
                }
                _ => {}
            }
            repeated = Some(Event::RepeatedBy {
                case: case.id,
                on: ctx.today,
            });
        }
    }
    let mut case = case;
    for e in &events[1..] {
        case.apply(e);
    }
    // A report that names the office registering it (or the level above it) leaves the office at
    // once, for the 纪检监察 body: the accused never keeps the reporter's name or words.
    if case.is_report
        && case.accused_kind.is_official()
        && case.status == CaseStatus::Registered
        && let Some(accused) = case.accused_unit
        && ctx.org.get(accused)?.covers(ctx.org.get(registering_unit)?)
    {
        let accused = ctx.org.get(accused)?;
        let to = ctx
            .org
            .discipline_above(registering_unit)
            .into_iter()
            .find(|d| !accused.covers(d))
            .ok_or_else(|| {
                DomainError::invalid(
                    "accused_unit",
                    "被检举单位包含本级纪检监察机关，本平台也未设置上级纪检监察机关（外部机关）：请管理员添加，或告知检举人向上级纪检监察机关提出",
                )
            })?;
        check_destination(&case, to, ctx.org)?;
        let l = &case.limits;
        let forwarded = Event::Forwarded {
            to: to.id,
            on: ctx.today,
            object_due: l.object.due(ctx.today, ctx.calendar),
            accept_due: l.accept.due(ctx.today, ctx.calendar),
            external: to.external,
        };
        case.apply(&forwarded);
        events.push(forwarded);
    }
    Ok(Registration {
        case,
        events,
        repeated,
    })
}

/// Decides a command on an existing case.
/// A command drawn from version `drawn_from` of a case (the page or the API client saw that
/// version) applies to that version only: after another officer's step it is stale, and
/// nothing is decided. Without a version the command is judged against the current state.
pub fn check_drawn_from(case: &Case, drawn_from: Option<u32>) -> Result<(), DomainError> {
    match drawn_from {
        Some(v) if v != case.version => Err(DomainError::Stale {
            drawn_from: v,
            current: case.version,
        }),
        _ => Ok(()),
    }
}

pub fn decide(case: &Case, cmd: &Command, ctx: Ctx) -> Result<Vec<Event>, DomainError> {
    use CaseStatus as S;
    let today = ctx.today;
    let l = &case.limits;
    let d = &case.deadlines;
    let illegal = || DomainError::IllegalTransition {
        status: case.status.label(),
        action: cmd.name(),
    };
    let require = |ok: bool| if ok { Ok(()) } else { Err(illegal()) };
    let event = match cmd {
        Command::Forward { to_unit } | Command::Assign { to_unit, .. } => {
            require(case.status == S::Registered)?;
            officer(
                ctx,
                SORTERS,
                case.sorting_unit,
                "分流须由受理该事项的信访部门办理",
            )?;
            let to = ctx
                .org
                .get(*to_unit)
                .map_err(|_| DomainError::invalid("to_unit", "接收单位不存在"))?;
            check_destination(case, to, ctx.org)?;
            let object_due = l.object.due(today, ctx.calendar);
            let accept_due = l.accept.due(today, ctx.calendar);
            match cmd {
                Command::Assign { report_due, .. } => {
                    let report_due =
                        report_due.unwrap_or_else(|| l.report.due(today, ctx.calendar));
                    if report_due < today {
                        return Err(DomainError::invalid(
                            "report_due",
                            "办结报告日期不能早于今天",
                        ));
                    }
                    Event::Assigned {
                        to: to.id,
                        on: today,
                        object_due,
                        accept_due,
                        report_due,
                        external: to.external,
                    }
                }
                _ => Event::Forwarded {
                    to: to.id,
                    on: today,
                    object_due,
                    accept_due,
                    external: to.external,
                },
            }
        }
        Command::Redirect {
            legal_channel,
            note,
        } => {
            require(case.status == S::Registered)?;
            officer(
                ctx,
                SORTERS,
                case.sorting_unit,
                "分流须由受理该事项的信访部门办理",
            )?;
            let note = optional_text("note", "告知内容", note.clone(), MAX_TEXT_CHARS)?
                .unwrap_or_else(|| legal_channel.standard_wording());
            Event::Redirected {
                legal_channel: *legal_channel,
                note,
                on: today,
            }
        }
        Command::Reject { reason } => {
            require(case.status == S::Registered)?;
            officer(
                ctx,
                SORTERS,
                case.sorting_unit,
                "分流须由受理该事项的信访部门办理",
            )?;
            Event::Rejected {
                reason: required_text("reason", "不予受理理由", reason, MAX_TEXT_CHARS)?,
                on: today,
            }
        }
        Command::Reclassify {
            class,
            accused_kind,
            reason,
        } => {
            require(case.status == S::Registered)?;
            officer(
                ctx,
                SORTERS,
                case.sorting_unit,
                "调整类别须由受理该事项的信访部门办理",
            )?;
            let report = *class == PetitionClass::Report;
            if !report && accused_kind.is_some() {
                return Err(DomainError::invalid(
                    "accused_kind",
                    "只有检举控告类事项可以填写被检举对象",
                ));
            }
            let accused_kind = accused_kind.unwrap_or(case.accused_kind);
            if *class == case.class && accused_kind == case.accused_kind {
                return Err(DomainError::invalid("class", "类别没有变化"));
            }
            if !accused_kind.is_official() && case.accused_unit.is_some() {
                return Err(DomainError::invalid(
                    "accused_kind",
                    "已填被检举单位的检举控告事项，被检举对象是公权力机关",
                ));
            }
            let reason = required_text("reason", "调整理由", reason, MAX_TEXT_CHARS)?;
            let limits = ctx.policy.limits_for(case.channel, &case.category, *class);
            Event::Reclassified {
                class: *class,
                accused_kind,
                reason,
                on: today,
                limits,
                sort_due: limits.sort.due(case.sorting_since, ctx.calendar),
            }
        }
        Command::Object { reason } => {
            require(matches!(case.status, S::Forwarded | S::Assigned))?;
            let unit = handling_unit(case)?;
            body_officer(case, ctx, CASE_WORKERS, unit, "只有接收单位可以提出异议")?;
            if d.object_due.is_some_and(|due| today > due) {
                return Err(DomainError::WindowClosed(format!(
                    "提出异议的期限（收件后{}个工作日，至{}）已过",
                    l.object.days,
                    d.object_due.unwrap_or(today)
                )));
            }
            let reason = required_text("reason", "异议理由", reason, MAX_TEXT_CHARS)?;
            Event::Objected {
                unit,
                reason,
                on: today,
                sort_due: l.sort.due(today, ctx.calendar),
            }
        }
        Command::Accept => {
            require(matches!(case.status, S::Forwarded | S::Assigned))?;
            body_officer(
                case,
                ctx,
                CASE_WORKERS,
                handling_unit(case)?,
                "只有接收单位可以受理",
            )?;
            Event::Accepted {
                on: today,
                handle_due: l.handle.due(today, ctx.calendar),
            }
        }
        Command::Decline { reason } => {
            require(matches!(case.status, S::Forwarded | S::Assigned))?;
            let unit = handling_unit(case)?;
            let drafter = body_officer(
                case,
                ctx,
                CASE_WORKERS,
                unit,
                "只有接收单位可以决定不予受理",
            )?;
            let reason = required_text("reason", "不予受理理由", reason, MAX_TEXT_CHARS)?;
            drafted(case, ctx, DraftKind::Decline, None, reason, unit, drafter)?
        }
        Command::Extend { days, reason } => {
            require(case.status == S::Handling)?;
            extended(case, *days, reason, ctx)?
        }
        Command::RequestExtension { days, reason } => {
            require(case.status == S::Handling)?;
            let handler = body_officer(
                case,
                ctx,
                CASE_WORKERS,
                handling_unit(case)?,
                "只有办理单位可以申请延期",
            )?;
            extension_open(case, today)?;
            if case.extension_request.is_some() {
                return Err(DomainError::AlreadyDone("已有待负责人审批的延期申请"));
            }
            extension_days(*days, l.extension_max.days)?;
            Event::ExtensionRequested {
                days: *days,
                reason: required_text("reason", "延期理由", reason, MAX_TEXT_CHARS)?,
                by: handler.person,
                on: today,
            }
        }
        Command::ApproveExtension => {
            let request = case.extension_request.as_ref().ok_or_else(illegal)?;
            require(case.status == S::Handling)?;
            extended(case, request.days, &request.reason, ctx)?
        }
        Command::RefuseExtension { remark } => {
            require(case.status == S::Handling && case.extension_request.is_some())?;
            let head = body_officer(
                case,
                ctx,
                &[Role::UnitHead],
                handling_unit(case)?,
                "延期申请须由办理单位负责人审批",
            )?;
            Event::ExtensionRefused {
                remark: required_text("remark", "不予批准的理由", remark, MAX_TEXT_CHARS)?,
                by: head.person,
                on: today,
            }
        }
        Command::Reply { outcome, text } => {
            require(case.status == S::Handling)?;
            let unit = handling_unit(case)?;
            let drafter = body_officer(
                case,
                ctx,
                CASE_WORKERS,
                unit,
                "只有办理单位可以出具处理意见",
            )?;
            fitting_outcome(case, *outcome)?;
            let text = required_text("text", "处理意见", text, MAX_TEXT_CHARS)?;
            drafted(
                case,
                ctx,
                DraftKind::Reply,
                Some(*outcome),
                text,
                unit,
                drafter,
            )?
        }
        Command::Evaluate {
            office,
            unit,
            comment,
        } => {
            require(case.replied_on.is_some() && case.status != S::Linked)?;
            petitioner_or_registrar(case, ctx)?;
            if case.evaluation.is_none() && d.evaluation_due.is_none() {
                return Err(DomainError::WindowClosed(format!(
                    "{}事项的答复不作满意度评价",
                    case.class.label()
                )));
            }
            if case.evaluation.is_some() {
                return Err(DomainError::AlreadyDone("每件信访事项只能评价一次"));
            }
            if let Some(due) = d.evaluation_due.filter(|due| today > *due) {
                return Err(DomainError::WindowClosed(format!("评价期限已于{due}届满")));
            }
            let comment = optional_text("comment", "评价意见", comment.clone(), 2000)?;
            Event::Evaluated {
                office: *office,
                unit: *unit,
                comment,
                on: today,
            }
        }
        Command::RequestReview { reason } => {
            require(case.status == S::Replied)?;
            petitioner_or_registrar(case, ctx)?;
            appeal_window(
                d.review_request_due,
                today,
                "复查",
                "处理意见书",
                l.review_request.days,
            )?;
            let reason = required_text("reason", "复查理由", reason, MAX_TEXT_CHARS)?;
            let review_unit = review_body(case, ctx.org, ctx.policy)?;
            Event::ReviewRequested {
                reason,
                on: today,
                review_unit,
                review_due: l.review.due(today, ctx.calendar),
                external: ctx.org.get(review_unit)?.external,
            }
        }
        Command::Review { outcome, text } => {
            require(case.status == S::ReviewRequested)?;
            let unit = case.review_unit.ok_or_else(illegal)?;
            let drafter = body_officer(
                case,
                ctx,
                CASE_WORKERS,
                unit,
                "只有复查机关可以出具复查意见",
            )?;
            fitting_outcome(case, *outcome)?;
            let text = required_text("text", "复查意见", text, MAX_TEXT_CHARS)?;
            drafted(
                case,
                ctx,
                DraftKind::Review,
                Some(*outcome),
                text,
                unit,
                drafter,
            )?
        }
        Command::RequestRereview { reason } => {
            require(case.status == S::Reviewed)?;
            petitioner_or_registrar(case, ctx)?;
            appeal_window(
                d.rereview_request_due,
                today,
                "复核",
                "复查意见书",
                l.rereview_request.days,
            )?;
            let reason = required_text("reason", "复核理由", reason, MAX_TEXT_CHARS)?;
            let rereview_unit = rereview_body(case, ctx.org)?;
            Event::RereviewRequested {
                reason,
                on: today,
                rereview_unit,
                rereview_due: l.rereview.due(today, ctx.calendar),
                external: ctx.org.get(rereview_unit)?.external,
            }
        }
        Command::ScheduleHearing {
            hearing_on,
            place,
            panel,
        } => {
            may_organise_hearing(case, ctx, &illegal)?;
            let due = d.rereview_due.ok_or_else(illegal)?;
            if *hearing_on < today || *hearing_on > due {
                return Err(DomainError::invalid(
                    "hearing_on",
                    format!("听证日期应在今天（{today}）至复核期限（{due}）之间"),
                ));
            }
            let place = required_text("place", "听证地点", place, 200)?;
            let panel = hearing_panel(panel)?;
            if panel.is_empty() {
                return Err(DomainError::invalid("panel", "请填写听证员"));
            }
            Event::HearingScheduled {
                on: today,
                hearing_on: *hearing_on,
                place,
                panel,
            }
        }
        Command::StartHearing { panel } => {
            may_organise_hearing(case, ctx, &illegal)?;
            let plan = case.planned_hearing.as_ref();
            let mut panel = hearing_panel(panel)?;
            if panel.is_empty() {
                panel = plan.map(|p| p.panel.clone()).unwrap_or_default();
            }
            if panel.is_empty() {
                return Err(DomainError::invalid("panel", "请填写听证员"));
            }
            Event::HearingStarted {
                on: today,
                panel,
                place: plan.map(|p| p.place.clone()).unwrap_or_default(),
            }
        }
        Command::EndHearing { conclusion, record } => {
            let hearing = case.open_hearing().ok_or_else(illegal)?;
            body_officer(
                case,
                ctx,
                CASE_WORKERS,
                case.rereview_unit.ok_or_else(illegal)?,
                "只有复核机关可以结束听证",
            )?;
            let conclusion = required_text("conclusion", "听证结论", conclusion, MAX_TEXT_CHARS)?;
            if record.chars().count() > MAX_TEXT_CHARS {
                return Err(DomainError::invalid("record", "听证笔录过长"));
            }
            // The hearing's days, both ends included, are not counted in the 复核 limit.
            let length = (today - hearing.started_on).num_days() + 1;
            let due = d.rereview_due.ok_or_else(illegal)?;
            Event::HearingEnded {
                on: today,
                conclusion,
                record: record.trim().to_string(),
                rereview_due: due + Duration::days(length),
            }
        }
        Command::Rereview { outcome, text } => {
            require(case.status == S::RereviewRequested && case.open_hearing().is_none())?;
            let unit = case.rereview_unit.ok_or_else(illegal)?;
            let drafter = body_officer(
                case,
                ctx,
                CASE_WORKERS,
                unit,
                "只有复核机关可以出具复核意见",
            )?;
            fitting_outcome(case, *outcome)?;
            let text = required_text("text", "复核意见", text, MAX_TEXT_CHARS)?;
            drafted(
                case,
                ctx,
                DraftKind::Rereview,
                Some(*outcome),
                text,
                unit,
                drafter,
            )?
        }
        Command::Approve => {
            let (draft, unit, approver) = to_sign(case, ctx).ok_or_else(illegal)??;
            return Ok(vec![
                Event::DraftApproved {
                    kind: draft.kind,
                    by: approver.person,
                    on: today,
                },
                issued_draft(case, ctx, draft, unit)?,
            ]);
        }
        Command::Return { remark } => {
            let (_, _, approver) = to_sign(case, ctx).ok_or_else(illegal)??;
            Event::DraftReturned {
                remark: required_text("remark", "退回意见", remark, MAX_TEXT_CHARS)?,
                by: approver.person,
                on: today,
            }
        }
        Command::RecomputeDeadlines => {
            let By::System = ctx.by else {
                return Err(DomainError::Forbidden("期限只由系统在节假日安排调整后重算"));
            };
            let deadlines = recomputed_deadlines(case, ctx.calendar);
            if deadlines == case.deadlines {
                return Ok(Vec::new());
            }
            Event::DeadlinesMoved {
                on: today,
                deadlines,
            }
        }
        Command::Merge { .. } | Command::Split { .. } | Command::Relate { .. } => {
            crate::joining::check_own_side(case, cmd, ctx)?;
            // Their events change other cases too: the store decides them with those cases
            // loaded (crate::joining::decide), never one case alone.
            return Err(DomainError::invalid(
                "action",
                "此操作涉及其他信访事项，须一并办理",
            ));
        }
        Command::Close => {
            match ctx.by {
                By::System => {}
                By::Officer(a) if a.has(Role::Admin) => {}
                _ => return Err(DomainError::Forbidden("只有系统或管理员可以办结期满的事项")),
            }
            let (window, what) = match case.status {
                S::Replied => (
                    d.review_request_due,
                    "复查申请期限届满，信访人未申请复查，事项办结",
                ),
                S::Reviewed => (
                    d.rereview_request_due,
                    "复核申请期限届满，信访人未申请复核，事项办结",
                ),
                _ => return Err(illegal()),
            };
            match window {
                Some(due) if today > due => Event::Closed {
                    on: today,
                    reason: what.to_string(),
                },
                _ => {
                    return Err(DomainError::WindowClosed(
                        "申请期限尚未届满，不能办结".into(),
                    ));
                }
            }
        }
    };
    Ok(vec![event])
}

/// The case's deadlines counted again on `calendar`: only the limits counted in working days
/// move, each from the day its step began (an extension and the hearings' days still added).
pub fn recomputed_deadlines(case: &Case, calendar: &Calendar) -> Deadlines {
    use CaseStatus as S;
    let l = &case.limits;
    let mut n = case.deadlines.clone();
    let redo = |slot: &mut Option<NaiveDate>, limit: Limit, start: Option<NaiveDate>| {
        if let (DayCount::Working, Some(_), Some(start)) = (limit.count, *slot, start) {
            *slot = Some(limit.due(start, calendar));
        }
    };
    match case.status {
        S::Registered => redo(&mut n.sort_due, l.sort, Some(case.sorting_since)),
        S::Forwarded | S::Assigned => {
            redo(&mut n.object_due, l.object, case.received_on);
            redo(&mut n.accept_due, l.accept, case.received_on);
        }
        S::Handling => {
            redo(&mut n.handle_due, l.handle, case.accepted_on);
            if let (Some(due), Some(x)) = (n.handle_due, &case.extension)
                && l.handle.count == DayCount::Working
            {
                n.handle_due = Some(calendar.add_working_days(due, x.days));
            }
        }
        S::Replied => redo(&mut n.review_request_due, l.review_request, case.replied_on),
        S::ReviewRequested => redo(&mut n.review_due, l.review, case.review_requested_on),
        S::Reviewed => redo(
            &mut n.rereview_request_due,
            l.rereview_request,
            case.reviewed_on,
        ),
        S::RereviewRequested => {
            redo(&mut n.rereview_due, l.rereview, case.rereview_requested_on);
            // The hearings' days are not counted in the limit.
            let paused: i64 = case
                .hearings
                .iter()
                .filter_map(|h| h.ended_on.map(|e| (e - h.started_on).num_days() + 1))
                .sum();
            if l.rereview.count == DayCount::Working {
                n.rereview_due = n.rereview_due.map(|d| d + Duration::days(paused));
            }
        }
        _ => {}
    }
    if case.evaluation.is_none() {
        redo(&mut n.evaluation_due, l.evaluation, case.replied_on);
    }
    n
}

/// Decides and applies in one step; on error the case is left exactly as it was.
pub fn handle(case: &mut Case, cmd: &Command, ctx: Ctx) -> Result<Vec<Event>, DomainError> {
    let events = decide(case, cmd, ctx)?;
    for e in &events {
        case.apply(e);
    }
    Ok(events)
}

/// An extension may still be given: none given yet, and the handling limit not yet past.
fn extension_open(case: &Case, today: NaiveDate) -> Result<(), DomainError> {
    if case.extension.is_some() {
        return Err(DomainError::AlreadyDone("办理期限只能延长一次"));
    }
    match case.deadlines.handle_due {
        Some(due) if today > due => Err(DomainError::WindowClosed(format!(
            "办理期限已于{due}届满，不能再延期"
        ))),
        _ => Ok(()),
    }
}

fn extension_days(days: u32, max: u32) -> Result<(), DomainError> {
    if days == 0 || days > max {
        return Err(DomainError::invalid(
            "days",
            format!("延长天数应为1至{max}日（不超过{max}日，《信访工作条例》第三十五条）"),
        ));
    }
    Ok(())
}

/// The extension a unit head gives (their own, or a handler's request they approve).
fn extended(case: &Case, days: u32, reason: &str, ctx: Ctx) -> Result<Event, DomainError> {
    let head = body_officer(
        case,
        ctx,
        &[Role::UnitHead],
        handling_unit(case)?,
        "延期须经办理单位负责人批准",
    )?;
    extension_open(case, ctx.today)?;
    let l = &case.limits;
    extension_days(days, l.extension_max.days)?;
    let due = case
        .deadlines
        .handle_due
        .ok_or(DomainError::IllegalTransition {
            status: case.status.label(),
            action: "延期",
        })?;
    let reason = required_text("reason", "延期理由", reason, MAX_TEXT_CHARS)?;
    let handle_due = match l.handle.count {
        DayCount::Calendar => due + Duration::days(days as i64),
        DayCount::Working => ctx.calendar.add_working_days(due, days),
    };
    Ok(Event::Extended {
        days,
        reason,
        approved_by: head.person,
        on: ctx.today,
        handle_due,
    })
}

/// A written opinion as its drafter hands it in: a draft for sign-off; for a body above the
/// deployment, whose decision the office only enters, issued at once (it was signed there).
fn drafted(
    case: &Case,
    ctx: Ctx,
    kind: DraftKind,
    outcome: Option<Outcome>,
    text: String,
    unit: UnitId,
    drafter: &Actor,
) -> Result<Event, DomainError> {
    if ctx.org.get(unit)?.external {
        return issued(case, ctx, kind, outcome, text, unit);
    }
    Ok(Event::Drafted {
        kind,
        outcome,
        text,
        by: drafter.person,
        on: ctx.today,
    })
}

/// An opinion given before the case came into this system (an imported register's reply): issued
/// as recorded, dated `ctx.today`, signed in the old system — no draft. The case must be in
/// handling at a unit.
pub fn recorded_opinion(
    case: &Case,
    ctx: Ctx,
    outcome: Outcome,
    text: String,
) -> Result<Event, DomainError> {
    if case.status != CaseStatus::Handling {
        return Err(DomainError::IllegalTransition {
            status: case.status.label(),
            action: "录入答复",
        });
    }
    fitting_outcome(case, outcome)?;
    let text = required_text("text", "答复意见", &text, MAX_TEXT_CHARS)?;
    issued(
        case,
        ctx,
        DraftKind::Reply,
        Some(outcome),
        text,
        handling_unit(case)?,
    )
}

/// The opinion the case's pending draft would issue if it were signed today, for the preview
/// (none when there is no draft for the step the case is at).
pub fn draft_preview(case: &Case, ctx: Ctx) -> Option<Event> {
    let draft = case.draft.as_ref()?;
    let unit = drafting_unit(case, draft.kind)?;
    issued_draft(case, ctx, draft, unit).ok()
}

/// The opinion `draft` issues for `unit` on `ctx.today` (on signing, and in the preview).
fn issued_draft(
    case: &Case,
    ctx: Ctx,
    draft: &crate::case::Draft,
    unit: UnitId,
) -> Result<Event, DomainError> {
    issued(
        case,
        ctx,
        draft.kind,
        draft.outcome,
        draft.text.clone(),
        unit,
    )
}

/// The pending draft, its unit and the officer signing it: none when there is nothing to sign
/// at this step; an error when this officer may not sign it.
fn to_sign<'c, 'a>(
    case: &'c Case,
    ctx: Ctx<'a>,
) -> Option<Result<(&'c crate::case::Draft, UnitId, &'a Actor), DomainError>> {
    let draft = case.draft.as_ref().filter(|d| d.pending())?;
    let unit = drafting_unit(case, draft.kind)?;
    Some(signer(ctx, unit, draft.by).map(|a| (draft, unit, a)))
}

/// The unit whose opinion a draft of `kind` is, while the case is at that step (a draft for
/// a step the case has left is void).
fn drafting_unit(case: &Case, kind: DraftKind) -> Option<UnitId> {
    use CaseStatus as S;
    match (kind, case.status) {
        (DraftKind::Reply, S::Handling) | (DraftKind::Decline, S::Forwarded | S::Assigned) => {
            case.handling_unit
        }
        (DraftKind::Review, S::ReviewRequested) => case.review_unit,
        (DraftKind::Rereview, S::RereviewRequested) if case.open_hearing().is_none() => {
            case.rereview_unit
        }
        _ => None,
    }
}

/// The head or leader signing for `unit` ([`access::may_sign`]), who did not draft it.
fn signer<'a>(ctx: Ctx<'a>, unit: UnitId, drafter: PersonId) -> Result<&'a Actor, DomainError> {
    let By::Officer(actor) = ctx.by else {
        return Err(DomainError::Forbidden("文书须由本单位负责人或领导签发"));
    };
    if !access::may_sign(actor, ctx.org.get(unit)?) {
        return Err(DomainError::Forbidden("文书须由本单位负责人或领导签发"));
    }
    if actor.person == drafter {
        return Err(DomainError::Forbidden(
            "起草人不能签发或退回自己起草的文书，请由本单位其他负责人或领导审签",
        ));
    }
    Ok(actor)
}

/// The opinion itself, issued today: the reply's date is the day it is signed (按期办结 counts it).
fn issued(
    case: &Case,
    ctx: Ctx,
    kind: DraftKind,
    outcome: Option<Outcome>,
    text: String,
    unit: UnitId,
) -> Result<Event, DomainError> {
    let today = ctx.today;
    let l = &case.limits;
    let on_merits = || outcome.ok_or_else(|| DomainError::invalid("outcome", "请选择处理结果"));
    Ok(match kind {
        DraftKind::Decline => Event::Declined {
            reason: text,
            on: today,
        },
        DraftKind::Reply => {
            let evaluation_due = l.evaluation.due(today, ctx.calendar);
            match case.class {
                PetitionClass::Claim => Event::Replied {
                    outcome: on_merits()?,
                    text,
                    on: today,
                    unit,
                    review_request_due: l.review_request.due(today, ctx.calendar),
                    evaluation_due,
                },
                class => Event::Answered {
                    class,
                    outcome: on_merits()?,
                    text,
                    on: today,
                    unit,
                    evaluation_due: ctx.policy.rated(class).then_some(evaluation_due),
                },
            }
        }
        DraftKind::Review => Event::Reviewed {
            outcome: on_merits()?,
            text,
            on: today,
            unit,
            rereview_request_due: l.rereview_request.due(today, ctx.calendar),
        },
        DraftKind::Rereview => Event::Rereviewed {
            outcome: on_merits()?,
            text,
            on: today,
            unit,
        },
    })
}

/// The petitioner's window to appeal runs from the delivery of the opinion.
fn appeal_window(
    due: Option<NaiveDate>,
    today: NaiveDate,
    step: &str,
    opinion: &str,
    days: u32,
) -> Result<(), DomainError> {
    match due {
        Some(due) if today > due => Err(DomainError::WindowClosed(format!(
            "申请{step}的期限（收到{opinion}之日起{days}日，至{due}）已过"
        ))),
        _ => Ok(()),
    }
}

/// The body the petitioner asks for 复查 of a reply: the level above the handling unit — for a
/// department, the government at its level or the department one level up, as the policy says.
pub fn review_body(case: &Case, org: &OrgChart, policy: &Policy) -> Result<UnitId, DomainError> {
    let handler = handling_unit(case)?;
    if policy.review.department == DepartmentReview::UpperDepartment
        && org.get(handler)?.kind == UnitKind::Department
        && let Some(upper) = org.counterpart_above(handler)
    {
        return Ok(upper.id);
    }
    level_above(org, handler, "复查")
}

/// The body the petitioner asks for 复核 of a 复查 opinion: the level above the reviewer, so
/// that the same body never does both (above the deployment's top, an external body).
pub fn rereview_body(case: &Case, org: &OrgChart) -> Result<UnitId, DomainError> {
    let reviewer = case.review_unit.ok_or(DomainError::IllegalTransition {
        status: case.status.label(),
        action: "复核",
    })?;
    level_above(org, reviewer, "复核")
}

fn level_above(org: &OrgChart, unit: UnitId, step: &str) -> Result<UnitId, DomainError> {
    match org.level_above(unit) {
        Some(above) => Ok(above.id),
        None => Err(DomainError::invalid(
            "unit",
            format!(
                "{}的上一级机关未在本平台设置，无法转送{step}申请：请管理员在单位管理中添加上级外部机关",
                org.get(unit)?.name
            ),
        )),
    }
}

fn handling_unit(case: &Case) -> Result<UnitId, DomainError> {
    case.handling_unit.ok_or(DomainError::IllegalTransition {
        status: case.status.label(),
        action: "办理",
    })
}

/// The acting officer must hold one of `roles` in a unit covering `unit` (admins always may).
pub(crate) fn officer<'a>(
    ctx: Ctx<'a>,
    roles: &[Role],
    unit: UnitId,
    why: &'static str,
) -> Result<&'a Actor, DomainError> {
    let By::Officer(actor) = ctx.by else {
        return Err(DomainError::Forbidden(why));
    };
    let unit = ctx.org.get(unit)?;
    if access::may_work_case(actor, roles, unit) {
        Ok(actor)
    } else {
        Err(DomainError::Forbidden(why))
    }
}

/// The officer acting for the body at `unit`: its own people; for a body above the deployment,
/// the office tracking the case, entering what the body decided (for a report, which the office
/// may not see, administrators only).
fn body_officer<'a>(
    case: &Case,
    ctx: Ctx<'a>,
    roles: &[Role],
    unit: UnitId,
    why: &'static str,
) -> Result<&'a Actor, DomainError> {
    if !ctx.org.get(unit)?.external {
        return officer(ctx, roles, unit, why);
    }
    match case.tracker() {
        Some(office) => officer(ctx, SORTERS, office, why),
        None => officer(ctx, &[Role::Admin], unit, why),
    }
}

/// The petitioner acts by query code, or a registrar of the office records it for them.
fn petitioner_or_registrar(case: &Case, ctx: Ctx) -> Result<(), DomainError> {
    match ctx.by {
        By::Petitioner => Ok(()),
        By::Officer(_) => officer(
            ctx,
            &[Role::Registrar],
            case.registered_unit,
            "须由信访人本人或登记机关代为提出",
        )
        .map(|_| ()),
        By::System => Err(DomainError::Forbidden("须由信访人本人提出")),
    }
}

/// Reports go to 纪检监察, never to the accused unit; cases go down or sideways from the office, not to itself.
fn check_destination(case: &Case, to: &Unit, org: &OrgChart) -> Result<(), DomainError> {
    if to.id == case.sorting_unit {
        return Err(DomainError::invalid("to_unit", "不能转送给本单位"));
    }
    if case.is_report && case.accused_kind.is_official() && to.kind != UnitKind::Discipline {
        return Err(DomainError::invalid(
            "to_unit",
            "检举控告公职人员或公权力机关的事项应当转送纪检监察机关",
        ));
    }
    if let Some(accused) = case.accused_unit {
        let accused = org.get(accused)?;
        if accused.covers(to) {
            return Err(DomainError::invalid(
                "to_unit",
                "检举控告材料不得转给被检举的单位",
            ));
        }
    }
    Ok(())
}

/// An opinion's outcome must be one its class concludes (采纳 answers a suggestion, not a claim).
fn fitting_outcome(case: &Case, outcome: Outcome) -> Result<(), DomainError> {
    let fits = case.class.outcomes();
    if fits.contains(&outcome) {
        Ok(())
    } else {
        let names: Vec<&str> = fits.iter().map(|o| o.label()).collect();
        Err(DomainError::invalid(
            "outcome",
            format!("{}事项的结论应为：{}", case.class.label(), names.join("、")),
        ))
    }
}

pub(crate) fn required_text(
    field: &'static str,
    what: &str,
    text: &str,
    max: usize,
) -> Result<String, DomainError> {
    crate::text_rule::check(field, what, text)?;
    let t = text.trim();
    if crate::text_rule::is_blank(t) {
        return Err(DomainError::invalid(field, format!("{what}不能为空")));
    }
    if t.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("{what}不能超过{max}个字"),
        ));
    }
    Ok(t.to_string())
}

fn optional_text(
    field: &'static str,
    what: &str,
    text: Option<String>,
    max: usize,
) -> Result<Option<String>, DomainError> {
    match text.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => required_text(field, what, t, max).map(Some),
    }
}

/// A hearing is planned and begun by the 复核 body, while the re-review runs and none sits.
fn may_organise_hearing(
    case: &Case,
    ctx: Ctx,
    illegal: &dyn Fn() -> DomainError,
) -> Result<(), DomainError> {
    if case.status != CaseStatus::RereviewRequested || case.open_hearing().is_some() {
        return Err(illegal());
    }
    body_officer(
        case,
        ctx,
        CASE_WORKERS,
        case.rereview_unit.ok_or_else(illegal)?,
        "只有复核机关可以组织听证",
    )
    .map(|_| ())
}

/// A hearing panel as given: one member per entry, blanks dropped, at most 50 of 100 characters.
fn hearing_panel(panel: &[String]) -> Result<Vec<String>, DomainError> {
    let panel: Vec<String> = panel
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if panel.len() > 50 || panel.iter().any(|p| p.chars().count() > 100) {
        return Err(DomainError::invalid(
            "panel",
            "听证员名单不正确（至多50人，每人至多100字）",
        ));
    }
    Ok(panel)
}

/// The commands `ctx.by` may issue on this case now, by code. A command counts as available when
/// the rules refuse it only for its placeholder input, not for the state, the window or the role.
pub fn available_actions(case: &Case, ctx: Ctx) -> Vec<&'static str> {
    available_commands(case, ctx)
        .into_iter()
        .map(|(code, _)| code)
        .collect()
}

/// [`available_actions`] with each command's Chinese name, for buttons.
pub fn available_commands(case: &Case, ctx: Ctx) -> Vec<(&'static str, &'static str)> {
    use crate::vocab::{LegalChannel, Rating};
    let text = String::from("-");
    let probes = [
        Command::Forward { to_unit: UnitId(0) },
        Command::Assign {
            to_unit: UnitId(0),
            report_due: None,
        },
        Command::Redirect {
            legal_channel: LegalChannel::Litigation,
            note: None,
        },
        Command::Reject {
            reason: text.clone(),
        },
        Command::Object {
            reason: text.clone(),
        },
        Command::Reclassify {
            class: PetitionClass::Claim,
            accused_kind: None,
            reason: text.clone(),
        },
        Command::Accept,
        Command::Decline {
            reason: text.clone(),
        },
        Command::Extend {
            days: 1,
            reason: text.clone(),
        },
        Command::RequestExtension {
            days: 1,
            reason: text.clone(),
        },
        Command::ApproveExtension,
        Command::RefuseExtension {
            remark: text.clone(),
        },
        Command::Reply {
            outcome: Outcome::Support,
            text: text.clone(),
        },
        Command::Evaluate {
            office: Rating::Satisfied,
            unit: Rating::Satisfied,
            comment: None,
        },
        Command::RequestReview {
            reason: text.clone(),
        },
        Command::Review {
            outcome: Outcome::Support,
            text: text.clone(),
        },
        Command::RequestRereview {
            reason: text.clone(),
        },
        Command::ScheduleHearing {
            hearing_on: NaiveDate::MIN,
            place: text.clone(),
            panel: vec![],
        },
        Command::StartHearing { panel: vec![] },
        Command::EndHearing {
            conclusion: text.clone(),
            record: String::new(),
        },
        Command::Rereview {
            outcome: Outcome::Support,
            text,
        },
        Command::Approve,
        Command::Return {
            remark: String::from("-"),
        },
        Command::Close,
        Command::Merge {
            duplicates: vec![CaseId(0)],
            reason: String::new(),
        },
        Command::Split {
            matters: vec![
                crate::command::Matter {
                    title: String::from("-"),
                    content: String::from("-"),
                    category: None,
                };
                2
            ],
        },
        Command::Relate {
            case: CaseId(0),
            reason: String::from("-"),
        },
    ];
    probes
        .iter()
        .filter(|cmd| match decide(case, cmd, ctx) {
            Ok(_) => true,
            Err(DomainError::Invalid { .. } | DomainError::NotFound(_)) => true,
            Err(_) => false,
        })
        .map(|cmd| (cmd.code(), cmd.name()))
        .collect()
}
