//! The `<MaestroResponse>` envelope and strict (de)serialization of documents.
//!
//! Every response is one envelope holding an `<Error>`, or a `<Page>` and one list element
//! (`<Projects>`, `<Orders>`, …). Parsing refuses a wrong root, a wrong version, unknown elements
//! and bad values, with an error naming the element; it never panics on any input.

use crate::commitments::{BillingChangeOrder, BillingContract, ChangeOrder, Order, Subcontract};
use crate::costs::{OrderInvoice, Transaction};
use crate::records::{
    Activity, BudgetLine, Company, Customer, Employee, Group, Prefix, Project, Supplier,
};
use quick_xml::events::Event;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// The contract version this crate speaks.
pub const VERSION: &str = "1";
/// Root element of every response.
pub const ROOT: &str = "MaestroResponse";

/// A document that is not what the contract says.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("maestro* document is not UTF-8")]
    NotUtf8,
    #[error("maestro* document has no root element")]
    NoRoot,
    #[error("maestro* document has root <{found}>, expected <{expected}>")]
    WrongRoot { found: String, expected: String },
    #[error("maestro* document is not well-formed XML: {0}")]
    Xml(String),
    #[error("maestro* document is invalid at <{path}>: {source}")]
    Content {
        /// Where in the document, e.g. `Projects.Project[0].Active`.
        path: String,
        #[source]
        source: quick_xml::DeError,
    },
    #[error("maestro* response speaks version `{0}`, this client speaks version 1")]
    Version(String),
    #[error("maestro* response has no <{0}> element")]
    Missing(&'static str),
    #[error("maestro* response holds {count} <{element}> records where exactly one was expected")]
    NotOne { element: &'static str, count: usize },
}

/// `<Error code=… field=… limit=… existing=…>message</Error>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WireError {
    #[serde(rename = "@code")]
    pub code: String,
    #[serde(rename = "@field", default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(rename = "@limit", default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(rename = "@existing", default, skip_serializing_if = "Option::is_none")]
    pub existing: Option<String>,
    #[serde(rename = "$text", default)]
    pub message: String,
}

/// `<Page number= size= total= pages=/>`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageInfo {
    #[serde(rename = "@number")]
    pub number: u32,
    #[serde(rename = "@size")]
    pub size: u32,
    #[serde(rename = "@total")]
    pub total: u64,
    #[serde(rename = "@pages")]
    pub pages: u32,
}

macro_rules! lists {
    ($($list:ident($item:ty, $tag:literal)),* $(,)?) => {
        $(
            #[doc = concat!("A list of `<", $tag, ">` records.")]
            #[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
            #[serde(deny_unknown_fields)]
            pub struct $list {
                #[serde(rename = $tag, default)]
                pub items: Vec<$item>,
            }
        )*
    };
}

lists!(
    CompanyList(Company, "Company"),
    PrefixList(Prefix, "Prefix"),
    ProjectList(Project, "Project"),
    ActivityList(Activity, "Activity"),
    GroupList(Group, "Group"),
    BudgetLineList(BudgetLine, "BudgetLine"),
    SupplierList(Supplier, "Supplier"),
    CustomerList(Customer, "Customer"),
    EmployeeList(Employee, "Employee"),
    OrderList(Order, "Order"),
    SubcontractList(Subcontract, "Subcontract"),
    ChangeOrderList(ChangeOrder, "ChangeOrder"),
    BillingContractList(BillingContract, "BillingContract"),
    BillingChangeOrderList(BillingChangeOrder, "BillingChangeOrder"),
    TransactionList(Transaction, "Transaction"),
    OrderInvoiceList(OrderInvoice, "OrderInvoice"),
);

/// The response envelope. At most one of the list fields is present.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(
    rename = "MaestroResponse",
    rename_all = "PascalCase",
    deny_unknown_fields
)]
pub struct Response {
    #[serde(rename = "@version")]
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<WireError>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub companies: Option<CompanyList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefixes: Option<PrefixList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<ProjectList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activities: Option<ActivityList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<GroupList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_lines: Option<BudgetLineList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppliers: Option<SupplierList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers: Option<CustomerList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employees: Option<EmployeeList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<OrderList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subcontracts: Option<SubcontractList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_orders: Option<ChangeOrderList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_contracts: Option<BillingContractList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_change_orders: Option<BillingChangeOrderList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transactions: Option<TransactionList>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_invoices: Option<OrderInvoiceList>,
}

impl Response {
    /// An empty successful envelope of this version.
    pub fn ok() -> Self {
        Self {
            version: VERSION.to_owned(),
            ..Self::default()
        }
    }

    /// An error envelope.
    pub fn error(error: WireError) -> Self {
        Self {
            error: Some(error),
            ..Self::ok()
        }
    }
}

/// Name of the first element of `doc`, after the declaration, comments and whitespace.
fn root_name(doc: &str) -> Result<String, ParseError> {
    let mut reader = quick_xml::Reader::from_str(doc);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                return Ok(String::from_utf8_lossy(e.name().as_ref()).into_owned());
            }
            Ok(Event::Eof) => return Err(ParseError::NoRoot),
            Ok(Event::Text(t)) if !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(ParseError::Xml("text before the root element".to_owned()));
            }
            Ok(_) => {}
            Err(e) => return Err(ParseError::Xml(e.to_string())),
        }
    }
}

/// Parses a document whose root element must be `root` into `T`, strictly.
pub fn parse_document<T: DeserializeOwned>(bytes: &[u8], root: &str) -> Result<T, ParseError> {
    let doc = std::str::from_utf8(bytes).map_err(|_| ParseError::NotUtf8)?;
    let found = root_name(doc)?;
    if found != root {
        return Err(ParseError::WrongRoot {
            found: found.chars().take(60).collect(),
            expected: root.to_owned(),
        });
    }
    let mut de = quick_xml::de::Deserializer::from_str(doc);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        ParseError::Content {
            path: if path == "." {
                root.to_owned()
            } else {
                format!("{root}.{path}")
            },
            source: e.into_inner(),
        }
    })
}

/// Parses a `<MaestroResponse>` and checks its version.
pub fn parse_response(bytes: &[u8]) -> Result<Response, ParseError> {
    let response: Response = parse_document(bytes, ROOT)?;
    if response.version != VERSION {
        return Err(ParseError::Version(
            response.version.chars().take(20).collect(),
        ));
    }
    Ok(response)
}

/// Writes `value` as a document with root element `root`, with an XML declaration.
pub fn to_document<T: Serialize>(value: &T, root: &str) -> Result<String, quick_xml::SeError> {
    let body = quick_xml::se::to_string_with_root(root, value)?;
    Ok(format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{body}"))
}

/// Takes the list element `name` out of a response, or says it is missing.
pub fn expect_list<T>(list: Option<T>, name: &'static str) -> Result<T, ParseError> {
    list.ok_or(ParseError::Missing(name))
}

/// Exactly one record of a single-record response (creation, lookup by number).
pub fn expect_one<T>(mut items: Vec<T>, element: &'static str) -> Result<T, ParseError> {
    match items.len() {
        1 => items.pop().ok_or(ParseError::NotOne { element, count: 0 }),
        count => Err(ParseError::NotOne { element, count }),
    }
}
