//! Spreadsheets saved as markup under an ".xls" name: an HTML table (what many petition and
//! hotline systems export) or Excel 2003 XML (SpreadsheetML). Read leniently with quick-xml: HTML
//! is not XML (end tags go missing, `<br>` never closes, `&nbsp;` is no XML entity), so tags are
//! taken as they come and a new row or cell closes the one before.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::ImportError;

/// A table of the file: its name (the worksheet's, or 表1, 表2 … for HTML tables) and its rows,
/// each with its number as the table counts it (from 1).
pub type Table = (String, Vec<(usize, Vec<String>)>);

#[derive(Default)]
struct Tables {
    done: Vec<Table>,
    name: Option<String>,
    rows: Vec<(usize, Vec<String>)>,
    /// The next row's number (SpreadsheetML may skip rows with `ss:Index`).
    row_no: usize,
    row: Option<Vec<String>>,
    cell: Option<String>,
    /// Inside `<script>` or `<style>`: text there is no cell's.
    skipping: usize,
}

impl Tables {
    fn start_table(&mut self, name: Option<String>) {
        self.end_table();
        self.name = name;
        self.row_no = 1;
    }

    fn end_table(&mut self) {
        self.end_row();
        if !self.rows.is_empty() {
            let name = self
                .name
                .take()
                .unwrap_or_else(|| format!("表{}", self.done.len() + 1));
            self.done.push((name, std::mem::take(&mut self.rows)));
        }
        self.name = None;
    }

    fn start_row(&mut self, index: Option<usize>) {
        self.end_row();
        if let Some(i) = index {
            self.row_no = i;
        }
        self.row = Some(Vec::new());
    }

    fn end_row(&mut self) {
        self.end_cell();
        if let Some(row) = self.row.take() {
            self.rows.push((self.row_no.max(1), row));
            self.row_no = self.row_no.max(1) + 1;
        }
    }

    fn start_cell(&mut self, index: Option<usize>) {
        self.end_cell();
        if self.row.is_none() {
            self.start_row(None);
        }
        if let (Some(i), Some(row)) = (index, self.row.as_mut()) {
            while row.len() + 1 < i {
                row.push(String::new());
            }
        }
        self.cell = Some(String::new());
    }

    fn end_cell(&mut self) {
        if let (Some(cell), Some(row)) = (self.cell.take(), self.row.as_mut()) {
            row.push(cell.trim().to_string());
        }
    }

    fn line_break(&mut self) {
        if let Some(cell) = self.cell.as_mut() {
            cell.truncate(cell.trim_end_matches(' ').len());
            cell.push('\n');
        }
    }

    fn text(&mut self, s: &str) {
        if self.skipping > 0 {
            return;
        }
        if let Some(cell) = self.cell.as_mut() {
            // Markup wraps lines where it likes: runs of whitespace are one space.
            let mut last_space = cell.ends_with([' ', '\n']);
            for c in s.chars() {
                if c.is_whitespace() && c != '\u{3000}' {
                    if !last_space {
                        cell.push(' ');
                    }
                    last_space = true;
                } else {
                    cell.push(c);
                    last_space = false;
                }
            }
        }
    }
}

/// `name` lower-cased without its namespace prefix (`ss:Cell` → `cell`).
fn tag(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase()
}

/// An attribute's value by its local name (`ss:Index` → `index`), lower-cased names compared.
fn attribute(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).to_ascii_lowercase();
        (key == local).then(|| String::from_utf8_lossy(&a.value).into_owned())
    })
}

/// An entity HTML writes that XML does not know, or a character reference.
fn entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" | "ensp" | "emsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "middot" => '·',
        "ldquo" => '“',
        "rdquo" => '”',
        _ => {
            let n = name.strip_prefix('#')?;
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => n.parse().ok()?,
            };
            return char::from_u32(code);
        }
    })
}

/// `&` that starts no reference, as HTML allows (`A & B`), escaped for the XML reader.
fn bare_ampersands(text: &str) -> std::borrow::Cow<'_, str> {
    let starts_ref = |rest: &str| {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
            .collect();
        !name.is_empty() && rest[name.len()..].starts_with(';')
    };
    if !text
        .match_indices('&')
        .any(|(i, _)| !starts_ref(&text[i + 1..]))
    {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, part) in text.split('&').enumerate() {
        if i > 0 {
            out.push_str(if starts_ref(part) { "&" } else { "&amp;" });
        }
        out.push_str(part);
    }
    out.into()
}

