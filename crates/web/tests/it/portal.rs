//! The citizens' portal over HTTP on both databases: submit with attachments, refusals that
//! leave nothing behind, tracking, evaluation and appeals with their windows.

use std::sync::Arc;

use crate::common::{App, spawn_with};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use xinfang_domain::{Command, Outcome};
use xinfang_store::Who;
use xinfang_store::both_backends;
use xinfang_store::testing::TestDb;
use xinfang_web::pow::{ProofOfWork, solve};

const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

async fn portal(db: TestDb) -> App {
    spawn_with(db, |s| xinfang_web::AppState {
        pow: Arc::new(ProofOfWork::new(6)),
        ..s
    })
    .await
}

fn between<'a>(html: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = html.find(start)? + start.len();
    Some(&html[i..i + html[i..].find(end)?])
}

async fn challenge(app: &App) -> String {
    let html = app
        .client
        .get(app.url("/public"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    between(&html, r#"name="pow_challenge" value=""#, "\"")
        .expect("challenge in the form")
        .to_string()
}

fn petition(challenge: &str, nonce: &str) -> Form {
    Form::new()
        .text("pow_challenge", challenge.to_string())
        .text("pow_nonce", nonce.to_string())
        .text("petitioner_name", "周小梅")
        .text("petitioner_phone", "13811112222")
        .text("email", "zhou@example.cn")
        .text("region", "东城镇")
        .text("category", "cxjs-wygl")
        .text("title", "小区电梯长期故障")
        .text(
            "content",
            "锦绣华庭3号楼电梯停运两个月，物业不修，老人上下楼困难。",
        )
}

async fn submit(app: &App, form: Form) -> (StatusCode, String) {
    let r = app
        .client
        .post(app.url("/public/petitions"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn solved(app: &App) -> Form {
    let c = challenge(app).await;
    let n = solve(&c);
    petition(&c, &n)
}

/// Posts a track-page form as a browser does: a success lands on the GET page (the code in a
/// cookie), a refusal answers at once.
async fn track(app: &App, fields: &[(&str, &str)], path: &str) -> (StatusCode, String) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = browser
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

both_backends! {
    async fn a_citizen_petitions_online_with_attachments_and_follows_the_case(db: TestDb) {
        let app = portal(db).await;
        let form = solved(&app).await
            .part("files", Part::bytes(PNG.to_vec()).file_name("电梯照片.png"))
            .part("files", Part::bytes("停运通知：电梯维修中".as_bytes().to_vec()).file_name("通知.txt"));
        let (s, html) = submit(&app, form).await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("信访事项回执") && html.contains("电梯照片.png"), "{html}");
        // The code in groups of four with a copy button, and where to follow the case.
        let shown = between(&html, r#"<code id="query-code" class="query-code">"#, "<").unwrap();
        assert_eq!(shown.split(' ').map(str::len).collect::<Vec<_>>(), [4, 4, 4, 4], "{shown}");
        assert!(html.contains("data-copy=") && html.contains("查询进度："), "{html}");
        let code = xinfang_store::auth::normalise_query_code(between(&html, r#"<code id="query-code" class="query-code">"#, "<").unwrap());
        assert_eq!(code.len(), 16);
        let case = app.store.case_by_query_code(&code).await.unwrap().unwrap();
        assert_eq!((case.channel.code(), case.category.as_str(), case.region.as_deref()), ("online", "城乡建设/物业管理", Some("东城镇")));
        assert_eq!(case.petitioner.email.as_deref(), Some("zhou@example.cn"));
        assert_eq!(case.attachments.iter().map(|a| a.media_type.as_str()).collect::<Vec<_>>(), ["image/png", "text/plain"]);
        assert_eq!((app.files.kept_count(), app.files.staged_count()), (2, 0));
        // The office opens it and downloads the photo, byte for byte.
        let token = app.login("registrar").await;
        let (s, view) = app.get(Some(&token), &format!("/api/v1/cases/{}", case.id.0)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(view["status"], "registered");

        // Tracking by query code shows the steps; a wrong code says so.
        let (s, html) = track(&app, &[("code", &code)], "/public/track").await;
        assert_eq!(s, StatusCode::OK);
        assert!(html.contains("小区电梯长期故障") && html.contains("登记") && html.contains("出具处理意见书后，您可以在这里评价"), "{html}");
        // A look-up lands on a GET page (refresh sends nothing again); the code rides in an
        // HttpOnly cookie, never in the address.
        let raw = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let r = raw.post(app.url("/public/track")).form(&[("code", &code)]).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let location = r.headers()["location"].to_str().unwrap().to_string();
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
        assert!(location.starts_with("/public/track") && !location.contains(&code.replace('-', "")), "{location}");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
        let (s, html) = track(&app, &[("code", "ABCD-EFGH-JKLM-NPQR")], "/public/track").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(html.contains("没有找到该查询码"));

        // The case is answered; the citizen rates it once and asks for review within 30 days.
        let c = &app.city;
        app.store.act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        app.store.act(case.id, Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap();
        c.issue(&app.store, case.id, Command::Reply { outcome: Outcome::Explain, text: "已责令物业限期修复电梯。".into() }, Who::Officer(c.dept_handler.clone())).await.unwrap();
        let (_, html) = track(&app, &[("code", &code)], "/public/track").await;
        assert!(html.contains("已责令物业限期修复电梯。") && html.contains(r#"id="evaluate""#) && html.contains(r#"id="request_review""#), "{html}");
        let rate = [("code", code.as_str()), ("action", "evaluate"), ("office", "satisfied"), ("unit", "dissatisfied"), ("comment", "电梯仍未修好")];
        let (s, html) = track(&app, &rate, "/public/track/act").await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("已提交评价") && html.contains("您已评价过本事项") && !html.contains(r#"id="evaluate""#), "{html}");
        let (s, html) = track(&app, &rate, "/public/track/act").await;
        assert_eq!(s, StatusCode::CONFLICT, "{html}");
        let (s, html) = track(&app, &[("code", &code), ("action", "request_review"), ("reason", "电梯至今未修复")], "/public/track/act").await;
        assert_eq!(s, StatusCode::OK, "{html}");
        assert!(html.contains("已提交申请复查") && html.contains("您的申请正在办理中"), "{html}");
        // Officers' commands cannot come through the portal.
        let (s, _) = track(&app, &[("code", &code), ("action", "accept")], "/public/track/act").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.store.case(case.id).await.unwrap().unwrap().status.code(), "review_requested");
    }

    async fn an_appeal_after_its_window_is_refused_with_the_reason(db: TestDb) {
        let app = portal(db).await;
        let (_, html) = submit(&app, solved(&app).await).await;
        let code = xinfang_store::auth::normalise_query_code(between(&html, r#"<code id="query-code" class="query-code">"#, "<").unwrap());
        let case = app.store.case_by_query_code(&code).await.unwrap().unwrap();
        let c = &app.city;
        app.store.act(case.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        app.store.act(case.id, Command::Accept, Who::Officer(c.dept_handler.clone())).await.unwrap();
        c.issue(&app.store, case.id, Command::Reply { outcome: Outcome::NotSupport, text: "诉求缺乏依据。".into() }, Who::Officer(c.dept_handler.clone())).await.unwrap();
        app.store.clock().advance(chrono::Duration::days(31));
        let (s, html) = track(&app, &[("code", &code), ("action", "request_review"), ("reason", "不服")], "/public/track/act").await;
        assert_eq!(s, StatusCode::CONFLICT, "{html}");
        assert!(html.contains("复查") && html.contains(r#"role="alert""#), "{html}");
        assert!(!html.contains(r#"id="request_review""#));
    }

    async fn refused_submissions_leave_nothing_behind(db: TestDb) {
        let app = portal(db).await;
        let before = app.event_count().await;
        // Over the 10 MB limit: refused while it streams in.
        let big = vec![b'a'; 10 * 1024 * 1024 + 1];
        let (s, html) = submit(&app, solved(&app).await.part("files", Part::bytes(big).file_name("大文件.txt"))).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{html}");
        assert!(html.contains("超过10MB"));
        // An executable dressed as a photo.
        let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0".to_vec();
        let (s, html) = submit(&app, solved(&app).await.part("files", Part::bytes(exe).file_name("photo.jpg"))).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("类型不在允许之列"), "{html}");
        // Six files.
        let mut six = solved(&app).await;
        for i in 0..6 {
            six = six.part("files", Part::bytes(PNG.to_vec()).file_name(format!("{i}.png")));
        }
        let (s, html) = submit(&app, six).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(html.contains("附件最多5个"));
        // No proof of work, or a challenge used twice.
        let c = challenge(&app).await;
        let (s, html) = submit(&app, petition(&c, "")).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(html.contains("验证未完成"), "{html}");
        // Bad fields: every one is named, the text typed is kept.
        let c = challenge(&app).await;
        let form = Form::new()
            .text("pow_challenge", c.clone()).text("pow_nonce", solve(&c))
            .text("petitioner_name", "").text("petitioner_phone", "123").text("email", "not-an-email")
            .text("category", "").text("title", "我的问题").text("content", "");
        let (s, html) = submit(&app, form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        for slot in ["petitioner_name", "petitioner_phone", "email", "category", "content"] {
            let at = html.find(&format!(r#"data-error-for="{slot}">"#)).unwrap();
            assert!(!html[at..].split("</small>").next().unwrap().ends_with('>'), "{slot} has no message");
        }
        assert!(html.contains(r#"value="我的问题""#));
        assert_eq!(app.event_count().await, before);
        assert_eq!((app.files.kept_count(), app.files.staged_count()), (0, 0));
        // The solved challenge of a refused form cannot be replayed either.
        let n = solve(&c);
        let (s, _) = submit(&app, petition(&c, &n)).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_are_limited_per_address() {
    let app = spawn_with(TestDb::new(xinfang_store::Backend::Sqlite).await, |s| {
        xinfang_web::AppState {
            pow: Arc::new(ProofOfWork::new(4)),
            limits: Arc::new(xinfang_web::limits::RateLimits::default().with_submissions(3)),
            ..s
        }
    })
    .await;
    for _ in 0..3 {
        assert_eq!(submit(&app, solved(&app).await).await.0, StatusCode::OK);
    }
    let (s, html) = submit(&app, solved(&app).await).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(html.contains("提交过于频繁"));
    // Officers are not slowed or refused meanwhile.
    let token = app.login("registrar").await;
    assert_eq!(app.get(Some(&token), "/api/v1/cases").await.1["total"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_many_addresses_meets_the_citywide_intake_rate() {
    let app = spawn_with(TestDb::new(xinfang_store::Backend::Sqlite).await, |s| {
        xinfang_web::AppState {
            pow: Arc::new(ProofOfWork::new(4)),
            limits: Arc::new(
                xinfang_web::limits::RateLimits::default()
                    .with_submissions(1000)
                    .with_portal_rate(1),
            ),
            ..s
        }
    })
    .await;
    // A burst of twice the rate is taken, then the portal says it is busy and writes nothing.
    // (A second passing during the loop may let one more through.)
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(submit(&app, solved(&app).await).await);
    }
    let accepted = statuses
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .count();
    assert!(
        (2..=3).contains(&accepted),
        "{:?}",
        statuses.iter().map(|s| s.0).collect::<Vec<_>>()
    );
    let (s, html) = statuses.iter().find(|(s, _)| *s != StatusCode::OK).unwrap();
    assert_eq!(*s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html.contains("当前提交人数较多"));
    let token = app.login("registrar").await;
    assert_eq!(
        app.get(Some(&token), "/api/v1/cases").await.1["total"],
        accepted
    );
}
