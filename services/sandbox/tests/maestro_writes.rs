//! The writes the workers make, through the client against the emulator: maestro* numbers
//! orders, subcontracts and stock orders from one counter, a retry finds what a first attempt
//! created, and each record lands where a maestro* user would look for it.

mod maestro_support;

use bridge_maestro::{
    Amount, BillingLine, BudgetModification, CostLine, MaestroApi, NewBillingChangeOrder,
    NewBillingContract, NewChangeOrder, NewOrder, NewParty, NewProject, NewSubcontract, OrderKind,
    ProgressType, ProjectCode, ProjectFilter, RejectCode, TransactionFilter,
};
use chrono::NaiveDate;
use maestro_support::{SHOP, start_shop};

fn p100() -> ProjectCode {
    ProjectCode::new("P-100").expect("code")
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 5, d).expect("date")
}

fn line(activity: &str, group: &str, cents: i64) -> CostLine {
    CostLine {
        line_no: 1,
        activity: activity.to_owned(),
        group: group.to_owned(),
        description: Some("Dalle".to_owned()),
        quantity: Some("2".parse().expect("qty")),
        unit: Some("m3".to_owned()),
        unit_price: Some(Amount::from_units(cents / 2)),
        amount: Amount::from_units(cents),
    }
}

pub fn order(external_no: &str) -> NewOrder {
    NewOrder {
        external_no: external_no.to_owned(),
        project: p100(),
        supplier_code: "BETON01".to_owned(),
        order_date: day(4),
        delivery_date: Some(day(20)),
        memo: Some("Béton niveau 2 - livraison en deux fois".to_owned()),
        holdback_percent: Some("10".parse().expect("pct")),
        lines: vec![line("01-A-001", "MAT", 125_000)],
    }
}

pub fn subcontract(external_no: &str) -> NewSubcontract {
    NewSubcontract {
        external_no: external_no.to_owned(),
        project: p100(),
        supplier_code: "BETON01".to_owned(),
        contract_date: Some(day(5)),
        delivery_date: None,
        holdback_percent: Some("5".parse().expect("pct")),
        details: Some("Coffrage - fondations".to_owned()),
        memo: None,
        lines: vec![line("01-A-002", "SST", 800_000)],
    }
}

#[tokio::test]
async fn orders_subcontracts_and_stock_orders_share_one_counter() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let po = client
        .create_order(OrderKind::Purchase, &order("PO-1"))
        .await
        .expect("purchase order");
    let sc = client
        .create_subcontract(&subcontract("SC-1"))
        .await
        .expect("subcontract");
    let so = client
        .create_order(OrderKind::Stock, &order("PO-2"))
        .await
        .expect("stock order");
    assert_eq!(
        [po.number.as_str(), sc.number.as_str(), so.number.as_str()],
        ["000001", "000002", "000003"]
    );
    assert_eq!((po.kind, so.kind), (OrderKind::Purchase, OrderKind::Stock));
    assert_eq!(po.external_no, "PO-1");
    assert_eq!(po.lines, order("PO-1").lines);

    let stored = running.emulator.orders(SHOP);
    assert_eq!(stored.len(), 2);
    assert_eq!(
        running.emulator.subcontracts(SHOP)[0].details.as_deref(),
        Some("Coffrage - fondations")
    );
}

#[tokio::test]
async fn a_retry_finds_what_the_first_attempt_created() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    assert_eq!(
        client
            .find_order(OrderKind::Purchase, &p100(), "PO-7")
            .await
            .expect("lookup"),
        None
    );

    let first = client
        .create_order(OrderKind::Purchase, &order("PO-7"))
        .await
        .expect("created");
    // The worker crashed before recording the link: the retry looks up first...
    let found = client
        .find_order(OrderKind::Purchase, &p100(), "PO-7")
        .await
        .expect("lookup")
        .expect("found");
    assert_eq!(found, first);
    // ...and a blind second create is refused without a duplicate, naming the existing number.
    let error = client
        .create_order(OrderKind::Purchase, &order("PO-7"))
        .await
        .expect_err("duplicate refused");
    let rejection = error.rejection().expect("a rejection");
    assert_eq!(rejection.code, RejectCode::DuplicateExternalNo);
    assert_eq!(rejection.existing.as_deref(), Some(first.number.as_str()));
    assert!(!error.is_transient());
    assert_eq!(running.emulator.orders(SHOP).len(), 1);

    let sc = client
        .create_subcontract(&subcontract("SC-9"))
        .await
        .expect("subcontract");
    let again = client
        .find_subcontract(&p100(), "SC-9")
        .await
        .expect("lookup");
    assert_eq!(again, Some(sc.clone()));
    let co = NewChangeOrder {
        contract_no: sc.number.clone(),
        external_no: "CO-001".to_owned(),
        initiated_date: day(10),
        supplier_code: Some("BETON01".to_owned()),
        description: Some("Extra".to_owned()),
        lines: vec![line("01-A-002", "SST", 50_000)],
    };
    let created = client.create_change_order(&co).await.expect("change order");
    assert_eq!(created.number, 1);
    let found = client
        .find_change_order(&sc.number, "CO-001")
        .await
        .expect("lookup");
    assert_eq!(found, Some(created));
    let error = client
        .create_change_order(&co)
        .await
        .expect_err("duplicate");
    assert!(
        error.is_rejected_with(&RejectCode::DuplicateExternalNo),
        "{error}"
    );
    let second = NewChangeOrder {
        external_no: "CO-002".to_owned(),
        ..co
    };
    assert_eq!(
        client
            .create_change_order(&second)
            .await
            .expect("second")
            .number,
        2
    );
}

