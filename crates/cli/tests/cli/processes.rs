//! Three `xinfang serve` processes on one PostgreSQL, as an office behind a load balancer runs
//! them: officers register, forward and accept through all three at once. No request fails,
//! the chain verifies, each supervision is raised by one process, each notice reaches the
//! gateway once.

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sqlx::Row;
use xinfang_store::Backend;
use xinfang_store::testing::TestDb;

use crate::{Server, demo_token, demo_unit, free_port, get_json, receiver, wait_ready};

/// What the processes' logs say: error lines, and the supervisions each says it raised.
fn read_logs(logs: &[std::path::PathBuf]) -> (Vec<String>, u64) {
    let mut errors = Vec::new();
    let mut raised = 0;
    for log in logs {
        let text = std::fs::read_to_string(log).unwrap();
        for line in text.lines() {
            if line.contains("ERROR") || line.contains("refused") {
                errors.push(line.to_string());
            }
            if line.contains("raised supervision")
                && let Some(n) = line
                    .split_whitespace()
                    .find_map(|w| w.strip_prefix("raised="))
            {
                raised += n.parse::<u64>().unwrap();
            }
        }
    }
    (errors, raised)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_processes_on_one_postgresql_fail_no_request() {
    let db = TestDb::new(Backend::Postgres).await;
    let bin = env!("CARGO_BIN_EXE_xinfang");
    // The demo city, with a year of cases of which some are late: the sweeps find them.
    let out = Command::new(bin)
        .args(["demo", "--db", &db.url, "--cases", "400"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
    const SUPERVISIONS: &str =
        "SELECT COUNT(*) AS n FROM records WHERE kind = 'supervision' AND auto_key IS NOT NULL";
    let demo_supervisions: i64 = sqlx::query(SUPERVISIONS)
        .fetch_one(&pool)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    let (gateway_url, received) = receiver().await;
    let dir = std::env::temp_dir().join(format!("xinfang_cli_procs_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut servers = Vec::new();
    let mut bases = Vec::new();
    let mut logs = Vec::new();
    for i in 0..3 {
        let port = free_port();
        let log = dir.join(format!("serve{i}.log"));
        let child = Command::new(bin)
            .args([
                "serve",
                "--db",
                &db.url,
                "--addr",
                &format!("127.0.0.1:{port}"),
            ])
            .args(["--sweep-every", "1", "--sms-gateway", &gateway_url])
            // Each process its own text index; the attachment files are shared.
            .arg("--index")
            .arg(dir.join(format!("index{i}")))
            .arg("--files")
            .arg(dir.join("files"))
            .env("RUST_LOG", "info,sqlx=warn,tower_http=warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        servers.push(Server(child));
        bases.push(format!("http://127.0.0.1:{port}"));
        logs.push(log);
    }
    let client = reqwest::Client::new();
    for base in &bases {
        wait_ready(&client, base, Duration::from_secs(120)).await;
    }
    // A session opened at one process is good at the others.
    let registrar = demo_token(&client, &bases[0], "registrar").await;
    let handler = demo_token(&client, &bases[1], "zjj_handler").await;
    let dept = demo_unit(&client, &bases[2], &registrar, "清河市住房和城乡建设局").await;

    // 24 officers at once, each step at the next process along.
    let failed = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut officers = Vec::new();
    for t in 0..24usize {
        let (client, bases, registrar, handler, failed) = (
            client.clone(),
            bases.clone(),
            registrar.clone(),
            handler.clone(),
            failed.clone(),
        );
        officers.push(tokio::spawn(async move {
            let mut done = 0;
            for i in 0..12usize {
                let at = |k: usize| bases[(t + i + k) % 3].clone();
                let steps: [(String, &str, Value); 3] = [
                    (
                        format!("{}/api/v1/cases", at(0)),
                        registrar.as_str(),
                        json!({"channel": "letter", "petitioner": {"name": "赵六", "phone": "13912345678"},
                               "title": format!("小区电梯停运 {t}-{i}"), "content": "小区电梯停运两周，物业不予维修。"}),
                    ),
                    (String::new(), registrar.as_str(), json!({"action": "forward", "to_unit": dept})),
                    (String::new(), handler.as_str(), json!({"action": "accept"})),
                ];
                let mut id = 0;
                for (k, (url, token, body)) in steps.into_iter().enumerate() {
                    let url = if k == 0 {
                        url
                    } else {
                        format!("{}/api/v1/cases/{id}/actions", at(k))
                    };
                    let r = client.post(&url).bearer_auth(token).json(&body).send().await;
                    match r {
                        Ok(r) if r.status().is_success() => {
                            let v: Value = r.json().await.unwrap();
                            if k == 0 {
                                id = v["id"].as_i64().unwrap();
                            }
                        }
                        Ok(r) => {
                            let status = r.status();
                            let text = r.text().await.unwrap_or_default();
                            failed.lock().unwrap().push(format!("{url}: {status} {text}"));
                            break;
                        }
                        Err(e) => {
                            failed.lock().unwrap().push(format!("{url}: {e}"));
                            break;
                        }
                    }
                }
                done += 1;
            }
            done
        }));
    }
    let mut rounds = 0;
    for o in officers {
        rounds += o.await.unwrap();
    }
    let failed = failed.lock().unwrap().clone();
    assert!(
        failed.is_empty(),
        "{} failed requests: {:?}",
        failed.len(),
        &failed[..failed.len().min(5)]
    );
    assert_eq!(rounds, 24 * 12);

    // Every process's search finds a case another process registered (its index follows the log).
    for base in &bases {
        let mut found = false;
        for _ in 0..50 {
            let url = format!("{base}/api/v1/cases/search?q=电梯停运&per_page=1");
            let page = get_json(&client, &url, &registrar).await;
            if page["total"].as_i64() == Some(24 * 12) {
                found = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(
            found,
            "{base}: the text index follows the other processes' commits"
        );
    }

    // The notices of the registrations and acceptances are delivered, then nothing is pending.
    let count = |sql: &'static str| {
        let pool = pool.clone();
        async move {
            sqlx::query(sql)
                .fetch_one(&pool)
                .await
                .unwrap()
                .try_get::<i64, _>("n")
                .unwrap()
        }
    };
    let waited = Instant::now();
    while count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending' AND channel = 'sms'")
        .await
        > 0
    {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "notices were not delivered"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Two passes of the sweep after the load, for the supervision of the late demo cases.
    tokio::time::sleep(Duration::from_secs(3)).await;
    drop(servers);

    let sent =
        count("SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent' AND channel = 'sms'").await;
    // Each idempotency key, with how many times it arrived.
    let mut by_key: HashMap<String, u32> = HashMap::new();
    for (key, _) in received.lock().unwrap().iter() {
        *by_key.entry(key.clone()).or_default() += 1;
    }
    let received = by_key;
    assert!(
        sent >= 2 * 24 * 12,
        "a notice for each registration and acceptance: {sent}"
    );
    assert_eq!(
        received.len() as i64,
        sent,
        "each notice reached the gateway"
    );
    let twice: Vec<_> = received.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "notices sent twice: {twice:?}");

    let supervisions = count(SUPERVISIONS).await - demo_supervisions;
    let (errors, raised) = read_logs(&logs);
    assert!(errors.is_empty(), "{errors:?}");
    assert!(supervisions > 0, "the sweeps supervised late cases");
    assert_eq!(
        raised as i64, supervisions,
        "each supervision raised by one process, once"
    );

    let out = Command::new(bin)
        .args(["verify", "--db", &db.url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    println!(
        "three processes: {} requests, 0 failed; {sent} notices each sent once; {supervisions} supervisions each raised once",
        24 * 12 * 3
    );
    pool.close().await;
}
