//! `xinfang replies eval`: the reply check scored on real petitions with their replies.

use std::path::PathBuf;

use xinfang_text::reply_check::{self, Counted, FlagCode, NextStep};

#[derive(clap::Subcommand)]
pub enum RepliesCommand {
    /// Check each petition's own reply, and each petition against the reply of a petition of
    /// another matter: how often each is flagged `off_topic` (the original pairs should rarely
    /// be, the swapped ones nearly always). The last line says
    /// `off_topic original 0.xxxx swapped 0.xxxx`.
    Eval {
        /// The file of petitions with their replies (CSV in UTF-8 or GBK, .xlsx, .xls, .ods).
        #[arg(long)]
        from: PathBuf,
        /// The petition's columns, title first, joined by commas.
        #[arg(long, default_value = "title,content")]
        petition: String,
        /// The reply's column.
        #[arg(long, default_value = "reply")]
        reply: String,
    },
}

pub fn run(command: RepliesCommand) -> Result<(), String> {
    match command {
        RepliesCommand::Eval {
            from,
            petition,
            reply,
        } => {
            let columns: Vec<&str> = petition.split(',').map(str::trim).collect();
            let pairs = crate::routing::labelled(&from, &columns, &reply)?;
            evaluate(&pairs)
        }
    }
}

fn evaluate(pairs: &[(String, String)]) -> Result<(), String> {
    let n = pairs.len();
    if n < 2 {
        return Err("至少需要两条带答复的信访事项".into());
    }
    let started = std::time::Instant::now();
    let rarity = Counted::over(pairs.iter().map(|(p, _)| p.as_str()));
    let check = |p: &str, r: &str| reply_check::check(p, r, NextStep::None, &rarity);

    let mut original_off = 0usize;
    let mut codes: std::collections::BTreeMap<&str, usize> = Default::default();
    for (p, r) in pairs {
        let c = check(p, r);
        original_off += usize::from(c.has(FlagCode::OffTopic));
        for f in &c.flags {
            *codes.entry(f.code.code()).or_default() += 1;
        }
    }
    // Each petition against the reply of the petition half the file away, unless the two
    // titles share two key words (the same matter asked twice).
    let (mut swapped, mut swapped_off) = (0usize, 0usize);
    for (i, (p, _)) in pairs.iter().enumerate() {
        let (q, r) = &pairs[(i + n / 2) % n];
        if same_matter(p, q) {
            continue;
        }
        swapped += 1;
        swapped_off += usize::from(check(p, r).has(FlagCode::OffTopic));
    }
    let checks = n + swapped;
    println!("{n} petitions with their replies, {swapped} swapped pairs of different matters");
    println!(
        "{:.2} ms per check",
        started.elapsed().as_secs_f64() * 1000.0 / checks as f64
    );
    println!("flags on the original pairs:");
    for (code, count) in &codes {
        println!(
            "  {code:<11} {count:>6} {:>7.1}%",
            100.0 * *count as f64 / n as f64
        );
    }
    println!(
        "off_topic original {:.4} swapped {:.4}",
        original_off as f64 / n as f64,
        swapped_off as f64 / swapped.max(1) as f64
    );
    Ok(())
}

fn same_matter(a: &str, b: &str) -> bool {
    let title =
        |t: &str| -> Vec<String> { reply_check::key_words(t.lines().next().unwrap_or_default()) };
    let b = title(b);
    let mut shared = title(a);
    shared.sort();
    shared.dedup();
    shared.iter().filter(|w| b.contains(w)).count() >= 2
}
