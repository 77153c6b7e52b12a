//! What a Procore user sets up for the billing flows: project P-100 with its cost codes, the
//! owner company VILLE01 and a prime contract with two Schedule of Values lines; and what the
//! bridge links first (the project, the owner as a maestro* customer).

#![allow(dead_code)]

use crate::flows_support::{COMPANY, Stack};
use bridge_domain::{Action, Direction, EntityKind};
use bridge_procore::ProcoreId;
use bridge_procore::writes::{NewContract, NewCostCode, NewLineItem, NewLineItemType};
use serde_json::json;

pub const PC: EntityKind = EntityKind::PrimeContract;
pub const PCO: EntityKind = EntityKind::PrimeChangeOrder;
pub const TO_MAESTRO: Direction = Direction::ToMaestro;

/// What exists in Procore.
pub struct Billing {
    pub project: i64,
    pub owner: i64,
    pub contract: i64,
    /// The leaf cost codes of the two lines and the cost type.
    pub codes: [ProcoreId; 2],
    pub material: ProcoreId,
}

impl Billing {
    pub fn key(&self) -> String {
        self.contract.to_string()
    }
    pub fn project_key(&self) -> String {
        self.project.to_string()
    }
}

/// How the contract is set up.
pub struct Setup {
    pub status: &'static str,
    /// `amount` or `unit`.
    pub method: &'static str,
    /// Cost codes as levels `01` > `A` > `001` (the concatenated mode) instead of whole codes.
    pub levels: bool,
}

pub const APPROVED: Setup = Setup {
    status: "Approved",
    method: "amount",
    levels: false,
};

/// The project, its cost codes (`01-A-001`, `01-A-002` whole, or by levels), cost type MAT.
async fn codes(s: &Stack, project: i64, levels: bool) -> [ProcoreId; 2] {
    let c = s.procore_user();
    let code = |code: &str, parent: Option<ProcoreId>| NewCostCode {
        code: Some(code.to_owned()),
        name: Some("Travaux".to_owned()),
        parent_id: parent,
        ..NewCostCode::default()
    };
    if !levels {
        let a = c.create_cost_code(project, &code("01-A-001", None)).await;
        let b = c.create_cost_code(project, &code("01-A-002", None)).await;
        return [a.unwrap().id, b.unwrap().id];
    }
    let root = c
        .create_cost_code(project, &code("01", None))
        .await
        .unwrap();
    let mid = c.create_cost_code(project, &code("A", Some(root.id))).await;
    let mid = mid.unwrap().id;
    let a = c.create_cost_code(project, &code("001", Some(mid))).await;
    let b = c.create_cost_code(project, &code("002", Some(mid))).await;
    [a.unwrap().id, b.unwrap().id]
}

/// Sets up Procore: project P-100, owner VILLE01 and prime contract `PC-001`.
pub async fn procore_contract(s: &Stack, setup: &Setup) -> Billing {
    let c = s.procore_user();
    let project = s
        .procore_project(json!({
            "name": "Garage municipal de Laval", "project_number": "P-100",
            "start_date": "2026-04-01", "completion_date": "2026-11-30",
        }))
        .await;
    let codes = codes(s, project, setup.levels).await;
    let material = NewLineItemType {
        name: Some("Matériaux".to_owned()),
        code: Some("MAT".to_owned()),
        base_type: Some("materials".to_owned()),
    };
    let material = c.create_line_item_type(&material).await.unwrap().id;
    let owner = s
        .procore_vendor(json!({ "name": "Ville de Laval", "abbreviated_name": "VILLE01" }))
        .await;
    let contract = NewContract {
        number: Some("PC-001".to_owned()),
        title: Some("Garage municipal".to_owned()),
        description: Some("Contrat principal".to_owned()),
        vendor_id: Some(owner.into()),
        retainage_percent: Some(5.0),
        status: Some(setup.status.to_owned()),
        ..NewContract::default()
    };
    let contract = c
        .create_prime_contract(project, &contract)
        .await
        .unwrap()
        .id
        .0;
    c.set_prime_contract_accounting_method(project, contract, setup.method)
        .await
        .unwrap();
    let lines = [
        NewLineItem {
            description: Some("Fondations".to_owned()),
            cost_code_id: Some(codes[0]),
            line_item_type_id: Some(material),
            quantity: Some(40.0),
            unit_cost: Some(212.5),
            uom: Some("m3".to_owned()),
            amount: Some(8500.0),
        },
        NewLineItem {
            description: Some("Structure".to_owned()),
            cost_code_id: Some(codes[1]),
            line_item_type_id: Some(material),
            quantity: Some(1.0),
            unit_cost: Some(1250.75),
            uom: Some("forfait".to_owned()),
            amount: Some(1250.75),
        },
    ];
    for line in lines {
        c.create_prime_contract_line(project, contract, &line)
            .await
            .unwrap();
    }
    Billing {
        project,
        owner,
        contract,
        codes,
        material,
    }
}

