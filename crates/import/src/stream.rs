//! A register read in passes without holding it: CSV and .xlsx are read from their file on a
//! thread of their own, a batch of rows at a time, so that memory stays flat however long the
//! file (an .xlsx keeps only its shared strings); the other formats, and uploads already in
//! memory, are held whole (within [`MAX_FILE_BYTES`]).

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx};
use encoding_rs::{Encoding, GB18030, UTF_8};
use tokio::sync::mpsc;

use crate::ImportError;
use crate::read::{self, Format, Sheet, blank, cell, sniff, trimmed};

/// Rows handed over at a time.
const CHUNK: usize = 500;

type Numbered = (usize, Vec<String>);

/// A sheet to import: its header row, then its rows read as often as needed.
pub struct Table {
    pub headers: Vec<String>,
    /// The sheet read, and the sheets the file has.
    pub name: String,
    pub names: Vec<String>,
    body: Body,
}

enum Body {
    Held(Vec<Numbered>),
    Csv {
        path: PathBuf,
        encoding: &'static Encoding,
        delimiter: u8,
    },
    Xlsx {
        path: PathBuf,
    },
}

impl From<Sheet> for Table {
    fn from(s: Sheet) -> Table {
        Table {
            headers: s.headers,
            name: s.name,
            names: s.names,
            body: Body::Held(s.rows),
        }
    }
}

impl Table {
    /// `path`'s sheet `sheet` (the first with content when none is named), streamed when it is
    /// CSV or .xlsx. The first bytes decide what the file is, never its name.
    pub fn open(path: &Path, sheet: Option<&str>) -> Result<Table, ImportError> {
        let mut head = [0u8; 4096];
        let n = read_up_to(&mut File::open(path)?, &mut head)?;
        match sniff(&head[..n]) {
            Format::Text => csv_table(path),
            Format::Zip => match Xlsx::new(BufReader::new(File::open(path)?)) {
                Ok(book) => xlsx_table(path, book, sheet),
                // An .ods.
                Err(_) => Ok(read::read_file(path, sheet)?.into()),
            },
            Format::Ole | Format::Markup => Ok(read::read_file(path, sheet)?.into()),
        }
    }

    /// One pass over the rows after the header (blank ones left out), in order.
    pub fn rows(&self) -> Rows<'_> {
        match &self.body {
            Body::Held(rows) => Rows::Held(rows.iter()),
            Body::Csv {
                path,
                encoding,
                delimiter,
            } => {
                let (path, encoding, delimiter) = (path.clone(), *encoding, *delimiter);
                Rows::spawn(move |send| {
                    let rows = csv_rows(&path, encoding, delimiter)?;
                    after_header(rows, send)
                })
            }
            Body::Xlsx { path } => {
                let (path, name) = (path.clone(), self.name.clone());
                Rows::spawn(move |send| {
                    let mut book = Xlsx::new(BufReader::new(File::open(&path)?))
                        .map_err(|e| ImportError::Format(e.to_string()))?;
                    after_header(xlsx_rows(&mut book, &name)?, send)
                })
            }
        }
    }
}

/// A pass over a table's rows.
pub enum Rows<'a> {
    Held(std::slice::Iter<'a, Numbered>),
    Streamed(mpsc::Receiver<Result<Vec<Numbered>, ImportError>>),
}

impl Rows<'_> {
    /// Reads on a thread of its own (`read` hands each chunk to `send`, and stops when it
    /// answers false: the pass was dropped).
    fn spawn(
        read: impl FnOnce(&mut dyn FnMut(Vec<Numbered>) -> bool) -> Result<(), ImportError>
        + Send
        + 'static,
    ) -> Rows<'static> {
        let (tx, rx) = mpsc::channel(4);
        std::thread::spawn(move || {
            let mut send = |chunk: Vec<Numbered>| tx.blocking_send(Ok(chunk)).is_ok();
            if let Err(e) = read(&mut send) {
                let _ = tx.blocking_send(Err(e));
            }
        });
        Rows::Streamed(rx)
    }

    /// The next rows (up to a few hundred), `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Vec<Numbered>>, ImportError> {
        match self {
            Rows::Held(it) => {
                let chunk: Vec<Numbered> = it.by_ref().take(CHUNK).cloned().collect();
                Ok((!chunk.is_empty()).then_some(chunk))
            }
            Rows::Streamed(rx) => rx.recv().await.transpose(),
        }
    }
}

