//! The officer pages over HTTP with a cookie-keeping client, on both databases (the same walk in
//! headless Chromium is in browser.rs).

use chrono::Datelike;

use crate::common::spawn_with;
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use xinfang_store::both_backends;
use xinfang_store::testing::TEST_PASSWORD;

pub(crate) struct Browser {
    client: reqwest::Client,
    base: String,
}

impl Browser {
    fn new(base: &str) -> Browser {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .build()
            .unwrap();
        Browser {
            client,
            base: base.to_string(),
        }
    }

    pub(crate) async fn get(&self, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        let (status, headers) = (r.status(), r.headers().clone());
        (status, r.text().await.unwrap(), headers)
    }

    pub(crate) async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, Option<String>) {
        self.send(self.client.post(format!("{}{path}", self.base)).form(form))
            .await
    }

    /// A browser nobody has logged in with yet.
    pub(crate) fn anonymous(base: &str) -> Browser {
        Browser::new(base)
    }

    /// Posts a multipart form (an upload).
    pub(crate) async fn post_multipart(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> (StatusCode, String, Option<String>) {
        self.send(
            self.client
                .post(format!("{}{path}", self.base))
                .multipart(form),
        )
        .await
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (StatusCode, String, Option<String>) {
        let r = request.send().await.unwrap();
        let status = r.status();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        (status, r.text().await.unwrap(), location)
    }

    /// The body of the answer at `path` as bytes (a download).
    pub(crate) async fn bytes(&self, path: &str) -> Vec<u8> {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.bytes().await.unwrap().to_vec()
    }

    pub(crate) async fn login(base: &str, username: &str) -> Browser {
        let b = Browser::new(base);
        let (s, _, loc) = b
            .post(
                "/login",
                &[("username", username), ("password", TEST_PASSWORD)],
            )
            .await;
        assert_eq!(
            (s, loc.as_deref()),
            (StatusCode::SEE_OTHER, Some("/")),
            "login {username}"
        );
        b
    }

    /// The CSRF token of the page at `path`.
    pub(crate) async fn csrf(&self, path: &str) -> String {
        let (_, html, _) = self.get(path).await;
        let at = html
            .find("name=\"csrf\" value=\"")
            .expect("page has a form")
            + 19;
        html[at..at + 32].to_string()
    }
}

/// The shared strings of a workbook (every text cell).
pub(crate) fn xlsx_strings(bytes: &[u8]) -> String {
    xlsx_part(bytes, "xl/sharedStrings.xml")
}

/// One part of a workbook as XML (`xl/worksheets/sheet1.xml`: the first sheet's cells).
pub(crate) fn xlsx_part(bytes: &[u8], part: &str) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an xlsx is a zip");
    let mut xml = String::new();
    zip.by_name(part).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

both_backends! {
    async fn each_opinion_names_the_next_body_and_its_window_and_the_last_says_it_is_final(db: TestDb) {
        use xinfang_domain::{Command, Outcome};
        use xinfang_store::Who;
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let case = xinfang_store::testing::forwarded_letter(&app.store, c, "物业费乱涨", c.dept).await;
        let dept = || Who::Officer(c.dept_handler.clone());
        let city = || Who::Officer(c.city_handler.clone());
        let store = &app.store;
        store.act(case.id, Command::Accept, dept()).await.unwrap();
        c.issue(store, case.id, Command::Reply { outcome: Outcome::NotSupport, text: "收费符合合同约定。".into() }, dept()).await.unwrap();
        store.act(case.id, Command::RequestReview { reason: "合同未经业主大会".into() }, Who::Petitioner).await.unwrap();
        c.issue(store, case.id, Command::Review { outcome: Outcome::NotSupport, text: "维持原处理意见。".into() }, city()).await.unwrap();
        store.act(case.id, Command::RequestRereview { reason: "仍不服".into() }, Who::Petitioner).await.unwrap();
        // The office tracking the request enters the province's decision.
        let office = || Who::Officer(c.registrar.clone());
        store.act(case.id, Command::Rereview { outcome: Outcome::NotSupport, text: "维持复查意见。".into() }, office()).await.unwrap();
        let timeline = store.timeline(case.id).await.unwrap();
        let reg = Browser::login(&app.base, "registrar").await;
        let doc = |kind: &'static str| {
            let seq = timeline.iter().find(|t| t.event.kind() == kind).unwrap().seq;
            let (reg, path) = (&reg, format!("/cases/{}/documents/{seq}", case.id.0));
            async move { reg.get(&path).await.1 }
        };
        let reply = doc("replied").await;
        assert!(reply.contains("处理意见书") && reply.contains("30日内") && reply.contains("向测试市请求复查"), "{reply}");
        let review = doc("reviewed").await;
        // The city reviewed: 复核 is for the body above the city (an external unit), never the city again.
        assert!(review.contains("复查意见书") && review.contains("30日内") && review.contains("向测试省人民政府请求复核"), "{review}");
        let last = doc("rereviewed").await;
        assert!(last.contains("复核意见书") && last.contains("不再受理") && !last.contains("请求复查") && !last.contains("请求复核"), "{last}");
    }

    async fn a_registrar_corrects_and_restricts_a_petitioners_data_on_the_case_page(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let case = xinfang_store::testing::forwarded_letter(&app.store, c, "路灯不亮", c.dept).await;
        let path = format!("/cases/{}", case.id.0);
        // The department handling it has no such form; the registering office has.
        let dept = Browser::login(&app.base, "dept_handler").await;
        assert!(!dept.get(&path).await.1.contains("个人信息请求"));
        let reg = Browser::login(&app.base, "registrar").await;
        let (_, html, _) = reg.get(&path).await;
        assert!(html.contains("个人信息请求"), "{html}");
        let csrf = reg.csrf(&path).await;
        let form_path = format!("{path}/personal-data");
        // Without a reason nothing is done, and the page says why.
        let (s, html, _) = reg.post(&form_path, &[("csrf", &csrf), ("action", "correct"), ("phone", "13600136000"), ("reason", "")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请填写依据"), "{html}");
        // Only the phone is typed: the rest of the record stays.
        let (s, _, loc) = reg.post(&form_path, &[("csrf", &csrf), ("action", "correct"), ("phone", "13600136000"), ("reason", "信访人来电更正号码")]).await;
        assert_eq!((s, loc.as_deref()), (StatusCode::SEE_OTHER, Some(format!("{path}?done={}", "%E6%9B%B4%E6%AD%A3%E4%BF%A1%E8%AE%BF%E4%BA%BA%E4%B8%AA%E4%BA%BA%E4%BF%A1%E6%81%AF").as_str())));
        let now = app.store.case(case.id).await.unwrap().unwrap();
        assert_eq!(now.petitioner.phone.as_deref(), Some("13600136000"));
        assert_eq!(now.petitioner.name, case.petitioner.name);
        assert_eq!(now.petitioner.id_number, case.petitioner.id_number);
        let (_, html, _) = reg.get(&path).await;
        assert!(html.contains("136****6000") && !html.contains("13600136000"), "masked until shown");
        // Restricted: the page says so and shows no more.
        let (s, _, _) = reg.post(&form_path, &[("csrf", &csrf), ("action", "restrict"), ("reason", "信访人提出异议，核实期间限制处理")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = reg.get(&path).await;
        assert!(html.contains("信访人个人信息已限制处理"), "{html}");
        assert!(!html.contains("136****6000") && !html.contains("显示完整个人信息"));
    }

    async fn officers_work_a_collective_visit_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        // Without a session every page sends the browser to the login form.
        let anon = Browser::new(&app.base);
        let (s, _, h) = anon.get("/").await;
        assert_eq!((s, h.get("location").unwrap().to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
        let (s, html, h) = anon.get("/login").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("name=\"username\"") && html.contains("name=\"password\""));
        assert!(h.get("content-security-policy").unwrap().to_str().unwrap().contains("script-src 'self'"));
        let (s, html, _) = anon.post("/login", &[("username", "registrar"), ("password", "wrong")]).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        assert!(html.contains("用户名或密码错误"));

        let reg = Browser::login(&app.base, "registrar").await;
        let (_, home, _) = reg.get("/").await;
        for group in ["待分流", "待受理", "办理中", "待答复", "复查/复核"] {
            assert!(home.contains(group), "worklist lacks {group}");
        }
        let csrf = reg.csrf("/cases/new").await;
        let visit = [
            ("csrf", csrf.as_str()), ("channel", "visit"), ("petitioner_name", "王五"), ("petitioner_phone", "13700001111"),
            ("petitioner_id_number", "11010519491231002X"), ("head_count", "12"), ("rep1_name", "王五"), ("rep2_name", "赵六"),
            ("title", "村集体土地补偿款分配不公"), ("content", "十二户村民反映征地补偿款分配不公，请求核查。"),
            ("class", "claim"),
        ];
        // A forged form (no CSRF token) is refused and writes nothing.
        let before = app.event_count().await;
        let (s, _, _) = reg.post("/cases/new", &visit[1..]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.event_count().await, before);
        // A wrong ID number comes back with the message next to the form and nothing written.
        let mut bad = visit.to_vec();
        bad[4] = ("petitioner_id_number", "110105194912310021");
        let (s, html, _) = reg.post("/cases/new", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(r#"data-error-for="petitioner_id_number">身份证号码校验位不正确</small>"#), "{html}");
        assert_eq!(app.event_count().await, before);
        // Several mistakes at once: each message stands next to its own field.
        let mut bad = visit.to_vec();
        bad[3] = ("petitioner_phone", "139");
        bad[5] = ("head_count", "3");
        bad[8] = ("title", " ");
        let (s, html, _) = reg.post("/cases/new", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("有 3 处需要更正"), "{html}");
        for (slot, message) in [("petitioner_phone", "电话号码格式不正确"), ("head_count", "集体访人数应为5人以上"), ("title", "标题不能为空")] {
            let at = html.find(&format!(r#"data-error-for="{slot}">"#)).unwrap_or_else(|| panic!("no slot {slot}"));
            assert!(html[at..].split("</small>").next().unwrap().contains(message), "{slot}: {html}");
        }
        assert_eq!(html.matches(r#"aria-invalid="true""#).count(), 3);
        assert_eq!(app.event_count().await, before);
        let (s, _, loc) = reg.post("/cases/new", &visit).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let case_path = loc.unwrap().split('?').next().unwrap().to_string();
        let id: i64 = case_path.trim_start_matches("/cases/").parse().unwrap();
        let (_, page, h) = reg.get(&case_path).await;
        assert!(page.contains("集体访，12 人") && page.contains("待分流") && page.contains("转送"));
        // The header holds the actions valid now, each jumping to its form; the deadline table
        // marks nothing done yet.
        let nav = &page[page.find(r#"id="case-actions""#).expect("the actions in the header")..];
        let nav = &nav[..nav.find("</nav>").unwrap()];
        for (anchor, name) in [("forward", "转送"), ("redirect", "告知"), ("reject", "不予受理"), ("reclassify", "调整类别")] {
            assert!(nav.contains(&format!(r##"href="#{anchor}">{name}</a>"##)), "{nav}");
            assert!(page.contains(&format!(r#"id="{anchor}""#)), "no form {anchor}");
        }
        assert!(!page.contains("已完成"));
        // The petitioner's data is masked until asked for; then shown, and the showing recorded.
        assert!(page.contains("137****1111") && !page.contains("13700001111") && page.contains(r#"id="reveal""#), "{page}");
        assert_eq!(h["cache-control"], "no-store");
        let (s, shown, _) = reg.get(&format!("{case_path}?reveal=1")).await;
        assert!(s == StatusCode::OK && shown.contains("13700001111") && !shown.contains(r#"id="reveal""#));
        let log = app.store.personal_access_log(5).await.unwrap();
        assert_eq!((log[0].kind.as_str(), log[0].case_id), ("reveal", Some(id)));
        // The registration notice (with the query code) waits in the outbox; no sender in tests.
        assert!(page.contains("通知信访人") && page.contains("信访事项登记回执") && page.contains("待发送"), "{page}");
        let csrf = reg.csrf(&case_path).await;
        let (s, _, _) = reg.post(&format!("{case_path}/act"), &[("csrf", &csrf), ("action", "forward"), ("to_unit", &c.dept.0.to_string())]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The department's handler finds it in 待受理 and accepts; the head extends; the handler replies.
        let handler = Browser::login(&app.base, "dept_handler").await;
        let (_, home, _) = handler.get("/").await;
        assert!(home.contains("村集体土地补偿款分配不公"));
        let csrf = handler.csrf(&case_path).await;
        let (s, _, _) = handler.post(&format!("{case_path}/act"), &[("csrf", &csrf), ("action", "accept")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let head = Browser::login(&app.base, "dept_head").await;
        let csrf_head = head.csrf(&case_path).await;
        let (s, html, _) = head.post(&format!("{case_path}/act"), &[("csrf", &csrf_head), ("action", "extend"), ("days", "45"), ("reason", "需调查")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("延长天数应为1至30日"));
        let (s, _, _) = head.post(&format!("{case_path}/act"), &[("csrf", &csrf_head), ("action", "extend"), ("days", "20"), ("reason", "需调查")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // The handler drafts the 处理意见书; the head reads it as printed, sends it back with a
        // remark, the handler revises it from what was drafted, and the head signs it.
        let act = format!("{case_path}/act");
        let (s, _, _) = handler.post(&act, &[("csrf", &csrf), ("action", "reply"), ("outcome", "support"), ("text", "已重新核算。")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, page, _) = handler.get(&case_path).await;
        assert!(page.contains("处理意见书已起草，待负责人签发") && page.contains(r#"id="draft-preview""#), "{page}");
        assert!(!page.contains(r#"id="approve""#) && !page.contains(r#"id="return""#), "the drafter does not sign");
        assert_eq!(app.get(None, &format!("/api/v1/public/cases/{}", app.store.case(xinfang_domain::CaseId(id)).await.unwrap().unwrap().query_code)).await.1["reply"], serde_json::Value::Null, "nothing reaches the petitioner before it is signed");
        // The head finds it under 待签发 in the worklist; the handler, who does not sign, has no such list.
        let (_, home, _) = head.get("/").await;
        let signoff = &home[home.find("待签发").expect("a 待签发 group for the head")..];
        assert!(signoff.contains("村集体土地补偿款分配不公"), "{home}");
        assert!(!handler.get("/").await.1.contains("待签发"));
        let (s, preview, _) = head.get(&format!("{case_path}/draft")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(preview.contains("草稿 · 未签发") && preview.contains("已重新核算。") && preview.contains("请求复查") && preview.contains("测试市住房和城乡建设局"), "{preview}");
        let (_, page, _) = head.get(&case_path).await;
        assert!(page.contains(r#"id="approve""#) && page.contains(r#"id="return""#), "{page}");
        let before = app.event_count().await;
        let (s, html, _) = head.post(&act, &[("csrf", &csrf_head), ("action", "return"), ("remark", " ")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(r#"data-error-for="remark">退回意见不能为空"#), "the message stands beside the field: {html}");
        assert_eq!(app.event_count().await, before);
        let (s, _, _) = head.post(&act, &[("csrf", &csrf_head), ("action", "return"), ("remark", "请写明补发金额和日期")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, page, _) = handler.get(&case_path).await;
        assert!(page.contains("处理意见书被退回修改") && page.contains("请写明补发金额和日期"), "{page}");
        assert!(page.contains(r#"<textarea name="text" required maxlength="20000">已重新核算。</textarea>"#), "the form starts from the draft: {page}");
        assert!(page.contains(r#"<option value="support" selected>"#), "{page}");
        let (s, _, _) = handler.post(&act, &[("csrf", &csrf), ("action", "reply"), ("outcome", "support"), ("text", "已重新核算并补发。")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, _) = head.post(&act, &[("csrf", &csrf_head), ("action", "approve")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(!head.get("/").await.1.contains("待签发"), "signed: off the list");
        let (_, page, _) = handler.get(&case_path).await;
        assert!(page.contains("负责人签发") && page.contains("负责人退回修改") && !page.contains(r#"id="draft""#), "{page}");
        assert!(page.contains("已重新核算并补发。") && page.contains("延期告知书") && page.contains("处理意见书"));

        // The printable notice carries the case, the unit and the date.
        let case = app.store.case(xinfang_domain::CaseId(id)).await.unwrap().unwrap();
        let seq = app.store.timeline(case.id).await.unwrap().iter().find(|t| t.event.kind() == "accepted").unwrap().seq;
        let (s, doc, _) = handler.get(&format!("{case_path}/documents/{seq}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(doc.contains("受理告知书") && doc.contains(&format!("文书编号：{}-{seq}", case.case_no)) && doc.contains("测试市住房和城乡建设局"));
        let replied = app.store.timeline(case.id).await.unwrap().into_iter().find(|t| t.event.kind() == "replied").unwrap();
        assert_eq!(replied.event.on(), app.store.clock().today(), "dated the day it was signed");
        // The petitioner's public view shows the reply.
        let (_, public) = app.get(None, &format!("/api/v1/public/cases/{}", case.query_code)).await;
        assert_eq!(public["reply"]["text"], "已重新核算并补发。");
        // A handler of another town cannot open the case.
        let other = Browser::login(&app.base, "other_town_handler").await;
        let (s, html, _) = other.get(&case_path).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(html.contains("无权查看"));
        // Search by phone finds it for the office; logout ends the session.
        let (s, _, h) = reg.get("/search?q=13700001111").await;
        assert!(s == StatusCode::OK || h.get("location").is_some());
        let csrf = reg.csrf("/").await;
        reg.post("/logout", &[("csrf", &csrf)]).await;
        assert_eq!(reg.get("/").await.0, StatusCode::SEE_OTHER);
    }
}

both_backends! {
    async fn search_page_finds_cases_by_petitioner_and_by_words(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let reg = app.login("registrar").await;
        for (title, content) in [("讨要工资", "某建筑公司拖欠农民工工资三个月未发"), ("噪音扰民", "工地夜间施工噪音")] {
            let mut l = crate::common::letter();
            l["title"] = serde_json::json!(title);
            l["content"] = serde_json::json!(content);
            assert_eq!(app.post(Some(&reg), "/api/v1/cases", &l).await.0, StatusCode::CREATED);
        }
        let office = Browser::login(&app.base, "registrar").await;
        let (s, html, _) = office.get("/search?q=%E6%8B%96%E6%AC%A0%E5%B7%A5%E8%B5%84").await; // 拖欠工资
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("标题、内容相符（共 1 件") && html.contains("讨要工资") && !html.contains("噪音扰民"), "{html}");
        // A name finds the petitioner's cases (both), listed once.
        let (_, html, _) = office.get("/search?q=%E6%9D%8E%E5%9B%9B").await; // 李四
        assert!(html.contains("信访人相符（2 件）") && !html.contains("标题、内容相符"), "{html}");
        let (_, html, _) = office.get("/search?q=%E6%8B%86%E8%BF%81").await; // 拆迁
        assert!(html.contains("没有找到本单位可见的信访事项"));
        // Registering a petition that reads like an earlier one (another petitioner) shows it first.
        let csrf = office.csrf("/cases/new").await;
        let alike = [
            ("csrf", csrf.as_str()), ("channel", "letter"), ("petitioner_name", "赵六"), ("petitioner_phone", "13600001111"),
            ("title", "建筑公司拖欠农民工工资"), ("content", "建筑公司拖欠我们三个月工资未发，请求处理"),
            ("class", "claim"),
        ];
        let (s, html, _) = office.post("/cases/new", &alike).await;
        // A neutral panel (not an error) with the similarity it uses, each row with 关联.
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains(r#"id="others-panel""#) && html.contains("至少五分之二的关键词") && !html.contains(r#"class="error""#), "{html}");
        let others = &html[html.find(r#"id="others""#).unwrap()..];
        assert!(others.contains("讨要工资") && !others.contains("噪音扰民"), "{others}");
        assert!(others.contains(r#"data-link-repeat="XF"#), "{others}");
        let mut confirmed = alike.to_vec();
        confirmed.push(("confirm", "1"));
        assert_eq!(office.post("/cases/new", &confirmed).await.0, StatusCode::SEE_OTHER);
        // The worklist sorts by any column header, both ways.
        let (_, html, _) = office.get("/?sort=registered").await;
        assert!(html.find("讨要工资").unwrap() < html.find("噪音扰民").unwrap());
        assert!(html.contains(r#"<th aria-sort="ascending"><a href="/?sort=-registered#sort""#), "{html}");
        let (_, html, _) = office.get("/?sort=-registered&warning=green").await;
        assert!(html.find("噪音扰民").unwrap() < html.find("讨要工资").unwrap());
        let decoded = html.replace("&#38;", "&").replace("&amp;", "&");
        assert!(decoded.contains(r#"<a href="/?sort=title&warning=green#sort""#), "{html}");
        // Another town finds nothing of the office's cases.
        let other = Browser::login(&app.base, "other_town_handler").await;
        let (_, html, _) = other.get("/search?q=%E5%B7%A5%E8%B5%84").await; // 工资
        assert!(html.contains("没有找到本单位可见的信访事项") && !html.contains("讨要工资"));
    }

    async fn the_assessment_page_shows_rates_with_their_counts_and_cases(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        // Registered on the 15th, so that twenty days later is the month after, whatever today is.
        let today = app.store.clock().today();
        let fifteenth = (today.with_day(1).unwrap() + chrono::Months::new(1)).with_day(15).unwrap();
        app.store.clock().advance(fifteenth - today);
        let reg = || xinfang_store::Who::Officer(c.registrar.clone());
        let a = app.store.register(xinfang_store::testing::letter("甲事项"), reg(), c.office).await.unwrap();
        let b = app.store.register(xinfang_store::testing::letter("乙事项"), reg(), c.office).await.unwrap();
        for id in [a.id, b.id] {
            app.store.act(id, xinfang_domain::Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        }
        app.store.act(a.id, xinfang_domain::Command::Accept, xinfang_store::Who::Officer(c.dept_handler.clone())).await.unwrap();
        app.store.clock().advance(chrono::Duration::days(20));
        let today = app.store.clock().today();
        let from = today - chrono::Duration::days(30);
        let admin = Browser::login(&app.base, "admin").await;
        let (s, html, _) = admin.get(&format!("/stats?from={from}&to={today}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("及时受理率") && html.contains("测试市住房和城乡建设局"), "{html}");
        // The department's timely acceptance: 1 of 2, shown as 50.0% with 1/2.
        let row = html.split("<tr>").find(|r| r.contains("测试市住房和城乡建设局")).unwrap();
        assert!(row.contains("<b>50.0%</b>") && row.contains(">1</a>/2"), "{row}");
        // Units with nothing to count fold away under the table, named once.
        let table = &html[html.find(r#"id="assessment""#).unwrap()..html.find("</table>").unwrap()];
        let quiet = &html[html.find(r#"id="quiet-units""#).expect("the folded units")..];
        assert!(!table.contains("西山镇") && quiet.contains("西山镇") && quiet.contains("东城镇前进村"), "{quiet}");
        // The ranking is for the month of the period's end: the month the cases came in ranks
        // the department first; the month after has nobody to rank.
        assert!(html.contains("本月尚无可排名的单位"));
        let registered = today - chrono::Duration::days(20);
        let month_end = (registered.with_day(1).unwrap() + chrono::Months::new(1)).pred_opt().unwrap();
        let (_, html, _) = admin.get(&format!("/stats?from={from}&to={month_end}")).await;
        let ranking = &html[html.find(r#"id="ranking""#).unwrap()..];
        assert!(ranking.contains("测试市住房和城乡建设局") && ranking.contains("<td>1</td>"), "{ranking}");
        // Its drill-down lists the accepted case only.
        let dept = c.dept.0;
        let (_, html, _) = admin.get(&format!("/stats?from={from}&to={today}&unit={dept}&count=accept_on_time")).await;
        let behind = &html[html.find(r#"id="behind""#).unwrap()..];
        assert!(behind.contains("按期受理（1 件）") && behind.contains("甲事项") && !behind.contains("乙事项"), "{behind}");
        // The table and the volumes export as workbooks with Chinese headers and the same figures.
        let r = admin.client.get(format!("{}/stats/export.xlsx?from={from}&to={today}&subtree=false", app.base)).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        let strings = xlsx_strings(&r.bytes().await.unwrap());
        assert!(strings.contains("及时受理率（分母）") && strings.contains("测试市住房和城乡建设局"), "{strings}");
        let r = admin.client.get(format!("{}/stats/volume.xlsx?from={from}&to={today}&by=channel", app.base)).send().await.unwrap();
        let strings = xlsx_strings(&r.bytes().await.unwrap());
        assert!(strings.contains("来信") && strings.contains("件次"), "{strings}");
        // Bad dates get the message, not a crash.
        let (s, html, _) = admin.get(&format!("/stats?from={today}&to={from}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(html.contains("统计期间应为"));
    }

    async fn admins_manage_units_and_people_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let handler = Browser::login(&app.base, "dept_handler").await;
        assert_eq!(handler.get("/admin").await.0, StatusCode::FORBIDDEN);
        let admin = Browser::login(&app.base, "admin").await;
        let (s, html, _) = admin.get("/admin").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("期限政策") && html.contains("5 个工作日") && html.contains("60 日"));
        let csrf = admin.csrf("/admin").await;
        let city = app.city.city.0.to_string();
        let (s, _, _) = admin.post("/admin/units", &[("csrf", &csrf), ("parent_id", &city), ("name", "南湖街道"), ("kind", "town")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let unit = app.store.org().units().find(|u| u.name == "南湖街道").map(|u| u.id.0).expect("unit created");
        let unit = unit.to_string();
        let person = [("csrf", csrf.as_str()), ("username", "nanhu_handler"), ("name", "陈静"), ("unit_id", unit.as_str()), ("roles", "handler"), ("roles", "unit_head"), ("password", "short")];
        let (s, html, _) = admin.post("/admin/people", &person).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("密码应为10至256个字符"));
        let mut person = person.to_vec();
        person[6] = ("password", TEST_PASSWORD);
        let (s, html, _) = admin.post("/admin/people", &person).await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("已添加人员 nanhu_handler"));
        // The password the admin typed must be changed first: every page leads to the change.
        let newcomer = Browser::new(&app.base);
        let (s, _, loc) = newcomer.post("/login", &[("username", "nanhu_handler"), ("password", TEST_PASSWORD)]).await;
        assert_eq!((s, loc.as_deref()), (StatusCode::SEE_OTHER, Some("/password")));
        let (s, _, h) = newcomer.get("/").await;
        assert_eq!((s, h.get("location").unwrap().to_str().unwrap()), (StatusCode::SEE_OTHER, "/password"));
        let (s, html, _) = newcomer.get("/password").await;
        assert!(s == StatusCode::OK && html.contains("password-forced"), "{html}");
        let ncsrf = newcomer.csrf("/password").await;
        let (s, html, _) = newcomer.post("/password", &[("csrf", &ncsrf), ("current_password", TEST_PASSWORD), ("new_password", "nanhu-own-pass"), ("repeat", "nanhu-own-pass!")]).await;
        assert!(s == StatusCode::UNPROCESSABLE_ENTITY && html.contains("两次输入的新密码不一致"));
        let (s, _, loc) = newcomer.post("/password", &[("csrf", &ncsrf), ("current_password", TEST_PASSWORD), ("new_password", "nanhu-own-pass"), ("repeat", "nanhu-own-pass")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{loc:?}");
        assert_eq!(newcomer.get("/").await.0, StatusCode::OK);
        // A wrong password five times locks the account; the admin page shows it and unlocks it.
        for _ in 0..5 {
            Browser::new(&app.base).post("/login", &[("username", "nanhu_handler"), ("password", "not-the-password")]).await;
        }
        let (s, html, _) = Browser::new(&app.base).post("/login", &[("username", "nanhu_handler"), ("password", "nanhu-own-pass")]).await;
        assert!(s == StatusCode::LOCKED && html.contains("账号已锁定"), "{s}");
        let (_, html, _) = admin.get("/admin").await;
        assert!(html.contains("锁定至") && html.contains("登录失败") && html.contains("账号锁定"), "the admin page shows the lock and the log");
        let id = app.store.people().await.unwrap().into_iter().find(|p| p.username == "nanhu_handler").unwrap().id.0.to_string();
        let (s, html, _) = admin.post("/admin/accounts", &[("csrf", &csrf), ("id", &id), ("action", "unlock")]).await;
        assert!(s == StatusCode::OK && html.contains("已解锁该账号"), "{s}");
        let (s, _, loc) = Browser::new(&app.base).post("/login", &[("username", "nanhu_handler"), ("password", "nanhu-own-pass")]).await;
        assert_eq!((s, loc.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
        let me = app.store.people().await.unwrap().into_iter().find(|p| p.username == "nanhu_handler").unwrap();
        assert_eq!(me.roles, [xinfang_domain::Role::Handler, xinfang_domain::Role::UnitHead]);
        // Open311 keys: issued once with the key shown, then revoked; a second revoke is refused.
        let (s, html, _) = admin.post("/admin/api-keys", &[("csrf", &csrf), ("name", "12345热线")]).await;
        assert_eq!(s, StatusCode::OK);
        let key = html.split("发放接口密钥：").nth(1).and_then(|r| r.split('（').next()).unwrap().to_string();
        assert!(key.starts_with("xf_"), "{html}");
        let id = app.store.api_key_id(&key).await.unwrap().expect("the key works").to_string();
        let (_, html, _) = admin.post("/admin/api-keys/revoke", &[("csrf", &csrf), ("id", &id)]).await;
        assert!(html.contains("已停用该接口密钥"));
        assert_eq!(app.store.api_key_id(&key).await.unwrap(), None);
        let (s, _, _) = admin.post("/admin/api-keys/revoke", &[("csrf", &csrf), ("id", &id)]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

both_backends! {
    async fn supervision_is_raised_answered_and_closed_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = xinfang_store::Who::Officer(c.registrar.clone());
        let case = app.store.register(xinfang_store::testing::letter("路灯不亮"), reg.clone(), c.office).await.unwrap();
        app.store.act(case.id, xinfang_domain::Command::Forward { to_unit: c.dept }, reg).await.unwrap();
        let case_path = format!("/cases/{}", case.id);

        // The leader raises supervision from the case page; the department cannot.
        let dept = Browser::login(&app.base, "dept_head").await;
        let (_, html, _) = dept.get(&case_path).await;
        assert!(!html.contains("发起督办"), "the supervised unit does not supervise itself");
        let leader = Browser::login(&app.base, "city_handler").await;
        let csrf = leader.csrf(&case_path).await;
        let (s, html, _) = leader.post(&format!("{case_path}/supervision"), &[("csrf", &csrf), ("reason", " ")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请填写督办事由"), "{html}");
        let (s, _, loc) = leader.post(&format!("{case_path}/supervision"), &[("csrf", &csrf), ("reason", "群众反映答复拖延")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let page = loc.unwrap();
        let page = page.split('?').next().unwrap().to_string();
        let (_, html, _) = leader.get(&page).await;
        assert!(html.contains("群众反映答复拖延") && html.contains("待答复"), "{html}");

        // 挂牌: on the listed view.
        let csrf = leader.csrf(&page).await;
        leader.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "list")]).await;
        let (_, html, _) = leader.get("/supervision?listed=1").await;
        assert!(html.contains("挂牌") && html.contains("测试市住房和城乡建设局"), "{html}");

        // The department sees and answers it; another town does not see it.
        let (_, html, _) = dept.get("/supervision").await;
        assert!(html.contains("群众反映答复拖延"));
        let town = Browser::login(&app.base, "town_handler").await;
        let (_, html, _) = town.get("/supervision").await;
        assert!(!html.contains("群众反映答复拖延"));
        assert_eq!(town.get(&page).await.0, StatusCode::FORBIDDEN);
        let csrf = dept.csrf(&page).await;
        let (s, _, _) = dept.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "answer"), ("text", "已约谈信访人，补充答复")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // The leader records accountability and closes it.
        let csrf = leader.csrf(&page).await;
        leader.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "hold_accountable"), ("person", "王某"), ("finding", "拖延答复"), ("measure", "通报批评")]).await;
        let (s, _, _) = leader.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "close"), ("note", "整改到位")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = leader.get(&page).await;
        assert!(html.contains("已办结") && html.contains("通报批评") && html.contains("整改到位"), "{html}");
        let (_, html, _) = leader.get(&case_path).await;
        assert!(html.contains("case-supervision") && html.contains("已办结"));
    }
}

both_backends! {
    async fn a_conference_is_convened_and_decides_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = xinfang_store::Who::Officer(c.registrar.clone());
        let case = app.store.register(xinfang_store::testing::letter("山林权属争议"), reg.clone(), c.office).await.unwrap();
        for (unit, officer) in [(c.town, &c.town_handler), (c.other_town, &c.other_town_handler)] {
            app.store.act(case.id, xinfang_domain::Command::Forward { to_unit: unit }, reg.clone()).await.unwrap();
            app.store.act(case.id, xinfang_domain::Command::Object { reason: "不属本镇".into() }, xinfang_store::Who::Officer(officer.clone())).await.unwrap();
        }
        app.store.sweep_conference().await.unwrap();

        let leader = Browser::login(&app.base, "city_handler").await;
        let (_, html, _) = leader.get("/conference").await;
        assert!(html.contains("多个单位退回") && html.contains("召集会议"), "{html}");
        let csrf = leader.csrf("/conference").await;
        let today = app.store.clock().today().to_string();
        let (t, o) = (c.town.0.to_string(), c.other_town.0.to_string());
        let (s, html, _) = leader.post("/conference", &[("csrf", &csrf), ("title", "山林争议联席会议"), ("date", "2001-01-01"), ("members", &t)]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("会议日期不能早于今天"), "{html}");
        let (s, _, loc) = leader.post("/conference", &[("csrf", &csrf), ("title", "山林争议联席会议"), ("date", &today), ("members", &t), ("members", &o)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let page = loc.unwrap().split('?').next().unwrap().to_string();
        let (_, html, _) = leader.get(&page).await;
        assert!(html.contains("东城镇、西山镇") && html.contains("议程（1 件）"), "{html}");

        let csrf = leader.csrf(&page).await;
        let due = (app.store.clock().today() + chrono::Duration::days(10)).to_string();
        let id = case.id.0.to_string();
        let (s, _, _) = leader.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "decide"), ("case_id", &id), ("unit_id", &t), ("task", "东城镇牵头勘界调处"), ("due", &due)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let town = Browser::login(&app.base, "town_handler").await;
        let (_, html, _) = town.get(&page).await;
        assert!(html.contains("东城镇牵头勘界调处") && html.contains("badge green") && html.contains("报告完成"), "{html}");
        let at = html.find("name=\"task_id\" value=\"").unwrap() + 22;
        let task_id: String = html[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
        let csrf = town.csrf(&page).await;
        let (s, _, _) = town.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "complete"), ("task_id", &task_id), ("evidence", "已勘界并达成调解协议")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let csrf = leader.csrf(&page).await;
        leader.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "minutes"), ("minutes", "议定由东城镇牵头调处")]).await;
        let (_, html, _) = leader.get(&page).await;
        assert!(html.contains("已勘界并达成调解协议") && html.contains("已召开") && html.contains("议定由东城镇牵头调处"), "{html}");
        let csrf = leader.csrf("/conference").await;
        // A case put on the agenda from the page, by its number; a number not found says so.
        let other = app.store.register(xinfang_store::testing::letter("水渠纠纷"), reg.clone(), c.office).await.unwrap();
        let (s, html, _) = leader.post("/conference/agenda", &[("csrf", &csrf), ("case_no", "XF209900000001"), ("reason", "多部门职责交叉")]).await;
        assert!(s.is_client_error() && html.contains("没有找到可提请的信访事项"), "{s} {html}");
        let (s, _, loc) = leader.post("/conference/agenda", &[("csrf", &csrf), ("case_no", &other.case_no), ("reason", "多部门职责交叉")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(loc.unwrap().starts_with("/conference"));
        let (_, html, _) = leader.get("/conference").await;
        let waiting = &html[html.find(r#"id="waiting""#).unwrap()..html.find(r#"id="meetings""#).unwrap()];
        assert!(waiting.contains(&other.case_no) && waiting.contains("水渠纠纷") && waiting.contains("多部门职责交叉"), "{waiting}");
    }
}

both_backends! {
    async fn a_leader_owns_a_case_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let case = app.store.register(xinfang_store::testing::letter("安置房质量问题"), xinfang_store::Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        let case_path = format!("/cases/{}", case.id);
        let leader = Browser::login(&app.base, "city_handler").await;
        let (_, html, _) = leader.get(&case_path).await;
        assert!(html.contains("确定包案领导"), "{html}");
        let csrf = leader.csrf(&case_path).await;
        let due = (app.store.clock().today() + chrono::Duration::days(30)).to_string();
        let me = c.city_handler.person.0.to_string();
        let (s, _, _) = leader.post(&format!("{case_path}/ownership"), &[("csrf", &csrf), ("leader_id", &me), ("kind", "old_case"), ("due", &due)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = leader.get(&case_path).await;
        assert!(html.contains("“五个一” 1/5") && html.contains("一名包案领导"), "{html}");
        let at = html.find("action=\"/leadership/").unwrap() + 20;
        let id: String = html[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
        let act = format!("/leadership/{id}/act");
        let (s, _, _) = leader.post(&act, &[("csrf", &csrf), ("action", "fill"), ("part", "plan"), ("text", "返修并第三方检测")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, html, _) = leader.post(&act, &[("csrf", &csrf), ("action", "resolve"), ("note", "已化解")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("“五个一”尚未齐全"), "{html}");
        let (_, html, _) = leader.get(&case_path).await;
        assert!(html.contains("一个化解方案：返修并第三方检测") && html.contains("2/5"), "{html}");
        let (_, html, _) = leader.get("/leadership").await;
        assert!(html.contains("我包案的信访事项（1）") && html.contains("2/5") && html.contains("领导包案情况"), "{html}");
    }
}

both_backends! {
    async fn a_dispute_is_recorded_and_resolved_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let town = Browser::login(&app.base, "town_handler").await;
        let csrf = town.csrf("/ledger").await;
        let due = (app.store.clock().today() + chrono::Duration::days(20)).to_string();
        let village = c.village.0.to_string();
        let entry = |risk: &'static str| {
            vec![("csrf", csrf.clone()), ("title", "前进村宅基地边界纠纷".to_string()), ("description", "两户村民因宅基地边界争执".into()),
                 ("unit_id", village.clone()), ("leader", "李镇长".into()), ("person", "王主任".into()), ("plan", "司法所调解".into()),
                 ("risk", risk.into()), ("due", due.clone())]
        };
        let (bad, good) = (entry("extreme"), entry("high"));
        let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, html, _) = town.post("/ledger", &bad).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请选择风险等级"), "{html}");
        let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (s, _, loc) = town.post("/ledger", &good).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let page = loc.unwrap().split('?').next().unwrap().to_string();
        let (_, html, _) = town.get("/ledger").await;
        assert!(html.contains("前进村宅基地边界纠纷") && html.contains("badge red"), "{html}");
        let csrf = town.csrf(&page).await;
        let (s, _, _) = town.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "resolve"), ("note", "双方达成调解协议")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = town.get(&page).await;
        assert!(html.contains("已化解") && html.contains("双方达成调解协议"), "{html}");
    }
}

both_backends! {
    async fn incidents_are_noted_and_reported_through_the_page(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let town = Browser::login(&app.base, "town_handler").await;
        let csrf = town.csrf("/duty").await;
        let unit = c.town.0.to_string();
        let (s, html, _) = town.post("/duty", &[("csrf", &csrf), ("action", "note"), ("unit_id", &unit), ("title", "山体滑坡"), ("severity", "critical"), ("occurred_at", "not a time")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请填写正确的发生时间"));
        // What was typed stays in the form.
        assert!(html.contains(r#"name="title" required maxlength="200" value="山体滑坡""#) && html.contains(r#"value="critical" selected"#), "{html}");
        // No severity is chosen in advance: the officer must pick one.
        let (_, form, _) = town.get("/duty").await;
        assert!(form.contains(r#"<select name="severity" required><option value="">请选择</option>"#), "{form}");
        let (s, html, _) = town.post("/duty", &[("csrf", &csrf), ("action", "note"), ("unit_id", &unit), ("title", "山体滑坡"), ("severity", ""), ("occurred_at", "2026-11-01T08:00")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请选择事件等级"), "{html}");
        // Two days ago at 08:00: long past even the ordinary deadline.
        let at = format!("{}T08:00", app.store.clock().today() - chrono::Duration::days(2));
        let (s, _, loc) = town.post("/duty", &[("csrf", &csrf), ("action", "note"), ("unit_id", &unit), ("title", "山体滑坡"), ("severity", "critical"), ("occurred_at", &at)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, done, _) = town.get(&loc.unwrap()).await;
        assert!(done.contains("已登记紧急信息"), "a success message: {done}");
        let (_, html, _) = town.get("/duty").await;
        assert!(html.contains("山体滑坡") && html.contains("逾期未报"), "{html}");
        // Times read the way people write them.
        let day = app.store.clock().today() - chrono::Duration::days(2);
        assert!(html.contains(&day.format("%Y年%m月%d日 08:00").to_string()), "{html}");
        let at = html.find("action=\"/duty/incidents/").unwrap() + 24;
        let id: String = html[at..].chars().take_while(|c| c.is_ascii_digit()).collect();
        let (s, _, _) = town.post(&format!("/duty/incidents/{id}/report"), &[("csrf", &csrf), ("text", "道路已封闭，无人员伤亡")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = town.get("/duty").await;
        assert!(html.contains("迟报") && html.contains("道路已封闭"), "{html}");
    }
}

both_backends! {
    async fn a_case_is_followed_up_and_reviewed_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = xinfang_store::Who::Officer(c.registrar.clone());
        let dept = xinfang_store::Who::Officer(c.dept_head.clone());
        let case = app.store.register(xinfang_store::testing::letter("小区停车收费"), reg.clone(), c.office).await.unwrap();
        app.store.act(case.id, xinfang_domain::Command::Forward { to_unit: c.dept }, reg).await.unwrap();
        app.store.act(case.id, xinfang_domain::Command::Accept, dept.clone()).await.unwrap();
        c.issue(&app.store, case.id, xinfang_domain::Command::Reply { outcome: xinfang_domain::Outcome::Support, text: "已规范收费".into() }, dept).await.unwrap();
        let case_path = format!("/cases/{}", case.id);
        let registrar = Browser::login(&app.base, "registrar").await;
        let csrf = registrar.csrf(&case_path).await;
        // Nothing is preselected: a call recorded without saying whether it reached the
        // petitioner is refused and writes nothing.
        let before = app.event_count().await;
        let (s, html, _) = registrar.post(&format!("{case_path}/follow-up"), &[("csrf", &csrf), ("note", "已按新标准收费")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请选择是否联系上信访人"), "{html}");
        assert_eq!(app.event_count().await, before);
        let (s, _, _) = registrar.post(&format!("{case_path}/follow-up"), &[("csrf", &csrf), ("reached", "yes"), ("resolved", "yes"), ("rating", "satisfied"), ("note", "已按新标准收费")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        app.store.clock().advance(chrono::Duration::days(40));
        app.store.close_lapsed().await.unwrap();
        let leader = Browser::login(&app.base, "city_handler").await;
        let csrf = leader.csrf(&case_path).await;
        let (s, html, _) = leader.post(&format!("{case_path}/review"), &[("csrf", &csrf), ("acceptance", "30"), ("handling", "20"), ("reply", "20"), ("procedure", "20"), ("findings", "规范")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("每项评分为0至25分"), "{html}");
        let (s, _, _) = leader.post(&format!("{case_path}/review"), &[("csrf", &csrf), ("acceptance", "25"), ("handling", "20"), ("reply", "20"), ("procedure", "25"), ("findings", "办理规范，答复及时")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = leader.get(&case_path).await;
        assert!(html.contains("评查 90 分") && html.contains("回访：问题已解决，满意"), "{html}");
        let from = case.registered_on;
        let (_, html, _) = leader.get(&format!("/stats?from={from}&to={}", app.store.clock().today())).await;
        assert!(html.contains("90.0%"), "{html}");
        for rate in xinfang_domain::metrics::Counts::default().rates() {
            assert!(html.contains(&format!("<th>{}</th>", rate.name)), "the table heads every rate: {}", rate.name);
        }
    }
}

both_backends! {
    async fn a_reception_day_is_arranged_and_a_petition_taken_there_through_the_pages(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = Browser::login(&app.base, "registrar").await;
        let csrf = reg.csrf("/reception").await;
        let today = app.store.clock().today().to_string();
        let (city, leader) = (c.city.0.to_string(), c.city_handler.person.0.to_string());
        // A second leader; the rotation keeps the order given (第1位 the second leader), and
        // leaders are shown with their unit.
        let second = app.store.create_person("deputy", "副市长", c.city, &[xinfang_domain::Role::Leader], xinfang_store::auth::hash_password("x-long-password"), xinfang_store::Who::System).await.unwrap();
        let (s, _, _) = reg.post("/reception", &[("csrf", &csrf), ("action", "rotation"), ("unit_id", &city), ("weekday", "3"), ("leaders", &second.0.to_string()), ("leaders", ""), ("leaders", &leader), ("date", &today)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = reg.get("/reception").await;
        assert!(html.contains("近八周接访日") && html.contains("city_handler"), "{html}");
        let days = &html[html.find(r#"id="days""#).unwrap()..];
        assert!(days.find("副市长").unwrap() < days.find("city_handler").unwrap(), "{days}");
        assert!(html.contains("副市长（测试市）"), "{html}");
        let (s, _, loc) = reg.post("/reception", &[("csrf", &csrf), ("action", "arrange"), ("kind", "reception"), ("unit_id", &city), ("leader_id", &leader), ("date", &today)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let page = loc.unwrap().split('?').next().unwrap().to_string();
        let csrf = reg.csrf(&page).await;
        let (s, _, _) = reg.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "book"), ("name", "周师傅"), ("phone", "13500001111"), ("matter", "工伤认定")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (s, _, loc) = reg.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "register"), ("petitioner_name", "周师傅"), ("petitioner_phone", "13500001111"), ("channel", "visit"), ("title", "工伤认定久拖不决"), ("content", "请求尽快作出工伤认定")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert!(loc.unwrap().starts_with("/cases/"));
        let (s, _, _) = reg.post(&format!("{page}/act"), &[("csrf", &csrf), ("action", "met"), ("names", "周师傅\n吴阿姨")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let (_, html, _) = reg.get(&page).await;
        assert!(html.contains("周师傅、吴阿姨") && html.contains("工伤认定") && html.contains("/cases/"), "{html}");
    }

    async fn administrators_keep_the_holiday_calendar_and_are_warned_in_december(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        app.store.clock().set_today("2026-12-01".parse().unwrap());
        // The API: anyone reads; only administrators set a year; a bad year changes nothing.
        let admin = app.login("admin").await;
        let registrar = app.login("registrar").await;
        let (s, cal) = app.get(Some(&registrar), "/api/v1/calendar").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(cal["years"][0]["year"], 2026);
        assert!(cal["warning"].as_str().unwrap().contains("2027"), "{cal}");
        let year = serde_json::json!({"holidays": ["2027-01-01"], "workdays": []});
        let put = |token: String, body: serde_json::Value| {
            let req = app.client.put(app.url("/api/v1/calendar/2027")).bearer_auth(token).json(&body);
            async move {
                let r = req.send().await.unwrap();
                (r.status(), r.json::<serde_json::Value>().await.unwrap())
            }
        };
        assert_eq!(put(registrar.clone(), year.clone()).await.0, StatusCode::FORBIDDEN);
        let before = app.event_count().await;
        let (s, body) = put(admin.clone(), serde_json::json!({"holidays": ["2026-12-31"]})).await;
        assert_eq!((s, body["error"]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_input")));
        assert_eq!(app.event_count().await, before);

        // The pages: the warning on the administrator's home page and on 系统管理, until the
        // year is entered there.
        let b = Browser::login(&app.base, "admin").await;
        let (_, home, _) = b.get("/").await;
        assert!(home.contains("还没有2027年的放假安排"), "the home page warns");
        let (_, page, _) = b.get("/admin").await;
        assert!(page.contains("还没有2027年的放假安排"));
        let csrf = b.csrf("/admin").await;
        let (s, page, _) = b
            .post("/admin/calendar", &[("csrf", &csrf), ("year", "2027"), ("holidays", "2027-01-01\n2027-02-06..2027-02-13"), ("workdays", "2027-02-14")])
            .await;
        assert_eq!(s, StatusCode::OK, "{page}");
        assert!(page.contains("已保存2027年放假安排"), "{page}");
        assert!(!page.contains("还没有2027年的放假安排"));
        let (_, home, _) = b.get("/").await;
        assert!(!home.contains("放假安排"));
        let cal = app.store.calendar();
        assert!(!cal.is_working_day("2027-02-08".parse().unwrap()) && cal.is_working_day("2027-02-14".parse().unwrap()));
        // A year on, 2028 is asked for, and only of administrators.
        app.store.clock().set_today("2027-12-02".parse().unwrap());
        let (b, officer) = (Browser::login(&app.base, "admin").await, Browser::login(&app.base, "registrar").await);
        assert!(b.get("/").await.1.contains("还没有2028年的放假安排"));
        assert!(!officer.get("/").await.1.contains("放假安排"));
    }
}

both_backends! {
    async fn a_form_drawn_before_another_officers_step_is_refused_in_chinese(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = xinfang_store::Who::Officer(c.registrar.clone());
        let case = app.store.register(xinfang_store::testing::letter("楼道堆物"), reg.clone(), c.office).await.unwrap();
        app.store.act(case.id, xinfang_domain::Command::Forward { to_unit: c.dept }, reg).await.unwrap();
        let path = format!("/cases/{}", case.id);
        // Two officers of the unit open the case page: both forms carry version 2.
        let handler = Browser::login(&app.base, "dept_handler").await;
        let head = Browser::login(&app.base, "dept_head").await;
        for b in [&handler, &head] {
            let (_, html, _) = b.get(&path).await;
            assert!(html.contains(r#"name="version" value="2""#), "{html}");
        }
        let (h_csrf, d_csrf) = (handler.csrf(&path).await, head.csrf(&path).await);
        let (s, _, _) = handler.post(&format!("{path}/act"), &[("csrf", &h_csrf), ("version", "2"), ("action", "accept")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        // The head's decline, from the page drawn before the acceptance, does nothing and says why,
        // on the page as it is now.
        let before = app.event_count().await;
        let (s, html, _) = head.post(&format!("{path}/act"), &[("csrf", &d_csrf), ("version", "2"), ("action", "decline"), ("reason", "不属于本单位职责")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("该事项已有新的办理进展"), "{html}");
        assert!(html.contains(r#"name="version" value="3""#), "the page shows the current case");
        assert!(html.contains("办理中"), "{html}");
        assert_eq!(app.event_count().await, before, "nothing written");
        // A damaged version is refused too.
        let (s, html, _) = head.post(&format!("{path}/act"), &[("csrf", &d_csrf), ("version", "x"), ("action", "extend"), ("days", "10"), ("reason", "需调查")]).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("请刷新页面后重新操作"), "{html}");
        // From the current page the head extends.
        let (s, _, _) = head.post(&format!("{path}/act"), &[("csrf", &d_csrf), ("version", "3"), ("action", "extend"), ("days", "10"), ("reason", "需现场调查")]).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(app.event_count().await, before + 1);
    }
}

both_backends! {
    async fn the_pages_keep_a_reporter_hidden_from_the_office(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = app.login("registrar").await;
        let mut r = crate::common::letter();
        r["is_report"] = serde_json::json!(true);
        r["accused_unit"] = serde_json::json!(c.dept.0);
        r["title"] = serde_json::json!("检举某科长索要回扣");
        let (_, v) = app.post(Some(&reg), "/api/v1/cases", &r).await;
        let report_no = v["case_no"].as_str().unwrap().to_string();
        let id = v["id"].as_i64().unwrap();
        let office = Browser::login(&app.base, "registrar").await;
        // The search page by name, phone or words finds no report.
        for q in ["%E6%9D%8E%E5%9B%9B", "13912345678", "%E5%9B%9E%E6%89%A3"] { // 李四, phone, 回扣
            let (s, html, _) = office.get(&format!("/search?q={q}")).await;
            assert_eq!(s, StatusCode::OK);
            assert!(!html.contains(&report_no), "search {q} shows the report: {html}");
        }
        // The intake's "other cases of this petitioner" leaves it out.
        let csrf = office.csrf("/cases/new").await;
        let (_, html, _) = office.post("/cases/new", &[
            ("csrf", csrf.as_str()), ("channel", "letter"), ("petitioner_name", "李四"), ("petitioner_phone", "13912345678"),
            ("title", "路灯不亮"), ("content", "前进路路灯坏了一个月"),
        ]).await;
        assert!(!html.contains(&report_no), "the intake panel shows the report: {html}");
        // While the office sorts it, its page shows neither the reporter nor where notices went.
        let (s, html, _) = office.get(&format!("/cases/{id}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!html.contains("李四") && !html.contains("139****5678") && !html.contains("13912345678"), "{html}");
        // A report naming the office, typed into the form, leaves at once: the page says where
        // it went and gives the query code to hand over.
        let (s, html, _) = office.post("/cases/new", &[
            ("csrf", csrf.as_str()), ("channel", "visit"), ("petitioner_name", "王五"), ("petitioner_phone", "13700001111"),
            ("title", "检举信访局工作人员推诿"), ("content", "信访局某工作人员多次推诿不登记"),
            ("class", "report"), ("accused_unit", &c.office.0.to_string()), ("confirm", "1"),
        ]).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains(r#"id="report-sent""#) && html.contains("测试市纪委监委"), "{html}");
        let code_at = html.find("<code>").unwrap() + 6;
        let code = &html[code_at..code_at + 16];
        let case = app.store.case_by_query_code(code).await.unwrap().unwrap();
        assert_eq!(case.handling_unit, Some(c.discipline));
        let (s, _, _) = office.get(&format!("/cases/{}", case.id)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

both_backends! {
    async fn the_case_page_leads_to_the_next_case_in_the_worklist(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        let reg = xinfang_store::Who::Officer(c.registrar.clone());
        let first = app.store.register(xinfang_store::testing::letter("第一件"), reg.clone(), c.office).await.unwrap();
        let second = app.store.register(xinfang_store::testing::letter("第二件"), reg.clone(), c.office).await.unwrap();
        let office = Browser::login(&app.base, "registrar").await;
        let (_, html, _) = office.get(&format!("/cases/{}", first.id)).await;
        let link = &html[html.find(r#"id="next-case""#).expect("a next-case link")..];
        assert!(link.starts_with(&format!(r#"id="next-case" href="/cases/{}" accesskey="n""#, second.id)), "{link}");
        assert!(link.contains(&second.case_no));
        // The last one has no next.
        let (_, html, _) = office.get(&format!("/cases/{}", second.id)).await;
        assert!(!html.contains(r#"id="next-case""#), "{html}");
    }

    async fn the_unit_picker_offers_the_offices_usual_choice_for_the_category_first(db: TestDb) {
        let app = spawn_with(db, |s| xinfang_web::AppState { secure_cookies: false, ..s }).await;
        let c = &app.city;
        // Two wage cases went to the town, one to the department; a noise case to the department.
        for (title, category, to) in [("欠薪一", "劳动和社会保障/拖欠工资", c.town), ("欠薪二", "劳动和社会保障/拖欠工资", c.town), ("欠薪三", "劳动和社会保障/拖欠工资", c.dept), ("噪音", "城乡建设", c.dept)] {
            let mut l = xinfang_store::testing::letter(title);
            l.category = Some(category.into());
            let case = app.store.register(l, xinfang_store::Who::Officer(c.registrar.clone()), c.office).await.unwrap();
            app.store.act(case.id, xinfang_domain::Command::Forward { to_unit: to }, xinfang_store::Who::Officer(c.registrar.clone())).await.unwrap();
        }
        let mut l = xinfang_store::testing::letter("欠薪四");
        l.category = Some("劳动和社会保障/拖欠工资".into());
        let case = app.store.register(l, xinfang_store::Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        let office = Browser::login(&app.base, "registrar").await;
        app.router.retrain(&app.store).await.unwrap();
        let (_, html, _) = office.get(&format!("/cases/{}", case.id)).await;
        assert!(html.contains(&format!(r#"data-suggest="{},{}"#, c.town.0, c.dept.0)), "most often first: {html}");
        // Every unit carries what the picker finds it by, and 村民小组-like units are marked.
        assert!(html.contains(r#"data-keys="住建 住建局 zjj"#), "{html}");
        assert!(html.contains(&format!(r#"data-parent="{}""#, c.town.0)), "the village under its town: {html}");
    }
}
