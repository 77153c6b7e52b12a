//! Customers both ways, end to end (the same rules as suppliers, plus the PASCLIENT tag).

mod flows_support;

use bridge_domain::{Action, Direction, EntityKind};
use bridge_maestro::{self as mx, CustomerStatus};
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
