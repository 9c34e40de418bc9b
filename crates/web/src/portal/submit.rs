//! The petition form and its submission (multipart, with attachments).

use std::net::IpAddr;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use xinfang_adapters::files::{FileError, Staged};
use xinfang_domain::vocab::{Attachment, MAX_ATTACHMENTS, PetitionClass};
use xinfang_domain::{Channel, NewCase, Petitioner, UnitKind, taxonomy};
use xinfang_store::Who;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::ClientIp;
use crate::pow::Refusal;
use crate::views::Problems;

#[derive(Template, WebTemplate)]
#[template(path = "portal_form.html")]
pub(super) struct FormPage {
    challenge: String,
    regions: Vec<String>,
    categories: Vec<(&'static str, Vec<(&'static str, &'static str)>)>,
    form: PetitionFields,
    error: Option<String>,
    problems: Problems,
}

/// The text fields of the petition form, as typed.
#[derive(Debug, Clone, Default)]
pub(super) struct PetitionFields {
    title: String,
    content: String,
    petitioner_name: String,
    petitioner_id_number: String,
    petitioner_phone: String,
    petitioner_address: String,
    email: String,
    category: String,
    region: String,
    pow_challenge: String,
    pow_nonce: String,
}

impl PetitionFields {
    /// Takes a field of the multipart body; fields the form does not have are ignored.
    fn set(&mut self, name: &str, value: String) {
        let slot = match name {
            "title" => &mut self.title,
            "content" => &mut self.content,
            "petitioner_name" => &mut self.petitioner_name,
            "petitioner_id_number" => &mut self.petitioner_id_number,
            "petitioner_phone" => &mut self.petitioner_phone,
            "petitioner_address" => &mut self.petitioner_address,
            "email" => &mut self.email,
            "category" => &mut self.category,
            "region" => &mut self.region,
            "pow_challenge" => &mut self.pow_challenge,
            "pow_nonce" => &mut self.pow_nonce,
            _ => return,
        };
        *slot = value;
    }

    /// The petition, as an online case.
    fn petition(&self, attachments: Vec<Attachment>) -> NewCase {
        let given = |v: &str| Some(v.trim().to_string()).filter(|v| !v.is_empty());
        let category = taxonomy::by_code(self.category.trim()).map(|c| c.path());
        let is_report = category.as_deref() == Some("纪检监察/检举控告");
        NewCase {
            channel: Channel::Online,
            title: self.title.trim().to_string(),
            content: self.content.trim().to_string(),
            petitioner: Petitioner {
                name: self.petitioner_name.trim().to_string(),
                id_number: given(&self.petitioner_id_number),
                phone: given(&self.petitioner_phone),
                address: given(&self.petitioner_address),
                email: given(&self.email),
            },
            category,
            region: given(&self.region),
            collective: None,
            // The sorting office confirms or changes the class the words suggest.
            class: Some(if is_report {
                PetitionClass::Report
            } else {
                PetitionClass::suggest(&self.title, &self.content)
            }),
            is_report,
            accused_kind: None,
            accused_unit: None,
            skip_level: false,
            received_on: None,
            repeat_of: None,
            attachments,
        }
    }
}

impl FormPage {
    fn msg(&self, field: &str) -> &str {
        self.problems.msg(field)
    }

