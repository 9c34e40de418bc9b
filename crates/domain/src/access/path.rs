//! Where a unit sits in the tree ([`UnitPath`]) and which units someone may see ([`Scope`]).

use serde::{Deserialize, Serialize};

use crate::error::DomainError;
use crate::ids::UnitId;

/// A unit's place in the tree: the ids from the top down, `/1/4/17/`. A subtree is every path
/// this one is a prefix of, so one range of an index finds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String))]
#[serde(try_from = "String", into = "String")]
pub struct UnitPath(String);

impl UnitPath {
    /// The path above every unit: it covers the whole tree.
    pub fn root() -> UnitPath {
        UnitPath("/".into())
    }

    /// A stored or received path: `/`, then ids each followed by `/`.
    pub fn parse(s: &str) -> Result<UnitPath, DomainError> {
        let well_formed = s.starts_with('/')
            && s.ends_with('/')
            && s[1..]
                .split_terminator('/')
                .all(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
        if well_formed {
            Ok(UnitPath(s.to_string()))
        } else {
            Err(DomainError::invalid("path", format!("单位路径不正确: {s}")))
        }
    }

    /// The path of unit `id` under `parent` (at the top when `None`).
    pub fn child(parent: Option<&UnitPath>, id: UnitId) -> UnitPath {
        UnitPath(format!("{}{}/", parent.map_or("/", |p| p.0.as_str()), id.0))
    }

    /// Whether `other` lies in this path's subtree (itself included).
    pub fn covers(&self, other: &UnitPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// How many units down from the top (the top unit is 1).
    pub fn depth(&self) -> usize {
        self.0.matches('/').count().saturating_sub(1)
    }

    /// The parent unit's path; the root for a top unit, `None` for the root.
    pub fn parent(&self) -> Option<UnitPath> {
        let trimmed = self.0.trim_end_matches('/');
        let cut = trimmed.rfind('/')?;
        Some(UnitPath(self.0[..=cut].to_string()))
    }

    /// The half-open range `[low, high)` of every path in the subtree, for an indexed range
    /// query (`'0'` sorts right after `'/'`).
    pub fn range(&self) -> (String, String) {
        (self.0.clone(), format!("{}0", &self.0[..self.0.len() - 1]))
    }

    /// This path and every path above it but the root, top first: a case visible from a unit
    /// is visible from each of these (one term each in the text index).
    pub fn ancestors(&self) -> impl Iterator<Item = &str> {
        self.0
            .match_indices('/')
            .skip(1)
            .map(move |(i, _)| &self.0[..=i])
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnitPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for UnitPath {
    type Error = DomainError;

    fn try_from(s: String) -> Result<Self, DomainError> {
        UnitPath::parse(&s)
    }
}

impl From<UnitPath> for String {
    fn from(p: UnitPath) -> String {
        p.0
    }
}

/// The units someone may see: all of them, or one subtree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Under(UnitPath),
}

impl Scope {
    pub fn covers(&self, path: &UnitPath) -> bool {
        match self {
            Scope::All => true,
            Scope::Under(top) => top.covers(path),
        }
    }

    /// The subtree's path; `None` when the scope is everything (no filter needed).
    pub fn path(&self) -> Option<&UnitPath> {
        match self {
            Scope::All => None,
            Scope::Under(p) => Some(p),
        }
    }
}
