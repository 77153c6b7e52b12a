//! Customers both ways, end to end (the same rules as suppliers, plus the PASCLIENT tag).

mod flows_support;

use bridge_domain::party::CompanyRecord;
use bridge_domain::{Action, Direction, EntityKind};
use bridge_maestro::{self as mx, CustomerStatus};
use bridge_procore::writes::NewContract;
use flows_support::{COMPANY, Stack};
use serde_json::json;

const CUSTOMER: EntityKind = EntityKind::Customer;

fn add_customer(s: &Stack, code: &str, status: CustomerStatus) {
    s.maestro
        .add_customer(
            COMPANY,
            mx::Customer {
                code: code.to_owned(),
                name: "Ville de Laval".to_owned(),
                address: Some("1 place du Souvenir".to_owned()),
                city: Some("Laval".to_owned()),
                province: Some("QC".to_owned()),
                postal_code: None,
                country: None,
                phone: None,
                fax: None,
                email: None,
                rbq_number: None,
                status,
                sync: true,
            },
        )
        .unwrap();
}

fn customer(s: &Stack, code: &str) -> Option<mx::Customer> {
    s.maestro
        .customers(COMPANY)
        .into_iter()
        .find(|c| c.code == code)
}

#[tokio::test]
async fn a_maestro_customer_becomes_a_procore_company_marked_as_customer() {
    let s = Stack::start().await;
    add_customer(&s, "CL0001", CustomerStatus::Active);
    s.emit(
        CUSTOMER,
        Direction::ToProcore,
        Action::Create,
        "CL0001",
        None,
    )
    .await;

    let item = s
        .wait_for(CUSTOMER, Direction::ToProcore, "CL0001", "synced")
        .await;
    assert_eq!(
        item.description.as_deref(),
        Some("customer CL0001 (Ville de Laval)")
    );
    let vendors = s.procore_vendors();
    assert_eq!(vendors.len(), 1);
    assert_eq!(vendors[0]["origin_id"], "customer:CL0001");
    assert_eq!(vendors[0]["abbreviated_name"], "CL0001");
    assert_eq!(
        s.link(CUSTOMER, "CL0001").await,
        Some((
            vendors[0]["id"].as_i64().unwrap(),
            "created_in_procore".to_owned()
        ))
    );
}

#[tokio::test]
async fn a_blocked_customer_is_not_sent() {
    let s = Stack::start().await;
    add_customer(&s, "CL0002", CustomerStatus::Blocked);
    s.emit(
        CUSTOMER,
        Direction::ToProcore,
        Action::Create,
        "CL0002",
        None,
    )
    .await;

    let item = s
        .wait_for(CUSTOMER, Direction::ToProcore, "CL0002", "skipped")
        .await;
    assert!(
        item.says("info", "is blocked in maestro*"),
        "{:?}",
        item.messages
    );
    assert!(s.procore_vendors().is_empty());
}

#[tokio::test]
async fn a_company_tagged_pasclient_is_not_a_customer() {
    let s = Stack::start().await;
    let id = s
        .procore_vendor(json!({ "name": "Promoteur Nord", "abbreviated_name": "PROMO1", "notes": "CLIENT PASCLIENT" }))
        .await;
    s.emit(
        CUSTOMER,
        Direction::ToMaestro,
        Action::Create,
        &id.to_string(),
        None,
    )
    .await;

    let item = s
        .wait_for(CUSTOMER, Direction::ToMaestro, &id.to_string(), "skipped")
        .await;
    assert!(
        item.says("info", "keyword PASCLIENT"),
        "{:?}",
        item.messages
    );
    assert!(customer(&s, "PROMO1").is_none());
}

