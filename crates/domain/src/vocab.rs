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
    /// The outcome of a reply or review opinion (处理意见).
    Outcome {
        Support => ("support", "支持"),
        Explain => ("explain", "解释说明"),
        NotSupport => ("not_support", "不予支持"),
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
