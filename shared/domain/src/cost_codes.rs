//! Cost codes (maestro* activities) and cost types (maestro* groups), rules §4: the
//! connection's cost-code mode says how a Procore cost code and a maestro* activity name each
//! other; only leaf cost codes carry costs; groups match cost types by code.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// How a Procore cost code becomes a maestro* activity (`settings.cost_code_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CostCodeMode {
    /// Each cost code's own `code` is the whole activity (the default).
    #[default]
    Direct,
    /// Each level holds one segment; the activity is the segments joined with `-` from the
    /// root (Procore `full_code`).
    Concatenated,
}

impl CostCodeMode {
    pub fn as_str(self) -> &'static str {
        match self {
            CostCodeMode::Direct => "direct",
            CostCodeMode::Concatenated => "concatenated",
        }
    }
}

impl fmt::Display for CostCodeMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A cost-code mode that is neither `direct` nor `concatenated`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the cost-code mode `{0}` is not `direct` or `concatenated`")]
pub struct UnknownMode(pub String);

impl FromStr for CostCodeMode {
    type Err = UnknownMode;
    fn from_str(s: &str) -> Result<Self, UnknownMode> {
        match s {
            "direct" => Ok(CostCodeMode::Direct),
            "concatenated" => Ok(CostCodeMode::Concatenated),
            other => Err(UnknownMode(other.to_owned())),
        }
    }
}

/// Why an activity or a group cannot be matched; every message names the activity or group
/// and the mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostCodeError {
    #[error(
        "{place} has no cost code for the {mode} cost-code mode; every line needs one, since it becomes the maestro* activity"
    )]
    Missing { place: String, mode: CostCodeMode },
    #[error("activity {activity} matches no Procore cost code in the {mode} cost-code mode")]
    NotFound {
        activity: String,
        mode: CostCodeMode,
    },
    #[error(
        "activity {activity} is not the last level of the Procore cost codes in the {mode} cost-code mode; only leaf cost codes carry costs"
    )]
    NotLeaf {
        activity: String,
        mode: CostCodeMode,
    },
    #[error("{place} has no cost type; it becomes the maestro* group, so every line needs one")]
    NoCostType { place: String },
    #[error("group {group} matches no Procore cost type of the same code")]
    UnknownGroup { group: String },
}

/// The maestro* activity a Procore cost code stands for, by `mode`; `None` when blank.
pub fn activity(mode: CostCodeMode, code: Option<&str>, full_code: Option<&str>) -> Option<String> {
    let value = match mode {
        CostCodeMode::Direct => code,
        CostCodeMode::Concatenated => full_code,
    };
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// One Procore cost code of a project: its id, own `code` and parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCodeNode {
    pub id: i64,
    pub code: String,
    pub parent: Option<i64>,
}

/// A project's cost codes as a tree, to resolve a maestro* activity to a leaf.
#[derive(Debug, Clone)]
pub struct CostCodeTree {
    nodes: Vec<CostCodeNode>,
    parents: HashSet<i64>,
}

impl CostCodeTree {
    pub fn new(nodes: Vec<CostCodeNode>) -> Self {
        let parents = nodes.iter().filter_map(|n| n.parent).collect();
        CostCodeTree { nodes, parents }
    }

