//! Tables as Excel workbooks (.xlsx) with Chinese headers, for leaders' monthly reports.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

use xinfang_store::read::CaseSummary;

use crate::app::stats::{UnitFigures, VolumeRow};

/// The assessment table: per unit, every rate with its numerator and denominator.
pub fn assessment(rows: &[UnitFigures], title: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let sheet = book.add_worksheet().set_name("考核统计")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    let mut headers: Vec<String> = ["单位", "件次", "人次", "批次"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(first) = rows.first() {
        for r in &first.rates {
            headers.push(r.name.to_string());
            headers.push(format!("{}（分子）", r.name));
            headers.push(format!("{}（分母）", r.name));
        }
    }
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, h, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string(r, 0, &row.unit_name)?;
        sheet.write_number(r, 1, row.counts.cases as f64)?;
        sheet.write_number(r, 2, row.counts.people as f64)?;
        sheet.write_number(r, 3, row.counts.collective as f64)?;
        for (k, rate) in row.rates.iter().enumerate() {
            let col = 4 + 3 * k as u16;
            match rate.value {
                Some(v) => sheet.write_number_with_format(r, col, v, &percent)?,
                None => sheet.write_string(r, col, "—")?,
            };
            sheet.write_number(r, col + 1, rate.numerator as f64)?;
            sheet.write_number(r, col + 2, rate.denominator as f64)?;
        }
    }
    sheet.set_column_width(0, 28)?;
    book.save_to_buffer()
}

/// A volume table: one group a row.
pub fn volume(rows: &[VolumeRow], title: &str, group: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("信访量")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (col, h) in [
        group,
        "件次",
        "人次",
        "集体访批次",
        "集体访人次",
        "越级访件次",
        "上期件次（环比）",
        "去年同期件次（同比）",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        sheet.write_string(r, 0, &row.key)?;
        sheet.write_number(r, 1, row.cases as f64)?;
        sheet.write_number(r, 2, row.people as f64)?;
        sheet.write_number(r, 3, row.collective as f64)?;
        sheet.write_number(r, 4, row.collective_people as f64)?;
        sheet.write_number(r, 5, row.skip_level as f64)?;
        sheet.write_number(r, 6, row.previous as f64)?;
        sheet.write_number(r, 7, row.year_ago as f64)?;
    }
    sheet.set_column_width(0, 28)?;
    book.save_to_buffer()
}

/// A list of cases (a search's result): one case a row, as the list shows it (reporters'
/// names already withheld where the viewer may not know them).
pub fn cases(
    rows: &[CaseSummary],
    unit_name: &dyn Fn(i64) -> String,
    title: &str,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let sheet = book.add_worksheet().set_name("信访事项")?;
    sheet.write_string_with_format(0, 0, title, &bold)?;
    let headers = [
        "编号",
        "标题",
        "类别",
        "分类",
        "渠道",
        "信访人",
        "状态",
        "责任单位",
        "登记日期",
        "当前期限",
    ];
    for (col, h) in headers.iter().enumerate() {
        sheet.write_string_with_format(2, col as u16, *h, &bold)?;
    }
    for (i, c) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        let due = match (&c.step, &c.due) {
            (Some(step), Some(due)) => format!("{step} {due}"),
            _ => String::new(),
        };
        for (col, v) in [
            c.case_no.clone(),
            c.title.clone(),
            c.class.label().to_string(),
            c.category.clone(),
            c.channel.label().to_string(),
            c.petitioner_name.clone(),
            c.status.label().to_string(),
            unit_name(c.responsible_unit),
            c.registered_on.clone(),
            due,
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(r, col as u16, v)?;
        }
    }
    sheet.set_column_width(0, 18)?;
    sheet.set_column_width(1, 40)?;
    sheet.set_column_width(7, 24)?;
    book.save_to_buffer()
}
