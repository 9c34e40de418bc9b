//! Tables as Excel workbooks (.xlsx) with Chinese headers, for leaders' monthly reports.

use rust_xlsxwriter::{Format, Workbook, XlsxError};

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
