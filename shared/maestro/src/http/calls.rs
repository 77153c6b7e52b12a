//! `MaestroApi` over HTTP: each method names its path, its query and the list it expects back
//! (the round trips themselves are in `query`).

use super::HttpMaestro;
use super::query::{
    Query, billing_change_orders, billing_contracts, change_orders, orders, party_query,
    project_query, projects, push, subcontracts, transaction_query,
};
use crate::api::{
    ApiResult, EmployeeFilter, MaestroApi, PartyFilter, ProjectFilter, TransactionFilter,
};
use crate::codes::ProjectCode;
use crate::commitments::{
    BillingChangeOrder, BillingContract, ChangeOrder, NewBillingChangeOrder, NewBillingContract,
    NewChangeOrder, NewOrder, NewSubcontract, Order, OrderKind, Subcontract,
};
use crate::costs::{BudgetModification, OrderInvoice, Transaction};
use crate::create::{NewParty, NewProject};
use crate::records::{
    Activity, BudgetLine, Company, Customer, Employee, Group, Prefix, Project, Supplier,
};
use chrono::NaiveDate;
use futures::future::BoxFuture;
use reqwest::Method;

impl MaestroApi for HttpMaestro {
    fn companies(&self) -> BoxFuture<'_, ApiResult<Vec<Company>>> {
        Box::pin(self.list_all(
            "list companies",
            self.url(&["companies"]),
            &[],
            |r| r.companies.map(|l| l.items),
            "Companies",
        ))
    }

    fn prefixes(&self) -> BoxFuture<'_, ApiResult<Vec<Prefix>>> {
        Box::pin(self.list(
            "list prefixes",
            &["prefixes"],
            Query::new(),
            |r| r.prefixes.map(|l| l.items),
            "Prefixes",
        ))
    }

    fn projects<'a>(&'a self, filter: &'a ProjectFilter) -> BoxFuture<'a, ApiResult<Vec<Project>>> {
        Box::pin(self.list(
            "list projects",
            &["projects"],
            project_query(filter),
            projects,
            "Projects",
        ))
    }

    fn project<'a>(&'a self, code: &'a ProjectCode) -> BoxFuture<'a, ApiResult<Option<Project>>> {
        let query = vec![("code", code.to_string())];
        Box::pin(self.find("read project", &["projects"], query, projects, "Projects"))
    }

    fn activities<'a>(
        &'a self,
        project: &'a ProjectCode,
    ) -> BoxFuture<'a, ApiResult<Vec<Activity>>> {
        Box::pin(async move {
            self.list(
                "list activities",
                &["projects", project.as_str(), "activities"],
                Query::new(),
                |r| r.activities.map(|l| l.items),
                "Activities",
            )
            .await
        })
    }

    fn groups(&self) -> BoxFuture<'_, ApiResult<Vec<Group>>> {
        Box::pin(self.list(
            "list groups",
            &["groups"],
            Query::new(),
            |r| r.groups.map(|l| l.items),
            "Groups",
        ))
    }

    fn budget_lines<'a>(
        &'a self,
        project: &'a ProjectCode,
    ) -> BoxFuture<'a, ApiResult<Vec<BudgetLine>>> {
        Box::pin(async move {
            self.list(
                "list budget lines",
                &["projects", project.as_str(), "budget-lines"],
                Query::new(),
                |r| r.budget_lines.map(|l| l.items),
                "BudgetLines",
            )
            .await
        })
    }

    fn suppliers<'a>(&'a self, filter: &'a PartyFilter) -> BoxFuture<'a, ApiResult<Vec<Supplier>>> {
        Box::pin(self.list(
            "list suppliers",
            &["suppliers"],
            party_query(filter),
            |r| r.suppliers.map(|l| l.items),
            "Suppliers",
        ))
    }

    fn customers<'a>(&'a self, filter: &'a PartyFilter) -> BoxFuture<'a, ApiResult<Vec<Customer>>> {
        Box::pin(self.list(
            "list customers",
            &["customers"],
            party_query(filter),
            |r| r.customers.map(|l| l.items),
            "Customers",
        ))
    }

    fn employees<'a>(
        &'a self,
        filter: &'a EmployeeFilter,
    ) -> BoxFuture<'a, ApiResult<Vec<Employee>>> {
        let mut query = Query::new();
        push(&mut query, "active", filter.active);
        Box::pin(self.list(
            "list employees",
            &["employees"],
            query,
            |r| r.employees.map(|l| l.items),
            "Employees",
        ))
    }

    fn transactions<'a>(
        &'a self,
        filter: &'a TransactionFilter,
    ) -> BoxFuture<'a, ApiResult<Vec<Transaction>>> {
        Box::pin(self.list(
            "list transactions",
            &["transactions"],
            transaction_query(filter),
            |r| r.transactions.map(|l| l.items),
            "Transactions",
        ))
    }

    fn order_invoices<'a>(
        &'a self,
        filter: &'a TransactionFilter,
    ) -> BoxFuture<'a, ApiResult<Vec<OrderInvoice>>> {
        Box::pin(self.list(
            "list order invoices",
            &["order-invoices"],
            transaction_query(filter),
            |r| r.order_invoices.map(|l| l.items),
            "OrderInvoices",
        ))
    }

    fn billing_contract<'a>(
        &'a self,
        project: &'a ProjectCode,
    ) -> BoxFuture<'a, ApiResult<Option<BillingContract>>> {
        let query = vec![("project", project.to_string())];
        Box::pin(self.find(
            "read billing contract",
            &["billing-contracts"],
            query,
            billing_contracts,
            "BillingContracts",
        ))
    }

    fn find_order<'a>(
        &'a self,
        kind: OrderKind,
        project: &'a ProjectCode,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<Order>>> {
        let query = vec![
            ("project", project.to_string()),
            ("external_no", external_no.to_owned()),
        ];
        Box::pin(async move {
            self.find(
                "find order by external number",
                &[kind.path()],
                query,
                orders,
                "Orders",
            )
            .await
        })
    }

    fn find_subcontract<'a>(
        &'a self,
        project: &'a ProjectCode,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<Subcontract>>> {
        let query = vec![
            ("project", project.to_string()),
            ("external_no", external_no.to_owned()),
        ];
        Box::pin(self.find(
            "find subcontract by external number",
            &["subcontracts"],
            query,
            subcontracts,
            "Subcontracts",
        ))
    }

    fn find_change_order<'a>(
        &'a self,
        contract_no: &'a str,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<ChangeOrder>>> {
        let query = vec![
            ("contract_no", contract_no.to_owned()),
            ("external_no", external_no.to_owned()),
        ];
        Box::pin(self.find(
            "find change order by external number",
            &["change-orders"],
            query,
            change_orders,
            "ChangeOrders",
        ))
    }

    fn find_billing_change_order<'a>(
        &'a self,
        contract_no: &'a ProjectCode,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<BillingChangeOrder>>> {
        let query = vec![
            ("project", contract_no.to_string()),
            ("external_no", external_no.to_owned()),
        ];
        Box::pin(self.find(
            "find billing change order by external number",
            &["billing-change-orders"],
            query,
            billing_change_orders,
            "BillingChangeOrders",
        ))
    }

    fn create_project<'a>(&'a self, project: &'a NewProject) -> BoxFuture<'a, ApiResult<Project>> {
        Box::pin(self.write(
            Method::POST,
            "create project",
            self.company_url(&["projects"]),
            project,
            "Project",
            projects,
            "Projects",
        ))
    }

    fn create_supplier<'a>(&'a self, supplier: &'a NewParty) -> BoxFuture<'a, ApiResult<Supplier>> {
        Box::pin(self.write(
            Method::POST,
            "create supplier",
            self.company_url(&["suppliers"]),
            supplier,
            "Supplier",
            |r| r.suppliers.map(|l| l.items),
            "Suppliers",
        ))
    }

    fn create_customer<'a>(&'a self, customer: &'a NewParty) -> BoxFuture<'a, ApiResult<Customer>> {
        Box::pin(self.write(
            Method::POST,
            "create customer",
            self.company_url(&["customers"]),
            customer,
            "Customer",
            |r| r.customers.map(|l| l.items),
            "Customers",
        ))
    }

    fn create_order<'a>(
        &'a self,
        kind: OrderKind,
        order: &'a NewOrder,
    ) -> BoxFuture<'a, ApiResult<Order>> {
        let operation = match kind {
            OrderKind::Purchase => "create purchase order",
            OrderKind::Stock => "create stock order",
        };
        Box::pin(self.write(
            Method::POST,
            operation,
            self.company_url(&[kind.path()]),
            order,
            "Order",
            orders,
            "Orders",
        ))
    }

    fn create_subcontract<'a>(
        &'a self,
        subcontract: &'a NewSubcontract,
    ) -> BoxFuture<'a, ApiResult<Subcontract>> {
        Box::pin(self.write(
            Method::POST,
            "create subcontract",
            self.company_url(&["subcontracts"]),
            subcontract,
            "Subcontract",
            subcontracts,
            "Subcontracts",
        ))
    }

    fn create_change_order<'a>(
        &'a self,
        change_order: &'a NewChangeOrder,
    ) -> BoxFuture<'a, ApiResult<ChangeOrder>> {
        Box::pin(self.write(
            Method::POST,
            "create subcontract change order",
            self.company_url(&["change-orders"]),
            change_order,
            "ChangeOrder",
            change_orders,
            "ChangeOrders",
        ))
    }

    fn create_billing_contract<'a>(
        &'a self,
        contract: &'a NewBillingContract,
    ) -> BoxFuture<'a, ApiResult<BillingContract>> {
        Box::pin(self.write(
            Method::POST,
            "create progress billing contract",
            self.company_url(&["billing-contracts"]),
            contract,
            "BillingContract",
            billing_contracts,
            "BillingContracts",
        ))
    }

    fn create_billing_change_order<'a>(
        &'a self,
        change_order: &'a NewBillingChangeOrder,
    ) -> BoxFuture<'a, ApiResult<BillingChangeOrder>> {
        Box::pin(self.write(
            Method::POST,
            "create billing contract change order",
            self.company_url(&["billing-change-orders"]),
            change_order,
            "BillingChangeOrder",
            billing_change_orders,
            "BillingChangeOrders",
        ))
    }

    fn update_budget_modifications<'a>(
        &'a self,
        project: &'a ProjectCode,
        lines: &'a [BudgetModification],
    ) -> BoxFuture<'a, ApiResult<Vec<BudgetLine>>> {
        Box::pin(self.put_budget_modifications(project, lines))
    }

    fn set_last_transaction_date<'a>(
        &'a self,
        project: &'a ProjectCode,
        date: NaiveDate,
    ) -> BoxFuture<'a, ApiResult<Project>> {
        Box::pin(self.put_last_transaction_date(project, date))
    }
}
