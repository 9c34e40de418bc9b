//! 派单目录 page (系统管理): the rules with their versions, a rule added or revised, stopped or
//! restarted, the catalogue as a workbook out and back in, and how often routing suggestions
//! were taken each month.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::dispatch::{DispatchRule, DispatchRuleCommand, DispatchRuleInput};
use xinfang_domain::routing::Acceptance;
use xinfang_domain::{DispatchRuleId, UnitId};

use super::form::{Submitted, Uploaded};
use super::frame::{
    Frame, UnitOption, category_groups, error_page, frame, page_status, unit_options, urlencode,
    workbook,
};
use super::session::UiOfficer;
use crate::app::dispatch::Failure;
use crate::{AppState, app};

/// A rule as listed.
pub struct Row {
    pub r: DispatchRule,
    pub units: String,
    pub valid: String,
}

/// A month's figures as shown.
pub struct Figures {
    pub month: String,
    pub target: &'static str,
    pub decisions: u64,
    pub first_taken: String,
    pub top1: String,
    pub top3: String,
}

fn percent(part: u64, whole: u64) -> String {
    Acceptance::rate(part, whole).map_or_else(|| "—".into(), |r| format!("{:.1}%", r * 100.0))
}

#[derive(Template, WebTemplate)]
#[template(path = "dispatch.html")]
struct Page {
    frame: Frame,
    rows: Vec<Row>,
    /// The rule in the form: being revised, or typed and refused.
    form: RuleForm,
    units: Vec<UnitOption>,
    categories: Vec<(&'static str, Vec<(String, &'static str)>)>,
    figures: Vec<Figures>,
    error: Option<String>,
    done: Option<String>,
    failures: Vec<Failure>,
}

impl Page {
    fn unit_chosen(&self, id: &i64) -> bool {
        self.form.units.contains(id)
    }
}

/// The rule form (and the stop and restart buttons).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RuleForm {
    action: String,
    id: Option<i64>,
    name: String,
    category: String,
    region: String,
    keywords: String,
    units: Vec<i64>,
    priority: String,
    valid_from: String,
    valid_to: String,
    basis: String,
}

impl RuleForm {
    fn of(r: &DispatchRule) -> RuleForm {
        RuleForm {
            action: "revise".into(),
            id: Some(r.id.0),
            name: r.name.clone(),
            category: r.category.clone().unwrap_or_default(),
            region: r.region.clone().unwrap_or_default(),
            keywords: r.keywords.join("、"),
            units: r.units.iter().map(|u| u.0).collect(),
            priority: r.priority.to_string(),
            valid_from: r.valid_from.map(|d| d.to_string()).unwrap_or_default(),
            valid_to: r.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            basis: r.basis.clone(),
        }
    }

    fn input(&self) -> Result<DispatchRuleInput, String> {
        let date = |v: &str| -> Result<Option<chrono::NaiveDate>, String> {
            match v.trim() {
                "" => Ok(None),
                v => super::form::date(v).map(Some),
            }
        };
        Ok(DispatchRuleInput {
            name: self.name.clone(),
            category: Some(self.category.clone()).filter(|c| !c.trim().is_empty()),
            region: Some(self.region.clone()).filter(|c| !c.trim().is_empty()),
            keywords: self
                .keywords
                .split(['、', ',', '，', ';', '；', ' ', '\n'])
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(String::from)
                .collect(),
            units: self.units.iter().map(|u| UnitId(*u)).collect(),
            priority: self
                .priority
                .trim()
                .parse()
                .map_err(|_| "请填写1至99的优先级".to_string())?,
            valid_from: date(&self.valid_from)?,
            valid_to: date(&self.valid_to)?,
            basis: self.basis.clone(),
        })
    }
}

#[derive(Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    edit: Option<i64>,
    #[serde(default)]
    done: Option<String>,
}

struct Shown {
    form: Option<RuleForm>,
    error: Option<String>,
    done: Option<String>,
    failures: Vec<Failure>,
}

async fn render(
    state: &AppState,
    officer: &UiOfficer,
    edit: Option<i64>,
    shown: Shown,
) -> Response {
    let (rules, figures) = match tokio::try_join!(
        app::dispatch::list(state),
        app::routing::acceptance(state, &officer.actor)
    ) {
        Ok(x) => x,
        Err(e) => return error_page(e.status, &e.message),
    };
    let org = state.store.org();
    let form = shown.form.unwrap_or_else(|| {
        edit.and_then(|id| rules.iter().find(|r| r.id.0 == id))
            .map(RuleForm::of)
            .unwrap_or_else(|| RuleForm {
                action: "create".into(),
                priority: "50".into(),
                ..Default::default()
            })
    });
    let rows = rules
        .into_iter()
        .rev()
        .map(|r| Row {
            units: r
                .units
                .iter()
                .filter_map(|u| org.get(*u).ok().map(|u| u.name.clone()))
                .collect::<Vec<_>>()
                .join("、"),
            valid: match (r.valid_from, r.valid_to) {
                (None, None) => "长期".into(),
                (f, t) => format!(
                    "{} 至 {}",
                    f.map_or("—".into(), |d| d.to_string()),
                    t.map_or("—".into(), |d| d.to_string())
                ),
            },
            r,
        })
        .collect();
    let figures = figures
        .into_iter()
        .map(|a| Figures {
            target: if a.target == "unit" {
                "承办单位（分流）"
            } else {
                "分类（登记）"
            },
            first_taken: percent(a.first_taken, a.decisions),
            top1: percent(a.top1, a.decisions),
            top3: percent(a.top3, a.decisions),
            decisions: a.decisions,
            month: a.month,
        })
        .collect();
    let status = page_status(&shown.error);
    let page = Page {
        frame: frame(state, officer),
        rows,
        form,
        units: unit_options(state),
        categories: category_groups(),
        figures,
        error: shown.error,
        done: shown.done,
        failures: shown.failures,
    };
    (status, page).into_response()
}

