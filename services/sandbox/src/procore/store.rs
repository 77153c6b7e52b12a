//! The emulator's in-memory database: rows of every resource kind, the `origin_id` index that
//! makes `origin_id` unique per company, and the change log the webhook engine consumes.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

/// Every resource kind the emulator stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Project,
    Vendor,
    User,
    CostCode,
    LineItemType,
    BudgetLineItem,
    WorkOrderContract,
    PurchaseOrderContract,
    WorkOrderContractLineItem,
    PurchaseOrderContractLineItem,
    /// Commitment and prime change orders, also served as change order packages.
    ChangeOrder,
    ChangeOrderLineItem,
    PrimeContract,
    PrimeContractLineItem,
    DirectCost,
    DirectCostLineItem,
    Requisition,
    /// Never stored: the event a budget modification fires.
    BudgetModification,
}

impl Kind {
    /// The webhook trigger `resource_name` that fires when a row of this kind changes.
    pub fn resource_name(self) -> &'static str {
        match self {
            Kind::Project => "Projects",
            Kind::Vendor => "Company Vendors",
            Kind::User => "Company Users",
            Kind::CostCode => "Cost Codes",
            Kind::LineItemType => "Line Item Types",
            Kind::BudgetLineItem => "Budget Line Items",
            Kind::WorkOrderContract => "Work Order Contracts",
            Kind::PurchaseOrderContract => "Purchase Order Contracts",
            Kind::WorkOrderContractLineItem => "Work Order Contract Line Items",
            Kind::PurchaseOrderContractLineItem => "Purchase Order Contract Line Items",
            Kind::ChangeOrder | Kind::ChangeOrderLineItem => "Change Order Packages",
            Kind::PrimeContract => "Prime Contracts",
            Kind::PrimeContractLineItem => "Prime Contract Line Items",
            Kind::DirectCost => "Direct Costs",
            Kind::DirectCostLineItem => "Direct Cost Line Items",
            Kind::Requisition => "Requisitions",
            Kind::BudgetModification => "Budget Modifications",
        }
    }

    /// The parent kind of a line-item kind (v3 `related_resources`).
    pub fn parent_kind(self) -> Option<Kind> {
        match self {
            Kind::WorkOrderContractLineItem => Some(Kind::WorkOrderContract),
            Kind::PurchaseOrderContractLineItem => Some(Kind::PurchaseOrderContract),
            Kind::PrimeContractLineItem => Some(Kind::PrimeContract),
            Kind::DirectCostLineItem => Some(Kind::DirectCost),
            Kind::ChangeOrderLineItem => Some(Kind::ChangeOrder),
            _ => None,
        }
    }
}

/// One stored record. `fields` hold the writable attributes as the API received them.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: i64,
    pub kind: Kind,
    pub company_id: i64,
    pub project_id: Option<i64>,
    /// Holder of a line item (contract, direct cost, change order).
    pub parent_id: Option<i64>,
    pub fields: Map<String, Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Row {
    pub fn str(&self, key: &str) -> Option<&str> {
        self.fields.get(key).and_then(Value::as_str)
    }
    pub fn i64(&self, key: &str) -> Option<i64> {
        self.fields.get(key).and_then(Value::as_i64)
    }
    pub fn f64(&self, key: &str) -> f64 {
        number(self.fields.get(key))
    }
    pub fn bool(&self, key: &str) -> Option<bool> {
        self.fields.get(key).and_then(Value::as_bool)
    }
    pub fn origin_id(&self) -> Option<&str> {
        self.str("origin_id").filter(|s| !s.is_empty())
    }
}

/// Reads a JSON number or numeric string as `f64` (amounts only, never ids).
pub fn number(value: Option<&Value>) -> f64 {
    match value {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// What happened to a row, for the webhook engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    Create,
    Update,
    Delete,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Create => "create",
            EventType::Update => "update",
            EventType::Delete => "delete",
        }
    }
}

/// One change, as the webhook engine sees it.
#[derive(Clone, Debug)]
pub struct Change {
    pub kind: Kind,
    pub event_type: EventType,
    pub id: i64,
    pub company_id: i64,
    pub project_id: Option<i64>,
    pub parent: Option<(Kind, i64)>,
    pub user_id: i64,
    pub at: DateTime<Utc>,
}

/// All rows, indexed by kind and id.
#[derive(Debug)]
pub struct Store {
    next_id: i64,
    rows: HashMap<Kind, BTreeMap<i64, Row>>,
    origin: HashMap<(Kind, i64, String), i64>,
    /// Companies by id, with their name.
    pub companies: BTreeMap<i64, String>,
    /// Project directory: (project id, vendor id) pairs.
    pub project_vendors: std::collections::BTreeSet<(i64, i64)>,
    pub changes: Vec<Change>,
    /// Fault knob: accept a repeated `origin_id` (`Emulator::set_origin_ids_unique`).
    pub(crate) origin_ids_unchecked: bool,
    /// Standard cost code lists by company (`standard_codes`).
    pub(crate) standard_codes: HashMap<i64, Vec<super::standard_codes::StandardCode>>,
}

impl Store {
    pub fn new(first_id: i64) -> Self {
        Self {
            next_id: first_id,
            rows: HashMap::new(),
            origin: HashMap::new(),
            companies: BTreeMap::new(),
            project_vendors: std::collections::BTreeSet::new(),
            changes: Vec::new(),
            origin_ids_unchecked: false,
            standard_codes: HashMap::new(),
        }
    }

