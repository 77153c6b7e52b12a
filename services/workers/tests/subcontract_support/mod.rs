//! What a Procore user sets up for the subcontract flows: a project P-100 whose cost codes
//! form the hierarchy `01` → `A` → `001`, `002` (rules §4), the cost type SST, the vendor
//! ELEC01 and work order contracts with two Schedule of Values lines; and maestro*'s side.

#![allow(dead_code)]

use crate::flows_support::Stack;
use bridge_domain::{Action, Direction, EntityKind};
use bridge_procore::ProcoreId;
use bridge_procore::writes::{NewContract, NewCostCode, NewLineItem, NewLineItemType};
use bridge_sandbox::procore::AdminLine;
use serde_json::json;

pub const SUB: EntityKind = EntityKind::Subcontract;
pub const CO: EntityKind = EntityKind::SubcontractChangeOrder;
pub const TO_MAESTRO: Direction = Direction::ToMaestro;

/// The Procore project with its leaf cost codes, cost type and vendor.
pub struct Site {
    pub project: i64,
    pub codes: [ProcoreId; 2],
    pub kind: ProcoreId,
    pub vendor: i64,
}

impl Site {
    pub fn project_key(&self) -> Option<String> {
        Some(self.project.to_string())
    }

    /// A work order contract numbered `number` with two lines; approved when `status` is
    /// `Approved`. Returns its id.
    pub async fn work_order(&self, s: &Stack, number: &str, status: &str) -> i64 {
        let c = s.procore_user();
        let contract = NewContract {
            number: Some(number.to_owned()),
            title: Some("Électricité".to_owned()),
            description: Some("Entrée électrique".to_owned()),
            vendor_id: Some(self.vendor.into()),
            retainage_percent: Some(5.0),
            contract_date: Some("2026-05-04".to_owned()),
            status: Some("Draft".to_owned()),
            ..NewContract::default()
        };
        let id = c
            .create_work_order_contract(self.project, &contract)
            .await
            .unwrap()
            .id
            .0;
        let lines = [
            NewLineItem {
                description: Some("Filage".to_owned()),
                cost_code_id: Some(self.codes[0]),
                line_item_type_id: Some(self.kind),
                amount: Some(12000.0),
                ..NewLineItem::default()
            },
            NewLineItem {
                description: Some("Électricien".to_owned()),
                cost_code_id: Some(self.codes[1]),
                line_item_type_id: Some(self.kind),
                quantity: Some(3.0),
                unit_cost: Some(266.75),
                uom: Some("jour".to_owned()),
                amount: Some(800.25),
            },
        ];
        for line in lines {
            c.create_work_order_line(self.project, id, &line)
                .await
                .unwrap();
        }
        if status == "Approved" {
            s.procore.approve_commitment(id).unwrap();
        }
        id
    }

    /// A purchase order of the project (approved); returns its id.
    pub async fn purchase_order(&self, s: &Stack, number: &str) -> i64 {
        let contract = NewContract {
            number: Some(number.to_owned()),
            title: Some("Luminaires".to_owned()),
            vendor_id: Some(self.vendor.into()),
            status: Some("Draft".to_owned()),
            ..NewContract::default()
        };
        let c = s.procore_user();
        let id = c
            .create_purchase_order_contract(self.project, &contract)
            .await
            .unwrap()
            .id
            .0;
        s.procore.approve_commitment(id).unwrap();
        id
    }

    /// A change order on `contract_id` with one line; `status` as Procore writes it
    /// (`approved`, `pending`, ...). Returns the package id.
    pub fn change_order(&self, s: &Stack, contract_id: i64, status: &str) -> i64 {
        let line = AdminLine {
            cost_code_id: self.codes[0].0,
            line_item_type_id: self.kind.0,
            amount: 1500.0,
            description: "Prises extérieures".to_owned(),
        };
        s.procore
            .create_change_order(contract_id, "Ajout", status, &[line])
            .unwrap()
    }
}

