//! Records created in maestro* from Procore: purchase and stock orders, subcontracts,
//! subcontract change orders, progress billing contracts and their change orders. Each has a
//! `New…` form (what the bridge sends; maestro* assigns the number) and the stored form.

use crate::codes::ProjectCode;
use crate::decimal::{Amount, Quantity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One cost-breakdown line (orders, subcontracts, change orders, transactions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct CostLine {
    pub line_no: u32,
    pub activity: String,
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Amount>,
    pub amount: Amount,
}

/// Which maestro* option an order lives in (the connection's orders mode, rules §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderKind {
    /// Purchase Order Management.
    Purchase,
    /// Stock Order from Catalogue.
    Stock,
}

impl OrderKind {
    /// The path segment of this kind in the contract.
    pub fn path(self) -> &'static str {
        match self {
            OrderKind::Purchase => "purchase-orders",
            OrderKind::Stock => "stock-orders",
        }
    }
}

/// An order to create from a Procore purchase order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Order", rename_all = "PascalCase", deny_unknown_fields)]
pub struct NewOrder {
    /// Procore's purchase order number ("No Externe", at most 40).
    pub external_no: String,
    pub project: ProjectCode,
    pub supplier_code: String,
    pub order_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    /// Procore title + description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdback_percent: Option<Quantity>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

/// A purchase order or stock order as maestro* stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Order {
    /// Assigned by maestro* from the counter shared with subcontracts.
    pub number: String,
    pub kind: OrderKind,
    pub external_no: String,
    pub project: ProjectCode,
    pub supplier_code: String,
    pub order_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdback_percent: Option<Quantity>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

/// A subcontract to create from a Procore work order contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "Subcontract", rename_all = "PascalCase", deny_unknown_fields)]
pub struct NewSubcontract {
    pub external_no: String,
    pub project: ProjectCode,
    pub supplier_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdback_percent: Option<Quantity>,
    /// Procore title + description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Subcontract {
    pub number: String,
    pub external_no: String,
    pub project: ProjectCode,
    pub supplier_code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdback_percent: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

/// A change order to create on a subcontract (from an approved Procore commitment CO).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ChangeOrder", rename_all = "PascalCase", deny_unknown_fields)]
pub struct NewChangeOrder {
    /// The subcontract's maestro* number.
    pub contract_no: String,
    pub external_no: String,
    pub initiated_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ChangeOrder {
    pub contract_no: String,
    /// 1, 2, … within the subcontract.
    pub number: u32,
    pub external_no: String,
    pub initiated_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

/// How a progress billing contract is billed (Procore accounting method).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProgressType {
    /// Amount based.
    Rate,
    /// Unit/quantity based.
    Quantity,
}

/// One line of a billing contract or billing change order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BillingLine {
    pub line_no: u32,
    pub activity: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<Quantity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_price: Option<Amount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Amount>,
}

/// A progress billing contract to create from a Procore prime contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename = "BillingContract",
    rename_all = "PascalCase",
    deny_unknown_fields
)]
pub struct NewBillingContract {
    pub project: ProjectCode,
    pub customer_code: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdback_percent: Option<Quantity>,
    pub original_amount: Amount,
    pub progress_type: ProgressType,
    #[serde(rename = "Line", default)]
    pub lines: Vec<BillingLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BillingContract {
    /// Always the project number: one contract per project.
    pub number: ProjectCode,
    pub project: ProjectCode,
    pub customer_code: String,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holdback_percent: Option<Quantity>,
    pub original_amount: Amount,
    pub progress_type: ProgressType,
    #[serde(rename = "Line", default)]
    pub lines: Vec<BillingLine>,
}

/// A change order to add to a project's progress billing contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename = "BillingChangeOrder",
    rename_all = "PascalCase",
    deny_unknown_fields
)]
pub struct NewBillingChangeOrder {
    /// The contract number, i.e. the project number.
    pub contract_no: ProjectCode,
    pub external_no: String,
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<BillingLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BillingChangeOrder {
    pub contract_no: ProjectCode,
    pub number: u32,
    pub external_no: String,
    pub date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "Line", default)]
    pub lines: Vec<BillingLine>,
}
