//! The worklist: the cases waiting on the officer's unit, grouped by what they wait for
//! (待分流, 待受理, 办理中, 待答复, 复查复核), most urgent first or by any column.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xinfang_domain::case::CaseStatus;
use xinfang_store::read::{CaseFilter, CaseSummary, Sort, SortKey};

use super::frame::{Frame, frame, from_api};
use super::session::UiOfficer;
use crate::{AppState, app};

pub struct Group {
    pub key: &'static str,
    pub title: &'static str,
    pub hint: &'static str,
    pub items: Vec<CaseSummary>,
    pub total: i64,
    pub capped: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "worklist.html")]
struct WorklistPage {
    frame: Frame,
    groups: Vec<Group>,
    warning: String,
    /// The sort in force, as its code (`due`, `-registered`, …).
    sort: String,
    /// For administrators: next year's holiday schedule is missing.
    calendar_warning: Option<String>,
    /// What was just done elsewhere (by code, never text from the address).
    notice: Option<&'static str>,
}

/// The worklist's columns: (sort key, header).
const COLUMNS: &[(&str, &str)] = &[
    ("registered", "编号"),
    ("title", "标题"),
    ("petitioner", "信访人"),
    ("channel", "渠道"),
    ("step", "环节"),
    ("due", "期限"),
    ("status", "状态"),
];

impl WorklistPage {
    /// The link a column header sorts by: ascending first, the other way when already sorted by it.
    fn sort_link(&self, key: &str) -> String {
        let next = if self.sort == key {
            format!("-{key}")
        } else {
            key.to_string()
        };
        let mut link = format!("/?sort={next}");
        if !self.warning.is_empty() {
            link.push_str(&format!("&warning={}", self.warning));
        }
        link
    }

    /// `aria-sort` of a column header.
    fn aria_sort(&self, key: &str) -> &'static str {
        if self.sort == key {
            "ascending"
        } else if self.sort.strip_prefix('-') == Some(key) {
            "descending"
        } else {
            "none"
        }
    }

    fn arrow(&self, key: &str) -> &'static str {
        match self.aria_sort(key) {
            "ascending" => "▲",
            "descending" => "▼",
            _ => "",
        }
    }
}

const GROUPS: &[(&str, &str, &str, &[CaseStatus])] = &[
    (
        "sort",
        "待分流",
        "登记后待转送、交办、告知或不予受理",
        &[CaseStatus::Registered],
    ),
    (
        "accept",
        "待受理",
        "已转送或交办到本单位，待决定是否受理",
        &[CaseStatus::Forwarded, CaseStatus::Assigned],
    ),
    (
        "handle",
        "办理中",
        "已受理，答复期限尚早",
        &[CaseStatus::Handling],
    ),
    (
        "reply",
        "待答复",
        "已受理，临近或超过答复期限",
        &[CaseStatus::Handling],
    ),
    (
        "review",
        "复查/复核",
        "信访人申请复查或复核，待出具意见",
        &[CaseStatus::ReviewRequested, CaseStatus::RereviewRequested],
    ),
];

/// The worklist's query: a colour to show, a column to sort by.
#[derive(Deserialize)]
pub struct WorklistQuery {
    #[serde(default)]
    warning: String,
    #[serde(default)]
    sort: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

pub async fn worklist(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<WorklistQuery>,
) -> Response {
    let warning = Some(q.warning)
        .filter(|w| xinfang_domain::Warning::from_code(w).is_some())
        .unwrap_or_default();
    // Most urgent first unless a column says otherwise ("newest" is the old spelling).
    let sort = match q.sort.as_deref() {
        Some("newest") => Sort::parse("-registered"),
        Some(s) => Sort::parse(s),
        None => None,
    }
    .unwrap_or(Sort {
        key: SortKey::Due,
        descending: false,
    });
    let mut groups = Vec::new();
    // Those who sign see first the opinions drafted in their units and waiting for them.
    if officer
        .actor
        .has_any(&[xinfang_domain::Role::UnitHead, xinfang_domain::Role::Leader])
    {
        let filter = CaseFilter {
            unit: Some(officer.actor.unit),
            signoff: true,
            per_page: 50,
            ..Default::default()
        };
        match app::cases::list(&state, &officer.actor, &filter).await {
            Ok(page) if page.total > 0 => groups.push(Group {
                key: "signoff",
                title: "待签发",
                hint: "已起草的处理意见书等文书，待负责人或领导审签（起草人以外的人签发）",
                total: page.total,
                capped: page.total_capped,
                items: page.items,
            }),
            Ok(_) => {}
            Err(e) => return from_api(e),
        }
    }
    for (key, title, hint, statuses) in GROUPS {
        let colour = match (*key, warning.as_str()) {
            (_, w) if !w.is_empty() => xinfang_domain::Warning::from_code(w),
            ("handle", _) => Some(xinfang_domain::Warning::Green),
            _ => None,
        };
        let filter = CaseFilter {
            statuses: statuses.to_vec(),
            waiting_on: Some(officer.actor.unit),
            open_only: true,
            warning: colour,
            sort: (sort.key != SortKey::Due || sort.descending).then_some(sort),
            per_page: 50,
            ..Default::default()
        };
        let mut page = match app::cases::list(&state, &officer.actor, &filter).await {
            Ok(p) => p,
            Err(e) => return from_api(e),
        };
        if *key == "reply" && warning.is_empty() {
            // 待答复: handling cases in their last stretch or late.
            page.items
                .retain(|i| i.warning != Some(xinfang_domain::Warning::Green));
            page.total = page.items.len() as i64;
        }
        groups.push(Group {
            key,
            title,
            hint,
            total: page.total,
            capped: page.total_capped,
            items: page.items,
        });
    }
    WorklistPage {
        frame: frame(&state, &officer),
        groups,
        warning,
        sort: sort.code(),
        notice: match q.done.as_deref() {
            Some("password") => Some("密码已修改，您在其他设备上的登录已失效。"),
            _ => None,
        },
        calendar_warning: officer
            .actor
            .has(xinfang_domain::Role::Admin)
            .then(|| app::calendar::warning(&state))
            .flatten(),
    }
    .into_response()
}