/// maestro* with project P-100 (activities `01-A-001`, `01-A-002`, groups).
pub fn maestro_side(s: &Stack) {
    s.add_project("P-100", "Garage municipal de Laval");
}

/// Links project P-100 through the project flow (by its job number).
pub async fn link_project(s: &Stack) {
    let (kind, to) = (EntityKind::Project, Direction::ToProcore);
    s.emit(kind, to, Action::Create, "P-100", None).await;
    s.wait_for(kind, to, "P-100", "synced").await;
}

/// The owner becomes a maestro* customer through the customer flow, as the `Prime Contracts`
/// event names it (`prime_contract:<id>`).
pub async fn link_owner(s: &Stack, b: &Billing) {
    let record = format!("prime_contract:{}", b.contract);
    let project = b.project_key();
    let customer = EntityKind::Customer;
    s.emit(
        customer,
        TO_MAESTRO,
        Action::Create,
        &record,
        Some(&project),
    )
    .await;
    s.wait_for(customer, TO_MAESTRO, &record, "synced").await;
}

/// Sends the prime contract event and waits for `status`.
pub async fn send_contract(
    s: &Stack,
    b: &Billing,
    action: Action,
    status: &str,
) -> crate::flows_support::Item {
    s.emit(PC, TO_MAESTRO, action, &b.key(), Some(&b.project_key()))
        .await;
    s.wait_for(PC, TO_MAESTRO, &b.key(), status).await
}

/// Creates a change order on the prime contract (`approved`, `pending`, ...) with one line.
pub fn change_order(s: &Stack, b: &Billing, status: &str) -> i64 {
    let line = bridge_sandbox::procore::AdminLine {
        cost_code_id: b.codes[0].0,
        line_item_type_id: b.material.0,
        amount: 1500.0,
        description: "Dalle plus épaisse".to_owned(),
    };
    s.procore
        .create_change_order(b.contract, "Dalle renforcée", status, &[line])
        .unwrap()
}

/// A maestro* client of the connection's company, for what a crashed attempt left behind.
pub fn maestro_client(s: &Stack) -> bridge_maestro::HttpMaestro {
    bridge_maestro::HttpMaestro::new(bridge_maestro::ClientConfig::new(
        s.maestro_base.clone(),
        s.maestro.config().api_key.clone(),
        COMPANY,
    ))
    .unwrap()
}

/// maestro* and Procore set up, the project and the owner linked.
pub async fn linked_contract(s: &Stack, setup: &Setup) -> Billing {
    maestro_side(s);
    let b = procore_contract(s, setup).await;
    link_project(s).await;
    link_owner(s, &b).await;
    b
}

/// A billing contract on P-100 as someone (or a crashed attempt) left it in maestro*.
pub fn earlier_contract(external_no: &str) -> bridge_maestro::NewBillingContract {
    bridge_maestro::NewBillingContract {
        project: bridge_maestro::ProjectCode::new("P-100").unwrap(),
        customer_code: "VILLE01".into(),
        description: "Contrat saisi".into(),
        external_no: Some(external_no.into()),
        start_date: None,
        delivery_date: None,
        holdback_percent: None,
        original_amount: "0".parse().unwrap(),
        progress_type: bridge_maestro::ProgressType::Rate,
        lines: vec![],
    }
}

/// Sends the change order package event and waits for `status`.
pub async fn send_change_order(
    s: &Stack,
    b: &Billing,
    co: i64,
    action: Action,
    status: &str,
) -> crate::flows_support::Item {
    let key = co.to_string();
    s.emit(PCO, TO_MAESTRO, action, &key, Some(&b.project_key()))
        .await;
    s.wait_for(PCO, TO_MAESTRO, &key, status).await
}

/// An approved change order on a subcontract of the project (a commitment package).
pub fn commitment_change_order(s: &Stack, b: &Billing) -> i64 {
    let draft = bridge_sandbox::procore::DraftCommitment {
        subcontract: true,
        project_id: b.project,
        vendor_id: b.owner,
        title: "Coffrage".into(),
        description: String::new(),
        retainage_percent: 0.0,
        lines: vec![],
    };
    let subcontract = s.procore.draft_commitment(&draft).unwrap();
    s.procore
        .create_change_order(subcontract, "Coffrage ajouté", "approved", &[])
        .unwrap()
}