    fn node(&self, id: i64) -> Option<&CostCodeNode> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The segments joined with `-` from the root (Procore's `full_code`).
    pub fn full_code(&self, id: i64) -> Option<String> {
        let mut parts = Vec::new();
        let mut next = Some(id);
        while let Some(node) = next.and_then(|id| self.node(id)) {
            if parts.len() > self.nodes.len() {
                break; // a cycle: never loop forever on bad data
            }
            parts.push(node.code.trim());
            next = node.parent;
        }
        (!parts.is_empty()).then(|| {
            parts.reverse();
            parts.join("-")
        })
    }

    /// The leaf cost code carrying `activity` in `mode`.
    pub fn resolve(&self, activity: &str, mode: CostCodeMode) -> Result<i64, CostCodeError> {
        let activity = activity.trim();
        let named = |n: &&CostCodeNode| match mode {
            CostCodeMode::Direct => n.code.trim() == activity,
            CostCodeMode::Concatenated => self.full_code(n.id).as_deref() == Some(activity),
        };
        let matches: Vec<&CostCodeNode> = self.nodes.iter().filter(named).collect();
        if let Some(leaf) = matches.iter().find(|n| !self.parents.contains(&n.id)) {
            return Ok(leaf.id);
        }
        let activity = activity.to_owned();
        Err(if matches.is_empty() {
            CostCodeError::NotFound { activity, mode }
        } else {
            CostCodeError::NotLeaf { activity, mode }
        })
    }
}

/// The Procore cost type (line item type) of maestro* group `group`, matched by code.
pub fn cost_type_of(group: &str, types: &[(i64, &str)]) -> Result<i64, CostCodeError> {
    let group = group.trim();
    types
        .iter()
        .find(|(_, code)| code.trim() == group)
        .map(|(id, _)| *id)
        .ok_or_else(|| CostCodeError::UnknownGroup {
            group: group.to_owned(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use CostCodeMode::{Concatenated, Direct};

    fn node(id: i64, code: &str, parent: Option<i64>) -> CostCodeNode {
        CostCodeNode {
            id,
            code: code.into(),
            parent,
        }
    }

    /// The direct rows of the rules §4 table: `01`, `01-A` > `01-A-001` > `01-A-001-01`.
    fn direct_tree() -> CostCodeTree {
        CostCodeTree::new(vec![
            node(1, "01", None),
            node(2, "01-A", None),
            node(3, "01-A-001", Some(2)),
            node(4, "01-A-001-01", Some(3)),
        ])
    }

    /// The concatenated row: `01` > `A` > `001` > `01`.
    fn concatenated_tree() -> CostCodeTree {
        CostCodeTree::new(vec![
            node(1, "01", None),
            node(2, "A", Some(1)),
            node(3, "001", Some(2)),
            node(4, "01", Some(3)),
        ])
    }

    #[test]
    fn the_modes_of_entities_4_resolve_activities_to_leaves() {
        let cases = [
            (direct_tree(), Direct, "01", Ok(1)),
            (direct_tree(), Direct, "01-A-001-01", Ok(4)),
            (direct_tree(), Direct, "01-A-001", Err("NotLeaf")),
            (direct_tree(), Direct, "02", Err("NotFound")),
            (concatenated_tree(), Concatenated, "01-A-001-01", Ok(4)),
            (concatenated_tree(), Concatenated, "01-A", Err("NotLeaf")),
            (
                concatenated_tree(),
                Concatenated,
                "A-001-01",
                Err("NotFound"),
            ),
        ];
        for (tree, mode, activity, expected) in cases {
            let got = tree.resolve(activity, mode).map_err(|e| match e {
                CostCodeError::NotLeaf { .. } => "NotLeaf",
                CostCodeError::NotFound { .. } => "NotFound",
                _ => "other",
            });
            assert_eq!(got, expected, "{mode} {activity}");
        }
        assert_eq!(
            concatenated_tree().full_code(4).as_deref(),
            Some("01-A-001-01")
        );
    }

    #[test]
    fn errors_name_the_activity_group_and_mode() {
        let e = direct_tree().resolve("01-A-001", Direct).unwrap_err();
        assert_eq!(
            e.to_string(),
            "activity 01-A-001 is not the last level of the Procore cost codes in the direct cost-code mode; only leaf cost codes carry costs"
        );
        let e = cost_type_of("EQP", &[(7, "MAT"), (8, "SST")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "group EQP matches no Procore cost type of the same code"
        );
        assert_eq!(cost_type_of(" SST", &[(7, "MAT"), (8, "SST")]), Ok(8));
    }

    #[test]
    fn the_activity_of_a_procore_code_follows_the_mode() {
        let cases = [
            (Direct, Some("001"), Some("01-A-001"), Some("001")),
            (
                Concatenated,
                Some("001"),
                Some("01-A-001"),
                Some("01-A-001"),
            ),
            (Concatenated, Some("001"), Some(" "), None),
            (Direct, None, Some("01"), None),
        ];
        for (mode, code, full, expected) in cases {
            assert_eq!(activity(mode, code, full).as_deref(), expected);
        }
        assert_eq!("concatenated".parse(), Ok(Concatenated));
        assert_eq!(
            "catalog".parse::<CostCodeMode>().unwrap_err().to_string(),
            "the cost-code mode `catalog` is not `direct` or `concatenated`"
        );
    }
}
