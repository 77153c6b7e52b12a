//! Typed shapes of the Procore records the bridge reads. Ids are [`ProcoreId`] (exact 64-bit),
//! amounts are [`Amount`] (number or decimal string), and every optional field defaults, so a
//! record with fields missing or `null` still decodes.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::ids::{Amount, ProcoreId};

/// A record as Procore shows it: its `id`, and fields that default when missing or `null`.
macro_rules! record {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
        pub struct $name {
            pub id: ProcoreId,
            $($(#[$fmeta])* #[serde(default)] pub $field: $ty,)*
        }
    };
}

/// `{ "id": ... }` references.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct IdRef {
    pub id: ProcoreId,
}

record! {
    Project {
        name: Option<String>,
        project_number: Option<String>,
        description: Option<String>,
        address: Option<String>,
        city: Option<String>,
        state_code: Option<String>,
        country_code: Option<String>,
        zip: Option<String>,
        phone: Option<String>,
        start_date: Option<String>,
        completion_date: Option<String>,
        active: Option<bool>,
        origin_id: Option<String>,
        updated_at: Option<String>,
    }
}

record! {
    /// A Company Directory company (supplier or, by design, customer).
    Vendor {
        name: Option<String>,
        abbreviated_name: Option<String>,
        address: Option<String>,
        city: Option<String>,
        state_code: Option<String>,
        country_code: Option<String>,
        zip: Option<String>,
        business_phone: Option<String>,
        fax_number: Option<String>,
        email_address: Option<String>,
        license_number: Option<String>,
        is_active: Option<bool>,
        /// Keywords / tags (`NOTMAESTRO`, `CLIENT`, ...).
        notes: Option<String>,
        origin_id: Option<String>,
        updated_at: Option<String>,
    }
}

record! {
    CompanyUser {
        first_name: Option<String>,
        last_name: Option<String>,
        email_address: Option<String>,
        is_employee: Option<bool>,
        employee_id: Option<String>,
        is_active: Option<bool>,
        origin_id: Option<String>,
    }
}

record! {
    CostCode {
        code: Option<String>,
        name: Option<String>,
        full_code: Option<String>,
        parent: Option<IdRef>,
        origin_id: Option<String>,
    }
}

record! {
    LineItemType {
        name: Option<String>,
        code: Option<String>,
        base_type: Option<String>,
        origin_id: Option<String>,
    }
}

record! {
    BudgetLineItem {
        original_budget_amount: Amount,
        quantity: Amount,
        unit_cost: Amount,
        uom: Option<String>,
        cost_code: Option<IdRef>,
        line_item_type: Option<IdRef>,
    }
}

record! {
    BudgetView {
        name: Option<String>,
    }
}

/// A budget view row: fixed keys plus one key per column of the view.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct BudgetDetailRow {
    pub id: ProcoreId,
    #[serde(default)]
    pub cost_code_id: Option<ProcoreId>,
    #[serde(default)]
    pub category_id: Option<ProcoreId>,
    #[serde(default)]
    pub original_budget_amount: Amount,
    #[serde(default)]
    pub budget_modifications: Amount,
    #[serde(flatten)]
    pub columns: Map<String, Value>,
}

impl BudgetDetailRow {
    /// A dynamic column by display name (e.g. "Approved COs"), as an amount.
    pub fn column(&self, name: &str) -> Option<f64> {
        serde_json::from_value::<Amount>(self.columns.get(name)?.clone())
            .ok()
            .map(|a| a.0)
    }
}

record! {
    VendorRef {
        company: Option<String>,
        origin_id: Option<String>,
    }
}

record! {
    /// A cost code or cost type as a line shows it: its id, and its codes when Procore nests them.
    CodeRef {
        code: Option<String>,
        full_code: Option<String>,
        name: Option<String>,
    }
}

record! {
    /// A line of a commitment, prime contract, change order or direct cost.
    LineItem {
        position: Option<u32>,
        amount: Amount,
        quantity: Amount,
        unit_cost: Amount,
        uom: Option<String>,
        description: Option<String>,
        cost_code: Option<CodeRef>,
        line_item_type: Option<CodeRef>,
        origin_id: Option<String>,
    }
}

record! {
    /// A work order (subcontract), purchase order or prime contract.
    Contract {
        number: Option<String>,
        title: Option<String>,
        status: Option<String>,
        /// The contract company; on a prime contract, the owner.
        vendor: Option<VendorRef>,
        description: Option<String>,
        grand_total: Amount,
        retainage_percent: Amount,
        contract_date: Option<String>,
        delivery_date: Option<String>,
        created_at: Option<String>,
        origin_id: Option<String>,
        line_items: Vec<LineItem>,
    }
}

record! {
    ChangeOrder {
        contract_id: Option<ProcoreId>,
        number: Option<String>,
        title: Option<String>,
        description: Option<String>,
        status: Option<String>,
        grand_total: Amount,
        line_items: Vec<LineItem>,
    }
}

record! {
    DirectCost {
        direct_cost_type: Option<String>,
        status: Option<String>,
        invoice_number: Option<String>,
        grand_total: Amount,
        origin_id: Option<String>,
    }
}

/// A webhook event as posted (v2 and v3; v4 ids arrive as strings and decode the same way).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct WebhookEvent {
    #[serde(default)]
    pub id: Option<Value>,
    #[serde(default)]
    pub ulid: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default, alias = "reason")]
    pub event_type: Option<String>,
    #[serde(default, alias = "resource_type")]
    pub resource_name: Option<String>,
    pub resource_id: ProcoreId,
    #[serde(default)]
    pub company_id: Option<ProcoreId>,
    #[serde(default)]
    pub project_id: Option<ProcoreId>,
    #[serde(default)]
    pub user_id: Option<ProcoreId>,
    #[serde(default)]
    pub metadata: Option<Value>,
}

record! {
    /// A webhook hook (destination).
    Hook {
        api_version: Option<String>,
        namespace: Option<String>,
        destination_url: Option<String>,
        owned_by_company_id: Option<ProcoreId>,
        owned_by_project_id: Option<ProcoreId>,
    }
}

record! {
    /// A webhook trigger (resource name + event type on a hook).
    Trigger {
        webhook_hook_id: Option<ProcoreId>,
        resource_name: Option<String>,
        event_type: Option<String>,
    }
}
