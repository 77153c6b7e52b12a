//! Purchase orders Procore → maestro*, end to end: the order that arrives in maestro*, the
//! dependencies it waits for, and the release when they appear.

mod flows_support;

use bridge_domain::{Action, Direction, EntityKind};
use bridge_maestro::{MaestroApi, OrderKind};
use bridge_procore::ProcoreId;
use bridge_procore::writes::{NewContract, NewCostCode, NewLineItem, NewLineItemType};
use flows_support::{COMPANY, Stack};
use serde_json::json;
use std::time::{Duration, Instant};

const PO: EntityKind = EntityKind::PurchaseOrder;
const TO_MAESTRO: Direction = Direction::ToMaestro;

/// What a Procore user set up: a project P-100 with cost codes and cost types, the vendor
/// BETON01 and a purchase order with two lines.
struct Procore {
    project: i64,
    vendor: i64,
    order: i64,
}

impl Procore {
    fn order_key(&self) -> String {
        self.order.to_string()
    }
    fn project_key(&self) -> Option<String> {
        Some(self.project.to_string())
    }
}

/// Sets up Procore; the order is approved when `status` is `Approved`. `activity` is the
/// cost code of the first line.
async fn procore_order(s: &Stack, status: &str, activity: &str) -> Procore {
    procore_order_numbered(s, status, activity, "PO-001").await
}

/// Like [`procore_order`], with the purchase order numbered `number`; the project, cost codes,
/// cost type and vendor are created once per stack.
async fn procore_order_numbered(s: &Stack, status: &str, activity: &str, number: &str) -> Procore {
    let c = s.procore_user();
    if let Some(project) = s.procore_projects().first() {
        // A second order of the same project: its codes and cost type exist already.
        let project = project["id"].as_i64().unwrap();
        let codes = c.cost_codes(project).await.unwrap();
        let code = |name: &str| {
            codes
                .iter()
                .find(|c| c.code.as_deref() == Some(name))
                .unwrap()
                .id
        };
        let codes = [code(activity), code("01-A-002")];
        let material = c.line_item_types().await.unwrap()[0].id;
        return order_with(s, project, codes, material, status, number).await;
    }
    let project = s
        .procore_project(json!({
            "name": "Garage municipal de Laval", "project_number": "P-100",
            "start_date": "2026-04-01", "completion_date": "2026-11-30",
        }))
        .await;
    let mut codes = Vec::new();
    for code in [activity, "01-A-002"] {
        let new = NewCostCode {
            code: Some(code.to_owned()),
            name: Some("Travaux".to_owned()),
            ..NewCostCode::default()
        };
        codes.push(c.create_cost_code(project, &new).await.unwrap().id);
    }
    let material = NewLineItemType {
        name: Some("Matériaux".to_owned()),
        code: Some("MAT".to_owned()),
        base_type: Some("materials".to_owned()),
    };
    let material = c.create_line_item_type(&material).await.unwrap().id;
    order_with(s, project, [codes[0], codes[1]], material, status, number).await
}

async fn order_with(
    s: &Stack,
    project: i64,
    codes: [ProcoreId; 2],
    material: ProcoreId,
    status: &str,
    number: &str,
) -> Procore {
    let c = s.procore_user();
    let vendor = match s.procore_vendors().first() {
        Some(v) => v["id"].as_i64().unwrap(),
        None => {
            s.procore_vendor(json!({ "name": "Béton Laval inc.", "abbreviated_name": "BETON01" }))
                .await
        }
    };
    let contract = NewContract {
        number: Some(number.to_owned()),
        title: Some("Béton coulé".to_owned()),
        description: Some("Dalle du garage".to_owned()),
        vendor_id: Some(vendor.into()),
        retainage_percent: Some(10.0),
        status: Some("Draft".to_owned()),
        ..NewContract::default()
    };
    let order = c
        .create_purchase_order_contract(project, &contract)
        .await
        .unwrap()
        .id
        .0;
    let lines = [
        NewLineItem {
            description: Some("Béton 35 MPa".to_owned()),
            cost_code_id: Some(codes[0]),
            line_item_type_id: Some(material),
            quantity: Some(40.0),
            unit_cost: Some(212.5),
            uom: Some("m3".to_owned()),
            amount: Some(8500.0),
        },
        NewLineItem {
            description: Some("Pompage".to_owned()),
            cost_code_id: Some(codes[1]),
            line_item_type_id: Some(material),
            amount: Some(1250.75),
            ..NewLineItem::default()
        },
    ];
    for line in lines {
        c.create_purchase_order_line(project, order, &line)
            .await
            .unwrap();
    }
    if status == "Approved" {
        s.procore.approve_commitment(order).unwrap();
    }
    Procore {
        project,
        vendor,
        order,
    }
}

