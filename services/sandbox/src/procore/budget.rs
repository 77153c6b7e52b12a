//! The budget: budget line items with their derived amounts, the one company budget view and its
//! `detail_rows` (with the "Approved COs", "Committed Costs", "Direct Costs" and "Revised Budget"
//! columns computed from change orders, commitments and direct costs), and the line-item sync.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::render::{cost_code_ref, division, full_code, line_amount, money, time};
use super::store::{Kind, Row, Store};

/// Id of the single company-wide budget view ("Procore Standard Budget").
pub const BUDGET_VIEW_ID: i64 = 5_982_324_300_945_000_001;

/// Derived amounts of one cost code + cost type in a project.
#[derive(Clone, Copy, Debug, Default)]
pub struct Amounts {
    pub committed: f64,
    pub direct: f64,
    pub approved_cos: f64,
    pub pending_cos: f64,
}

type Key = (Option<i64>, Option<i64>);

fn key(line: &Row) -> Key {
    (line.i64("cost_code_id"), line.i64("line_item_type_id"))
}

/// Committed costs, direct costs and approved prime change orders per code + type of a project.
pub fn aggregates(store: &Store, project_id: i64) -> HashMap<Key, Amounts> {
    let mut out: HashMap<Key, Amounts> = HashMap::new();
    let approved_contract = |kind: Kind, id: Option<i64>| {
        id.and_then(|id| store.get(kind, id))
            .is_some_and(|c| matches!(c.str("status"), Some("Approved" | "Complete")))
    };
    for (kind, holder) in [
        (Kind::WorkOrderContractLineItem, Kind::WorkOrderContract),
        (
            Kind::PurchaseOrderContractLineItem,
            Kind::PurchaseOrderContract,
        ),
    ] {
        for line in store
            .iter(kind)
            .filter(|l| l.project_id == Some(project_id))
        {
            if approved_contract(holder, line.parent_id) {
                out.entry(key(line)).or_default().committed += line_amount(line);
            }
        }
    }
    for line in store
        .iter(Kind::DirectCostLineItem)
        .filter(|l| l.project_id == Some(project_id))
    {
        let approved = line
            .parent_id
            .and_then(|id| store.get(Kind::DirectCost, id))
            .is_some_and(|d| d.str("status") == Some("approved"));
        if approved {
            out.entry(key(line)).or_default().direct += line_amount(line);
        }
    }
    for line in store
        .iter(Kind::ChangeOrderLineItem)
        .filter(|l| l.project_id == Some(project_id))
    {
        let Some(co) = line
            .parent_id
            .and_then(|id| store.get(Kind::ChangeOrder, id))
        else {
            continue;
        };
        let status = co.str("status").unwrap_or("draft");
        let contract = co.i64("contract_id");
        let entry = out.entry(key(line)).or_default();
        if contract
            .and_then(|id| store.get(Kind::PrimeContract, id))
            .is_some()
        {
            match status {
                "approved" => entry.approved_cos += line_amount(line),
                "pending" | "pricing" | "proceeding" => entry.pending_cos += line_amount(line),
                _ => {}
            }
        } else if status == "approved" {
            entry.committed += line_amount(line);
        }
    }
    out
}

fn type_ref(store: &Store, id: Option<i64>) -> Value {
    id.and_then(|id| store.get(Kind::LineItemType, id)).map_or(
        Value::Null,
        |t| json!({ "id": t.id, "name": t.str("name").unwrap_or_default() }),
    )
}

/// Show shape of a budget line item.
pub fn render_line(store: &Store, row: &Row) -> Value {
    let amounts = row
        .project_id
        .map(|p| {
            aggregates(store, p)
                .get(&key(row))
                .copied()
                .unwrap_or_default()
        })
        .unwrap_or_default();
    render_line_with(store, row, amounts)
}

fn render_line_with(store: &Store, row: &Row, a: Amounts) -> Value {
    let original = row.f64("original_budget_amount");
    let modifications = row.f64("budget_modifications");
    let revised = original + modifications + a.approved_cos;
    let projected_costs = a.committed + a.direct;
    let division = division(store, row.i64("cost_code_id")).map_or(Value::Null, |d| json!({ "id": d.id, "name": d.str("name").unwrap_or_default(), "full_code": full_code(store, d) }));
    json!({
        "id": row.id,
        "original_budget_amount": original,
        "uom": row.fields.get("uom").cloned().unwrap_or(Value::Null),
        "quantity": row.f64("quantity"),
        "unit_cost": row.f64("unit_cost"),
        "calculation_strategy": row.str("calculation_strategy").unwrap_or("manual"),
        "approved_budget_changes": modifications,
        "revised_budget": revised,
        "pending_budget_changes": a.pending_cos,
        "projected_budget": revised + a.pending_cos,
        "committed_costs": a.committed,
        "direct_costs": a.direct,
        "pending_cost_changes": 0.0,
        "projected_costs": projected_costs,
        "budget_forecast": (revised - projected_costs).max(0.0),
        "estimated_cost_at_completion": projected_costs.max(revised),
        "projected_over_under": revised - projected_costs.max(revised),
        "cost_code": cost_code_ref(store, row.i64("cost_code_id")),
        "division": division,
        "line_item_type": type_ref(store, row.i64("line_item_type_id")),
        "wbs_code": { "id": row.id, "flat_code": wbs_flat_code(store, row), "description": row.fields.get("uom").cloned().unwrap_or(Value::Null) },
        "currency_configuration": { "currency_iso_code": "CAD" },
        "created_at": time(row.created_at),
        "updated_at": time(row.updated_at),
    })
}

