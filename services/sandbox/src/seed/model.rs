//! The plain data of a seeded company: what exists in maestro*, what exists in Procore, and which
//! records are already linked on both sides. Nothing here knows about HTTP or XML.

use chrono::NaiveDate;
use serde::Serialize;

/// One construction company as both systems see it.
#[derive(Clone, Debug, Serialize)]
pub struct Company {
    /// maestro* company number (also used as the Procore company's display code).
    pub code: String,
    pub name: String,
    pub projects: Vec<Project>,
    /// Activity template: every project carries these cost codes (maestro* activities).
    pub cost_codes: Vec<CostCode>,
    /// maestro* cost groups = Procore cost types (line item types).
    pub cost_types: Vec<CostType>,
    pub suppliers: Vec<Supplier>,
    pub customers: Vec<Customer>,
    pub employees: Vec<Employee>,
    /// Original budget lines of every project (maestro* is master).
    pub budget_lines: Vec<BudgetLine>,
    /// Project-cost transactions entered in maestro*.
    pub transactions: Vec<Transaction>,
    /// Purchase orders and subcontracts entered in Procore.
    pub commitments: Vec<Commitment>,
    /// Prime contracts entered in Procore (one per project at most).
    pub prime_contracts: Vec<PrimeContract>,
    /// Directory companies that exist in Procore only (never in maestro*): tagged, inactive,
    /// overlong or owners of a prime contract. Empty unless the showcase is seeded.
    pub procore_companies: Vec<Supplier>,
    /// Projects created in Procore only, some with a Job Number maestro* refuses. Empty unless
    /// the showcase is seeded.
    pub procore_projects: Vec<Project>,
}

/// A construction project (maestro* Project Management / Procore portfolio project).
#[derive(Clone, Debug, Serialize)]
pub struct Project {
    /// At most 10 characters, no `*`, `,`, `#`, `:` and no accented letters.
    pub number: String,
    pub name: String,
    pub description: String,
    pub address: String,
    pub city: String,
    /// Two-letter province or state code (`QC`, `ON`).
    pub province: String,
    /// ISO-3166 alpha-2 (`CA`).
    pub country: String,
    pub postal_code: String,
    pub phone: String,
    pub start_date: NaiveDate,
    pub closing_date: NaiveDate,
    /// `false` for a maestro* project whose start and closing dates were never entered (both
    /// dates above are then ignored).
    pub dated: bool,
    pub active: bool,
    /// maestro*'s "Synchronize this Project with Procore" box.
    pub sync_with_procore: bool,
    /// Code of the customer (owner) of the project.
    pub customer_code: String,
    /// Already exists in Procore with the same `project_number` (and is linked).
    pub in_procore: bool,
}

/// One level of the activity hierarchy, e.g. `01`, `01-A`, `01-A-001`.
#[derive(Clone, Debug, Serialize)]
pub struct CostCode {
    /// Whole code from the root, segments joined by `-` (the "direct" maestro* activity).
    pub full_code: String,
    /// This level's own segment (`001` for `01-A-001`).
    pub segment: String,
    /// `full_code` of the parent level, `None` for a division.
    pub parent: Option<String>,
    pub name: String,
    /// Only leaves carry budgets and costs.
    pub leaf: bool,
}

/// The family of a cost group; maps onto a Procore `base_type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    Material,
    Subcontractor,
    Miscellaneous,
    Equipment,
    Labour,
}

/// A maestro* cost group, the same code as a Procore cost type.
#[derive(Clone, Debug, Serialize)]
pub struct CostType {
    pub code: String,
    pub name: String,
    pub kind: CostKind,
}

#[derive(Clone, Debug, Serialize)]
pub struct Address {
    pub street: String,
    pub city: String,
    pub province: String,
    pub country: String,
    pub postal_code: String,
    pub phone: String,
}

