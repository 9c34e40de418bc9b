//! 系统管理 → 导入 over HTTP on both databases: an upload refused when unreadable, the preview
//! under the guessed mapping, the mapping changed and kept by name, a dry run that writes
//! nothing, an import in the background with its error report, a second file under the kept
//! mapping that imports only what is new.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use xinfang_store::both_backends;

use crate::common::spawn_with;
use crate::ui::{Browser, xlsx_strings};

const HEADER: &str =
    "工单编号,来电时间,诉求标题,详细描述,信息来源,承办单位,答复意见,答复时间,联系电话\n";
const ROWS: [&str; 4] = [
    "GD1,2026/3/2 9:30,工地欠薪,建筑工地拖欠工资三个月,12345,清河市住房和城乡建设局,已督促支付,2026/3/20 16:00,13912345678\n",
    "GD2,2026/3/3 10:00,路灯不亮,小区门口路灯坏了一周,网站,,,,\n",
    "GD3,下周,噪音扰民,夜间施工噪音,12345,,,,\n",
    "GD4,2026/3/5 8:00,占道经营,早市占用人行道,微博,,,,\n",
];

fn register(rows: &[&str]) -> Vec<u8> {
    let text: String = std::iter::once(HEADER)
        .chain(rows.iter().copied())
        .collect();
    encoding_rs::GBK.encode(&text).0.into_owned()
}

async fn upload(
    admin: &Browser,
    name: &str,
    bytes: Vec<u8>,
    mapping: &str,
) -> (StatusCode, String, Option<String>) {
    let (_, html, _) = admin.get("/admin/import").await;
    let csrf = field(&html, "csrf");
    let once = html
        .split("/admin/import?once=")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let form = Form::new()
        .text("csrf", csrf)
        .text("mapping", mapping.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    admin
        .post_multipart(&format!("/admin/import?once={once}"), form)
        .await
}

fn field(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\" value=\""))
        .expect("field")
        + name.len()
        + 15;
    html[at..].split('"').next().unwrap().to_string()
}

/// The field chosen above each column of the preview, in column order.
fn chosen(html: &str) -> Vec<String> {
    html.split("<select name=\"field\"")
        .skip(1)
        .map(|s| {
            let s = &s[..s.find("</select>").unwrap()];
            s.split("<option value=\"")
                .skip(1)
                .find(|o| o.contains("selected"))
                .map(|o| o.split('"').next().unwrap().to_string())
                .unwrap_or_default()
        })
        .collect()
}

