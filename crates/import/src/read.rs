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
    // Rows and columns as the sheet shows them: the range may start below row 1 and right of
    // column A. Trailing empty cells are left out, as the streamed reading leaves them.
    let (first_row, first_col) = range
        .start()
        .map_or((0, 0), |(r, c)| (r as usize, c as usize));
    let rows = range.rows().enumerate().map(move |(i, r)| {
        let cells = std::iter::repeat_n(String::new(), first_col).chain(r.iter().map(cell));
        (first_row + 1 + i, trimmed(cells.collect()))
    });
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

/// A row without its trailing empty cells.
pub(crate) fn trimmed(mut cells: Vec<String>) -> Vec<String> {
    while cells.last().is_some_and(|c| c.is_empty()) {
        cells.pop();
    }
    cells
}

/// A cell as text: whole numbers without ".0", dates as Excel serial numbers (read by
/// [`crate::dates::parse`]), errors as empty.
pub(crate) fn cell(d: &Data) -> String {
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

pub(crate) fn blank(r: &[String]) -> bool {
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

/// The delimiter of a CSV, comma, tab or semicolon, as its first line that is not blank says.
pub(crate) fn delimiter(text: &str) -> u8 {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',')
}

/// How CSV is read: rows of any length, the header among them.
pub(crate) fn csv_reader(delimiter: u8) -> csv::ReaderBuilder {
    let mut b = csv::ReaderBuilder::new();
    b.has_headers(false).flexible(true).delimiter(delimiter);
    b
}

/// CSV, comma, tab or semicolon separated, as the header line says.
fn text(decoded: &str) -> Result<Sheet, ImportError> {
    let mut reader = csv_reader(delimiter(decoded)).from_reader(decoded.as_bytes());
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
pub(crate) mod tests {
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

    /// A real BIFF8 workbook (Excel 97–2003) in its compound file: one sheet of text cells
    /// (LABEL records in UTF-16) and numbers, as the old systems saved them.
    pub(crate) fn biff8(
        sheet: &str,
        rows: &[Vec<Option<&str>>],
        numbers: &[(u16, u16, f64)],
    ) -> Vec<u8> {
        fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
            out.extend(typ.to_le_bytes());
            out.extend((data.len() as u16).to_le_bytes());
            out.extend(data);
        }
        fn utf16(s: &str) -> Vec<u8> {
            s.encode_utf16().flat_map(u16::to_le_bytes).collect()
        }
        let bof = |dt: u16| {
            let mut d = Vec::new();
            for v in [0x0600u16, dt, 0x0DBB, 0x07CC] {
                d.extend(v.to_le_bytes());
            }
            d.extend([0u8; 8]);
            d
        };
        let mut body = Vec::new();
        record(&mut body, 0x0809, &bof(0x0010));
        for (r, row) in rows.iter().enumerate() {
            for (c, text) in row.iter().enumerate() {
                if let Some(text) = text {
                    let mut d = Vec::new();
                    for v in [r as u16, c as u16, 0] {
                        d.extend(v.to_le_bytes());
                    }
                    d.extend((text.encode_utf16().count() as u16).to_le_bytes());
                    d.push(1);
                    d.extend(utf16(text));
                    record(&mut body, 0x0204, &d);
                }
            }
        }
        for (r, c, v) in numbers {
            let mut d = Vec::new();
            for x in [*r, *c, 0] {
                d.extend(x.to_le_bytes());
            }
            d.extend(v.to_le_bytes());
            record(&mut body, 0x0203, &d);
        }
        record(&mut body, 0x000A, &[]);
        // The globals: BOF, the code page (UTF-16), the sheet's name and where it starts, EOF.
        let mut bound = vec![0u8; 4];
        bound.extend([0, 0, sheet.encode_utf16().count() as u8, 1]);
        bound.extend(utf16(sheet));
        let globals_len = (4 + 16) + (4 + 2) + (4 + bound.len()) + 4;
        bound[..4].copy_from_slice(&(globals_len as u32).to_le_bytes());
        let mut stream = Vec::new();
        record(&mut stream, 0x0809, &bof(0x0005));
        record(&mut stream, 0x0042, &1200u16.to_le_bytes());
        record(&mut stream, 0x0085, &bound);
        record(&mut stream, 0x000A, &[]);
        assert_eq!(stream.len(), globals_len);
        stream.extend(body);
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        std::io::Write::write_all(&mut file.create_stream("/Workbook").unwrap(), &stream).unwrap();
        file.flush().unwrap();
        file.into_inner().into_inner()
    }

    /// An OpenDocument spreadsheet with one sheet of strings, a number and a date.
    pub(crate) fn ods(sheet: &str, rows: &[Vec<&str>]) -> Vec<u8> {
        let cell = |v: &str| {
            if let Some(n) = v.strip_prefix('#') {
                format!(
                    r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
                )
            } else if let Some(d) = v.strip_prefix('@') {
                format!(
                    r#"<table:table-cell office:value-type="date" office:date-value="{d}"><text:p>{d}</text:p></table:table-cell>"#
                )
            } else if v.is_empty() {
                "<table:table-cell/>".to_string()
            } else {
                format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>"#
                )
            }
        };
        let body: String = rows
            .iter()
            .map(|r| {
                format!(
                    "<table:table-row>{}</table:table-row>",
                    r.iter().map(|v| cell(v)).collect::<String>()
                )
            })
            .collect();
        let content = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="{sheet}">{body}</table:table></office:spreadsheet></office:body></office:document-content>"#
        );
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
        for (name, text) in [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content.as_str()),
        ] {
            zip.start_file(name, stored).unwrap();
            std::io::Write::write_all(&mut zip, text.as_bytes()).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn a_biff_xls_and_an_ods_read_as_their_sheets() {
        let xls = biff8(
            "信访登记",
            &[
                vec![Some("编号"), Some("来信日期"), Some("标题"), Some("人数")],
                vec![Some("LX-1"), None, Some("拖欠工资"), None],
                vec![],
                vec![Some("LX-2"), Some("2019年5月6日"), Some("道路积水"), None],
            ],
            &[(1, 1, 43_831.5), (1, 3, 3.0), (3, 3, 12.0)],
        );
        assert_eq!(sniff(&xls), Format::Ole);
        let read = read_bytes(xls.clone(), None).unwrap();
        assert_eq!(read.names, ["信访登记"]);
        assert_eq!(read.headers, ["编号", "来信日期", "标题", "人数"]);
        assert_eq!(
            read.rows,
            [
                (
                    2,
                    vec![
                        "LX-1".into(),
                        "43831.5".into(),
                        "拖欠工资".into(),
                        "3".into()
                    ]
                ),
                (
                    4,
                    vec![
                        "LX-2".into(),
                        "2019年5月6日".into(),
                        "道路积水".into(),
                        "12".into()
                    ]
                ),
            ]
        );
        let when =
            crate::dates::parse(&read.rows[0].1[1], crate::dates::DayOrder::MonthFirst).unwrap();
        assert_eq!(when.to_string(), "2020-01-01 12:00:00");
        assert!(matches!(
            read_bytes(xls, Some("没有")),
            Err(ImportError::NoSuchSheet(..))
        ));

        let ods = ods(
            "工单",
            &[
                vec!["工单编号", "来电时间", "诉求标题", "人数"],
                vec!["GD1", "@2020-09-03T14:30:00", "路灯不亮", "#2"],
                vec![],
                vec!["GD2", "2020/9/4 8:00", "噪音扰民", ""],
            ],
        );
        assert_eq!(sniff(&ods), Format::Zip);
        let read = read_bytes(ods, Some("工单")).unwrap();
        assert_eq!(read.headers, ["工单编号", "来电时间", "诉求标题", "人数"]);
        assert_eq!(read.rows.len(), 2);
        assert_eq!(read.rows[1].0, 4);
        assert_eq!(
            (read.rows[0].1[2].as_str(), read.rows[0].1[3].as_str()),
            ("路灯不亮", "2")
        );
        let when =
            crate::dates::parse(&read.rows[0].1[1], crate::dates::DayOrder::MonthFirst).unwrap();
        assert_eq!(when.to_string(), "2020-09-03 14:30:00");
    }
}
