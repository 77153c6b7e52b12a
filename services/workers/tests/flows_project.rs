//! Projects maestro* → Procore, end to end.

mod flows_support;

use bridge_domain::{Action, Direction, EntityKind};
use flows_support::{COMPANY, Stack};
use serde_json::json;
use std::time::Duration;

const PROJECT: EntityKind = EntityKind::Project;
const TO_PROCORE: Direction = Direction::ToProcore;

#[tokio::test]
async fn a_maestro_project_becomes_a_procore_project_with_its_job_number_and_dates() {
    let s = Stack::start().await;
    s.add_project("P-100", "Garage municipal de Laval");
    s.emit(PROJECT, TO_PROCORE, Action::Create, "P-100", None)
        .await;

    let item = s.wait_for(PROJECT, TO_PROCORE, "P-100", "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("project P-100 (Garage municipal de Laval)")
    );
    let projects = s.procore_projects();
    assert_eq!(projects.len(), 1, "{projects:?}");
    let p = &projects[0];
    assert_eq!(p["project_number"], "P-100");
    assert_eq!(p["name"], "Garage municipal de Laval");
    assert_eq!(p["description"], "Agrandissement, phase 2");
    assert_eq!(p["address"], "12 rue Principale");
    assert_eq!(p["start_date"], "2026-04-01");
    assert_eq!(p["completion_date"], "2026-11-30");
    assert_eq!(p["origin_id"], "project:P-100");
    assert_eq!(
        s.link(PROJECT, "P-100").await,
        Some((p["id"].as_i64().unwrap(), "created_in_procore".to_owned()))
    );
}

#[tokio::test]
async fn a_procore_project_with_the_same_job_number_is_linked_not_created() {
    let s = Stack::start().await;
    s.add_project("P-100", "Garage municipal de Laval");
    let existing = s
        .procore_project(json!({
            "name": "Garage Laval", "project_number": "P-100",
            "start_date": "2026-04-01", "completion_date": "2026-12-01",
        }))
        .await;
    s.emit(PROJECT, TO_PROCORE, Action::Create, "P-100", None)
        .await;

    s.wait_for(PROJECT, TO_PROCORE, "P-100", "synced").await;
    assert_eq!(s.procore_projects().len(), 1);
    assert_eq!(
        s.link(PROJECT, "P-100").await,
        Some((existing, "linked_by_code".to_owned()))
    );
}