    fn bad(&self, field: &str) -> bool {
        self.problems.bad(field)
    }
}

fn form_page(
    state: &AppState,
    form: PetitionFields,
    error: Option<String>,
    problems: Problems,
) -> FormPage {
    let org = state.store.org();
    let mut regions: Vec<String> = org
        .units()
        .filter(|u| u.kind == UnitKind::Town)
        .map(|u| u.name.clone())
        .collect();
    regions.sort();
    let categories = taxonomy::groups()
        .into_iter()
        .map(|g| {
            let items = taxonomy::CATEGORIES
                .iter()
                .filter(|c| c.group == g)
                .map(|c| (c.code, c.name))
                .collect();
            (g, items)
        })
        .collect();
    FormPage {
        challenge: state.pow.challenge(),
        regions,
        categories,
        form,
        error,
        problems,
    }
}

pub(super) async fn form(State(state): State<AppState>) -> Response {
    form_page(&state, PetitionFields::default(), None, Problems::default()).into_response()
}

#[derive(Template, WebTemplate)]
#[template(path = "portal_receipt.html")]
struct ReceiptPage {
    case_no: String,
    query_code: String,
    title: String,
    registered_on: String,
    sort_due: String,
    /// The limits of this petition's policy, as the citizen reads them.
    sort_limit: String,
    handle_limit: String,
    attachments: Vec<String>,
    /// Where the petitioner follows the case (the public address when the server knows it).
    tracking: String,
}

impl ReceiptPage {
    /// The query code in groups of four, as people read and copy it out.
    fn grouped(&self) -> String {
        let chars: Vec<char> = self.query_code.chars().collect();
        chars
            .chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Text fields are short; anything longer than this is not a form we sent.
const MAX_FIELD_BYTES: usize = 64 * 1024;

/// What a submission carried: its text fields and its files, staged but not yet kept.
struct Received {
    fields: PetitionFields,
    files: Vec<Staged>,
}

fn refuse(
    state: &AppState,
    status: StatusCode,
    fields: PetitionFields,
    message: String,
) -> Response {
    (
        status,
        form_page(state, fields, Some(message), Problems::default()),
    )
        .into_response()
}

async fn receive(
    state: &AppState,
    mut multipart: Multipart,
) -> Result<Received, (StatusCode, String, PetitionFields)> {
    let mut fields = PetitionFields::default();
    let mut files: Vec<Staged> = Vec::new();
    let bad = |fields: &PetitionFields, status, m: String| (status, m, fields.clone());
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(bad(
                    &fields,
                    e.status(),
                    format!("提交内容不完整或过大：{}", e.body_text()),
                ));
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "files" {
            let file_name = field.file_name().unwrap_or_default().to_string();
            let mut field = field;
            // Browsers send an empty part when no file was chosen.
            if file_name.is_empty() {
                while let Ok(Some(_)) = field.chunk().await {}
                continue;
            }
            if files.len() == MAX_ATTACHMENTS {
                return Err(bad(
                    &fields,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("附件最多{MAX_ATTACHMENTS}个"),
                ));
            }
            let mut upload = state
                .files
                .begin(&file_name)
                .await
                .map_err(|e| bad(&fields, StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            loop {
                match field.chunk().await {
                    Ok(Some(chunk)) => upload.push(&chunk).await.map_err(|e| {
                        let status = match e {
                            FileError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
                            _ => StatusCode::UNPROCESSABLE_ENTITY,
                        };
                        bad(&fields, status, e.to_string())
                    })?,
                    Ok(None) => break,
                    Err(e) => {
                        return Err(bad(
                            &fields,
                            e.status(),
                            format!("附件上传中断：{}", e.body_text()),
                        ));
                    }
                }
            }
            files.push(
                upload
                    .finish()
                    .await
                    .map_err(|e| bad(&fields, StatusCode::UNPROCESSABLE_ENTITY, e.to_string()))?,
            );
        } else {
            let mut field = field;
            let mut value = Vec::new();
            while let Ok(Some(chunk)) = field.chunk().await {
                value.extend_from_slice(&chunk);
                if value.len() > MAX_FIELD_BYTES {
                    return Err(bad(
                        &fields,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "表单内容过长".into(),
                    ));
                }
            }
            let value = String::from_utf8(value).map_err(|_| {
                bad(
                    &fields,
                    StatusCode::BAD_REQUEST,
                    "表单内容不是有效的文字".into(),
                )
            })?;
            fields.set(&name, value);
        }
    }
    Ok(Received { fields, files })
}

/// The petition office that takes online petitions: the highest in the tree.
pub(crate) fn intake_office(state: &AppState) -> Option<xinfang_domain::UnitId> {
    state
        .store
        .org()
        .units()
        .filter(|u| u.kind == UnitKind::PetitionOffice)
        .min_by_key(|u| (u.depth(), u.id.0))
        .map(|u| u.id)
}

pub(super) async fn submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    mut multipart: Multipart,
) -> Response {
    if let Err(r) = admit(&state, ip) {
        drain(&mut multipart).await;
        return r;
    }
    let _slot = match state.uploads.clone().try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            drain(&mut multipart).await;
            return refuse(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                PetitionFields::default(),
                "当前提交人数较多，请稍后再试".into(),
            );
        }
    };
    let Received { fields, files } = match receive(&state, multipart).await {
        Ok(r) => r,
        // Dropping the staged files removes them.
        Err((status, message, fields)) => return refuse(&state, status, fields, message),
    };
    match state
        .pow
        .redeem(&state.store, &fields.pow_challenge, &fields.pow_nonce)
        .await
    {
        Ok(()) => {}
        Err(Refusal::Citizen(m)) => return refuse(&state, StatusCode::FORBIDDEN, fields, m.into()),
        Err(Refusal::Store(e)) => {
            let e = ApiError::from(e);
            return refuse(&state, e.status, fields, e.message);
        }
    }
    let mut problems: Vec<(String, String)> = Vec::new();
    if taxonomy::by_code(fields.category.trim()).is_none() {
        problems.push(("category".into(), "请选择事项类别".into()));
    }
    if fields.petitioner_phone.trim().is_empty() {
        problems.push((
            "petitioner.phone".into(),
            "请填写手机号码，用于接收查询码和办理通知".into(),
        ));
    }
    let attachments: Vec<Attachment> = files.iter().map(|s| s.attachment.clone()).collect();
    let new = fields.petition(attachments);
    problems.extend(Problems::of(xinfang_domain::lifecycle::intake_problems(&new)).0);
    if !problems.is_empty() {
        let problems = Problems(problems);
        let summary = problems.summary();
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&state, fields, Some(summary), problems),
        )
            .into_response();
    }
    let Some(office) = intake_office(&state) else {
        return refuse(
            &state,
            StatusCode::SERVICE_UNAVAILABLE,
            fields,
            "网上信访暂未开通（尚未设置信访部门）".into(),
        );
    };
    // Keep the files, then register; if registration is refused, forget the files it brought.
    let mut fresh = Vec::new();
    for staged in files {
        match state.files.keep(staged) {
            Ok((a, true)) => fresh.push(a.sha256),
            Ok((_, false)) => {}
            Err(e) => {
                fresh.iter().for_each(|h| state.files.forget(h));
                return refuse(
                    &state,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    fields,
                    format!("附件存储失败：{e}"),
                );
            }
        }
    }
    match state.store.register(new, Who::Petitioner, office).await {
        Ok(case) => ReceiptPage {
            case_no: case.case_no.clone(),
            query_code: case.query_code.clone(),
            title: case.title.clone(),
            registered_on: case.registered_on.to_string(),
            sort_due: case
                .deadlines
                .sort_due
                .map(|d| d.to_string())
                .unwrap_or_default(),
            sort_limit: case.limits.sort.describe(),
            handle_limit: case.limits.handle.describe(),
            attachments: case.attachments.iter().map(|a| a.name.clone()).collect(),
            tracking: match &state.public_url {
                Some(url) => format!("{}/public/track", url.trim_end_matches('/')),
                None => "本网站“查询进度”页面".to_string(),
            },
        }
        .into_response(),
        Err(e) => {
            fresh.iter().for_each(|h| state.files.forget(h));
            let e: crate::error::ApiError = e.into();
            refuse(&state, e.status, fields, e.message)
        }
    }
}

/// Reads and drops up to 64 KB of a refused body, so that a browser sending a plain form gets
/// the error page rather than a reset connection; anything larger is cut off.
async fn drain(multipart: &mut Multipart) {
    let mut left: usize = 64 * 1024;
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(chunk)) = field.chunk().await {
            left = left.saturating_sub(chunk.len());
            if left == 0 {
                return;
            }
        }
    }
}

/// Per-address limit on submissions, before any of the body is read.
fn admit(state: &AppState, ip: IpAddr) -> Result<(), Response> {
    state.limits.check_submit(ip).map_err(|e| {
        (
            e.status,
            form_page(
                state,
                PetitionFields::default(),
                Some(e.message),
                Problems::default(),
            ),
        )
            .into_response()
    })
}
