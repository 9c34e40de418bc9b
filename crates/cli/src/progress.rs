//! The progress bar of long commands (demo, import): drawn on a terminal's stderr, nothing
//! when the output goes to a file or a CI log.

/// A bar of `len` steps counted in `unit` (行, 件), with the rate and the time left.
pub fn bar(len: u64, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} {{per_sec}} 剩余 {{eta}}");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
