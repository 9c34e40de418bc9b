//! Search like a desk (#16 point 9), on both databases: words with the synonym list, narrowed
//! by status, unit, channel, category and dates, paged over every hit, exported to .xlsx; a
//! reporter stays hidden in the export as in the list.

use reqwest::StatusCode;
use serde_json::{Value, json};
use xinfang_store::both_backends;

use crate::common::{App, spawn_with};
use crate::ui::{Browser, xlsx_strings};

async fn register(
    app: &App,
    token: &str,
    title: &str,
    content: &str,
    channel: &str,
    category: &str,
) -> Value {
    let mut l = crate::common::letter();
    l["title"] = json!(title);
    l["content"] = json!(content);
    l["channel"] = json!(channel);
    l["category"] = json!(category);
    let (s, v) = app.post(Some(token), "/api/v1/cases", &l).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    v
}

fn numbers(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_no"].as_str().unwrap().to_string())
        .collect()
}

both_backends! {
    async fn the_desk_searches_with_synonyms_filters_pages_and_exports(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let reg = app.login("registrar").await;
        let wages = "ldsb-qxgz";
        let site = register(&app, &reg, "工地欠薪", "建筑工地老板欠薪半年", "letter", wages).await;
        let firm = register(&app, &reg, "讨要工资", "某公司拖欠农民工工资三个月", "visit", wages).await;
        let noise = register(&app, &reg, "噪音扰民", "夜间施工噪音", "visit", "城乡建设").await;
        let search = |q: &str| {
            let (app, reg, q) = (&app, &reg, q.to_string());
            async move {
                let (s, v) = app.get(Some(reg), &format!("/api/v1/cases/search?{q}")).await;
                assert_eq!(s, StatusCode::OK, "{q}: {v}");
                v
            }
        };
        let no = |c: &Value| c["case_no"].as_str().unwrap().to_string();
        // 欠薪 finds 拖欠工资 through the built-in synonym list.
        let mut found = numbers(&search("q=%E6%AC%A0%E8%96%AA").await); // 欠薪
        found.sort();
        assert_eq!(found, vec![no(&site), no(&firm)]);
        // Narrowed by channel, category, status and dates; conditions alone list newest first.
        assert_eq!(numbers(&search("q=%E6%AC%A0%E8%96%AA&channel=visit").await), vec![no(&firm)]);
        assert_eq!(numbers(&search("channel=visit").await), vec![no(&noise), no(&firm)]);
        assert_eq!(numbers(&search(&format!("category={wages}&channel=visit")).await), vec![no(&firm)]);
        let group = "%E5%8A%B3%E5%8A%A8%E5%92%8C%E7%A4%BE%E4%BC%9A%E4%BF%9D%E9%9A%9C"; // 劳动和社会保障
        assert_eq!(search(&format!("category={group}")).await["total"], 2);
        let today = app.store.clock().today();
        assert_eq!(search(&format!("status=registered&from={today}&to={today}")).await["total"], 3);
        let tomorrow = today.succ_opt().unwrap();
        assert_eq!(search(&format!("q=%E5%99%AA%E9%9F%B3&from={tomorrow}")).await["total"], 0); // 噪音
        // Paging over every hit, narrowed: the pages add up to the total, none twice.
        let p1 = search("q=%E6%AC%A0%E8%96%AA&status=registered&per_page=1").await;
        let p2 = search("q=%E6%AC%A0%E8%96%AA&status=registered&per_page=1&page=2").await;
        assert_eq!((p1["total"].as_i64(), p2["total"].as_i64()), (Some(2), Some(2)));
        assert_ne!(numbers(&p1), numbers(&p2));
        // Bad conditions: 400 with a stable code, in Chinese.
        for bad in ["channel=fax", "category=%E4%B9%B1%E5%86%99", &format!("from={tomorrow}&to={today}"), "unit=99999", "", "status=nope"] {
            let (s, v) = app.get(Some(&reg), &format!("/api/v1/cases/search?{bad}")).await;
            assert_eq!((s, v["error"]["code"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_query")), "{bad}: {v}");
        }

        // Administrators keep the synonym list: a wrong one is refused (typed text kept), a
        // right one takes effect at the next search.
        let admin = Browser::login(&app.base, "admin").await;
        let csrf = admin.csrf("/admin").await;
        let (s, html, _) = admin.post("/admin/synonyms", &[("csrf", &csrf), ("synonyms", "噪音 噪声\n扰民")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("第2行：一组同义词至少要有两个词") && html.contains("噪音 噪声\n扰民"), "{html}");
        assert_eq!(search("q=%E5%90%B5%E9%97%B9").await["total"], 0); // 吵闹
        let (s, html, _) = admin.post("/admin/synonyms", &[("csrf", &csrf), ("synonyms", "噪音、噪声、吵闹")]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("已保存检索同义词 1 组"), "{html}");
        assert_eq!(numbers(&search("q=%E5%90%B5%E9%97%B9").await), vec![no(&noise)]);
        assert_eq!(search("q=%E8%AE%A8%E8%96%AA").await["total"], 0, "the old list is gone"); // 讨薪

        // The page: conditions kept in the form, pages linked, the export has what was found.
        let office = Browser::login(&app.base, "registrar").await;
        let (s, html, _) = office.get(&format!("/search?q=%E5%B7%A5%E8%B5%84&channel=visit&category={wages}")).await; // 工资
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("讨要工资") && !html.contains("工地欠薪") && html.contains(r#"<option value="visit" selected>"#), "{html}");
        let at = html.find(r#"id="export" href=""#).unwrap() + 18;
        let export = html[at..].split('"').next().unwrap().replace("&#38;", "&").replace("&amp;", "&");
        let strings = xlsx_strings(&office.bytes(&export).await);
        assert!(strings.contains("讨要工资") && !strings.contains("工地欠薪") && strings.contains("信访事项查询结果（1 件）"), "{strings}");
        let (s, html, _) = office.get("/search?from=2026-13-01").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("起始日期格式应为 年-月-日"), "{html}");
        for i in 0..52 {
            register(&app, &reg, &format!("物业不作为第{i}号楼"), "小区物业长期不作为，垃圾无人清运", "phone", "城乡建设").await;
        }
        let (_, html, _) = office.get("/search?q=%E7%89%A9%E4%B8%9A").await; // 物业
        assert!(html.contains("共 52 件，第 1/2 页") && html.contains(r#"id="next-page""#), "{html}");
        let (_, html, _) = office.get("/search?q=%E7%89%A9%E4%B8%9A&page=2").await;
        assert!(html.contains("第 2 / 2 页") && html.contains(r#"id="prev-page""#) && html.matches("物业不作为第").count() == 2, "{html}");
    }

    async fn a_reporter_stays_out_of_the_search_export(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let reg = app.login("registrar").await;
        let mut report = crate::common::letter();
        report["title"] = json!("举报某局长收受礼金");
        report["content"] = json!("举报某局长收受礼金，请纪委查处");
        report["is_report"] = json!(true);
        report["petitioner"]["name"] = json!("王举报");
        let (s, v) = app.post(Some(&reg), "/api/v1/cases", &report).await;
        assert_eq!(s, StatusCode::CREATED, "{v}");
        let id = v["id"].as_i64().unwrap();
        let (s, _) = app.act(&reg, id, json!({"action": "forward", "to_unit": app.city.discipline.0})).await;
        assert_eq!(s, StatusCode::OK);
        // The city's leader oversees the discipline body: the words of a report reach only 纪检,
        // and listed by conditions the case shows without its reporter, on the page and in the export.
        let leader = Browser::login(&app.base, "city_handler").await;
        let (s, html, _) = leader.get("/search?q=%E7%A4%BC%E9%87%91").await; // 礼金
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("举报某局长收受礼金") && !html.contains("王举报"), "{html}");
        let (_, html, _) = leader.get("/search?status=forwarded").await;
        assert!(html.contains("举报某局长收受礼金") && !html.contains("王举报"), "{html}");
        let bytes = leader.bytes("/search/export?status=forwarded").await;
        let strings = xlsx_strings(&bytes);
        assert!(strings.contains("举报某局长收受礼金") && !strings.contains("王举报"), "{strings}");
        // 纪检 itself sees who reported, in the list and the export.
        let discipline = Browser::login(&app.base, "discipline_handler").await;
        let bytes = discipline.bytes("/search/export?q=%E7%A4%BC%E9%87%91").await;
        assert!(xlsx_strings(&bytes).contains("王举报"));
    }
}
