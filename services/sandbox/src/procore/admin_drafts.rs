//! What a Procore project manager creates in the UI, as methods for the sandbox's simulated
//! users and for tests: a project (with its Job Number), and a draft commitment with a title,
//! description, retainage and lines that someone approves later; and later edits of a record
//! (which the bridge does not propagate: creation only). They write through the store,
//! so webhooks fire as for any other change.

use chrono::NaiveDate;
use serde_json::{Map, Value, json};

use super::Emulator;
use super::admin::{ADMIN_USER_ID, AdminLine};
use super::store::{Kind, new_row};

/// A project as a project manager enters it in Procore.
#[derive(Clone, Debug)]
pub struct NewProject {
    /// The Job Number (`project_number`), which becomes the maestro* project code.
    pub number: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub start_date: NaiveDate,
    pub completion_date: NaiveDate,
}

/// A draft purchase order or subcontract.
#[derive(Clone, Debug)]
pub struct DraftCommitment {
    /// A subcontract (work order contract) when set, else a purchase order.
    pub subcontract: bool,
    pub project_id: i64,
    pub vendor_id: i64,
    pub title: String,
    pub description: String,
    pub retainage_percent: f64,
    pub lines: Vec<AdminLine>,
}

fn fields(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

impl Emulator {
    /// Creates an active project in `company_id`; returns its id.
    pub fn create_project(&self, company_id: i64, project: &NewProject) -> i64 {
        let mut store = self.lock_store();
        let row = fields(&[
            ("project_number", json!(project.number)),
            ("name", json!(project.name)),
            ("address", json!(project.address)),
            ("city", json!(project.city)),
            ("state_code", json!("QC")),
            ("country_code", json!("CA")),
            ("start_date", json!(project.start_date.to_string())),
            (
                "completion_date",
                json!(project.completion_date.to_string()),
            ),
            ("active", json!(true)),
        ]);
        let id = store.insert(
            new_row(Kind::Project, company_id, None, None, row),
            ADMIN_USER_ID,
        );
        store.apply_standard_codes(company_id, id, ADMIN_USER_ID);
        drop(store);
        self.changed();
        id
    }

    /// Creates a `Draft` commitment numbered `SIM-PO-001`, `SIM-SC-001`, ... in its project;
    /// returns its id, or `None` when the project does not exist.
    pub fn draft_commitment(&self, draft: &DraftCommitment) -> Option<i64> {
        let mut store = self.lock_store();
        let company_id = store.get(Kind::Project, draft.project_id)?.company_id;
        let (kind, line_kind, prefix) = if draft.subcontract {
            (
                Kind::WorkOrderContract,
                Kind::WorkOrderContractLineItem,
                "SIM-SC",
            )
        } else {
            (
                Kind::PurchaseOrderContract,
                Kind::PurchaseOrderContractLineItem,
                "SIM-PO",
            )
        };
        let taken = store
            .iter(kind)
            .filter(|c| c.project_id == Some(draft.project_id))
            .count();
        let row = fields(&[
            ("number", json!(format!("{prefix}-{:03}", taken + 1))),
            ("title", json!(draft.title)),
            ("description", json!(draft.description)),
            ("vendor_id", json!(draft.vendor_id)),
            ("status", json!("Draft")),
            ("executed", json!(false)),
            ("retainage_percent", json!(draft.retainage_percent)),
            ("accounting_method", json!("amount")),
        ]);
        let project = Some(draft.project_id);
        let id = store.insert(new_row(kind, company_id, project, None, row), ADMIN_USER_ID);
        for (i, line) in draft.lines.iter().enumerate() {
            let row = fields(&[
                ("cost_code_id", json!(line.cost_code_id)),
                ("line_item_type_id", json!(line.line_item_type_id)),
                ("amount", json!(line.amount)),
                ("description", json!(line.description)),
                ("extended_type", json!("manual")),
                ("position", json!(i + 1)),
            ]);
            let line_row = new_row(line_kind, company_id, project, Some(id), row);
            store.insert(line_row, ADMIN_USER_ID);
        }
        drop(store);
        self.changed();
        Some(id)
    }

    /// Changes some fields of a record as a user editing it would; `None` when it is unknown.
    pub fn edit(&self, kind: Kind, id: i64, changes: &[(&str, Value)]) -> Option<()> {
        let mut store = self.lock_store();
        store.update(kind, id, fields(changes), ADMIN_USER_ID)?;
        drop(store);
        self.changed();
        Some(())
    }
}
