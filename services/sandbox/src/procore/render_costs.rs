//! The Show shapes of direct costs and requisitions (subcontractor invoices), with the vendor,
//! employee and commitment they name and their totals as decimal strings.

use serde_json::{Map, Value, json};

use super::render::{copy, lines_total, money, named, time};
use super::store::{Kind, Row, Store};

pub(super) fn direct_cost(store: &Store, row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "direct_cost_type",
            "status",
            "vendor_id",
            "invoice_number",
            "direct_cost_date",
            "received_date",
            "payment_date",
            "terms",
            "description",
        ],
    );
    out.insert(
        "vendor".into(),
        named(store, Kind::Vendor, row.i64("vendor_id"), "name"),
    );
    let vendor_name = row
        .i64("vendor_id")
        .and_then(|id| store.get(Kind::Vendor, id))
        .and_then(|v| v.str("name"))
        .map(str::to_string);
    out.insert("vendor_name".into(), json!(vendor_name));
    let employee = row.i64("employee_id").and_then(|id| store.get(Kind::User, id)).map(|u| json!({ "id": u.id, "name": format!("{} {}", u.str("first_name").unwrap_or_default(), u.str("last_name").unwrap_or_default()).trim() }));
    out.insert("employee".into(), employee.unwrap_or(Value::Null));
    out.insert(
        "grand_total".into(),
        money(lines_total(store, Kind::DirectCostLineItem, row.id)),
    );
    out.insert(
        "line_items_count".into(),
        json!(store.children(Kind::DirectCostLineItem, row.id).count()),
    );
    out.insert("attachments".into(), json!([]));
    out.insert("attachments_count".into(), json!(0));
    out.insert(
        "deleted_at".into(),
        row.deleted_at.map_or(Value::Null, time),
    );
}

pub(super) fn requisition(store: &Store, row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "commitment_id",
            "invoice_number",
            "status",
            "billing_date",
            "requisition_start",
            "requisition_end",
            "period_id",
        ],
    );
    out.insert("project_id".into(), json!(row.project_id));
    let commitment = row.i64("commitment_id").and_then(|id| {
        store
            .get(Kind::WorkOrderContract, id)
            .or_else(|| store.get(Kind::PurchaseOrderContract, id))
    });
    out.insert(
        "commitment_type".into(),
        json!(commitment.map(|c| if c.kind == Kind::WorkOrderContract {
            "WorkOrderContract"
        } else {
            "PurchaseOrderContract"
        })),
    );
    out.insert(
        "contract_name".into(),
        json!(commitment.and_then(|c| c.str("title"))),
    );
    let vendor = commitment
        .and_then(|c| c.i64("vendor_id"))
        .and_then(|id| store.get(Kind::Vendor, id))
        .and_then(|v| v.str("name"));
    out.insert("vendor_name".into(), json!(vendor));
    out.insert("number".into(), json!(row.i64("number").unwrap_or(1)));
    out.insert(
        "total_claimed_amount".into(),
        money(row.f64("total_claimed_amount")),
    );
    out.insert("percent_complete".into(), money(0.0));
    out.insert("final".into(), json!(false));
    out.insert("deletable".into(), json!(true));
    out.insert(
        "currency_configuration".into(),
        json!({ "currency_iso_code": "CAD" }),
    );
}