/// A supplier (Procore Company Directory company).
#[derive(Clone, Debug, Serialize)]
pub struct Supplier {
    /// At most 10 characters; Procore `abbreviated_name`.
    pub code: String,
    pub name: String,
    pub address: Address,
    /// RBQ licence number (10 digits).
    pub license_number: String,
    pub email: String,
    pub active: bool,
    pub sync_with_procore: bool,
    /// Procore keywords (`notes`), e.g. `NOTMAESTRO` on a few.
    pub keywords: Vec<String>,
    pub in_procore: bool,
}

/// A customer (the owner of projects; a Procore directory company used as prime contract vendor).
#[derive(Clone, Debug, Serialize)]
pub struct Customer {
    pub code: String,
    pub name: String,
    pub address: Address,
    pub active: bool,
    pub sync_with_procore: bool,
    pub in_procore: bool,
}

/// An employee (Procore company user with `is_employee`).
#[derive(Clone, Debug, Serialize)]
pub struct Employee {
    /// maestro* employee number = Procore `employee_id`.
    pub code: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub job_title: String,
    /// Hourly rate in cents.
    pub hourly_rate_cents: i64,
    pub active: bool,
    pub in_procore: bool,
}

/// One original budget line: project + activity (leaf) + group.
#[derive(Clone, Debug, Serialize)]
pub struct BudgetLine {
    pub project_number: String,
    pub activity: String,
    pub group: String,
    pub amount_cents: i64,
    pub quantity: f64,
    pub unit: String,
    /// Already in Procore with the same amount.
    pub in_procore: bool,
}

/// Approval state of a maestro* transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionStatus {
    /// Entered, not yet approved.
    Entered,
    /// Approved but not posted to the ledger.
    Approved,
    /// Approved and transferred (the only ones the bridge sends).
    Transferred,
}

/// A project-cost transaction (Projects Inquiry > Transactions).
#[derive(Clone, Debug, Serialize)]
pub struct Transaction {
    /// Unique per company, e.g. `T0000042`.
    pub key: String,
    pub project_number: String,
    /// maestro* transaction type code (`1`, `4`, `C`, `7`, ...).
    pub type_code: String,
    pub status: TransactionStatus,
    pub accounting_date: NaiveDate,
    pub activity: String,
    pub group: String,
    pub description: String,
    pub amount_cents: i64,
    /// Hours or units; `None` when only an amount was entered.
    pub quantity: Option<f64>,
    pub supplier_code: Option<String>,
    pub employee_code: Option<String>,
    pub invoice_number: Option<String>,
    /// Already sent to Procore as a direct cost.
    pub in_procore: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    PurchaseOrder,
    Subcontract,
}

/// One line of a commitment, change order or prime contract.
#[derive(Clone, Debug, Serialize)]
pub struct ContractLine {
    pub activity: String,
    pub group: String,
    pub description: String,
    pub quantity: f64,
    pub unit: String,
    pub unit_cost_cents: i64,
    pub amount_cents: i64,
}

/// A change order on a commitment or a prime contract.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeOrder {
    pub number: String,
    pub title: String,
    pub approved: bool,
    pub lines: Vec<ContractLine>,
}

/// A purchase order or subcontract that lives in Procore.
#[derive(Clone, Debug, Serialize)]
pub struct Commitment {
    pub kind: CommitmentKind,
    pub project_number: String,
    pub number: String,
    pub title: String,
    pub supplier_code: String,
    /// Procore Description, joined to the title in maestro*'s Memo / Details (may be empty).
    pub description: String,
    /// Procore `retainage_percent` = maestro* holdback.
    pub retainage_percent: Option<f64>,
    pub approved: bool,
    pub contract_date: NaiveDate,
    pub lines: Vec<ContractLine>,
    pub change_orders: Vec<ChangeOrder>,
    /// Already created in maestro* (carries the Procore number as external number).
    pub in_maestro: bool,
}

/// The owner contract of a project, in Procore.
#[derive(Clone, Debug, Serialize)]
pub struct PrimeContract {
    pub project_number: String,
    pub number: String,
    pub title: String,
    pub customer_code: String,
    pub approved: bool,
    pub lines: Vec<ContractLine>,
    pub change_orders: Vec<ChangeOrder>,
    pub in_maestro: bool,
}
