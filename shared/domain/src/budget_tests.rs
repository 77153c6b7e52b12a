use super::*;
use crate::cost_codes::{CostCodeError, CostCodeMode, CostCodeNode, CostCodeTree};
use CostCodeMode::{Concatenated, Direct};

fn node(id: i64, code: &str, parent: Option<i64>) -> CostCodeNode {
    CostCodeNode {
        id,
        code: code.into(),
        parent,
    }
}

/// rules §4, direct rows: `01`, `01-A` > `01-A-001` > `01-A-001-01`, and a second leaf.
fn direct() -> CostCodeTree {
    CostCodeTree::new(vec![
        node(1, "01", None),
        node(2, "01-A", None),
        node(3, "01-A-001", Some(2)),
        node(4, "01-A-001-01", Some(3)),
        node(5, "01-A-002", Some(2)),
    ])
}

/// rules §4, concatenated row: `01` > `A` > `001` > `01`.
fn concatenated() -> CostCodeTree {
    CostCodeTree::new(vec![
        node(1, "01", None),
        node(2, "A", Some(1)),
        node(3, "001", Some(2)),
        node(4, "01", Some(3)),
    ])
}

const TYPES: &[(i64, &str)] = &[(70, "MAT"), (80, "SST")];

fn line(activity: &str, group: &str, cents: i64, quantity: f64) -> MaestroBudgetLine {
    MaestroBudgetLine {
        activity: activity.into(),
        group: group.into(),
        amount_cents: cents,
        quantity,
        unit: (quantity != 0.0).then(|| "m3".to_owned()),
    }
}

fn procore(id: i64, code: i64, kind: i64, cents: i64) -> ProcoreBudgetLine {
    ProcoreBudgetLine {
        id,
        cost_code_id: code,
        cost_type_id: kind,
        amount_cents: cents,
    }
}

/// (id, cost code, cost type, cents) of each planned line.
fn shape(out: &[BudgetLineOut]) -> Vec<(Option<i64>, i64, i64, i64)> {
    out.iter()
        .map(|l| (l.id, l.cost_code_id, l.cost_type_id, l.amount_cents))
        .collect()
}

#[test]
fn each_activity_and_group_with_an_amount_or_quantity_is_one_line_and_zero_lines_stay_out() {
    let tree = direct();
    let catalog = Catalog {
        mode: Direct,
        codes: &tree,
        types: TYPES,
    };
    let maestro = [
        line("01-A-001-01", "MAT", 850_000, 40.0),
        line("01-A-002", "SST", 125_075, 0.0),
        line("01-A-002", "MAT", 0, 0.0),
    ];
    let out = original_budget(&maestro, &[], &catalog).unwrap();
    assert_eq!(
        shape(&out),
        [(None, 4, 70, 850_000), (None, 5, 80, 125_075)]
    );
    let q = out[0].quantity.as_ref().unwrap();
    assert_eq!(
        (q.quantity, q.unit.as_deref(), q.unit_cost),
        (40.0, Some("m3"), 212.5)
    );
    assert_eq!(out[1].quantity, None, "no quantity in maestro*, none sent");
}

#[test]
fn maestro_wins_a_removed_line_is_zeroed_and_an_equal_one_is_not_sent() {
    let tree = concatenated();
    let catalog = Catalog {
        mode: Concatenated,
        codes: &tree,
        types: TYPES,
    };
    let maestro = [
        line("01-A-001-01", "MAT", 900_000, 0.0),
        line("01-A-001-01", "SST", 10_000, 0.0),
    ];
    let cases = [
        // (Procore today, lines sent)
        (vec![], vec![(None, 4, 70, 900_000), (None, 4, 80, 10_000)]),
        (
            vec![procore(9, 4, 70, 850_000), procore(10, 4, 80, 10_000)],
            vec![(Some(9), 4, 70, 900_000)],
        ),
        (
            vec![
                procore(9, 4, 70, 900_000),
                procore(10, 4, 80, 10_000),
                procore(11, 1, 70, 5_000),
            ],
            vec![(Some(11), 1, 70, 0)],
        ),
        (
            vec![
                procore(9, 4, 70, 900_000),
                procore(10, 4, 80, 10_000),
                procore(11, 1, 70, 0),
            ],
            vec![],
        ),
    ];
    for (today, expected) in cases {
        let out = original_budget(&maestro, &today, &catalog).unwrap();
        assert_eq!(shape(&out), expected, "{today:?}");
    }
}

