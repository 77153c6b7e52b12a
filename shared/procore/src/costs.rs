//! Typed calls for what the bridge sends as costs: direct costs and their lines through the
//! direct costs sync endpoints (matched by `origin_id`, so sending twice updates instead of
//! creating a second one), and subcontractor invoices (requisitions) against a commitment.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::{Client, query};
use crate::error::{Error, Result};
use crate::ids::ProcoreId;
use crate::models::{DirectCost, LineItem};
use crate::sync::SyncItem;

/// A direct cost header (`item` of the direct costs endpoints). Unset fields are left out.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct NewDirectCost {
    pub origin_id: String,
    pub direct_cost_type: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_id: Option<ProcoreId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_id: Option<ProcoreId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direct_cost_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub received_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A direct-cost line for the line items sync endpoint.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct NewDirectCostLine {
    pub direct_cost_id: ProcoreId,
    pub origin_id: String,
    pub cost_code_id: ProcoreId,
    pub line_item_type_id: ProcoreId,
    pub amount: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uom: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A subcontractor invoice (`requisition` object of `POST /requisitions`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct NewRequisition {
    pub origin_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invoice_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A subcontractor invoice as Procore shows it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Requisition {
    pub id: ProcoreId,
    #[serde(default)]
    pub commitment_id: Option<ProcoreId>,
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[serde(default)]
    pub origin_id: Option<String>,
}

fn items<T: Serialize>(list: &[T]) -> Result<Vec<Value>> {
    list.iter()
        .map(|i| {
            serde_json::to_value(i).map_err(|source| Error::Decode {
                what: "a direct cost to send".into(),
                source,
            })
        })
        .collect()
}

impl Client {
    /// Direct cost headers through the sync endpoint (one call per 1,000), one result each.
    pub async fn sync_new_direct_costs(
        &self,
        project_id: i64,
        costs: &[NewDirectCost],
    ) -> Result<Vec<SyncItem<DirectCost>>> {
        self.sync_direct_costs(project_id, &items(costs)?).await
    }

    /// Direct-cost lines (of one or several costs) through the line items sync endpoint.
    pub async fn sync_new_direct_cost_lines(
        &self,
        project_id: i64,
        lines: &[NewDirectCostLine],
    ) -> Result<Vec<SyncItem<LineItem>>> {
        self.sync_direct_cost_lines(project_id, &items(lines)?)
            .await
    }

    /// The subcontractor invoice a crashed attempt created, by `origin_id`.
    pub async fn requisition_by_origin(
        &self,
        project_id: i64,
        origin_id: &str,
    ) -> Result<Option<Requisition>> {
        self.find_by_origin(
            "rest/v1.0/requisitions",
            query([("project_id", project_id)]),
            origin_id,
        )
        .await
    }

    /// A subcontractor invoice on the commitment `commitment_id`.
    pub async fn create_requisition(
        &self,
        project_id: i64,
        commitment_id: i64,
        requisition: &NewRequisition,
    ) -> Result<Requisition> {
        self.post(
            "rest/v1.0/requisitions",
            &query([("project_id", project_id)]),
            &json!({
                "project_id": project_id,
                "commitment_id": commitment_id,
                "requisition": requisition,
            }),
        )
        .await
    }
}