/// Skips to the header (the first row that is not blank) and hands on the rows after it that
/// are not blank, a chunk at a time.
fn after_header(
    rows: impl Iterator<Item = Result<Numbered, ImportError>>,
    send: &mut dyn FnMut(Vec<Numbered>) -> bool,
) -> Result<(), ImportError> {
    let mut header_seen = false;
    let mut chunk = Vec::with_capacity(CHUNK);
    for row in rows {
        let row = row?;
        if blank(&row.1) {
            continue;
        }
        if !header_seen {
            header_seen = true;
            continue;
        }
        chunk.push(row);
        if chunk.len() == CHUNK && !send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))) {
            return Ok(());
        }
    }
    if !chunk.is_empty() {
        send(chunk);
    }
    Ok(())
}

/// The header row: the first that is not blank.
fn header_of(
    mut rows: impl Iterator<Item = Result<Numbered, ImportError>>,
) -> Result<Vec<String>, ImportError> {
    rows.find_map(|r| match r {
        Ok((_, cells)) if blank(&cells) => None,
        Ok((_, cells)) => Some(Ok(cells)),
        Err(e) => Some(Err(e)),
    })
    .unwrap_or_else(|| Err(ImportError::Format("表格是空的".into())))
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A CSV file: UTF-8 when the whole file is (one quick pass), else GB18030 (which GBK and
/// GB2312 are part of); the delimiter as the header line says.
fn csv_table(path: &Path) -> Result<Table, ImportError> {
    let encoding = if is_utf8(path)? { UTF_8 } else { GB18030 };
    let mut start = Vec::new();
    Decoded::new(File::open(path)?, encoding)
        .take(64 * 1024)
        .read_to_end(&mut start)
        .map_err(decode_error)?;
    let delimiter = read::delimiter(&String::from_utf8_lossy(&start));
    let headers = header_of(csv_rows(path, encoding, delimiter)?)?;
    Ok(Table {
        headers,
        name: "CSV".into(),
        names: vec!["CSV".into()],
        body: Body::Csv {
            path: path.to_path_buf(),
            encoding,
            delimiter,
        },
    })
}

fn is_utf8(path: &Path) -> Result<bool, ImportError> {
    let mut check = Decoded::new(File::open(path)?, UTF_8);
    let mut sink = [0u8; 64 * 1024];
    loop {
        match check.read(&mut sink) {
            Ok(0) => return Ok(true),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::InvalidData => return Ok(false),
            Err(e) => return Err(e.into()),
        }
    }
}

fn decode_error(e: io::Error) -> ImportError {
    if e.kind() == io::ErrorKind::InvalidData {
        ImportError::Format("文本既不是 UTF-8 也不是 GBK/GB18030 编码".into())
    } else {
        e.into()
    }
}

/// The records of a CSV file, numbered as a spreadsheet shows the file (a record over several
/// lines is one row, numbered by its first).
fn csv_rows(
    path: &Path,
    encoding: &'static Encoding,
    delimiter: u8,
) -> Result<impl Iterator<Item = Result<Numbered, ImportError>>, ImportError> {
    let reader = read::csv_reader(delimiter).from_reader(Decoded::new(File::open(path)?, encoding));
    Ok(reader.into_records().enumerate().map(|(i, record)| {
        let record = record.map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => decode_error(io),
            other => ImportError::Format(format!("CSV：{other:?}")),
        })?;
        let line = record.position().map_or(i + 1, |p| p.line() as usize);
        Ok((line, record.iter().map(|c| c.trim().to_string()).collect()))
    }))
}

