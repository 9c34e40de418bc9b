//! `xinfang routing`: the routing model trained and scored on labelled files.

use std::path::{Path, PathBuf};
use std::time::Instant;

use xinfang_domain::taxonomy;
use xinfang_import::org::{UnitRef, plan_units};
use xinfang_text::routing::{Featurizer, Model, Target, Training, eval, router};

use crate::DbArgs;

#[derive(clap::Subcommand)]
pub enum RoutingCommand {
    /// Train on one labelled file and score another (or, without --test, score by k-fold
    /// cross-validation on the training file, equal texts kept in one fold): precision, recall
    /// and F1 per label; the last line says `macro-F1 0.xxxx`.
    Eval(EvalArgs),
    /// Train the server's model on a labelled file (a cold start before the office has a
    /// history): labels are taxonomy leaves (code, `大类/小类` or a leaf's unique name) or units
    /// (a unique name, or a path of names such as `北河镇/党政办`); rows whose label matches
    /// none are left out and listed. The server answers with
    /// the model from its next start (or its next hourly training) until its own history has
    /// taught it more.
    Train {
        #[command(flatten)]
        db: DbArgs,
        /// The labelled file (CSV in UTF-8 or GBK, .xlsx, .xls, .ods).
        #[arg(long)]
        from: PathBuf,
        /// The text's column, or several joined by commas (`title,content`).
        #[arg(long, default_value = "title")]
        text: String,
        /// The label's column.
        #[arg(long, default_value = "label")]
        label: String,
        /// What the label names.
        #[arg(long, value_enum, default_value_t = TargetArg::Category)]
        target: TargetArg,
    },
}

#[derive(clap::Args)]
pub struct EvalArgs {
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TargetArg {
    Category,
    Unit,
}

pub async fn run(command: RoutingCommand) -> Result<(), String> {
    match command {
        RoutingCommand::Train {
            db,
            from,
            text,
            label,
            target,
        } => train(&db, &from, &text, &label, target).await,
        RoutingCommand::Eval(args) => evaluate(args),
    }
}

/// `xinfang routing train`: the labels matched, the model trained and kept in the database.
async fn train(
    db: &DbArgs,
    from: &Path,
    text: &str,
    label: &str,
    target: TargetArg,
) -> Result<(), String> {
    let columns: Vec<&str> = text.split(',').map(str::trim).collect();
    let rows = labelled(from, &columns, label)?;
    let store = crate::config::open(db).await?;
    let org = store.org();
    let units = plan_units(Vec::new(), &org);
    let matched = |l: &str| -> Option<String> {
        match target {
            TargetArg::Category => taxonomy::by_code(l)
                .or_else(|| taxonomy::by_path(l))
                .or_else(|| {
                    let mut leaves = taxonomy::CATEGORIES.iter().filter(|c| c.name == l);
                    leaves.next().filter(|_| leaves.next().is_none())
                })
                .map(|c| c.path()),
            // As the organisation's import names units: a unique name, or a path of names.
            TargetArg::Unit => match units.find(l) {
                Ok(UnitRef::Existing(id)) => Some(id.0.to_string()),
                _ => None,
            },
        }
    };
    let mut examples: Vec<(String, String)> = Vec::new();
    let mut unmatched: std::collections::BTreeMap<String, usize> = Default::default();
    for (t, l) in rows {
        match matched(&l) {
            Some(m) => examples.push((t, m)),
            None => *unmatched.entry(l).or_default() += 1,
        }
    }
    if !unmatched.is_empty() {
        let what = match target {
            TargetArg::Category => "分类目录中的小类（代码、“大类/小类”或唯一的小类名称）",
            TargetArg::Unit => "本地组织机构中的单位（唯一的名称，或“上级单位/单位”路径）",
        };
        println!("未匹配{what}的标签（这些行未用于训练）：");
        for (l, n) in &unmatched {
            println!("  {l}\t{n} 行");
        }
    }
    let started = Instant::now();
    let texts = examples.len();
    let model = Model::train(&examples, Training::default())
        .ok_or("匹配的标签少于两种，无法训练".to_string())?;
    let (features, labels, bytes) = model.size();
    let mut learned = router::load(&store)
        .await
        .map_err(|e| e.to_string())?
        .unwrap_or_default();
    let target = match target {
        TargetArg::Category => Target::Category,
        TargetArg::Unit => Target::Unit,
    };
    learned.set_model(target, model, texts);
    router::save(&store, &learned)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "trained on {texts} texts in {:.2} s: {features} features, {labels} labels, {:.1} MB; kept in the database",
        started.elapsed().as_secs_f64(),
        bytes as f64 / 1e6
    );
    Ok(())
}

fn evaluate(args: EvalArgs) -> Result<(), String> {
    let EvalArgs {
        train,
        test,
        text,
        label,
        folds,
        cost,
        min_count,
    } = args;
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

/// The position of the column headed `name` in `sheet` (read from `path`), or which there are.
pub(crate) fn column(
    sheet: &xinfang_import::Sheet,
    path: &Path,
    name: &str,
) -> Result<usize, String> {
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
}

/// The (text, label) rows of a labelled file; rows without a label or text are left out.
pub(crate) fn labelled(
    path: &Path,
    text: &[&str],
    label: &str,
) -> Result<Vec<(String, String)>, String> {
    let sheet =
        xinfang_import::read_file(path, None).map_err(|e| format!("{}：{e}", path.display()))?;
    let column = |name: &str| column(&sheet, path, name);
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
