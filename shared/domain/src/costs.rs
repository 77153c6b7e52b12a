//! Project costs towards Procore (rules §5, docs/rules.md "Project Costs"): which maestro*
//! transaction type becomes which Procore direct cost type, which payroll fields a connection
//! sends (rules §6, "transactions: payroll fields sent"), and how a transaction's lines
//! become direct-cost lines with their cost code and cost type (rules §4).

use crate::cost_codes::{CostCodeError, CostCodeMode, CostCodeTree};
use std::collections::HashMap;

/// Procore's `direct_cost_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectCostType {
    Invoice,
    Expense,
    Payroll,
}

impl DirectCostType {
    pub fn as_str(self) -> &'static str {
        match self {
            DirectCostType::Invoice => "invoice",
            DirectCostType::Expense => "expense",
            DirectCostType::Payroll => "payroll",
        }
    }
}

/// Where a synchronized transaction type goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostRoute {
    /// A direct cost of this type (the `project_cost` kind).
    Direct(DirectCostType),
    /// Order Invoicing (type 7): the `order_invoice` kind.
    OrderInvoice,
}

/// The 16 synchronized types of docs/rules.md with their names and routes (rules §5 table;
/// the Procore type is a **(design)** choice of the entity specification, rules §5).
const TYPES: [(char, &str, CostRoute); 16] = {
    use CostRoute::{Direct, OrderInvoice};
    use DirectCostType::{Expense, Invoice, Payroll};
    [
        ('1', "Project Purchase", Direct(Invoice)),
        (';', "Interco Project Purchase", Direct(Invoice)),
        ('4', "Hours/Labour", Direct(Payroll)),
        ('B', "Hours to Invoice/Labour", Direct(Payroll)),
        ('5', "Premiums/Labour", Direct(Payroll)),
        ('C', "Equipment Hours", Direct(Expense)),
        ('=', "W/C - CSST Expenses", Direct(Expense)),
        ('E', "DGBRI Expenses", Direct(Expense)),
        ('2', "Project-to-Project Transfer", Direct(Expense)),
        ('>', "Advanced Project-to-Project Transfer", Direct(Expense)),
        ('?', "Accrual Project-to-Project Transfer", Direct(Expense)),
        ('@', "Reversed Project-to-Project Transfer", Direct(Expense)),
        (
            'D',
            "Adjustment Project-to-Project Transfer",
            Direct(Expense),
        ),
        ('G', "Inventory-Project Transfer", Direct(Expense)),
        (
            'F',
            "GL Project Entry for Accrued Costs of Material",
            Direct(Expense),
        ),
        ('7', "Order Invoicing", OrderInvoice),
    ]
};

/// Where a transaction of type `code` goes; `None` for a type that is not synchronized.
pub fn route(code: char) -> Option<CostRoute> {
    TYPES.iter().find(|t| t.0 == code).map(|t| t.2)
}

/// The maestro* name of the type (docs/rules.md), for messages and the Procore description.
pub fn type_name(code: char) -> Option<&'static str> {
    TYPES.iter().find(|t| t.0 == code).map(|t| t.1)
}

/// The payroll fields a connection sends besides the amount (rules §5: only the total
/// amount is mandatory). **(design)** Without the setting all three are sent: that is what
/// docs/rules.md describes for hour transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayrollFields {
    pub hours: bool,
    pub rate: bool,
    pub employee: bool,
}

impl Default for PayrollFields {
    fn default() -> Self {
        PayrollFields {
            hours: true,
            rate: true,
            employee: true,
        }
    }
}

impl PayrollFields {
    /// From the setting's list of names (`hours`, `rate`, `employee`); an unknown name is
    /// refused with its spelling.
    pub fn from_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let mut out = PayrollFields {
            hours: false,
            rate: false,
            employee: false,
        };
        for name in names {
            match name.trim() {
                "hours" => out.hours = true,
                "rate" => out.rate = true,
                "employee" => out.employee = true,
                other => {
                    return Err(format!(
                        "`{other}` is not a payroll field (hours, rate or employee)"
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// One line of a maestro* cost, as the mapping needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct CostLineIn<'a> {
    pub line_no: u32,
    pub activity: &'a str,
    pub group: &'a str,
    pub description: Option<&'a str>,
    pub quantity: Option<f64>,
    pub unit: Option<&'a str>,
    pub unit_price: Option<f64>,
    pub amount: f64,
}

/// A direct-cost line ready for Procore.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedLine {
    pub origin_id: String,
    pub cost_code_id: i64,
    pub line_item_type_id: i64,
    pub amount: f64,
    pub quantity: Option<f64>,
    pub unit_cost: Option<f64>,
    pub uom: Option<String>,
    pub description: Option<String>,
}

/// A project's Procore cost codes and cost types (by code), as read once per project.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub codes: CostCodeTree,
    pub types: HashMap<String, i64>,
}

/// A line that cannot be placed: names the line, its activity, its group and the mode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line_no} (activity {activity}, group {group}, {mode} cost-code mode): {source}")]
pub struct LineError {
    pub line_no: u32,
    pub activity: String,
    pub group: String,
    pub mode: CostCodeMode,
    #[source]
    pub source: CostCodeError,
}

/// The `origin_id` of a cost sent as a direct cost (`<kind>:<maestro* key>`, rules §3).
pub fn origin_id(kind: &str, key: &str) -> String {
    format!("{kind}:{}", key.trim())
}

/// The transaction's lines as direct-cost lines. Payroll lines carry hours (quantity) and
/// rate (unit cost) only as the connection's `payroll` fields say; other types keep
/// maestro*'s quantity, unit and unit price.
pub fn plan_lines(
    origin: &str,
    kind: DirectCostType,
    lines: &[CostLineIn<'_>],
    catalog: &Catalog,
    mode: CostCodeMode,
    payroll: PayrollFields,
) -> Result<Vec<PlannedLine>, LineError> {
    let is_payroll = kind == DirectCostType::Payroll;
    lines
        .iter()
        .map(|l| {
            let error = |source| LineError {
                line_no: l.line_no,
                activity: l.activity.trim().to_owned(),
                group: l.group.trim().to_owned(),
                mode,
                source,
            };
            let cost_code_id = catalog.codes.resolve(l.activity, mode).map_err(error)?;
            let group = l.group.trim();
            let line_item_type_id = *catalog.types.get(group).ok_or_else(|| {
                error(CostCodeError::UnknownGroup {
                    group: group.to_owned(),
                })
            })?;
            let text = |v: Option<&str>| {
                v.map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_owned)
            };
            Ok(PlannedLine {
                origin_id: format!("{origin}:{}", l.line_no),
                cost_code_id,
                line_item_type_id,
                amount: l.amount,
                quantity: l.quantity.filter(|_| !is_payroll || payroll.hours),
                unit_cost: l.unit_price.filter(|_| !is_payroll || payroll.rate),
                uom: text(l.unit).filter(|_| !is_payroll || payroll.hours),
                description: text(l.description),
            })
        })
        .collect()
}

/// Procore's description of a cost: the maestro* type and the description (docs/rules.md, "Type +
/// Description").
pub fn description(code: char, text: Option<&str>) -> String {
    let name = type_name(code).unwrap_or("Transaction");
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => format!("{name} - {t}"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
#[path = "costs_tests.rs"]
mod tests;