/// Waits for the job's run to end and returns its page.
async fn finished(admin: &Browser, path: &str) -> String {
    for _ in 0..200 {
        let (_, html, _) = admin.get(path).await;
        if !html.contains("id=\"progress\"") {
            return html;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the import did not finish");
}

both_backends! {
    async fn an_admin_imports_a_register_through_the_page(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let handler = Browser::login(&app.base, "dept_handler").await;
        assert_eq!(handler.get("/admin/import").await.0, StatusCode::FORBIDDEN);
        let admin = Browser::login(&app.base, "admin").await;
        let (s, html, _) = admin.get("/admin").await;
        assert!(s == StatusCode::OK && html.contains("href=\"/admin/import\""));

        // A damaged workbook is refused with the reason, and nothing is kept.
        let (s, html, _) = upload(&admin, "导出.xlsx", b"PK\x03\x04 cut short".to_vec(), "").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("文件格式无法识别或已损坏"), "{html}");
        assert!(app.store.import_jobs(10).await.unwrap().is_empty());

        // The register: the preview shows its rows under the guessed mapping.
        let cases_before = app.store.count_cases().await.unwrap();
        let (s, _, loc) = upload(&admin, "热线三月.csv", register(&ROWS), "").await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let job = loc.unwrap();
        let (s, html, _) = admin.get(&job).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert_eq!(chosen(&html), ["source_id", "received_at", "title", "", "channel", "unit", "reply", "replied_at", "petitioner_phone"], "详细描述 is no header the guess knows");
        assert!(html.contains("共 4 行") && html.contains("建筑工地拖欠工资三个月"), "the rows are shown");
        assert!(html.contains("来电时间：") && html.contains("可导入"), "each row says what the import makes of it: {html}");

        // Two columns for one field are refused with the reason, the choices kept.
        let csrf = field(&html, "csrf");
        let sheet = field(&html, "shown_sheet");
        let post = |fields: [&'static str; 9], action: &'static str, save_as: &'static str| {
            let mut form: Vec<(&str, String)> = vec![("csrf", csrf.clone()), ("shown_sheet", sheet.clone()), ("sheet", sheet.clone()), ("values", "[values.channel]\n\"微博\" = \"online\"\n".into()), ("save_as", save_as.into()), ("action", action.into())];
            form.extend(fields.iter().map(|f| ("field", f.to_string())));
            form
        };
        let twice = post(["source_id", "received_at", "title", "title", "channel", "unit", "reply", "replied_at", "petitioner_phone"], "preview", "");
        let twice: Vec<(&str, &str)> = twice.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, html, _) = admin.post(&job, &twice).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && html.contains("一个字段只能取一列"), "{s} {html}");
        assert_eq!(chosen(&html)[3], "title", "the form comes back as it was sent");

        // 详细描述 → content, kept as 热线月报; a dry run writes nothing and reports the bad row.
        let mapped = ["source_id", "received_at", "title", "content", "channel", "unit", "reply", "replied_at", "petitioner_phone"];
        let dry = post(mapped, "dry_run", "热线月报");
        let dry: Vec<(&str, &str)> = dry.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, loc) = admin.post(&job, &dry).await;
        assert_eq!((s, loc.as_deref()), (StatusCode::SEE_OTHER, Some(job.as_str())));
        let html = finished(&admin, &job).await;
        assert!(html.contains("试运行结果（未写入）") && html.contains("imported 3, skipped 0, failed 1"), "{html}");
        assert_eq!(chosen(&html)[3], "content", "the plan is kept with the job");
        assert_eq!(app.store.count_cases().await.unwrap(), cases_before, "a dry run writes nothing");
        let report = admin.bytes(&format!("{job}/report.xlsx")).await;
        let strings = xlsx_strings(&report);
        assert!(strings.contains("行号") && strings.contains("来电时间"), "{strings}");

        // The import runs in the background to its end; the upload is then dropped.
        let run: Vec<(&str, &str)> = dry.iter().map(|(k, v)| (*k, if *k == "action" { "import" } else { *v })).filter(|(k, _)| *k != "save_as").collect();
        let (s, _, _) = admin.post(&job, &run).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = finished(&admin, &job).await;
        assert!(html.contains("导入结果") && html.contains("imported 3, skipped 0, failed 1"), "{html}");
        assert!(html.contains("文件已导入并删除") && !html.contains("id=\"plan\""), "{html}");
        assert_eq!(app.store.count_cases().await.unwrap(), cases_before + 3);
        let imported = app.store.imported_keys("热线三月.csv", &["id:GD1".into(), "id:GD4".into()]).await.unwrap();
        assert_eq!(imported.len(), 2, "the rows are imported under their source ids");
        // The imported petitioner is found by phone, as at intake (the repeat check and the
        // petitioner's history look the same way), and the look-up is recorded.
        let registrar = Browser::login(&app.base, "registrar").await;
        let (s, found, _) = registrar.get("/search?q=13912345678").await;
        assert!(s == StatusCode::OK && found.contains("工地欠薪") && found.contains("by-petitioner"), "{found}");
        let log = app.store.personal_access_log(10).await.unwrap();
        assert!(log.iter().any(|l| l.kind == "search_phone" && l.person_id == app.city.registrar.person.0), "{log:?}");
        // A new petition on the same matter is linked to the imported case as a repeat.
        let token = app.login("registrar").await;
        let (_, earlier) = app.get(Some(&token), "/api/v1/cases?phone=13912345678").await;
        let earlier_id = earlier["items"][0]["id"].as_i64().expect("the imported case");
        let mut again = crate::common::letter();
        again["petitioner"]["phone"] = serde_json::json!("13912345678");
        again["repeat_of"] = serde_json::json!(earlier_id);
        let (s, repeat) = app.post(Some(&token), "/api/v1/cases", &again).await;
        assert_eq!(s, StatusCode::CREATED, "{repeat}");
        let (_, earlier) = app.get(Some(&token), &format!("/api/v1/cases/{earlier_id}")).await;
        assert!(earlier["repeated_on"].is_string(), "the imported case knows it was petitioned again: {earlier}");
        let (_, repeat) = app.get(Some(&token), &format!("/api/v1/cases/{}", repeat["id"])).await;
        assert_eq!(repeat["repeat_of"].as_i64(), Some(earlier_id));
        let (_, list, _) = admin.get("/admin/import").await;
        assert!(list.contains("热线三月.csv") && list.contains("导入完成：已导入 3，跳过 0，出错 1"), "{list}");

        // Next upload of the same register, longer now, under the kept mapping: only the new row.
        let mut more = ROWS.to_vec();
        more.push("GD5,2026/3/9 11:00,井盖缺失,路口井盖丢失,12345,,,,\n");
        let (s, _, loc) = upload(&admin, "热线三月.csv", register(&more), "热线月报").await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let job = loc.unwrap();
        let (_, html, _) = admin.get(&job).await;
        assert_eq!(chosen(&html)[3], "content", "the kept mapping applies");
        assert!(html.contains("&quot;微博&quot; = &quot;online&quot;") || html.contains("\"微博\" = \"online\""), "with its value tables: {html}");
        let csrf = field(&html, "csrf");
        let mut form: Vec<(&str, &str)> = vec![("csrf", &csrf), ("shown_sheet", "CSV"), ("sheet", "CSV"), ("values", ""), ("action", "import")];
        form.extend(mapped.iter().map(|f| ("field", *f)));
        let (s, _, _) = admin.post(&job, &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let html = finished(&admin, &job).await;
        assert!(html.contains("imported 1, skipped 3, failed 1"), "{html}");
        assert_eq!(app.store.count_cases().await.unwrap(), cases_before + 5, "the three imported, the repeat registered since, the new row");

        // A job of another id, or a report that does not exist, is not found.
        assert_eq!(admin.get("/admin/import/1").await.0, StatusCode::NOT_FOUND);
        assert_eq!(handler.get(&format!("{job}/report.xlsx")).await.0, StatusCode::FORBIDDEN);
    }
}

