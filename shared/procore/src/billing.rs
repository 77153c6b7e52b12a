//! What the billing flows read of Procore: a prime contract with its accounting method and
//! dates (the Show shape of `prime_contract/{id}`), a change order package with the type that
//! says which contract it changes (`change_order_packages/{id}`), and the calls that set up a
//! prime contract's Schedule of Values (for tests and the sandbox).

use serde::{Deserialize, Serialize};

use crate::client::{Client, query};
use crate::error::Result;
use crate::ids::{Amount, ProcoreId};
use crate::models::{Contract, LineItem};
use crate::writes::NewLineItem;

/// A prime contract as its Show endpoint answers it: the common contract fields plus how it is
/// billed and when it runs.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct PrimeContract {
    #[serde(flatten)]
    pub contract: Contract,
    /// `amount` or `unit`.
    #[serde(default)]
    pub accounting_method: Option<String>,
    #[serde(default)]
    pub contract_start_date: Option<String>,
    #[serde(default)]
    pub contract_estimated_completion_date: Option<String>,
}

/// A change order package; `package_type` tells a prime contract's change order
/// (`PrimeContractChangeOrder`) from a commitment's (`CommitmentContractChangeOrder`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct ChangeOrderPackage {
    pub id: ProcoreId,
    #[serde(default, rename = "type")]
    pub package_type: Option<String>,
    #[serde(default)]
    pub contract_id: Option<ProcoreId>,
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `draft`, `pending`, `approved`, ...
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub reviewed_at: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub grand_total: Amount,
    #[serde(default)]
    pub line_items: Vec<LineItem>,
}

impl ChangeOrderPackage {
    /// Whether the package changes a prime contract.
    pub fn on_prime_contract(&self) -> bool {
        self.package_type.as_deref() == Some("PrimeContractChangeOrder")
    }
}

impl Client {
    /// A prime contract with its accounting method and dates.
    pub async fn prime_contract_terms(&self, project_id: i64, id: i64) -> Result<PrimeContract> {
        self.get(
            &format!("rest/v1.0/prime_contract/{id}"),
            &query([("project_id", project_id)]),
        )
        .await
    }

    /// A change order package with its type and lines.
    pub async fn change_order_package_of(
        &self,
        project_id: i64,
        id: i64,
    ) -> Result<ChangeOrderPackage> {
        self.get(
            &format!("rest/v1.0/change_order_packages/{id}"),
            &query([("project_id", project_id)]),
        )
        .await
    }

    /// Adds a Schedule of Values line to a prime contract.
    pub async fn create_prime_contract_line(
        &self,
        project_id: i64,
        contract_id: i64,
        line: &NewLineItem,
    ) -> Result<LineItem> {
        self.post_in_project(
            &format!("rest/v1.0/prime_contracts/{contract_id}/line_items"),
            project_id,
            "line_item",
            line,
        )
        .await
    }

    /// Sets a prime contract's accounting method (`amount` or `unit`).
    pub async fn set_prime_contract_accounting_method(
        &self,
        project_id: i64,
        id: i64,
        method: &str,
    ) -> Result<Contract> {
        self.patch(
            &format!("rest/v1.0/prime_contract/{id}"),
            &query([("project_id", project_id)]),
            &serde_json::json!({ "project_id": project_id, "prime_contract": { "accounting_method": method } }),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_prime_contract_reads_its_method_and_a_package_its_type() {
        let contract: PrimeContract = serde_json::from_value(json!({
            "id": 9, "number": "PC-1", "accounting_method": "unit",
            "contract_start_date": "2026-04-01", "vendor": { "id": 4, "company": "Ville" },
            "line_items": [{ "id": 1, "amount": "10.00", "quantity": "2", "unit_cost": "5" }],
        }))
        .unwrap();
        assert_eq!(contract.accounting_method.as_deref(), Some("unit"));
        assert_eq!(contract.contract.number.as_deref(), Some("PC-1"));
        assert_eq!(contract.contract.line_items.len(), 1);
        let package: ChangeOrderPackage = serde_json::from_value(json!({
            "id": 3, "type": "PrimeContractChangeOrder", "contract_id": 9, "status": "approved",
        }))
        .unwrap();
        assert!(package.on_prime_contract());
    }
}