/// The tables of an HTML page or a SpreadsheetML workbook.
pub fn tables(text: &str) -> Result<Vec<Table>, ImportError> {
    let text = bare_ampersands(text);
    let mut reader = Reader::from_str(&text);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    let mut t = Tables::default();
    loop {
        let event = reader.read_event().map_err(|e| {
            ImportError::Format(format!(
                "网页/XML 表格在第 {} 字节处无法读取：{e}",
                reader.buffer_position()
            ))
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let index = || attribute(&e, "index").and_then(|i| i.trim().parse().ok());
                match tag(&e).as_str() {
                    // SpreadsheetML's <Table> sits in its named <Worksheet>.
                    "table" => {
                        let name = t.name.take();
                        t.start_table(name)
                    }
                    "worksheet" => t.start_table(attribute(&e, "name")),
                    "tr" => t.start_row(None),
                    "row" => t.start_row(index()),
                    "td" | "th" => t.start_cell(None),
                    "cell" => t.start_cell(index()),
                    "br" => t.line_break(),
                    "script" | "style" => t.skipping += 1,
                    _ => {}
                }
            }
            Event::End(e) => match String::from_utf8_lossy(e.local_name().as_ref())
                .to_ascii_lowercase()
                .as_str()
            {
                "table" | "worksheet" => t.end_table(),
                "tr" | "row" => t.end_row(),
                "td" | "th" | "cell" => t.end_cell(),
                "script" | "style" => t.skipping = t.skipping.saturating_sub(1),
                _ => {}
            },
            Event::Text(e) => t.text(&String::from_utf8_lossy(e.as_ref())),
            Event::CData(e) => t.text(&String::from_utf8_lossy(e.as_ref())),
            Event::GeneralRef(e) => {
                let name = String::from_utf8_lossy(e.as_ref()).into_owned();
                match entity(&name) {
                    Some(c) => t.text(&c.to_string()),
                    None => t.text(&format!("&{name};")),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    t.end_table();
    Ok(t.done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_html_export_reads_as_its_table_whatever_its_tags() {
        let html = "<html><head><meta charset=gbk><style>td{color:red}</style></head><body>\
            <p>导出时间 2026-01-05</p>\
            <table border=1><tr><th>工单编号<th>诉求\n  标题<th>内容</tr>\
            <tr><td>GD1</td><td>路灯&nbsp;不亮</td><td>晚上看不清<br>行人摔倒 &amp; 受伤</td></tr>\
            <tr><td>GD2<td>噪音 & 灰尘<td>&#20116;楼施工</tr></table></body></html>";
        let t = tables(html).unwrap();
        assert_eq!(t.len(), 1);
        let (name, rows) = &t[0];
        assert_eq!(name, "表1");
        assert_eq!(rows[0].1, ["工单编号", "诉求 标题", "内容"]);
        assert_eq!(
            rows[1].1,
            ["GD1", "路灯 不亮", "晚上看不清\n行人摔倒 & 受伤"]
        );
        assert_eq!(
            rows[2],
            (
                3,
                vec!["GD2".into(), "噪音 & 灰尘".into(), "五楼施工".into()]
            )
        );
    }

    #[test]
    fn excel_2003_xml_reads_by_worksheet_with_skipped_cells() {
        let xml = r#"<?xml version="1.0"?>
<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
 <Worksheet ss:Name="说明"><Table><Row><Cell><Data ss:Type="String">导出说明</Data></Cell></Row></Table></Worksheet>
 <Worksheet ss:Name="工单">
  <Table>
   <Row><Cell><Data ss:Type="String">编号</Data></Cell><Cell><Data ss:Type="String">标题</Data></Cell><Cell><Data ss:Type="String">人数</Data></Cell></Row>
   <Row ss:Index="3"><Cell><Data ss:Type="String">GD9</Data></Cell><Cell ss:Index="3"><Data ss:Type="Number">12</Data></Cell></Row>
  </Table>
 </Worksheet>
</Workbook>"#;
        let t = tables(xml).unwrap();
        assert_eq!(
            t.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["说明", "工单"]
        );
        let rows = &t[1].1;
        assert_eq!(
            rows[0],
            (1, vec!["编号".into(), "标题".into(), "人数".into()])
        );
        assert_eq!(rows[1], (3, vec!["GD9".into(), String::new(), "12".into()]));
    }
}
