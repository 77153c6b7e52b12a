//! The budgets' common set-up: project P-100 on both sides, linked; Procore cost codes in the
//! shape of the connection's cost-code mode (rules §4) and the cost types MAT and SST;
//! maestro* budget lines; and readers of both budgets.

#![allow(dead_code)]

use crate::flows_support::{COMPANY, Stack};
use bridge_domain::{Action, Direction, EntityKind};
use bridge_maestro as mx;
use bridge_procore::ProcoreId;
use bridge_procore::writes::{NewCostCode, NewLineItemType};
use bridge_sandbox::procore::Kind;
use serde_json::json;
use std::collections::HashMap;

pub const PROJECT: &str = "P-100";

/// The Procore side: the project, its cost codes by maestro* activity, the cost types.
pub struct Procore {
    pub project: i64,
    pub codes: HashMap<&'static str, i64>,
    pub mat: i64,
    pub sst: i64,
}

impl Procore {
    pub fn project_key(&self) -> String {
        self.project.to_string()
    }
}

/// P-100 in both systems with its codes, linked through the project flow. In `direct` mode
/// the codes are `01-A` > `01-A-001`, `01-A-002`; in `concatenated` mode `01` > `A` >
/// `001`, `002` (the same activities). maestro* also has the activity `01-A`.
pub async fn both_sides(s: &Stack, concatenated: bool) -> Procore {
    if concatenated {
        s.set_setting("cost_code_mode", json!("concatenated")).await;
    }
    s.add_project(PROJECT, "Garage municipal de Laval");
    s.maestro
        .add_activity(COMPANY, PROJECT, "01-A", "Structure")
        .unwrap();
    let project = s
        .procore_project(json!({
            "name": "Garage municipal de Laval", "project_number": PROJECT,
            "start_date": "2026-04-01", "completion_date": "2026-11-30",
        }))
        .await;
    let c = s.procore_user();
    let code = async |code: &str, parent: Option<i64>| {
        let new = NewCostCode {
            code: Some(code.to_owned()),
            name: Some("Travaux".to_owned()),
            parent_id: parent.map(ProcoreId),
            ..NewCostCode::default()
        };
        c.create_cost_code(project, &new).await.unwrap().id.0
    };
    let mut codes = HashMap::new();
    if concatenated {
        let root = code("01", None).await;
        let a = code("A", Some(root)).await;
        codes.insert("01-A", a);
        codes.insert("01-A-001", code("001", Some(a)).await);
        codes.insert("01-A-002", code("002", Some(a)).await);
    } else {
        let a = code("01-A", None).await;
        codes.insert("01-A", a);
        codes.insert("01-A-001", code("01-A-001", Some(a)).await);
        codes.insert("01-A-002", code("01-A-002", Some(a)).await);
    }
    let kind = async |code: &str, base: &str| {
        let new = NewLineItemType {
            name: Some(code.to_owned()),
            code: Some(code.to_owned()),
            base_type: Some(base.to_owned()),
        };
        c.create_line_item_type(&new).await.unwrap().id.0
    };
    let mat = kind("MAT", "materials").await;
    let sst = kind("SST", "commitment").await;
    s.emit(
        EntityKind::Project,
        Direction::ToProcore,
        Action::Create,
        PROJECT,
        None,
    )
    .await;
    s.wait_for(EntityKind::Project, Direction::ToProcore, PROJECT, "synced")
        .await;
    Procore {
        project,
        codes,
        mat,
        sst,
    }
}

/// Enters the Budget column of one maestro* line (amount in dollars).
pub fn budget(s: &Stack, activity: &str, group: &str, amount: &str, quantity: &str) {
    let line = mx::BudgetLine {
        project: mx::ProjectCode::new(PROJECT).unwrap(),
        activity: activity.to_owned(),
        group: group.to_owned(),
        unit: (quantity != "0").then(|| "m3".to_owned()),
        budget_amount: amount.parse().unwrap(),
        budget_quantity: quantity.parse().unwrap(),
        modification_amount: mx::Amount::ZERO,
        modification_quantity: mx::Quantity::ZERO,
    };
    s.maestro.set_budget(COMPANY, line).unwrap();
}

/// One Procore budget line as the emulator shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub cost_code: i64,
    pub cost_type: i64,
    pub amount: f64,
    pub quantity: f64,
    pub uom: Option<String>,
    pub unit_cost: f64,
    pub updated_at: String,
}

/// The Procore budget of the project, by (cost code, cost type).
pub fn procore_budget(s: &Stack, p: &Procore) -> HashMap<(i64, i64), Line> {
    s.procore
        .list_ids(Kind::BudgetLineItem, p.project)
        .into_iter()
        .filter_map(|id| s.procore.get_json(Kind::BudgetLineItem, id))
        .map(|v| {
            let line = Line {
                cost_code: v["cost_code"]["id"].as_i64().unwrap(),
                cost_type: v["line_item_type"]["id"].as_i64().unwrap(),
                amount: v["original_budget_amount"].as_f64().unwrap(),
                quantity: v["quantity"].as_f64().unwrap_or_default(),
                uom: v["uom"].as_str().map(str::to_owned),
                unit_cost: v["unit_cost"].as_f64().unwrap_or_default(),
                updated_at: v["updated_at"].to_string(),
            };
            ((line.cost_code, line.cost_type), line)
        })
        .collect()
}

/// The maestro* Modification column of the project: `(activity, group) -> amount`.
pub fn modifications(s: &Stack) -> HashMap<(String, String), String> {
    s.maestro
        .budget_lines(COMPANY, PROJECT)
        .into_iter()
        .map(|l| ((l.activity, l.group), l.modification_amount.to_string()))
        .collect()
}

/// Sends the maestro* budget of P-100 as the poller would.
pub async fn send_budget(s: &Stack) {
    s.emit(
        EntityKind::OriginalBudget,
        Direction::ToProcore,
        Action::Update,
        PROJECT,
        Some(PROJECT),
    )
    .await;
}
