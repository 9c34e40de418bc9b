//! Values as registers write them, to the values of a case: channels, ratings, states, kinds,
//! units and categories, by tables an office may extend in its mapping file (`[values.channel]`
//! …). A value no table knows falls back to a default and is reported as a warning.

use std::collections::BTreeMap;

use xinfang_domain::vocab::PetitionClass;
use xinfang_domain::{Channel, OrgChart, Rating, UnitId, taxonomy};

/// A header as compared: no spaces or line breaks anywhere, Latin letters lower-case.
pub fn header_key(h: &str) -> String {
    h.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{feff}')
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a register said the case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// 已办结, 已答复, 已回复, 已完成 …
    Done,
    /// 办理中, 待处理, 已受理 …
    Open,
}

const CHANNELS: &[(&str, Channel)] = &[
    ("网站", Channel::Online),
    ("网上", Channel::Online),
    ("网上信访", Channel::Online),
    ("政务网", Channel::Online),
    ("网络", Channel::Online),
    ("微信", Channel::Online),
    ("app", Channel::Online),
    ("小程序", Channel::Online),
    ("留言板", Channel::Online),
    ("领导信箱", Channel::Online),
    ("电话", Channel::Phone),
    ("12345", Channel::Phone),
    ("热线", Channel::Phone),
    ("来电", Channel::Phone),
    ("来信", Channel::Letter),
    ("信件", Channel::Letter),
    ("书信", Channel::Letter),
    ("来访", Channel::Visit),
    ("走访", Channel::Visit),
    ("上访", Channel::Visit),
    ("电子邮件", Channel::Email),
    ("邮件", Channel::Email),
    ("email", Channel::Email),
    ("视频", Channel::Video),
];

const RATINGS: &[(&str, Rating)] = &[
    ("满意", Rating::Satisfied),
    ("非常满意", Rating::Satisfied),
    ("很满意", Rating::Satisfied),
    ("基本满意", Rating::Basically),
    ("比较满意", Rating::Basically),
    ("一般", Rating::Basically),
    ("不满意", Rating::Dissatisfied),
    ("非常不满意", Rating::Dissatisfied),
];

const STANDINGS: &[(&str, Standing)] = &[
    ("已办结", Standing::Done),
    ("办结", Standing::Done),
    ("已答复", Standing::Done),
    ("已回复", Standing::Done),
    ("已完成", Standing::Done),
    ("完成", Standing::Done),
    ("已归档", Standing::Done),
    ("归档", Standing::Done),
    ("已处理", Standing::Done),
    ("办理中", Standing::Open),
    ("处理中", Standing::Open),
    ("待处理", Standing::Open),
    ("待办", Standing::Open),
    ("已受理", Standing::Open),
    ("已转办", Standing::Open),
    ("已交办", Standing::Open),
];

/// The tables, the built-in ones extended (and overridden) by the office's own.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub channel: BTreeMap<String, String>,
    pub satisfaction: BTreeMap<String, String>,
    pub status: BTreeMap<String, String>,
    pub kind: BTreeMap<String, String>,
    /// Names and short names of units, to the unit's full name.
    pub unit: BTreeMap<String, String>,
    /// Categories as the register names them, to a taxonomy code or "大类/小类".
    pub category: BTreeMap<String, String>,
}

/// A value the tables did not know: the default taken, for the warnings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unknown(pub String);

impl Tables {
    /// `[values.channel]`, `[values.satisfaction]` … of a mapping file (Chinese keys quoted, as
    /// TOML wants: `"微博" = "online"`).
    pub fn from_toml(text: &str) -> Result<Tables, String> {
        #[derive(serde::Deserialize, Default)]
        struct File {
            #[serde(default)]
            values: Values,
        }
        #[derive(serde::Deserialize, Default)]
        struct Values {
            #[serde(default)]
            channel: BTreeMap<String, String>,
            #[serde(default)]
            satisfaction: BTreeMap<String, String>,
            #[serde(default)]
            status: BTreeMap<String, String>,
            #[serde(default)]
            kind: BTreeMap<String, String>,
            #[serde(default)]
            unit: BTreeMap<String, String>,
            #[serde(default)]
            category: BTreeMap<String, String>,
        }
        let f: File = toml::from_str(text).map_err(|e| format!("映射文件：{e}"))?;
        let v = f.values;
        let keyed =
            |m: BTreeMap<String, String>| m.into_iter().map(|(k, v)| (header_key(&k), v)).collect();
        Ok(Tables {
            channel: keyed(v.channel),
            satisfaction: keyed(v.satisfaction),
            status: keyed(v.status),
            kind: keyed(v.kind),
            unit: keyed(v.unit),
            category: keyed(v.category),
        })
    }

    /// The channel a value names; online (the usual source of exports) when none matches.
    pub fn channel(&self, value: &str) -> Result<Channel, Unknown> {
        let k = header_key(value);
        if let Some(c) = self.channel.get(&k).and_then(|c| Channel::from_code(c)) {
            return Ok(c);
        }
        if let Some(c) = Channel::from_code(&k) {
            return Ok(c);
        }
        // Longest known word inside the value: "市长热线12345" → phone.
        CHANNELS
            .iter()
            .filter(|(w, _)| k.contains(&header_key(w)))
            .max_by_key(|(w, _)| w.chars().count())
            .map(|(_, c)| *c)
            .ok_or(Unknown(value.trim().to_string()))
    }

    /// The rating a value gives; none for an empty cell, unknown for anything else.
    pub fn satisfaction(&self, value: &str) -> Result<Option<Rating>, Unknown> {
        let k = header_key(value);
        if k.is_empty() || k == "未评价" || k == "无" {
            return Ok(None);
        }
        if let Some(r) = self.satisfaction.get(&k).and_then(|r| Rating::from_code(r)) {
            return Ok(Some(r));
        }
        RATINGS
            .iter()
            .find(|(w, _)| header_key(w) == k)
            .map(|(_, r)| Some(*r))
            .or_else(|| Rating::from_code(&k).map(Some))
            .ok_or(Unknown(value.trim().to_string()))
    }