/// `<cost code full code>.<cost type code>`: the flat code of a line's WBS code.
pub(super) fn wbs_flat_code(store: &Store, row: &Row) -> String {
    let code = row
        .i64("cost_code_id")
        .and_then(|id| store.get(Kind::CostCode, id))
        .map(|c| full_code(store, c))
        .unwrap_or_default();
    let kind = row
        .i64("line_item_type_id")
        .and_then(|id| store.get(Kind::LineItemType, id))
        .and_then(|t| t.str("code"))
        .unwrap_or_default()
        .to_string();
    format!("{code}.{kind}")
}

/// `GET /rest/v1.0/budget_views?project_id=`.
pub fn views(company: &str) -> Value {
    json!([{
        "id": BUDGET_VIEW_ID,
        "name": "Procore Standard Budget",
        "description": format!("Standard budget view of {company}"),
        "role": "standard",
        "links": { "detail_rows": "/rest/v1.0/budget_views/{id}/detail_rows", "summary_rows": "/rest/v1.0/budget_views/{id}/summary_rows" },
    }])
}

fn code_label(store: &Store, row: Option<&Row>) -> Value {
    row.map_or(Value::Null, |c| {
        json!(format!(
            "{} - {}",
            full_code(store, c),
            c.str("name").unwrap_or_default()
        ))
    })
}

/// The view's columns beyond the fixed keys, as `budget_detail_columns` lists them.
pub const SOURCE_COLUMNS: [&str; 5] = [
    "Approved COs",
    "Pending Budget Changes",
    "Revised Budget",
    "Committed Costs",
    "Direct Costs",
];

/// `GET /rest/v1.0/budget_views/{id}/budget_detail_columns`.
pub fn columns() -> Value {
    let standard = [
        "Cost Code",
        "Cost Type",
        "Original Budget Amount",
        "Budget Modifications",
    ];
    let all = standard
        .iter()
        .map(|n| (*n, "standard"))
        .chain(SOURCE_COLUMNS.iter().map(|n| (*n, "source")));
    Value::Array(
        all.enumerate()
            .map(|(i, (name, kind))| json!({ "id": name, "name": name, "type": kind, "position": i + 1, "aggregatable": kind == "source", "filterable": kind == "standard", "groupable": kind == "standard" }))
            .collect(),
    )
}

/// The budgeted detail rows of a project, with the view's source columns by display name.
pub fn detail_rows(store: &Store, project_id: i64) -> Vec<Value> {
    let totals = aggregates(store, project_id);
    let project = store.get(Kind::Project, project_id);
    let project_name = project.and_then(|p| p.str("name")).unwrap_or_default();
    let company_id = project.map(|p| p.company_id).unwrap_or_default();
    let company = store
        .companies
        .get(&company_id)
        .cloned()
        .unwrap_or_default();
    store
        .iter(Kind::BudgetLineItem)
        .filter(|b| b.project_id == Some(project_id))
        .map(|b| {
            let a = totals.get(&key(b)).copied().unwrap_or_default();
            let code = b.i64("cost_code_id").and_then(|id| store.get(Kind::CostCode, id));
            let root = division(store, b.i64("cost_code_id"));
            let category = b.i64("line_item_type_id").and_then(|id| store.get(Kind::LineItemType, id));
            let original = b.f64("original_budget_amount");
            let modifications = b.f64("budget_modifications");
            let revised = original + modifications + a.approved_cos;
            let mut row = Map::new();
            for (k, v) in [
                ("id", json!(b.id)),
                ("deletable", json!(a.committed == 0.0 && a.direct == 0.0)),
                ("company_id", json!(company_id)),
                ("company", json!(company)),
                ("project_id", json!(project_id)),
                ("project", json!(project_name)),
                ("wbs_code_id", json!(b.id)),
                ("biller_id", json!(project_id)),
                ("biller", json!(project_name)),
                ("biller_type", json!("Project")),
                ("root_cost_code_id", json!(root.map(|r| r.id))),
                ("root_cost_code", code_label(store, root)),
                ("cost_code_id", json!(code.map(|c| c.id))),
                ("cost_code", code_label(store, code)),
                ("cost_code_origin_id", code.and_then(|c| c.fields.get("origin_id").cloned()).unwrap_or(Value::Null)),
                ("category_id", json!(category.map(|c| c.id))),
                ("category", json!(category.and_then(|c| c.str("name")))),
                ("original_budget_amount", money(original)),
                ("budget_modifications", money(modifications)),
                ("budget_forecast", json!({ "id": b.id, "manual_amount": null, "automatic_amount": money(revised - a.committed - a.direct), "amount": money(revised - a.committed - a.direct), "automatically_calculated": true, "calculation_strategy": "automatic", "notes": null })),
                ("currency_configuration", json!({ "currency_iso_code": "CAD" })),
                ("unbudgeted_reason", Value::Null),
                ("Approved COs", money(a.approved_cos)),
                ("Pending Budget Changes", money(a.pending_cos)),
                ("Revised Budget", money(revised)),
                ("Committed Costs", money(a.committed)),
                ("Direct Costs", money(a.direct)),
            ] {
                row.insert(k.to_string(), v);
            }
            Value::Object(row)
        })
        .collect()
}

/// The budget line (if any) already holding a cost code + cost type in a project.
pub fn existing_line(
    store: &Store,
    project_id: i64,
    cost_code_id: Option<i64>,
    type_id: Option<i64>,
) -> Option<i64> {
    store
        .iter(Kind::BudgetLineItem)
        .find(|b| {
            b.project_id == Some(project_id)
                && b.i64("cost_code_id") == cost_code_id
                && b.i64("line_item_type_id") == type_id
        })
        .map(|b| b.id)
}