#[tokio::test]
async fn billing_contract_and_its_change_orders() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    assert_eq!(client.billing_contract(&p100()).await.expect("read"), None);
    let contract = NewBillingContract {
        project: p100(),
        customer_code: "CL0001".to_owned(),
        description: "Contrat principal".to_owned(),
        external_no: Some("1".to_owned()),
        start_date: Some(day(1)),
        delivery_date: None,
        holdback_percent: Some("10".parse().expect("pct")),
        original_amount: Amount::from_units(10_000_000),
        progress_type: ProgressType::Rate,
        lines: vec![BillingLine {
            line_no: 1,
            activity: "01-A-001".to_owned(),
            quantity: None,
            unit: None,
            unit_price: None,
            amount: Some(Amount::from_units(10_000_000)),
        }],
    };
    let created = client
        .create_billing_contract(&contract)
        .await
        .expect("contract");
    assert_eq!(created.number, p100());
    assert_eq!(
        client.billing_contract(&p100()).await.expect("read"),
        Some(created)
    );

    let pcco = NewBillingChangeOrder {
        contract_no: p100(),
        external_no: "PCCO-1".to_owned(),
        date: day(15),
        description: Some("Ajout - marquise".to_owned()),
        lines: contract.lines.clone(),
    };
    let co = client
        .create_billing_change_order(&pcco)
        .await
        .expect("pcco");
    assert_eq!(co.number, 1);
    let found = client
        .find_billing_change_order(&p100(), "PCCO-1")
        .await
        .expect("lookup");
    assert_eq!(found, Some(co));
}

#[tokio::test]
async fn projects_suppliers_and_customers_created_from_procore() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let mut new = NewProject::new(ProjectCode::new("P-200").expect("code"), "Aréna");
    new.address = Some("1 boul. des Sports".to_owned());
    let project = client.create_project(&new).await.expect("project");
    assert!(!project.active, "created inactive, the user activates it");
    assert!(project.procore.sync);
    assert!(
        client
            .projects(&ProjectFilter::eligible(None))
            .await
            .expect("list")
            .iter()
            .all(|p| p.code.as_str() != "P-200")
    );

    let again = client
        .create_project(&new)
        .await
        .expect_err("same number twice");
    assert!(
        again.is_rejected_with(&RejectCode::DuplicateCode),
        "{again}"
    );

    let supplier = client
        .create_supplier(&NewParty::new("ACIER02", "Acier Rive-Sud"))
        .await
        .expect("supplier");
    assert!(supplier.active && supplier.sync);
    let customer = client
        .create_customer(&NewParty::new("CL0002", "CSS des Mille-Îles"))
        .await
        .expect("customer");
    assert_eq!(customer.name, "CSS des Mille-Îles");
    let operations: Vec<&str> = running
        .emulator
        .writes()
        .iter()
        .map(|w| w.operation)
        .collect();
    assert_eq!(operations, ["project", "supplier", "customer"]);
}

