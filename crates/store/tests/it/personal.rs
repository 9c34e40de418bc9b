//! The petitioner store on both databases: personal data sealed apart from the log and the read
//! model, found by keyed tags, corrected, restricted and erased with the chain intact; the key
//! must be the database's; a database written before the store moves into it.

use chrono::Duration;
use sqlx::{AssertSqlSafe, Row};
use xinfang_domain::case::{CaseStatus, PersonalStanding};
use xinfang_domain::personal::PersonalRequest;
use xinfang_domain::reception::{Arrange, Session, SessionCommand, SessionKind};
use xinfang_domain::{CaseId, Command, DomainError, Event, Outcome, Petitioner, SessionId};
use xinfang_store::chain::{EventRow, Verdict};
use xinfang_store::personal::{KeySource, Keyring};
use xinfang_store::read::CaseFilter;
use xinfang_store::testing::{SmallCity, TestDb, letter, small_city};
use xinfang_store::{Backend, Settings, Store, StoreError, Who, both_backends};

const NAME: &str = "王秀英";
const PHONE: &str = "13800138000";
const ID_NUMBER: &str = "11010519491231002X";
const ADDRESS: &str = "西城区幸福路8号";
const EMAIL: &str = "wxy@example.cn";

fn person() -> Petitioner {
    Petitioner {
        name: NAME.into(),
        phone: Some(PHONE.into()),
        id_number: Some(ID_NUMBER.into()),
        address: Some(ADDRESS.into()),
        email: Some(EMAIL.into()),
    }
}

async fn open(db: &TestDb) -> Store {
    Store::open(&db.url, Settings::default())
        .await
        .expect("open store")
}

async fn register(store: &Store, c: &SmallCity, title: &str) -> xinfang_domain::Case {
    let mut l = letter(title);
    l.petitioner = person();
    store
        .register(l, Who::Officer(c.registrar.clone()), c.office)
        .await
        .unwrap()
}

/// Every text the database keeps where personal data could sit: the log, the case rows, the
/// notices, the petitioner store (packed JSON unpacked, or a name could hide in its bytes).
async fn raw_text(store: &Store) -> String {
    let mut out = String::new();
    for sql in [
        "SELECT payload AS t FROM events",
        "SELECT state AS t FROM cases",
    ] {
        for r in sqlx::query(sql).fetch_all(store.pool()).await.unwrap() {
            out.push_str(&xinfang_store::packed::unpack(r.try_get("t").unwrap()).unwrap());
            out.push('\n');
        }
    }
    for sql in [
        "SELECT title AS t FROM cases",
        "SELECT recipient || subject || body AS t FROM outbox",
    ] {
        for r in sqlx::query(AssertSqlSafe(sql))
            .fetch_all(store.pool())
            .await
            .unwrap()
        {
            out.push_str(&r.try_get::<String, _>("t").unwrap());
            out.push('\n');
        }
    }
    for sql in [
        "SELECT sealed AS b FROM petitioners",
        "SELECT digest AS b FROM petitioners",
        "SELECT name_tag AS b FROM cases",
        "SELECT phone_tag AS b FROM cases",
        "SELECT id_tag AS b FROM cases",
    ] {
        for r in sqlx::query(sql).fetch_all(store.pool()).await.unwrap() {
            let bytes: Option<Vec<u8>> = r.try_get("b").unwrap();
            out.push_str(&String::from_utf8_lossy(&bytes.unwrap_or_default()));
            out.push('\n');
        }
    }
    out
}

fn assert_nothing_in_clear(raw: &str, values: &[&str]) {
    for v in values {
        assert!(!raw.contains(v), "{v} is stored in the clear");
    }
}

async fn found(store: &Store, c: &SmallCity, f: CaseFilter) -> Vec<i64> {
    let f = CaseFilter { per_page: 50, ..f };
    store
        .list_cases(&c.registrar, &f)
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.id)
        .collect()
}

fn by_phone(p: &str) -> CaseFilter {
    CaseFilter {
        petitioner_phone: Some(p.into()),
        ..Default::default()
    }
}

