//! The `MaestroApi` trait: every read the poller needs and every write the workers need, behind
//! one seam so that the emulator-backed HTTP client and a real installation are interchangeable.
//!
//! Methods return boxed futures so the trait can be used as `Arc<dyn MaestroApi>`. List methods
//! walk every page and return all matching records.

use crate::codes::{ProjectCode, TypeCode};
use crate::commitments::{
    BillingChangeOrder, BillingContract, ChangeOrder, NewBillingChangeOrder, NewBillingContract,
    NewChangeOrder, NewOrder, NewSubcontract, Order, OrderKind, Subcontract,
};
use crate::costs::{BudgetModification, OrderInvoice, Transaction, TransactionStatus};
use crate::create::{NewParty, NewProject};
use crate::error::MaestroError;
use crate::records::{
    Activity, BudgetLine, Company, Customer, Employee, Group, Prefix, Project, Supplier,
};
use chrono::NaiveDate;
use futures::future::BoxFuture;

pub type ApiResult<T> = Result<T, MaestroError>;

/// Which projects to list. `None` means "either".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub active: Option<bool>,
    /// The Procore sub-tab's "Synchronize this Project with Procore".
    pub sync: Option<bool>,
    /// Multidimensional mode: only projects of this prefix.
    pub prefix: Option<String>,
    pub code: Option<ProjectCode>,
}

impl ProjectFilter {
    /// The projects maestro* → Procore may send: active, ticked, in `prefix` when given.
    pub fn eligible(prefix: Option<&str>) -> Self {
        Self {
            active: Some(true),
            sync: Some(true),
            prefix: prefix.map(str::to_owned),
            code: None,
        }
    }
}

/// Which suppliers or customers to list (customers: `active` means status `A`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartyFilter {
    pub active: Option<bool>,
    /// The Interface tab's synchronize box.
    pub sync: Option<bool>,
    pub code: Option<String>,
}

