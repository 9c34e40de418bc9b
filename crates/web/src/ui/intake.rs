//! Intake: the registration form (every channel, collective visits with their representatives,
//! reports), each field's problem shown beside it, and the petitioner's other cases and the
//! cases that read alike shown before registering, so that a repeat is linked.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xinfang_domain::command::CollectiveInput;
use xinfang_domain::vocab::{AccusedKind, PetitionClass};
use xinfang_domain::{CaseId, Channel, NewCase, Petitioner, UnitId};
use xinfang_store::read::{CaseFilter, CaseSummary};

use super::form::Submitted;
use super::frame::{Frame, UnitOption, frame, from_api, unit_options, urlencode};
use super::session::UiOfficer;
use crate::views::Problems;
use crate::{AppState, app};

/// The intake form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct IntakeForm {
    pub channel: String,
    pub received_on: String,
    pub petitioner_name: String,
    pub petitioner_phone: String,
    pub petitioner_id_number: String,
    pub petitioner_address: String,
    pub head_count: String,
    pub rep1_name: String,
    pub rep1_phone: String,
    pub rep2_name: String,
    pub rep2_phone: String,
    pub rep3_name: String,
    pub rep3_phone: String,
    pub rep4_name: String,
    pub rep4_phone: String,
    pub rep5_name: String,
    pub rep5_phone: String,
    pub title: String,
    pub content: String,
    pub category: String,
    pub region: String,
    /// The class (`suggestion`, `report`, `claim`); empty until the registrar confirms one.
    pub class: String,
    /// Whom a report accuses (`official`, `other`).
    pub accused_kind: String,
    /// Checkboxes: present when ticked.
    /// The unit a report accuses (its id), if the report names one.
    pub accused_unit: String,
    pub skip_level: Option<String>,
    pub repeat_of: String,
    pub confirm: Option<String>,
}

fn given(v: &str) -> Option<String> {
    Some(v.trim().to_string()).filter(|v| !v.is_empty())
}

impl IntakeForm {
    /// The representatives' (name, phone) as typed, first to fifth.
    pub fn reps(&self) -> [(&str, &str); 5] {
        [
            (&self.rep1_name, &self.rep1_phone),
            (&self.rep2_name, &self.rep2_phone),
            (&self.rep3_name, &self.rep3_phone),
            (&self.rep4_name, &self.rep4_phone),
            (&self.rep5_name, &self.rep5_phone),
        ]
        .map(|(n, p)| (n.as_str(), p.as_str()))
    }

