//! Cases out for exchange (`xinfang export`): the import's own field set, one column a field
//! under its label, written as .xlsx or CSV, so that importing an export gives back the same
//! cases (their numbers, dates, petitioners, matter, handling unit, reply and rating).

use chrono::NaiveDate;
use xinfang_domain::OrgChart;
use xinfang_domain::case::{Case, CaseStatus};
use xinfang_domain::vocab::PetitionClass;

use crate::fields::Target;

/// The columns, in order: every field the import reads.
pub fn headers() -> Vec<&'static str> {
    Target::ALL.iter().map(|t| t.label()).collect()
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A case as a row under [`headers`]. An imported case keeps the numbers and category its
/// register gave it.
pub fn row(case: &Case, org: &OrgChart) -> Vec<String> {
    let imported = case.imported.as_ref();
    let unit_name = |id| org.get(id).map(|u| u.name.clone()).unwrap_or_default();
    let p = &case.petitioner;
    Target::ALL
        .iter()
        .map(|t| match t {
            Target::SourceId => imported
                .and_then(|i| i.source_id.clone().or_else(|| i.case_no.clone()))
                .unwrap_or_else(|| case.case_no.clone()),
            Target::CaseNo => imported
                .and_then(|i| i.case_no.clone())
                .unwrap_or_else(|| case.case_no.clone()),
            Target::ReceivedAt => day(case.registered_on),
            Target::Channel => case.channel.label().to_string(),
            Target::PetitionerName => p.name.clone(),
            Target::PetitionerPhone => p.phone.clone().unwrap_or_default(),
            Target::PetitionerIdNumber => p.id_number.clone().unwrap_or_default(),
            Target::Address => p.address.clone().unwrap_or_default(),
            Target::Region => case.region.clone().unwrap_or_default(),
            Target::Category => imported
                .and_then(|i| i.category.clone())
                .unwrap_or_else(|| case.category.clone()),
            Target::Kind => match case.class {
                PetitionClass::Claim => "投诉",
                PetitionClass::Suggestion => "建议",
                PetitionClass::Report => "举报",
            }
            .to_string(),
            Target::Title => case.title.clone(),
            Target::Content => case.content.clone(),
            Target::HeadCount => case
                .collective
                .as_ref()
                .map_or(1, |c| c.head_count)
                .to_string(),
            Target::Unit => case
                .reply
                .as_ref()
                .map(|r| r.unit)
                .or(case.handling_unit)
                .map(unit_name)
                .unwrap_or_default(),
            Target::Reply => case
                .reply
                .as_ref()
                .map(|r| r.text.clone())
                .unwrap_or_default(),
            Target::RepliedAt => case.reply.as_ref().map(|r| day(r.on)).unwrap_or_default(),
            // In the words every register knows (the import's): finished, or not yet.
            Target::Status => match case.status {
                CaseStatus::Closed => "已办结",
                _ if case.reply.is_some() => "已答复",
                _ => "办理中",
            }
            .to_string(),
            Target::Satisfaction => case
                .evaluation
                .as_ref()
                .map(|e| e.unit.label().to_string())
                .unwrap_or_default(),
        })
        .collect()
}

/// Rows under `headers` as a workbook (one sheet, every cell text, so that numbers such as phone
/// numbers and ids keep their digits).
pub fn table_xlsx(
    sheet_name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name(sheet_name)?;
    for (c, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet.write_string(1 + r as u32, c as u16, v)?;
            }
        }
    }
    book.save_to_buffer()
}

/// Rows under `headers` as CSV in UTF-8 with a byte-order mark (Excel then reads the Chinese).
pub fn table_csv(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    out.write_record(headers)?;
    for row in rows {
        out.write_record(row)?;
    }
    out.into_inner().map_err(|e| e.into_error().into())
}

/// Cases as a workbook under [`headers`].
pub fn xlsx(rows: &[Vec<String>]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    table_xlsx("信访事项", &headers(), rows)
}

/// Cases as CSV under [`headers`].
pub fn csv(rows: &[Vec<String>]) -> Result<Vec<u8>, csv::Error> {
    table_csv(&headers(), rows)
}
