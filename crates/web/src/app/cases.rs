//! Cases as officers reach them: one they may see, a command on it, registration.

use xinfang_domain::conference::AgendaItem;
use xinfang_domain::{Actor, Case, CaseId, Command, DomainError, NewCase, Record, access};
use xinfang_store::read::{CaseFilter, CaseSummary, MAX_PER_PAGE, Page};
use xinfang_store::records::RecordQuery;
use xinfang_store::{StoreError, Who};

use crate::AppState;
use crate::error::{ApiError, ApiResult};
use crate::views::case_view;

/// Longest text query, in characters.
pub const MAX_QUERY_CHARS: usize = 100;

/// A case the officer may see (404 when missing, 403 when not theirs to see).
pub async fn visible(state: &AppState, actor: &Actor, id: CaseId) -> ApiResult<Case> {
    let case = state
        .store
        .case(id)
        .await?
        .ok_or_else(|| ApiError::not_found("信访事项"))?;
    if !state.store.may_see(actor, &case) {
        return Err(ApiError::forbidden("无权查看此信访事项"));
    }
    Ok(case)
}

/// A case the officer may read: one they see, or one on the agenda of a joint meeting their
/// unit sits on (DESIGN.md §3; [`access::sees_agenda_case`]). Reading is all the second gives:
/// acting still asks [`visible`], and such a reader gets the petitioner's data masked.
pub async fn readable(state: &AppState, actor: &Actor, id: CaseId) -> ApiResult<Case> {
    let case = state
        .store
        .case(id)
        .await?
        .ok_or_else(|| ApiError::not_found("信访事项"))?;
    if state.store.may_see(actor, &case) {
        Ok(case)
    } else if on_members_agenda(state, actor, &case).await? {
        Ok(access::redact(case, access::Disclosure::Masked))
    } else {
        Err(ApiError::forbidden("无权查看此信访事项"))
    }
}

