//! maestro* XML web-service client: typed records and strict parsing.
//!
//! The wire format is the project's contract, `docs/maestro-xml.md`. The bridge calls maestro*
//! only through [`MaestroApi`]; [`HttpMaestro`] implements it over HTTP (against the sandbox's
//! emulator or an installation that speaks the contract).

pub mod api;
pub mod class;
pub mod codes;
pub mod commitments;
pub mod costs;
pub mod create;
pub mod decimal;
pub mod error;
pub mod http;
pub mod records;
pub mod wire;

pub use api::{
    ApiResult, EmployeeFilter, MaestroApi, PartyFilter, ProjectFilter, TransactionFilter,
};
pub use class::company_classes;
pub use codes::{CodeError, ProjectCode, TypeCode, limits};
pub use commitments::{
    BillingChangeOrder, BillingContract, BillingLine, ChangeOrder, CostLine, NewBillingChangeOrder,
    NewBillingContract, NewChangeOrder, NewOrder, NewSubcontract, Order, OrderKind, ProgressType,
    Subcontract,
};
pub use costs::{
    BudgetModification, BudgetModifications, OrderInvoice, ProcoreTabUpdate, Transaction,
    TransactionStatus,
};
pub use create::{NewParty, NewProject};
pub use decimal::{Amount, DecimalError, Quantity};
pub use error::{MaestroError, RejectCode, Rejection};
pub use http::{ClientConfig, HttpMaestro, KEY_HEADER};
pub use records::{
    Activity, BudgetLine, Company, CompanyClass, Customer, CustomerStatus, Employee,
    EmployeeStatus, Group, GroupType, Prefix, ProcoreTab, Project, Supplier,
};
pub use wire::ParseError;