/// Sets up Procore: project P-100, the cost-code hierarchy, cost type SST, vendor ELEC01.
pub async fn procore_site(s: &Stack) -> Site {
    let c = s.procore_user();
    let project = s
        .procore_project(json!({
            "name": "Garage municipal de Laval", "project_number": "P-100",
            "start_date": "2026-04-01", "completion_date": "2026-11-30",
        }))
        .await;
    let code = |code: &str, parent: Option<ProcoreId>| NewCostCode {
        code: Some(code.to_owned()),
        name: Some("Électricité".to_owned()),
        parent_id: parent,
        ..NewCostCode::default()
    };
    let division = c
        .create_cost_code(project, &code("01", None))
        .await
        .unwrap();
    let group = c
        .create_cost_code(project, &code("A", Some(division.id)))
        .await
        .unwrap();
    let mut codes = Vec::new();
    for leaf in ["001", "002"] {
        let new = code(leaf, Some(group.id));
        codes.push(c.create_cost_code(project, &new).await.unwrap().id);
    }
    let kind = NewLineItemType {
        name: Some("Sous-traitance".to_owned()),
        code: Some("SST".to_owned()),
        base_type: Some("commitment".to_owned()),
    };
    let kind = c.create_line_item_type(&kind).await.unwrap().id;
    let vendor = s
        .procore_vendor(json!({ "name": "Électro Laval inc.", "abbreviated_name": "ELEC01" }))
        .await;
    Site {
        project,
        codes: [codes[0], codes[1]],
        kind,
        vendor,
    }
}

/// maestro*: project P-100 (activities `01-A-001`, `01-A-002`, and `001`, `002` for the
/// direct mode; groups MAT and SST) and supplier ELEC01.
pub fn maestro_side(s: &Stack) {
    s.add_project("P-100", "Garage municipal de Laval");
    for activity in ["001", "002"] {
        s.maestro
            .add_activity(crate::flows_support::COMPANY, "P-100", activity, "Travaux")
            .unwrap();
    }
    s.add_supplier("ELEC01", "Électro Laval inc.");
}

pub async fn link_project(s: &Stack) {
    s.emit(
        EntityKind::Project,
        Direction::ToProcore,
        Action::Create,
        "P-100",
        None,
    )
    .await;
    s.wait_for(EntityKind::Project, Direction::ToProcore, "P-100", "synced")
        .await;
}

pub async fn link_supplier(s: &Stack, site: &Site) {
    let vendor = site.vendor.to_string();
    s.emit(
        EntityKind::Supplier,
        TO_MAESTRO,
        Action::Create,
        &vendor,
        None,
    )
    .await;
    s.wait_for(EntityKind::Supplier, TO_MAESTRO, &vendor, "synced")
        .await;
}

/// Sends `record` of `kind` to the workers as a webhook of its project would.
pub async fn send(s: &Stack, kind: EntityKind, action: Action, record: i64, site: &Site) {
    let key = site.project_key();
    s.emit(
        kind,
        TO_MAESTRO,
        action,
        &record.to_string(),
        key.as_deref(),
    )
    .await;
}

/// Synchronizes the approved work order `id` and returns its maestro* number.
pub async fn synced_subcontract(s: &Stack, site: &Site, id: i64) -> String {
    send(s, SUB, Action::Create, id, site).await;
    s.wait_for(SUB, TO_MAESTRO, &id.to_string(), "synced").await;
    let number: String = sqlx::query_scalar(
        "SELECT maestro_key FROM links WHERE kind = 'subcontract' AND procore_id = $1",
    )
    .bind(id)
    .fetch_one(&s.db.pool)
    .await
    .unwrap();
    number
}

pub fn maestro_client(s: &Stack) -> bridge_maestro::HttpMaestro {
    bridge_maestro::HttpMaestro::new(bridge_maestro::ClientConfig::new(
        s.maestro_base.clone(),
        s.maestro.config().api_key.clone(),
        crate::flows_support::COMPANY,
    ))
    .unwrap()
}