both_backends! {
    async fn an_admin_brings_the_organisation_in_through_the_page(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let handler = Browser::login(&app.base, "dept_handler").await;
        assert_eq!(handler.get("/admin/import/org").await.0, StatusCode::FORBIDDEN);
        assert_eq!(handler.get("/admin/import/org/units.xlsx").await.0, StatusCode::FORBIDDEN);
        let admin = Browser::login(&app.base, "admin").await;
        let city = app.store.org().get(app.city.city).unwrap().name.clone();
        let units = format!("名称,类型,上级单位,简称\n南湖街道,乡镇街道,{city},南湖\n南湖社区,村社区,南湖街道,\n规划局,局,{city},\n");
        let people = "姓名,用户名,单位,角色,电话\n陈静,chenjing,南湖社区,登记、办理,13800001111\n李四,lisi,南湖街道,负责人\n王五,wangwu,北湖街道,办理\n";
        let send = |action: &'static str| {
            let (units, people) = (units.clone(), people.to_string());
            let admin = &admin;
            async move {
                let (_, html, _) = admin.get("/admin/import/org").await;
                let csrf = field(&html, "csrf");
                let once = html.split("/admin/import/org?once=").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
                let form = Form::new()
                    .text("csrf", csrf)
                    .text("action", action)
                    .part("units", Part::bytes(units.into_bytes()).file_name("units.csv"))
                    .part("people", Part::bytes(people.into_bytes()).file_name("people.csv"));
                admin.post_multipart(&format!("/admin/import/org?once={once}"), form).await
            }
        };
        let units_before = app.store.org().units().count();
        let (s, html, _) = send("dry_run").await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("试运行结果（未写入）") && html.contains("单位：新增 2，已有（跳过）0，出错 1") && html.contains("人员：新增 2，已有（跳过）0，出错 1"), "{html}");
        assert!(html.contains("单位类型“局”无法识别") && html.contains("没有单位“北湖街道”"), "each fault with its reason: {html}");
        assert_eq!(app.store.org().units().count(), units_before, "a dry run writes nothing");

        let (s, html, _) = send("import").await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("单位：新增 2，已有（跳过）0，出错 1") && html.contains("id=\"org-passwords\""), "{html}");
        let password = html.split("<td>chenjing</td><td>陈静</td><td class=\"mono\">").nth(1).and_then(|r| r.split('<').next()).unwrap().to_string();
        assert_eq!(app.store.org().units().count(), units_before + 2);
        // The one-time password opens the account, which must then choose its own.
        let newcomer = Browser::anonymous(&app.base);
        let (s, _, loc) = newcomer.post("/login", &[("username", "chenjing"), ("password", &password)]).await;
        assert_eq!((s, loc.as_deref()), (StatusCode::SEE_OTHER, Some("/password")));

        let (_, html, _) = send("import").await;
        assert!(html.contains("单位：新增 0，已有（跳过）2，出错 1") && html.contains("人员：新增 0，已有（跳过）2，出错 1"), "a second run adds nothing: {html}");
        let exported = crate::ui::xlsx_strings(&admin.bytes("/admin/import/org/units.xlsx").await);
        assert!(exported.contains("南湖社区") && exported.contains("南湖"), "{exported}");
        let exported = crate::ui::xlsx_strings(&admin.bytes("/admin/import/org/people.xlsx").await);
        assert!(exported.contains("chenjing") && exported.contains("13800001111"), "{exported}");
    }
}