/// An .xlsx's sheet: by name, else the first with something in it (exports often lead with
/// an empty one).
fn xlsx_table(
    path: &Path,
    mut book: Xlsx<BufReader<File>>,
    sheet: Option<&str>,
) -> Result<Table, ImportError> {
    let names = book.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.trim() == s.trim())
            .cloned()
            .ok_or_else(|| ImportError::NoSuchSheet(s.to_string(), names.join("、")))?,
        None => names
            .iter()
            .find(|n| {
                xlsx_rows(&mut book, n)
                    .is_ok_and(|mut rows| rows.any(|r| r.is_ok_and(|(_, cells)| !blank(&cells))))
            })
            .cloned()
            .ok_or_else(|| ImportError::Format("文件中没有内容不为空的工作表".into()))?,
    };
    let headers = header_of(xlsx_rows(&mut book, &name)?)?;
    Ok(Table {
        headers,
        name,
        names,
        body: Body::Xlsx {
            path: path.to_path_buf(),
        },
    })
}

/// The rows of an .xlsx sheet from its cells as the file lists them (row by row), numbered as
/// the sheet shows them.
fn xlsx_rows<'a>(
    book: &'a mut Xlsx<BufReader<File>>,
    name: &str,
) -> Result<impl Iterator<Item = Result<Numbered, ImportError>> + 'a, ImportError> {
    let bad = |e: calamine::XlsxError| ImportError::Format(e.to_string());
    let mut cells = book.worksheet_cells_reader(name).map_err(bad)?;
    let mut current: Option<Numbered> = None;
    let mut done = false;
    Ok(std::iter::from_fn(move || {
        while !done {
            match cells.next_cell() {
                Err(e) => {
                    done = true;
                    return Some(Err(bad(e)));
                }
                Ok(None) => {
                    done = true;
                    return current.take().map(|(n, cells)| Ok((n, trimmed(cells))));
                }
                Ok(Some(c)) => {
                    let (r, col) = c.get_position();
                    let (number, col) = (r as usize + 1, col as usize);
                    let finished = match &current {
                        Some((n, _)) if *n != number => current.take(),
                        _ => None,
                    };
                    let row = current.get_or_insert_with(|| (number, Vec::new()));
                    if row.1.len() <= col {
                        row.1.resize(col + 1, String::new());
                    }
                    row.1[col] = cell(&Data::from(c.get_value().clone()));
                    if let Some((n, cells)) = finished {
                        return Some(Ok((n, trimmed(cells))));
                    }
                }
            }
        }
        None
    }))
}

/// Text in `encoding` read as UTF-8 (a byte-order mark dropped); malformed input is an
/// `InvalidData` error, not replaced.
struct Decoded<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    input: Vec<u8>,
    output: String,
    at: usize,
    ended: bool,
}

impl<R: Read> Decoded<R> {
    fn new(inner: R, encoding: &'static Encoding) -> Decoded<R> {
        Decoded {
            inner,
            decoder: encoding.new_decoder(),
            input: vec![0; 64 * 1024],
            output: String::new(),
            at: 0,
            ended: false,
        }
    }
}

