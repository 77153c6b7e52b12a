//! The emulator's data: one [`CompanyData`] per maestro* company, held in memory, plus the log
//! of what was written through the interface (for tests to inspect).

use bridge_maestro as mx;
use std::collections::BTreeMap;

/// Everything one maestro* company holds.
#[derive(Debug, Clone)]
pub struct CompanyData {
    pub info: mx::Company,
    pub prefixes: Vec<mx::Prefix>,
    pub projects: BTreeMap<String, mx::Project>,
    /// Activities per project number, in code order.
    pub activities: BTreeMap<String, BTreeMap<String, mx::Activity>>,
    pub groups: BTreeMap<String, mx::Group>,
    /// Budget lines by (project, activity, group).
    pub budget: BTreeMap<(String, String, String), mx::BudgetLine>,
    pub suppliers: BTreeMap<String, mx::Supplier>,
    pub customers: BTreeMap<String, mx::Customer>,
    pub employees: BTreeMap<String, mx::Employee>,
    pub transactions: BTreeMap<String, mx::Transaction>,
    /// Purchase and stock orders by number.
    pub orders: BTreeMap<String, mx::Order>,
    pub subcontracts: BTreeMap<String, mx::Subcontract>,
    pub change_orders: Vec<mx::ChangeOrder>,
    /// Billing contracts by project number (one per project).
    pub billing_contracts: BTreeMap<String, mx::BillingContract>,
    pub billing_change_orders: Vec<mx::BillingChangeOrder>,
    pub order_invoices: Vec<mx::OrderInvoice>,
    /// Last number given by the order/subcontract counter; `None` when no counter is configured.
    pub counter: Option<u64>,
    pub next_transaction_id: u64,
}

impl CompanyData {
    pub fn new(info: mx::Company) -> Self {
        let counter = info.numbering_configured.then_some(0);
        Self {
            info,
            prefixes: Vec::new(),
            projects: BTreeMap::new(),
            activities: BTreeMap::new(),
            groups: BTreeMap::new(),
            budget: BTreeMap::new(),
            suppliers: BTreeMap::new(),
            customers: BTreeMap::new(),
            employees: BTreeMap::new(),
            transactions: BTreeMap::new(),
            orders: BTreeMap::new(),
            subcontracts: BTreeMap::new(),
            change_orders: Vec::new(),
            billing_contracts: BTreeMap::new(),
            billing_change_orders: Vec::new(),
            order_invoices: Vec::new(),
            counter,
            next_transaction_id: 1,
        }
    }

    /// Takes the next number of the counter shared by orders, stock orders and subcontracts.
    pub fn next_number(&mut self) -> Option<String> {
        let next = self.counter? + 1;
        self.counter = Some(next);
        Some(format!("{next:06}"))
    }

    pub fn has_activity(&self, project: &str, activity: &str) -> bool {
        self.activities
            .get(project)
            .is_some_and(|list| list.contains_key(activity))
    }

    pub fn budget_lines_of(&self, project: &str) -> Vec<mx::BudgetLine> {
        self.budget
            .iter()
            .filter(|((p, _, _), _)| p == project)
            .map(|(_, line)| line.clone())
            .collect()
    }
}

/// One write received through the interface (not through admin actions).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WriteEvent {
    pub company: String,
    /// What was written: `project`, `supplier`, `purchase_order`, `budget_modification`, …
    pub operation: &'static str,
    /// The record's maestro* key (code or number).
    pub key: String,
}

/// All companies and the write log.
#[derive(Debug, Default)]
pub struct Store {
    pub companies: BTreeMap<String, CompanyData>,
    pub writes: Vec<WriteEvent>,
}

impl Store {
    pub fn company_mut(&mut self, code: &str) -> Result<&mut CompanyData, super::reject::Reject> {
        self.companies
            .get_mut(code)
            .ok_or_else(|| unknown_company(code))
    }

    pub fn company(&self, code: &str) -> Result<&CompanyData, super::reject::Reject> {
        self.companies
            .get(code)
            .ok_or_else(|| unknown_company(code))
    }

    pub fn log(&mut self, company: &str, operation: &'static str, key: impl Into<String>) {
        self.writes.push(WriteEvent {
            company: company.to_owned(),
            operation,
            key: key.into(),
        });
    }
}

fn unknown_company(code: &str) -> super::reject::Reject {
    super::reject::Reject::new(
        mx::RejectCode::UnknownCompany,
        format!("There is no maestro* company {code}."),
    )
}
