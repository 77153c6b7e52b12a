//! Set-up for the cost flows' end-to-end tests: maestro* project P-100 linked to its Procore
//! project (through the project flow), Procore cost codes and cost types, the supplier
//! BETON01, and maestro* transactions and order invoices to send.

#![allow(dead_code)]

use crate::flows_support::{COMPANY, Stack};
use bridge_domain::{Action, Direction, EntityKind};
use bridge_maestro::{self as mx, ProjectCode, TransactionStatus, TypeCode};
use bridge_procore::writes::{NewCostCode, NewLineItemType};
use bridge_sandbox::procore::Kind;
use chrono::NaiveDate;
use serde_json::Value;

pub const TO_PROCORE: Direction = Direction::ToProcore;

/// Sends a maestro* record through its flow and waits until it is synced.
pub async fn sync(s: &Stack, kind: EntityKind, key: &str) {
    s.emit(kind, TO_PROCORE, Action::Create, key, None).await;
    s.wait_for(kind, TO_PROCORE, key, "synced").await;
}

/// maestro* project P-100 and supplier BETON01; the project linked to Procore, with cost
/// codes 01 > 01-A-001, 01-A-002 (direct mode) and the cost types MAT and SST. Returns the
/// Procore project id.
pub async fn project(s: &Stack) -> i64 {
    s.add_project("P-100", "Garage municipal de Laval");
    s.add_supplier("BETON01", "Béton Laval inc.");
    sync(s, EntityKind::Project, "P-100").await;
    let (project, _) = s.link(EntityKind::Project, "P-100").await.unwrap();
    let c = s.procore_user();
    let code = |code: &str, parent: Option<i64>| NewCostCode {
        code: Some(code.to_owned()),
        name: Some("Travaux".to_owned()),
        parent_id: parent.map(Into::into),
        ..NewCostCode::default()
    };
    let root = c
        .create_cost_code(project, &code("01", None))
        .await
        .unwrap()
        .id
        .0;
    for leaf in ["01-A-001", "01-A-002"] {
        c.create_cost_code(project, &code(leaf, Some(root)))
            .await
            .unwrap();
    }
    for (code, base) in [("MAT", "materials"), ("SST", "commitment")] {
        let kind = NewLineItemType {
            name: Some(code.to_owned()),
            code: Some(code.to_owned()),
            base_type: Some(base.to_owned()),
        };
        c.create_line_item_type(&kind).await.unwrap();
    }
    project
}

pub fn amount(v: &str) -> mx::Amount {
    v.parse().unwrap()
}

pub fn line(no: u32, activity: &str, group: &str, amount_: &str) -> mx::CostLine {
    mx::CostLine {
        line_no: no,
        activity: activity.to_owned(),
        group: group.to_owned(),
        description: Some(format!("ligne {no}")),
        quantity: Some("8".parse().unwrap()),
        unit: Some("h".to_owned()),
        unit_price: Some("50".parse().unwrap()),
        amount: amount(amount_),
    }
}

/// An approved, transferred cost of `type_code` on P-100 with one line on 01-A-001 / MAT.
pub fn cost(type_code: char, supplier: Option<&str>) -> mx::Transaction {
    let day = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap();
    mx::Transaction {
        id: String::new(),
        project: ProjectCode::new("P-100").unwrap(),
        type_code: TypeCode::new(type_code).unwrap(),
        status: TransactionStatus::Transferred,
        approved: true,
        entry_date: day,
        accounting_date: day,
        description: Some("Béton coulé".to_owned()),
        supplier_code: supplier.map(str::to_owned),
        employee_number: None,
        invoice_no: supplier.map(|_| "F-1001".to_owned()),
        order_no: None,
        amount: amount("400.00"),
        lines: vec![line(1, "01-A-001", "MAT", "400.00")],
    }
}