    /// The petition the form describes, or the field that cannot be read and why.
    fn petition(&self) -> Result<NewCase, (String, String)> {
        let person = |name: &str, phone: &str, id_number: &str, address: &str| Petitioner {
            name: name.trim().to_string(),
            phone: given(phone),
            id_number: given(id_number),
            address: given(address),
            email: None,
        };
        let collective = match given(&self.head_count) {
            None => None,
            Some(n) => Some(CollectiveInput {
                head_count: n.parse().map_err(|_| {
                    (
                        "collective.head_count".to_string(),
                        "人数应为数字".to_string(),
                    )
                })?,
                representatives: self
                    .reps()
                    .into_iter()
                    .filter(|(name, _)| !name.trim().is_empty())
                    .map(|(name, phone)| person(name, phone, "", ""))
                    .collect(),
            }),
        };
        let repeat_of = given(&self.repeat_of)
            .map(|r| {
                r.parse::<i64>().map(CaseId).map_err(|_| {
                    (
                        "repeat_of".to_string(),
                        "关联事项请填写事项编号（XF…）".to_string(),
                    )
                })
            })
            .transpose()?;
        let accused_unit = given(&self.accused_unit)
            .map(|u| {
                u.parse::<i64>()
                    .map(UnitId)
                    .map_err(|_| ("accused_unit".to_string(), "请选择被检举单位".to_string()))
            })
            .transpose()?;
        let received_on = given(&self.received_on)
            .map(|d| {
                d.parse()
                    .map_err(|_| ("received_on".to_string(), "收件日期不正确".to_string()))
            })
            .transpose()?;
        let class = match self.class.trim() {
            "" => None,
            c => Some(
                PetitionClass::from_code(c)
                    .ok_or_else(|| ("class".to_string(), "请选择信访事项类别".to_string()))?,
            ),
        };
        let accused_kind = match (class, self.accused_kind.trim()) {
            (Some(PetitionClass::Report), "") => None,
            (Some(PetitionClass::Report), k) => Some(
                AccusedKind::from_code(k)
                    .ok_or_else(|| ("accused_kind".to_string(), "请选择被检举对象".to_string()))?,
            ),
            _ => None,
        };
        let accused_unit = accused_unit.filter(|_| class == Some(PetitionClass::Report));
        Ok(NewCase {
            channel: Channel::from_code(self.channel.trim()).unwrap_or(Channel::Letter),
            title: self.title.trim().to_string(),
            content: self.content.trim().to_string(),
            petitioner: person(
                &self.petitioner_name,
                &self.petitioner_phone,
                &self.petitioner_id_number,
                &self.petitioner_address,
            ),
            category: given(&self.category),
            region: given(&self.region),
            collective,
            is_report: class == Some(PetitionClass::Report),
            class,
            accused_kind,
            accused_unit,
            skip_level: self.skip_level.is_some(),
            received_on,
            repeat_of,
            attachments: Vec::new(),
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "new_case.html")]
struct NewCasePage {
    frame: Frame,
    channels: Vec<(&'static str, &'static str)>,
    form: IntakeForm,
    /// The units a report may accuse.
    units: Vec<UnitOption>,
    /// The message at the top of the form.
    error: Option<String>,
    problems: Problems,
    others: Vec<CaseSummary>,
}

impl NewCasePage {
    fn msg(&self, field: &str) -> &str {
        self.problems.msg(field)
    }

    fn bad(&self, field: &str) -> bool {
        self.problems.bad(field)
    }

    /// The classes with what each means for the handling, as the registrar chooses among them.
    fn classes(&self) -> [(&'static str, &'static str, &'static str); 3] {
        [
            (PetitionClass::Claim, "出具处理意见书，可申请复查、复核"),
            (
                PetitionClass::Suggestion,
                "研究论证后答复是否采纳，不复查复核",
            ),
            (
                PetitionClass::Report,
                "转纪检监察或主管机关，检举人信息保密",
            ),
        ]
        .map(|(c, hint)| (c.code(), c.label(), hint))
    }

    /// The taxonomy for the category picker: groups, each with its leaves (path, name).
    fn categories(&self) -> Vec<(&'static str, Vec<(String, &'static str)>)> {
        super::frame::category_groups()
    }

    fn accused_kinds(&self) -> Vec<(&'static str, &'static str)> {
        AccusedKind::ALL
            .iter()
            .map(|k| (k.code(), k.label()))
            .collect()
    }
}

fn channels() -> Vec<(&'static str, &'static str)> {
    Channel::ALL.iter().map(|c| (c.code(), c.label())).collect()
}

#[derive(Deserialize)]
pub struct NewCaseQuery {
    #[serde(default)]
    channel: Option<String>,
}

pub async fn new_case_form(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<NewCaseQuery>,
) -> Response {
    NewCasePage {
        units: unit_options(&state),
        frame: frame(&state, &officer),
        channels: channels(),
        form: IntakeForm {
            channel: q.channel.unwrap_or_else(|| "letter".into()),
            ..Default::default()
        },
        error: None,
        problems: Default::default(),
        others: Vec::new(),
    }
    .into_response()
}

pub async fn create_case(
    State(state): State<AppState>,
    Submitted { officer, form }: Submitted<IntakeForm>,
) -> Response {
    // A form sent without a class comes back with the class the words suggest, selected.
    let mut shown = form.clone();
    if shown.class.trim().is_empty() {
        shown.class = PetitionClass::suggest(&form.title, &form.content)
            .code()
            .to_string();
    }
    let page = |status: StatusCode, error: Option<String>, problems: Problems, others| {
        let page = NewCasePage {
            units: unit_options(&state),
            frame: frame(&state, &officer),
            channels: channels(),
            form: shown.clone(),
            error,
            problems,
            others,
        };
        (status, page).into_response()
    };
    let render = |error: String, problems: Problems, others| {
        page(
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(error),
            problems,
            others,
        )
    };
    let render_problems = |problems: Problems| render(problems.summary(), problems, Vec::new());
    // 重复信访关联 takes the case number the registrar sees (XF…), or the case's id.
    let mut form = form;
    let given = form.repeat_of.trim().to_ascii_uppercase();
    if given.starts_with("XF") {
        match state.store.case_by_no(&given).await {
            Ok(Some(c)) if state.store.may_see(&officer.actor, &c) => {
                form.repeat_of = c.id.0.to_string()
            }
            _ => {
                return render_problems(Problems(vec![(
                    "repeat_of".into(),
                    format!("没有找到本单位可见的信访事项 {given}"),
                )]));
            }
        }
    }
    let new = match form.petition() {
        Ok(n) => n,
        Err(problem) => return render_problems(Problems(vec![problem])),
    };
    let problems = Problems::of(xinfang_domain::lifecycle::intake_problems(&new));
    if !problems.0.is_empty() {
        return render_problems(problems);
    }
    // Before registering, show the petitioner's other cases and the cases that read alike, so
    // that a repeat can be linked.
    if form.confirm.is_none() && new.repeat_of.is_none() {
        let mut others = Vec::new();
        if let Some(phone) = new.petitioner.phone.clone() {
            let filter = CaseFilter {
                petitioner_phone: Some(phone),
                per_page: 20,
                ..Default::default()
            };
            if let Ok(page) = app::cases::list(&state, &officer.actor, &filter).await {
                others = page.items;
            }
        }
        let text = format!("{}\n{}", new.title, new.content);
        if let Ok(alike) = app::cases::similar(&state, &officer.actor, &text, 5).await {
            for s in alike {
                if !others.iter().any(|o| o.id == s.id) {
                    others.push(s);
                }
            }
        }
        if !others.is_empty() {
            // A hint, not an error: nothing is wrong with the form.
            return page(StatusCode::OK, None, class_hint(&new), others);
        }
    }
    // The class decides the whole handling: the registrar confirms the one the words suggest.
    if new.class.is_none() {
        let hint = class_hint(&new);
        let message = hint.summary();
        return render(message, hint, Vec::new());
    }
    match app::cases::register(&state, &officer.actor, new).await {
        // A report naming this office left it at registration: the office may not open it.
        Ok(case) if !state.store.may_see(&officer.actor, &case) => ReportSent {
            frame: frame(&state, &officer),
            to: state
                .store
                .org()
                .get(case.responsible_unit())
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            case_no: case.case_no,
            query_code: case.query_code,
        }
        .into_response(),
        Ok(case) => {
            Redirect::to(&format!("/cases/{}?done={}", case.id, urlencode("登记"))).into_response()
        }
        Err(e) => render_problems(Problems(vec![(
            e.field.as_deref().unwrap_or("form").to_string(),
            e.message,
        )])),
    }
}

#[derive(Deserialize)]
pub struct PetitionerQuery {
    #[serde(default)]
    phone: String,
    #[serde(default)]
    id_number: String,
}

/// The petitioner's earlier cases the officer may see, for the intake form's caller-ID panel
/// (each look-up by phone or ID number is recorded like any other).
pub async fn petitioner_cases(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<PetitionerQuery>,
) -> Response {
    let mut filter = CaseFilter {
        per_page: 10,
        ..Default::default()
    };
    match (q.phone.trim(), q.id_number.trim()) {
        (p, _) if !p.is_empty() => filter.petitioner_phone = Some(p.to_string()),
        (_, i) if !i.is_empty() => filter.petitioner_id_number = Some(i.to_string()),
        _ => return Json(Vec::<serde_json::Value>::new()).into_response(),
    }
    match app::cases::list(&state, &officer.actor, &filter).await {
        Ok(page) => Json(
            page.items
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id,
                        "case_no": c.case_no,
                        "title": c.title,
                        "status": c.status.label(),
                        "registered_on": c.registered_on,
                    })
                })
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Err(e) => from_api(e),
    }
}

