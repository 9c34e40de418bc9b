//! The fields a row may fill (their names are the contract of `--map` and mapping files) and how
//! a column is recognised by its header.

use std::collections::BTreeMap;

use crate::ImportError;
use crate::normalise::{Tables, header_key};

macro_rules! targets {
    ($($variant:ident => ($code:literal, $label:literal, [$($synonym:literal),* $(,)?])),* $(,)?) => {
        /// A field of an imported case.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Target { $($variant),* }

        impl Target {
            pub const ALL: &'static [Target] = &[$(Target::$variant),*];

            /// The stable name used in `--map` and mapping files.
            pub fn code(self) -> &'static str {
                match self { $(Target::$variant => $code),* }
            }

            /// The field's name for people.
            pub fn label(self) -> &'static str {
                match self { $(Target::$variant => $label),* }
            }

            /// Headers registers use for it (compared without spaces and line breaks).
            pub fn synonyms(self) -> &'static [&'static str] {
                match self { $(Target::$variant => &[$($synonym),*]),* }
            }

            pub fn from_code(code: &str) -> Option<Target> {
                Self::ALL.iter().copied().find(|t| t.code() == code.trim())
            }
        }
    };
}

targets! {
    SourceId => ("source_id", "原系统编号", ["工单编号", "工单号", "原编号", "流水号", "受理编号", "信件编号", "来信编号", "留言编号", "编号", "id", "序号"]),
    CaseNo => ("case_no", "信访件编号", ["信访件编号", "信访编号", "案件编号", "事项编号"]),
    ReceivedAt => ("received_at", "登记时间", ["登记时间", "时间", "来电时间", "来信时间", "受理时间", "提交时间", "留言时间", "信访日期", "登记日期", "日期", "反映时间"]),
    Channel => ("channel", "渠道", ["来源", "信息来源", "渠道", "来源渠道", "信访形式", "信访方式", "受理渠道"]),
    PetitionerName => ("petitioner_name", "信访人", ["信访人", "姓名", "来电人", "来信人", "留言人", "反映人", "联系人", "信访人姓名", "留言用户"]),
    PetitionerPhone => ("petitioner_phone", "联系电话", ["联系电话", "电话", "手机", "手机号", "来电号码", "联系方式"]),
    PetitionerIdNumber => ("petitioner_id_number", "身份证号", ["身份证号", "身份证号码", "证件号码", "公民身份号码"]),
    Address => ("address", "住址", ["住址", "地址", "联系地址", "家庭住址"]),
    Region => ("region", "地区", ["地区", "区域", "所属区域", "问题属地", "属地", "所属地区", "乡镇", "乡镇街道"]),
    Category => ("category", "分类", ["分类", "类别", "问题分类", "诉求分类", "事项分类", "内容分类", "一级分类", "一级标签"]),
    Kind => ("kind", "诉求类型", ["诉求类型", "来电类型", "工单类型", "类型", "性质", "诉求性质"]),
    Title => ("title", "标题", ["标题", "主题", "诉求标题", "留言主题", "信件标题", "事项标题"]),
    Content => ("content", "内容", ["内容", "诉求内容", "投诉件内容", "留言详情", "留言内容", "来电内容", "信访内容", "主要内容", "反映内容", "问题描述"]),
    HeadCount => ("head_count", "人数", ["人数", "来访人数", "信访人数"]),
    Unit => ("unit", "办理单位", ["办理单位", "承办单位", "责任单位", "处理单位", "答复单位", "转办单位"]),
    Reply => ("reply", "答复意见", ["回复", "答复意见", "答复", "回复1", "答复内容", "办理结果", "处理结果", "回复意见", "答复情况"]),
    RepliedAt => ("replied_at", "答复时间", ["答复时间", "回复时间", "办结时间", "答复日期", "回复日期", "办结日期"]),
    Status => ("status", "状态", ["状态", "办理状态", "工单状态", "处理状态"]),
    Satisfaction => ("satisfaction", "满意度", ["满意度", "评价", "满意度评价", "回访结果", "群众评价"]),
}

