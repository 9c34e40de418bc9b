//! Trains a packing dictionary (see `src/packed.rs`) from a database's case states and event
//! payloads: `cargo run --release -p xinfang-store --example train_dictionary -- URL OUT [KB]`.
//!
//! Every JSON string that holds Chinese is blanked first, so the dictionary learns the documents'
//! shape (keys, codes, dates, kinds) and none of what petitioners or officers wrote. A dictionary
//! that was released is never replaced: a new one takes the next first byte in `packed.rs`.

use sqlx::Row;
use sqlx::any::AnyPoolOptions;

const SAMPLES: i64 = 40_000;

fn blank(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) if s.chars().any(|c| c >= '\u{2e80}') => s.clear(),
        serde_json::Value::Array(a) => a.iter_mut().for_each(blank),
        serde_json::Value::Object(o) => o.values_mut().for_each(blank),
        _ => {}
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, out, rest @ ..] = args.as_slice() else {
        return Err("usage: train_dictionary URL OUT [KB]".into());
    };
    let kb: usize = rest.first().map_or(Ok(32), |k| k.parse())?;
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await?;
    let (mut samples, mut originals) = (Vec::new(), Vec::new());
    for sql in [
        "SELECT CAST(state AS BLOB) AS v FROM cases ORDER BY random() LIMIT $1",
        "SELECT CAST(payload AS BLOB) AS v FROM events ORDER BY random() LIMIT $1",
    ] {
        for row in sqlx::query(sql).bind(SAMPLES).fetch_all(&pool).await? {
            let text = xinfang_store::packed::unpack(row.try_get::<Vec<u8>, _>("v")?)?;
            let mut v: serde_json::Value = serde_json::from_str(&text)?;
            blank(&mut v);
            samples.push(serde_json::to_vec(&v)?);
            originals.push((sql.contains("cases"), text));
        }
    }
    let dict = zstd::dict::from_samples(&samples, kb << 10)?;
    std::fs::write(out, &dict)?;
    println!("{} samples → {} bytes in {out}", samples.len(), dict.len());
    // What the dictionary does to the documents as they are (with their texts), on average.
    let mut packer = zstd::bulk::Compressor::with_dictionary(3, &dict)?;
    for (states, what) in [(true, "case states"), (false, "event payloads")] {
        let (mut raw, mut packed, mut n) = (0usize, 0usize, 0usize);
        for (_, text) in originals.iter().filter(|(s, _)| *s == states) {
            raw += text.len();
            packed += (packer.compress(text.as_bytes())?.len() - 3).min(text.len());
            n += 1;
        }
        println!(
            "{what}: {} B → {} B on average",
            raw / n.max(1),
            packed / n.max(1)
        );
    }
    Ok(())
}