fn admin_only(officer: &UiOfficer) -> Result<(), Response> {
    app::org::admin(&officer.actor)
        .map_err(|e| error_page(e.status, "只有管理员可以维护派单目录。"))
}

pub async fn page(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<PageQuery>,
) -> Response {
    if let Err(r) = admin_only(&officer) {
        return r;
    }
    let shown = Shown {
        form: None,
        error: None,
        done: q.done,
        failures: Vec::new(),
    };
    render(&state, &officer, q.edit, shown).await
}

pub async fn act(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<RuleForm>,
) -> Response {
    if let Err(r) = admin_only(&officer) {
        return r;
    }
    let a = &officer.actor;
    let id = form.id.map(DispatchRuleId);
    let result = match (form.action.as_str(), id) {
        ("create", _) => match form.input() {
            Ok(input) => app::dispatch::create(&state, a, input)
                .await
                .map(|_| "新增规则"),
            Err(e) => Err(crate::error::ApiError::bad_request("invalid_field", e)),
        },
        ("revise", Some(id)) => match form.input() {
            Ok(rule) => {
                let cmd = DispatchRuleCommand::Revise { rule };
                app::dispatch::act(&state, a, id, cmd)
                    .await
                    .map(|_| "修改规则")
            }
            Err(e) => Err(crate::error::ApiError::bad_request("invalid_field", e)),
        },
        ("stop", Some(id)) => app::dispatch::act(&state, a, id, DispatchRuleCommand::Stop)
            .await
            .map(|_| "停用规则"),
        ("restart", Some(id)) => app::dispatch::act(&state, a, id, DispatchRuleCommand::Restart)
            .await
            .map(|_| "启用规则"),
        _ => Err(crate::error::ApiError::bad_request(
            "bad_action",
            "未知的操作",
        )),
    };
    match result {
        Ok(done) => {
            Redirect::to(&format!("/admin/dispatch?done={}", urlencode(done))).into_response()
        }
        Err(e) => {
            let keep_form = matches!(form.action.as_str(), "create" | "revise");
            let shown = Shown {
                form: keep_form.then(|| form.clone()),
                error: Some(e.message),
                done: None,
                failures: Vec::new(),
            };
            render(&state, &officer, None, shown).await
        }
    }
}

/// The catalogue as a workbook.
pub async fn export(State(state): State<AppState>, officer: UiOfficer) -> Response {
    match app::dispatch::export(&state, &officer.actor).await {
        Ok(bytes) => workbook(bytes, "派单目录.xlsx"),
        Err(e) => error_page(e.status, &e.message),
    }
}

/// A workbook of the catalogue (multipart: `csrf`, `file`): every row checked, then written.
pub async fn import(
    State(state): State<AppState>,
    officer: UiOfficer,
    multipart: Multipart,
) -> Response {
    if let Err(r) = admin_only(&officer) {
        return r;
    }
    let mut form = match Uploaded::read(&officer, multipart, "文件过大或上传中断").await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let file = form.file("file").map(|(_, b)| b);
    let fail = |error: String, failures: Vec<Failure>| Shown {
        form: None,
        error: Some(error),
        done: None,
        failures,
    };
    let Some(bytes) = file else {
        return render(
            &state,
            &officer,
            None,
            fail("请选择要导入的文件".into(), Vec::new()),
        )
        .await;
    };
    match app::dispatch::import(&state, &officer.actor, bytes).await {
        Ok(out) if !out.failures.is_empty() => {
            let message = format!("{} 行有误，未导入任何规则", out.failures.len());
            render(&state, &officer, None, fail(message, out.failures)).await
        }
        Ok(out) => {
            let done = format!(
                "导入：新增{}条，修改{}条，未变{}条",
                out.created, out.revised, out.unchanged
            );
            Redirect::to(&format!("/admin/dispatch?done={}", urlencode(&done))).into_response()
        }
        Err(e) => render(&state, &officer, None, fail(e.message, Vec::new())).await,
    }
}
