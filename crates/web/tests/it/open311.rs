//! Open311 GeoReport v2 round trips in XML and JSON, on both databases.

use crate::common::{App, spawn};
use reqwest::StatusCode;
use serde_json::Value;
use xinfang_domain::Command;
use xinfang_domain::vocab::LegalChannel;
use xinfang_store::{Who, both_backends};

async fn get(app: &App, path: &str) -> (StatusCode, String, String) {
    let r = app.client.get(app.url(path)).send().await.unwrap();
    let ct = r.headers()["content-type"].to_str().unwrap().to_string();
    (r.status(), ct, r.text().await.unwrap())
}

async fn post(app: &App, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let r = app
        .client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> &'a str {
    let i = s.find(a).unwrap_or_else(|| panic!("{a} not in {s}")) + a.len();
    &s[i..i + s[i..].find(b).unwrap()]
}

both_backends! {
    async fn a_request_goes_round_in_xml_and_json(db: TestDb) {
        let app = spawn(db).await;
        // Discovery and services, both formats.
        let (s, ct, body) = get(&app, "/open311/v2/discovery.xml").await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "text/xml; charset=utf-8"));
        assert!(body.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<discovery>") && body.contains("<format>application/json</format>"));
        assert_eq!(json(&get(&app, "/open311/discovery.json").await.2)["endpoints"][0]["specification"], "http://wiki.open311.org/GeoReport_v2");
        let services = json(&get(&app, "/open311/v2/services.json").await.2);
        let wygl = services.as_array().unwrap().iter().find(|s| s["service_code"] == "cxjs-wygl").unwrap();
        assert_eq!((wygl["service_name"].as_str(), wygl["group"].as_str(), wygl["metadata"].as_bool()), (Some("物业管理"), Some("城乡建设"), Some(true)));
        assert!(get(&app, "/open311/v2/services.xml").await.2.contains("<service><service_code>ldsb-qxgz</service_code><service_name>拖欠工资</service_name>"));
        let def = json(&get(&app, "/open311/v2/services/cxjs-wygl.json").await.2);
        assert_eq!(def["attributes"][0]["code"], "title");
        assert!(def["attributes"][3]["values"].as_array().unwrap().iter().any(|v| v["key"] == "东城镇"));
        let (s, _, body) = get(&app, "/open311/v2/services/nope.xml").await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(body.contains("<errors><error><code>404</code><description>service_code nope not found</description></error></errors>"));

        // Posting needs a valid key, a known service and a location; refusals write nothing.
        let before = app.event_count().await;
        let (_, key) = app.store.create_api_key("12345热线").await.unwrap();
        let mut req = vec![
            ("api_key", key.as_str()), ("service_code", "cxjs-wygl"), ("address_string", "东城镇锦绣华庭3号楼"),
            ("description", "电梯停运两个月，物业不修。"), ("first_name", "小梅"), ("last_name", "周"),
            ("phone", "13811112222"), ("attribute[title]", "小区电梯长期故障"), ("attribute[region]", "东城镇"),
        ];
        let (s, body) = post(&app, "/open311/v2/requests.json", &req[1..]).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(json(&body)[0]["code"], 403);
        let (s, body) = post(&app, "/open311/v2/requests.xml", &[&[("api_key", "xf_wrong")], &req[1..]].concat()).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert!(body.contains("<code>403</code>"));
        let no_place: Vec<_> = req.iter().filter(|(k, _)| *k != "address_string").cloned().collect();
        let (s, body) = post(&app, "/open311/v2/requests.json", &no_place).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(json(&body)[0]["description"].as_str().unwrap().contains("location"));
        assert_eq!(app.event_count().await, before);

        // JSON round trip.
        let (s, body) = post(&app, "/open311/v2/requests.json", &req).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let first = json(&body)[0]["service_request_id"].as_str().unwrap().to_string();
        // XML round trip, with a position instead of an address.
        req.retain(|(k, _)| *k != "address_string");
        req.extend([("lat", "34.2611"), ("long", "117.1853")]);
        let (s, body) = post(&app, "/open311/v2/requests.xml", &req).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        let second = between(&body, "<service_request_id>", "</service_request_id>").to_string();
        assert!(body.contains("<account_id/>") && body.contains("已登记为信访事项XF"));

        // Each became an online case at the petition office, with its notice queued.
        let all = xinfang_store::read::CaseFilter { per_page: 10, ..Default::default() };
        let cases = app.store.list_cases(&app.city.admin, &all).await.unwrap();
        assert_eq!(cases.total, 2);
        let case = app.store.case(xinfang_domain::CaseId(cases.items[1].id)).await.unwrap().unwrap();
        assert_eq!((case.channel.code(), case.category.as_str(), case.petitioner.name.as_str()), ("online", "城乡建设/物业管理", "周小梅"));
        assert_eq!(case.registered_unit, app.city.office);
        assert_eq!(app.store.notices_of(case.id.0).await.unwrap().len(), 1);

        // Listing: progress for anyone, description only for the key that posted.
        let path = format!("/open311/v2/requests.json?service_request_id={first},{second}");
        let list = json(&get(&app, &path).await.2);
        assert_eq!(list.as_array().unwrap().len(), 2);
        assert!(list.as_array().unwrap().iter().all(|r| r["status"] == "open" && r["description"].is_null() && r["service_code"] == "cxjs-wygl"));
        let mine = json(&get(&app, &format!("{path}&api_key={key}")).await.2);
        assert!(mine[0]["description"].as_str().unwrap().contains("电梯停运"));
        // The office redirects the first to a legal channel: it is closed, with notes and agency.
        app.store.act(case.id, Command::Redirect { legal_channel: LegalChannel::Litigation, note: None }, Who::Officer(app.city.registrar.clone())).await.unwrap();
        let (s, ct, xml) = get(&app, &format!("/open311/v2/requests/{first}.xml")).await;
        assert_eq!((s, ct.as_str()), (StatusCode::OK, "text/xml; charset=utf-8"));
        assert!(xml.contains("<status>closed</status>") && xml.contains("<agency_responsible>测试市信访局</agency_responsible>"), "{xml}");
        assert!(!xml.contains("周小梅") && !xml.contains("13811112222"));
        let open = json(&get(&app, "/open311/v2/requests.json?status=open").await.2);
        assert_eq!(open.as_array().unwrap().iter().map(|r| r["service_request_id"].as_str().unwrap()).collect::<Vec<_>>(), [second.as_str()]);
        assert_eq!(json(&get(&app, "/open311/v2/requests.json?status=closed&service_code=cxjs-wygl").await.2).as_array().unwrap().len(), 1);
        assert!(json(&get(&app, "/open311/v2/requests.json?service_code=ldsb-qxgz").await.2).as_array().unwrap().is_empty());
        // Tokens resolve to the request.
        let token: String = sqlx::query_scalar("SELECT token FROM open311_requests WHERE request_id = $1").bind(&second).fetch_one(app.store.pool()).await.unwrap();
        let t = json(&get(&app, &format!("/open311/v2/tokens/{token}.json")).await.2);
        assert_eq!(t[0]["service_request_id"], second);
        // Bad queries get the spec's errors.
        for (path, code) in [
            ("/open311/v2/requests.json?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", 400),
            ("/open311/v2/requests.json?status=pending", 400),
            ("/open311/v2/requests.json?start_date=yesterday", 400),
            ("/open311/v2/requests/ffffffffffffffff.json", 404),
            ("/open311/v2/tokens/nope.json", 404),
        ] {
            let (s, _, body) = get(&app, path).await;
            assert_eq!((s.as_u16(), json(&body)[0]["code"].as_u64()), (code, Some(code as u64)), "{path}");
        }
        // A revoked key posts nothing more.
        let id = app.store.api_keys().await.unwrap()[0].id;
        app.store.revoke_api_key(id).await.unwrap();
        assert_eq!(post(&app, "/open311/v2/requests.json", &req).await.0, StatusCode::FORBIDDEN);
    }
}

