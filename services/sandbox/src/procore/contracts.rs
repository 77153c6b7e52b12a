//! Show shapes of contracts (work orders, purchase orders, prime contracts), their line items
//! and change orders, with the totals Procore derives (as decimal strings).

use serde_json::{Map, Value, json};

use super::render::{
    copy, cost_code_ref, line_amount, lines_total, money, project_ref, render, time, type_ref,
};
use super::store::{Kind, Row, Store};

pub(super) fn contract(store: &Store, row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "number",
            "title",
            "status",
            "executed",
            "private",
            "description",
            "inclusions",
            "exclusions",
            "accounting_method",
            "contract_date",
            "contract_start_date",
            "contract_estimated_completion_date",
            "actual_completion_date",
            "execution_date",
            "issued_on_date",
            "signed_contract_received_date",
            "origin_code",
        ],
    );
    let line_kind = match row.kind {
        Kind::WorkOrderContract => Kind::WorkOrderContractLineItem,
        Kind::PurchaseOrderContract => Kind::PurchaseOrderContractLineItem,
        _ => Kind::PrimeContractLineItem,
    };
    let total = lines_total(store, line_kind, row.id);
    let (mut approved, mut pending, mut draft) = (0.0, 0.0, 0.0);
    for co in store
        .iter(Kind::ChangeOrder)
        .filter(|c| c.i64("contract_id") == Some(row.id))
    {
        let amount = lines_total(store, Kind::ChangeOrderLineItem, co.id);
        match co.str("status").unwrap_or("draft") {
            "approved" => approved += amount,
            "draft" => draft += amount,
            "pending" | "pricing" | "proceeding" | "revised" => pending += amount,
            _ => {}
        }
    }
    out.insert(
        "retainage_percent".into(),
        money(row.f64("retainage_percent")),
    );
    out.insert("grand_total".into(), money(total));
    out.insert("approved_change_orders".into(), money(approved));
    out.insert("pending_change_orders".into(), money(pending));
    out.insert("draft_change_orders_amount".into(), money(draft));
    out.insert("revised_contract".into(), money(total + approved));
    out.insert(
        "pending_revised_contract".into(),
        money(total + approved + pending),
    );
    out.insert("total_payments".into(), money(0.0));
    out.insert("percentage_paid".into(), money(0.0));
    out.insert(
        "remaining_balance_outstanding".into(),
        money(total + approved),
    );
    out.insert("project".into(), project_ref(store, row));
    out.insert(
        "deleted_at".into(),
        row.deleted_at.map_or(Value::Null, time),
    );
    let vendor = row.i64("vendor_id").and_then(|id| store.get(Kind::Vendor, id)).map(|v| json!({ "id": v.id, "company": v.str("name").unwrap_or_default(), "origin_id": v.fields.get("origin_id").cloned().unwrap_or(Value::Null), "origin_data": v.fields.get("origin_data").cloned().unwrap_or(Value::Null) }));
    out.insert("vendor".into(), vendor.unwrap_or(Value::Null));
    let kind_name = match row.kind {
        Kind::WorkOrderContract => "WorkOrderContract",
        Kind::PurchaseOrderContract => "PurchaseOrderContract",
        _ => "PrimeContract",
    };
    out.insert("type".into(), json!(kind_name));
    if row.kind == Kind::PrimeContract {
        out.insert("revised_contract_amount".into(), money(total + approved));
        out.insert("pending_change_orders_amount".into(), money(pending));
        out.insert(
            "pending_revised_contract_amount".into(),
            money(total + approved + pending),
        );
        out.insert("line_items_total".into(), money(total));
        out.insert("owner_invoices_amount".into(), money(0.0));
        out.insert("outstanding_balance".into(), money(0.0));
    }
    let lines: Vec<Value> = store
        .children(line_kind, row.id)
        .map(|l| render(store, l))
        .collect();
    out.insert("line_items".into(), Value::Array(lines));
}

pub(super) fn line(store: &Store, row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "description",
            "uom",
            "extended_type",
            "tax_code_id",
            "position",
        ],
    );
    let amount = line_amount(row);
    out.insert("amount".into(), money(amount));
    out.insert("extended_amount".into(), money(amount));
    out.insert("total_amount".into(), money(amount));
    out.insert("quantity".into(), money(row.f64("quantity")));
    out.insert("unit_cost".into(), money(row.f64("unit_cost")));
    out.insert(
        "cost_code".into(),
        cost_code_ref(store, row.i64("cost_code_id")),
    );
    out.insert(
        "line_item_type".into(),
        type_ref(store, row.i64("line_item_type_id")),
    );
    let holder_type = match row.kind {
        Kind::WorkOrderContractLineItem => "WorkOrderContract",
        Kind::PurchaseOrderContractLineItem => "PurchaseOrderContract",
        Kind::PrimeContractLineItem => "PrimeContract",
        Kind::ChangeOrderLineItem => "ChangeOrderPackage",
        _ => "DirectCost",
    };
    out.insert(
        "holder".into(),
        json!({ "id": row.parent_id, "holder_type": holder_type }),
    );
    out.insert("project".into(), project_ref(store, row));
    let company = store
        .companies
        .get(&row.company_id)
        .cloned()
        .unwrap_or_default();
    out.insert(
        "company".into(),
        json!({ "id": row.company_id, "name": company }),
    );
    if row.kind == Kind::DirectCostLineItem {
        out.insert("direct_cost_id".into(), json!(row.parent_id));
    }
}

pub(super) fn change_order(store: &Store, row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "contract_id",
            "number",
            "title",
            "description",
            "status",
            "due_date",
            "invoiced_date",
            "paid_date",
            "executed",
            "private",
            "schedule_impact_amount",
            "origin_code",
            "reviewed_at",
        ],
    );
    out.insert("revision".into(), json!(row.i64("revision").unwrap_or(0)));
    out.insert(
        "grand_total".into(),
        money(lines_total(store, Kind::ChangeOrderLineItem, row.id)),
    );
    let prime = row
        .i64("contract_id")
        .and_then(|id| store.get(Kind::PrimeContract, id))
        .is_some();
    out.insert(
        "type".into(),
        json!(if prime {
            "PrimeContractChangeOrder"
        } else {
            "CommitmentContractChangeOrder"
        }),
    );
    out.insert("legacy_package_id".into(), json!(row.id));
    out.insert(
        "deleted_at".into(),
        row.deleted_at.map_or(Value::Null, time),
    );
    let lines: Vec<Value> = store
        .children(Kind::ChangeOrderLineItem, row.id)
        .map(|l| render(store, l))
        .collect();
    out.insert("line_items".into(), Value::Array(lines));
    out.insert(
        "currency_configuration".into(),
        json!({ "currency_iso_code": "CAD", "base_currency_iso_code": "CAD" }),
    );
}