async fn intact(store: &Store) {
    assert!(matches!(
        store.verify_chain().await.unwrap(),
        Verdict::Intact { .. }
    ));
}

/// The digest the petitioner store keeps, as the hex the log and the case's state hold.
async fn stored_digest(store: &Store, id: CaseId) -> Option<String> {
    let digest: Option<Vec<u8>> = sqlx::query("SELECT digest FROM petitioners WHERE case_id = $1")
        .bind(id.0)
        .fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("digest")
        .unwrap();
    digest.map(hex::encode)
}

both_backends! {
    async fn personal_data_is_sealed_apart_and_found_by_keyed_tags(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let case = register(&store, &c, "拖欠工资").await;
        assert_nothing_in_clear(&raw_text(&store).await, &[NAME, PHONE, ID_NUMBER, ADDRESS, EMAIL]);
        // Reading puts the data back; the notices go to the petitioner's phone and e-mail.
        assert_eq!(store.case(case.id).await.unwrap().unwrap().petitioner, person());
        let mut to: Vec<String> = store.notices_of(case.id.0).await.unwrap().into_iter().map(|n| n.recipient).collect();
        to.sort();
        assert_eq!(to, vec![PHONE.to_string(), EMAIL.to_string()]);
        // Exact look-ups through the tags, with the normalisation registration applies.
        assert_eq!(found(&store, &c, by_phone("138-0013 8000")).await, vec![case.id.0]);
        assert_eq!(found(&store, &c, CaseFilter { petitioner_id_number: Some(ID_NUMBER.to_lowercase()), ..Default::default() }).await, vec![case.id.0]);
        assert_eq!(found(&store, &c, CaseFilter { petitioner_name: Some(format!(" {NAME} ")), ..Default::default() }).await, vec![case.id.0]);
        assert!(found(&store, &c, by_phone("13800138001")).await.is_empty());
        let page = store.list_cases(&c.registrar, &CaseFilter { per_page: 10, ..Default::default() }).await.unwrap();
        assert_eq!(page.items[0].petitioner_name, NAME, "lists show the name");
        // The log keeps the record's digest: the registration's, the case's and the store's agree.
        let digest = stored_digest(&store, case.id).await.unwrap();
        assert_eq!(case.personal.digest.as_deref(), Some(digest.as_str()));
        let timeline = store.timeline(case.id).await.unwrap();
        let Event::Registered(logged) = &timeline[0].event else { panic!("registration first") };
        assert_eq!(logged.personal.digest.as_deref(), Some(digest.as_str()));
        assert_eq!(logged.petitioner, Petitioner::default());
        intact(&store).await;
        // After a restart, with the key file beside the database, all reads as before.
        store.close().await;
        let store = open(&db).await;
        assert_eq!(store.case(case.id).await.unwrap().unwrap().petitioner, person());
        assert_eq!(found(&store, &c, by_phone(PHONE)).await, vec![case.id.0]);
    }

    async fn correction_restriction_and_erasure_keep_the_chain(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let reg = || Who::Officer(c.registrar.clone());
        let case = register(&store, &c, "噪音扰民").await;
        let before = stored_digest(&store, case.id).await;
        // Corrected on request: the record is rewritten; the old number finds nothing any more.
        let corrected = Petitioner { phone: Some("13700137000".into()), ..person() };
        let req = PersonalRequest::Correct { petitioner: corrected.clone(), reason: "信访人来电更正号码".into() };
        let after = store.personal_request(case.id, req.clone(), reg()).await.unwrap();
        assert_eq!(after.petitioner, corrected);
        assert_eq!(store.case(case.id).await.unwrap().unwrap().petitioner, corrected);
        assert!(found(&store, &c, by_phone(PHONE)).await.is_empty());
        assert_eq!(found(&store, &c, by_phone("13700137000")).await, vec![case.id.0]);
        assert_ne!(stored_digest(&store, case.id).await, before);
        assert_nothing_in_clear(&raw_text(&store).await, &["13700137000", PHONE, NAME]);
        let last = store.timeline(case.id).await.unwrap().pop().unwrap();
        assert!(matches!(last.event, Event::PersonalData { standing: PersonalStanding::Kept, .. }), "{:?}", last.event);
        intact(&store).await;
        // Only the registering unit's registrars and admins act on such requests.
        let refused = store.personal_request(case.id, req, Who::Officer(c.dept_handler.clone())).await;
        assert!(matches!(refused, Err(StoreError::Domain(DomainError::Forbidden(_)))), "{refused:?}");
        // Erasure while the case is open restricts: nothing shown, found or sent, all kept.
        let erase = PersonalRequest::Erase { reason: "信访人要求删除".into() };
        let restricted = store.personal_request(case.id, erase.clone(), reg()).await.unwrap();
        assert_eq!(restricted.personal.standing, PersonalStanding::Restricted);
        let read = store.case(case.id).await.unwrap().unwrap();
        assert_eq!(read.petitioner.name, "");
        assert!(read.petitioner.phone.is_none());
        assert!(found(&store, &c, by_phone("13700137000")).await.is_empty());
        assert!(store.notices_of(case.id.0).await.unwrap().iter().all(|n| n.recipient.is_empty() && n.status != "pending"));
        assert!(stored_digest(&store, case.id).await.is_some(), "kept for storage");
        let again = store.personal_request(case.id, PersonalRequest::Correct { petitioner: person(), reason: "再次更正".into() }, reg()).await;
        assert!(matches!(again, Err(StoreError::Domain(DomainError::AlreadyDone(_)))), "{again:?}");
        // A closed case past its retention period is erased: the record is gone, the chain holds.
        let closed = register(&store, &c, "路灯不亮").await;
        store.act(closed.id, Command::Forward { to_unit: c.dept }, reg()).await.unwrap();
        let dept = || Who::Officer(c.dept_handler.clone());
        store.act(closed.id, Command::Accept, dept()).await.unwrap();
        c.issue(&store, closed.id, Command::Reply { outcome: Outcome::Support, text: "已修复".into() }, dept()).await.unwrap();
        store.clock().advance(Duration::days(31));
        store.close_lapsed().await.unwrap();
        assert_eq!(store.case(closed.id).await.unwrap().unwrap().status, CaseStatus::Closed);
        let early = store.personal_request(closed.id, erase.clone(), reg()).await.unwrap();
        assert_eq!(early.personal.standing, PersonalStanding::Restricted, "retention still runs");
        store.clock().advance(Duration::days(366 * 5));
        let erased = store.personal_request(closed.id, erase.clone(), reg()).await.unwrap();
        assert_eq!(erased.personal.standing, PersonalStanding::Erased);
        let sealed: Option<Vec<u8>> = sqlx::query("SELECT sealed FROM petitioners WHERE case_id = $1")
            .bind(closed.id.0).fetch_one(store.pool()).await.unwrap().try_get("sealed").unwrap();
        assert!(sealed.is_none(), "the record is removed");
        let gone = store.personal_request(closed.id, erase, reg()).await;
        assert!(matches!(gone, Err(StoreError::Domain(DomainError::AlreadyDone(_)))), "{gone:?}");
        intact(&store).await;
    }

    async fn the_key_must_be_the_databases(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        register(&store, &c, "拖欠工资").await;
        let id = store.personal_keys().current_id().to_string();
        store.close().await;
        let other = Keyring::generate().to_text();
        let hex = other.lines().last().unwrap().split(' ').nth(1).unwrap().to_string();
        let wrong = Store::open(&db.url, Settings { personal_key: KeySource::Hex(hex), ..Settings::default() }).await;
        match wrong {
            Err(StoreError::Config(m)) => assert!(m.contains(&id), "{m}"),
            other => panic!("opened with another key: {:?}", other.map(|_| ())),
        }
        let missing = std::env::temp_dir().join(format!("xinfang-missing-{id}.key"));
        let wrong = Store::open(&db.url, Settings { personal_key: KeySource::File(missing.clone()), ..Settings::default() }).await;
        assert!(matches!(wrong, Err(StoreError::Config(_))), "no new key for a database with data");
        assert!(!missing.exists());
    }

    async fn a_database_from_before_the_petitioner_store_moves_into_it(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let first = register(&store, &c, "拖欠工资").await;
        store.act(first.id, Command::Forward { to_unit: c.dept }, Who::Officer(c.registrar.clone())).await.unwrap();
        let second = register(&store, &c, "噪音扰民").await;
        let leader = store.actor(c.city_handler.person).await.unwrap().unwrap();
        let arrange = Arrange { kind: SessionKind::Reception, unit: c.city, date: store.clock().today() + Duration::days(3), leader };
        let session = store.create::<Session>(arrange, &c.registrar).await.unwrap();
        let book = SessionCommand::Book { name: "赵大娘".into(), phone: "13600136000".into(), matter: "低保".into() };
        store.act_on(session.id, book, &c.registrar).await.unwrap();
        let old_head = make_legacy(&store).await;
        assert!(records_text(&store).await.contains("13600136000"), "the old layout holds the booking in the clear");
        assert!(raw_text(&store).await.contains(PHONE), "the old layout holds the data in the clear");
        assert!(matches!(store.verify_chain().await.unwrap(), Verdict::Intact { .. }), "the old chain holds");
        // A checkpoint signed on the old log.
        let signing = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let dir = tempfile::tempdir().unwrap();
        store.write_checkpoint(dir.path(), &signing, xinfang_store::checkpoint::Kind::Periodic).await.unwrap();
        store.close().await;

        let store = open(&db).await;
        assert_nothing_in_clear(&raw_text(&store).await, &[NAME, PHONE, ID_NUMBER, ADDRESS, EMAIL, "13600136000", "赵大娘"]);
        assert_nothing_in_clear(&records_text(&store).await, &["13600136000", "赵大娘"]);
        let read = store.get(session.id).await.unwrap().unwrap();
        assert_eq!((read.appointments[0].name.as_str(), read.appointments[0].phone.as_str()), ("赵大娘", "13600136000"));
        if db.backend == Backend::Sqlite {
            // Not in the file's free pages either, nor in its write-ahead log.
            let file = db.url.trim_start_matches("sqlite://").split('?').next().unwrap().to_string();
            for f in [file.clone(), format!("{file}-wal")] {
                let bytes = std::fs::read(&f).unwrap_or_default();
                assert!(!bytes.windows(PHONE.len()).any(|w| w == PHONE.as_bytes()), "{f} holds the phone");
            }
        }
        intact(&store).await;
        for id in [first.id, second.id] {
            assert_eq!(store.case(id).await.unwrap().unwrap().petitioner, person());
        }
        let mut hits = found(&store, &c, by_phone(PHONE)).await;
        hits.sort();
        assert_eq!(hits, vec![first.id.0, second.id.0]);
        let reanchors = store.reanchors().await.unwrap();
        assert_eq!(reanchors.len(), 1);
        assert_eq!(reanchors[0].old_head, old_head);
        let findings = store.check_against(dir.path(), &signing.verifying_key()).await.unwrap();
        assert!(findings.iter().all(|f| !f.is_tampering()), "the old checkpoint holds: {findings:?}");
        assert!(store.notices_of(first.id.0).await.unwrap().iter().any(|n| n.recipient == PHONE));
        // Opening again finds nothing left to move.
        store.close().await;
        let store = open(&db).await;
        assert_eq!(store.reanchors().await.unwrap().len(), 1);
        intact(&store).await;
    }
}

