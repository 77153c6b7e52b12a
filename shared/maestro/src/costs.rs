//! What maestro* sends to Procore after the fact: project-cost transactions and order invoices,
//! plus the writes on existing projects (budget Modification column, last transaction date).

use crate::codes::{ProjectCode, TypeCode};
use crate::commitments::CostLine;
use crate::decimal::{Amount, Quantity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whether a transaction has been posted to the general ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransactionStatus {
    NotTransferred,
    Transferred,
}

/// A project-cost transaction (Projects Inquiry > Transactions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Transaction {
    /// maestro*'s transaction key, unique in the company (at most 20 characters).
    pub id: String,
    pub project: ProjectCode,
    #[serde(rename = "Type")]
    pub type_code: TypeCode,
    pub status: TransactionStatus,
    pub approved: bool,
    pub entry_date: NaiveDate,
    pub accounting_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_no: Option<String>,
    pub amount: Amount,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

impl Transaction {
    /// Eligible for Procore: approved, transferred, and of a synchronized type (docs/rules.md).
    pub fn is_eligible(&self) -> bool {
        self.approved && self.status == TransactionStatus::Transferred && self.type_code.is_synced()
    }
}

/// An invoice entered against an order, stock order or subcontract (Purchase Order Invoicing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct OrderInvoice {
    /// The key of the type `7` transaction this invoice created.
    pub transaction_id: String,
    pub invoice_no: String,
    pub order_no: String,
    /// Present when the order came from Procore: the invoice then goes on that commitment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_external_no: Option<String>,
    pub project: ProjectCode,
    pub supplier_code: String,
    pub invoice_date: NaiveDate,
    pub accounting_date: NaiveDate,
    pub status: TransactionStatus,
    pub amount: Amount,
    #[serde(rename = "Line", default)]
    pub lines: Vec<CostLine>,
}

/// New values for the Modification column of one budget line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BudgetModification {
    pub activity: String,
    pub group: String,
    pub amount: Amount,
    pub quantity: Quantity,
}

/// Request body of `PUT …/budget-lines/modifications`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "BudgetModifications", deny_unknown_fields)]
pub struct BudgetModifications {
    #[serde(rename = "Line", default)]
    pub lines: Vec<BudgetModification>,
}

/// Request body of `PUT …/projects/{code}/procore`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename = "ProcoreTab", rename_all = "PascalCase", deny_unknown_fields)]
pub struct ProcoreTabUpdate {
    pub last_transaction_date: NaiveDate,
}
