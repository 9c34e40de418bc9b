//! Units and people of the demo city.

use xinfang_domain::{Actor, Role, UnitId, UnitKind};
use xinfang_store::{Store, StoreError, Who};

/// Every demo account's password (demo mode only).
pub const DEMO_PASSWORD: &str = "xinfang-demo";

pub struct Department {
    pub unit: UnitId,
    pub code: &'static str,
    pub handler: Actor,
    pub head: Actor,
}

pub struct Town {
    pub unit: UnitId,
    pub name: &'static str,
    pub handler: Actor,
    pub head: Actor,
    pub villages: Vec<(UnitId, &'static str, Option<Actor>)>,
}

pub struct DemoCity {
    pub city: UnitId,
    pub office: UnitId,
    pub discipline: Department,
    pub political_legal: Department,
    pub departments: Vec<Department>,
    pub towns: Vec<Town>,
    pub registrar: Actor,
    pub office_handler: Actor,
    pub leader: Actor,
    /// A second city leader: signs what the first drafts.
    pub deputy_leader: Actor,
    /// (username, name, unit, roles) of every account, for printing.
    pub accounts: Vec<(String, String, String, Vec<Role>)>,
}

pub const DEPARTMENTS: &[(&str, &str)] = &[
    ("zjj", "清河市住房和城乡建设局"),
    ("rsj", "清河市人力资源和社会保障局"),
    ("zrj", "清河市自然资源局"),
    ("sthj", "清河市生态环境局"),
    ("gaj", "清河市公安局"),
    ("jyj", "清河市教育局"),
    ("wjw", "清河市卫生健康委员会"),
    ("jtj", "清河市交通运输局"),
    ("scj", "清河市市场监督管理局"),
    ("mzj", "清河市民政局"),
    ("cgj", "清河市城市管理局"),
];

pub const TOWNS: &[(&str, &str, [&str; 3])] = &[
    (
        "chengguan",
        "城关街道",
        ["城关街道人民路社区", "城关街道新华社区", "城关街道河滨社区"],
    ),
    (
        "donghu",
        "东湖镇",
        ["东湖镇湖滨村", "东湖镇柳岸村", "东湖镇新桥村"],
    ),
    (
        "xishan",
        "西山镇",
        ["西山镇石门村", "西山镇枫林村", "西山镇茶园村"],
    ),
    (
        "nanling",
        "南岭镇",
        ["南岭镇岭下村", "南岭镇白沙村", "南岭镇龙潭村"],
    ),
    (
        "beihe",
        "北河镇",
        ["北河镇河口村", "北河镇双塘村", "北河镇杨树村"],
    ),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: &[&str] = &[
    "建国", "秀英", "伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
    "涛", "明", "超", "霞", "平",
];

fn officer_name(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i * 7 + 3) % GIVEN.len()]
    )
}

struct Builder<'a> {
    store: &'a Store,
    hash: String,
    count: usize,
    accounts: Vec<(String, String, String, Vec<Role>)>,
}

impl Builder<'_> {
    async fn unit(
        &self,
        parent: Option<UnitId>,
        name: &str,
        kind: UnitKind,
    ) -> Result<UnitId, StoreError> {
        self.store
            .create_unit(parent, name, kind, Who::System)
            .await
    }

    async fn person(
        &mut self,
        username: &str,
        unit: UnitId,
        unit_name: &str,
        roles: &[Role],
    ) -> Result<Actor, StoreError> {
        let name = officer_name(self.count);
        self.count += 1;
        let id = self
            .store
            .create_person(username, &name, unit, roles, self.hash.clone(), Who::System)
            .await?;
        self.accounts.push((
            username.to_string(),
            name,
            unit_name.to_string(),
            roles.to_vec(),
        ));
        self.store
            .actor(id)
            .await?
            .ok_or(StoreError::NotFound("人员"))
    }

    async fn department(
        &mut self,
        parent: UnitId,
        code: &'static str,
        name: &str,
        kind: UnitKind,
    ) -> Result<Department, StoreError> {
        let unit = self.unit(Some(parent), name, kind).await?;
        Ok(Department {
            unit,
            code,
            handler: self
                .person(&format!("{code}_handler"), unit, name, &[Role::Handler])
                .await?,
            head: self
                .person(
                    &format!("{code}_head"),
                    unit,
                    name,
                    &[Role::Handler, Role::UnitHead],
                )
                .await?,
        })
    }
}