async fn on_members_agenda(state: &AppState, actor: &Actor, case: &Case) -> ApiResult<bool> {
    let items: Vec<AgendaItem> = records_of(state, case).await?;
    for meeting in items.iter().filter_map(|i| i.meeting) {
        if let Some(m) = state.store.get(meeting).await?
            && access::sees_agenda_case(actor, case, &m.members)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Records that `actor` is shown the case's personal data unmasked (`kind`: `reveal`, or
/// `document` for a printed document), after checking that they may see it at all.
pub async fn reveal(state: &AppState, actor: &Actor, case: &Case, kind: &str) -> ApiResult<()> {
    if access::disclosure(actor, case) != access::Disclosure::Full {
        return Err(ApiError::forbidden("无权查看信访人的完整个人信息"));
    }
    state
        .store
        .note_personal_access(actor.person, Some(case.id.0), kind)
        .await?;
    Ok(())
}

/// Runs a command on a case the officer sees. With `drawn_from`, the version of the case the
/// command was drawn from: when someone acted since, nothing is done and the refusal (409
/// `conflict`) carries the case as it is now.
pub async fn act(
    state: &AppState,
    actor: &Actor,
    id: CaseId,
    cmd: Command,
    drawn_from: Option<u32>,
) -> ApiResult<Case> {
    let before = visible(state, actor, id).await?;
    // At sorting, what routing offered for the unit, against the unit chosen.
    let routed_to = match &cmd {
        Command::Forward { to_unit } | Command::Assign { to_unit, .. } if !before.is_report => {
            Some(*to_unit)
        }
        _ => None,
    };
    let offered = match routed_to {
        Some(_) => super::routing::offered_units(state, actor, &before),
        None => Vec::new(),
    };
    let named_cases = cmd.names_cases();
    if named_cases.len() > xinfang_domain::joining::MAX_DUPLICATES {
        return Err(DomainError::invalid(
            "duplicates",
            format!(
                "一次至多并入{}件重复件",
                xinfang_domain::joining::MAX_DUPLICATES
            ),
        )
        .into());
    }
    for other in named_cases {
        named(state, actor, other).await?;
    }
    let who = Who::Officer(actor.clone());
    match state.store.act_drawn_from(id, cmd, who, drawn_from).await {
        Ok(case) => {
            if let Some(unit) = routed_to {
                let target = xinfang_store::routing::Target::Unit;
                let chosen = unit.0.to_string();
                super::routing::note_choice(state, actor, id, target, &offered, &chosen).await;
            }
            Ok(case)
        }
        Err(StoreError::Domain(stale @ DomainError::Stale { .. })) => {
            let now = visible(state, actor, id).await?;
            Err(ApiError::from(stale).with_current(case_view(&state.store, actor, now, false)))
        }
        Err(e) => Err(e.into()),
    }
}

/// A case a command names beside the one it acts on (a duplicate to merge, a case to link): one
/// the officer may see; anything else is answered as missing, so that ids cannot be tried to
/// learn which cases exist.
pub async fn named(state: &AppState, actor: &Actor, id: CaseId) -> ApiResult<Case> {
    match state.store.case(id).await? {
        Some(c) if state.store.may_see(actor, &c) => Ok(c),
        _ => Err(ApiError::not_found("信访事项")),
    }
}

/// The cases merged, split or linked with `case` that the officer may see, each with how it is
/// joined, masked as the officer sees its petitioner.
pub async fn joined(state: &AppState, actor: &Actor, case: &Case) -> ApiResult<Vec<JoinedCase>> {
    let mut links: Vec<(CaseId, &'static str, String)> = Vec::new();
    links.extend(case.merged_into.map(|c| (c, "已并入", String::new())));
    links.extend(
        case.merged
            .iter()
            .map(|c| (*c, "并入的重复件", String::new())),
    );
    links.extend(case.split_from.map(|c| (c, "拆分自", String::new())));
    links.extend(
        case.split_into
            .iter()
            .map(|c| (*c, "拆分为", String::new())),
    );
    links.extend(
        case.related
            .iter()
            .map(|r| (r.case, "关联事项", r.reason.clone())),
    );
    let mut out = Vec::new();
    for (id, how, reason) in links {
        let Some(other) = state.store.case(id).await? else {
            continue;
        };
        if !state.store.may_see(actor, &other) {
            continue;
        }
        let how_shown = access::shown(actor, &other, false);
        let shown = access::redact(other, how_shown);
        out.push(JoinedCase {
            id: shown.id.0,
            case_no: shown.case_no,
            title: shown.title,
            petitioner: shown.petitioner.name,
            status: shown.status.label(),
            how,
            reason,
        });
    }
    Ok(out)
}

/// A case joined to the one shown (see [`joined`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct JoinedCase {
    pub id: i64,
    pub case_no: String,
    pub title: String,
    pub petitioner: String,
    pub status: &'static str,
    /// 已并入, 并入的重复件, 拆分自, 拆分为 or 关联事项.
    pub how: &'static str,
    pub reason: String,
}

/// Acts on a lawful request about a case's personal data (the store decides who may and what
/// it becomes), and notes it in the personal-data log.
pub async fn personal_request(
    state: &AppState,
    actor: &Actor,
    id: CaseId,
    request: xinfang_domain::personal::PersonalRequest,
) -> ApiResult<Case> {
    visible(state, actor, id).await?;
    let kind = match &request {
        xinfang_domain::personal::PersonalRequest::Correct { .. } => "correct",
        xinfang_domain::personal::PersonalRequest::Restrict { .. } => "restrict",
        xinfang_domain::personal::PersonalRequest::Erase { .. } => "erase",
    };
    let case = state
        .store
        .personal_request(id, request, Who::Officer(actor.clone()))
        .await?;
    state
        .store
        .note_personal_access(actor.person, Some(id.0), kind)
        .await?;
    Ok(case)
}

/// Registers a petition taken in by the officer's unit.
pub async fn register(state: &AppState, actor: &Actor, new: NewCase) -> ApiResult<Case> {
    let new = typed_in(new)?;
    // What routing offered for the category, against what the registrar chose.
    let chosen = new
        .category
        .clone()
        .filter(|c| !c.is_empty() && !new.is_report);
    let offered = match &chosen {
        Some(_) => super::routing::offered_categories(state, &new),
        None => Vec::new(),
    };
    let case = state
        .store
        .register(new, Who::Officer(actor.clone()), actor.unit)
        .await?;
    if let Some(chosen) = chosen.filter(|_| !case.is_report) {
        let target = xinfang_store::routing::Target::Category;
        super::routing::note_choice(state, actor, case.id, target, &offered, &chosen).await;
    }
    Ok(case)
}

/// A petition as an officer types it in: its attachments can only be files this server
/// received with it (the portal's uploads), never named by hash — a hash would let anyone
/// attach, and then download, a file of a case they may not see.
pub fn typed_in(new: NewCase) -> ApiResult<NewCase> {
    if new.attachments.is_empty() {
        Ok(new)
    } else {
        Err(ApiError {
            field: Some("attachments".into()),
            ..ApiError::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_input",
                "附件只能随网上信访上传，不能按编号引用",
            )
        })
    }
}

/// The mechanisms' records about a case the officer sees (its supervision, its owners …):
/// whoever sees the case sees them.
pub async fn records_of<R: Record>(state: &AppState, case: &Case) -> ApiResult<Vec<R>> {
    let q = RecordQuery {
        case_id: Some(case.id.0),
        by_due: true,
        limit: 100,
        ..Default::default()
    };
    Ok(state.store.list(&q).await?)
}

/// Cases the officer may see, filtered and paginated; a report's petitioner is named only to
/// those who see reporters.
pub async fn list(
    state: &AppState,
    actor: &Actor,
    filter: &CaseFilter,
) -> ApiResult<Page<CaseSummary>> {
    // A look-up by who the petitioner is, is recorded (the field, not the value).
    for (given, kind) in [
        (&filter.petitioner_phone, "search_phone"),
        (&filter.petitioner_id_number, "search_id_number"),
        (&filter.petitioner_name, "search_name"),
    ] {
        if given.as_deref().is_some_and(|v| !v.trim().is_empty()) {
            state
                .store
                .note_personal_access(actor.person, None, kind)
                .await?;
        }
    }
    let mut page = state.store.list_cases(actor, filter).await?;
    hide_reporters(actor, &mut page.items);
    Ok(page)
}

/// Cases the officer may see whose text holds every word of `words`, best first.
pub async fn search(
    state: &AppState,
    actor: &Actor,
    words: &str,
    filter: &CaseFilter,
) -> ApiResult<Page<CaseSummary>> {
    let words = words.trim();
    let mut found = if words.is_empty() {
        state.store.list_cases(actor, filter).await?
    } else if !narrows(filter) {
        (state.text)
            .cases(actor, words, filter.page, filter.per_page)
            .await?
    } else {
        // The best hits (at most MAX_HITS), narrowed by the database, paged in rank order.
        let (hits, more) = state.text.ranked(actor, words).await?;
        let kept = state.store.matching_in_order(actor, &hits, filter).await?;
        let per_page = filter.per_page.clamp(1, MAX_PER_PAGE);
        let page = filter.page.max(1);
        let from = ((page - 1) as usize * per_page as usize).min(kept.len());
        let to = (from + per_page as usize).min(kept.len());
        Page {
            items: state
                .store
                .summaries_in_order(actor, &kept[from..to])
                .await?,
            page,
            per_page,
            total: kept.len() as i64,
            total_capped: more,
        }
    };
    hide_reporters(actor, &mut found.items);
    Ok(found)
}

/// Every case a search finds (up to [`EXPORT_MAX`]), for the export: in rank order for words,
/// newest first for conditions alone.
pub async fn search_all(
    state: &AppState,
    actor: &Actor,
    words: &str,
    filter: &CaseFilter,
) -> ApiResult<Vec<CaseSummary>> {
    let mut all = Vec::new();
    for page in 1.. {
        let f = CaseFilter {
            page,
            per_page: MAX_PER_PAGE,
            ..filter.clone()
        };
        let found = search(state, actor, words, &f).await?;
        let last = found.items.len() < MAX_PER_PAGE as usize;
        all.extend(found.items);
        if last || all.len() >= EXPORT_MAX {
            break;
        }
    }
    all.truncate(EXPORT_MAX);
    Ok(all)
}

/// The most rows an export of a search holds (as many as a search ranks).
pub const EXPORT_MAX: usize = xinfang_text::search::MAX_HITS;

/// Whether the filter narrows by anything the text index does not know.
pub fn narrows(f: &CaseFilter) -> bool {
    !f.statuses.is_empty()
        || f.unit.is_some()
        || f.channel.is_some()
        || f.category.is_some()
        || f.registered_from.is_some()
        || f.registered_to.is_some()
}

/// Cases the officer may see that read like `text` (the duplicate check at intake).
pub async fn similar(
    state: &AppState,
    actor: &Actor,
    text: &str,
    limit: usize,
) -> ApiResult<Vec<CaseSummary>> {
    let mut items = state.text.similar(actor, text, limit).await?;
    hide_reporters(actor, &mut items);
    Ok(items)
}

/// Lists name no reporter outside 纪检监察 ([`access::listed_name`]).
fn hide_reporters(actor: &Actor, items: &mut [CaseSummary]) {
    for i in items.iter_mut() {
        i.petitioner_name =
            access::listed_name(actor, i.is_report, std::mem::take(&mut i.petitioner_name));
    }
}

/// The summaries of those of `ids` the officer may see, in the order of `ids`.
pub async fn summaries(
    state: &AppState,
    actor: &Actor,
    ids: &[i64],
) -> ApiResult<Vec<CaseSummary>> {
    let mut items = state.store.summaries_in_order(actor, ids).await?;
    hide_reporters(actor, &mut items);
    Ok(items)
}

/// The conditions a list or a search is narrowed by, as the query gives them.
pub struct Narrowing {
    pub status: Option<String>,
    pub unit: Option<i64>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
}

/// The filter of `n`, each condition checked (400 `bad_query` with a Chinese message).
pub fn narrowing(state: &AppState, n: Narrowing) -> ApiResult<CaseFilter> {
    let given = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let statuses = match given(n.status) {
        None => Vec::new(),
        Some(s) => s
            .split(',')
            .map(|c| {
                xinfang_domain::CaseStatus::from_code(c.trim())
                    .ok_or_else(|| ApiError::bad_request("bad_query", format!("未知状态: {c}")))
            })
            .collect::<Result<_, _>>()?,
    };
    let channel = given(n.channel)
        .map(|c| {
            xinfang_domain::Channel::from_code(&c)
                .ok_or_else(|| ApiError::bad_request("bad_query", format!("未知渠道: {c}")))
        })
        .transpose()?;
    let category = given(n.category)
        .map(|c| {
            if c == xinfang_domain::taxonomy::UNCLASSIFIED {
                return Ok(c);
            }
            xinfang_domain::taxonomy::resolve(&c).ok_or_else(|| {
                ApiError::bad_request("bad_query", format!("分类不在分类目录中: {c}"))
            })
        })
        .transpose()?;
    if let (Some(from), Some(to)) = (n.from, n.to)
        && from > to
    {
        return Err(ApiError::bad_request("bad_query", "起始日期晚于截止日期"));
    }
    Ok(CaseFilter {
        statuses,
        unit: known_unit(state, n.unit)?,
        channel,
        category,
        registered_from: n.from,
        registered_to: n.to,
        ..Default::default()
    })
}

/// A unit filter must name an existing unit.
pub fn known_unit(state: &AppState, id: Option<i64>) -> ApiResult<Option<xinfang_domain::UnitId>> {
    id.map(|u| {
        state
            .store
            .org()
            .get(xinfang_domain::UnitId(u))
            .map(|u| u.id)
    })
    .transpose()
    .map_err(|_| ApiError::bad_request("bad_query", "单位不存在"))
}