/// Links the project (by job number) and the supplier (by code) through their own flows.
async fn link_dependencies(s: &Stack, p: &Procore) {
    link_project(s).await;
    link_supplier(s, p).await;
}

async fn link_project(s: &Stack) {
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

async fn link_supplier(s: &Stack, p: &Procore) {
    let vendor = p.vendor.to_string();
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

/// maestro* with project P-100 (activities, groups) and supplier BETON01.
fn maestro_side(s: &Stack) {
    s.add_project("P-100", "Garage municipal de Laval");
    s.add_supplier("BETON01", "Béton Laval inc.");
}

#[tokio::test]
async fn an_approved_purchase_order_becomes_a_maestro_order_with_every_line() {
    let s = Stack::start().await;
    maestro_side(&s);
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_dependencies(&s, &p).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;

    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "synced").await;
    assert_eq!(
        item.description.as_deref(),
        Some("purchase order PO-001 (Béton coulé)")
    );
    let orders = s.maestro.orders(COMPANY);
    assert_eq!(orders.len(), 1, "{orders:?}");
    let o = &orders[0];
    assert_eq!(o.kind, OrderKind::Purchase);
    assert_eq!(o.external_no, "PO-001");
    assert_eq!(o.project.as_str(), "P-100");
    assert_eq!(o.supplier_code, "BETON01");
    assert_eq!(o.memo.as_deref(), Some("Béton coulé - Dalle du garage"));
    assert_eq!(
        o.holdback_percent.map(|h| h.to_string()).as_deref(),
        Some("10")
    );
    let lines: Vec<(u32, &str, &str, String)> = o
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
            (1, "01-A-001", "MAT", "8500.00".to_owned()),
            (2, "01-A-002", "MAT", "1250.75".to_owned()),
        ]
    );
    assert_eq!(
        o.lines[0].quantity.map(|q| q.to_string()).as_deref(),
        Some("40")
    );
    assert_eq!(
        o.lines[0].unit_price.map(|u| u.to_string()).as_deref(),
        Some("212.50")
    );
    assert_eq!(o.lines[0].unit.as_deref(), Some("m3"));
    assert_eq!(o.lines[1].quantity, None);
    assert_eq!(
        s.link(PO, &o.number).await,
        Some((p.order, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn a_purchase_order_that_is_not_approved_is_skipped() {
    let s = Stack::start().await;
    maestro_side(&s);
    let p = procore_order(&s, "Draft", "01-A-001").await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;

    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "skipped").await;
    assert!(
        item.says(
            "info",
            "is Draft in Procore; only Approved purchase orders are sent to maestro*"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.orders(COMPANY).is_empty());
}

#[tokio::test]
async fn the_stock_catalogue_mode_creates_a_stock_order() {
    let s = Stack::start().await;
    s.set_setting("orders_mode", json!("stock_catalogue")).await;
    maestro_side(&s);
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_dependencies(&s, &p).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;

    s.wait_for(PO, TO_MAESTRO, &p.order_key(), "synced").await;
    let orders = s.maestro.orders(COMPANY);
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].kind, OrderKind::Stock);
}

#[tokio::test]
async fn an_order_waits_for_its_project_and_goes_once_the_project_is_linked() {
    let s = Stack::start().await;
    maestro_side(&s);
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_supplier(&s, &p).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;

    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("project:P-100"));
    assert!(
        item.says(
            "info",
            "project P-100 (Garage municipal de Laval) is not linked"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.orders(COMPANY).is_empty());

    link_project(&s).await;
    s.wait_for(PO, TO_MAESTRO, &p.order_key(), "synced").await;
    assert_eq!(s.maestro.orders(COMPANY).len(), 1);
}

#[tokio::test]
async fn a_supplier_arriving_after_the_order_that_needs_it_releases_the_order_within_a_second() {
    // Retry tiers of a minute and more: only the wake on the new link can be this quick.
    let s = Stack::with([60, 120, 180, 240, 300], 12).await;
    s.add_project("P-100", "Garage municipal de Laval");
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_project(&s).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;
    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "waiting").await;
    assert_eq!(item.waiting_on.as_deref(), Some("supplier:BETON01"));
    assert!(
        item.says("info", "supplier BETON01 (Béton Laval inc.) is not linked"),
        "{:?}",
        item.messages
    );

    // The supplier is created in maestro* from Procore, which links it.
    link_supplier(&s, &p).await;
    let linked_at = Instant::now();
    assert!(s.supplier("BETON01").is_some());
    s.wait_for_within(
        PO,
        TO_MAESTRO,
        &p.order_key(),
        "synced",
        Duration::from_secs(5),
    )
    .await;
    let released = linked_at.elapsed();
    assert!(
        released < Duration::from_secs(1),
        "released {released:?} after the link"
    );
    assert_eq!(s.maestro.orders(COMPANY).len(), 1);
}

