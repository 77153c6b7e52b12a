//! What each resource accepts: its body key, writable fields with their types, required fields,
//! enums and references. The validation that applies this catalogue to a request body lives in
//! `validate.rs`.

use std::collections::BTreeMap;

use super::store::Kind;

/// Type of a writable field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Str,
    /// An id or other integer; must be an exact JSON integer.
    Int,
    /// An amount: a JSON number or a numeric string.
    Num,
    Bool,
    /// `YYYY-MM-DD`.
    Date,
}

/// Where a resource lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Company,
    Project,
    /// A line item whose holder is a row of the given kind.
    Child(Kind),
}

/// Static description of one resource.
#[derive(Debug)]
pub struct Resource {
    pub kind: Kind,
    /// Key of the create/update body (`{"vendor": {...}}`).
    pub body_key: &'static str,
    pub scope: Scope,
    pub fields: &'static [(&'static str, Ty)],
    pub required: &'static [&'static str],
    pub enums: &'static [(&'static str, &'static [&'static str])],
    /// Fields that must name an existing row of a kind.
    pub refs: &'static [(&'static str, Kind)],
    /// Fields set on create when absent.
    pub defaults: &'static [(&'static str, DefaultValue)],
    /// Longest accepted value of a text field, in characters.
    pub max_len: &'static [(&'static str, usize)],
}