both_backends! {
    async fn the_endpoint_answers_as_the_specification_and_its_clients_expect(db: TestDb) {
        let app = spawn(db).await;
        // The discovery's endpoint is absolute, from the request's Host.
        let r = app.client.get(app.url("/open311/discovery.json")).header("Host", "xinfang.qinghe.gov.cn").send().await.unwrap();
        let d = json(&r.text().await.unwrap());
        assert_eq!(d["endpoints"][0]["url"], "http://xinfang.qinghe.gov.cn/open311/v2");
        // The changeset moves when the regions (the towns) change.
        let before = d["changeset"].as_str().unwrap().to_string();
        app.store.clock().advance(chrono::Duration::days(1));
        app.store.create_unit(Some(app.city.city), "南湖镇", xinfang_domain::UnitKind::Town, Who::System).await.unwrap();
        let d = json(&get(&app, "/open311/v2/discovery.json").await.2);
        assert!(d["changeset"].as_str().unwrap() > before.as_str(), "{} after {before}", d["changeset"]);
        assert!(chrono::DateTime::parse_from_rfc3339(d["changeset"].as_str().unwrap()).is_ok());

        // The definition marks what is really required; the services list says description is.
        let def = json(&get(&app, "/open311/v2/services/cxjs-wygl.json").await.2);
        let required = |code: &str| def["attributes"].as_array().unwrap().iter().find(|a| a["code"] == code).unwrap()["required"].as_bool().unwrap();
        assert!(!required("title") && required("petitioner_name"));
        let services = json(&get(&app, "/open311/v2/services.json").await.2);
        assert!(services[0]["description"].as_str().unwrap().contains("description"));

        let (_, key) = app.store.create_api_key("12345热线").await.unwrap();
        let base = [("api_key", key.as_str()), ("service_code", "cxjs-wygl"), ("address_string", "东城镇锦绣华庭3号楼")];
        let before = app.event_count().await;
        // No description, no name: the specification's 400 document, in the format asked for.
        let (s, body) = post(&app, "/open311/v2/requests.json", &[&base[..], &[("attribute[petitioner_name]", "李四")]].concat()).await;
        assert_eq!((s, json(&body)[0]["description"].as_str()), (StatusCode::BAD_REQUEST, Some("description was not provided")));
        let (s, body) = post(&app, "/open311/v2/requests.xml", &[&base[..], &[("description", "物业乱收费")]].concat()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert!(body.contains("<code>400</code><description>attribute[petitioner_name] (or last_name and first_name) was not provided</description>"), "{body}");
        // A JSON body is not a form: the spec's error, not a bare 415.
        let r = app.client.post(app.url("/open311/v2/requests.json")).json(&serde_json::json!({"api_key": key})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        assert_eq!(json(&r.text().await.unwrap())[0]["code"], 400);
        assert_eq!(app.event_count().await, before, "nothing written");
        // A title is not needed: the service's name stands in.
        let (s, body) = post(&app, "/open311/v2/requests.json", &[&base[..], &[("description", "物业乱收费"), ("last_name", "李"), ("first_name", "四")]].concat()).await;
        assert_eq!(s, StatusCode::OK, "{body}");

        // Paths Open311 does not have answer its error document, JSON for .json.
        for path in ["/open311/v2/nothing/here.json", "/open311/v2/requests/1/extra.json"] {
            let (s, ct, body) = get(&app, path).await;
            assert_eq!((s, ct.as_str()), (StatusCode::NOT_FOUND, "application/json; charset=utf-8"), "{path}");
            assert_eq!(json(&body)[0]["code"], 404);
        }
        // Dates to the minute with a zone (W3C's hh:mmTZD) are taken.
        let today = app.store.clock().today();
        let (s, _, body) = get(&app, &format!("/open311/v2/requests.json?start_date={}T00:00%2B08:00&end_date={}T23:59Z", today - chrono::Duration::days(1), today + chrono::Duration::days(1))).await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert_eq!(json(&body).as_array().unwrap().len(), 1);
    }
}
