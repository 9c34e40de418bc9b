//! Fresh databases for tests: a new SQLite file, or a new PostgreSQL database on the server named
//! by `XINFANG_TEST_PG` (default `postgres://postgres@127.0.0.1:5432/postgres`). Both are removed
//! when the guard drops. Tests that need PostgreSQL fail, rather than skip, when it is missing.

use rand::Rng;
use sqlx::{AnyConnection, Connection, Executor};

use crate::Backend;

pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Database { admin_url: String, name: String },
}

pub fn admin_pg_url() -> String {
    std::env::var("XINFANG_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{:x}",
        std::process::id(),
        rand::rng().random::<u64>()
    )
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        sqlx::any::install_default_drivers();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("{}.db", unique("xinfang_test")));
                TestDb {
                    url: format!("sqlite://{}", path.display()),
                    backend,
                    cleanup: Cleanup::File(path),
                }
            }
            Backend::Postgres => TestDb::postgres("").await,
        }
    }

    /// A PostgreSQL database whose text sorts by an ICU locale (e.g. `en-US-u-ka-shifted`,
    /// which ignores punctuation), for rules that must not depend on the database's collation.
    pub async fn postgres_with_icu_locale(locale: &str) -> TestDb {
        sqlx::any::install_default_drivers();
        TestDb::postgres(&format!(
            "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{locale}' LOCALE 'C.UTF-8'"
        ))
        .await
    }

    async fn postgres(options: &str) -> TestDb {
        let admin_url = admin_pg_url();
        let name = unique("xf_test");
        let mut conn = AnyConnection::connect(&admin_url).await.unwrap_or_else(|e| {
            panic!("PostgreSQL is needed for the storage tests ({admin_url}): {e}. Run .ci/run, which starts it.")
        });
        conn.execute(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {name} {options}"
        )))
        .await
        .expect("create test database");
        let base = admin_url
            .rsplit_once('/')
            .map(|(b, _)| b.to_string())
            .unwrap_or(admin_url.clone());
        TestDb {
            url: format!("{base}/{name}"),
            backend: Backend::Postgres,
            cleanup: Cleanup::Database { admin_url, name },
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm", ".key"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            Cleanup::Database { admin_url, name } => {
                let _ = std::fs::remove_file(format!("xinfang-{name}.key"));
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Drop runs outside any runtime we may block; use a thread with its own.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        let mut conn = AnyConnection::connect(&admin_url).await.ok()?;
                        conn.execute(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .await
                        .ok()
                    })
                })
                .join();
            }
        }
    }
}

/// Runs the same async test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both_backends {
    ($(async fn $name:ident($db:ident: TestDb) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn run($db: $crate::testing::TestDb) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::testing::TestDb::new($crate::Backend::Sqlite).await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run($crate::testing::TestDb::new($crate::Backend::Postgres).await).await
                }
            }
        )*
    };
}

/// A small city for tests: a government at the top, its petition office, a department, two towns
/// with a village, and a discipline commission, and above it (external) the province's
/// government and 纪检监察 body; one officer per role that tests need.
pub struct SmallCity {
    pub city: xinfang_domain::UnitId,
    pub office: xinfang_domain::UnitId,
    pub dept: xinfang_domain::UnitId,
    pub town: xinfang_domain::UnitId,
    pub village: xinfang_domain::UnitId,
    pub other_town: xinfang_domain::UnitId,
    pub discipline: xinfang_domain::UnitId,
    pub province: xinfang_domain::UnitId,
    pub province_discipline: xinfang_domain::UnitId,
    pub registrar: xinfang_domain::Actor,
    pub dept_handler: xinfang_domain::Actor,
    pub dept_head: xinfang_domain::Actor,
    pub town_handler: xinfang_domain::Actor,
    pub other_town_handler: xinfang_domain::Actor,
    pub city_handler: xinfang_domain::Actor,
    pub discipline_handler: xinfang_domain::Actor,
    /// A second city leader: signs what the first (`city_handler`) drafts.
    pub leader: xinfang_domain::Actor,
    /// The petition office's supervisor (督查): assesses every unit of the city.
    pub supervisor: xinfang_domain::Actor,
    pub admin: xinfang_domain::Actor,
}

impl SmallCity {
    /// Signs the case's pending draft as the first head or leader who may (the department's
    /// head, the city's leader, the second city leader): how every written opinion goes out.
    pub async fn sign(
        &self,
        store: &crate::Store,
        id: xinfang_domain::CaseId,
    ) -> Result<xinfang_domain::Case, crate::StoreError> {
        let mut refused = None;
        for signer in [&self.dept_head, &self.city_handler, &self.leader] {
            let who = crate::Who::Officer(signer.clone());
            match store.act(id, xinfang_domain::Command::Approve, who).await {
                Ok(case) => return Ok(case),
                Err(e) => refused = Some(e),
            }
        }
        Err(refused.expect("three signers tried"))
    }

    /// A written opinion drafted by `by` and signed ([`SmallCity::sign`]); the command's own
    /// result when it drafted nothing (a body above the deployment's opinion is entered as given).
    pub async fn issue(
        &self,
        store: &crate::Store,
        id: xinfang_domain::CaseId,
        cmd: xinfang_domain::Command,
        by: crate::Who,
    ) -> Result<xinfang_domain::Case, crate::StoreError> {
        let case = store.act(id, cmd, by).await?;
        match &case.draft {
            Some(d) if d.pending() => self.sign(store, id).await,
            _ => Ok(case),
        }
    }
}

