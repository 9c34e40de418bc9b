//! The knowledge base (#19): policy documents, questions and answers, and reply templates by
//! category. Administrators write and revise entries; each version is approved by another
//! administrator or a leader before it is offered (four eyes); the approved version stays in
//! force while a revision waits. Approved Q&A marked public is the portal's FAQ, once it holds
//! no phone or identity number. Pure.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, text};
use crate::ids::{KnowledgeId, UnitId};
use crate::org::{Actor, OrgChart, Role};
use crate::record::{Change, Columns, Record, RecordCtx, RecordOf, Signed};
use crate::taxonomy;
use crate::vocab::labelled_enum;

/// The log's events of the knowledge base.
pub const EVENTS: [&str; 2] = ["knowledge_created", "knowledge_changed"];

labelled_enum!(
    EntryKind {
        Policy => ("policy", "政策文件"),
        Qa => ("qa", "问答"),
        Template => ("template", "答复模板"),
    }
);

/// An entry as an administrator writes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct EntryInput {
    pub kind: EntryKind,
    /// The document's title, the question, or the template's name (up to 200 characters).
    pub title: String,
    /// The text, the answer, or the template (placeholders `{信访人}`, `{事项}`, `{日期}`,
    /// `{登记日期}`, `{单位}`, `{依据}`); up to 20,000 characters.
    pub body: String,
    /// A group (`城乡建设`), a leaf (`城乡建设/物业管理`) or a leaf's code.
    #[serde(default)]
    pub category: Option<String>,
    /// The law or document it rests on (up to 500 characters).
    #[serde(default)]
    pub basis: String,
    /// A Q&A shown to citizens on the portal once approved.
    #[serde(default)]
    pub public: bool,
}

/// One version's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Content {
    pub title: String,
    pub body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub basis: String,
    pub public: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Approved {
    pub version: u32,
    pub content: Content,
    pub signed: Signed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KnowledgeEntry {
    pub id: KnowledgeId,
    pub kind: EntryKind,
    /// The latest version (awaiting approval when `pending`).
    pub latest: Content,
    pub version: u32,
    pub pending: bool,
    /// The version in force: offered at the reply form, searched, shown on the portal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved: Option<Approved>,
    /// Withdrawn (停用): kept, offered nowhere.
    pub withdrawn: bool,
    /// Who wrote the pending version (may not approve it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_by: Option<crate::ids::PersonId>,
    pub history: Vec<Change>,
    pub kept_by: UnitId,
}

impl KnowledgeEntry {
    /// The content in force, unless withdrawn.
    pub fn in_force(&self) -> Option<&Content> {
        (!self.withdrawn)
            .then_some(self.approved.as_ref())
            .flatten()
            .map(|a| &a.content)
    }

    /// Shown to citizens: approved, public, a Q&A.
    pub fn on_portal(&self) -> Option<&Content> {
        self.in_force()
            .filter(|c| c.public && self.kind == EntryKind::Qa)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum EntryCommand {
    /// A new version (administrators); it waits for approval, the approved one stays in force.
    Revise { entry: EntryInput },
    /// Approves the pending version (another administrator or a leader).
    Approve,
    /// 停用.
    Withdraw,
    /// 恢复.
    Restore,
}

impl RecordOf for KnowledgeId {
    type Record = KnowledgeEntry;
}

fn checked(input: &EntryInput) -> Result<Content, DomainError> {
    let title = text("title", "标题", &input.title, 200)?;
    let body = text("body", "正文", &input.body, 20_000)?;
    let category = taxonomy::resolve_field("category", input.category.as_deref())?;
    let basis = match input.basis.trim() {
        "" => String::new(),
        b => text("basis", "依据", b, 500)?,
    };
    if input.public && input.kind != EntryKind::Qa {
        return Err(DomainError::invalid("public", "只有问答可以在门户公开"));
    }
    Ok(Content {
        title,
        body,
        category,
        basis,
        public: input.public,
    })
}

/// A phone or identity number in `text`: runs of 11 digits starting with 1, or of 17 digits
/// and a check character (the citizens' data an FAQ must not carry).
pub fn personal_number_in(text: &str) -> Option<&'static str> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run = i - start;
            let tail_x = i < chars.len() && matches!(chars[i], 'X' | 'x');
            if run == 18 || (run == 17 && tail_x) {
                return Some("身份证号");
            }
            if run == 11 && chars[start] == '1' {
                return Some("手机号");
            }
        } else {
            i += 1;
        }
    }
    None
}

/// Who approves versions, and so sees every entry with its pending versions: administrators
/// (another than the writer) and leaders.
pub fn may_approve(actor: &Actor) -> bool {
    actor.has_any(&[Role::Admin, Role::Leader])
}

fn admin<'a>(ctx: &RecordCtx<'a>) -> Result<&'a Actor, DomainError> {
    let by = ctx.officer("只有管理员可以维护知识库")?;
    if by.has(Role::Admin) {
        Ok(by)
    } else {
        Err(DomainError::Forbidden("只有管理员可以维护知识库"))
    }
}

impl KnowledgeEntry {
    fn changed(mut self, what: &str, ctx: &RecordCtx) -> KnowledgeEntry {
        self.history.push(Change {
            version: self.version,
            what: what.into(),
            signed: Signed::of(ctx.by, ctx.today),
        });
        self
    }
}

