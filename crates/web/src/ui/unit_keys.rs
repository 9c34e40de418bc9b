//! What the unit picker finds a unit by besides its name: the short names officers type (住建,
//! 人社, 发改, 市监 …) and the pinyin initials of the name and of those short names.

use pinyin::ToPinyin;

/// Parts of official names and the short forms officers use for them.
const SHORT_NAMES: &[(&str, &[&str])] = &[
    ("住房和城乡建设", &["住建"]),
    ("人力资源和社会保障", &["人社"]),
    ("发展和改革", &["发改"]),
    ("市场监督管理", &["市监", "市场监管"]),
    ("自然资源", &["自然资源", "资规", "国土"]),
    ("生态环境", &["生态", "环保"]),
    ("卫生健康", &["卫健"]),
    ("交通运输", &["交通", "交运"]),
    ("城市管理", &["城管"]),
    ("纪委监委", &["纪委", "监委", "纪检"]),
    ("政法委员会", &["政法委"]),
    ("农业农村", &["农业", "农委"]),
    ("应急管理", &["应急"]),
    ("文化和旅游", &["文旅"]),
    ("退役军人事务", &["退役军人"]),
    ("医疗保障", &["医保"]),
    ("工业和信息化", &["工信"]),
    ("科学技术", &["科技"]),
    ("住房公积金", &["公积金"]),
    ("人民政府", &["政府"]),
    ("信访局", &["信访"]),
];

/// The pinyin initials of the Chinese characters of `text`, lower-case (others dropped).
pub fn initials(text: &str) -> String {
    text.to_pinyin()
        .flatten()
        .filter_map(|p| p.plain().chars().next())
        .collect()
}

/// The picker's search keys of a unit named `name`, space-separated: short names (also with the
/// name's last character: 住建局), and the initials of the name and of each short form.
pub fn keys(name: &str) -> String {
    let last: String = name.chars().last().map(String::from).unwrap_or_default();
    let mut keys: Vec<String> = Vec::new();
    let mut add = |k: String| {
        if !k.is_empty() && !keys.contains(&k) {
            keys.push(k);
        }
    };
    for (part, shorts) in SHORT_NAMES {
        if name.contains(part) {
            for s in *shorts {
                add(s.to_string());
                add(format!("{s}{last}"));
                add(initials(&format!("{s}{last}")));
            }
        }
    }
    add(initials(name));
    keys.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_department_is_found_by_its_short_name_and_initials() {
        let k = keys("清河市住房和城乡建设局");
        for want in ["住建", "住建局", "zjj", "qhszfhcxjsj"] {
            assert!(k.split(' ').any(|x| x == want), "{want} not in {k}");
        }
        let k = keys("清河市人力资源和社会保障局");
        assert!(k.contains("人社") && k.contains("rsj"), "{k}");
        assert!(keys("清河市市场监督管理局").contains("市监局"));
        assert_eq!(keys("西山镇"), "xsz");
    }
}
