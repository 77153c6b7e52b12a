//! Turns stored rows into the JSON Procore answers with: the written fields plus the read-only
//! ones Procore derives (full codes, totals as strings on contracts, nested `vendor`/`project`).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use super::store::{Kind, Row, Store};

pub fn time(at: DateTime<Utc>) -> Value {
    Value::String(at.to_rfc3339_opts(SecondsFormat::Millis, true))
}

/// Amounts on contracts and budget views are decimal strings.
pub fn money(amount: f64) -> Value {
    Value::String(format!("{amount:.2}"))
}

pub(super) fn copy(out: &mut Map<String, Value>, row: &Row, keys: &[&str]) {
    for key in keys {
        out.insert(
            (*key).to_string(),
            row.fields.get(*key).cloned().unwrap_or(Value::Null),
        );
    }
}

fn base(row: &Row) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("id".into(), json!(row.id));
    copy(&mut out, row, &["origin_id", "origin_data"]);
    out.insert("created_at".into(), time(row.created_at));
    out.insert("updated_at".into(), time(row.updated_at));
    out
}

pub(super) fn named(store: &Store, kind: Kind, id: Option<i64>, key: &str) -> Value {
    match id.and_then(|id| store.get(kind, id)) {
        Some(r) => json!({ "id": r.id, key: r.str("name").unwrap_or_default() }),
        None => Value::Null,
    }
}

/// `01-A-001`: the codes of the parent chain joined with `-`.
pub fn full_code(store: &Store, row: &Row) -> String {
    let mut parts = vec![row.str("code").unwrap_or_default().to_string()];
    let mut parent = row.i64("parent_id");
    while let Some(p) = parent.and_then(|id| store.get(Kind::CostCode, id)) {
        if parts.len() > 16 {
            break;
        }
        parts.push(p.str("code").unwrap_or_default().to_string());
        parent = p.i64("parent_id");
    }
    parts.reverse();
    parts.join("-")
}

fn root_code<'a>(store: &'a Store, row: &'a Row) -> &'a Row {
    let mut current = row;
    for _ in 0..16 {
        match current
            .i64("parent_id")
            .and_then(|id| store.get(Kind::CostCode, id))
        {
            Some(p) => current = p,
            None => break,
        }
    }
    current
}

pub fn cost_code_ref(store: &Store, id: Option<i64>) -> Value {
    match id.and_then(|id| store.get(Kind::CostCode, id)) {
        Some(c) => {
            json!({ "id": c.id, "name": c.str("name").unwrap_or_default(), "code": c.str("code").unwrap_or_default(), "full_code": full_code(store, c), "origin_id": c.fields.get("origin_id").cloned().unwrap_or(Value::Null) })
        }
        None => Value::Null,
    }
}

pub fn line_item_type(row: &Row) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(row.id));
    copy(
        &mut out,
        row,
        &["name", "code", "base_type", "origin_data", "origin_id"],
    );
    Value::Object(out)
}

pub(super) fn type_ref(store: &Store, id: Option<i64>) -> Value {
    id.and_then(|id| store.get(Kind::LineItemType, id))
        .map_or(Value::Null, line_item_type)
}

/// The effective amount of a line: quantity × unit cost when calculated, else `amount`.
pub fn line_amount(row: &Row) -> f64 {
    let calculated = row.str("extended_type") == Some("calculated")
        || row.fields.get("amount").is_none_or(Value::is_null);
    if calculated {
        row.f64("quantity") * row.f64("unit_cost")
    } else {
        row.f64("amount")
    }
}

pub fn lines_total(store: &Store, kind: Kind, parent: i64) -> f64 {
    store.children(kind, parent).map(line_amount).sum()
}

pub(super) fn project_ref(store: &Store, row: &Row) -> Value {
    named(store, Kind::Project, row.project_id, "name")
}

/// Renders any row as its Show shape.
pub fn render(store: &Store, row: &Row) -> Value {
    let mut out = base(row);
    match row.kind {
        Kind::Project => {
            super::render_directory::project(store, row, &mut out);
        }
        Kind::Vendor => {
            super::render_directory::vendor(row, &mut out);
        }
        Kind::User => {
            super::render_directory::user(store, row, &mut out);
        }
        Kind::CostCode => {
            copy(
                &mut out,
                row,
                &["code", "name", "position", "standard_cost_code_id"],
            );
            let full = full_code(store, row);
            out.insert("sortable_code".into(), json!(full));
            out.insert("full_code".into(), json!(full));
            out.insert(
                "parent".into(),
                row.i64("parent_id")
                    .map_or(Value::Null, |id| json!({ "id": id })),
            );
            let project = row.project_id.and_then(|p| store.get(Kind::Project, p));
            out.insert(
                "biller".into(),
                json!(project.and_then(|p| p.str("name")).unwrap_or_default()),
            );
            out.insert("biller_id".into(), json!(row.project_id));
            out.insert("biller_type".into(), json!("Project"));
            out.insert(
                "budgeted".into(),
                json!(
                    store
                        .iter(Kind::BudgetLineItem)
                        .any(|b| b.i64("cost_code_id") == Some(row.id))
                ),
            );
            out.insert(
                "deleted_at".into(),
                row.deleted_at.map_or(Value::Null, time),
            );
            let types: Vec<Value> = store
                .iter(Kind::LineItemType)
                .filter(|t| t.company_id == row.company_id)
                .map(line_item_type)
                .collect();
            out.insert("line_item_types".into(), Value::Array(types));
        }
        Kind::LineItemType => return line_item_type(row),
        Kind::BudgetLineItem => return super::budget::render_line(store, row),
        Kind::WorkOrderContract | Kind::PurchaseOrderContract | Kind::PrimeContract => {
            super::contracts::contract(store, row, &mut out)
        }
        Kind::WorkOrderContractLineItem
        | Kind::PurchaseOrderContractLineItem
        | Kind::PrimeContractLineItem
        | Kind::ChangeOrderLineItem
        | Kind::DirectCostLineItem => super::contracts::line(store, row, &mut out),
        Kind::ChangeOrder => super::contracts::change_order(store, row, &mut out),
        Kind::DirectCost => {
            super::render_costs::direct_cost(store, row, &mut out);
        }
        Kind::BudgetModification => {}
        Kind::Requisition => {
            super::render_costs::requisition(store, row, &mut out);
        }
    }
    Value::Object(out)
}

/// The root (division) of a cost code, for budget rows.
pub fn division(store: &Store, cost_code_id: Option<i64>) -> Option<&Row> {
    cost_code_id
        .and_then(|id| store.get(Kind::CostCode, id))
        .map(|c| root_code(store, c))
}