/// Which column each field is taken from (0-based), as guessed from the headers and changed by
/// hand or by a mapping file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mapping {
    pub columns: BTreeMap<Target, usize>,
}

impl Mapping {
    /// Recognises the headers: each field takes the first column whose header is one of its
    /// synonyms (or its own code or label, as `xinfang export` writes); each column serves one
    /// field.
    pub fn guess(headers: &[String]) -> Mapping {
        let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
        let mut columns = BTreeMap::new();
        let mut taken = vec![false; headers.len()];
        for t in Target::ALL {
            let names: Vec<String> = [t.code(), t.label()]
                .into_iter()
                .chain(t.synonyms().iter().copied())
                .map(header_key)
                .collect();
            // The field's own words first: 编号 is a source id only when nothing better names it.
            for name in &names {
                if let Some(i) = (0..keys.len()).find(|i| !taken[*i] && keys[*i] == *name) {
                    columns.insert(*t, i);
                    taken[i] = true;
                    break;
                }
            }
        }
        Mapping { columns }
    }

    /// Applies `header=field` pairs (`--map 标题=title`): the named column serves the field.
    pub fn apply(
        &mut self,
        headers: &[String],
        pairs: &[(String, String)],
    ) -> Result<(), ImportError> {
        for (header, field) in pairs {
            let target = Target::from_code(field).ok_or_else(|| {
                ImportError::Mapping(format!(
                    "“{field}”不是可导入的字段（可用：{}）",
                    Target::ALL
                        .iter()
                        .map(|t| t.code())
                        .collect::<Vec<_>>()
                        .join("、")
                ))
            })?;
            let key = header_key(header);
            let column = headers
                .iter()
                .position(|h| header_key(h) == key)
                .ok_or_else(|| ImportError::Mapping(format!("文件中没有“{header}”这一列")))?;
            self.columns.retain(|_, c| *c != column);
            self.columns.insert(target, column);
        }
        Ok(())
    }

    /// Reads a mapping file: `[columns]` with `field = "header"` lines.
    pub fn pairs_from_toml(text: &str) -> Result<Vec<(String, String)>, ImportError> {
        #[derive(serde::Deserialize)]
        struct File {
            #[serde(default)]
            columns: BTreeMap<String, String>,
        }
        let f: File =
            toml::from_str(text).map_err(|e| ImportError::Mapping(format!("映射文件：{e}")))?;
        Ok(f.columns
            .into_iter()
            .map(|(field, header)| (header, field))
            .collect())
    }

    pub fn column(&self, t: Target) -> Option<usize> {
        self.columns.get(&t).copied()
    }

    /// The `[columns]` part of a mapping file that gives this mapping for `headers`.
    pub fn to_toml(&self, headers: &[String]) -> String {
        let mut out = String::from("[columns]\n");
        for (t, c) in &self.columns {
            if let Some(h) = headers.get(*c) {
                out.push_str(&format!("{} = {}\n", t.code(), toml_string(h)));
            }
        }
        out
    }
}

/// A mapping file read against a sheet: the guess, changed by the file's columns, and the
/// file's value tables.
pub struct Plan {
    pub mapping: Mapping,
    pub tables: Tables,
    /// Headers the file names that this sheet lacks (kept from last month's file, say).
    pub absent: Vec<String>,
}

impl Plan {
    /// Reads `text` (a mapping file's TOML; empty for the guess alone). With `strict`, a header
    /// the sheet lacks is an error; otherwise it is listed in `absent`.
    pub fn read(headers: &[String], text: &str, strict: bool) -> Result<Plan, ImportError> {
        let mut mapping = Mapping::guess(headers);
        let pairs = Mapping::pairs_from_toml(text)?;
        let mut absent = Vec::new();
        for pair in pairs {
            let known = headers.iter().any(|h| header_key(h) == header_key(&pair.0));
            if known || strict {
                mapping.apply(headers, std::slice::from_ref(&pair))?;
            } else {
                absent.push(pair.0);
            }
        }
        let tables = Tables::from_toml(text).map_err(ImportError::Mapping)?;
        Ok(Plan {
            mapping,
            tables,
            absent,
        })
    }
}