impl PartyFilter {
    /// Active and ticked for Procore.
    pub fn eligible() -> Self {
        Self {
            active: Some(true),
            sync: Some(true),
            code: None,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmployeeFilter {
    pub active: Option<bool>,
}

/// Which transactions (or order invoices) to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionFilter {
    pub project: Option<ProjectCode>,
    pub status: Option<TransactionStatus>,
    pub approved: Option<bool>,
    /// Strictly after this accounting date (the last successful transaction date).
    pub accounting_date_after: Option<NaiveDate>,
    /// On or after this accounting date (the user's start date).
    pub accounting_date_from: Option<NaiveDate>,
    /// Only these type codes; empty means all types.
    pub types: Vec<TypeCode>,
}

impl TransactionFilter {
    /// What maestro* → Procore sends next for `project`: approved, transferred, synchronized
    /// types, from the Procore sub-tab's cursor (last successful date, or the start date when
    /// none or when the user asked to ignore it).
    pub fn eligible_for(project: &Project) -> Self {
        let (after, from) = match project.procore.transaction_cursor() {
            Some((date, false)) => (Some(date), None),
            Some((date, true)) => (None, Some(date)),
            None => (None, None),
        };
        Self {
            project: Some(project.code.clone()),
            status: Some(TransactionStatus::Transferred),
            approved: Some(true),
            accounting_date_after: after,
            accounting_date_from: from,
            types: TypeCode::SYNCED.to_vec(),
        }
    }
}

/// maestro*'s XML interface, as the bridge uses it. One value talks to one company.
pub trait MaestroApi: Send + Sync {
    // --- reads -----------------------------------------------------------------------------
    fn companies(&self) -> BoxFuture<'_, ApiResult<Vec<Company>>>;
    fn prefixes(&self) -> BoxFuture<'_, ApiResult<Vec<Prefix>>>;
    fn projects<'a>(&'a self, filter: &'a ProjectFilter) -> BoxFuture<'a, ApiResult<Vec<Project>>>;
    /// One project by number; `None` when maestro* has no such project.
    fn project<'a>(&'a self, code: &'a ProjectCode) -> BoxFuture<'a, ApiResult<Option<Project>>>;
    fn activities<'a>(
        &'a self,
        project: &'a ProjectCode,
    ) -> BoxFuture<'a, ApiResult<Vec<Activity>>>;
    fn groups(&self) -> BoxFuture<'_, ApiResult<Vec<Group>>>;
    fn budget_lines<'a>(
        &'a self,
        project: &'a ProjectCode,
    ) -> BoxFuture<'a, ApiResult<Vec<BudgetLine>>>;
    fn suppliers<'a>(&'a self, filter: &'a PartyFilter) -> BoxFuture<'a, ApiResult<Vec<Supplier>>>;
    fn customers<'a>(&'a self, filter: &'a PartyFilter) -> BoxFuture<'a, ApiResult<Vec<Customer>>>;
    fn employees<'a>(
        &'a self,
        filter: &'a EmployeeFilter,
    ) -> BoxFuture<'a, ApiResult<Vec<Employee>>>;
    fn transactions<'a>(
        &'a self,
        filter: &'a TransactionFilter,
    ) -> BoxFuture<'a, ApiResult<Vec<Transaction>>>;
    fn order_invoices<'a>(
        &'a self,
        filter: &'a TransactionFilter,
    ) -> BoxFuture<'a, ApiResult<Vec<OrderInvoice>>>;
    /// The project's progress billing contract, if it has one.
    fn billing_contract<'a>(
        &'a self,
        project: &'a ProjectCode,
    ) -> BoxFuture<'a, ApiResult<Option<BillingContract>>>;

    // --- lookups by external number (finding what a crashed attempt created) ----------------
    fn find_order<'a>(
        &'a self,
        kind: OrderKind,
        project: &'a ProjectCode,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<Order>>>;
    fn find_subcontract<'a>(
        &'a self,
        project: &'a ProjectCode,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<Subcontract>>>;
    fn find_change_order<'a>(
        &'a self,
        contract_no: &'a str,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<ChangeOrder>>>;
    fn find_billing_change_order<'a>(
        &'a self,
        contract_no: &'a ProjectCode,
        external_no: &'a str,
    ) -> BoxFuture<'a, ApiResult<Option<BillingChangeOrder>>>;

    // --- writes ------------------------------------------------------------------------------
    /// Creates a project from Procore (maestro* creates it inactive, sync box ticked).
    fn create_project<'a>(&'a self, project: &'a NewProject) -> BoxFuture<'a, ApiResult<Project>>;
    fn create_supplier<'a>(&'a self, supplier: &'a NewParty) -> BoxFuture<'a, ApiResult<Supplier>>;
    fn create_customer<'a>(&'a self, customer: &'a NewParty) -> BoxFuture<'a, ApiResult<Customer>>;
    /// Creates a purchase order or stock order; maestro* assigns its number.
    fn create_order<'a>(
        &'a self,
        kind: OrderKind,
        order: &'a NewOrder,
    ) -> BoxFuture<'a, ApiResult<Order>>;
    fn create_subcontract<'a>(
        &'a self,
        subcontract: &'a NewSubcontract,
    ) -> BoxFuture<'a, ApiResult<Subcontract>>;
    fn create_change_order<'a>(
        &'a self,
        change_order: &'a NewChangeOrder,
    ) -> BoxFuture<'a, ApiResult<ChangeOrder>>;
    fn create_billing_contract<'a>(
        &'a self,
        contract: &'a NewBillingContract,
    ) -> BoxFuture<'a, ApiResult<BillingContract>>;
    fn create_billing_change_order<'a>(
        &'a self,
        change_order: &'a NewBillingChangeOrder,
    ) -> BoxFuture<'a, ApiResult<BillingChangeOrder>>;
    /// Sets the Modification column of the named budget lines (all or nothing); returns the
    /// project's budget lines afterwards.
    fn update_budget_modifications<'a>(
        &'a self,
        project: &'a ProjectCode,
        lines: &'a [BudgetModification],
    ) -> BoxFuture<'a, ApiResult<Vec<BudgetLine>>>;
    /// Records the last successful transaction date on the project's Procore sub-tab.
    fn set_last_transaction_date<'a>(
        &'a self,
        project: &'a ProjectCode,
        date: NaiveDate,
    ) -> BoxFuture<'a, ApiResult<Project>>;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bridge holds the client as `Arc<dyn MaestroApi>`; this must keep compiling.
    #[test]
    fn the_trait_is_usable_as_a_shared_object() {
        fn shared(api: std::sync::Arc<dyn MaestroApi>) -> usize {
            std::sync::Arc::strong_count(&api)
        }
        let config = crate::ClientConfig::new(
            url::Url::parse("http://127.0.0.1:1/maestro-xml/v1").expect("url"),
            "key",
            "001",
        );
        let client = crate::HttpMaestro::new(config).expect("client");
        assert_eq!(shared(std::sync::Arc::new(client)), 1);
    }
}
