//! The project budget as the budget flows use it: the budget view (its rows and the detail
//! columns that name their keys) and the original budget written in one batch through the
//! budget line items sync endpoint.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Client, query};
use crate::error::Result;
use crate::ids::ProcoreId;
use crate::models::{BudgetDetailRow, BudgetLineItem, BudgetView};
use crate::sync::SyncItem;

const PER_PAGE: usize = 500;

/// One column of a budget view: `id` is the key its values have in the view's rows.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct BudgetDetailColumn {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// One budget line to create (no `id`) or update (`id`) through the sync endpoint.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct BudgetLineUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<ProcoreId>,
    pub cost_code_id: ProcoreId,
    pub line_item_type_id: ProcoreId,
    pub original_budget_amount: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uom: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_cost: Option<f64>,
}

impl Client {
    /// The project's budget view (the first Procore lists), if it has one.
    pub async fn budget_view(&self, project_id: i64) -> Result<Option<BudgetView>> {
        let views: Vec<BudgetView> = self
            .get(
                "rest/v1.0/budget_views",
                &query([("project_id", project_id)]),
            )
            .await?;
        Ok(views.into_iter().next())
    }

    /// Every detail row of budget view `view_id` in the project.
    pub async fn budget_view_rows(
        &self,
        project_id: i64,
        view_id: i64,
    ) -> Result<Vec<BudgetDetailRow>> {
        self.list_all(
            &format!("rest/v1.0/budget_views/{view_id}/detail_rows"),
            query([("project_id", project_id)]),
            PER_PAGE,
        )
        .await
    }

    /// The columns of budget view `view_id`, with the keys their values have in its rows.
    pub async fn budget_detail_columns(
        &self,
        project_id: i64,
        view_id: i64,
    ) -> Result<Vec<BudgetDetailColumn>> {
        self.get(
            &format!("rest/v1.0/budget_views/{view_id}/budget_detail_columns"),
            &query([("project_id", project_id)]),
        )
        .await
    }

    /// Creates and updates the project's budget lines in as few calls as Procore allows
    /// (1,000 lines a call); one result per line, in order.
    pub async fn sync_budget_lines(
        &self,
        project_id: i64,
        lines: &[BudgetLineUpdate],
    ) -> Result<Vec<SyncItem<BudgetLineItem>>> {
        let items: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::to_value(l).unwrap_or(Value::Null))
            .collect();
        self.sync_budget_line_items(project_id, &items).await
    }
}
