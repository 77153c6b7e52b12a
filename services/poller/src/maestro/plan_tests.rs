use super::*;
use bridge_maestro::{Amount, ProcoreTab, ProjectCode, Quantity, TransactionStatus};

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
}

fn project(tab: ProcoreTab) -> Project {
    Project {
        code: ProjectCode::new("P-1").unwrap(),
        description: "Tour".into(),
        detailed_description: None,
        address: None,
        city: None,
        province: None,
        country: None,
        postal_code: None,
        phone: None,
        start_date: None,
        closing_date: None,
        active: true,
        prefix: None,
        master_project: None,
        customer_code: None,
        procore: tab,
    }
}

fn transaction(id: &str, type_code: char, date: NaiveDate) -> Transaction {
    Transaction {
        id: id.into(),
        project: ProjectCode::new("P-1").unwrap(),
        type_code: TypeCode::new(type_code).unwrap(),
        status: TransactionStatus::Transferred,
        approved: true,
        entry_date: date,
        accounting_date: date,
        description: None,
        supplier_code: None,
        employee_number: None,
        invoice_no: None,
        order_no: None,
        amount: Amount::from_units(100),
        lines: vec![],
    }
}

fn line(activity: &str, budget: i64, modification: i64) -> BudgetLine {
    BudgetLine {
        project: ProjectCode::new("P-1").unwrap(),
        activity: activity.into(),
        group: "MAT".into(),
        unit: None,
        budget_amount: Amount::from_units(budget),
        budget_quantity: Quantity::default(),
        modification_amount: Amount::from_units(modification),
        modification_quantity: Quantity::default(),
    }
}

#[test]
fn a_record_fixed_by_its_user_gets_a_new_key_and_an_unchanged_one_does_not() {
    let plain = project(ProcoreTab::default());
    let mut dated = plain.clone();
    dated.start_date = Some(day(1));
    let key = plain.key();
    assert!(key.starts_with("maestro:project:P-1:"), "{key}");
    assert_eq!(key.len(), "maestro:project:P-1:".len() + 16, "{key}");
    assert_eq!(key, plain.clone().key());
    assert_ne!(key, dated.key());
    assert_eq!((plain.code(), plain.project()), ("P-1", Some("P-1")));
}

#[test]
fn a_budget_key_follows_the_budget_column_only() {
    let base = budget_key("P-1", &[line("01", 100, 0), line("02", 50, 0)]);
    // (lines, same key as base)
    let cases = [
        (vec![line("02", 50, 0), line("01", 100, 0)], true),
        (vec![line("01", 100, 25), line("02", 50, -3)], true),
        (vec![line("01", 101, 0), line("02", 50, 0)], false),
        (vec![line("01", 100, 0)], false),
    ];
    for (lines, same) in cases {
        assert_eq!(budget_key("P-1", &lines) == base, same, "{lines:?}");
    }
    assert!(base.starts_with("maestro:original_budget:P-1:"));
}

#[test]
fn a_transaction_is_due_after_the_cursor_by_the_sub_tab_rule() {
    let tab = |last: Option<u32>, start: Option<u32>, ignore: bool| ProcoreTab {
        sync: true,
        last_transaction_date: last.map(day),
        transaction_start_date: start.map(day),
        ignore_last_sync: ignore,
    };
    // (tab, transaction date, due)
    let cases = [
        (tab(None, None, false), 1, true),
        (tab(Some(10), None, false), 10, false),
        (tab(Some(10), None, false), 11, true),
        (tab(None, Some(10), false), 10, true),
        (tab(None, Some(10), false), 9, false),
        (tab(Some(20), Some(10), true), 10, true),
        (tab(Some(20), Some(10), true), 9, false),
    ];
    for (tab, date, due) in cases {
        let p = project(tab.clone());
        assert_eq!(
            transaction_due(&p, &transaction("t", '1', day(date))),
            due,
            "{tab:?} {date}"
        );
    }
}

#[test]
fn order_invoicing_is_an_order_invoice_and_the_rest_project_costs() {
    assert_eq!(
        transaction_kind(&transaction("a", '7', day(1))),
        EntityKind::OrderInvoice
    );
    assert_eq!(
        transaction_kind(&transaction("b", '1', day(1))),
        EntityKind::ProjectCost
    );
    assert_eq!(
        transaction_key(EntityKind::ProjectCost, &transaction("88", '1', day(1))),
        "maestro:project_cost:88"
    );
}

#[test]
fn the_cursor_moves_to_the_last_date_whose_every_transaction_is_finished() {
    let ts = [
        transaction("a", '1', day(1)),
        transaction("b", '1', day(1)),
        transaction("c", '1', day(2)),
        transaction("d", '1', day(3)),
    ];
    let due: Vec<&Transaction> = ts.iter().collect();
    let done = |ids: &[&str]| ids.iter().map(|s| (*s).to_owned()).collect::<HashSet<_>>();
    // (current, finished ids, next cursor)
    let cases = [
        (None, done(&[]), None),
        (None, done(&["a"]), None),
        (None, done(&["a", "b"]), Some(day(1))),
        (None, done(&["a", "b", "d"]), Some(day(1))),
        (None, done(&["a", "b", "c", "d"]), Some(day(3))),
        (Some(day(3)), done(&["a", "b", "c", "d"]), None),
        (Some(day(1)), done(&["a", "b", "c"]), Some(day(2))),
    ];
    for (current, finished, want) in cases {
        assert_eq!(next_cursor(current, &due, &finished), want, "{finished:?}");
    }
    let statuses = [
        ("synced", true),
        ("skipped", true),
        ("dead", true),
        ("failed", false),
        ("waiting", false),
    ];
    for (status, want) in statuses {
        assert_eq!(finished(status), want, "{status}");
    }
}

#[test]
fn inserted_rows_are_attributed_per_kind() {
    use EntityKind::{OrderInvoice, ProjectCost};
    let cases = [
        (vec![ProjectCost; 3], 3, vec![(ProjectCost, 3, 0)]),
        (vec![ProjectCost; 3], 1, vec![(ProjectCost, 1, 2)]),
        (
            vec![ProjectCost, OrderInvoice, ProjectCost],
            2,
            vec![(ProjectCost, 2, 0), (OrderInvoice, 0, 1)],
        ),
    ];
    for (kinds, inserted, want) in cases {
        assert_eq!(attribute(kinds.clone(), inserted), want, "{kinds:?}");
    }
    assert!(needs_projects(&[EntityKind::OriginalBudget]));
    assert!(!needs_projects(&[
        EntityKind::Supplier,
        EntityKind::Employee
    ]));
}

#[test]
fn a_supplier_is_sent_only_when_active_and_ticked() {
    let supplier = |active, sync| Supplier {
        code: "S-1".into(),
        name: "Béton Inc.".into(),
        address: None,
        city: None,
        province: None,
        postal_code: None,
        country: None,
        phone: None,
        fax: None,
        email: None,
        rbq_number: None,
        active,
        sync,
    };
    // (active, Interface box ticked, sent)
    let cases = [
        (true, true, true),
        (true, false, false),
        (false, true, false),
        (false, false, false),
    ];
    for (active, sync, sent) in cases {
        let s = supplier(active, sync);
        assert_eq!(s.eligible(), sent, "active {active}, ticked {sync}");
        assert!(s.key().starts_with("maestro:supplier:S-1:"));
        assert_eq!(s.project(), None);
    }
}