    /// How the case stands; none for an empty cell.
    pub fn status(&self, value: &str) -> Result<Option<Standing>, Unknown> {
        let k = header_key(value);
        if k.is_empty() {
            return Ok(None);
        }
        let own = self.status.get(&k).and_then(|s| match s.as_str() {
            "done" | "closed" => Some(Standing::Done),
            "open" => Some(Standing::Open),
            _ => None,
        });
        own.or_else(|| STANDINGS.iter().find(|(w, _)| *w == k).map(|(_, s)| *s))
            .map(Some)
            .ok_or(Unknown(value.trim().to_string()))
    }

    /// The class a kind of call is (12345's 建议/投诉/求助/举报/咨询); `Ok(None)` for 咨询, which
    /// is answered, not a petition.
    pub fn kind(&self, value: &str) -> Result<Option<PetitionClass>, Unknown> {
        let k = header_key(value);
        if let Some(c) = self.kind.get(&k) {
            return match c.as_str() {
                "consultation" => Ok(None),
                c => PetitionClass::from_code(c)
                    .map(Some)
                    .ok_or(Unknown(value.trim().to_string())),
            };
        }
        if k == "咨询" {
            return Ok(None);
        }
        PetitionClass::from_hotline_kind(&k)
            .map(Some)
            .ok_or(Unknown(value.trim().to_string()))
    }

    /// The unit a name or short name means: the office's table, then the org chart's names
    /// (exact, then the one unit whose name holds the value, e.g. 住建局 in 清河市住房和城乡建设局
    /// only through the table).
    pub fn unit(&self, value: &str, org: &OrgChart) -> Result<UnitId, Unknown> {
        let k = header_key(value);
        let name = self
            .unit
            .get(&k)
            .cloned()
            .unwrap_or_else(|| value.trim().to_string());
        let key = header_key(&name);
        let units: Vec<_> = org.units().filter(|u| !u.external).collect();
        if let Some(u) = units.iter().find(|u| header_key(&u.name) == key) {
            return Ok(u.id);
        }
        let holding: Vec<_> = units
            .iter()
            .filter(|u| !key.is_empty() && header_key(&u.name).contains(&key))
            .collect();
        match holding[..] {
            [u] => Ok(u.id),
            _ => Err(Unknown(value.trim().to_string())),
        }
    }

    /// The taxonomy category a register's category names: the office's table, a code, a path or a
    /// group, or a leaf by its own name.
    pub fn category(&self, value: &str) -> Result<String, Unknown> {
        let k = header_key(value);
        let given = self
            .category
            .get(&k)
            .cloned()
            .unwrap_or_else(|| value.trim().to_string());
        if let Some(c) = taxonomy::resolve(&given) {
            return Ok(c);
        }
        let leaves: Vec<_> = taxonomy::CATEGORIES
            .iter()
            .filter(|c| header_key(c.name) == header_key(&given))
            .collect();
        match leaves[..] {
            [c] => Ok(c.path()),
            _ => Err(Unknown(value.trim().to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_ratings_states_and_kinds_read_as_registers_write_them() {
        let t = Tables::default();
        assert_eq!(t.channel("网上信访"), Ok(Channel::Online));
        assert_eq!(t.channel(" 市长热线12345 "), Ok(Channel::Phone));
        assert_eq!(t.channel("微信"), Ok(Channel::Online));
        assert_eq!(t.channel("来访"), Ok(Channel::Visit));
        assert_eq!(t.channel("letter"), Ok(Channel::Letter));
        assert_eq!(t.channel("飞鸽传书"), Err(Unknown("飞鸽传书".into())));
        assert_eq!(t.satisfaction("基本满意"), Ok(Some(Rating::Basically)));
        assert_eq!(t.satisfaction(""), Ok(None));
        assert!(t.satisfaction("还行吧").is_err());
        assert_eq!(t.status("已办结"), Ok(Some(Standing::Done)));
        assert_eq!(t.status("办理中"), Ok(Some(Standing::Open)));
        assert_eq!(t.kind("咨询"), Ok(None));
        assert_eq!(t.kind("投诉"), Ok(Some(PetitionClass::Claim)));
        assert_eq!(t.kind("举报"), Ok(Some(PetitionClass::Report)));
    }

    #[test]
    fn an_offices_own_table_extends_and_overrides_the_built_in_one() {
        let t = Tables::from_toml(
            "[values.channel]\n\"微博\" = \"online\"\n\"来电\" = \"letter\"\n[values.category]\n\"欠薪\" = \"ldsb-qxgz\"\n",
        )
        .unwrap();
        assert_eq!(t.channel("微博"), Ok(Channel::Online));
        assert_eq!(t.channel("来电"), Ok(Channel::Letter));
        assert_eq!(t.category("欠薪"), Ok("劳动和社会保障/拖欠工资".into()));
        assert_eq!(
            t.category("拖欠工资"),
            Ok("劳动和社会保障/拖欠工资".into()),
            "a leaf by its name"
        );
        assert_eq!(t.category("劳动和社会保障"), Ok("劳动和社会保障".into()));
        assert!(t.category("其他杂项").is_err());
        assert!(Tables::from_toml("[values\n").is_err());
    }

    #[test]
    fn headers_compare_without_spaces_line_breaks_or_case() {
        assert_eq!(header_key(" 诉求\n 内容 "), "诉求内容");
        assert_eq!(header_key("\u{feff}ID"), "id");
    }
}
