//! Prime contracts and their change orders, Procore → maestro* progress billing, end to end:
//! the contract that arrives in maestro*, what it waits for, the one contract per project, and
//! its change orders on the contract's Change Orders tab.

mod billing_support;
mod flows_support;

use billing_support::*;
use bridge_domain::Action;
use bridge_maestro::{MaestroApi, ProgressType};
use flows_support::{COMPANY, Stack};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn an_approved_prime_contract_becomes_the_projects_billing_contract_by_amount() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    let item = send_contract(&s, &b, Action::Create, "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("prime contract PC-001 (Garage municipal)")
    );
    let contracts = s.maestro.billing_contracts(COMPANY);
    assert_eq!(contracts.len(), 1, "{contracts:?}");
    let c = &contracts[0];
    assert_eq!(c.number.as_str(), "P-100");
    assert_eq!(c.customer_code, "VILLE01");
    assert_eq!(c.external_no.as_deref(), Some("PC-001"));
    assert_eq!(c.description, "Garage municipal");
    assert_eq!(c.progress_type, ProgressType::Rate);
    assert_eq!(c.original_amount.to_string(), "9750.75");
    assert_eq!(
        c.holdback_percent.map(|h| h.to_string()).as_deref(),
        Some("5")
    );
    let lines: Vec<_> = c
        .lines
        .iter()
        .map(|l| {
            (
                l.line_no,
                l.activity.as_str(),
                l.amount.map(|a| a.to_string()),
                l.quantity,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (1, "01-A-001", Some("8500.00".to_owned()), None),
            (2, "01-A-002", Some("1250.75".to_owned()), None),
        ]
    );
    assert_eq!(
        s.link(PC, "P-100").await,
        Some((b.contract, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn a_prime_contract_billed_by_unit_sends_quantities_and_concatenated_activities() {
    let s = Stack::start().await;
    s.set_setting("cost_code_mode", json!("concatenated")).await;
    let setup = Setup {
        method: "unit",
        levels: true,
        ..APPROVED
    };
    let b = linked_contract(&s, &setup).await;
    send_contract(&s, &b, Action::Create, "synced").await;
    let c = &s.maestro.billing_contracts(COMPANY)[0];
    assert_eq!(c.progress_type, ProgressType::Quantity);
    let l = &c.lines[0];
    assert_eq!(l.activity, "01-A-001");
    assert_eq!(l.quantity.map(|q| q.to_string()).as_deref(), Some("40"));
    assert_eq!(
        l.unit_price.map(|p| p.to_string()).as_deref(),
        Some("212.50")
    );
    assert_eq!(l.unit.as_deref(), Some("m3"));
    assert_eq!(l.amount, None);
    assert_eq!(c.lines[1].activity, "01-A-002");
}

#[tokio::test]
async fn a_prime_contract_that_is_not_approved_is_skipped() {
    let s = Stack::start().await;
    let setup = Setup {
        status: "Draft",
        ..APPROVED
    };
    let b = linked_contract(&s, &setup).await;
    let item = send_contract(&s, &b, Action::Create, "skipped").await;
    assert!(
        item.says(
            "info",
            "is Draft in Procore; only Approved prime contracts are sent to maestro*"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.billing_contracts(COMPANY).is_empty());
}

#[tokio::test]
async fn an_owner_arriving_after_the_contract_releases_it_within_a_second() {
    // Retry tiers of a minute and more: only the wake on the new link can be this quick.
    let s = Stack::with([60, 120, 180, 240, 300], 12).await;
    maestro_side(&s);
    let b = procore_contract(&s, &APPROVED).await;
    link_project(&s).await;
    let item = send_contract(&s, &b, Action::Create, "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("customer:VILLE01"));
    assert!(
        item.says(
            "info",
            "customer VILLE01 (Ville de Laval) is not linked to a maestro* customer yet"
        ),
        "{:?}",
        item.messages
    );
    link_owner(&s, &b).await;
    let linked_at = Instant::now();
    s.wait_for_within(PC, TO_MAESTRO, &b.key(), "synced", Duration::from_secs(5))
        .await;
    let released = linked_at.elapsed();
    assert!(
        released < Duration::from_secs(1),
        "released {released:?} after the link"
    );
    assert_eq!(s.maestro.billing_contracts(COMPANY).len(), 1);
}

#[tokio::test]
async fn a_contract_whose_owner_never_appears_is_dead_lettered_naming_it() {
    let s = Stack::with(flows_support::QUICK, 3).await;
    maestro_side(&s);
    let b = procore_contract(&s, &APPROVED).await;
    link_project(&s).await;
    let item = send_contract(&s, &b, Action::Create, "dead").await;
    assert!(
        item.says(
            "error",
            "customer VILLE01 (Ville de Laval) is not linked to a maestro* customer yet"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.billing_contracts(COMPANY).is_empty());
}

#[tokio::test]
async fn a_project_that_already_has_a_billing_contract_refuses_a_second_one() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    let other = earlier_contract("PC-OTHER");
    maestro_client(&s)
        .create_billing_contract(&other)
        .await
        .unwrap();
    let item = send_contract(&s, &b, Action::Create, "dead").await;
    assert!(
        item.says("error", "project P-100 already has a progress billing contract in maestro* (external number PC-OTHER)"),
        "{:?}",
        item.messages
    );
    let contracts = s.maestro.billing_contracts(COMPANY);
    assert_eq!(contracts.len(), 1);
    assert_eq!(contracts[0].external_no.as_deref(), Some("PC-OTHER"));
    assert_eq!(s.link(PC, "P-100").await, None);
}

#[tokio::test]
async fn a_billing_contract_created_before_a_crash_is_found_by_its_external_number() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    // An earlier attempt created the contract, then crashed before the link was stored.
    maestro_client(&s)
        .create_billing_contract(&earlier_contract("PC-001"))
        .await
        .unwrap();
    send_contract(&s, &b, Action::Create, "synced").await;
    assert_eq!(s.maestro.billing_contracts(COMPANY).len(), 1);
    assert_eq!(
        s.link(PC, "P-100").await,
        Some((b.contract, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn four_deliveries_of_one_prime_contract_at_once_make_one_billing_contract() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    for _ in 0..4 {
        s.emit(
            PC,
            TO_MAESTRO,
            Action::Create,
            &b.key(),
            Some(&b.project_key()),
        )
        .await;
    }
    bridge_platform::testing::eventually(
        Duration::from_secs(20),
        "the four deliveries handled",
        || async {
            let attempts: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM sync_attempts a JOIN sync_items i ON i.id = a.sync_item_id
             WHERE i.kind = 'prime_contract'",
            )
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
            (attempts >= 4).then_some(())
        },
    )
    .await;
    let item = s.wait_for(PC, TO_MAESTRO, &b.key(), "synced").await;
    assert!(item.texts("error").is_empty(), "{:?}", item.messages);
    assert_eq!(s.maestro.billing_contracts(COMPANY).len(), 1);
    let dead: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_attempts WHERE outcome = 'dead'")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(dead, 0);
}

#[tokio::test]
async fn a_change_to_a_synchronized_prime_contract_is_skipped_with_the_manual_step() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    send_contract(&s, &b, Action::Create, "synced").await;
    let item = send_contract(&s, &b, Action::Update, "skipped").await;
    assert!(
        item.says("info", "prime contract PC-001 (Garage municipal): changed in Procore after synchronization; apply the change by hand in maestro*"),
        "{:?}",
        item.messages
    );
    assert_eq!(s.maestro.billing_contracts(COMPANY).len(), 1);
}

#[tokio::test]
async fn an_approved_prime_change_order_goes_to_the_change_orders_tab_once() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    send_contract(&s, &b, Action::Create, "synced").await;
    let co = change_order(&s, &b, "approved");
    let item = send_change_order(&s, &b, co, Action::Create, "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("prime contract change order 1 (Dalle renforcée)")
    );
    let cos = s.maestro.billing_change_orders(COMPANY);
    assert_eq!(cos.len(), 1, "{cos:?}");
    let c = &cos[0];
    assert_eq!(
        (c.contract_no.as_str(), c.number, c.external_no.as_str()),
        ("P-100", 1, "1")
    );
    assert_eq!(c.description.as_deref(), Some("Dalle renforcée"));
    let lines: Vec<_> = c
        .lines
        .iter()
        .map(|l| (l.activity.as_str(), l.amount.map(|a| a.to_string())))
        .collect();
    assert_eq!(lines, [("01-A-001", Some("1500.00".to_owned()))]);
    assert_eq!(
        s.link(PCO, "P-100/1").await,
        Some((co, "created_in_maestro".to_owned()))
    );
    // Creation only: a later change is left to the user.
    let item = send_change_order(&s, &b, co, Action::Update, "skipped").await;
    assert!(
        item.says(
            "info",
            "changed in Procore after synchronization; apply the change by hand in maestro*"
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(s.maestro.billing_change_orders(COMPANY).len(), 1);
}

#[tokio::test]
async fn a_prime_change_order_waits_for_its_prime_contract_and_is_released_within_a_second() {
    let s = Stack::with([60, 120, 180, 240, 300], 12).await;
    let b = linked_contract(&s, &APPROVED).await;
    let co = change_order(&s, &b, "approved");
    let item = send_change_order(&s, &b, co, Action::Create, "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("prime_contract:P-100"));
    assert!(
        item.says(
            "info",
            "its prime contract PC-001 (Garage municipal) is not synchronized with maestro* yet"
        ),
        "{:?}",
        item.messages
    );
    send_contract(&s, &b, Action::Create, "synced").await;
    let linked_at = Instant::now();
    s.wait_for_within(
        PCO,
        TO_MAESTRO,
        &co.to_string(),
        "synced",
        Duration::from_secs(5),
    )
    .await;
    let released = linked_at.elapsed();
    assert!(
        released < Duration::from_secs(1),
        "released {released:?} after the link"
    );
    assert_eq!(s.maestro.billing_change_orders(COMPANY).len(), 1);
}

#[tokio::test]
async fn a_prime_change_order_whose_contract_never_arrives_is_dead_lettered_naming_it() {
    let s = Stack::with(flows_support::QUICK, 3).await;
    let b = linked_contract(&s, &APPROVED).await;
    let co = change_order(&s, &b, "approved");
    let item = send_change_order(&s, &b, co, Action::Create, "dead").await;
    assert!(
        item.says(
            "error",
            "its prime contract PC-001 (Garage municipal) is not synchronized with maestro* yet"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.billing_change_orders(COMPANY).is_empty());
}

#[tokio::test]
async fn only_approved_prime_change_orders_are_sent_and_commitment_packages_are_left_alone() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    send_contract(&s, &b, Action::Create, "synced").await;
    let pending = change_order(&s, &b, "pending");
    let item = send_change_order(&s, &b, pending, Action::Create, "skipped").await;
    assert!(item.says("info", "prime contract change order 1 (Dalle renforcée) is pending in Procore; only approved change orders are sent to maestro*"), "{:?}", item.messages);
    let on_commitment = commitment_change_order(&s, &b);
    let item = send_change_order(&s, &b, on_commitment, Action::Create, "skipped").await;
    assert!(
        item.says("info", "is on a commitment, not a prime contract"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.billing_change_orders(COMPANY).is_empty());
}

#[tokio::test]
async fn a_billing_change_order_created_before_a_crash_is_found_by_its_external_number() {
    let s = Stack::start().await;
    let b = linked_contract(&s, &APPROVED).await;
    send_contract(&s, &b, Action::Create, "synced").await;
    let co = change_order(&s, &b, "approved");
    let earlier = bridge_maestro::NewBillingChangeOrder {
        contract_no: bridge_maestro::ProjectCode::new("P-100").unwrap(),
        external_no: "1".into(),
        date: chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        description: None,
        lines: vec![],
    };
    maestro_client(&s)
        .create_billing_change_order(&earlier)
        .await
        .unwrap();
    send_change_order(&s, &b, co, Action::Create, "synced").await;
    assert_eq!(s.maestro.billing_change_orders(COMPANY).len(), 1);
    assert_eq!(
        s.link(PCO, "P-100/1").await,
        Some((co, "created_in_maestro".to_owned()))
    );
}
