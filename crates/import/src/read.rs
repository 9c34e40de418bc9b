//! A file as rows of text, whatever it is: .xlsx, .ods and real (BIFF) .xls through calamine, HTML
//! tables and Excel 2003 XML saved as ".xls" (see [`crate::markup`]),
//! CSV in UTF-8 or GB18030/GBK. The first bytes decide, never the extension: a ".xls" that is
//! really a CSV reads as one.

use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, open_workbook_auto_from_rs};

use crate::ImportError;

/// Largest file read (a whole sheet is held in memory).
pub const MAX_FILE_BYTES: u64 = 200 * 1024 * 1024;

/// A sheet as text: the header row, then each row with its number as a spreadsheet shows it
/// (the header is row 1 of its sheet; blank rows are skipped but keep their numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
    /// The sheet read.
    pub name: String,
    /// The sheets the file has (one, "CSV", for a CSV).
    pub names: Vec<String>,
}

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A zip: .xlsx or .ods.
    Zip,
    /// An OLE compound file: .xls (BIFF).
    Ole,
    /// Markup: an HTML table or Excel 2003 XML saved as ".xls".
    Markup,
    Text,
}

pub fn sniff(bytes: &[u8]) -> Format {
    let start = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let first = start
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| start[i]);
    if bytes.starts_with(b"PK\x03\x04") {
        Format::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        Format::Ole
    } else if first == Some(b'<') {
        Format::Markup
    } else {
        Format::Text
    }
}

/// Reads `path`'s sheet `sheet` (the first when none is named).
pub fn read_file(path: &Path, sheet: Option<&str>) -> Result<Sheet, ImportError> {
    let size = std::fs::metadata(path)?.len();
    if size > MAX_FILE_BYTES {
        return Err(ImportError::Format(format!(
            "文件 {} MB，超过 {} MB 的上限，请分成几个文件导入",
            size / 1024 / 1024,
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    read_bytes(std::fs::read(path)?, sheet)
}

pub fn read_bytes(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Sheet, ImportError> {
    match sniff(&bytes) {
        Format::Zip | Format::Ole => workbook(bytes, sheet),
        Format::Markup => markup(&decode(&bytes)?, sheet),
        Format::Text => text(&decode(&bytes)?),
    }
}

fn workbook(bytes: Vec<u8>, sheet: Option<&str>) -> Result<Sheet, ImportError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ImportError::Format(e.to_string()))?;
    let names = book.sheet_names().to_vec();
    let (name, range) = match sheet {
        Some(s) => {
            let name = names
                .iter()
                .find(|n| n.trim() == s.trim())
                .ok_or_else(|| ImportError::NoSuchSheet(s.to_string(), names.join("、")))?;
            let range = book
                .worksheet_range(name)
                .map_err(|e| ImportError::Format(e.to_string()))?;
            (name.clone(), range)
        }
        // The first sheet with something in it (exports often lead with an empty one).
        None => names
            .iter()
            .filter_map(|n| book.worksheet_range(n).ok().map(|r| (n.clone(), r)))
            .find(|(_, r)| r.rows().any(|row| row.iter().any(|c| !cell(c).is_empty())))
            .ok_or_else(|| ImportError::Format("文件中没有内容不为空的工作表".into()))?,
    };
    // Row numbers as the sheet shows them: the range may start below row 1.
    let first_row = range.start().map_or(0, |(r, _)| r as usize) + 1;
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| (first_row + i, r.iter().map(cell).collect::<Vec<_>>()));
    sheet_of(name, names, rows)
}

/// The numbered rows of a sheet as a [`Sheet`]: the first row that is not blank is the header,
/// blank rows after it are skipped (their numbers are kept by the others).
fn sheet_of(
    name: String,
    names: Vec<String>,
    rows: impl IntoIterator<Item = (usize, Vec<String>)>,
) -> Result<Sheet, ImportError> {
    let mut rows = rows.into_iter();
    let headers = header_row(&mut rows)?;
    Ok(Sheet {
        headers,
        rows: rows.filter(|(_, r)| !blank(r)).collect(),
        name,
        names,
    })
}

/// A cell as text: whole numbers without ".0", dates as Excel serial numbers (read by
/// [`crate::dates::parse`]), errors as empty.
fn cell(d: &Data) -> String {
    match d {
        Data::Empty | Data::Error(_) => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.as_f64().to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
    }
}

fn blank(r: &[String]) -> bool {
    r.iter().all(|c| c.trim().is_empty())
}

/// The first row that is not blank is the header.
fn header_row(
    rows: &mut impl Iterator<Item = (usize, Vec<String>)>,
) -> Result<Vec<String>, ImportError> {
    rows.find(|(_, r)| !blank(r))
        .map(|(_, r)| r)
        .ok_or_else(|| ImportError::Format("表格是空的".into()))
}

/// Text in UTF-8 (with or without a byte-order mark) or, failing that, GB18030 (which GBK and
/// GB2312 are part of).
fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(_) => {
            let (s, _, bad) = encoding_rs::GB18030.decode(body);
            if bad {
                return Err(ImportError::Format(
                    "文本既不是 UTF-8 也不是 GBK/GB18030 编码".into(),
                ));
            }
            Ok(s.into_owned())
        }
    }
}