both_backends! {
    async fn an_import_goes_on_while_the_server_registers_cases(db: TestDb) {
        // The CLI imports through its own store on the server's database while officers
        // register cases on the server: each batch's ids are reserved from the writer first,
        // so every row comes in once, every registration keeps its number, and the chain holds.
        use xinfang_import::run::{Options, run};
        let app = crate::common::spawn(db).await;
        let c = &app.city;
        let cli = xinfang_store::Store::open(app.db_url(), xinfang_store::Settings::default()).await.unwrap();
        let rows = 3 * xinfang_import::run::BATCH + 17;
        let mut csv = String::from("工单编号,来电时间,诉求标题,诉求内容,承办单位,回复1,回复时间\n");
        for i in 0..rows {
            csv.push_str(&format!("GD{i},2026/3/{} 9:00,路灯不亮{i},晚上路灯不亮,测试市住建局,已修复,2026/3/28 10:00\n", i % 27 + 1));
        }
        let sheet = xinfang_import::read::read_bytes(csv.into_bytes(), None).unwrap();
        let mapping = xinfang_import::fields::Mapping::guess(&sheet.headers);
        let sheet = xinfang_import::Table::from(sheet);
        let tables = xinfang_import::normalise::Tables::default();
        let before = app.store.count_cases().await.unwrap();
        let registering = {
            let (store, who, office) = (app.store.clone(), xinfang_store::Who::Officer(c.registrar.clone()), c.office);
            tokio::spawn(async move {
                let mut ids = Vec::new();
                for i in 0..150 {
                    let case = store.register(xinfang_store::testing::letter(&format!("同时登记{i}")), who.clone(), office).await.unwrap();
                    ids.push((case.id, case.case_no));
                    tokio::task::yield_now().await;
                }
                ids
            })
        };
        let opts = Options {
            source: "并发.csv",
            admin: &c.admin,
            office: c.office,
            defaults: xinfang_import::row::Defaults { channel: xinfang_domain::Channel::Phone, unit: c.office },
            dry_run: false,
        };
        let summary = run(&cli, &sheet, &mapping, &tables, &opts, |_, _| {}).await.unwrap();
        let registered = registering.await.unwrap();
        assert_eq!((summary.imported, summary.failed), (rows, 0), "{:?}", summary.failures);
        assert_eq!(app.store.count_cases().await.unwrap(), before + rows as i64 + 150);
        for (id, case_no) in registered {
            let case = app.store.case(id).await.unwrap().unwrap();
            assert!(case.title.starts_with("同时登记"), "a registered case was overwritten: {}", case.title);
            assert_eq!(case.case_no, case_no);
        }
        // Both processes follow one chain; a second run imports nothing.
        assert!(matches!(app.store.verify_chain().await.unwrap(), xinfang_store::chain::Verdict::Intact { .. }));
        let again = run(&cli, &sheet, &mapping, &tables, &opts, |_, _| {}).await.unwrap();
        assert_eq!((again.imported, again.skipped), (0, rows));
        cli.close().await;
    }
}