impl<R: Read> Read for Decoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.output.len() {
            if self.ended {
                return Ok(0);
            }
            let n = self.inner.read(&mut self.input)?;
            self.ended = n == 0;
            self.output.clear();
            self.at = 0;
            let room = self
                .decoder
                .max_utf8_buffer_length_without_replacement(n)
                .unwrap_or(n * 4 + 16);
            self.output.reserve(room);
            let (result, _) = self.decoder.decode_to_string_without_replacement(
                &self.input[..n],
                &mut self.output,
                self.ended,
            );
            if let encoding_rs::DecoderResult::Malformed(..) = result {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "malformed text"));
            }
        }
        let n = buf.len().min(self.output.len() - self.at);
        buf[..n].copy_from_slice(&self.output.as_bytes()[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn all(table: &Table) -> Vec<Numbered> {
        let mut rows = table.rows();
        let mut out = Vec::new();
        while let Some(chunk) = rows.next().await.unwrap() {
            out.extend(chunk);
        }
        out
    }

    fn file(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        f
    }

    #[tokio::test]
    async fn a_streamed_csv_reads_as_the_held_one_in_utf8_and_gbk() {
        // Long enough for several chunks, with a record over two lines, a blank line and a
        // character on the boundary of the decoder's reads.
        let mut text = String::from("\n标题,内容,来源\n");
        for i in 0..1_700 {
            text.push_str(&format!(
                "路灯不亮{i},\"晚上路灯不亮，\n行人看不清{i}\",网站\n"
            ));
            if i % 400 == 0 {
                text.push('\n');
            }
        }
        let held = read::read_bytes(text.as_bytes().to_vec(), None).unwrap();
        let gbk = encoding_rs::GBK.encode(&text).0.into_owned();
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        for bytes in [text.as_bytes().to_vec(), gbk, bom] {
            let f = file(&bytes);
            let table = Table::open(f.path(), None).unwrap();
            assert!(matches!(table.body, Body::Csv { .. }));
            assert_eq!(table.headers, held.headers);
            assert_eq!(all(&table).await, held.rows);
            // A second pass reads the same.
            assert_eq!(all(&table).await.len(), 1_700);
        }
        let bad = file(b"\xff\xfe\xfd,\xff\n\x81\x30,1\n");
        assert!(matches!(
            Table::open(bad.path(), None).map(|_| ()),
            Err(ImportError::Format(_))
        ));
    }

    #[tokio::test]
    async fn a_streamed_xlsx_reads_as_the_held_one() {
        use rust_xlsxwriter::Workbook;
        let mut book = Workbook::new();
        book.add_worksheet().set_name("说明").unwrap();
        let sheet = book.add_worksheet().set_name("工单").unwrap();
        for (c, h) in ["工单编号", "来电时间", "标题"].iter().enumerate() {
            sheet.write_string(1, c as u16, *h).unwrap();
        }
        for i in 0..1_200u32 {
            // Row 600 is left blank; some rows leave their middle cell empty.
            if i == 600 {
                continue;
            }
            sheet.write_string(2 + i, 0, format!("GD{i}")).unwrap();
            if i % 3 != 0 {
                sheet
                    .write_number(2 + i, 1, 44000.5 + f64::from(i))
                    .unwrap();
            }
            sheet
                .write_string(2 + i, 2, format!("路灯不亮{i}"))
                .unwrap();
        }
        let bytes = book.save_to_buffer().unwrap();
        let held = read::read_bytes(bytes.clone(), None).unwrap();
        let f = file(&bytes);
        let table = Table::open(f.path(), None).unwrap();
        assert!(matches!(table.body, Body::Xlsx { .. }));
        assert_eq!((table.name.as_str(), table.names.len()), ("工单", 2));
        assert_eq!(table.headers, held.headers);
        assert_eq!(all(&table).await, held.rows);
        assert!(matches!(
            Table::open(f.path(), Some("没有")).map(|_| ()),
            Err(ImportError::NoSuchSheet(..))
        ));
    }

    #[tokio::test]
    async fn an_xls_and_an_ods_are_read_whole() {
        use crate::read::tests::{biff8, ods};
        let xls = biff8("登记", &[vec![Some("标题")], vec![Some("路灯不亮")]], &[]);
        let ods = ods("登记", &[vec!["标题"], vec!["路灯不亮"]]);
        for bytes in [xls, ods] {
            let f = file(&bytes);
            let table = Table::open(f.path(), None).unwrap();
            assert!(matches!(table.body, Body::Held(_)));
            assert_eq!(table.headers, ["标题"]);
            assert_eq!(all(&table).await, [(2, vec!["路灯不亮".to_string()])]);
        }
    }
}
