//! The bodies the bridge (and its tests) send to create Procore records, with the fields of
//! the Procore create endpoints the bridge uses. Unset fields are left out of the body.

use serde::{Deserialize, Serialize};

use crate::ids::ProcoreId;

/// A create body: every field optional, left out of the JSON when unset.
macro_rules! body {
    ($(#[$meta:meta])* $name:ident { $($field:ident: $ty:ty,)* }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
        pub struct $name {
            $(
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
        }
    };
}

body! {
    /// A Company Directory company (`POST /vendors`, `vendor` object).
    NewVendor {
        name: String,
        abbreviated_name: String,
        address: String,
        city: String,
        state_code: String,
        zip: String,
        country_code: String,
        business_phone: String,
        fax_number: String,
        email_address: String,
        license_number: String,
        is_active: bool,
        notes: String,
        origin_id: String,
    }
}

body! {
    /// A project (`POST /projects`, `project` object).
    NewProject {
        name: String,
        project_number: String,
        description: String,
        address: String,
        city: String,
        state_code: String,
        country_code: String,
        zip: String,
        phone: String,
        start_date: String,
        completion_date: String,
        active: bool,
        origin_id: String,
    }
}

body! {
    /// A company user (`POST /companies/{company_id}/users`, `user` object).
    NewCompanyUser {
        first_name: String,
        last_name: String,
        email_address: String,
        business_phone: String,
        city: String,
        is_employee: bool,
        employee_id: String,
        origin_id: String,
    }
}

body! {
    /// A project cost code (`POST /cost_codes`, `cost_code` object).
    NewCostCode {
        code: String,
        name: String,
        parent_id: ProcoreId,
        origin_id: String,
    }
}

body! {
    /// A cost type (`POST /line_item_types`, `line_item_type` object).
    NewLineItemType {
        name: String,
        code: String,
        base_type: String,
    }
}

body! {
    /// A commitment (`POST /purchase_order_contracts`, `purchase_order_contract` object).
    NewContract {
        number: String,
        title: String,
        description: String,
        vendor_id: ProcoreId,
        status: String,
        retainage_percent: f64,
        contract_date: String,
        delivery_date: String,
    }
}

body! {
    /// A Schedule of Values line (`POST .../line_items`, `line_item` object).
    NewLineItem {
        description: String,
        cost_code_id: ProcoreId,
        line_item_type_id: ProcoreId,
        quantity: f64,
        unit_cost: f64,
        uom: String,
        amount: f64,
    }
}
