//! Typed shapes of the Procore records the bridge reads. Ids are [`ProcoreId`] (exact 64-bit),
//! amounts are [`Amount`] (number or decimal string), and every optional field defaults, so a
//! record with fields missing or `null` still decodes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{Amount, ProcoreId};

/// `{ "id": ... }` references.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct IdRef {
    pub id: ProcoreId,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Project {
    pub id: ProcoreId,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub project_number: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state_code: Option<String>,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub start_date: Option<String>,
    #[serde(default)]
    pub completion_date: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub origin_id: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// A Company Directory company (supplier or, by design, customer).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Vendor {
    pub id: ProcoreId,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub abbreviated_name: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
    #[serde(default)]
    pub city: Option<String>,
    #[serde(default)]
    pub state_code: Option<String>,
    #[serde(default)]
    pub country_code: Option<String>,
    #[serde(default)]
    pub zip: Option<String>,
    #[serde(default)]
    pub business_phone: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub license_number: Option<String>,
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Keywords / tags (`NOTMAESTRO`, `CLIENT`, ...).
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub origin_id: Option<String>,
    #[serde(default)]
    pub updated_at: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct CompanyUser {
    pub id: ProcoreId,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub is_employee: Option<bool>,
    #[serde(default)]
    pub employee_id: Option<String>,
    #[serde(default)]
    pub is_active: Option<bool>,
    #[serde(default)]
    pub origin_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct CostCode {
    pub id: ProcoreId,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub full_code: Option<String>,
    #[serde(default)]
    pub parent: Option<IdRef>,
    #[serde(default)]
    pub origin_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct LineItemType {
    pub id: ProcoreId,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub base_type: Option<String>,
    #[serde(default)]
    pub origin_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct BudgetLineItem {
    pub id: ProcoreId,
    #[serde(default)]
    pub original_budget_amount: Amount,
    #[serde(default)]
    pub quantity: Amount,
    #[serde(default)]
    pub unit_cost: Amount,
    #[serde(default)]
    pub uom: Option<String>,
    #[serde(default)]
    pub cost_code: Option<IdRef>,
    #[serde(default)]
    pub line_item_type: Option<IdRef>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct BudgetView {
    pub id: ProcoreId,
    #[serde(default)]
    pub name: Option<String>,
}

/// A budget view row: fixed keys plus one key per column of the view.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct BudgetDetailRow {
    pub id: ProcoreId,
    #[serde(default)]
    pub cost_code_id: Option<ProcoreId>,
    #[serde(default)]
    pub category_id: Option<ProcoreId>,
    #[serde(default)]
    pub original_budget_amount: Amount,
    #[serde(default)]
    pub budget_modifications: Amount,
    #[serde(flatten)]
    pub columns: Map<String, Value>,
}

impl BudgetDetailRow {
    /// A dynamic column by display name (e.g. "Approved COs"), as an amount.
    pub fn column(&self, name: &str) -> Option<f64> {
        serde_json::from_value::<Amount>(self.columns.get(name)?.clone())
            .ok()
            .map(|a| a.0)
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct VendorRef {
    pub id: ProcoreId,
    #[serde(default)]
    pub company: Option<String>,
    #[serde(default)]
    pub origin_id: Option<String>,
}

/// A line of a commitment, prime contract, change order or direct cost.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct LineItem {
    pub id: ProcoreId,
    #[serde(default)]
    pub amount: Amount,
    #[serde(default)]
    pub quantity: Amount,
    #[serde(default)]
    pub unit_cost: Amount,
    #[serde(default)]
    pub uom: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub cost_code: Option<IdRef>,
    #[serde(default)]
    pub line_item_type: Option<IdRef>,
    #[serde(default)]
    pub origin_id: Option<String>,
}

/// A work order (subcontract), purchase order or prime contract.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Contract {
    pub id: ProcoreId,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub vendor: Option<VendorRef>,
    #[serde(default)]
    pub grand_total: Amount,
    #[serde(default)]
    pub origin_id: Option<String>,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ChangeOrder {
    pub id: ProcoreId,
    #[serde(default)]
    pub contract_id: Option<ProcoreId>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub grand_total: Amount,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct DirectCost {
    pub id: ProcoreId,
    #[serde(default)]
    pub direct_cost_type: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub grand_total: Amount,
    #[serde(default)]
    pub origin_id: Option<String>,
}

/// A webhook event as posted (v2 and v3; v4 ids arrive as strings and decode the same way).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct WebhookEvent {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub ulid: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default, alias = "reason")]
    pub event_type: Option<String>,
    #[serde(default, alias = "resource_type")]
    pub resource_name: Option<String>,
    pub resource_id: ProcoreId,
    #[serde(default)]
    pub company_id: Option<ProcoreId>,
    #[serde(default)]
    pub project_id: Option<ProcoreId>,
    #[serde(default)]
    pub user_id: Option<ProcoreId>,
    #[serde(default)]
    pub metadata: Option<Value>,
}

/// A webhook hook (destination).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Hook {
    pub id: ProcoreId,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub namespace: Option<String>,
    #[serde(default)]
    pub destination_url: Option<String>,
    #[serde(default)]
    pub owned_by_company_id: Option<ProcoreId>,
    #[serde(default)]
    pub owned_by_project_id: Option<ProcoreId>,
}

/// A webhook trigger (resource name + event type on a hook).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Trigger {
    pub id: ProcoreId,
    #[serde(default)]
    pub webhook_hook_id: Option<ProcoreId>,
    #[serde(default)]
    pub resource_name: Option<String>,
    #[serde(default)]
    pub event_type: Option<String>,
}
