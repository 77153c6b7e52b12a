//! Properties of the cost-code resolver (rules §4, module `cost_codes`) over 10,000 cost-code
//! trees each, well formed or not (duplicate ids, cycles, blank codes): it never panics or
//! loops, answers only with the documented errors, and what it resolves is a leaf named by
//! the activity in the mode asked.

use bridge_domain::cost_codes::{
    CostCodeError, CostCodeMode, CostCodeNode, CostCodeTree, activity, cost_type_of,
};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Codes from a small alphabet, so that activities often match; blanks and spaces included.
fn code() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-3]{1,2}",
        1 => Just(String::new()),
        1 => " [0-3] ",
        1 => "[0-3]-[0-3]",
        1 => "\\PC{0,6}",
    ]
}

/// Up to 12 nodes with ids 1..=8 (so duplicates happen) and any parent, cycles included.
fn tree() -> impl Strategy<Value = Vec<CostCodeNode>> {
    proptest::collection::vec((1i64..=8, code(), proptest::option::of(0i64..=9)), 0..12).prop_map(
        |nodes| {
            nodes
                .into_iter()
                .map(|(id, code, parent)| CostCodeNode { id, code, parent })
                .collect()
        },
    )
}

fn mode() -> impl Strategy<Value = CostCodeMode> {
    prop_oneof![Just(CostCodeMode::Direct), Just(CostCodeMode::Concatenated)]
}

/// The activity asked: a node's own code or full code, or anything.
fn asked(nodes: &[CostCodeNode], pick: usize, how: u8, other: &str) -> String {
    let tree = CostCodeTree::new(nodes.to_vec());
    match (nodes.get(pick % nodes.len().max(1)), how % 3) {
        (Some(node), 0) => node.code.clone(),
        (Some(node), 1) => tree.full_code(node.id).unwrap_or_default(),
        _ => other.to_owned(),
    }
}

fn names(tree: &CostCodeTree, node: &CostCodeNode, mode: CostCodeMode, activity: &str) -> bool {
    match mode {
        CostCodeMode::Direct => node.code.trim() == activity,
        CostCodeMode::Concatenated => tree.full_code(node.id).as_deref() == Some(activity),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn resolve_finds_a_leaf_named_by_the_activity_or_says_why_not(
        nodes in tree(),
        mode in mode(),
        pick in any::<usize>(),
        how in any::<u8>(),
        other in code(),
    ) {
        let wanted = asked(&nodes, pick, how, &other);
        let tree = CostCodeTree::new(nodes.clone());
        let trimmed = wanted.trim();
        let is_parent = |id: i64| nodes.iter().any(|n| n.parent == Some(id));
        let named: Vec<&CostCodeNode> =
            nodes.iter().filter(|n| names(&tree, n, mode, trimmed)).collect();
        match tree.resolve(&wanted, mode) {
            Ok(id) => {
                prop_assert!(!is_parent(id), "{} has children", id);
                prop_assert!(named.iter().any(|n| n.id == id), "{} is not named {:?}", id, trimmed);
            }
            Err(CostCodeError::NotFound { activity, mode: m }) => {
                prop_assert_eq!(m, mode);
                prop_assert_eq!(activity.as_str(), trimmed);
                prop_assert!(named.is_empty(), "{:?} are named {:?}", named, trimmed);
            }
            Err(CostCodeError::NotLeaf { activity, mode: m }) => {
                prop_assert_eq!(m, mode);
                prop_assert_eq!(activity.as_str(), trimmed);
                prop_assert!(!named.is_empty());
                prop_assert!(named.iter().all(|n| is_parent(n.id)), "{:?}", named);
            }
            Err(other) => prop_assert!(false, "undocumented error from resolve: {:?}", other),
        }
    }

    #[test]
    fn a_full_code_is_finite_and_ends_with_the_nodes_own_code(
        nodes in tree(),
        pick in any::<usize>(),
    ) {
        prop_assume!(!nodes.is_empty());
        let node = &nodes[pick % nodes.len()];
        let tree = CostCodeTree::new(nodes.clone());
        let full = tree.full_code(node.id).expect("a node of the tree has a full code");
        // The first node with this id is the one read.
        let first = nodes.iter().find(|n| n.id == node.id).unwrap();
        prop_assert!(full.ends_with(first.code.trim()), "{:?} vs {:?}", full, first);
        // At most one segment per node plus one (the cycle guard), each of a few dashes.
        prop_assert!(full.split('-').count() <= (nodes.len() + 1) * 8);
    }

    #[test]
    fn a_group_matches_a_cost_type_of_the_same_code_or_is_named_unknown(
        types in proptest::collection::vec((any::<i64>(), code()), 0..8),
        group in code(),
    ) {
        let types: Vec<(i64, &str)> = types.iter().map(|(id, c)| (*id, c.as_str())).collect();
        match cost_type_of(&group, &types) {
            Ok(id) => prop_assert!(
                types.iter().any(|(t, c)| *t == id && c.trim() == group.trim())
            ),
            Err(CostCodeError::UnknownGroup { group: named }) => {
                prop_assert_eq!(named.as_str(), group.trim());
                prop_assert!(types.iter().all(|(_, c)| c.trim() != group.trim()));
            }
            Err(other) => prop_assert!(false, "undocumented error: {:?}", other),
        }
    }

    #[test]
    fn an_activity_is_blank_only_when_its_code_is(
        mode in mode(),
        code in proptest::option::of(code()),
        full in proptest::option::of(code()),
    ) {
        let source = match mode {
            CostCodeMode::Direct => &code,
            CostCodeMode::Concatenated => &full,
        };
        let got = activity(mode, code.as_deref(), full.as_deref());
        let expected = source.as_deref().map(str::trim).filter(|s| !s.is_empty());
        prop_assert_eq!(got.as_deref(), expected);
    }
}