/// The password of every [`SmallCity`] account.
pub const TEST_PASSWORD: &str = "test-password";

pub async fn small_city(store: &crate::Store) -> SmallCity {
    use xinfang_domain::{Role, UnitKind};
    let sys = || crate::Who::System;
    let unit = |parent, name: &'static str, kind| async move {
        store
            .create_unit(parent, name, kind, sys())
            .await
            .expect("create unit")
    };
    let city = unit(None, "测试市", UnitKind::Government).await;
    let office = unit(Some(city), "测试市信访局", UnitKind::PetitionOffice).await;
    let dept = unit(Some(city), "测试市住房和城乡建设局", UnitKind::Department).await;
    let town = unit(Some(city), "东城镇", UnitKind::Town).await;
    let village = unit(Some(town), "东城镇前进村", UnitKind::Village).await;
    let other_town = unit(Some(city), "西山镇", UnitKind::Town).await;
    let discipline = unit(Some(city), "测试市纪委监委", UnitKind::Discipline).await;
    let external = |parent, name: &'static str, kind| async move {
        store
            .create_external_unit(parent, name, kind, sys())
            .await
            .expect("create external unit")
    };
    let province = external(None, "测试省人民政府", UnitKind::Government).await;
    let province_discipline =
        external(Some(province), "测试省纪委监委", UnitKind::Discipline).await;
    let hash = crate::auth::hash_password(TEST_PASSWORD);
    let person = |username: &'static str, unit, roles: &'static [Role]| {
        let hash = hash.clone();
        async move {
            let id = store
                .create_person(username, username, unit, roles, hash, sys())
                .await
                .expect("create person");
            store.actor(id).await.expect("actor").expect("actor exists")
        }
    };
    SmallCity {
        registrar: person("registrar", office, &[Role::Registrar, Role::Handler]).await,
        dept_handler: person("dept_handler", dept, &[Role::Handler]).await,
        dept_head: person("dept_head", dept, &[Role::Handler, Role::UnitHead]).await,
        town_handler: person("town_handler", town, &[Role::Handler, Role::UnitHead]).await,
        other_town_handler: person(
            "other_town_handler",
            other_town,
            &[Role::Handler, Role::UnitHead],
        )
        .await,
        city_handler: person(
            "city_handler",
            city,
            &[Role::Handler, Role::UnitHead, Role::Leader],
        )
        .await,
        discipline_handler: person(
            "discipline_handler",
            discipline,
            &[Role::Handler, Role::UnitHead],
        )
        .await,
        admin: person("admin", city, &[Role::Admin]).await,
        leader: person("leader", city, &[Role::Leader]).await,
        supervisor: person("supervisor", office, &[Role::Supervisor]).await,
        city,
        office,
        dept,
        town,
        village,
        other_town,
        discipline,
        province,
        province_discipline,
    }
}

/// A plain letter from a citizen, for tests.
pub fn letter(title: &str) -> xinfang_domain::NewCase {
    xinfang_domain::NewCase {
        channel: xinfang_domain::Channel::Letter,
        title: title.to_string(),
        content: format!("{title}，请求有关部门依法处理。"),
        petitioner: xinfang_domain::Petitioner {
            name: "李四".into(),
            phone: Some("13912345678".into()),
            id_number: Some("11010519491231002X".into()),
            address: Some("东城镇前进村5组".into()),
            email: None,
        },
        category: Some("城乡建设".into()),
        region: Some("东城镇".into()),
        collective: None,
        is_report: false,
        class: None,
        accused_kind: None,
        accused_unit: None,
        skip_level: false,
        received_on: None,
        repeat_of: None,
        attachments: Vec::new(),
    }
}

/// Logs in and returns the session's token and officer; panics when the login is not let in.
pub async fn login(
    store: &crate::Store,
    username: &str,
    password: &str,
) -> (String, xinfang_domain::Actor) {
    match store.login(username, password, "127.0.0.1").await {
        Ok(crate::accounts::LoginOutcome::In { token, actor, .. }) => (token, actor),
        Ok(_) => panic!("{username} was not let in"),
        Err(e) => panic!("login {username}: {e}"),
    }
}

/// A letter registered by the city's petition office and forwarded to `to`.
pub async fn forwarded_letter(
    store: &crate::Store,
    city: &SmallCity,
    title: &str,
    to: xinfang_domain::UnitId,
) -> xinfang_domain::Case {
    let registrar = || crate::Who::Officer(city.registrar.clone());
    let case = store
        .register(letter(title), registrar(), city.office)
        .await
        .expect("register");
    store
        .act(
            case.id,
            xinfang_domain::Command::Forward { to_unit: to },
            registrar(),
        )
        .await
        .expect("forward")
}

/// Lifts (`on = false`) or restores the log's append-only triggers, as the store's one-time
/// moves do, for a test that rewrites rows into an older form.
pub async fn set_append_only(store: &crate::Store, on: bool) {
    let mut conn = store.pool().acquire().await.expect("a connection");
    crate::personal::legacy::set_append_only(&mut conn, store.backend(), on)
        .await
        .expect("the append-only triggers changed");
}

/// One letter a title, each as [`forwarded_letter`] makes it, forwarded to the department: a
/// short history with the events a backup or a repack has to carry.
pub async fn forwarded_letters(
    store: &crate::Store,
    city: &SmallCity,
    titles: &[&str],
) -> Vec<xinfang_domain::Case> {
    let mut cases = Vec::new();
    for title in titles {
        cases.push(forwarded_letter(store, city, title, city.dept).await);
    }
    cases
}
