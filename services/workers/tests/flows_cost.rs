//! Project costs and order invoices, maestro* → Procore, end to end (issue 11): each
//! transaction type → its direct cost type, supplier and employee handling, waiting for the
//! supplier, cost codes, one failing cost not blocking the others, no duplicate after a crash,
//! and order invoices on a Procore commitment or as a direct cost.

mod cost_support;
mod flows_support;

use bridge_domain::EntityKind;
use bridge_maestro as mx;
use bridge_procore::costs::NewDirectCost;
use bridge_sandbox::procore::Kind;
use cost_support::{TO_PROCORE, cost, direct_cost, line, lines_of, project, send, sync};
use flows_support::{COMPANY, Stack};
use serde_json::json;

const COST: EntityKind = EntityKind::ProjectCost;

#[tokio::test]
async fn each_transaction_type_becomes_its_direct_cost_type() {
    let s = Stack::start().await;
    let p = project(&s).await;
    sync(&s, EntityKind::Supplier, "BETON01").await;
    let (vendor, _) = s.link(EntityKind::Supplier, "BETON01").await.unwrap();
    let table = [
        ('1', "invoice"),
        (';', "invoice"),
        ('4', "payroll"),
        ('B', "payroll"),
        ('5', "payroll"),
        ('C', "expense"),
        ('=', "expense"),
        ('E', "expense"),
        ('2', "expense"),
        ('>', "expense"),
        ('?', "expense"),
        ('@', "expense"),
        ('D', "expense"),
        ('G', "expense"),
        ('F', "expense"),
    ];
    let mut keys = Vec::new();
    for (code, _) in table {
        let supplier = (code == '1' || code == ';').then_some("BETON01");
        keys.push(send(&s, cost(code, supplier)).await);
    }
    for ((code, expected), key) in table.iter().zip(&keys) {
        s.wait_for(COST, TO_PROCORE, key, "synced").await;
        let dc = direct_cost(&s, COST, key).await;
        assert_eq!(dc["direct_cost_type"], *expected, "type {code}");
        assert_eq!(dc["status"], "approved", "type {code}");
        assert_eq!(dc["origin_id"], format!("project_cost:{key}"));
        assert_eq!(dc["grand_total"], "400.00", "type {code}");
        assert_eq!(dc["direct_cost_date"], "2026-05-04");
        if *expected == "invoice" {
            assert_eq!(dc["vendor_id"], vendor, "type {code}");
            assert_eq!(dc["invoice_number"], "F-1001");
        } else {
            assert!(dc["vendor_id"].is_null(), "type {code}: {dc}");
        }
        let lines = lines_of(&s, p, dc["id"].as_i64().unwrap());
        assert_eq!(lines.len(), 1, "type {code}");
        assert_eq!(lines[0]["cost_code"]["code"], "01-A-001");
        assert_eq!(lines[0]["line_item_type"]["code"], "MAT", "{}", lines[0]);
        // Payroll carries hours and rate by default; other types keep maestro*'s values.
        assert_eq!(lines[0]["unit_cost"], "50.00", "type {code}");
    }
    let purchase = direct_cost(&s, COST, &keys[0]).await;
    assert_eq!(purchase["description"], "Project Purchase - Béton coulé");
}

