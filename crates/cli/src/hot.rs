//! `xinfang hot eval`: hot issues found in a file of dated petitions (a board's messages).

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use xinfang_text::hot::grouping::{Grouper, Item};
use xinfang_text::hot::issues::{self, Counted};

#[derive(clap::Subcommand)]
pub enum HotCommand {
    /// Groups the file's petitions by matter in the order of their dates, as the server does,
    /// and prints the hottest issues of the whole file with their sizes and first titles.
    Eval {
        /// The file (CSV in UTF-8 or GBK, .xlsx, .xls, .ods).
        #[arg(long)]
        from: PathBuf,
        #[arg(long, default_value = "title")]
        title: String,
        #[arg(long, default_value = "content")]
        content: String,
        /// The date column (2019/2/28 11:25:05, 2019-02-28, …).
        #[arg(long, default_value = "date")]
        date: String,
        /// Issues printed.
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
}

pub fn run(command: HotCommand) -> Result<(), String> {
    let HotCommand::Eval {
        from,
        title,
        content,
        date,
        top,
    } = command;
    let sheet =
        xinfang_import::read_file(&from, None).map_err(|e| format!("{}：{e}", from.display()))?;
    let column = |name: &str| crate::routing::column(&sheet, &from, name);
    let (t, c, d) = (column(&title)?, column(&content)?, column(&date)?);
    let cell = |cells: &[String], i: usize| cells.get(i).map_or("", |s| s.trim()).to_string();
    let mut rows: Vec<(NaiveDate, String, String)> = sheet
        .rows
        .iter()
        .filter_map(|(_, cells)| {
            let day = day_of(&cell(cells, d))?;
            Some((day, cell(cells, t), cell(cells, c)))
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    if rows.is_empty() {
        return Err("文件中没有带日期的信访事项".into());
    }
    let started = Instant::now();
    let mut grouper = Grouper::new();
    let groups: Vec<i64> = rows
        .iter()
        .enumerate()
        .map(|(i, (day, title, content))| {
            grouper.add(Item {
                case: i as i64,
                day: *day,
                title,
                content,
                region: None,
                category: None,
            })
        })
        .collect();
    let grouped = started.elapsed();
    let (first, last) = (rows[0].0, rows[rows.len() - 1].0);
    let counted = || {
        rows.iter()
            .zip(&groups)
            .enumerate()
            .map(|(i, (r, g))| Counted {
                case: i as i64,
                group: *g,
                slot: *g as u32,
                day: xinfang_text::hot::facts::day_of(r.0),
                region: None,
                category: 0,
                people: 1,
                collective: false,
                repeat: false,
            })
    };
    // The file names no regions or categories: one empty name stands for all.
    let ranked = issues::rank(counted, rows.len(), &[String::new()], first, last, top);
    let in_groups = {
        let mut sizes = std::collections::HashMap::new();
        for g in &groups {
            *sizes.entry(*g).or_insert(0usize) += 1;
        }
        sizes.values().filter(|n| **n >= 2).sum::<usize>()
    };
    println!(
        "{} petitions ({first} to {last}) grouped in {:.2} s; {in_groups} in groups of two or more",
        rows.len(),
        grouped.as_secs_f64()
    );
    println!(
        "{:>4} {:>6}  title of the first / of the latest",
        "rank", "cases"
    );
    for (n, i) in ranked.iter().enumerate() {
        let title = |id: Option<&i64>| id.map_or("", |id| rows[*id as usize].1.as_str());
        println!(
            "{:>4} {:>6}  {} / {}",
            n + 1,
            i.cases,
            title(i.case_ids.last()),
            title(i.case_ids.first())
        );
    }
    Ok(())
}

fn day_of(text: &str) -> Option<NaiveDate> {
    let date = text.split_whitespace().next()?;
    ["%Y/%m/%d", "%Y-%m-%d", "%Y.%m.%d", "%Y年%m月%d日"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(date, f).ok())
}
