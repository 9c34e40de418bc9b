//! Open311 as partner systems read it: the `georeport` client from PyPI (installed by .ci/run
//! into target/schemathesis) lists the services, reads their definitions, and reads back a
//! request posted with a key, in JSON and in XML, from a served demo city.

use std::process::{Command, Stdio};
use std::time::Duration;

use super::{Server, free_port, remove_db, said, temp_db, wait_ready};

#[tokio::test]
async fn a_python_georeport_client_reads_services_and_requests() {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/schemathesis/bin/python");
    let check =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/georeport_check.py");
    let has_client = Command::new(&python)
        .args(["-c", "import georeport"])
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        has_client,
        "the georeport client is needed for this test: run .ci/setup-schemathesis (as .ci/run does)"
    );
    let db = temp_db("georeport");
    let port = free_port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_xinfang"))
            .args(["serve", "--db", &format!("sqlite://{}", db.display())])
            .args([
                "--addr",
                &format!("127.0.0.1:{port}"),
                "--demo",
                "--demo-cases",
                "50",
            ])
            .arg("--insecure-cookies")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_ready(&reqwest::Client::new(), &base, Duration::from_secs(120)).await;
    let out = Command::new(&python)
        .arg(&check)
        .args([&base, "xinfang-demo"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", said(&out));
    assert!(
        said(&out).contains("georeport: all calls answered"),
        "{}",
        said(&out)
    );
    remove_db(&db);
}