#[tokio::test]
async fn an_order_created_before_a_crash_is_found_by_its_external_number() {
    let s = Stack::start().await;
    maestro_side(&s);
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_dependencies(&s, &p).await;
    // An earlier attempt created the order, then crashed before the link was stored.
    let earlier = maestro_client(&s)
        .create_order(
            OrderKind::Purchase,
            &bridge_maestro::NewOrder {
                external_no: "PO-001".into(),
                project: bridge_maestro::ProjectCode::new("P-100").unwrap(),
                supplier_code: "BETON01".into(),
                order_date: chrono::NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
                delivery_date: None,
                memo: None,
                holdback_percent: None,
                lines: vec![],
            },
        )
        .await
        .unwrap();
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;

    s.wait_for(PO, TO_MAESTRO, &p.order_key(), "synced").await;
    assert_eq!(s.maestro.orders(COMPANY).len(), 1);
    assert_eq!(
        s.link(PO, &earlier.number).await,
        Some((p.order, "created_in_maestro".to_owned()))
    );
}

#[tokio::test]
async fn a_line_maestro_refuses_is_dead_lettered_with_maestros_words() {
    let s = Stack::start().await;
    maestro_side(&s);
    // 99-Z-001 is not an activity of project P-100 in maestro*.
    let p = procore_order(&s, "Approved", "99-Z-001").await;
    link_dependencies(&s, &p).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;

    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "dead").await;
    assert!(
        item.says(
            "error",
            "maestro* refused creating purchase order PO-001 (Béton coulé)"
        ),
        "{:?}",
        item.messages
    );
    assert!(
        item.says("error", "activity 99-Z-001 does not exist on project P-100"),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.orders(COMPANY).is_empty());
}

fn maestro_client(s: &Stack) -> bridge_maestro::HttpMaestro {
    bridge_maestro::HttpMaestro::new(bridge_maestro::ClientConfig::new(
        s.maestro_base.clone(),
        s.maestro.config().api_key.clone(),
        COMPANY,
    ))
    .unwrap()
}

