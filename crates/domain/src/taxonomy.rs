//! The category tree of petition matters (two levels, "大类/小类"), used by the intake forms, the
//! public portal and Open311 `services`. Codes are stable: they are what other systems send.

/// One leaf category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Category {
    /// Stable machine code, e.g. `ldsb-qxgz`.
    pub code: &'static str,
    /// First level, e.g. 劳动和社会保障.
    pub group: &'static str,
    /// Second level, e.g. 拖欠工资.
    pub name: &'static str,
    /// What belongs here, for citizens choosing it.
    pub description: &'static str,
}

impl Category {
    /// The case's `category` text: "大类/小类".
    pub fn path(&self) -> String {
        format!("{}/{}", self.group, self.name)
    }
}

macro_rules! categories {
    ($(($code:literal, $group:literal, $name:literal, $desc:literal)),* $(,)?) => {
        &[$(Category { code: $code, group: $group, name: $name, description: $desc }),*]
    };
}

/// The built-in tree.
/// When [`CATEGORIES`] last changed (Open311's discovery `changeset` follows it): change this
/// with the table.
pub const CHANGED: &str = "2026-11-22T00:00:00+08:00";

pub const CATEGORIES: &[Category] = categories![
    (
        "ldsb-qxgz",
        "劳动和社会保障",
        "拖欠工资",
        "用人单位拖欠、克扣劳动报酬"
    ),
    (
        "ldsb-shbx",
        "劳动和社会保障",
        "社会保险",
        "养老、医疗、失业、工伤保险的缴纳与待遇"
    ),
    (
        "ldsb-ldht",
        "劳动和社会保障",
        "劳动合同",
        "劳动合同签订、解除与经济补偿"
    ),
    (
        "cxjs-wygl",
        "城乡建设",
        "物业管理",
        "物业服务、物业收费、业主委员会"
    ),
    (
        "cxjs-fwzl",
        "城乡建设",
        "房屋质量",
        "商品房质量、交房与保修"
    ),
    ("cxjs-gck", "城乡建设", "拖欠工程款", "建设工程款项拖欠"),
    (
        "cxjs-cqbq",
        "城乡建设",
        "拆迁安置",
        "房屋征收、拆迁补偿与安置"
    ),
    (
        "gtzy-zdbc",
        "国土资源",
        "征地补偿",
        "集体土地征收及补偿款分配"
    ),
    ("gtzy-zjd", "国土资源", "宅基地", "宅基地审批、确权与纠纷"),
    ("csgl-wzjz", "城市管理", "违章建筑", "违法建设、私搭乱建"),
    (
        "csgl-srhj",
        "城市管理",
        "市容环境",
        "占道经营、垃圾清运、市容秩序"
    ),
    (
        "hjbh-zs",
        "环境保护",
        "噪声污染",
        "施工、商业、交通噪声扰民"
    ),
    ("hjbh-szw", "环境保护", "水污染", "企业排污、河道污染"),
    ("hjbh-yy", "环境保护", "油烟废气", "餐饮油烟、工业废气"),
    ("jtys-ggjt", "交通运输", "公共交通", "公交线路、站点与服务"),
    ("jtys-dlwx", "交通运输", "道路维修", "道路破损、设施维护"),
    ("nyny-tdcb", "农村农业", "土地承包", "土地承包经营权与流转"),
    (
        "nyny-cwgk",
        "农村农业",
        "村务公开",
        "村务、财务公开与村干部作风"
    ),
    (
        "wsjk-ylju",
        "卫生健康",
        "医疗纠纷",
        "医疗服务、医疗事故与收费"
    ),
    ("jywt-rx", "教育文体", "入学", "入学、转学与学位分配"),
    (
        "jywt-pxjg",
        "教育文体",
        "培训机构",
        "校外培训机构退费与管理"
    ),
    ("mz-db", "民政", "低保", "最低生活保障与社会救助"),
    ("mz-ylfw", "民政", "养老服务", "养老机构与居家养老服务"),
    ("smly-yfk", "商贸旅游", "预付卡", "预付卡消费与退费"),
    ("smly-spaq", "商贸旅游", "食品安全", "食品生产经营安全"),
    ("zf-za", "政法", "治安", "社会治安与公共安全"),
    ("zf-sfss", "政法", "涉法涉诉", "已进入诉讼、仲裁程序的事项"),
    (
        "jjjc-jjkg",
        "纪检监察",
        "检举控告",
        "检举、控告公职人员违纪违法"
    ),
    ("qt-qt", "其他", "其他", "以上未列出的事项"),
];

pub fn by_code(code: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| c.code == code)
}

/// The category whose "大类/小类" text this is.
pub fn by_path(path: &str) -> Option<&'static Category> {
    CATEGORIES.iter().find(|c| {
        path.split_once('/')
            .is_some_and(|(g, n)| g == c.group && n == c.name)
    })
}

/// The category text a given code or label path stands for: a leaf's code (`cxjs-wygl`) or
/// path (`城乡建设/物业管理`) gives the leaf's path, a group's name (`城乡建设`) the group. None for
/// anything else, so that statistics by category do not drift.
pub fn resolve(given: &str) -> Option<String> {
    let given = given.trim();
    if let Some(c) = by_code(given).or_else(|| by_path(given)) {
        return Some(c.path());
    }
    groups()
        .into_iter()
        .find(|g| *g == given)
        .map(str::to_string)
}

/// An optional category as a form or file gives it: `None` when blank, the taxonomy's text
/// ([`resolve`]) when known, else a refusal naming `field`.
pub fn resolve_field(
    field: &'static str,
    given: Option<&str>,
) -> Result<Option<String>, crate::error::DomainError> {
    match given.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => resolve(c).map(Some).ok_or_else(|| {
            crate::error::DomainError::invalid(field, format!("分类目录中没有“{c}”"))
        }),
        None => Ok(None),
    }
}

/// What a case without a category is listed as, for the sorting desk to classify.
pub const UNCLASSIFIED: &str = "未分类";

/// The first-level groups in order.
pub fn groups() -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for c in CATEGORIES {
        if !out.contains(&c.group) {
            out.push(c.group);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_paths_round_trip() {
        for (i, c) in CATEGORIES.iter().enumerate() {
            assert!(
                CATEGORIES[i + 1..].iter().all(|d| d.code != c.code),
                "{}",
                c.code
            );
            assert_eq!(by_code(c.code), Some(c));
            assert_eq!(by_path(&c.path()), Some(c));
        }
        assert_eq!(by_code("nope"), None);
        assert_eq!(groups()[0], "劳动和社会保障");
    }
}
