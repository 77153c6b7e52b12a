//! Budgets end to end (rules §1 and §4, docs/rules.md "Original Budget" and "Modified Budget"):
//! the maestro* Budget column into the Procore budget, and Procore's Approved COs into the
//! maestro* Modification column, through the real broker and Postgres against both emulators.

mod budget_support;
mod flows_support;

use bridge_domain::{Action, Direction, EntityKind};
use bridge_platform::testing::eventually;
use bridge_procore::ProcoreId;
use bridge_procore::budgets::BudgetLineUpdate;
use bridge_procore::writes::{NewContract, NewCostCode};
use bridge_sandbox::procore::{AdminLine, Kind};
use budget_support::{
    PROJECT, Procore, both_sides, budget, modifications, procore_budget, send_budget,
};
use flows_support::{Item, Stack};
use serde_json::json;
use std::time::Duration;

const BUDGET: EntityKind = EntityKind::OriginalBudget;
const TO_PROCORE: Direction = Direction::ToProcore;
const MODIFIED: EntityKind = EntityKind::ModifiedBudget;
const TO_MAESTRO: Direction = Direction::ToMaestro;

/// Waits until the item of `kind` has been handled more than `after` times, with `status`.
async fn settled(s: &Stack, kind: EntityKind, record: &str, after: i32, status: &str) -> Item {
    let direction = if kind == BUDGET {
        TO_PROCORE
    } else {
        TO_MAESTRO
    };
    eventually(
        Duration::from_secs(20),
        &format!("{kind} {record} to be {status}"),
        || async {
            s.item(kind, direction, record)
                .await
                .filter(|i| i.attempts > after && i.status == status)
        },
    )
    .await
}

/// The first maestro* budget of P-100, sent and synced: 8,500 $ for 40 m3 of concrete, 1,250.75 $
/// of subcontracting, and a zero line.
async fn first_budget(s: &Stack, concatenated: bool) -> Procore {
    let p = both_sides(s, concatenated).await;
    budget(s, "01-A-001", "MAT", "8500.00", "40");
    budget(s, "01-A-002", "SST", "1250.75", "0");
    budget(s, "01-A-002", "MAT", "0.00", "0");
    send_budget(s).await;
    settled(s, BUDGET, PROJECT, 0, "synced").await;
    p
}

#[tokio::test]
async fn a_maestro_budget_becomes_one_procore_line_per_activity_and_group_without_zero_lines() {
    let s = Stack::start().await;
    let p = first_budget(&s, false).await;
    let lines = procore_budget(&s, &p);
    assert_eq!(lines.len(), 2, "the zero line stays out: {lines:?}");
    let concrete = &lines[&(p.codes["01-A-001"], p.mat)];
    assert_eq!(concrete.amount, 8500.0);
    assert_eq!(
        (
            concrete.quantity,
            concrete.uom.as_deref(),
            concrete.unit_cost
        ),
        (40.0, Some("m3"), 212.5)
    );
    assert_eq!(lines[&(p.codes["01-A-002"], p.sst)].amount, 1250.75);
    let item = s.item(BUDGET, TO_PROCORE, PROJECT).await.unwrap();
    assert_eq!(
        item.description.as_deref(),
        Some("budget of project P-100 (Garage municipal de Laval)")
    );
    assert!(item.says("info", "2 lines created"), "{item:?}");
}

#[tokio::test]
async fn maestro_wins_on_every_difference_and_a_line_removed_in_maestro_is_set_to_zero() {
    let s = Stack::start().await;
    let p = first_budget(&s, false).await;
    // Someone changes the Procore budget by hand; maestro* changes its own.
    let concrete = s.procore.list_ids(Kind::BudgetLineItem, p.project)[0];
    s.procore
        .edit(
            Kind::BudgetLineItem,
            concrete,
            &[("original_budget_amount", json!(1.0))],
        )
        .unwrap();
    budget(&s, "01-A-001", "MAT", "9000.00", "40");
    budget(&s, "01-A-002", "SST", "0.00", "0");
    send_budget(&s).await;
    settled(&s, BUDGET, PROJECT, 1, "synced").await;
    let lines = procore_budget(&s, &p);
    assert_eq!(
        lines[&(p.codes["01-A-001"], p.mat)].amount,
        9000.0,
        "maestro* wins"
    );
    assert_eq!(
        lines[&(p.codes["01-A-002"], p.sst)].amount,
        0.0,
        "removed in maestro*, zero in Procore"
    );
}

