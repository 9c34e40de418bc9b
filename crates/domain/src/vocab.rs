//! The shared vocabulary of petition work: how a petition came in, what an opinion concluded,
//! how the petitioner rated it, which legal channel a matter belongs to, and the files handed
//! in. A leaf: case, command, event and policy all speak it and it imports none of them.

use serde::{Deserialize, Serialize};

/// An enum with a stable code (API and database) and a Chinese label for each variant.
macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// Stable code, as in the API and the database.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// Chinese label for people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),* }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }
        }
    };
}

labelled_enum!(
    /// How a petition came in.
    Channel {
        Letter => ("letter", "来信"),
        Visit => ("visit", "来访"),
        Phone => ("phone", "电话"),
        Online => ("online", "网上"),
        Email => ("email", "电子邮件"),
        Video => ("video", "视频"),
    }
);

pub(crate) use labelled_enum;

labelled_enum!(
    /// The three classes of what people raise (条例 第十四条 and 第三十条–第三十五条), each
    /// handled its own way (DESIGN.md §4).
    PetitionClass {
        Suggestion => ("suggestion", "建议意见类"),
        Report => ("report", "检举控告类"),
        Claim => ("claim", "申诉求决类"),
    }
);

// labelled_enum! makes the enum, so #[default] cannot be put on a variant.
#[allow(clippy::derivable_impls)]
impl Default for PetitionClass {
    /// What every case was before classes were recorded (reports aside).
    fn default() -> Self {
        PetitionClass::Claim
    }
}

impl PetitionClass {
    /// The outcomes an opinion or answer of this class may conclude.
    pub fn outcomes(self) -> &'static [Outcome] {
        match self {
            PetitionClass::Claim => &[Outcome::Support, Outcome::Explain, Outcome::NotSupport],
            PetitionClass::Suggestion => &[
                Outcome::Adopted,
                Outcome::PartlyAdopted,
                Outcome::NotAdopted,
            ],
            PetitionClass::Report => &[
                Outcome::Substantiated,
                Outcome::PartlySubstantiated,
                Outcome::Unsubstantiated,
            ],
        }
    }
}

/// Words that name a report of wrongdoing (举报) in a petition's text.
const REPORT_WORDS: &[&str] = &[
    "举报",
    "检举",
    "控告",
    "贪污",
    "受贿",
    "索贿",
    "行贿",
    "挪用",
    "侵吞",
    "违纪",
    "渎职",
    "吃拿卡要",
    "以权谋私",
];
/// Words of a suggestion (建议), and words of a demand that make it a claim all the same.
const SUGGESTION_WORDS: &[&str] = &["建议", "提议", "倡议", "献计", "意见建议"];
const DEMAND_WORDS: &[&str] = &[
    "投诉", "要求", "请求", "诉求", "讨薪", "拖欠", "赔偿", "维权", "求助", "解决",
];

impl PetitionClass {
    /// The class a petition's words suggest, for the registrar to confirm or change: words of
    /// a report make a report; words of a suggestion without a demand, a suggestion; anything
    /// else a claim (the hotline's own words map the same way, see [`Self::from_hotline_kind`]).
    pub fn suggest(title: &str, content: &str) -> PetitionClass {
        let has = |words: &[&str]| {
            words
                .iter()
                .any(|w| title.contains(w) || content.contains(w))
        };
        if has(REPORT_WORDS) {
            PetitionClass::Report
        } else if has(SUGGESTION_WORDS) && !has(DEMAND_WORDS) {
            PetitionClass::Suggestion
        } else {
            PetitionClass::Claim
        }
    }

    /// The class of a hotline's kind of call (12345: 建议, 投诉, 求助, 举报, 咨询): none for
    /// 咨询, which is answered, not accepted as a petition.
    pub fn from_hotline_kind(kind: &str) -> Option<PetitionClass> {
        match kind.trim() {
            "建议" | "意见" | "意见建议" => Some(PetitionClass::Suggestion),
            "举报" | "检举" | "控告" | "检举控告" => Some(PetitionClass::Report),
            "投诉" | "求助" | "求决" | "申诉" | "诉求" => Some(PetitionClass::Claim),
            _ => None,
        }
    }
}