#[tokio::test]
async fn a_procore_owner_becomes_a_maestro_customer_with_its_name_cut_to_60() {
    let s = Stack::start().await;
    let name = "Société québécoise des infrastructures, direction régionale de Laval";
    let id = s
        .procore_vendor(json!({ "name": name, "abbreviated_name": "SQI01", "notes": "CLIENT" }))
        .await;
    s.emit(
        CUSTOMER,
        Direction::ToMaestro,
        Action::Create,
        &id.to_string(),
        None,
    )
    .await;

    let item = s
        .wait_for(CUSTOMER, Direction::ToMaestro, &id.to_string(), "synced")
        .await;
    let created = customer(&s, "SQI01").expect("created in maestro*");
    let cut: String = name.chars().take(60).collect();
    assert_eq!(
        created.name,
        cut.trim_end(),
        "cut at 60, without a trailing space"
    );
    let length = name.chars().count();
    assert!(
        item.says(
            "warning",
            &format!("name cut to 60 characters (it had {length})")
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(
        s.link(CUSTOMER, "SQI01").await,
        Some((id, "created_in_maestro".to_owned()))
    );
    assert!(
        s.supplier("SQI01").is_none(),
        "a customer is not a supplier"
    );
}

/// A Procore project whose prime contract's owner is company `owner`; returns the customer
/// record a `Prime Contracts` event names and the project id.
async fn prime_contract_of(s: &Stack, owner: i64) -> (String, i64) {
    let project = s
        .procore_project(json!({
            "name": "Garage municipal", "project_number": "P-200",
            "start_date": "2026-04-01", "completion_date": "2026-11-30",
        }))
        .await;
    let contract = NewContract {
        number: Some("P-200".into()),
        title: Some("Principal".into()),
        vendor_id: Some(owner.into()),
        status: Some("Approved".into()),
        ..NewContract::default()
    };
    let created = s
        .procore_user()
        .create_prime_contract(project, &contract)
        .await
        .unwrap();
    (CompanyRecord::prime_contract(created.id.0), project)
}

#[tokio::test]
async fn a_company_neither_owner_nor_tagged_client_is_not_a_customer() {
    let s = Stack::start().await;
    let id = s
        .procore_vendor(json!({ "name": "Béton Laval", "abbreviated_name": "BETON01" }))
        .await;
    let record = id.to_string();
    s.emit(
        CUSTOMER,
        Direction::ToMaestro,
        Action::Create,
        &record,
        None,
    )
    .await;

    let item = s
        .wait_for(CUSTOMER, Direction::ToMaestro, &record, "skipped")
        .await;
    assert!(
        item.says(
            "info",
            "is not the owner of a prime contract and does not carry the keyword CLIENT"
        ),
        "{:?}",
        item.messages
    );
    assert!(customer(&s, "BETON01").is_none());
}

#[tokio::test]
async fn the_owner_of_a_prime_contract_becomes_a_customer_with_every_cut_warned() {
    let s = Stack::start().await;
    let name = "Société québécoise des infrastructures, direction régionale de Laval";
    let owner = s
        .procore_vendor(json!({
            "name": name, "abbreviated_name": "SQI01", "fax_number": "450-555-0199",
            "city": "Laval-des-Rapides-et-Pont-Viau-et-Chomedey-et-Sainte-Dorothée-et-Fabreville",
        }))
        .await;
    let (record, project) = prime_contract_of(&s, owner).await;
    s.emit(
        CUSTOMER,
        Direction::ToMaestro,
        Action::Create,
        &record,
        Some(&project.to_string()),
    )
    .await;

    let item = s
        .wait_for(CUSTOMER, Direction::ToMaestro, &record, "synced")
        .await;
    let created = customer(&s, "SQI01").expect("the owner is created as a customer");
    assert_eq!(
        created.name.chars().count(),
        59,
        "cut at 60, trailing space dropped"
    );
    assert_eq!(
        created.fax.as_deref(),
        Some("450-555-0199"),
        "business fax travels"
    );
    let length = name.chars().count();
    for warning in [
        format!("name cut to 60 characters (it had {length})"),
        "city cut to 60 characters (it had 75)".to_owned(),
    ] {
        assert!(
            item.says("warning", &warning),
            "{warning}: {:?}",
            item.messages
        );
    }
    assert_eq!(
        s.link(CUSTOMER, "SQI01").await,
        Some((owner, "created_in_maestro".to_owned())),
        "linked to the owner company, never to the contract id"
    );
}

#[tokio::test]
async fn a_maestro_customer_never_links_to_a_procore_company_tagged_pasclient() {
    let s = Stack::start().await;
    add_customer(&s, "CL0003", CustomerStatus::Active);
    s.procore_vendor(
        json!({ "name": "Ville de Laval", "abbreviated_name": "CL0003", "notes": "PASCLIENT" }),
    )
    .await;
    s.emit(
        CUSTOMER,
        Direction::ToProcore,
        Action::Create,
        "CL0003",
        None,
    )
    .await;

    let item = s
        .wait_for(CUSTOMER, Direction::ToProcore, "CL0003", "skipped")
        .await;
    assert!(
        item.says("info", "carries the keyword PASCLIENT"),
        "{:?}",
        item.messages
    );
    assert_eq!(s.link(CUSTOMER, "CL0003").await, None);
    assert_eq!(
        s.procore_vendors().len(),
        1,
        "no second company with the same code"
    );
}
