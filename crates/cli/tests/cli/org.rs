//! `xinfang import-org` and `export-org` on files the test makes: an organisation of 501 units
//! and 3,000 people (children before their parents in the file), a dry run that writes nothing,
//! a run, a second run that adds nothing, bad rows in the error report, one-time passwords, and
//! an export that imports into an empty database as the same organisation.

use crate::{ok, said, xinfang};

fn write_csv(path: &std::path::Path, rows: &[Vec<String>]) {
    let mut out = String::new();
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// The last `n` lines of the output.
fn tail(out: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = out.lines().collect();
    lines[lines.len().saturating_sub(n)..].to_vec()
}

#[test]
fn an_organisation_of_501_units_and_3000_people_comes_in_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    ok(&xinfang(&["demo", "--db", &db, "--cases", "0"]));
    let towns: Vec<String> = (1..=25).map(|i| format!("东江第{i}镇")).collect();
    let mut units = vec![row(&["单位名称", "简称", "类型", "上级单位", "地区"])];
    units.push(row(&["东江区人民政府", "东江区", "政府", "", ""]));
    // Villages first: their towns come later in the file.
    for t in &towns {
        for v in 1..=19 {
            units.push(vec![
                format!("{t}第{v}村"),
                String::new(),
                "村社区".into(),
                t.clone(),
                t.clone(),
            ]);
        }
    }
    for t in &towns {
        units.push(vec![
            t.clone(),
            String::new(),
            "town".into(),
            "东江区人民政府".into(),
            "东江区".into(),
        ]);
    }
    // Five bad rows: an unknown kind, no name, an unknown parent, a repeat, an ambiguous parent.
    units.push(row(&["东江区规划局", "", "局", "东江区人民政府", ""]));
    units.push(row(&["", "", "部门", "东江区人民政府", ""]));
    units.push(row(&["南湖村", "", "村社区", "南湖镇", ""]));
    units.push(row(&["东江第1镇", "", "乡镇街道", "东江区人民政府", ""]));
    units.push(row(&["综治办", "", "部门", "第1村", ""]));
    let mut people = vec![row(&["姓名", "账号", "所在单位", "角色", "手机"])];
    let mut n = 0;
    for t in &towns {
        for v in 1..=19 {
            for k in 0..6 {
                n += 1;
                let roles = if k == 0 {
                    "负责人、办理"
                } else {
                    "办理"
                };
                people.push(vec![
                    format!("人员{n}"),
                    format!("dj{n:04}"),
                    format!("{t}第{v}村"),
                    roles.into(),
                    format!("139{n:08}"),
                ]);
            }
        }
        for _ in 0..6 {
            n += 1;
            people.push(vec![
                format!("人员{n}"),
                format!("dj{n:04}"),
                t.clone(),
                "登记、办理".into(),
                String::new(),
            ]);
        }
    }
    assert_eq!(n, 3_000);
    // Bad rows: an unknown role, a repeated username, a unit that is not there, a bad username.
    people.push(row(&["钱七", "qianqi", "东江第1镇", "神仙", ""]));
    people.push(row(&["重复", "dj0001", "东江第1镇", "办理", ""]));
    people.push(row(&["孙八", "sunba", "南湖镇", "办理", ""]));
    people.push(row(&["周九", "zhou jiu", "东江第1镇", "办理", ""]));
    let (u, p) = (dir.path().join("units.csv"), dir.path().join("people.csv"));
    write_csv(&u, &units);
    write_csv(&p, &people);
    let (u, p) = (u.to_str().unwrap(), p.to_str().unwrap());

    let dry = ok(&xinfang(&[
        "import-org",
        "--db",
        &db,
        "--units",
        u,
        "--people",
        p,
        "--dry-run",
    ]));
    assert_eq!(
        tail(&dry, 2),
        [
            "units: new 501, skipped 0, failed 5",
            "people: new 3000, skipped 0, failed 4"
        ],
        "{dry}"
    );
    assert!(
        dry.contains("试运行（未写入）") && dry.contains("错误报告"),
        "{dry}"
    );
    let run = ok(&xinfang(&[
        "import-org",
        "--db",
        &db,
        "--units",
        u,
        "--people",
        p,
    ]));
    assert_eq!(
        tail(&run, 2),
        [
            "units: new 501, skipped 0, failed 5",
            "people: new 3000, skipped 0, failed 4"
        ],
        "the dry run wrote nothing: {run}"
    );
    let passwords = std::fs::read_to_string(format!("{p}.初始密码.csv")).unwrap();
    assert_eq!(passwords.lines().count(), 3_001, "a one-time password each");
    assert!(
        passwords
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("dj0001,人员1,")
    );
    let again = ok(&xinfang(&[
        "import-org",
        "--db",
        &db,
        "--units",
        u,
        "--people",
        p,
    ]));
    // The repeated town and username now name what is there: skipped, no longer faults.
    assert_eq!(
        tail(&again, 2),
        [
            "units: new 0, skipped 502, failed 4",
            "people: new 0, skipped 3001, failed 3"
        ],
        "{again}"
    );
    let verified = ok(&xinfang(&["verify", "--db", &db]));
    assert!(
        verified.contains("完好"),
        "every change is in the log: {verified}"
    );

    // The export reads back into an empty database as the same organisation.
    let (eu, ep) = (dir.path().join("u.xlsx"), dir.path().join("p.csv"));
    let (eu, ep) = (eu.to_str().unwrap(), ep.to_str().unwrap());
    let out = ok(&xinfang(&[
        "export-org",
        "--db",
        &db,
        "--units",
        eu,
        "--people",
        ep,
    ]));
    assert!(out.contains("exported") && out.contains("units"), "{out}");
    let empty = format!("sqlite://{}", dir.path().join("empty.db").display());
    let into = ok(&xinfang(&[
        "import-org",
        "--db",
        &empty,
        "--units",
        eu,
        "--people",
        ep,
    ]));
    let units_line = tail(&into, 2)[0].to_string();
    assert!(
        units_line.ends_with("skipped 0, failed 0") && units_line.starts_with("units: new "),
        "{into}"
    );
    let (eu2, ep2) = (dir.path().join("u2.xlsx"), dir.path().join("p2.csv"));
    ok(&xinfang(&[
        "export-org",
        "--db",
        &empty,
        "--units",
        eu2.to_str().unwrap(),
        "--people",
        ep2.to_str().unwrap(),
    ]));
    assert_eq!(
        std::fs::read_to_string(ep).unwrap(),
        std::fs::read_to_string(&ep2).unwrap(),
        "the same people, units and roles"
    );
    let refused = xinfang(&["import-org", "--db", &db]);
    assert!(
        !refused.status.success() && said(&refused).contains("--units"),
        "{}",
        said(&refused)
    );
}