labelled_enum!(
    /// Whom a report (检举控告) accuses: officials or public bodies go to 纪检监察, others (a
    /// polluting firm, a fraudulent shop) to the competent regulator.
    AccusedKind {
        Official => ("official", "公职人员或公权力机关"),
        Other => ("other", "企业、其他组织或个人"),
    }
);

#[allow(clippy::derivable_impls)]
impl Default for AccusedKind {
    fn default() -> Self {
        AccusedKind::Official
    }
}

impl AccusedKind {
    pub fn is_official(&self) -> bool {
        *self == AccusedKind::Official
    }
}

labelled_enum!(
    /// The outcome of a reply or review opinion (处理意见), of a suggestion's answer (采纳), or
    /// of a report's handling (查处结果); [`PetitionClass::outcomes`] says which fit which class.
    Outcome {
        Support => ("support", "支持"),
        Explain => ("explain", "解释说明"),
        NotSupport => ("not_support", "不予支持"),
        Adopted => ("adopted", "采纳"),
        PartlyAdopted => ("partly_adopted", "部分采纳"),
        NotAdopted => ("not_adopted", "不予采纳"),
        Substantiated => ("substantiated", "反映属实"),
        PartlySubstantiated => ("partly_substantiated", "部分属实"),
        Unsubstantiated => ("unsubstantiated", "反映不实"),
    }
);

labelled_enum!(
    /// The petitioner's evaluation.
    Rating {
        Satisfied => ("satisfied", "满意"),
        Basically => ("basically", "基本满意"),
        Dissatisfied => ("dissatisfied", "不满意"),
    }
);

labelled_enum!(
    /// Legal channels a petitioner is redirected to (导入法定途径).
    LegalChannel {
        Litigation => ("litigation", "诉讼"),
        Arbitration => ("arbitration", "仲裁"),
        AdministrativeReconsideration => ("administrative_reconsideration", "行政复议"),
        Other => ("other", "其他法定途径"),
    }
);

impl LegalChannel {
    /// The standard wording of the redirect notice.
    pub fn standard_wording(self) -> String {
        format!(
            "您反映的事项依法应当通过{}途径解决，请您向有关机关提出。根据《信访工作条例》第三十一条，信访部门不予受理，特此告知。",
            self.label()
        )
    }
}

/// A file handed in with a petition; its bytes are kept by the store under `sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    pub name: String,
    pub media_type: String,
    pub size: u64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// At most this many files per petition.
pub const MAX_ATTACHMENTS: usize = 5;
/// At most this many bytes per file.
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_words_suggest_a_class() {
        use PetitionClass::*;
        assert_eq!(PetitionClass::suggest("举报某局长收受红包", "……"), Report);
        assert_eq!(
            PetitionClass::suggest("关于增设公交线路的建议", "建议在新区增开一条公交线路"),
            Suggestion
        );
        // A suggestion that demands something for the petitioner is a claim.
        assert_eq!(
            PetitionClass::suggest("建议", "拖欠工资三个月，要求公司支付"),
            Claim
        );
        assert_eq!(
            PetitionClass::suggest("小区噪音扰民", "夜间施工噪音大"),
            Claim
        );
        assert_eq!(PetitionClass::from_hotline_kind("建议"), Some(Suggestion));
        assert_eq!(PetitionClass::from_hotline_kind(" 举报 "), Some(Report));
        assert_eq!(PetitionClass::from_hotline_kind("求助"), Some(Claim));
        assert_eq!(PetitionClass::from_hotline_kind("咨询"), None);
    }

    #[test]
    fn every_outcome_belongs_to_one_class() {
        for o in Outcome::ALL {
            let owners = PetitionClass::ALL
                .iter()
                .filter(|c| c.outcomes().contains(o))
                .count();
            assert_eq!(owners, 1, "{o:?}");
        }
    }
}