#[tokio::test]
async fn a_project_without_dates_fails_then_syncs_once_the_user_adds_them() {
    let s = Stack::start().await;
    let mut project = s.add_project("P-200", "Entrepôt Saint-Eustache");
    let (start, closing) = (project.start_date.take(), project.closing_date.take());
    s.maestro.add_project(COMPANY, project.clone()).unwrap();
    s.emit(PROJECT, TO_PROCORE, Action::Create, "P-200", None)
        .await;

    let item = s.wait_for(PROJECT, TO_PROCORE, "P-200", "failed").await;
    assert!(
        item.says(
            "error",
            "project P-200 (Entrepôt Saint-Eustache) has no start date and no closing date"
        ),
        "{:?}",
        item.messages
    );
    assert!(item.says("error", "Procore requires the start and completion dates"));
    assert!(s.procore_projects().is_empty());
    assert_eq!(s.link(PROJECT, "P-200").await, None);

    // Not dead-lettered: the next retry tier finds the dates the user entered.
    project.start_date = start;
    project.closing_date = closing;
    s.maestro.add_project(COMPANY, project).unwrap();
    s.wait_for_within(
        PROJECT,
        TO_PROCORE,
        "P-200",
        "synced",
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(s.procore_projects().len(), 1);
}

#[tokio::test]
async fn a_project_not_ticked_for_procore_is_skipped() {
    let s = Stack::start().await;
    s.add_project("P-300", "Chalet");
    s.maestro.set_project_sync(COMPANY, "P-300", false).unwrap();
    s.emit(PROJECT, TO_PROCORE, Action::Create, "P-300", None)
        .await;

    let item = s.wait_for(PROJECT, TO_PROCORE, "P-300", "skipped").await;
    assert!(
        item.says("info", "Synchronize this Project with Procore"),
        "{:?}",
        item.messages
    );
    assert!(s.procore_projects().is_empty());
}

#[tokio::test]
async fn a_change_in_maestro_after_synchronization_is_skipped_with_the_manual_step() {
    let s = Stack::start().await;
    s.add_project("P-100", "Garage municipal de Laval");
    s.emit(PROJECT, TO_PROCORE, Action::Create, "P-100", None)
        .await;
    s.wait_for(PROJECT, TO_PROCORE, "P-100", "synced").await;

    s.emit(PROJECT, TO_PROCORE, Action::Update, "P-100", None)
        .await;
    let item = s.wait_for(PROJECT, TO_PROCORE, "P-100", "skipped").await;
    assert!(
        item.says(
            "info",
            "changed in maestro* after synchronization; apply the change by hand in Procore"
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(s.procore_projects().len(), 1);
}

const TO_MAESTRO: Direction = Direction::ToMaestro;

#[tokio::test]
async fn a_procore_project_becomes_an_inactive_maestro_project_with_its_address_cut_to_40() {
    let s = Stack::start().await;
    let address = "1500 boulevard Saint-Martin Ouest, bureau 300, entrée B"; // more than 40
    let id = s
        .procore_project(json!({
            "name": "Centre sportif Chomedey", "project_number": "P-500",
            "description": "Nouvelle construction", "address": address, "city": "Laval",
            "start_date": "2026-05-01", "completion_date": "2027-03-31",
        }))
        .await;
    s.emit(PROJECT, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    let item = s
        .wait_for(PROJECT, TO_MAESTRO, &id.to_string(), "synced")
        .await;
    let project = s
        .maestro
        .project(COMPANY, "P-500")
        .expect("created in maestro*");
    assert_eq!(project.description, "Centre sportif Chomedey");
    assert!(
        !project.active,
        "maestro* creates it inactive until its activities are added"
    );
    let cut: String = address.chars().take(40).collect();
    assert_eq!(project.address.as_deref(), Some(cut.trim_end()));
    assert_eq!(
        project.start_date.map(|d| d.to_string()).as_deref(),
        Some("2026-05-01")
    );
    assert_eq!(
        project.closing_date.map(|d| d.to_string()).as_deref(),
        Some("2027-03-31")
    );
    let length = address.chars().count();
    assert!(
        item.says(
            "warning",
            &format!("address cut to 40 characters (it had {length})")
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(
        s.link(PROJECT, "P-500").await,
        Some((id, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn a_job_number_maestro_cannot_take_fails_with_the_rule() {
    let s = Stack::start().await;
    let id = s
        .procore_project(json!({
            "name": "Tour à bureaux", "project_number": "TOUR#2026",
            "start_date": "2026-05-01", "completion_date": "2027-03-31",
        }))
        .await;
    s.emit(PROJECT, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    let item = s
        .wait_for(PROJECT, TO_MAESTRO, &id.to_string(), "failed")
        .await;
    assert!(item.says("error", "contains `#`"), "{:?}", item.messages);
    assert!(
        item.says("error", "correct it in Procore"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.project(COMPANY, "TOUR#2026").is_none());
}

#[tokio::test]
async fn a_procore_project_whose_number_exists_in_maestro_is_linked_not_created() {
    let s = Stack::start().await;
    s.add_project("P-100", "Garage municipal de Laval");
    let id = s
        .procore_project(json!({
            "name": "Garage Laval", "project_number": "P-100",
            "start_date": "2026-04-01", "completion_date": "2026-12-01",
        }))
        .await;
    s.emit(PROJECT, TO_MAESTRO, Action::Create, &id.to_string(), None)
        .await;

    s.wait_for(PROJECT, TO_MAESTRO, &id.to_string(), "synced")
        .await;
    assert_eq!(s.maestro.projects(COMPANY).len(), 1);
    assert_eq!(
        s.link(PROJECT, "P-100").await,
        Some((id, "linked_by_code".to_owned()))
    );
}