/// Enters the cost in maestro* and sends it; returns its key.
pub async fn send(s: &Stack, t: mx::Transaction) -> String {
    let key = s.maestro.add_transaction(COMPANY, t).unwrap();
    s.emit(
        EntityKind::ProjectCost,
        TO_PROCORE,
        Action::Create,
        &key,
        Some("P-100"),
    )
    .await;
    key
}

/// The Procore direct cost linked to a maestro* key of `kind`, as Procore shows it.
pub async fn direct_cost(s: &Stack, kind: EntityKind, key: &str) -> Value {
    let (id, _) = s.link(kind, key).await.unwrap();
    s.procore.get_json(Kind::DirectCost, id).unwrap()
}

/// The lines of a direct cost, as Procore shows them.
pub fn lines_of(s: &Stack, project: i64, direct_cost: i64) -> Vec<Value> {
    s.procore
        .list_ids(Kind::DirectCostLineItem, project)
        .into_iter()
        .filter_map(|id| s.procore.get_json(Kind::DirectCostLineItem, id))
        .filter(|l| l["direct_cost_id"].as_i64() == Some(direct_cost))
        .collect()
}

/// An order invoice of P-100 from BETON01 against order `order_no` (from Procore when
/// `external_no` is given), entered in maestro* and sent; returns its key.
pub async fn send_invoice(s: &Stack, key: &str, order_no: &str, external_no: Option<&str>) {
    let day = NaiveDate::from_ymd_opt(2026, 5, 10).unwrap();
    let invoice = mx::OrderInvoice {
        transaction_id: key.to_owned(),
        invoice_no: "F-2002".to_owned(),
        order_no: order_no.to_owned(),
        order_external_no: external_no.map(str::to_owned),
        project: ProjectCode::new("P-100").unwrap(),
        supplier_code: "BETON01".to_owned(),
        invoice_date: day,
        accounting_date: day,
        status: TransactionStatus::Transferred,
        amount: amount("1250.00"),
        lines: vec![line(1, "01-A-002", "MAT", "1250.00")],
    };
    s.maestro.add_order_invoice(COMPANY, invoice).unwrap();
    let kind = EntityKind::OrderInvoice;
    s.emit(kind, TO_PROCORE, Action::Create, key, Some("P-100"))
        .await;
}

/// An approved Procore purchase order PO-001 from BETON01 on `project`, brought to maestro*
/// by its flow; returns its Procore id and its maestro* number.
pub async fn procore_order(s: &Stack, project: i64) -> (i64, String) {
    use bridge_procore::writes::{NewContract, NewLineItem};
    let c = s.procore_user();
    let (vendor, _) = s.link(EntityKind::Supplier, "BETON01").await.unwrap();
    let contract = NewContract {
        number: Some("PO-001".to_owned()),
        title: Some("Béton coulé".to_owned()),
        vendor_id: Some(vendor.into()),
        status: Some("Draft".to_owned()),
        ..NewContract::default()
    };
    let order = c
        .create_purchase_order_contract(project, &contract)
        .await
        .unwrap()
        .id
        .0;
    let codes = c.cost_codes(project).await.unwrap();
    let code = codes
        .iter()
        .find(|c| c.code.as_deref() == Some("01-A-002"))
        .unwrap()
        .id;
    let material = c.line_item_types().await.unwrap()[0].id;
    let line = NewLineItem {
        description: Some("Pompage".to_owned()),
        cost_code_id: Some(code),
        line_item_type_id: Some(material),
        amount: Some(1250.0),
        ..NewLineItem::default()
    };
    c.create_purchase_order_line(project, order, &line)
        .await
        .unwrap();
    s.procore.approve_commitment(order).unwrap();
    let (kind, key) = (EntityKind::PurchaseOrder, order.to_string());
    let project = project.to_string();
    s.emit(
        kind,
        Direction::ToMaestro,
        Action::Create,
        &key,
        Some(&project),
    )
    .await;
    s.wait_for(kind, Direction::ToMaestro, &key, "synced").await;
    let number = s.maestro.orders(COMPANY)[0].number.clone();
    (order, number)
}