/// The class the registrar is asked to confirm when the form came without one (none otherwise).
fn class_hint(new: &NewCase) -> Problems {
    if new.class.is_some() {
        return Problems::default();
    }
    let suggested = PetitionClass::suggest(&new.title, &new.content);
    Problems(vec![(
        "class".into(),
        format!(
            "请确认信访事项类别：根据内容建议为“{}”，确认或更改后再次提交",
            suggested.label()
        ),
    )])
}

/// After registering a report that names the office: where it went and the query code to hand
/// over, since the office can no longer open it.
#[derive(Template, WebTemplate)]
#[template(path = "report_sent.html")]
struct ReportSent {
    frame: Frame,
    to: String,
    case_no: String,
    query_code: String,
}

#[derive(Deserialize)]
pub struct SuggestQuery {
    #[serde(default)]
    title: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    region: String,
}

/// Routing's suggestions for the petition being typed (the intake form's category picker opens
/// on the first three): the same answer as `POST /api/v1/routing/suggest`.
pub async fn routing_suggest(
    State(state): State<AppState>,
    officer: UiOfficer,
    Query(q): Query<SuggestQuery>,
) -> Response {
    let region = Some(q.region.as_str()).filter(|r| !r.trim().is_empty());
    match app::routing::suggest(&state, &officer.actor, &q.title, &q.content, region).await {
        Ok(s) => Json(s).into_response(),
        Err(e) => e.into_response(),
    }
}
