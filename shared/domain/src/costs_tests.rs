use super::*;
use crate::cost_codes::CostCodeNode;
use DirectCostType::{Expense, Invoice, Payroll};

#[test]
fn each_of_the_sixteen_types_has_its_procore_type() {
    let table = [
        ('1', CostRoute::Direct(Invoice)),
        (';', CostRoute::Direct(Invoice)),
        ('4', CostRoute::Direct(Payroll)),
        ('B', CostRoute::Direct(Payroll)),
        ('5', CostRoute::Direct(Payroll)),
        ('C', CostRoute::Direct(Expense)),
        ('=', CostRoute::Direct(Expense)),
        ('E', CostRoute::Direct(Expense)),
        ('2', CostRoute::Direct(Expense)),
        ('>', CostRoute::Direct(Expense)),
        ('?', CostRoute::Direct(Expense)),
        ('@', CostRoute::Direct(Expense)),
        ('D', CostRoute::Direct(Expense)),
        ('G', CostRoute::Direct(Expense)),
        ('F', CostRoute::Direct(Expense)),
        ('7', CostRoute::OrderInvoice),
    ];
    for (code, expected) in table {
        assert_eq!(route(code), Some(expected), "type {code}");
        assert!(type_name(code).is_some(), "type {code}");
    }
    for other in ['3', '6', 'A', 'Z', ' '] {
        assert_eq!(route(other), None, "type {other}");
    }
    assert_eq!(Payroll.as_str(), "payroll");
}

#[test]
fn the_description_is_the_type_and_the_text() {
    assert_eq!(
        description('1', Some(" Béton ")),
        "Project Purchase - Béton"
    );
    assert_eq!(description('4', None), "Hours/Labour");
    assert_eq!(description('4', Some(" ")), "Hours/Labour");
}

#[test]
fn payroll_fields_come_from_the_setting_or_default_to_all() {
    assert_eq!(
        PayrollFields::default(),
        PayrollFields {
            hours: true,
            rate: true,
            employee: true
        }
    );
    let only_hours = PayrollFields::from_names(["hours"]).unwrap();
    assert!(only_hours.hours && !only_hours.rate && !only_hours.employee);
    let e = PayrollFields::from_names(["hours", "salary"]).unwrap_err();
    assert!(e.contains("`salary`"), "{e}");
}

fn catalog() -> Catalog {
    // rules §4: 01 > 01-A > 01-A-001 (leaf), direct mode codes.
    let node = |id, code: &str, parent| CostCodeNode {
        id,
        code: code.into(),
        parent,
    };
    Catalog {
        codes: CostCodeTree::new(vec![
            node(1, "01", None),
            node(2, "01-A", Some(1)),
            node(3, "01-A-001", Some(2)),
        ]),
        types: HashMap::from([("MAT".to_owned(), 10), ("MO".to_owned(), 11)]),
    }
}

fn line<'a>(activity: &'a str, group: &'a str) -> CostLineIn<'a> {
    CostLineIn {
        line_no: 1,
        activity,
        group,
        description: Some("Béton"),
        quantity: Some(8.0),
        unit: Some("h"),
        unit_price: Some(55.5),
        amount: 444.0,
    }
}

#[test]
fn lines_take_their_leaf_cost_code_and_cost_type() {
    let got = plan_lines(
        "project_cost:T1",
        Expense,
        &[line("01-A-001", "MAT")],
        &catalog(),
        CostCodeMode::Direct,
        PayrollFields::default(),
    )
    .unwrap();
    assert_eq!(
        got,
        [PlannedLine {
            origin_id: "project_cost:T1:1".into(),
            cost_code_id: 3,
            line_item_type_id: 10,
            amount: 444.0,
            quantity: Some(8.0),
            unit_cost: Some(55.5),
            uom: Some("h".into()),
            description: Some("Béton".into()),
        }]
    );
}

#[test]
fn payroll_lines_send_hours_and_rate_only_as_the_setting_says() {
    let amount_only = PayrollFields::from_names([]).unwrap();
    let got = plan_lines(
        "project_cost:T1",
        Payroll,
        &[line("01-A-001", "MO")],
        &catalog(),
        CostCodeMode::Direct,
        amount_only,
    )
    .unwrap();
    assert_eq!((got[0].quantity, got[0].unit_cost), (None, None));
    assert_eq!(got[0].amount, 444.0);
    let hours = PayrollFields::from_names(["hours"]).unwrap();
    let got = plan_lines(
        "x",
        Payroll,
        &[line("01-A-001", "MO")],
        &catalog(),
        CostCodeMode::Direct,
        hours,
    )
    .unwrap();
    assert_eq!((got[0].quantity, got[0].unit_cost), (Some(8.0), None));
}

#[test]
fn a_non_leaf_or_unknown_activity_or_group_names_activity_group_and_mode() {
    let cases = [
        ("01-A", "MAT", "is not the last level"),
        ("09-Z", "MAT", "matches no Procore cost code"),
        ("01-A-001", "XYZ", "group XYZ matches no Procore cost type"),
    ];
    for (activity, group, says) in cases {
        let e = plan_lines(
            "x",
            Expense,
            &[line(activity, group)],
            &catalog(),
            CostCodeMode::Direct,
            PayrollFields::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(says), "{e}");
        for part in [activity, group, "direct cost-code mode"] {
            assert!(e.contains(part), "{e} lacks {part}");
        }
    }
}
