//! Backups made by an earlier schema restore into this one.

use std::io::{BufRead, Write};
use std::sync::atomic::AtomicU64;

use sha2::Digest;
use xinfang_store::backup::{Column, Manifest, restore};
use xinfang_store::chain::{GENESIS, Verdict};
use xinfang_store::read::CaseFilter;
use xinfang_store::testing::{TestDb, forwarded_letters, small_city};
use xinfang_store::{Settings, Store, both_backends};

/// Rewrites the backup in `dir` as the schema before JSON was packed and hashes and sealed data
/// were bytes wrote it: case states and event payloads as JSON text, each event with the hash
/// before it (`prev_hash`), both as hex text, sealed personal data as `<key id>:<hex>`, and the
/// look-up tags as hex text.
fn as_before_packing_and_binary_hashes(dir: &std::path::Path) {
    let mut m = Manifest::read(dir).unwrap();
    m.schema = 27;
    let unpacked = |v: &serde_json::Value| {
        let bytes = hex::decode(v.as_str().unwrap()).unwrap();
        serde_json::Value::from(xinfang_store::packed::unpack(bytes).unwrap())
    };
    for t in &mut m.tables {
        let at = |name: &str| t.columns.iter().position(|c| c.name == name);
        match t.name.as_str() {
            "events" => {
                let (hash, payload) = (at("hash").unwrap(), at("payload").unwrap());
                let mut prev = serde_json::Value::from(GENESIS);
                rewrite_rows(dir, t, |values| {
                    values[payload] = unpacked(&values[payload]);
                    let own = values[hash].clone();
                    values.insert(hash, std::mem::replace(&mut prev, own));
                });
                let prev_hash = Column {
                    name: "prev_hash".into(),
                    int: false,
                    bytes: false,
                };
                t.columns.insert(hash, prev_hash);
            }
            "cases" => {
                let state = at("state").unwrap();
                rewrite_rows(dir, t, |values| values[state] = unpacked(&values[state]));
            }
            "petitioners" | "record_personal" => {
                let sealed = at("sealed").unwrap();
                rewrite_rows(dir, t, |values| {
                    if let Some(hex) = values[sealed].as_str() {
                        values[sealed] = format!("{}:{}", &hex[..16], &hex[16..]).into();
                    }
                });
            }
            _ => continue,
        }
        for c in &mut t.columns {
            c.bytes = false;
        }
    }
    m.write(dir).unwrap();
}

/// Changes each row of a table's file in a backup, and its checksum.
fn rewrite_rows(
    dir: &std::path::Path,
    t: &mut xinfang_store::backup::TableDump,
    mut change: impl FnMut(&mut Vec<serde_json::Value>),
) {
    let path = dir.join("tables").join(format!("{}.jsonl.gz", t.name));
    let file = std::fs::File::open(&path).unwrap();
    let mut out = Vec::new();
    let mut digest = sha2::Sha256::new();
    for line in std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines() {
        let mut values: Vec<serde_json::Value> = serde_json::from_str(&line.unwrap()).unwrap();
        change(&mut values);
        let line = serde_json::to_string(&values).unwrap();
        digest.update(line.as_bytes());
        digest.update(b"\n");
        out.push(line);
    }
    t.sha256 = hex::encode(digest.finalize());
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(&path).unwrap(),
        flate2::Compression::fast(),
    );
    for line in out {
        writeln!(gz, "{line}").unwrap();
    }
    gz.finish().unwrap();
}

both_backends! {
    async fn a_backup_with_json_text_hex_hashes_and_hex_sealed_data_restores(db: TestDb) {
        let store = Store::open(&db.url, Settings::default()).await.unwrap();
        let c = small_city(&store).await;
        let cases = forwarded_letters(&store, &c, &["路灯不亮", "拖欠工资", "噪音扰民"]).await;
        let Verdict::Intact { events, head } = store.verify_chain().await.unwrap() else { panic!("intact") };
        let dir = tempfile::tempdir().unwrap();
        let m = store.backup(dir.path(), true, &AtomicU64::new(0)).await.unwrap();
        m.write(dir.path()).unwrap();
        store.close().await;
        as_before_packing_and_binary_hashes(dir.path());

        let target = TestDb::new(db.backend).await;
        restore(&target.url, dir.path(), None, &Default::default(), &AtomicU64::new(0)).await.unwrap();
        let restored = Store::open(&target.url, Settings::default()).await.unwrap();
        assert_eq!(restored.verify_chain().await.unwrap(), Verdict::Intact { events, head });
        // Case states and payloads kept as text read as they are.
        for case in &cases {
            let back = restored.case(case.id).await.unwrap().unwrap();
            assert_eq!((back.title.as_str(), back.status), (case.title.as_str(), case.status));
            assert_eq!(back.petitioner, case.petitioner);
            assert!(!case.petitioner.name.is_empty());
            assert_eq!(restored.timeline(case.id).await.unwrap().len(), 2);
        }
        // The look-up tags, hex text in that schema, still find the petitioner.
        let by_phone = CaseFilter { petitioner_phone: cases[0].petitioner.phone.clone(), ..Default::default() };
        assert_eq!(restored.list_cases(&c.admin, &by_phone).await.unwrap().total, 3);
        // A backup that names a column the schema never had is still refused.
        let mut m = Manifest::read(dir.path()).unwrap();
        m.tables.iter_mut().find(|t| t.name == "events").unwrap().columns[0].name = "sequence".into();
        m.write(dir.path()).unwrap();
        let again = TestDb::new(db.backend).await;
        let refused = restore(&again.url, dir.path(), None, &Default::default(), &AtomicU64::new(0)).await;
        assert!(refused.is_err(), "{refused:?}");
    }
}
