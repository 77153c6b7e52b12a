//! Subcontracts Procore → maestro*, end to end (issue 12): what reaches maestro* Subcontract
//! Management, approved only, creation only, the waits and dead letters, both cost-code modes,
//! the crash between the write and the link, and concurrent deliveries.

mod flows_support;
mod subcontract_support;

use bridge_domain::{Action, EntityKind};
use bridge_maestro::{MaestroApi, NewSubcontract, ProjectCode};
use flows_support::{COMPANY, QUICK, Stack};
use serde_json::json;
use std::time::{Duration, Instant};
use subcontract_support::*;

/// Everything linked: project and supplier.
async fn ready(s: &Stack) -> Site {
    maestro_side(s);
    let site = procore_site(s).await;
    link_project(s).await;
    link_supplier(s, &site).await;
    site
}

#[tokio::test]
async fn an_approved_subcontract_becomes_a_maestro_subcontract_with_every_line() {
    let s = Stack::start().await;
    let site = ready(&s).await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    send(&s, SUB, Action::Create, id, &site).await;

    let item = s.wait_for(SUB, TO_MAESTRO, &id.to_string(), "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("subcontract SC-001 (Électricité)")
    );
    let subs = s.maestro.subcontracts(COMPANY);
    assert_eq!(subs.len(), 1, "{subs:?}");
    let sc = &subs[0];
    assert_eq!(sc.external_no, "SC-001");
    assert_eq!(sc.project.as_str(), "P-100");
    assert_eq!(sc.supplier_code, "ELEC01");
    assert_eq!(
        sc.details.as_deref(),
        Some("Électricité - Entrée électrique")
    );
    let holdback = sc.holdback_percent.map(|h| h.to_string());
    assert_eq!(holdback.as_deref(), Some("5"));
    assert_eq!(
        sc.contract_date,
        chrono::NaiveDate::from_ymd_opt(2026, 5, 4)
    );
    let lines: Vec<(u32, &str, &str, String)> = sc
        .lines
        .iter()
        .map(|l| {
            (
                l.line_no,
                l.activity.as_str(),
                l.group.as_str(),
                l.amount.to_string(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (1, "001", "SST", "12000.00".to_owned()),
            (2, "002", "SST", "800.25".to_owned()),
        ]
    );
    assert_eq!(sc.lines[0].quantity, None);
    let unit_price = sc.lines[1].unit_price.map(|u| u.to_string());
    assert_eq!(unit_price.as_deref(), Some("266.75"));
    assert_eq!(
        s.link(SUB, &sc.number).await,
        Some((id, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn the_concatenated_mode_joins_the_cost_code_levels_into_the_activity() {
    let s = Stack::start().await;
    s.set_setting("cost_code_mode", json!("concatenated")).await;
    let site = ready(&s).await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    send(&s, SUB, Action::Create, id, &site).await;

    s.wait_for(SUB, TO_MAESTRO, &id.to_string(), "synced").await;
    let subs = s.maestro.subcontracts(COMPANY);
    let activities: Vec<&str> = subs[0].lines.iter().map(|l| l.activity.as_str()).collect();
    assert_eq!(activities, ["01-A-001", "01-A-002"]);
}

#[tokio::test]
async fn a_subcontract_that_is_not_approved_is_skipped() {
    let s = Stack::start().await;
    let site = ready(&s).await;
    let id = site.work_order(&s, "SC-001", "Draft").await;
    send(&s, SUB, Action::Create, id, &site).await;

    let item = s
        .wait_for(SUB, TO_MAESTRO, &id.to_string(), "skipped")
        .await;
    assert!(
        item.says(
            "info",
            "subcontract SC-001 (Électricité) is Draft in Procore; only Approved subcontracts are sent to maestro*"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.subcontracts(COMPANY).is_empty());
}

#[tokio::test]
async fn a_change_to_a_synchronized_subcontract_is_skipped_with_the_manual_step() {
    let s = Stack::start().await;
    let site = ready(&s).await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    synced_subcontract(&s, &site, id).await;

    send(&s, SUB, Action::Update, id, &site).await;
    let item = s
        .wait_for(SUB, TO_MAESTRO, &id.to_string(), "skipped")
        .await;
    assert!(
        item.says("info", "subcontract SC-001 (Électricité): changed in Procore after synchronization; apply the change by hand in maestro*"),
        "{:?}",
        item.messages
    );
    assert_eq!(s.maestro.subcontracts(COMPANY).len(), 1);
}

#[tokio::test]
async fn a_subcontract_waiting_for_its_vendor_goes_within_a_second_of_the_link() {
    // Retry tiers of a minute and more: only the wake on the new link can be this quick.
    let s = Stack::with([60, 120, 180, 240, 300], 12).await;
    maestro_side(&s);
    let site = procore_site(&s).await;
    link_project(&s).await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    send(&s, SUB, Action::Create, id, &site).await;
    let item = s
        .wait_for(SUB, TO_MAESTRO, &id.to_string(), "waiting")
        .await;
    assert_eq!(item.waiting_on.as_deref(), Some("supplier:ELEC01"));
    assert!(
        item.says("info", "supplier ELEC01 (Électro Laval inc.) is not linked"),
        "{:?}",
        item.messages
    );

    link_supplier(&s, &site).await;
    let linked_at = Instant::now();
    let within = Duration::from_secs(5);
    s.wait_for_within(SUB, TO_MAESTRO, &id.to_string(), "synced", within)
        .await;
    let released = linked_at.elapsed();
    assert!(
        released < Duration::from_secs(1),
        "released {released:?} after the link"
    );
    assert_eq!(s.maestro.subcontracts(COMPANY).len(), 1);
}

#[tokio::test]
async fn a_subcontract_whose_project_never_appears_is_dead_lettered_naming_it() {
    let s = Stack::with(QUICK, 3).await;
    maestro_side(&s);
    let site = procore_site(&s).await;
    link_supplier(&s, &site).await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    send(&s, SUB, Action::Create, id, &site).await;

    let item = s.wait_for(SUB, TO_MAESTRO, &id.to_string(), "dead").await;
    assert!(
        item.says("error", "gave up after 3 attempts: project P-100 (Garage municipal de Laval) is not linked to maestro* yet"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.subcontracts(COMPANY).is_empty());
}

#[tokio::test]
async fn a_subcontract_created_before_a_crash_is_found_by_its_external_number() {
    let s = Stack::start().await;
    let site = ready(&s).await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    // An earlier attempt created the subcontract, then died before the link was stored.
    let earlier = maestro_client(&s)
        .create_subcontract(&NewSubcontract {
            external_no: "SC-001".into(),
            project: ProjectCode::new("P-100").unwrap(),
            supplier_code: "ELEC01".into(),
            contract_date: None,
            delivery_date: None,
            holdback_percent: None,
            details: None,
            memo: None,
            lines: vec![],
        })
        .await
        .unwrap();
    send(&s, SUB, Action::Create, id, &site).await;

    s.wait_for(SUB, TO_MAESTRO, &id.to_string(), "synced").await;
    assert_eq!(s.maestro.subcontracts(COMPANY).len(), 1);
    assert_eq!(
        s.link(SUB, &earlier.number).await,
        Some((id, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn four_concurrent_deliveries_of_one_subcontract_make_one_maestro_subcontract() {
    let s = Stack::start().await;
    let site = ready(&s).await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    // A webhook, the reconciler and redeliveries can bring the same contract together.
    for _ in 0..4 {
        send(&s, SUB, Action::Create, id, &site).await;
    }

    bridge_platform::testing::eventually(
        Duration::from_secs(20),
        "the four deliveries handled",
        || async {
            let attempts: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM sync_attempts a JOIN sync_items i ON i.id = a.sync_item_id
                 WHERE i.kind = 'subcontract'",
            )
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
            (attempts >= 4).then_some(())
        },
    )
    .await;
    let item = s.wait_for(SUB, TO_MAESTRO, &id.to_string(), "synced").await;
    assert!(item.texts("error").is_empty(), "{:?}", item.messages);
    assert_eq!(s.maestro.subcontracts(COMPANY).len(), 1);
    let dead: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_attempts WHERE outcome = 'dead'")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(dead, 0);
}

#[tokio::test]
async fn orders_and_subcontracts_share_one_maestro_counter() {
    let s = Stack::start().await;
    let site = ready(&s).await;
    let order = site.purchase_order(&s, "PO-001").await;
    let key = order.to_string();
    send(&s, EntityKind::PurchaseOrder, Action::Create, order, &site).await;
    s.wait_for(EntityKind::PurchaseOrder, TO_MAESTRO, &key, "synced")
        .await;
    let id = site.work_order(&s, "SC-001", "Approved").await;
    let number = synced_subcontract(&s, &site, id).await;

    let orders = s.maestro.orders(COMPANY);
    assert_eq!(orders.len(), 1);
    let order_no: u64 = orders[0].number.parse().unwrap();
    assert_eq!(number.parse::<u64>().unwrap(), order_no + 1, "{number}");
}
