//! Subcontract change orders Procore → maestro*, end to end (issue 12): approved change orders
//! on a synchronized subcontract reach maestro*'s Change Order Management once, those on
//! purchase orders are skipped with the seed's words, and a change order waits for its
//! subcontract.

mod flows_support;
mod subcontract_support;

use bridge_domain::Action;
use bridge_domain::commitment::PURCHASE_ORDER_CHANGE_ORDERS;
use bridge_maestro::{MaestroApi, NewChangeOrder};
use flows_support::{COMPANY, QUICK, Stack};
use subcontract_support::*;

/// Everything linked, and an approved subcontract SC-001 synchronized: its maestro* number.
async fn ready(s: &Stack) -> (Site, i64, String) {
    maestro_side(s);
    let site = procore_site(s).await;
    link_project(s).await;
    link_supplier(s, &site).await;
    let id = site.work_order(s, "SC-001", "Approved").await;
    let number = synced_subcontract(s, &site, id).await;
    (site, id, number)
}

#[tokio::test]
async fn an_approved_change_order_becomes_a_change_order_of_its_maestro_subcontract() {
    let s = Stack::start().await;
    let (site, contract, number) = ready(&s).await;
    let co = site.change_order(&s, contract, "approved");
    send(&s, CO, Action::Create, co, &site).await;

    let item = s.wait_for(CO, TO_MAESTRO, &co.to_string(), "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("change order 1 (Ajout) on subcontract SC-001 (Électricité)")
    );
    let cos = s.maestro.change_orders(COMPANY);
    assert_eq!(cos.len(), 1, "{cos:?}");
    let c = &cos[0];
    assert_eq!(c.contract_no, number);
    assert_eq!(c.number, 1);
    assert_eq!(c.external_no, "1");
    assert_eq!(c.supplier_code.as_deref(), Some("ELEC01"));
    assert_eq!(c.description.as_deref(), Some("Ajout"));
    let lines: Vec<(&str, &str, String)> = c
        .lines
        .iter()
        .map(|l| (l.activity.as_str(), l.group.as_str(), l.amount.to_string()))
        .collect();
    assert_eq!(lines, [("001", "SST", "1500.00".to_owned())]);
    assert_eq!(
        s.link(CO, &format!("{number}-1")).await,
        Some((co, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn a_change_order_on_a_purchase_order_is_skipped_with_the_seed_words() {
    let s = Stack::start().await;
    maestro_side(&s);
    let site = procore_site(&s).await;
    let order = site.purchase_order(&s, "PO-001").await;
    let co = site.change_order(&s, order, "approved");
    send(&s, CO, Action::Create, co, &site).await;

    let item = s.wait_for(CO, TO_MAESTRO, &co.to_string(), "skipped").await;
    let expected =
        format!("change order 1 (Ajout) on purchase order PO-001: {PURCHASE_ORDER_CHANGE_ORDERS}");
    assert!(item.says("info", &expected), "{:?}", item.messages);
    assert!(s.maestro.change_orders(COMPANY).is_empty());
}

#[tokio::test]
async fn a_change_order_that_is_not_approved_is_skipped() {
    let s = Stack::start().await;
    let (site, contract, _) = ready(&s).await;
    let co = site.change_order(&s, contract, "pending");
    send(&s, CO, Action::Create, co, &site).await;

    let item = s.wait_for(CO, TO_MAESTRO, &co.to_string(), "skipped").await;
    assert!(
        item.says("info", "change order 1 (Ajout) on subcontract SC-001 (Électricité) is pending in Procore; only Approved change orders are sent to maestro*"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.change_orders(COMPANY).is_empty());
}

#[tokio::test]
async fn a_change_order_waits_for_its_subcontract_and_goes_within_a_second_of_its_link() {
    // Retry tiers of a minute and more: only the link's wake can release it this soon.
    let s = Stack::with([60, 120, 180, 240, 300], 12).await;
    maestro_side(&s);
    let site = procore_site(&s).await;
    link_project(&s).await;
    link_supplier(&s, &site).await;
    let contract = site.work_order(&s, "SC-001", "Approved").await;
    let co = site.change_order(&s, contract, "approved");
    send(&s, CO, Action::Create, co, &site).await;

    let item = s.wait_for(CO, TO_MAESTRO, &co.to_string(), "waiting").await;
    let waiting_on = format!("subcontract:procore:{contract}");
    assert_eq!(item.waiting_on.as_deref(), Some(waiting_on.as_str()));
    assert!(
        item.says(
            "info",
            "subcontract SC-001 (Électricité) is not synchronized with maestro* yet"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.change_orders(COMPANY).is_empty());

    let number = synced_subcontract(&s, &site, contract).await;
    let within = std::time::Duration::from_secs(2);
    s.wait_for_within(CO, TO_MAESTRO, &co.to_string(), "synced", within)
        .await;
    let cos = s.maestro.change_orders(COMPANY);
    assert_eq!(cos.len(), 1);
    assert_eq!(cos[0].contract_no, number);
}

#[tokio::test]
async fn a_change_order_whose_subcontract_never_comes_is_dead_lettered_naming_it() {
    let s = Stack::with(QUICK, 3).await;
    maestro_side(&s);
    let site = procore_site(&s).await;
    // A draft subcontract is never sent, so its change order waits in vain.
    let contract = site.work_order(&s, "SC-001", "Draft").await;
    let co = site.change_order(&s, contract, "approved");
    send(&s, CO, Action::Create, co, &site).await;

    let item = s.wait_for(CO, TO_MAESTRO, &co.to_string(), "dead").await;
    assert!(
        item.says("error", "gave up after 3 attempts: subcontract SC-001 (Électricité) is not synchronized with maestro* yet"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.change_orders(COMPANY).is_empty());
}

#[tokio::test]
async fn a_change_order_created_before_a_crash_is_found_by_its_external_number() {
    let s = Stack::start().await;
    let (site, contract, number) = ready(&s).await;
    let co = site.change_order(&s, contract, "approved");
    // An earlier attempt created it in maestro*, then died before the link was stored.
    let earlier = maestro_client(&s)
        .create_change_order(&NewChangeOrder {
            contract_no: number.clone(),
            external_no: "1".into(),
            initiated_date: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
            supplier_code: None,
            description: None,
            lines: vec![],
        })
        .await
        .unwrap();
    send(&s, CO, Action::Create, co, &site).await;

    s.wait_for(CO, TO_MAESTRO, &co.to_string(), "synced").await;
    assert_eq!(s.maestro.change_orders(COMPANY).len(), 1);
    let key = format!("{}-{}", earlier.contract_no, earlier.number);
    assert_eq!(
        s.link(CO, &key).await,
        Some((co, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn a_change_to_a_synchronized_change_order_is_skipped_with_the_manual_step() {
    let s = Stack::start().await;
    let (site, contract, _) = ready(&s).await;
    let co = site.change_order(&s, contract, "approved");
    send(&s, CO, Action::Create, co, &site).await;
    s.wait_for(CO, TO_MAESTRO, &co.to_string(), "synced").await;

    send(&s, CO, Action::Update, co, &site).await;
    let item = s.wait_for(CO, TO_MAESTRO, &co.to_string(), "skipped").await;
    assert!(
        item.says("info", "change order 1 (Ajout) on subcontract SC-001 (Électricité): changed in Procore after synchronization; apply the change by hand in maestro*"),
        "{:?}",
        item.messages
    );
    assert_eq!(s.maestro.change_orders(COMPANY).len(), 1);
}

#[tokio::test]
async fn a_prime_contract_change_order_is_left_to_the_billing_contract() {
    let s = Stack::start().await;
    maestro_side(&s);
    let site = procore_site(&s).await;
    let prime = bridge_procore::writes::NewContract {
        number: Some("1".to_owned()),
        title: Some("Contrat principal".to_owned()),
        vendor_id: Some(site.vendor.into()),
        ..Default::default()
    };
    let prime = s
        .procore_user()
        .create_prime_contract(site.project, &prime)
        .await
        .unwrap()
        .id
        .0;
    let co = site.change_order(&s, prime, "approved");
    send(&s, CO, Action::Create, co, &site).await;

    let item = s.wait_for(CO, TO_MAESTRO, &co.to_string(), "skipped").await;
    assert!(
        item.says("info", "is not made on a subcontract; only subcontract change orders go to maestro*'s Change Order Management"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.change_orders(COMPANY).is_empty());
}
