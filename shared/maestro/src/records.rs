//! maestro* master data as the XML interface carries it: companies, prefixes, projects (with
//! the Procore sub-tab), activities, groups, budget lines, suppliers, customers and employees.
//!
//! Field names are the XML element names (PascalCase); unknown elements are refused.

use crate::codes::ProjectCode;
use crate::decimal::{Amount, Quantity};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Whether a maestro* company holds real or test data (rules §6: pair a test company only with a
/// Procore sandbox).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CompanyClass {
    Production,
    Test,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Company {
    pub code: String,
    pub name: String,
    pub class: CompanyClass,
    /// Multidimensional mode: projects are partitioned by prefix.
    pub multidimensional: bool,
    /// An order/subcontract counter exists, so records created from outside can be numbered.
    pub numbering_configured: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Prefix {
    pub code: String,
    pub description: String,
}

/// The Procore sub-tab of Project Management > Project Desc.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct ProcoreTab {
    /// "Synchronize this Project with Procore".
    pub sync: bool,
    /// Last successful transaction date: transactions after it are still to send.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transaction_date: Option<NaiveDate>,
    /// The user's transaction synchronization start date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_start_date: Option<NaiveDate>,
    /// Ignore the last synchronization date and start from `transaction_start_date`.
    pub ignore_last_sync: bool,
}

impl ProcoreTab {
    /// Where the transaction batch starts: `(date, inclusive)`. `None` means from the beginning.
    pub fn transaction_cursor(&self) -> Option<(NaiveDate, bool)> {
        if self.ignore_last_sync {
            return self.transaction_start_date.map(|d| (d, true));
        }
        match (self.last_transaction_date, self.transaction_start_date) {
            (Some(last), _) => Some((last, false)),
            (None, Some(start)) => Some((start, true)),
            (None, None) => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Project {
    pub code: ProjectCode,
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detailed_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closing_date: Option<NaiveDate>,
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The master project when this is a sub-project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub master_project: Option<ProjectCode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_code: Option<String>,
    pub procore: ProcoreTab,
}

impl Project {
    /// maestro* → Procore eligibility: active, sync box ticked and, when a prefix is given
    /// (multidimensional mode), in that prefix.
    pub fn is_eligible(&self, prefix: Option<&str>) -> bool {
        self.active && self.procore.sync && prefix.is_none_or(|p| self.prefix.as_deref() == Some(p))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Activity {
    pub project: ProjectCode,
    pub code: String,
    pub description: String,
    pub active: bool,
}

/// Define Cost Groups > Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupType {
    Material,
    Subcontractor,
    Miscellaneous,
    Equipment,
    Labour,
    Billing,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Group {
    pub code: String,
    pub description: String,
    #[serde(rename = "Type")]
    pub group_type: GroupType,
}

/// One project + activity + group line of Project Management > Activities and Budget.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct BudgetLine {
    pub project: ProjectCode,
    pub activity: String,
    pub group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Budget column (the original budget; maestro* is master).
    pub budget_amount: Amount,
    pub budget_quantity: Quantity,
    /// Modification column (Procore's approved changes land here).
    pub modification_amount: Amount,
    pub modification_quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Supplier {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbq_number: Option<String>,
    pub active: bool,
    /// Interface tab: synchronize with Procore.
    pub sync: bool,
}

/// Customer Management > Status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustomerStatus {
    #[serde(rename = "A")]
    Active,
    #[serde(rename = "B")]
    Blocked,
    #[serde(rename = "W")]
    BlockedWithWarning,
    #[serde(rename = "1")]
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Customer {
    pub code: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fax: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rbq_number: Option<String>,
    pub status: CustomerStatus,
    /// Interface tab: "Synchronize the Customer with Procore".
    pub sync: bool,
}

/// Employee Management > Status (time-management version).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EmployeeStatus {
    Active,
    Inactive,
    Layoff,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", deny_unknown_fields)]
pub struct Employee {
    pub number: String,
    pub last_name: String,
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alpha_code: Option<String>,
    pub status: EmployeeStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::ProcoreTab;
    use chrono::NaiveDate;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
    }

    #[test]
    fn the_transaction_cursor_follows_the_procore_sub_tab() {
        let mut tab = ProcoreTab::default();
        assert_eq!(
            tab.transaction_cursor(),
            None,
            "never synchronized: from the start"
        );
        tab.transaction_start_date = Some(day(1));
        assert_eq!(
            tab.transaction_cursor(),
            Some((day(1), true)),
            "start date, inclusive"
        );
        tab.last_transaction_date = Some(day(20));
        assert_eq!(
            tab.transaction_cursor(),
            Some((day(20), false)),
            "after the last success"
        );
        tab.ignore_last_sync = true;
        assert_eq!(
            tab.transaction_cursor(),
            Some((day(1), true)),
            "the user asked to start over"
        );
    }
}
