//! The API against its own OpenAPI document: schemathesis (installed by .ci/run into
//! target/schemathesis) sends a served demo city generated requests for a bounded time, as an
//! officer, and finds no server error and no status the document does not name.

use std::process::Command;

use super::{demo_server, demo_token, python_tool, remove_db, temp_db};

/// Seconds of generated requests (the run ends earlier when every operation is exhausted).
const BUDGET_SECONDS: &str = "90";

#[tokio::test]
async fn schemathesis_finds_no_server_error_and_no_undocumented_status() {
    let tool = std::env::var("XINFANG_SCHEMATHESIS")
        .map_or_else(|_| python_tool("schemathesis"), std::path::PathBuf::from);
    assert!(
        tool.exists(),
        "schemathesis is needed for this test: run .ci/setup-schemathesis (as .ci/run does)"
    );
    let db = temp_db("schemathesis");
    let (server, base) = demo_server(&db, "300", &[]).await;
    let client = reqwest::Client::new();
    let token = demo_token(&client, &base, "xfj_handler").await;
    // Logging out and changing the password would end the run's own session.
    let mut run = Command::new(&tool);
    run.args([
        "run",
        &format!("{base}/api/v1/openapi.json"),
        "--url",
        &base,
    ])
    .args(["-H", &format!("Authorization: Bearer {token}")])
    .args(["--checks", "not_a_server_error,status_code_conformance"])
    .args([
        "--exclude-method",
        "DELETE",
        "--exclude-path",
        "/api/v1/me/password",
    ])
    .args(["--phases", "examples,coverage,fuzzing", "--workers", "2"])
    .args(["--max-time", BUDGET_SECONDS, "--seed", "2026"])
    // The other CLI tests load the machine at the same time: slowness is not the finding.
    .args(["--request-timeout", "60", "--suppress-health-check", "all"])
    .env("NO_COLOR", "1");
    let out = tokio::task::spawn_blocking(move || run.output())
        .await
        .unwrap()
        .unwrap();
    drop(server);
    remove_db(&db);
    let report = String::from_utf8_lossy(&out.stdout);
    // Findings against the API are FAILURES; schemathesis's own generator can also stop on a
    // case under load ("Runtime Error", its hypothesis engine seeing a flaky run), which says
    // nothing of the API and does not fail the test.
    assert!(!report.contains("=== FAILURES ==="), "{report}");
    let only_tool_errors = report.contains("=== ERRORS ===")
        && report.split("=== ERRORS ===").nth(1).is_some_and(|e| {
            e.matches("Runtime Error").count() >= 1 && !e.contains("Network Error")
        });
    assert!(
        out.status.success() || only_tool_errors,
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("passed"), "{report}");
}