#[tokio::test]
async fn an_unchanged_budget_is_not_sent_again() {
    let s = Stack::start().await;
    let p = first_budget(&s, false).await;
    let before = procore_budget(&s, &p);
    let calls = s.procore.stats().requests;
    send_budget(&s).await;
    let item = settled(&s, BUDGET, PROJECT, 1, "synced").await;
    assert!(item.says("info", "already matches maestro*"), "{item:?}");
    assert_eq!(
        procore_budget(&s, &p),
        before,
        "no Procore line was written"
    );
    // The budget view and its rows; the cost codes come from the catalog read the first time.
    assert_eq!(s.procore.stats().requests - calls, 2);
}

#[tokio::test]
async fn a_locked_procore_budget_is_a_failed_item_saying_so() {
    let s = Stack::start().await;
    let p = both_sides(&s, false).await;
    s.procore
        .edit(Kind::Project, p.project, &[("budget_locked", json!(true))])
        .unwrap();
    budget(&s, "01-A-001", "MAT", "8500.00", "40");
    send_budget(&s).await;
    let item = settled(&s, BUDGET, PROJECT, 0, "failed").await;
    assert!(
        item.says("error", "the Procore budget is locked"),
        "{item:?}"
    );
    assert!(item.says("error", "budget of project P-100"), "{item:?}");
    assert!(procore_budget(&s, &p).is_empty());
}

