//! Typed calls for work order contracts (subcontracts): the Show shape with the dates the
//! maestro* subcontract takes (docs/rules.md, Subcontract Management: the Actual Completion Date
//! becomes the delivery date), and creating one with its Schedule of Values lines.

use serde::{Deserialize, Serialize};

use crate::client::{Client, query};
use crate::error::Result;
use crate::models::{Contract, LineItem};
use crate::writes::{NewContract, NewLineItem};

/// A work order contract as Procore shows it: the common contract fields and its own dates.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct WorkOrderContract {
    #[serde(flatten)]
    pub contract: Contract,
    #[serde(default)]
    pub actual_completion_date: Option<String>,
}

impl Client {
    /// One work order contract of a project.
    pub async fn work_order(&self, project_id: i64, id: i64) -> Result<WorkOrderContract> {
        self.get(
            &format!("rest/v1.0/work_order_contracts/{id}"),
            &query([("project_id", project_id)]),
        )
        .await
    }

    pub async fn create_work_order_contract(
        &self,
        project_id: i64,
        contract: &NewContract,
    ) -> Result<Contract> {
        self.post_in_project(
            "rest/v1.0/work_order_contracts",
            project_id,
            "work_order_contract",
            contract,
        )
        .await
    }

    pub async fn create_work_order_line(
        &self,
        project_id: i64,
        contract_id: i64,
        line: &NewLineItem,
    ) -> Result<LineItem> {
        self.post_in_project(
            &format!("rest/v1.0/work_order_contracts/{contract_id}/line_items"),
            project_id,
            "line_item",
            line,
        )
        .await
    }
}
