//! `xinfang routing`: the routing model trained and scored on labelled files.

use std::path::{Path, PathBuf};
use std::time::Instant;

use xinfang_text::routing::{Featurizer, Model, Training, eval};

#[derive(clap::Subcommand)]
pub enum RoutingCommand {
    /// Train on one labelled file and score another (or, without --test, score by k-fold
    /// cross-validation on the training file, equal texts kept in one fold): precision, recall
    /// and F1 per label; the last line says `macro-F1 0.xxxx`.
    Eval {
        /// The training file (CSV in UTF-8 or GBK, .xlsx, .xls, .ods).
        #[arg(long)]
        train: PathBuf,
        /// The test file, with the same columns.
        #[arg(long)]
        test: Option<PathBuf>,
        /// The text's column, or several joined by commas (`title,detail`).
        #[arg(long, default_value = "title")]
        text: String,
        /// The label's column.
        #[arg(long, default_value = "label")]
        label: String,
        /// Folds of the cross-validation when there is no test file.
        #[arg(long, default_value_t = 5)]
        folds: usize,
        /// The cost of a margin violation (the model's default when absent).
        #[arg(long)]
        cost: Option<f32>,
        /// Features in fewer training texts are left out (the model's default when absent).
        #[arg(long)]
        min_count: Option<u32>,
    },
}

pub fn run(command: RoutingCommand) -> Result<(), String> {
    match command {
        RoutingCommand::Eval {
            train,
            test,
            text,
            label,
            folds,
            cost,
            min_count,
        } => {
            let defaults = Training::default();
            let training_opts = Training {
                cost: cost.unwrap_or(defaults.cost),
                min_count: min_count.unwrap_or(defaults.min_count),
                ..defaults
            };
            let columns: Vec<&str> = text.split(',').map(str::trim).collect();
            let training = labelled(&train, &columns, &label)?;
            let pairs = match test {
                Some(test) => {
                    let testing = labelled(&test, &columns, &label)?;
                    predict(&training, &testing, training_opts)?
                }
                None => {
                    let texts: Vec<&str> = training.iter().map(|(t, _)| t.as_str()).collect();
                    let fold_of = eval::folds(&texts, folds);
                    let mut pairs = Vec::new();
                    for k in 0..folds.max(2) {
                        let (inside, outside): (Vec<_>, Vec<_>) =
                            training.iter().zip(&fold_of).partition(|(_, f)| **f != k);
                        let inside: Vec<_> = inside.into_iter().map(|(e, _)| e.clone()).collect();
                        let outside: Vec<_> = outside.into_iter().map(|(e, _)| e.clone()).collect();
                        pairs.extend(predict(&inside, &outside, training_opts)?);
                    }
                    pairs
                }
            };
            let report = eval::score(&pairs);
            println!(
                "{:<16} {:>9} {:>9} {:>9} {:>8}",
                "label", "precision", "recall", "F1", "support"
            );
            for l in &report.labels {
                println!(
                    "{:<16} {:>9.4} {:>9.4} {:>9.4} {:>8}",
                    l.label, l.precision, l.recall, l.f1, l.support
                );
            }
            println!("accuracy {:.4} on {} texts", report.accuracy, pairs.len());
            println!("macro-F1 {:.4}", report.macro_f1);
            Ok(())
        }
    }
}

/// Trains on `training` and predicts each text of `testing`: (truth, prediction) pairs.
fn predict(
    training: &[(String, String)],
    testing: &[(String, String)],
    options: Training,
) -> Result<Vec<(String, String)>, String> {
    let started = Instant::now();
    let model = Model::train(training, options).ok_or("训练文件中至少要有两种标签".to_string())?;
    let (features, labels, bytes) = model.size();
    eprintln!(
        "trained on {} texts in {:.2} s: {features} features, {labels} labels, {:.1} MB",
        training.len(),
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
    let mut featurizer = Featurizer::default();
    Ok(testing
        .iter()
        .map(|(text, truth)| {
            let best = model
                .scores(&mut featurizer, text)
                .into_iter()
                .next()
                .map(|s| s.label)
                .unwrap_or_default();
            (truth.clone(), best)
        })
        .collect())
}

/// The (text, label) rows of a labelled file; rows without a label or text are left out.
fn labelled(path: &Path, text: &[&str], label: &str) -> Result<Vec<(String, String)>, String> {
    let sheet =
        xinfang_import::read_file(path, None).map_err(|e| format!("{}：{e}", path.display()))?;
    let column = |name: &str| {
        sheet
            .headers
            .iter()
            .position(|h| h.trim() == name)
            .ok_or_else(|| {
                format!(
                    "{} 没有“{name}”列（有：{}）",
                    path.display(),
                    sheet.headers.join("、")
                )
            })
    };
    let texts = text
        .iter()
        .map(|c| column(c))
        .collect::<Result<Vec<_>, _>>()?;
    let label = column(label)?;
    Ok(sheet
        .rows
        .iter()
        .filter_map(|(_, cells)| {
            let l = cells.get(label)?.trim();
            let t: Vec<&str> = texts
                .iter()
                .filter_map(|c| cells.get(*c).map(|s| s.trim()))
                .filter(|s| !s.is_empty())
                .collect();
            (!l.is_empty() && !t.is_empty()).then(|| (t.join("\n"), l.to_string()))
        })
        .collect())
}
