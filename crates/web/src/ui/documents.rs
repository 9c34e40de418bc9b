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
    // An opinion is signed by the body that gave it; a body above the deployment's opinion is
    // passed on by the office that entered it.
    let unit = match entry.event.issued_by().and_then(|u| org.get(u).ok()) {
        Some(body) if body.external => format!("{}（{}转达）", body.name, entered_by),
        Some(body) => body.name.clone(),
        None => entered_by,
    };
    // A document goes to the petitioner by name: printing it is recorded like a reveal.
    use xinfang_domain::access;
    let revealed = access::disclosure(&officer.actor, &case) == access::Disclosure::Full;
    if revealed && let Err(e) = app::cases::reveal(&state, &officer.actor, &case, "document").await
    {
        return from_api(e);
    }
    let closing = entry.event.closing(&case, &org, state.store.policy());
    let view = case_view(&state.store, &officer.actor, case, revealed);
    let body = entry.event.public_text().unwrap_or_else(|| {
        format!(
            "您于{}提出的信访事项，我单位已依法登记，查询码：{}。",
            view.case.registered_on, view.case.query_code
        )
    });
    DocumentPage {
        case_id: id,
        title,
        case_no: view.case.case_no.clone(),
        petitioner: view.case.petitioner.name.clone(),
        case_title: view.case.title.clone(),
        registered_on: view.case.registered_on.to_string(),
        body,
        closing,
        unit,
        on: entry.event.on().format("%Y年%m月%d日").to_string(),
    }
    .into_response()
}
