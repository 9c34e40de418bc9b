//! What every workbench page shares: the frame (who is logged in, the CSRF token, the menu),
//! error pages, the `?done=` notice, unit options for pickers, and link encoding.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xinfang_domain::Role;

use super::session::UiOfficer;
use crate::AppState;
use crate::error::ApiError;

pub struct Frame {
    pub user: String,
    pub unit: String,
    pub csrf: String,
    /// This page's one-time token: every form sends it, and a form sent twice (a double click,
    /// a resubmit) is done once (see [`crate::once`]).
    pub once: String,
    pub can_register: bool,
    pub is_admin: bool,
}

pub fn frame(state: &AppState, officer: &UiOfficer) -> Frame {
    let a = &officer.actor;
    Frame {
        user: a.name.clone(),
        unit: state
            .store
            .org()
            .get(a.unit)
            .map(|u| u.name.clone())
            .unwrap_or_default(),
        csrf: officer.csrf.clone(),
        once: xinfang_store::auth::new_token(),
        can_register: a.has_any(&[Role::Registrar, Role::Admin]),
        is_admin: a.has(Role::Admin),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    message: String,
}

/// The `?done=` a page shows after a form succeeded.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Done {
    #[serde(default)]
    pub done: Option<String>,
}

/// A form page shown again with an error is answered 422, otherwise 200.
pub fn page_status(error: &Option<String>) -> StatusCode {
    if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    (
        status,
        ErrorPage {
            message: message.to_string(),
        },
    )
        .into_response()
}

pub fn from_api(e: ApiError) -> Response {
    error_page(e.status, &e.message)
}

/// A choice of a select (units; leaders, labelled with their unit).
#[derive(Default)]
pub struct UnitOption {
    pub id: i64,
    pub label: String,
    /// What the unit picker also finds it by: short names and pinyin initials.
    pub keys: String,
    /// The parent unit's id (0 at the top): the picker opens the tree level by level.
    pub parent: i64,
    /// A unit that does not receive cases itself (村民小组): the picker hides it unless asked.
    pub idle: bool,
}

pub fn unit_options(state: &AppState) -> Vec<UnitOption> {
    let org = state.store.org();
    let mut units: Vec<_> = org.units().collect();
    units.sort_by(|a, b| a.path.cmp(&b.path));
    units
        .into_iter()
        .map(|u| UnitOption {
            id: u.id.0,
            label: format!(
                "{}{}（{}{}）",
                "　".repeat(u.depth().saturating_sub(1)),
                u.name,
                u.kind.label(),
                if u.external { "，本平台以上" } else { "" }
            ),
            keys: super::unit_keys::keys(&u.name),
            parent: u.parent.map_or(0, |p| p.0),
            idle: u.kind == xinfang_domain::UnitKind::VillageGroup,
        })
        .collect()
}

/// The taxonomy for category pickers: groups, each with its leaves (path, name).
pub fn category_groups() -> Vec<(&'static str, Vec<(String, &'static str)>)> {
    use xinfang_domain::taxonomy;
    taxonomy::groups()
        .into_iter()
        .map(|g| {
            let leaves = taxonomy::CATEGORIES
                .iter()
                .filter(|c| c.group == g)
                .map(|c| (c.path(), c.name))
                .collect();
            (g, leaves)
        })
        .collect()
}

/// A workbook (.xlsx) to download under `name`.
pub fn workbook(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename*=UTF-8''{}", urlencode(name)),
            ),
        ],
        bytes,
    )
        .into_response()
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The numbers and titles of the cases a list names, as far as the officer may see them: lists
/// of mechanisms (ownerships, supervisions, agendas, tasks) say which case, not "查看".
#[derive(Default)]
pub struct CaseNames(std::collections::HashMap<i64, String>);

impl CaseNames {
    pub async fn of(
        state: &AppState,
        actor: &xinfang_domain::Actor,
        ids: impl IntoIterator<Item = xinfang_domain::CaseId>,
    ) -> CaseNames {
        let mut ids: Vec<i64> = ids.into_iter().map(|c| c.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let found = state
            .store
            .summaries_in_order(actor, &ids)
            .await
            .unwrap_or_default();
        CaseNames(
            found
                .into_iter()
                .map(|s| (s.id, format!("{} {}", s.case_no, s.title)))
                .collect(),
        )
    }

    /// "XF… 标题", or the case's id where the officer may not read it.
    pub fn label(&self, id: &xinfang_domain::CaseId) -> String {
        self.0
            .get(&id.0)
            .cloned()
            .unwrap_or_else(|| format!("信访事项 #{}", id.0))
    }
}
