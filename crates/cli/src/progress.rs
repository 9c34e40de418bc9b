//! The progress bar of long commands (demo, import, backup, restore): drawn on a terminal's
//! stderr, nothing when the output goes to a file or a CI log.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A bar of `len` steps counted in `unit` (行, 件), with the rate and the time left. With a
/// length of 0 (not known), a count with the rate and the time so far.
pub fn bar(len: u64, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let template = if len == 0 {
        format!("{{spinner}} {{pos}} {unit} {{per_sec}} 已用 {{elapsed}}")
    } else {
        format!("{{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} 剩余 {{eta}}")
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}

/// A bar that shows a count another task advances (the rows a backup or a restore has done).
pub struct Following {
    bar: indicatif::ProgressBar,
    task: tokio::task::JoinHandle<()>,
}

impl Following {
    pub fn start(bar: indicatif::ProgressBar, count: Arc<AtomicU64>) -> Following {
        let shown = bar.clone();
        let task = tokio::spawn(async move {
            loop {
                shown.set_position(count.load(Ordering::Relaxed));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        });
        Following { bar, task }
    }

    pub fn finish(self) {
        self.task.abort();
        self.bar.finish_and_clear();
    }
}