    /// A fresh id (64-bit; by default above 2^53, as in Procore's multi-region ids).
    pub fn allocate_id(&mut self) -> i64 {
        let id = self.next_id;
        // Gaps like real ids, and odd steps so neighbours differ in the low bits f64 loses.
        self.next_id += 3;
        id
    }

    pub fn get(&self, kind: Kind, id: i64) -> Option<&Row> {
        self.rows
            .get(&kind)
            .and_then(|t| t.get(&id))
            .filter(|r| r.deleted_at.is_none())
    }

    /// Live rows of a kind, in id order.
    pub fn iter(&self, kind: Kind) -> impl Iterator<Item = &Row> {
        self.rows
            .get(&kind)
            .into_iter()
            .flat_map(|t| t.values())
            .filter(|r| r.deleted_at.is_none())
    }

    /// Rows including soft-deleted ones.
    pub fn iter_all(&self, kind: Kind) -> impl Iterator<Item = &Row> {
        self.rows.get(&kind).into_iter().flat_map(|t| t.values())
    }

    pub fn children(&self, kind: Kind, parent_id: i64) -> impl Iterator<Item = &Row> {
        self.iter(kind)
            .filter(move |r| r.parent_id == Some(parent_id))
    }

    pub fn find_origin(&self, kind: Kind, company_id: i64, origin_id: &str) -> Option<i64> {
        self.origin
            .get(&(kind, company_id, origin_id.to_string()))
            .copied()
    }

    /// Who else already holds this `origin_id` in the company (uniqueness check).
    pub fn origin_taken(
        &self,
        kind: Kind,
        company_id: i64,
        origin_id: &str,
        except: Option<i64>,
    ) -> bool {
        !self.origin_ids_unchecked
            && self
                .find_origin(kind, company_id, origin_id)
                .is_some_and(|id| Some(id) != except)
    }

    /// Inserts a new row and records a `create` change.
    pub fn insert(&mut self, mut row: Row, user_id: i64) -> i64 {
        if row.id == 0 {
            row.id = self.allocate_id();
        }
        let id = row.id;
        if let Some(origin) = row.origin_id() {
            self.origin
                .insert((row.kind, row.company_id, origin.to_string()), id);
        }
        self.record(&row, EventType::Create, user_id);
        self.rows.entry(row.kind).or_default().insert(id, row);
        id
    }

    /// Merges `fields` into a row and records an `update` change.
    pub fn update(
        &mut self,
        kind: Kind,
        id: i64,
        fields: Map<String, Value>,
        user_id: i64,
    ) -> Option<&Row> {
        let now = Utc::now();
        let row = self.rows.get_mut(&kind)?.get_mut(&id)?;
        let old_origin = row.origin_id().map(str::to_string);
        for (k, v) in fields {
            row.fields.insert(k, v);
        }
        row.updated_at = now;
        let new_origin = row.origin_id().map(str::to_string);
        let (company_id, snapshot) = (row.company_id, row.clone());
        if old_origin != new_origin {
            if let Some(old) = old_origin {
                self.origin.remove(&(kind, company_id, old));
            }
            if let Some(new) = new_origin {
                self.origin.insert((kind, company_id, new), id);
            }
        }
        self.record(&snapshot, EventType::Update, user_id);
        self.get(kind, id)
    }

    /// Soft-deletes a row and records a `delete` change.
    pub fn delete(&mut self, kind: Kind, id: i64, user_id: i64) -> bool {
        let Some(row) = self.rows.get_mut(&kind).and_then(|t| t.get_mut(&id)) else {
            return false;
        };
        if row.deleted_at.is_some() {
            return false;
        }
        row.deleted_at = Some(Utc::now());
        let snapshot = row.clone();
        if let Some(origin) = snapshot.origin_id() {
            self.origin
                .remove(&(kind, snapshot.company_id, origin.to_string()));
        }
        self.record(&snapshot, EventType::Delete, user_id);
        true
    }

    /// Records a change that has no row of its own (e.g. a budget modification).
    pub fn record_event(
        &mut self,
        kind: Kind,
        id: i64,
        company_id: i64,
        project_id: Option<i64>,
        user_id: i64,
    ) {
        self.changes.push(Change {
            kind,
            event_type: EventType::Create,
            id,
            company_id,
            project_id,
            parent: None,
            user_id,
            at: Utc::now(),
        });
    }

    fn record(&mut self, row: &Row, event_type: EventType, user_id: i64) {
        let parent = row.kind.parent_kind().zip(row.parent_id);
        self.changes.push(Change {
            kind: row.kind,
            event_type,
            id: row.id,
            company_id: row.company_id,
            project_id: row.project_id,
            parent,
            user_id,
            at: Utc::now(),
        });
    }
}

/// A new row with timestamps set to now; `id` 0 means "allocate one".
pub fn new_row(
    kind: Kind,
    company_id: i64,
    project_id: Option<i64>,
    parent_id: Option<i64>,
    fields: Map<String, Value>,
) -> Row {
    let now = Utc::now();
    Row {
        id: 0,
        kind,
        company_id,
        project_id,
        parent_id,
        fields,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}
