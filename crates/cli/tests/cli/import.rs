//! `xinfang import` on registers the test makes: a GBK CSV from a hotline with every kind of row
//! (answered, consultation, bad date, duplicate, unknown channel), a dry run that writes nothing,
//! a run, and a second run that imports nothing; an .xlsx by sheet name with a column mapped by hand.

use crate::{ok, said, xinfang};

fn last_line(out: &str) -> &str {
    out.lines().last().unwrap_or("")
}

#[test]
fn a_hotline_export_comes_in_once_with_its_errors_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    ok(&xinfang(&["demo", "--db", &db, "--cases", "20"]));
    let csv = "工单编号,来电时间,诉求标题,诉求内容,信息来源,诉求类型,承办单位,回复1,回复时间,满意度,状态\n\
        GD1,2026/3/2 9:30,工地欠薪,建筑工地拖欠工资三个月,市长热线12345,投诉,清河市住房和城乡建设局,已督促支付,2026/3/20 16:00,满意,已办结\n\
        GD2,2026/3/3 10:00,公积金怎么取,咨询公积金提取,12345,咨询,,,,,\n\
        GD3,明天,路灯不亮,晚上路灯不亮,12345,投诉,,,,,\n\
        GD4,2026/11/20 8:00,噪音扰民,夜间施工噪音,飞鸽传书,投诉,,,,,\n\
        GD1,2026/3/2 9:30,工地欠薪,建筑工地拖欠工资三个月,12345,投诉,清河市住房和城乡建设局,已督促支付,2026/3/20 16:00,满意,已办结\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    // Named .xls, as exports often are: the content decides.
    let file = dir.path().join("热线导出.xls");
    std::fs::write(&file, gbk.as_ref()).unwrap();
    let f = file.to_str().unwrap();

    let dry = ok(&xinfang(&["import", "--db", &db, "--file", f, "--dry-run"]));
    assert_eq!(last_line(&dry), "imported 2, skipped 2, failed 1", "{dry}");
    assert!(
        dry.contains("试运行（未写入）") && dry.contains("title ← 诉求标题"),
        "{dry}"
    );
    let report = dir.path().join("热线导出.xls.错误报告.xlsx");
    assert!(report.exists(), "the error report is written: {dry}");

    let run = ok(&xinfang(&["import", "--db", &db, "--file", f]));
    assert_eq!(
        last_line(&run),
        "imported 2, skipped 2, failed 1",
        "the dry run wrote nothing: {run}"
    );
    let again = ok(&xinfang(&["import", "--db", &db, "--file", f]));
    assert_eq!(
        last_line(&again),
        "imported 0, skipped 4, failed 1",
        "{again}"
    );
    let verified = ok(&xinfang(&["verify", "--db", &db]));
    assert!(verified.contains("完好"), "{verified}");

    // An .xlsx: the sheet by name, a header no synonym knows mapped by hand.
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet().set_name("说明").unwrap();
    let sheet = book.add_worksheet().set_name("2025年台账").unwrap();
    for (c, h) in ["登记日期", "事由", "具体情况", "来源"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_string(1, 0, "2025年12月1日").unwrap();
    sheet.write_string(1, 1, "小区停车难").unwrap();
    sheet
        .write_string(1, 2, "小区车位不足，请求规划停车场")
        .unwrap();
    sheet.write_string(1, 3, "来信").unwrap();
    let xlsx = dir.path().join("台账.xlsx");
    book.save(&xlsx).unwrap();
    let x = xlsx.to_str().unwrap();
    let refused = xinfang(&["import", "--db", &db, "--file", x, "--sheet", "2025年台账"]);
    assert!(
        !refused.status.success() && said(&refused).contains("标题"),
        "{}",
        said(&refused)
    );
    let out = ok(&xinfang(&[
        "import",
        "--db",
        &db,
        "--file",
        x,
        "--sheet",
        "2025年台账",
        "--map",
        "事由=title",
        "--map",
        "具体情况=content",
    ]));
    assert_eq!(last_line(&out), "imported 1, skipped 0, failed 0", "{out}");
    let bad = xinfang(&["import", "--db", &db, "--file", x, "--sheet", "没有这张表"]);
    assert!(
        !bad.status.success() && said(&bad).contains("找不到工作表"),
        "{}",
        said(&bad)
    );
}