#[tokio::test]
async fn budget_modifications_and_the_transaction_cursor() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let emulator = &running.emulator;
    emulator
        .set_budget(
            SHOP,
            bridge_maestro::BudgetLine {
                project: p100(),
                activity: "01-A-001".to_owned(),
                group: "MAT".to_owned(),
                unit: Some("m3".to_owned()),
                budget_amount: Amount::from_units(5_000_000),
                budget_quantity: "40".parse().expect("qty"),
                modification_amount: Amount::ZERO,
                modification_quantity: "0".parse().expect("qty"),
            },
        )
        .expect("budget");
    let change = BudgetModification {
        activity: "01-A-001".to_owned(),
        group: "MAT".to_owned(),
        amount: Amount::from_units(250_000),
        quantity: "2".parse().expect("qty"),
    };
    let lines = client
        .update_budget_modifications(&p100(), std::slice::from_ref(&change))
        .await
        .expect("update");
    let line = lines
        .iter()
        .find(|l| l.activity == "01-A-001")
        .expect("line");
    assert_eq!(line.modification_amount, Amount::from_units(250_000));
    assert_eq!(
        line.budget_amount,
        Amount::from_units(5_000_000),
        "the Budget column is untouched"
    );
    // Idempotent: the same values again change nothing.
    let twice = client
        .update_budget_modifications(&p100(), &[change])
        .await
        .expect("again");
    assert_eq!(twice, lines);

    let project = client
        .set_last_transaction_date(&p100(), day(10))
        .await
        .expect("cursor");
    assert_eq!(project.procore.last_transaction_date, Some(day(10)));
    let filter = TransactionFilter::eligible_for(&project);
    assert_eq!(filter.accounting_date_after, Some(day(10)));
    emulator
        .set_transaction_start(SHOP, "P-100", Some(day(2)), true)
        .expect("start date");
    let project = client
        .project(&p100())
        .await
        .expect("read")
        .expect("exists");
    let filter = TransactionFilter::eligible_for(&project);
    assert_eq!(
        (filter.accounting_date_after, filter.accounting_date_from),
        (None, Some(day(2)))
    );
}

#[tokio::test]
async fn each_company_has_its_own_records_and_counter() {
    let running = start_shop().await;
    let emulator = &running.emulator;
    emulator.add_company(
        "PROD",
        "Production",
        bridge_maestro::CompanyClass::Production,
        false,
    );
    let shop = running.client(SHOP);
    let prod = running.client("PROD");
    shop.create_order(OrderKind::Purchase, &order("PO-1"))
        .await
        .expect("shop order");
    shop.create_order(OrderKind::Purchase, &order("PO-2"))
        .await
        .expect("shop order");

    let error = prod
        .create_order(OrderKind::Purchase, &order("PO-1"))
        .await
        .expect_err("no P-100 in PROD");
    assert!(
        error.is_rejected_with(&RejectCode::UnknownProject),
        "{error}"
    );

    emulator
        .add_project("PROD", maestro_support::plain_project("P-100"))
        .expect("project");
    emulator
        .add_activity("PROD", "P-100", "01-A-001", "Travaux")
        .expect("activity");
    let shop_groups = shop.groups().await.expect("groups");
    for group in shop_groups {
        emulator.add_group("PROD", group).expect("group");
    }
    for supplier in emulator.suppliers(SHOP) {
        emulator.add_supplier("PROD", supplier).expect("supplier");
    }
    let first = prod
        .create_order(OrderKind::Purchase, &order("PO-1"))
        .await
        .expect("prod order");
    assert_eq!(first.number, "000001", "PROD's counter is its own");
    assert_eq!(emulator.orders(SHOP).len(), 2);
}

#[tokio::test]
async fn concurrent_retries_create_exactly_one_order() {
    let running = start_shop().await;
    let client = std::sync::Arc::new(running.client(SHOP));
    let attempts: Vec<_> = (0..10)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .create_order(OrderKind::Stock, &order("PO-RACE"))
                    .await
            })
        })
        .collect();
    let (mut created, mut refused) = (0, 0);
    for attempt in attempts {
        match attempt.await.expect("task") {
            Ok(_) => created += 1,
            Err(e) if e.is_rejected_with(&RejectCode::DuplicateExternalNo) => refused += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!((created, refused), (1, 9));
    assert_eq!(running.emulator.orders(SHOP).len(), 1);
}

#[tokio::test]
async fn serve_stops_when_cancelled() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let shutdown = tokio_util::sync::CancellationToken::new();
    let emulator =
        bridge_sandbox::maestro::Emulator::new(bridge_sandbox::maestro::Config::default());
    let server = tokio::spawn(bridge_sandbox::maestro::serve(
        listener,
        emulator,
        shutdown.clone(),
    ));
    shutdown.cancel();
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(5), server)
        .await
        .expect("stops within the deadline")
        .expect("task");
    assert!(stopped.is_ok(), "{stopped:?}");
}