/// The part of a mapping file beside its `[columns]`: the value tables, as TOML.
pub fn values_part(text: &str) -> Result<String, ImportError> {
    let mut table: toml::Table =
        toml::from_str(text).map_err(|e| ImportError::Mapping(format!("映射文件：{e}")))?;
    table.remove("columns");
    if table.is_empty() {
        return Ok(String::new());
    }
    toml::to_string(&table).map_err(|e| ImportError::Mapping(e.to_string()))
}

/// `s` as a TOML basic string.
fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn headers_are_recognised_by_their_usual_names_whatever_the_spacing() {
        let headers = h(&[
            "序号",
            " 诉求\n标题 ",
            "诉求内容",
            "信息来源",
            "来电时间",
            "回复1",
            "工单编号",
        ]);
        let m = Mapping::guess(&headers);
        assert_eq!(m.column(Target::Title), Some(1));
        assert_eq!(m.column(Target::Content), Some(2));
        assert_eq!(m.column(Target::Channel), Some(3));
        assert_eq!(m.column(Target::ReceivedAt), Some(4));
        assert_eq!(m.column(Target::Reply), Some(5));
        // 工单编号 names the source id better than 序号.
        assert_eq!(m.column(Target::SourceId), Some(6));
    }

    #[test]
    fn a_mapping_by_hand_or_by_file_overrides_the_guess() {
        let headers = h(&["主题", "详情", "渠道"]);
        let mut m = Mapping::guess(&headers);
        assert_eq!(m.column(Target::Content), None);
        m.apply(&headers, &[("详情".into(), "content".into())])
            .unwrap();
        assert_eq!(m.column(Target::Content), Some(1));
        let pairs = Mapping::pairs_from_toml("[columns]\ntitle = \"渠道\"\n").unwrap();
        m.apply(&headers, &pairs).unwrap();
        assert_eq!(
            (m.column(Target::Title), m.column(Target::Channel)),
            (Some(2), None),
            "one field a column"
        );
        assert!(
            m.apply(&headers, &[("详情".into(), "nonsense".into())])
                .is_err()
        );
        assert!(
            m.apply(&headers, &[("没有".into(), "title".into())])
                .is_err()
        );
    }

    #[test]
    fn a_kept_mapping_reads_back_and_tolerates_a_missing_column_unless_strict() {
        let headers = h(&["主题", "详情", "渠道 ", "备注"]);
        let mut m = Mapping::guess(&headers);
        m.apply(&headers, &[("详情".into(), "content".into())])
            .unwrap();
        let values = "[values.channel]\n\"微博\" = \"online\"\n";
        let text = format!("{}{values}", m.to_toml(&headers));
        let plan = Plan::read(&headers, &text, true).unwrap();
        assert_eq!(plan.mapping, m, "the mapping comes back as it was kept");
        assert_eq!(
            plan.tables.channel.get("微博").map(String::as_str),
            Some("online")
        );
        assert!(plan.absent.is_empty());
        assert_eq!(values_part(&text).unwrap().trim(), values.trim());
        // Next month's file lost a column: the rest of the mapping still applies.
        let next = h(&["主题", "详情"]);
        let plan = Plan::read(&next, &text, false).unwrap();
        assert_eq!(plan.mapping.column(Target::Content), Some(1));
        assert_eq!(plan.absent, ["渠道 "]);
        assert!(Plan::read(&next, &text, true).is_err());
        assert!(Plan::read(&next, "[columns]\ntitle = 1", false).is_err());
    }
}
