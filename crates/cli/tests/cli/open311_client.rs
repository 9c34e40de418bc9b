//! Open311 as partner systems read it: the `georeport` client from PyPI (installed by .ci/run
//! into target/schemathesis) lists the services, reads their definitions, and reads back a
//! request posted with a key, in JSON and in XML, from a served demo city.

use std::process::Command;

use super::{demo_server, python_tool, remove_db, said, temp_db};

#[tokio::test]
async fn a_python_georeport_client_reads_services_and_requests() {
    let python = python_tool("python");
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
    // The script logs in to issue its key: the session cookie over plain http.
    let (_server, base) = demo_server(&db, "50", &["--insecure-cookies"]).await;
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