#[test]
fn a_budget_line_that_resolves_to_a_non_leaf_or_nothing_names_activity_group_and_mode() {
    let (d, c) = (direct(), concatenated());
    let cases = [
        (
            &d,
            Direct,
            line("01-A-001", "MAT", 100, 0.0),
            "budget line of activity 01-A-001, group MAT (direct cost-code mode): activity 01-A-001 is not the last level of the Procore cost codes in the direct cost-code mode; only leaf cost codes carry costs",
        ),
        (
            &c,
            Concatenated,
            line("01-B", "MAT", 100, 0.0),
            "budget line of activity 01-B, group MAT (concatenated cost-code mode): activity 01-B matches no Procore cost code in the concatenated cost-code mode",
        ),
        (
            &c,
            Concatenated,
            line("01-A-001-01", "EQP", 100, 0.0),
            "budget line of activity 01-A-001-01, group EQP (concatenated cost-code mode): group EQP matches no Procore cost type of the same code",
        ),
    ];
    for (tree, mode, bad, expected) in cases {
        let catalog = Catalog {
            mode,
            codes: tree,
            types: TYPES,
        };
        let errors = original_budget(&[bad], &[], &catalog).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].to_string(), expected);
        assert!(matches!(
            errors[0].error,
            CostCodeError::NotLeaf { .. }
                | CostCodeError::NotFound { .. }
                | CostCodeError::UnknownGroup { .. }
        ));
    }
}

#[test]
fn approved_cos_become_the_modification_column_when_they_differ() {
    let row = |a: &str, g: &str, cents| ApprovedCos {
        activity: a.into(),
        group: g.into(),
        amount_cents: cents,
    };
    let rows = [
        row("01-A-001", "MAT", 150_000),
        row("01-A-001", "MAT", 25_000),
        row("01-A-002", "SST", 0),
        row("01-A-003", "MAT", 7_500),
        row("09-Z", "MAT", 100),
    ];
    let current = BTreeMap::from([
        (("01-A-002".to_owned(), "SST".to_owned()), 40_000),
        (("01-A-003".to_owned(), "MAT".to_owned()), 7_500),
    ]);
    let (changes, missing) = modifications(&rows, &current, |a, _| a != "09-Z");
    let got: Vec<_> = changes
        .iter()
        .map(|m| (m.activity.as_str(), m.group.as_str(), m.amount_cents))
        .collect();
    // Summed per activity + group; an approved change order taken back sets zero; an
    // unchanged value is not sent again.
    assert_eq!(got, [("01-A-001", "MAT", 175_000), ("01-A-002", "SST", 0)]);
    assert_eq!(missing, [("09-Z".to_owned(), "MAT".to_owned())]);
    assert_eq!(cents(1250.755), 125_076);
}

#[test]
fn the_approved_cos_column_is_found_by_its_key_or_discovered_from_the_detail_columns() {
    let columns = vec![
        (
            "original_budget_amount".to_owned(),
            "Original Budget Amount".to_owned(),
        ),
        ("source_col_42".to_owned(), "Approved COs".to_owned()),
    ];
    let cases = [
        (vec!["id", "Approved COs"], Some("Approved COs")),
        (vec!["id", "source_col_42"], Some("source_col_42")),
        (vec!["id"], Some("source_col_42")),
    ];
    for (keys, expected) in cases {
        assert_eq!(
            column_key(keys.clone(), &columns, "Approved COs").as_deref(),
            expected,
            "{keys:?}"
        );
    }
    assert_eq!(column_key(["id"], &columns[..1], "Approved COs"), None);
}