async fn records_text(store: &Store) -> String {
    let mut out = String::new();
    for r in sqlx::query("SELECT state FROM records")
        .fetch_all(store.pool())
        .await
        .unwrap()
    {
        out.push_str(&r.try_get::<String, _>("state").unwrap());
    }
    out
}

/// Turns the store's tables back into the layout before the petitioner store, as that version
/// wrote them (the data in the case rows, the state, the registrations and the outbox, the
/// chain computed over those), and returns the old head.
async fn make_legacy(store: &Store) -> String {
    let pool = store.pool();
    let cases = sqlx::query("SELECT id FROM cases")
        .fetch_all(pool)
        .await
        .unwrap();
    for r in cases {
        let id: i64 = r.try_get("id").unwrap();
        let mut full = store.case(CaseId(id)).await.unwrap().unwrap();
        full.personal = Default::default();
        sqlx::query(
            "UPDATE cases SET state = $1, name_tag = $2, phone_tag = $3, id_tag = $4 WHERE id = $5",
        )
        .bind(serde_json::to_string(&full).unwrap().into_bytes())
        .bind(full.petitioner.name.as_bytes().to_vec())
        .bind(
            full.petitioner
                .phone
                .as_ref()
                .map(|p| p.as_bytes().to_vec()),
        )
        .bind(
            full.petitioner
                .id_number
                .as_ref()
                .map(|p| p.as_bytes().to_vec()),
        )
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query("INSERT INTO legacy_personal (case_id) VALUES ($1)")
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
    let mut notices = Vec::new();
    for n in sqlx::query("SELECT DISTINCT case_id FROM outbox")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        notices.extend(
            store
                .notices_of(n.try_get("case_id").unwrap())
                .await
                .unwrap(),
        );
    }
    for n in notices {
        sqlx::query("UPDATE outbox SET recipient = $1 WHERE id = $2")
            .bind(n.recipient)
            .bind(n.id)
            .execute(pool)
            .await
            .unwrap();
    }
    sqlx::query("DELETE FROM petitioners")
        .execute(pool)
        .await
        .unwrap();
    let mut sessions = std::collections::HashMap::new();
    for r in sqlx::query("SELECT id FROM records WHERE kind = 'reception_session'")
        .fetch_all(pool)
        .await
        .unwrap()
    {
        let id: i64 = r.try_get("id").unwrap();
        let full = store.get(SessionId(id)).await.unwrap().unwrap();
        let json = serde_json::to_string(&full).unwrap();
        sqlx::query("UPDATE records SET state = $1 WHERE id = $2")
            .bind(&json)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("INSERT INTO legacy_record_personal (record_id) VALUES ($1)")
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        sessions.insert(id, json);
    }
    sqlx::query("DELETE FROM record_personal")
        .execute(pool)
        .await
        .unwrap();
    xinfang_store::testing::set_append_only(store, false).await;
    let rows = sqlx::query("SELECT seq, case_id, kind, payload, actor_kind, actor_id, unit_id, at FROM events ORDER BY seq")
        .fetch_all(pool).await.unwrap();
    let mut prev = xinfang_store::chain::GENESIS.to_string();
    for r in rows {
        let mut ev = EventRow {
            seq: r.try_get("seq").unwrap(),
            case_id: r.try_get("case_id").unwrap(),
            kind: r.try_get("kind").unwrap(),
            payload: xinfang_store::packed::unpack(r.try_get("payload").unwrap()).unwrap(),
            actor_kind: r.try_get("actor_kind").unwrap(),
            actor_id: r.try_get("actor_id").unwrap(),
            unit_id: r.try_get("unit_id").unwrap(),
            at: r.try_get("at").unwrap(),
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        if ev.case_id.is_none() && ev.payload.starts_with(r#"{"record":"#) {
            let v: serde_json::Value = serde_json::from_str(&ev.payload).unwrap();
            if let Some(full) = sessions.get(&v["record"].as_i64().unwrap()) {
                // Before the store, a record's event held its whole state, names included.
                ev.payload = format!(
                    r#"{{"record":{},"kind":"reception_session","state":{full}}}"#,
                    v["record"]
                );
            }
        }
        if ev.kind == "registered" {
            let full = store
                .case(CaseId(ev.case_id.unwrap()))
                .await
                .unwrap()
                .unwrap();
            let Event::Registered(logged) = serde_json::from_str::<Event>(&ev.payload).unwrap()
            else {
                unreachable!()
            };
            let mut old = *logged;
            old.put_personal_data(full.personal_data());
            old.personal = Default::default();
            ev.payload = serde_json::to_string(&Event::Registered(Box::new(old))).unwrap();
        }
        ev.hash = ev.compute_hash();
        sqlx::query("UPDATE events SET payload = $1, hash = $2 WHERE seq = $3")
            .bind(ev.payload.clone().into_bytes())
            .bind(hex::decode(&ev.hash).unwrap())
            .bind(ev.seq)
            .execute(pool)
            .await
            .unwrap();
        prev = ev.hash;
    }
    xinfang_store::testing::set_append_only(store, true).await;
    prev
}

/// Puts the look-up tags back as migration 0031 found them, hex text, and forgets the migration.
async fn tags_as_hex(store: &Store, backend: Backend) {
    let pool = store.pool();
    let columns = ["name_tag", "phone_tag", "id_tag"];
    if backend == Backend::Postgres {
        for c in columns {
            sqlx::query(AssertSqlSafe(format!(
                "ALTER TABLE cases ALTER COLUMN {c} TYPE text USING encode({c}, 'hex')"
            )))
            .execute(pool)
            .await
            .unwrap();
        }
    } else {
        // The columns are BLOB now; SQLite keeps the hex text in them as text, as 0031 found it.
        for c in columns {
            sqlx::query(AssertSqlSafe(format!(
                "UPDATE cases SET {c} = lower(hex({c})) WHERE {c} IS NOT NULL"
            )))
            .execute(pool)
            .await
            .unwrap();
        }
    }
    sqlx::query("DELETE FROM _sqlx_migrations WHERE version = 31")
        .execute(pool)
        .await
        .unwrap();
}

both_backends! {
    async fn tags_kept_as_hex_before_migration_0031_still_find_the_petitioner(db: TestDb) {
        let store = open(&db).await;
        let c = small_city(&store).await;
        let case = register(&store, &c, "拖欠工资").await;
        let mut no_phone = letter("路灯不亮");
        no_phone.petitioner = Petitioner { name: "张三".into(), ..Petitioner::default() };
        let no_phone = store.register(no_phone, Who::Officer(c.registrar.clone()), c.office).await.unwrap();
        tags_as_hex(&store, db.backend).await;
        let hex_phone: String = sqlx::query("SELECT phone_tag AS t FROM cases WHERE id = $1")
            .bind(case.id.0).fetch_one(store.pool()).await.unwrap().try_get("t").unwrap();
        assert_eq!(hex_phone.len(), 32, "hex text before the migration");
        store.close().await;

        let store = open(&db).await;
        let tag: Vec<u8> = sqlx::query("SELECT phone_tag AS t FROM cases WHERE id = $1")
            .bind(case.id.0).fetch_one(store.pool()).await.unwrap().try_get("t").unwrap();
        assert_eq!(hex::encode(&tag), hex_phone, "the same tag, as its 16 bytes");
        assert_eq!(found(&store, &c, by_phone(PHONE)).await, vec![case.id.0]);
        assert_eq!(found(&store, &c, CaseFilter { petitioner_name: Some(NAME.into()), ..Default::default() }).await, vec![case.id.0]);
        assert_eq!(found(&store, &c, CaseFilter { petitioner_id_number: Some(ID_NUMBER.into()), ..Default::default() }).await, vec![case.id.0]);
        let none: Option<Vec<u8>> = sqlx::query("SELECT phone_tag AS t FROM cases WHERE id = $1")
            .bind(no_phone.id.0).fetch_one(store.pool()).await.unwrap().try_get("t").unwrap();
        assert_eq!(none, None, "no phone, no tag");
        let name = CaseFilter { petitioner_name: Some("张三".into()), ..Default::default() };
        assert_eq!(found(&store, &c, name).await, vec![no_phone.id.0]);
        // A case registered after the migration is found alongside.
        let again = register(&store, &c, "噪音扰民").await;
        let mut both = found(&store, &c, by_phone(PHONE)).await;
        both.sort();
        assert_eq!(both, vec![case.id.0, again.id.0]);
        intact(&store).await;
    }
}
