//! `xinfang bench all`: every reading benchmark on one existing database, each in a process of
//! its own (a server per benchmark, as an office would start it), and one markdown table of
//! what was measured against DESIGN.md §8's targets. The benchmarks that write (register,
//! import, flood) are left out: they would change the database being measured.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use crate::DbArgs;

/// A target of DESIGN.md §8 for the lines whose name starts with `line`.
struct Target {
    line: &'static str,
    /// The percentile compared ("p95" or "p99") and its bound in milliseconds.
    percentile: &'static str,
    at_most_ms: f64,
}

const TARGETS: &[Target] = &[
    Target {
        line: "case page",
        percentile: "p99",
        at_most_ms: 10.0,
    },
    Target {
        line: "worklist: cases waiting",
        percentile: "p99",
        at_most_ms: 10.0,
    },
    Target {
        line: "worklist: red cases",
        percentile: "p99",
        at_most_ms: 10.0,
    },
    Target {
        line: "supervision:",
        percentile: "p99",
        at_most_ms: 10.0,
    },
    Target {
        line: "list: a unit's subtree",
        percentile: "p99",
        at_most_ms: 10.0,
    },
    Target {
        line: "list: city-wide",
        percentile: "p99",
        at_most_ms: 10.0,
    },
    Target {
        line: "look-up by phone",
        percentile: "p99",
        at_most_ms: 10.0,
    },
    Target {
        line: "search as",
        percentile: "p95",
        at_most_ms: 20.0,
    },
    Target {
        line: "duplicate check",
        percentile: "p95",
        at_most_ms: 20.0,
    },
    Target {
        line: "routing suggestion",
        percentile: "p95",
        at_most_ms: 5.0,
    },
    Target {
        line: "hot issues of",
        percentile: "p95",
        at_most_ms: 200.0,
    },
    Target {
        line: "drill-down:",
        percentile: "p95",
        at_most_ms: 300.0,
    },
    Target {
        line: "assessment of every unit",
        percentile: "p95",
        at_most_ms: 100.0,
    },
];

/// One latency line of a benchmark: `NAME: N requests in … latency ms p50 A p95 B p99 C max D`.
#[derive(Debug, PartialEq)]
struct Measured {
    name: String,
    p50: f64,
    p95: f64,
    p99: f64,
}

fn parse(line: &str) -> Option<Measured> {
    // Names hold colons themselves ("list: a unit's subtree"): the name ends at the last one
    // before the count.
    let (head, _) = line.split_once(" requests in ")?;
    let (name, _) = head.rsplit_once(": ")?;
    let latency = line.split_once("latency ms ")?.1;
    let mut words = latency.split_whitespace();
    let mut value = |label: &str| {
        (words.next()? == label)
            .then(|| words.next()?.parse::<f64>().ok())
            .flatten()
    };
    Some(Measured {
        name: name.to_string(),
        p50: value("p50")?,
        p95: value("p95")?,
        p99: value("p99")?,
    })
}

/// The table row of a measured line: what, target, measured, met.
fn row(m: &Measured) -> String {
    match TARGETS.iter().find(|t| m.name.starts_with(t.line)) {
        Some(t) => {
            let got = if t.percentile == "p99" { m.p99 } else { m.p95 };
            let met = if got <= t.at_most_ms { "yes" } else { "**no**" };
            format!(
                "| {} | {} ≤ {} ms | {} {:.1} ms (p50 {:.1}) | {met} |",
                m.name, t.percentile, t.at_most_ms, t.percentile, got, m.p50
            )
        }
        None => format!(
            "| {} | — | p95 {:.1} ms, p99 {:.1} ms | — |",
            m.name, m.p95, m.p99
        ),
    }
}

pub async fn run(db: &DbArgs, requests: u64, concurrency: u64) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let (r, c) = (requests.to_string(), concurrency.to_string());
    let fewer = (requests / 10).max(3).to_string();
    let runs: [(&str, Vec<&str>); 5] = [
        ("read", vec!["--requests", &r, "--concurrency", &c]),
        ("search", vec!["--requests", &r, "--concurrency", &c]),
        ("suggest", vec!["--requests", &r, "--concurrency", &c]),
        ("hot", vec!["--requests", &r, "--concurrency", &c]),
        ("stats", vec!["--requests", &fewer, "--fast-only"]),
    ];
    let mut measured = Vec::new();
    let started = std::time::Instant::now();
    for (which, args) in runs {
        println!("## bench {which}");
        let mut child = std::process::Command::new(&exe)
            .arg("bench")
            .arg(which)
            .args(&args)
            .envs(env_of(db))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("bench {which}: {e}"))?;
        let out = child.stdout.take().ok_or("no output")?;
        // Read on a thread: the benchmark runs for minutes.
        let (lines, status) = tokio::task::spawn_blocking(move || {
            let mut found = Vec::new();
            for line in BufReader::new(out).lines() {
                let line = line.map_err(|e| e.to_string())?;
                println!("{line}");
                found.extend(parse(&line));
            }
            let status = child.wait().map_err(|e| e.to_string())?;
            Ok::<_, String>((found, status))
        })
        .await
        .map_err(|e| e.to_string())??;
        if !status.success() {
            return Err(format!("bench {which} failed ({status})"));
        }
        measured.extend(lines);
    }
    println!();
    println!("| what | target | measured | met |\n|---|---|---|---|");
    for m in &measured {
        println!("{}", row(m));
    }
    println!(
        "\n{} measures in {:.0} s; register, import and flood write, and are run on their own.",
        measured.len(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The database options as the environment a child reads them from (a key stays off the
/// command line).
fn env_of(db: &DbArgs) -> Vec<(&'static str, String)> {
    let path = |p: &Option<std::path::PathBuf>| p.as_ref().map(|p| p.display().to_string());
    [
        ("XINFANG_DB", Some(db.db.clone())),
        ("XINFANG_POLICY", path(&db.policy)),
        ("XINFANG_HOLIDAYS", path(&db.holidays)),
        ("XINFANG_PERSONAL_KEY_FILE", path(&db.personal_key)),
        ("XINFANG_PERSONAL_KEY", db.personal_key_hex.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k, v?)))
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_latency_line_is_read_and_set_against_its_target() {
        let m = parse("list: a unit's subtree, newest first: 400 requests in 1.20 s = 333/s; latency ms p50 3.10 p95 8.20 p99 12.40 max 20.00").unwrap();
        assert_eq!(
            m,
            Measured {
                name: "list: a unit's subtree, newest first".into(),
                p50: 3.1,
                p95: 8.2,
                p99: 12.4
            }
        );
        assert_eq!(
            row(&m),
            "| list: a unit's subtree, newest first | p99 ≤ 10 ms | p99 12.4 ms (p50 3.1) | **no** |"
        );
        let hot = parse("hot issues of the year (admin): 300 requests in 9.00 s = 33/s; latency ms p50 90.00 p95 150.00 p99 180.00 max 200.00").unwrap();
        assert!(row(&hot).ends_with("| yes |"));
        assert_eq!(
            parse("server ready after 3.1 s (index and hot issues at event 12)"),
            None
        );
        assert_eq!(parse("cases in database: 1000000"), None);
    }
}