#[derive(Clone, Copy, Debug)]
pub enum DefaultValue {
    Bool(bool),
    Str(&'static str),
}

/// Per-field error messages.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

const ORIGIN: [(&str, Ty); 2] = [("origin_id", Ty::Str), ("origin_data", Ty::Str)];

macro_rules! fields {
    ($($name:literal : $ty:ident),* $(,)?) => { &[$(($name, Ty::$ty)),*, ORIGIN[0], ORIGIN[1]] };
}

pub static PROJECT: Resource = Resource {
    kind: Kind::Project,
    body_key: "project",
    scope: Scope::Company,
    fields: fields!["name": Str, "project_number": Str, "description": Str, "address": Str, "city": Str, "state_code": Str, "country_code": Str, "zip": Str, "phone": Str, "active": Bool, "start_date": Date, "completion_date": Date, "total_value": Num, "origin_code": Str, "public_notes": Str, "square_feet": Int, "time_zone": Str, "flag": Str],
    required: &["name", "start_date", "completion_date"],
    enums: &[("flag", &["Red", "Yellow", "Green"])],
    refs: &[],
    defaults: &[("active", DefaultValue::Bool(true))],
    max_len: &[("name", 100), ("project_number", 100)],
};

pub static VENDOR: Resource = Resource {
    kind: Kind::Vendor,
    body_key: "vendor",
    scope: Scope::Company,
    fields: fields!["name": Str, "abbreviated_name": Str, "address": Str, "city": Str, "state_code": Str, "country_code": Str, "zip": Str, "business_phone": Str, "mobile_phone": Str, "fax_number": Str, "email_address": Str, "website": Str, "license_number": Str, "is_active": Bool, "authorized_bidder": Bool, "prequalified": Bool, "union_member": Bool, "notes": Str, "trade_name": Str, "origin_code": Str, "parent_id": Int],
    required: &["name"],
    enums: &[],
    refs: &[("parent_id", Kind::Vendor)],
    defaults: &[("is_active", DefaultValue::Bool(true))],
    max_len: &[("abbreviated_name", 10)],
};

pub static USER: Resource = Resource {
    kind: Kind::User,
    body_key: "user",
    scope: Scope::Company,
    fields: fields!["first_name": Str, "last_name": Str, "email_address": Str, "job_title": Str, "address": Str, "city": Str, "zip": Str, "state_code": Str, "country_code": Str, "business_phone": Str, "mobile_phone": Str, "is_active": Bool, "is_employee": Bool, "employee_id": Str, "initials": Str, "notes": Str, "vendor_id": Int],
    required: &["last_name", "email_address"],
    enums: &[],
    refs: &[("vendor_id", Kind::Vendor)],
    defaults: &[
        ("is_active", DefaultValue::Bool(true)),
        ("is_employee", DefaultValue::Bool(false)),
    ],
    max_len: &[],
};

pub static COST_CODE: Resource = Resource {
    kind: Kind::CostCode,
    body_key: "cost_code",
    scope: Scope::Project,
    fields: fields!["code": Str, "name": Str, "parent_id": Int, "position": Int, "standard_cost_code_id": Int],
    required: &["code"],
    enums: &[],
    refs: &[("parent_id", Kind::CostCode)],
    defaults: &[],
    max_len: &[],
};

pub static LINE_ITEM_TYPE: Resource = Resource {
    kind: Kind::LineItemType,
    body_key: "line_item_type",
    scope: Scope::Company,
    fields: fields!["name": Str, "code": Str, "base_type": Str],
    required: &["name", "code"],
    enums: &[(
        "base_type",
        &[
            "equipment",
            "materials",
            "commitment",
            "owner_cost",
            "professional_services",
            "other",
        ],
    )],
    refs: &[],
    defaults: &[("base_type", DefaultValue::Str("other"))],
    max_len: &[],
};

pub static BUDGET_LINE_ITEM: Resource = Resource {
    kind: Kind::BudgetLineItem,
    body_key: "budget_line_item",
    scope: Scope::Project,
    fields: &[
        ("cost_code_id", Ty::Int),
        ("line_item_type_id", Ty::Int),
        ("original_budget_amount", Ty::Num),
        ("quantity", Ty::Num),
        ("unit_cost", Ty::Num),
        ("uom", Ty::Str),
        ("calculation_strategy", Ty::Str),
        ("budget_modifications", Ty::Num),
    ],
    required: &["cost_code_id", "line_item_type_id"],
    enums: &[("calculation_strategy", &["automatic", "manual"])],
    refs: &[
        ("cost_code_id", Kind::CostCode),
        ("line_item_type_id", Kind::LineItemType),
    ],
    defaults: &[("calculation_strategy", DefaultValue::Str("manual"))],
    max_len: &[],
};

const CONTRACT_FIELDS: &[(&str, Ty)] = fields!["number": Str, "title": Str, "vendor_id": Int, "status": Str, "executed": Bool, "private": Bool, "description": Str, "inclusions": Str, "exclusions": Str, "accounting_method": Str, "retainage_percent": Num, "contract_date": Date, "contract_start_date": Date, "contract_estimated_completion_date": Date, "actual_completion_date": Date, "execution_date": Date, "issued_on_date": Date, "signed_contract_received_date": Date, "origin_code": Str, "delivery_date": Date, "payment_terms": Str, "ship_via": Str, "bill_to_address": Str, "ship_to_address": Str];

pub static WORK_ORDER_CONTRACT: Resource = Resource {
    kind: Kind::WorkOrderContract,
    body_key: "work_order_contract",
    scope: Scope::Project,
    fields: CONTRACT_FIELDS,
    required: &[],
    enums: &[
        (
            "status",
            &[
                "Draft",
                "Out For Bid",
                "Out For Signature",
                "Approved",
                "Complete",
                "Terminated",
                "Void",
            ],
        ),
        ("accounting_method", &["amount", "unit"]),
    ],
    refs: &[("vendor_id", Kind::Vendor)],
    defaults: &[
        ("status", DefaultValue::Str("Draft")),
        ("accounting_method", DefaultValue::Str("amount")),
    ],
    max_len: &[],
};

pub static PURCHASE_ORDER_CONTRACT: Resource = Resource {
    kind: Kind::PurchaseOrderContract,
    body_key: "purchase_order_contract",
    scope: Scope::Project,
    fields: CONTRACT_FIELDS,
    required: &[],
    enums: &[
        (
            "status",
            &[
                "Draft",
                "Processing",
                "Submitted",
                "Partially Received",
                "Received",
                "Approved",
                "Closed",
            ],
        ),
        ("accounting_method", &["amount", "unit"]),
    ],
    refs: &[("vendor_id", Kind::Vendor)],
    defaults: &[
        ("status", DefaultValue::Str("Draft")),
        ("accounting_method", DefaultValue::Str("amount")),
    ],
    max_len: &[],
};

pub static PRIME_CONTRACT: Resource = Resource {
    kind: Kind::PrimeContract,
    body_key: "prime_contract",
    scope: Scope::Project,
    fields: CONTRACT_FIELDS,
    required: &[],
    enums: &[
        (
            "status",
            &[
                "Draft",
                "Out For Bid",
                "Out For Signature",
                "Approved",
                "Complete",
                "Terminated",
            ],
        ),
        ("accounting_method", &["amount", "unit"]),
    ],
    refs: &[("vendor_id", Kind::Vendor)],
    defaults: &[
        ("status", DefaultValue::Str("Draft")),
        ("accounting_method", DefaultValue::Str("amount")),
    ],
    max_len: &[],
};

const LINE_FIELDS: &[(&str, Ty)] = fields!["amount": Num, "description": Str, "cost_code_id": Int, "line_item_type_id": Int, "quantity": Num, "unit_cost": Num, "uom": Str, "extended_type": Str, "tax_code_id": Int, "position": Int];
const LINE_REFS: &[(&str, Kind)] = &[
    ("cost_code_id", Kind::CostCode),
    ("line_item_type_id", Kind::LineItemType),
];
const LINE_ENUMS: &[(&str, &[&str])] = &[("extended_type", &["manual", "calculated"])];

macro_rules! line_resource {
    ($name:ident, $kind:ident, $parent:ident) => {
        pub static $name: Resource = Resource {
            kind: Kind::$kind,
            body_key: "line_item",
            scope: Scope::Child(Kind::$parent),
            fields: LINE_FIELDS,
            required: &[],
            enums: LINE_ENUMS,
            refs: LINE_REFS,
            defaults: &[("extended_type", DefaultValue::Str("manual"))],
            max_len: &[],
        };
    };
}

line_resource!(
    WORK_ORDER_LINE,
    WorkOrderContractLineItem,
    WorkOrderContract
);
line_resource!(
    PURCHASE_ORDER_LINE,
    PurchaseOrderContractLineItem,
    PurchaseOrderContract
);
line_resource!(PRIME_CONTRACT_LINE, PrimeContractLineItem, PrimeContract);

pub static DIRECT_COST_LINE: Resource = Resource {
    kind: Kind::DirectCostLineItem,
    body_key: "line_item",
    scope: Scope::Child(Kind::DirectCost),
    fields: LINE_FIELDS,
    required: &["cost_code_id", "line_item_type_id"],
    enums: LINE_ENUMS,
    refs: LINE_REFS,
    defaults: &[("extended_type", DefaultValue::Str("manual"))],
    max_len: &[],
};

pub static CHANGE_ORDER: Resource = Resource {
    kind: Kind::ChangeOrder,
    body_key: "change_order",
    scope: Scope::Project,
    fields: fields!["contract_id": Int, "number": Str, "title": Str, "description": Str, "status": Str, "revision": Int, "due_date": Date, "invoiced_date": Date, "paid_date": Date, "executed": Bool, "private": Bool, "schedule_impact_amount": Int, "origin_code": Str, "reviewed_at": Str],
    required: &["contract_id"],
    enums: &[(
        "status",
        &[
            "draft",
            "not_pricing",
            "pricing",
            "pending",
            "revised",
            "proceeding",
            "not_proceeding",
            "no_charge",
            "approved",
            "rejected",
            "void",
        ],
    )],
    refs: &[],
    defaults: &[
        ("status", DefaultValue::Str("draft")),
        ("executed", DefaultValue::Bool(false)),
    ],
    max_len: &[],
};

pub static DIRECT_COST: Resource = Resource {
    kind: Kind::DirectCost,
    body_key: "item",
    scope: Scope::Project,
    fields: fields!["direct_cost_type": Str, "status": Str, "vendor_id": Int, "employee_id": Int, "invoice_number": Str, "direct_cost_date": Date, "received_date": Date, "payment_date": Date, "terms": Str, "description": Str, "currency_iso_code": Str],
    required: &["direct_cost_type"],
    enums: &[
        (
            "direct_cost_type",
            &["invoice", "expense", "payroll", "subcontractor_invoice"],
        ),
        (
            "status",
            &["draft", "pending", "revise_and_resubmit", "approved"],
        ),
    ],
    refs: &[("vendor_id", Kind::Vendor), ("employee_id", Kind::User)],
    defaults: &[("status", DefaultValue::Str("draft"))],
    max_len: &[],
};

pub static REQUISITION: Resource = Resource {
    kind: Kind::Requisition,
    body_key: "requisition",
    scope: Scope::Project,
    fields: fields!["period_id": Int, "requisition_start": Date, "requisition_end": Date, "billing_date": Date, "invoice_number": Str, "status": Str, "commitment_id": Int],
    required: &["commitment_id"],
    enums: &[(
        "status",
        &[
            "draft",
            "under_review",
            "revise_and_resubmit",
            "approved",
            "approved_as_noted",
            "pending_owner_approval",
        ],
    )],
    refs: &[],
    defaults: &[("status", DefaultValue::Str("draft"))],
    max_len: &[],
};