impl Record for KnowledgeEntry {
    const KIND: &'static str = "knowledge";
    const NAME: &'static str = "知识库条目";
    type Id = KnowledgeId;
    type New = EntryInput;
    type Command = EntryCommand;

    fn create(
        id: KnowledgeId,
        input: &EntryInput,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let by = admin(ctx)?;
        let entry = KnowledgeEntry {
            id,
            kind: input.kind,
            latest: checked(input)?,
            version: 1,
            pending: true,
            approved: None,
            withdrawn: false,
            written_by: Some(by.person),
            history: Vec::new(),
            kept_by: by.unit,
        }
        .changed("新建", ctx);
        Ok((entry, EVENTS[0]))
    }

    fn decide(
        &self,
        cmd: &EntryCommand,
        ctx: &RecordCtx,
    ) -> Result<(Self, &'static str), DomainError> {
        let illegal = |status, action| Err(DomainError::IllegalTransition { status, action });
        let next = match cmd {
            EntryCommand::Revise { entry } => {
                let by = admin(ctx)?;
                if entry.kind != self.kind {
                    return Err(DomainError::invalid("kind", "条目类型不能修改"));
                }
                let mut e = self.clone();
                e.latest = checked(entry)?;
                e.version += 1;
                e.pending = true;
                e.written_by = Some(by.person);
                e.changed("修改", ctx)
            }
            EntryCommand::Approve => {
                let by = ctx.officer("只有管理员或领导可以批准")?;
                if !may_approve(by) {
                    return Err(DomainError::Forbidden("只有管理员或领导可以批准"));
                }
                if !self.pending {
                    return illegal("已批准", "批准");
                }
                if self.written_by == Some(by.person) {
                    return Err(DomainError::Forbidden("起草人不能批准自己写的版本"));
                }
                if self.latest.public
                    && let Some(what) =
                        personal_number_in(&format!("{}{}", self.latest.title, self.latest.body))
                {
                    return Err(DomainError::invalid(
                        "body",
                        format!("公开的问答中含有{what}，请去除个人信息后再批准"),
                    ));
                }
                let mut e = self.clone();
                e.approved = Some(Approved {
                    version: e.version,
                    content: e.latest.clone(),
                    signed: Signed::of(Some(by), ctx.today),
                });
                e.pending = false;
                e.changed("批准", ctx)
            }
            EntryCommand::Withdraw => {
                admin(ctx)?;
                if self.withdrawn {
                    return illegal("已停用", "停用");
                }
                let mut e = self.clone();
                e.withdrawn = true;
                e.changed("停用", ctx)
            }
            EntryCommand::Restore => {
                admin(ctx)?;
                if !self.withdrawn {
                    return illegal("使用中", "恢复");
                }
                let mut e = self.clone();
                e.withdrawn = false;
                e.changed("恢复", ctx)
            }
        };
        Ok((next, EVENTS[1]))
    }

    /// Every officer may read the knowledge base.
    fn visible_to(&self, _actor: &Actor, _org: &OrgChart) -> bool {
        true
    }

    fn columns(&self, _: &RecordCtx) -> Columns {
        Columns {
            unit: self.kept_by,
            status: if self.withdrawn {
                "withdrawn"
            } else if self.approved.is_some() {
                "active"
            } else {
                "pending"
            },
            due: None::<NaiveDate>,
            listed: self.on_portal().is_some(),
            case_id: None,
            ref_id: None,
        }
    }
}

/// The values a template's placeholders take for one case.
#[derive(Debug, Clone, Default)]
pub struct Placeholders {
    pub petitioner: String,
    pub matter: String,
    pub today: NaiveDate,
    pub registered_on: NaiveDate,
    pub unit: String,
}

fn chinese_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A template's text for a case: each placeholder replaced.
pub fn fill(body: &str, basis: &str, p: &Placeholders) -> String {
    body.replace("{信访人}", &p.petitioner)
        .replace("{事项}", &p.matter)
        .replace("{日期}", &chinese_date(p.today))
        .replace("{登记日期}", &chinese_date(p.registered_on))
        .replace("{单位}", &p.unit)
        .replace("{依据}", basis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_and_identity_numbers_are_found() {
        assert_eq!(personal_number_in("请拨打13912345678咨询"), Some("手机号"));
        assert_eq!(
            personal_number_in("身份证11010519491231002X"),
            Some("身份证号")
        );
        assert_eq!(
            personal_number_in("号码110105194912310021"),
            Some("身份证号")
        );
        assert_eq!(personal_number_in("热线12345，2026年1月"), None);
        assert_eq!(personal_number_in("编号23912345678"), None);
    }

    #[test]
    fn placeholders_are_filled() {
        let p = Placeholders {
            petitioner: "张三".into(),
            matter: "小区油烟扰民".into(),
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            registered_on: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            unit: "市城管局".into(),
        };
        let t = "{信访人}：您于{登记日期}反映的“{事项}”，{单位}根据{依据}答复如下。{日期}";
        assert_eq!(
            fill(t, "《条例》", &p),
            "张三：您于2026年11月2日反映的“小区油烟扰民”，市城管局根据《条例》答复如下。2026年11月30日"
        );
    }
}