/// The public message-board sample with replies (`../shared/data/teddy2020`), when present:
/// every row comes in, keyed by its 留言编号, and a second run brings nothing.
#[test]
fn a_real_message_board_export_comes_in_whole() {
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/teddy2020/messages_with_replies.csv");
    if !sample.exists() {
        eprintln!("skipped: {} is absent", sample.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    ok(&xinfang(&["demo", "--db", &db, "--cases", "0"]));
    let file = dir.path().join("messages_with_replies.csv");
    std::fs::copy(&sample, &file).unwrap();
    let f = file.to_str().unwrap();
    let rows = std::fs::read_to_string(&sample).unwrap();
    let out = ok(&xinfang(&["import", "--db", &db, "--file", f]));
    assert!(
        out.contains("source_id ← 留言编号") && out.contains("reply ← 答复意见"),
        "{out}"
    );
    let line = last_line(&out).to_string();
    assert!(
        line.starts_with("imported ") && line.ends_with(", skipped 0, failed 0"),
        "{out}"
    );
    let n: usize = line["imported ".len()..]
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(n > 2000 && rows.len() > n, "{line}");
    let again = ok(&xinfang(&["import", "--db", &db, "--file", f]));
    assert_eq!(
        last_line(&again),
        format!("imported 0, skipped {n}, failed 0")
    );
}

/// The cells of a CSV export, header first.
fn cells(path: &std::path::Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    let body = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .expect("a BOM, for Excel");
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn an_export_imports_back_as_the_same_cases() {
    let dir = tempfile::tempdir().unwrap();
    let a = format!("sqlite://{}", dir.path().join("a.db").display());
    let b = format!("sqlite://{}", dir.path().join("b.db").display());
    ok(&xinfang(&["demo", "--db", &a, "--cases", "120"]));
    ok(&xinfang(&["demo", "--db", &b, "--cases", "0"]));
    let (from, to) = ("2000-01-01", "2099-12-31");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let (a_xlsx, a_csv, b_csv) = (out("a.xlsx"), out("a.csv"), out("b.csv"));
    let exported = ok(&xinfang(&[
        "export",
        "--db",
        &a,
        "--from",
        from,
        "--to",
        to,
        "--out",
        &a_xlsx,
        "--as",
        "registrar",
    ]));
    let n: usize = last_line(&exported)
        .strip_prefix("exported ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{exported}"));
    assert!(n > 80, "{exported}");
    assert!(
        exported.contains("无权查看"),
        "reports stay with 纪检: {exported}"
    );
    ok(&xinfang(&[
        "export",
        "--db",
        &a,
        "--from",
        from,
        "--to",
        to,
        "--out",
        &a_csv,
        "--as",
        "registrar",
    ]));

    let imported = ok(&xinfang(&["import", "--db", &b, "--file", &a_xlsx]));
    assert_eq!(
        last_line(&imported),
        format!("imported {n}, skipped 0, failed 0"),
        "{imported}"
    );
    ok(&xinfang(&[
        "export",
        "--db",
        &b,
        "--from",
        from,
        "--to",
        to,
        "--out",
        &b_csv,
        "--as",
        "registrar",
    ]));
    let (before, after) = (
        cells(std::path::Path::new(&a_csv)),
        cells(std::path::Path::new(&b_csv)),
    );
    assert_eq!(before.len(), n + 1);
    assert_eq!(before[0], after[0], "the same columns");
    assert_eq!(before.len(), after.len(), "every case came back");
    let status = before[0].iter().position(|h| h == "状态").unwrap();
    for (x, y) in before.iter().zip(&after).skip(1) {
        for (c, header) in before[0].iter().enumerate() {
            if c == status && x[c] == "已答复" {
                // A row with a reply is imported as answered and closed on the reply's day.
                assert_eq!(y[c], "已办结");
            } else {
                assert_eq!(x[c], y[c], "{header} of {}", x[0]);
            }
        }
    }
    // Each case's petitioner went out in full: each reveal is recorded against the registrar.
    let reveals: i64 = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::{Connection, Row};
        let mut conn = sqlx::SqliteConnection::connect(&a).await.unwrap();
        sqlx::query("SELECT COUNT(*) AS n FROM personal_data_log WHERE kind = 'export'")
            .fetch_one(&mut conn)
            .await
            .unwrap()
            .get("n")
    });
    assert_eq!(reveals, 2 * n as i64, "two exports of n cases");
    // An administrator who works no cases sees people masked, and so exports them.
    let masked = ok(&xinfang(&[
        "export",
        "--db",
        &a,
        "--from",
        from,
        "--to",
        to,
        "--out",
        &out("admin.csv"),
    ]));
    assert!(masked.contains("个人信息已遮蔽"), "{masked}");
    let rows = cells(std::path::Path::new(&out("admin.csv")));
    let phone = rows[0].iter().position(|h| h == "联系电话").unwrap();
    let phones: Vec<&String> = rows[1..]
        .iter()
        .map(|r| &r[phone])
        .filter(|p| !p.is_empty())
        .collect();
    assert!(
        !phones.is_empty() && phones.iter().all(|p| p.contains('*')),
        "{phones:?}"
    );
    // Periods bound the export; a bad file name is refused with the reason.
    let none = ok(&xinfang(&[
        "export",
        "--db",
        &a,
        "--from",
        "2001-01-01",
        "--to",
        "2001-12-31",
        "--out",
        &out("none.csv"),
    ]));
    assert!(last_line(&none).starts_with("exported 0 to"), "{none}");
    let refused = xinfang(&[
        "export",
        "--db",
        &a,
        "--from",
        from,
        "--to",
        to,
        "--out",
        &out("a.txt"),
    ]);
    assert!(!refused.status.success() && said(&refused).contains(".xlsx 或 .csv"));
}