#[tokio::test]
async fn a_budget_waits_for_its_project_link_and_is_released_by_it() {
    let s = Stack::start().await;
    s.add_project(PROJECT, "Garage municipal de Laval");
    budget(&s, "01-A-001", "MAT", "8500.00", "40");
    send_budget(&s).await;
    let item = s.wait_for(BUDGET, TO_PROCORE, PROJECT, "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("project:P-100"));
    assert!(
        item.says(
            "info",
            "project P-100 (Garage municipal de Laval) is not linked"
        ),
        "{item:?}"
    );
    // Procore gets the project, its codes and types, and the link wakes the budget.
    let p = both_sides(&s, false).await;
    s.wait_for_within(
        BUDGET,
        TO_PROCORE,
        PROJECT,
        "synced",
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(
        procore_budget(&s, &p)[&(p.codes["01-A-001"], p.mat)].amount,
        8500.0
    );
}

#[tokio::test]
async fn budget_activities_follow_the_concatenated_cost_code_mode() {
    let s = Stack::start().await;
    let p = first_budget(&s, true).await;
    let lines = procore_budget(&s, &p);
    assert_eq!(lines[&(p.codes["01-A-001"], p.mat)].amount, 8500.0);
    assert_eq!(lines[&(p.codes["01-A-002"], p.sst)].amount, 1250.75);
}

#[tokio::test]
async fn a_non_leaf_or_unknown_activity_or_group_fails_naming_activity_group_and_mode() {
    let s = Stack::start().await;
    let p = both_sides(&s, true).await;
    budget(&s, "01-A", "MAT", "100.00", "0");
    budget(&s, "01-A-001", "MAT", "8500.00", "40");
    send_budget(&s).await;
    let item = settled(&s, BUDGET, PROJECT, 0, "failed").await;
    assert!(
        item.says("error", "budget line of activity 01-A, group MAT (concatenated cost-code mode): activity 01-A is not the last level"),
        "{item:?}"
    );
    assert!(
        procore_budget(&s, &p).is_empty(),
        "nothing is sent while a line is wrong"
    );
    // An activity Procore does not have at all.
    budget(&s, "01-A", "MAT", "0.00", "0");
    s.maestro
        .add_activity(flows_support::COMPANY, PROJECT, "09-Z", "Divers")
        .unwrap();
    budget(&s, "09-Z", "SST", "5.00", "0");
    send_budget(&s).await;
    let item = settled(&s, BUDGET, PROJECT, item.attempts, "failed").await;
    assert!(item.says("error", "activity 09-Z, group SST (concatenated cost-code mode): activity 09-Z matches no Procore cost code"), "{item:?}");
}

/// A prime contract on P-100 with an approved change order of `amount` on 01-A-001 / MAT.
async fn approved_change_order(
    s: &Stack,
    p: &Procore,
    contract: Option<i64>,
    amount: f64,
) -> (i64, i64) {
    let contract = match contract {
        Some(id) => id,
        None => {
            let new = NewContract {
                number: Some("PC-1".into()),
                title: Some("Contrat principal".into()),
                ..NewContract::default()
            };
            s.procore_user()
                .create_prime_contract(p.project, &new)
                .await
                .unwrap()
                .id
                .0
        }
    };
    let line = AdminLine {
        cost_code_id: p.codes["01-A-001"],
        line_item_type_id: p.mat,
        amount,
        description: "Extra".into(),
    };
    let co = s
        .procore
        .create_change_order(contract, "Ajout", "approved", &[line])
        .unwrap();
    (contract, co)
}

async fn send_modified(s: &Stack, p: &Procore, co: i64) {
    s.emit(
        MODIFIED,
        TO_MAESTRO,
        Action::Update,
        &co.to_string(),
        Some(&p.project_key()),
    )
    .await;
}

#[tokio::test]
async fn approved_cos_reach_the_maestro_modification_column_and_follow_every_change() {
    let s = Stack::start().await;
    let p = first_budget(&s, false).await;
    let (contract, co) = approved_change_order(&s, &p, None, 1500.0).await;
    send_modified(&s, &p, co).await;
    let item = settled(&s, MODIFIED, &co.to_string(), 0, "synced").await;
    assert!(
        item.says("info", "1 lines of the Modification column updated"),
        "{item:?}"
    );
    let key = ("01-A-001".to_owned(), "MAT".to_owned());
    assert_eq!(modifications(&s)[&key], "1500.00");
    // A second approved change order: the column follows Approved COs.
    let (_, second) = approved_change_order(&s, &p, Some(contract), 250.5).await;
    send_modified(&s, &p, second).await;
    settled(&s, MODIFIED, &second.to_string(), 0, "synced").await;
    assert_eq!(modifications(&s)[&key], "1750.50");
    // The same Approved COs again: nothing to write.
    send_modified(&s, &p, second).await;
    let item = settled(&s, MODIFIED, &second.to_string(), 1, "synced").await;
    assert!(item.says("info", "already matches"), "{item:?}");
}

#[tokio::test]
async fn a_modified_budget_waits_for_its_project_link_and_is_released_by_it() {
    let s = Stack::start().await;
    s.add_project(PROJECT, "Garage municipal de Laval");
    let project = s
        .procore_project(json!({ "name": "Garage municipal de Laval", "project_number": PROJECT, "start_date": "2026-04-01", "completion_date": "2026-11-30" }))
        .await;
    s.emit(
        MODIFIED,
        TO_MAESTRO,
        Action::Update,
        "77",
        Some(&project.to_string()),
    )
    .await;
    let item = s.wait_for(MODIFIED, TO_MAESTRO, "77", "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("project:P-100"));
    s.emit(
        EntityKind::Project,
        TO_PROCORE,
        Action::Create,
        PROJECT,
        None,
    )
    .await;
    s.wait_for_within(MODIFIED, TO_MAESTRO, "77", "synced", Duration::from_secs(5))
        .await;
}

#[tokio::test]
async fn approved_cos_on_an_activity_maestro_lacks_fail_naming_it_and_the_others_still_arrive() {
    let s = Stack::start().await;
    let p = first_budget(&s, false).await;
    let c = s.procore_user();
    let extra = NewCostCode {
        code: Some("01-A-003".into()),
        name: Some("Finition".into()),
        parent_id: Some(ProcoreId(p.codes["01-A"])),
        ..NewCostCode::default()
    };
    let extra = c.create_cost_code(p.project, &extra).await.unwrap().id.0;
    let line = BudgetLineUpdate {
        id: None,
        cost_code_id: ProcoreId(extra),
        line_item_type_id: ProcoreId(p.mat),
        original_budget_amount: 0.0,
        quantity: None,
        uom: None,
        unit_cost: None,
    };
    c.sync_budget_lines(p.project, &[line]).await.unwrap();
    let (contract, _) = approved_change_order(&s, &p, None, 1500.0).await;
    let lines = [AdminLine {
        cost_code_id: extra,
        line_item_type_id: p.mat,
        amount: 300.0,
        description: "Finition".into(),
    }];
    let co = s
        .procore
        .create_change_order(contract, "Finition", "approved", &lines)
        .unwrap();
    send_modified(&s, &p, co).await;
    let item = settled(&s, MODIFIED, &co.to_string(), 0, "failed").await;
    assert!(
        item.says(
            "error",
            "activity 01-A-003 with group MAT, which maestro* does not have for project P-100"
        ),
        "{item:?}"
    );
    let key = ("01-A-001".to_owned(), "MAT".to_owned());
    assert_eq!(modifications(&s)[&key], "1500.00");
}