#[tokio::test]
async fn a_cost_whose_supplier_is_not_linked_waits_and_is_released_when_it_is() {
    let s = Stack::start().await;
    project(&s).await;
    let key = send(&s, cost('1', Some("BETON01"))).await;
    let item = s.wait_for(COST, TO_PROCORE, &key, "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("supplier:BETON01"));
    sync(&s, EntityKind::Supplier, "BETON01").await;
    s.wait_for(COST, TO_PROCORE, &key, "synced").await;
    let (vendor, _) = s.link(EntityKind::Supplier, "BETON01").await.unwrap();
    assert_eq!(direct_cost(&s, COST, &key).await["vendor_id"], vendor);
}

#[tokio::test]
async fn a_cost_whose_supplier_never_links_is_dead_lettered_naming_it() {
    let s = Stack::with([1, 1, 1, 1, 1], 3).await;
    project(&s).await;
    let key = send(&s, cost('1', Some("BETON01"))).await;
    let item = s.wait_for(COST, TO_PROCORE, &key, "dead").await;
    assert!(
        item.texts("error").iter().any(|t| t.contains("BETON01")),
        "{:?}",
        item.messages
    );
}

#[tokio::test]
async fn payroll_names_the_employee_only_when_linked_and_sends_hours_per_the_setting() {
    let s = Stack::start().await;
    let p = project(&s).await;
    let employee = |number: &str, email: &str| mx::Employee {
        number: number.into(),
        last_name: "Tremblay".into(),
        first_name: "Julie".into(),
        alpha_code: None,
        status: mx::EmployeeStatus::Active,
        email: Some(email.into()),
        phone: None,
        city: None,
    };
    s.maestro
        .add_employee(COMPANY, employee("E01", "julie@boreal.example"))
        .unwrap();
    sync(&s, EntityKind::Employee, "E01").await;
    let (user, _) = s.link(EntityKind::Employee, "E01").await.unwrap();
    s.set_setting("payroll_fields", json!(["hours", "employee"]))
        .await;
    let mut linked = cost('4', None);
    linked.employee_number = Some("E01".into());
    let mut unlinked = cost('4', None);
    unlinked.employee_number = Some("E99".into());
    let linked = send(&s, linked).await;
    let unlinked = send(&s, unlinked).await;

    s.wait_for(COST, TO_PROCORE, &linked, "synced").await;
    let dc = direct_cost(&s, COST, &linked).await;
    assert_eq!(dc["employee"]["id"], user, "{dc}");
    let lines = lines_of(&s, p, dc["id"].as_i64().unwrap());
    // Hours are sent, the rate is not (the setting names hours and employee only).
    assert_eq!(lines[0]["quantity"], "8.00", "{}", lines[0]);
    assert_eq!(lines[0]["unit_cost"], "0.00", "{}", lines[0]);
    assert_eq!(lines[0]["amount"], "400.00", "{}", lines[0]);

    let item = s.wait_for(COST, TO_PROCORE, &unlinked, "synced").await;
    assert!(item.says("warning", "employee E99"), "{:?}", item.messages);
    assert!(direct_cost(&s, COST, &unlinked).await["employee"].is_null());
}

#[tokio::test]
async fn costs_place_lines_on_leaf_codes_in_concatenated_mode_too() {
    let s = Stack::start().await;
    let p = project(&s).await;
    s.set_setting("cost_code_mode", json!("concatenated")).await;
    let mut t = cost('C', None);
    // Concatenated: the activity is the segments from the root, 01 then 01-A-001.
    t.lines = vec![line(1, "01-01-A-002", "SST", "400.00")];
    let key = send(&s, t).await;
    s.wait_for(COST, TO_PROCORE, &key, "synced").await;
    let dc = direct_cost(&s, COST, &key).await;
    let lines = lines_of(&s, p, dc["id"].as_i64().unwrap());
    assert_eq!(lines[0]["cost_code"]["code"], "01-A-002");
}

#[tokio::test]
async fn a_non_leaf_or_unknown_activity_fails_naming_activity_group_and_mode_without_blocking_others()
 {
    let s = Stack::start().await;
    project(&s).await;
    let mut parent = cost('C', None);
    parent.lines = vec![line(1, "01", "MAT", "400.00")];
    let mut unknown = cost('C', None);
    unknown.lines = vec![line(1, "09-Z", "SST", "400.00")];
    let parent = send(&s, parent).await;
    let unknown = send(&s, unknown).await;
    let good = send(&s, cost('C', None)).await;

    s.wait_for(COST, TO_PROCORE, &good, "synced").await;
    for (key, activity, group, says) in [
        (&parent, "01", "MAT", "not the last level"),
        (&unknown, "09-Z", "SST", "matches no Procore cost code"),
    ] {
        let item = s.wait_for(COST, TO_PROCORE, key, "failed").await;
        let text = item.texts("error").join(" | ");
        for part in [activity, group, "direct cost-code mode", says, key.as_str()] {
            assert!(text.contains(part), "{text} lacks {part}");
        }
    }
}

#[tokio::test]
async fn a_crash_between_the_sync_call_and_the_link_makes_no_duplicate() {
    let s = Stack::start().await;
    let p = project(&s).await;
    let t = cost('C', None);
    let key = s.maestro.add_transaction(COMPANY, t).unwrap();
    // What a first attempt wrote before it crashed: the direct cost, without its link.
    let first = NewDirectCost {
        origin_id: format!("project_cost:{key}"),
        direct_cost_type: "expense".into(),
        status: "approved".into(),
        ..NewDirectCost::default()
    };
    let written = s
        .procore_user()
        .sync_new_direct_costs(p, &[first])
        .await
        .unwrap();
    let first_id = written[0].result.as_ref().unwrap().id.0;
    s.emit(
        COST,
        TO_PROCORE,
        bridge_domain::Action::Create,
        &key,
        Some("P-100"),
    )
    .await;
    s.wait_for(COST, TO_PROCORE, &key, "synced").await;
    assert_eq!(s.link(COST, &key).await.map(|l| l.0), Some(first_id));
    assert_eq!(s.procore.list_ids(Kind::DirectCost, p), [first_id]);
    assert_eq!(lines_of(&s, p, first_id).len(), 1);
}

const INVOICE: EntityKind = EntityKind::OrderInvoice;

#[tokio::test]
async fn an_order_invoice_goes_on_the_procore_commitment_its_order_came_from() {
    let s = Stack::start().await;
    let p = project(&s).await;
    sync(&s, EntityKind::Supplier, "BETON01").await;
    let (order, number) = cost_support::procore_order(&s, p).await;
    cost_support::send_invoice(&s, "T7000001", &number, Some("PO-001")).await;
    s.wait_for(INVOICE, TO_PROCORE, "T7000001", "synced").await;
    let (id, _) = s.link(INVOICE, "T7000001").await.unwrap();
    let requisition = s.procore.get_json(Kind::Requisition, id).unwrap();
    assert_eq!(requisition["commitment_id"], order, "{requisition}");
    assert_eq!(requisition["invoice_number"], "F-2002");
    assert_eq!(requisition["origin_id"], "order_invoice:T7000001");
    assert!(s.procore.list_ids(Kind::DirectCost, p).is_empty());
}

#[tokio::test]
async fn an_order_invoice_from_procore_waits_for_its_order_link() {
    let s = Stack::start().await;
    project(&s).await;
    cost_support::send_invoice(&s, "T7000002", "000123", Some("PO-777")).await;
    let item = s.wait_for(INVOICE, TO_PROCORE, "T7000002", "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("purchase_order:000123"));
}

#[tokio::test]
async fn an_order_invoice_of_a_maestro_order_is_a_direct_cost_of_type_invoice() {
    let s = Stack::start().await;
    let p = project(&s).await;
    sync(&s, EntityKind::Supplier, "BETON01").await;
    let (vendor, _) = s.link(EntityKind::Supplier, "BETON01").await.unwrap();
    cost_support::send_invoice(&s, "T7000003", "000124", None).await;
    s.wait_for(INVOICE, TO_PROCORE, "T7000003", "synced").await;
    let dc = direct_cost(&s, INVOICE, "T7000003").await;
    assert_eq!(dc["direct_cost_type"], "invoice");
    assert_eq!(dc["status"], "approved");
    assert_eq!(dc["vendor_id"], vendor);
    assert_eq!(dc["invoice_number"], "F-2002");
    assert_eq!(dc["origin_id"], "order_invoice:T7000003");
    assert_eq!(dc["grand_total"], "1250.00");
    let lines = lines_of(&s, p, dc["id"].as_i64().unwrap());
    assert_eq!(lines[0]["cost_code"]["code"], "01-A-002");
}

#[tokio::test]
async fn a_burst_of_costs_reads_the_cost_codes_once_and_costs_two_calls_each() {
    let s = Stack::start().await;
    project(&s).await;
    let before = s.procore.stats().requests;
    let mut keys = Vec::new();
    for _ in 0..6 {
        keys.push(send(&s, cost('C', None)).await);
    }
    for key in &keys {
        s.wait_for(COST, TO_PROCORE, key, "synced").await;
    }
    let calls = s.procore.stats().requests - before;
    // Per cost: the direct cost and its lines; per project: cost codes and cost types, once.
    assert_eq!(calls, 2 * 6 + 2, "{calls} Procore calls for 6 costs");
}

#[tokio::test]
async fn an_invoice_without_invoice_number_is_sent_under_its_cost_number_with_a_warning() {
    let s = Stack::start().await;
    project(&s).await;
    sync(&s, EntityKind::Supplier, "BETON01").await;
    let mut t = cost('1', Some("BETON01"));
    t.invoice_no = None;
    let key = send(&s, t).await;
    let item = s.wait_for(COST, TO_PROCORE, &key, "synced").await;
    assert!(
        item.says("warning", "no invoice number"),
        "{:?}",
        item.messages
    );
    assert_eq!(direct_cost(&s, COST, &key).await["invoice_number"], key);
}
