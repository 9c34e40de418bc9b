//! 知识库 page: every officer searches the entries in force; administrators add and revise
//! entries, another administrator or a leader approves each version.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::knowledge::{EntryCommand, EntryInput, EntryKind, KnowledgeEntry};
use xinfang_domain::{KnowledgeId, Role};

use super::form::Submitted;
use super::frame::{Frame, frame, page_status, urlencode};
use super::session::UiOfficer;
use crate::app::knowledge::KnowledgeQuery;
use crate::{AppState, app};

#[derive(Template, WebTemplate)]
#[template(path = "knowledge.html")]
struct KnowledgePage {
    frame: Frame,
    q: String,
    kind: String,
    found: Vec<KnowledgeEntry>,
    /// Every entry (administrators and leaders, who approve).
    all: Vec<KnowledgeEntry>,
    is_admin: bool,
    may_approve: bool,
    kinds: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    notice: Option<String>,
    /// The add form as typed, after a refusal.
    typed: Option<EntryForm>,
}

impl KnowledgePage {
    fn status(e: &KnowledgeEntry) -> &'static str {
        if e.withdrawn {
            "已停用"
        } else if e.pending && e.approved.is_some() {
            "使用中（新版本待批准）"
        } else if e.pending {
            "待批准"
        } else {
            "使用中"
        }
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    done: Option<String>,
}

fn kind_of(code: &str) -> Option<EntryKind> {
    EntryKind::ALL.iter().copied().find(|k| k.code() == code)
}

async fn render(
    state: &AppState,
    officer: &UiOfficer,
    q: String,
    kind: String,
    error: Option<String>,
    notice: Option<String>,
    typed: Option<EntryForm>,
) -> Response {
    let actor = &officer.actor;
    let found = if q.trim().is_empty() && kind.is_empty() {
        Vec::new()
    } else {
        let query = KnowledgeQuery {
            q: Some(q.clone()),
            kind: kind_of(&kind),
            ..Default::default()
        };
        match app::knowledge::list(state, actor, query).await {
            Ok(f) => f,
            Err(e) => return e.into_response(),
        }
    };
    let is_admin = actor.has(Role::Admin);
    let may_approve = xinfang_domain::knowledge::may_approve(actor);
    let all = if may_approve {
        match state.store.all::<KnowledgeEntry>(None).await {
            Ok(mut all) => {
                all.reverse();
                all
            }
            Err(e) => return crate::error::ApiError::from(e).into_response(),
        }
    } else {
        Vec::new()
    };
    let page = KnowledgePage {
        frame: frame(state, officer),
        q,
        kind,
        found,
        all,
        is_admin,
        may_approve,
        kinds: EntryKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect(),
        error,
        notice,
        typed,
    };
    (page_status(&page.error), page).into_response()
}

pub async fn page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(p): Query<PageQuery>,
) -> Response {
    render(&state, &officer, p.q, p.kind, None, p.done, None).await
}

#[derive(Deserialize, Clone, Default)]
pub struct EntryForm {
    #[serde(default)]
    id: Option<i64>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    basis: String,
    #[serde(default)]
    public: Option<String>,
}

impl EntryForm {
    fn input(&self) -> Option<EntryInput> {
        Some(EntryInput {
            kind: kind_of(&self.kind)?,
            title: self.title.clone(),
            body: self.body.clone(),
            category: Some(self.category.clone()).filter(|c| !c.trim().is_empty()),
            basis: self.basis.clone(),
            public: self.public.is_some(),
        })
    }
}

/// Adds an entry, or acts on one (`id` with `action`: revise, approve, withdraw, restore).
pub async fn act(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<EntryForm>,
) -> Response {
    let actor = &officer.actor;
    let refused = |message: String, typed: Option<EntryForm>| {
        render(
            &state,
            &officer,
            String::new(),
            String::new(),
            Some(message),
            None,
            typed,
        )
    };
    let done = match (form.id, form.action.as_str()) {
        (None, _) => {
            let Some(input) = form.input() else {
                return refused("请选择条目类型".into(), Some(form.clone())).await;
            };
            app::knowledge::create(&state, actor, input)
                .await
                .map(|_| "已新增，待批准")
        }
        (Some(id), action) => {
            let cmd = match action {
                "approve" => EntryCommand::Approve,
                "withdraw" => EntryCommand::Withdraw,
                "restore" => EntryCommand::Restore,
                "revise" => match form.input() {
                    Some(entry) => EntryCommand::Revise { entry },
                    None => return refused("请选择条目类型".into(), None).await,
                },
                _ => return refused("未知的操作".into(), None).await,
            };
            let done = match cmd {
                EntryCommand::Approve => "已批准",
                EntryCommand::Withdraw => "已停用",
                EntryCommand::Restore => "已恢复",
                EntryCommand::Revise { .. } => "已修改，新版本待批准",
            };
            app::knowledge::act(&state, actor, KnowledgeId(id), cmd)
                .await
                .map(|_| done)
        }
    };
    match done {
        Ok(done) => Redirect::to(&format!("/knowledge?done={}", urlencode(done))).into_response(),
        Err(e) => {
            let typed = form.id.is_none().then_some(form.clone());
            refused(e.message, typed).await
        }
    }
}
