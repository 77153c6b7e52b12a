//! Typed calls for the resources the bridge uses, on top of the generic client, pager and sync.

use serde_json::{Map, Value, json};

use crate::client::{Client, query};
use crate::error::Result;
use crate::models::{
    BudgetDetailRow, BudgetView, ChangeOrder, CompanyUser, Contract, CostCode, DirectCost,
    LineItem, LineItemType, Project, Vendor,
};
use crate::sync::SyncItem;
use crate::writes::{NewContract, NewCostCode, NewLineItem, NewLineItemType};

const PER_PAGE: usize = 500;

fn company_body(client: &Client) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("company_id".into(), json!(client.company_id()));
    m
}

impl Client {
    fn company_query(&self) -> Vec<(String, String)> {
        query([("company_id", self.company_id())])
    }

    /// Active projects of the company.
    pub async fn projects(&self) -> Result<Vec<Project>> {
        self.list_all("rest/v1.0/projects", self.company_query(), PER_PAGE)
            .await
    }
    pub async fn project_by_origin(&self, origin_id: &str) -> Result<Option<Project>> {
        let mut q = self.company_query();
        q.push(("filters[by_status]".into(), "All".into()));
        self.find_by_origin("rest/v1.0/projects", q, origin_id)
            .await
    }
    pub async fn sync_projects(&self, items: &[Value]) -> Result<Vec<SyncItem<Project>>> {
        self.sync(
            "rest/v1.0/projects/sync",
            &self.company_query(),
            company_body(self),
            items,
        )
        .await
    }

    pub async fn vendors(&self) -> Result<Vec<Vendor>> {
        self.list_all("rest/v1.0/vendors", self.company_query(), PER_PAGE)
            .await
    }
    pub async fn vendor_by_origin(&self, origin_id: &str) -> Result<Option<Vendor>> {
        self.find_by_origin("rest/v1.0/vendors", self.company_query(), origin_id)
            .await
    }
    pub async fn sync_vendors(&self, items: &[Value]) -> Result<Vec<SyncItem<Vendor>>> {
        self.sync(
            "rest/v1.0/vendors/sync",
            &self.company_query(),
            company_body(self),
            items,
        )
        .await
    }

    pub async fn sync_users(&self, items: &[Value]) -> Result<Vec<SyncItem<CompanyUser>>> {
        let path = format!("rest/v1.0/companies/{}/users/sync", self.company_id());
        self.sync(&path, &[], Map::new(), items).await
    }

    pub async fn cost_codes(&self, project_id: i64) -> Result<Vec<CostCode>> {
        self.list_all(
            "rest/v1.0/cost_codes",
            query([("project_id", project_id)]),
            PER_PAGE,
        )
        .await
    }
    pub async fn line_item_types(&self) -> Result<Vec<LineItemType>> {
        self.list_all("rest/v1.0/line_item_types", self.company_query(), PER_PAGE)
            .await
    }

    /// The detail rows of the project's first budget view (with its dynamic columns).
    pub async fn budget_detail_rows(&self, project_id: i64) -> Result<Vec<BudgetDetailRow>> {
        let views: Vec<BudgetView> = self
            .get(
                "rest/v1.0/budget_views",
                &query([("project_id", project_id)]),
            )
            .await?;
        let Some(view) = views.first() else {
            return Ok(Vec::new());
        };
        self.list_all(
            &format!("rest/v1.0/budget_views/{}/detail_rows", view.id),
            query([("project_id", project_id)]),
            PER_PAGE,
        )
        .await
    }

    pub async fn work_order_contract(&self, project_id: i64, id: i64) -> Result<Contract> {
        self.get(
            &format!("rest/v1.0/work_order_contracts/{id}"),
            &query([("project_id", project_id)]),
        )
        .await
    }
    pub async fn purchase_order_contract(&self, project_id: i64, id: i64) -> Result<Contract> {
        self.get(
            &format!("rest/v1.0/purchase_order_contracts/{id}"),
            &query([("project_id", project_id)]),
        )
        .await
    }
    pub async fn prime_contract(&self, project_id: i64, id: i64) -> Result<Contract> {
        self.get(
            &format!("rest/v1.0/prime_contract/{id}"),
            &query([("project_id", project_id)]),
        )
        .await
    }
    pub async fn change_order_package(&self, project_id: i64, id: i64) -> Result<ChangeOrder> {
        self.get(
            &format!("rest/v1.0/change_order_packages/{id}"),
            &query([("project_id", project_id)]),
        )
        .await
    }
    /// Approved work order contracts of a project.
    pub async fn approved_work_order_contracts(&self, project_id: i64) -> Result<Vec<Contract>> {
        self.list_all(
            "rest/v1.0/work_order_contracts",
            query([
                ("project_id", project_id.to_string()),
                ("filters[status]", "Approved".to_string()),
            ]),
            PER_PAGE,
        )
        .await
    }

    pub async fn direct_cost_by_origin(
        &self,
        project_id: i64,
        origin_id: &str,
    ) -> Result<Option<DirectCost>> {
        self.find_by_origin(
            &format!("rest/v1.0/projects/{project_id}/direct_costs"),
            Vec::new(),
            origin_id,
        )
        .await
    }
    pub async fn sync_direct_costs(
        &self,
        project_id: i64,
        items: &[Value],
    ) -> Result<Vec<SyncItem<DirectCost>>> {
        self.sync(
            &format!("rest/v1.0/projects/{project_id}/direct_costs/sync"),
            &[],
            Map::new(),
            items,
        )
        .await
    }
    /// Lines of several direct costs; each item names its `direct_cost_id`.
    pub async fn sync_direct_cost_lines(
        &self,
        project_id: i64,
        items: &[Value],
    ) -> Result<Vec<SyncItem<LineItem>>> {
        self.sync(
            &format!("rest/v1.0/projects/{project_id}/direct_costs/line_items/sync"),
            &[],
            Map::new(),
            items,
        )
        .await
    }

    pub async fn create_cost_code(&self, project_id: i64, code: &NewCostCode) -> Result<CostCode> {
        self.post_in_project("rest/v1.0/cost_codes", project_id, "cost_code", code)
            .await
    }
    pub async fn create_line_item_type(&self, kind: &NewLineItemType) -> Result<LineItemType> {
        self.post(
            "rest/v1.0/line_item_types",
            &self.company_query(),
            &json!({ "company_id": self.company_id(), "line_item_type": kind }),
        )
        .await
    }
    pub async fn create_purchase_order_contract(
        &self,
        project_id: i64,
        contract: &NewContract,
    ) -> Result<Contract> {
        self.post_in_project(
            "rest/v1.0/purchase_order_contracts",
            project_id,
            "purchase_order_contract",
            contract,
        )
        .await
    }
    pub async fn create_purchase_order_line(
        &self,
        project_id: i64,
        contract_id: i64,
        line: &NewLineItem,
    ) -> Result<LineItem> {
        self.post_in_project(
            &format!("rest/v1.0/purchase_order_contracts/{contract_id}/line_items"),
            project_id,
            "line_item",
            line,
        )
        .await
    }
    /// A project's prime contract; its `vendor_id` is the owner company.
    pub async fn create_prime_contract(
        &self,
        project_id: i64,
        contract: &NewContract,
    ) -> Result<Contract> {
        self.post_in_project(
            "rest/v1.0/prime_contract",
            project_id,
            "prime_contract",
            contract,
        )
        .await
    }
}