#[tokio::test]
async fn a_change_to_a_synchronized_order_is_skipped_with_the_manual_step() {
    let s = Stack::start().await;
    maestro_side(&s);
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_dependencies(&s, &p).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;
    s.wait_for(PO, TO_MAESTRO, &p.order_key(), "synced").await;

    s.emit(
        PO,
        TO_MAESTRO,
        Action::Update,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;
    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "skipped").await;
    assert!(
        item.says("info", "purchase order PO-001 (Béton coulé): changed in Procore after synchronization; apply the change by hand in maestro*"),
        "{:?}",
        item.messages
    );
    assert_eq!(s.maestro.orders(COMPANY).len(), 1);
}

#[tokio::test]
async fn an_order_from_a_vendor_kept_out_of_maestro_is_dead_lettered_not_left_waiting() {
    let s = Stack::start().await;
    maestro_side(&s);
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_project(&s).await;
    s.update_procore_vendor(p.vendor, json!({ "notes": "NOTMAESTRO" }))
        .await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &p.order_key(),
        p.project_key().as_deref(),
    )
    .await;

    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "dead").await;
    assert!(
        item.says(
            "error",
            "its vendor Béton Laval inc. carries the keyword NOTMAESTRO in Procore"
        ),
        "{:?}",
        item.messages
    );
    assert!(s.maestro.orders(COMPANY).is_empty());
}

#[tokio::test]
async fn the_same_order_delivered_several_times_at_once_creates_one_order() {
    let s = Stack::start().await;
    maestro_side(&s);
    let p = procore_order(&s, "Approved", "01-A-001").await;
    link_dependencies(&s, &p).await;
    // A webhook, the reconciler and a redelivery can bring the same order together.
    for _ in 0..4 {
        s.emit(
            PO,
            TO_MAESTRO,
            Action::Create,
            &p.order_key(),
            p.project_key().as_deref(),
        )
        .await;
    }

    bridge_platform::testing::eventually(
        Duration::from_secs(20),
        "the four deliveries handled",
        || async {
            let attempts: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM sync_attempts a JOIN sync_items i ON i.id = a.sync_item_id
                 WHERE i.kind = 'purchase_order'",
            )
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
            (attempts >= 4).then_some(())
        },
    )
    .await;
    let item = s.wait_for(PO, TO_MAESTRO, &p.order_key(), "synced").await;
    assert!(item.texts("error").is_empty(), "{:?}", item.messages);
    assert_eq!(s.maestro.orders(COMPANY).len(), 1);
    let dead: i64 = sqlx::query_scalar("SELECT count(*) FROM sync_attempts WHERE outcome = 'dead'")
        .fetch_one(&s.db.pool)
        .await
        .unwrap();
    assert_eq!(dead, 0);
}

#[tokio::test]
async fn two_orders_alike_in_their_first_40_characters_never_share_one_maestro_order() {
    let s = Stack::start().await;
    maestro_side(&s);
    let stem = "PO-2026-GARAGE-MUNICIPAL-LAVAL-PHASE-2-BETON";
    let first = procore_order_numbered(&s, "Approved", "01-A-001", &format!("{stem}-A")).await;
    link_dependencies(&s, &first).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &first.order_key(),
        first.project_key().as_deref(),
    )
    .await;
    let item = s
        .wait_for(PO, TO_MAESTRO, &first.order_key(), "synced")
        .await;
    assert!(
        item.says(
            "warning",
            "external number (Procore number) cut to 40 characters (it had 46)"
        ),
        "{:?}",
        item.messages
    );

    let second = procore_order_numbered(&s, "Approved", "01-A-001", &format!("{stem}-B")).await;
    s.emit(
        PO,
        TO_MAESTRO,
        Action::Create,
        &second.order_key(),
        second.project_key().as_deref(),
    )
    .await;
    let item = s
        .wait_for(PO, TO_MAESTRO, &second.order_key(), "dead")
        .await;
    assert!(
        item.says(
            "error",
            "has the same first 40 characters (PO-2026-GARAGE-MUNICIPAL-LAVAL-PHASE-2-B)"
        ),
        "{:?}",
        item.messages
    );
    assert_eq!(
        s.maestro.orders(COMPANY).len(),
        1,
        "the second order is refused, not merged"
    );
}