/// An HTML table or Excel 2003 XML saved as ".xls": the worksheet (or 表1, 表2 … for HTML
/// tables) by name, else the first with content.
fn markup(decoded: &str, sheet: Option<&str>) -> Result<Sheet, ImportError> {
    let tables = crate::markup::tables(decoded)?;
    let names: Vec<String> = tables.iter().map(|(n, _)| n.clone()).collect();
    let (name, rows) = match sheet {
        Some(s) => tables
            .into_iter()
            .find(|(n, _)| n.trim() == s.trim())
            .ok_or_else(|| ImportError::NoSuchSheet(s.to_string(), names.join("、")))?,
        None => tables
            .into_iter()
            .find(|(_, rows)| rows.iter().any(|(_, r)| !blank(r)))
            .ok_or_else(|| ImportError::Format("网页或 XML 文件中没有表格".into()))?,
    };
    sheet_of(name, names, rows)
}

/// CSV, comma, tab or semicolon separated, as the header line says.
fn text(decoded: &str) -> Result<Sheet, ImportError> {
    let first_line = decoded.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(decoded.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| ImportError::Format(format!("CSV：{e}")))?;
        // The row as a spreadsheet shows the file (a record over several lines is one row).
        let line = record
            .position()
            .map_or(rows.len() + 1, |p| p.line() as usize);
        rows.push((
            line,
            record
                .iter()
                .map(|c| c.trim().to_string())
                .collect::<Vec<_>>(),
        ));
    }
    sheet_of("CSV".into(), vec!["CSV".into()], rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_or_gbk_reads_the_same() {
        let text =
            "标题,内容,来源\n路灯不亮,\"晚上路灯不亮，\n行人看不清\",网站\n\n噪音,夜间施工,电话\n";
        let utf8 = read_bytes(text.as_bytes().to_vec(), None).unwrap();
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let gbk = read_bytes(gbk.into_owned(), None).unwrap();
        assert_eq!(utf8, gbk);
        assert_eq!(utf8.headers, ["标题", "内容", "来源"]);
        assert_eq!(utf8.rows.len(), 2);
        assert_eq!(utf8.rows[0].0, 2);
        assert_eq!(utf8.rows[0].1[1], "晚上路灯不亮，\n行人看不清");
        // Numbered as a spreadsheet shows the file: the record over two lines is one row, the
        // blank line another.
        assert_eq!(utf8.rows[1].0, 4);
        let bom = read_bytes([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(), None).unwrap();
        assert_eq!(bom.headers[0], "标题");
    }

    #[test]
    fn the_first_bytes_decide_not_the_name() {
        assert_eq!(sniff(b"PK\x03\x04rest"), Format::Zip);
        assert_eq!(
            sniff(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Format::Ole
        );
        assert_eq!(sniff(b"  <html><table>"), Format::Markup);
        assert_eq!(sniff("标题\t内容".as_bytes()), Format::Text);
        let tabbed = read_bytes("标题\t内容\n甲\t乙\n".as_bytes().to_vec(), None).unwrap();
        assert_eq!(tabbed.rows[0].1, ["甲", "乙"]);
        assert!(matches!(
            read_bytes(b"<html><table></table></html>".to_vec(), None),
            Err(ImportError::Format(_))
        ));
        // A GBK web page saved as .xls reads as its table.
        let page = "<html><meta charset=gb2312><table><tr><td>标题</td><td>时间</td></tr>\
                    <tr><td>路灯不亮</td><td>2020年9月3日</td></tr></table></html>";
        let gbk = encoding_rs::GBK.encode(page).0.into_owned();
        let read = read_bytes(gbk, None).unwrap();
        assert_eq!(read.headers, ["标题", "时间"]);
        assert_eq!(
            read.rows,
            [(2, vec!["路灯不亮".to_string(), "2020年9月3日".to_string()])]
        );
        assert!(matches!(
            read_bytes(b"PK\x03\x04broken".to_vec(), None),
            Err(ImportError::Format(_))
        ));
    }

    #[test]
    fn an_xlsx_sheet_reads_by_name_with_numbers_and_dates_as_text() {
        use rust_xlsxwriter::{ExcelDateTime, Workbook};
        let mut book = Workbook::new();
        book.add_worksheet()
            .set_name("说明")
            .unwrap()
            .write_string(0, 0, "导出说明")
            .unwrap();
        let sheet = book.add_worksheet().set_name("工单").unwrap();
        for (c, h) in ["工单编号", "来电时间", "诉求\n标题", "人数"]
            .iter()
            .enumerate()
        {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        sheet.write_string(2, 0, "GD001").unwrap();
        let when = ExcelDateTime::parse_from_str("2020-09-03 14:30:00").unwrap();
        sheet
            .write_datetime_with_format(
                2,
                1,
                &when,
                &rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            )
            .unwrap();
        sheet.write_string(2, 2, "路灯不亮").unwrap();
        sheet.write_number(2, 3, 12.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(sniff(&bytes), Format::Zip);
        let read = read_bytes(bytes.clone(), Some("工单")).unwrap();
        assert_eq!(read.names, ["说明", "工单"]);
        assert_eq!(read.headers, ["工单编号", "来电时间", "诉求\n标题", "人数"]);
        let (row, cells) = &read.rows[0];
        assert_eq!(*row, 3, "the header sits on the sheet's second row");
        assert_eq!(
            (cells[0].as_str(), cells[2].as_str(), cells[3].as_str()),
            ("GD001", "路灯不亮", "12")
        );
        let when = crate::dates::parse(&cells[1], crate::dates::DayOrder::MonthFirst).unwrap();
        assert_eq!(when.to_string(), "2020-09-03 14:30:00");
        assert!(matches!(
            read_bytes(bytes, Some("没有")),
            Err(ImportError::NoSuchSheet(..))
        ));
    }
}
