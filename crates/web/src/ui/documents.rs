//! The case's documents: each written notice printed as a dated document, and the petition's
//! attachments as downloads.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xinfang_domain::CaseId;

use super::frame::{error_page, from_api, urlencode};
use super::session::UiOfficer;
use crate::views::case_view;
use crate::{AppState, app};

#[derive(Template, WebTemplate)]
#[template(path = "document.html")]
struct DocumentPage {
    case_id: i64,
    title: &'static str,
    /// 文书编号: the case number and the step's place in its log; none on a draft's preview.
    number: Option<String>,
    /// A draft shown before it is signed: marked as such, never a document to send.
    draft: bool,
    case_no: String,
    petitioner: String,
    case_title: String,
    registered_on: String,
    body: String,
    /// Where and until when the next step may be asked, or that the matter is closed.
    closing: String,
    unit: String,
    on: String,
}

/// An attachment of a case, as a download (never shown inline: it came from outside).
pub async fn attachment(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path((id, n)): Path<(i64, usize)>,
) -> Response {
    let case = match app::cases::visible(&state, &officer.actor, CaseId(id)).await {
        Ok(c) => c,
        Err(e) => return from_api(e),
    };
    let Some(a) = case.attachments.get(n) else {
        return error_page(StatusCode::NOT_FOUND, "附件不存在");
    };
    match state.files.read(a).await {
        Ok(bytes) => (
            [
                (axum::http::header::CONTENT_TYPE, a.media_type.clone()),
                (
                    axum::http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename*=UTF-8''{}", urlencode(&a.name)),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, sha256 = %a.sha256, "attachment missing");
            error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "附件文件缺失，请联系系统管理员",
            )
        }
    }
}

pub async fn document(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path((id, seq)): Path<(i64, i64)>,
) -> Response {
    let case = match app::cases::visible(&state, &officer.actor, CaseId(id)).await {
        Ok(c) => c,
        Err(e) => return from_api(e),
    };
    let entries = match state.store.timeline(case.id).await {
        Ok(e) => e,
        Err(e) => return from_api(e.into()),
    };
    let Some(entry) = entries.iter().find(|e| e.seq == seq) else {
        return error_page(StatusCode::NOT_FOUND, "文书不存在。");
    };
    let Some(title) = entry.event.notice() else {
        return error_page(StatusCode::NOT_FOUND, "这一步没有出具文书。");
    };
    let org = state.store.org();
    let entered_by = entry
        .unit_id
        .and_then(|u| org.get(xinfang_domain::UnitId(u)).ok())
        .or_else(|| org.get(case.responsible_unit()).ok())
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let number = format!("{}-{}", case.case_no, entry.seq);
    printed(
        &state,
        &officer,
        case,
        &entry.event,
        title,
        entered_by,
        Some(number),
    )
    .await
}

/// The pending draft as it would be printed if signed today: for the drafter to check and the
/// head to read before signing (GET, changes nothing; not recorded as a reveal — it shows the
/// petitioner's name only as the case page does).
pub async fn draft_preview(
    State(state): State<AppState>,
    officer: UiOfficer,
    Path(id): Path<i64>,
) -> Response {
    let case = match app::cases::visible(&state, &officer.actor, CaseId(id)).await {
        Ok(c) => c,
        Err(e) => return from_api(e),
    };
    let (org, calendar) = (state.store.org(), state.store.calendar());
    let ctx = xinfang_domain::lifecycle::Ctx {
        today: state.store.clock().today(),
        by: xinfang_domain::By::Officer(&officer.actor),
        org: &org,
        calendar: &calendar,
        policy: state.store.policy(),
    };
    let Some(event) = xinfang_domain::lifecycle::draft_preview(&case, ctx) else {
        return error_page(StatusCode::NOT_FOUND, "这件事项没有待签发的文书。");
    };
    let title = event.notice().unwrap_or("文书");
    let unit = org
        .get(case.responsible_unit())
        .map(|u| u.name.clone())
        .unwrap_or_default();
    printed(&state, &officer, case, &event, title, unit, None).await
}

/// A written notice as printed: addressed to the petitioner, its text, its closing words, the
/// body that signs it and the date. Printing an issued one names the petitioner: recorded as
/// a reveal.
async fn printed(
    state: &AppState,
    officer: &UiOfficer,
    case: xinfang_domain::Case,
    event: &xinfang_domain::Event,
    title: &'static str,
    entered_by: String,
    number: Option<String>,
) -> Response {
    let org = state.store.org();
    // An opinion is signed by the body that gave it; a body above the deployment's opinion is
    // passed on by the office that entered it.
    let unit = match event.issued_by().and_then(|u| org.get(u).ok()) {
        Some(body) if body.external => format!("{}（{}转达）", body.name, entered_by),
        Some(body) => body.name.clone(),
        None => entered_by,
    };
    use xinfang_domain::access;
    let draft = number.is_none();
    let revealed = !draft && access::disclosure(&officer.actor, &case) == access::Disclosure::Full;
    if revealed && let Err(e) = app::cases::reveal(state, &officer.actor, &case, "document").await {
        return from_api(e);
    }
    let closing = event.closing(&case, &org, state.store.policy());
    let view = case_view(&state.store, &officer.actor, case, revealed);
    let body = event.public_text().unwrap_or_else(|| {
        format!(
            "您于{}提出的信访事项，我单位已依法登记，查询码：{}。",
            view.case.registered_on, view.case.query_code
        )
    });
    DocumentPage {
        case_id: view.case.id.0,
        title,
        number,
        draft,
        case_no: view.case.case_no.clone(),
        petitioner: view.case.petitioner.name.clone(),
        case_title: view.case.title.clone(),
        registered_on: view.case.registered_on.to_string(),
        body,
        closing,
        unit,
        on: event.on().format("%Y年%m月%d日").to_string(),
    }
    .into_response()
}