/// Creates the units and accounts (the store must be empty).
pub async fn build_city(store: &Store) -> Result<DemoCity, StoreError> {
    let hash = xinfang_store::auth::hash_password(DEMO_PASSWORD);
    let mut b = Builder {
        store,
        hash,
        count: 0,
        accounts: Vec::new(),
    };
    let city = b.unit(None, "清河市", UnitKind::Government).await?;
    let admin = b.person("admin", city, "清河市", &[Role::Admin]).await?;
    let leader = b
        .person(
            "leader",
            city,
            "清河市",
            &[Role::Leader, Role::UnitHead, Role::Handler],
        )
        .await?;
    let deputy_leader = b
        .person("deputy_leader", city, "清河市", &[Role::Leader])
        .await?;
    let committee = b
        .unit(Some(city), "中共清河市委员会", UnitKind::PartyCommittee)
        .await?;
    b.person("sw_leader", committee, "中共清河市委员会", &[Role::Leader])
        .await?;
    let office = b
        .unit(Some(city), "清河市信访局", UnitKind::PetitionOffice)
        .await?;
    let registrar = b
        .person(
            "registrar",
            office,
            "清河市信访局",
            &[Role::Registrar, Role::Handler],
        )
        .await?;
    b.person("registrar2", office, "清河市信访局", &[Role::Registrar])
        .await?;
    let office_handler = b
        .person(
            "xfj_handler",
            office,
            "清河市信访局",
            &[Role::Handler, Role::Registrar],
        )
        .await?;
    b.person(
        "xfj_head",
        office,
        "清河市信访局",
        &[Role::UnitHead, Role::Handler, Role::Supervisor],
    )
    .await?;
    b.person("supervisor", office, "清河市信访局", &[Role::Supervisor])
        .await?;
    let discipline = b
        .department(city, "jw", "清河市纪委监委", UnitKind::Discipline)
        .await?;
    let political_legal = b
        .department(
            city,
            "zfw",
            "中共清河市委政法委员会",
            UnitKind::PoliticalLegal,
        )
        .await?;
    let mut departments = Vec::new();
    for (code, name) in DEPARTMENTS {
        departments.push(b.department(city, code, name, UnitKind::Department).await?);
    }
    let mut towns = Vec::new();
    for (code, name, villages) in TOWNS {
        let unit = b.unit(Some(city), name, UnitKind::Town).await?;
        let handler = b
            .person(
                &format!("{code}_handler"),
                unit,
                name,
                &[Role::Handler, Role::Registrar],
            )
            .await?;
        let head = b
            .person(
                &format!("{code}_head"),
                unit,
                name,
                &[Role::Handler, Role::UnitHead],
            )
            .await?;
        b.person(&format!("{code}_leader"), unit, name, &[Role::Leader])
            .await?;
        let mut vs = Vec::new();
        for (i, v) in villages.iter().enumerate() {
            let vid = b.unit(Some(unit), v, UnitKind::Village).await?;
            for g in 1..=2 {
                b.unit(
                    Some(vid),
                    &format!("{v}第{g}村民小组"),
                    UnitKind::VillageGroup,
                )
                .await?;
            }
            let officer = if i == 0 {
                Some(
                    b.person(
                        &format!("{code}_v{}_handler", i + 1),
                        vid,
                        v,
                        &[Role::Handler],
                    )
                    .await?,
                )
            } else {
                None
            };
            vs.push((vid, *v, officer));
        }
        towns.push(Town {
            unit,
            name,
            handler,
            head,
            villages: vs,
        });
    }
    let _ = admin;
    // The bodies above the city (清河 is a prefecture-level city in a province): 复核 of the
    // city's own 复查 goes there, and so do reports that accuse the city's leadership.
    let province = b
        .store
        .create_external_unit(None, "江川省人民政府", UnitKind::Government, Who::System)
        .await?;
    for (name, kind) in [
        ("江川省信访局", UnitKind::PetitionOffice),
        ("江川省纪委监委", UnitKind::Discipline),
    ] {
        b.store
            .create_external_unit(Some(province), name, kind, Who::System)
            .await?;
    }
    Ok(DemoCity {
        city,
        office,
        discipline,
        political_legal,
        departments,
        towns,
        registrar,
        office_handler,
        leader,
        deputy_leader,
        accounts: b.accounts,
    })
}

impl DemoCity {
    pub fn department(&self, code: &str) -> &Department {
        self.departments
            .iter()
            .find(|d| d.code == code)
            .unwrap_or(&self.departments[0])
    }
}
