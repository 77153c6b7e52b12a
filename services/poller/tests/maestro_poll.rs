//! The maestro* poller against the maestro* emulator over HTTP and the real Postgres.

use bridge_domain::EntityKind;
use bridge_maestro::{self as mx, ClientConfig, HttpMaestro, MaestroApi};
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::TestDb;
use bridge_poller::maestro::{self, KINDS, Target};
use bridge_sandbox::maestro::{self as emu, Config, Emulator};
use chrono::NaiveDate;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const CO: &str = "ACME";

struct Setup {
    db: TestDb,
    emulator: Emulator,
    client: HttpMaestro,
    connection_id: i64,
    _stop: StopOnDrop,
}

struct StopOnDrop(CancellationToken);
impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

async fn setup(multidimensional: bool) -> Setup {
    setup_as(multidimensional, mx::CompanyClass::Test).await
}

/// A maestro* emulator holding company ACME of `class`, and a connection labelled as a test
/// pairing (maestro* test, Procore developer sandbox) naming that company.
async fn setup_as(multidimensional: bool, class: mx::CompanyClass) -> Setup {
    let emulator = Emulator::new(Config::default());
    emulator.add_company(CO, "Construction Acme", class, multidimensional);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let stop = CancellationToken::new();
    tokio::spawn(emu::serve(listener, emulator.clone(), stop.clone()));
    let base = url::Url::parse(&format!("http://{address}{}", emu::BASE_PATH)).unwrap();
    let mut config = ClientConfig::new(base.clone(), emulator.config().api_key.clone(), CO);
    config.timeout = Duration::from_secs(30);
    let client = HttpMaestro::new(config).unwrap();
    let db = TestDb::new().await;
    let connection_id = connections::create(
        &db.pool,
        &NewConnection {
            maestro_company: CO.to_owned(),
            ..NewConnection::sandbox("acme", "http://procore.invalid", base.as_str(), 8)
        },
    )
    .await
    .unwrap();
    Setup {
        db,
        emulator,
        client,
        connection_id,
        _stop: StopOnDrop(stop),
    }
}

fn project(code: &str, active: bool, sync: bool, prefix: Option<&str>) -> mx::Project {
    mx::Project {
        code: mx::ProjectCode::new(code).unwrap(),
        description: format!("Project {code}"),
        detailed_description: None,
        address: None,
        city: None,
        province: None,
        country: None,
        postal_code: None,
        phone: None,
        start_date: NaiveDate::from_ymd_opt(2026, 1, 5),
        closing_date: NaiveDate::from_ymd_opt(2027, 6, 30),
        active,
        prefix: prefix.map(str::to_owned),
        master_project: None,
        customer_code: None,
        procore: mx::ProcoreTab {
            sync,
            ..mx::ProcoreTab::default()
        },
    }
}

fn supplier(code: &str, active: bool, sync: bool) -> mx::Supplier {
    mx::Supplier {
        code: code.to_owned(),
        name: format!("Supplier {code}"),
        address: None,
        city: None,
        province: None,
        postal_code: None,
        country: None,
        phone: None,
        fax: None,
        email: None,
        rbq_number: None,
        active,
        sync,
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, d).unwrap()
}

fn transaction(
    project: &str,
    type_code: char,
    status: mx::TransactionStatus,
    approved: bool,
    date: NaiveDate,
) -> mx::Transaction {
    mx::Transaction {
        id: String::new(),
        project: mx::ProjectCode::new(project).unwrap(),
        type_code: mx::TypeCode::new(type_code).unwrap(),
        status,
        approved,
        entry_date: date,
        accounting_date: date,
        description: Some("Béton".into()),
        supplier_code: None,
        employee_number: None,
        invoice_no: None,
        order_no: None,
        amount: mx::Amount::from_units(12_345),
        lines: vec![],
    }
}

async fn keys(s: &Setup, kind: EntityKind) -> BTreeSet<String> {
    let rows: Vec<String> = sqlx::query_scalar("SELECT record FROM inbox WHERE kind = $1")
        .bind(kind.as_str())
        .fetch_all(&s.db.pool)
        .await
        .unwrap();
    rows.into_iter().collect()
}

fn target<'a>(s: &'a Setup, prefix: Option<&'static str>) -> Target<'a> {
    Target {
        connection_id: s.connection_id,
        prefix,
        api: &s.client,
    }
}

#[tokio::test]
async fn only_active_ticked_records_of_the_connection_prefix_are_emitted() {
    let s = setup(true).await;
    for p in ["A", "B"] {
        s.emulator.add_prefix(CO, p, p).unwrap();
    }
    s.emulator
        .add_project(CO, project("A-100", true, true, Some("A")))
        .unwrap();
    s.emulator
        .add_project(CO, project("A-101", true, false, Some("A")))
        .unwrap();
    s.emulator
        .add_project(CO, project("A-102", false, true, Some("A")))
        .unwrap();
    s.emulator
        .add_project(CO, project("B-100", true, true, Some("B")))
        .unwrap();
    s.emulator
        .add_supplier(CO, supplier("S-OK", true, true))
        .unwrap();
    s.emulator
        .add_supplier(CO, supplier("S-NOSYNC", true, false))
        .unwrap();
    s.emulator
        .add_supplier(CO, supplier("S-GONE", false, true))
        .unwrap();

    let report = maestro::poll(&s.db.pool, &target(&s, Some("A")), &KINDS, None)
        .await
        .unwrap();
    assert_eq!(
        keys(&s, EntityKind::Project).await,
        BTreeSet::from(["A-100".to_owned()])
    );
    assert_eq!(
        keys(&s, EntityKind::Supplier).await,
        BTreeSet::from(["S-OK".to_owned()])
    );
    assert_eq!(report.emitted.get(&EntityKind::Project), Some(&1));
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // A linked project is not sent again, even when it changes.
    sqlx::query(
        "INSERT INTO links (connection_id, kind, maestro_key, procore_id, origin)
                 VALUES ($1, 'project', 'A-100', 1, 'created_in_procore')",
    )
    .bind(s.connection_id)
    .execute(&s.db.pool)
    .await
    .unwrap();
    s.emulator
        .set_transaction_start(CO, "A-100", Some(day(1)), false)
        .unwrap();
    let again = maestro::poll(
        &s.db.pool,
        &target(&s, Some("A")),
        &[EntityKind::Project],
        None,
    )
    .await
    .unwrap();
    assert_eq!(again.total_emitted(), 0);

    // An unlinked project that its user fixes is sent again (a new version of it).
    s.emulator.set_project_sync(CO, "A-101", true).unwrap();
    let fixed = maestro::poll(
        &s.db.pool,
        &target(&s, Some("A")),
        &[EntityKind::Project],
        None,
    )
    .await
    .unwrap();
    assert_eq!(fixed.emitted.get(&EntityKind::Project), Some(&1));
}

#[tokio::test]
async fn only_approved_transferred_transactions_of_synced_types_are_emitted() {
    let s = setup(false).await;
    s.emulator
        .add_project(CO, project("P-1", true, true, None))
        .unwrap();
    let t = mx::TransactionStatus::Transferred;
    let n = mx::TransactionStatus::NotTransferred;
    let ok = s
        .emulator
        .add_transaction(CO, transaction("P-1", '1', t, true, day(2)))
        .unwrap();
    let labour = s
        .emulator
        .add_transaction(CO, transaction("P-1", '4', t, true, day(2)))
        .unwrap();
    let invoice = s
        .emulator
        .add_transaction(CO, transaction("P-1", '7', t, true, day(3)))
        .unwrap();
    s.emulator
        .add_transaction(CO, transaction("P-1", '1', n, true, day(2)))
        .unwrap();
    s.emulator
        .add_transaction(CO, transaction("P-1", '1', t, false, day(2)))
        .unwrap();
    // `3` is not one of the types docs/rules.md lists for Procore.
    s.emulator
        .add_transaction(CO, transaction("P-1", '3', t, true, day(2)))
        .unwrap();

    let report = maestro::poll(&s.db.pool, &target(&s, None), &KINDS, None)
        .await
        .unwrap();
    assert_eq!(
        keys(&s, EntityKind::ProjectCost).await,
        BTreeSet::from([ok, labour])
    );
    assert_eq!(
        keys(&s, EntityKind::OrderInvoice).await,
        BTreeSet::from([invoice])
    );
    assert_eq!(report.emitted.get(&EntityKind::ProjectCost), Some(&2));
}

#[tokio::test]
async fn the_cursor_and_the_start_date_hold_across_restarts() {
    let s = setup(false).await;
    let mut p = project("P-2", true, true, None);
    p.procore.last_transaction_date = Some(day(10));
    s.emulator.add_project(CO, p).unwrap();
    let t = mx::TransactionStatus::Transferred;
    let before = s
        .emulator
        .add_transaction(CO, transaction("P-2", '1', t, true, day(10)))
        .unwrap();
    let first = s
        .emulator
        .add_transaction(CO, transaction("P-2", '1', t, true, day(11)))
        .unwrap();
    let second = s
        .emulator
        .add_transaction(CO, transaction("P-2", 'C', t, true, day(12)))
        .unwrap();
    let costs = [EntityKind::ProjectCost];

    let pass = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert_eq!(
        keys(&s, EntityKind::ProjectCost).await,
        BTreeSet::from([first.clone(), second.clone()])
    );
    assert_eq!(pass.emitted.get(&EntityKind::ProjectCost), Some(&2));

    // A restart (a fresh pass over the same database) repeats nothing.
    let restarted = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert_eq!(restarted.total_emitted(), 0);
    assert_eq!(
        restarted.already_sent.get(&EntityKind::ProjectCost),
        Some(&2)
    );
    assert_eq!(
        s.emulator
            .project(CO, "P-2")
            .unwrap()
            .procore
            .last_transaction_date,
        Some(day(10))
    );

    // The second cost synced but not the first: the cursor must not move past the first.
    mark(&s, &second, "synced").await;
    let held = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert!(held.cursors_advanced.is_empty());
    mark(&s, &first, "synced").await;
    let moved = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert_eq!(moved.cursors_advanced.get("P-2"), Some(&day(12)));
    assert_eq!(
        s.emulator
            .project(CO, "P-2")
            .unwrap()
            .procore
            .last_transaction_date,
        Some(day(12))
    );

    // A new cost after the cursor goes out; nothing before it does.
    let third = s
        .emulator
        .add_transaction(CO, transaction("P-2", '1', t, true, day(13)))
        .unwrap();
    let next = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert_eq!(next.emitted.get(&EntityKind::ProjectCost), Some(&1));
    assert!(keys(&s, EntityKind::ProjectCost).await.contains(&third));
    assert!(!keys(&s, EntityKind::ProjectCost).await.contains(&before));

    // "Ignore last synchronization date": the batch restarts at the user's start date,
    // which brings the older cost in, and only it (the others were sent already).
    s.emulator
        .set_transaction_start(CO, "P-2", Some(day(10)), true)
        .unwrap();
    let ignored = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert_eq!(ignored.emitted.get(&EntityKind::ProjectCost), Some(&1));
    assert!(keys(&s, EntityKind::ProjectCost).await.contains(&before));
}

#[tokio::test]
async fn a_production_company_on_a_test_labelled_connection_never_has_its_cursor_moved() {
    // The connection says maestro* "test"; the company maestro* lists is production class.
    let s = setup_as(false, mx::CompanyClass::Production).await;
    let mut p = project("P-3", true, true, None);
    p.procore.last_transaction_date = Some(day(10));
    s.emulator.add_project(CO, p).unwrap();
    let t = mx::TransactionStatus::Transferred;
    let cost = s
        .emulator
        .add_transaction(CO, transaction("P-3", '1', t, true, day(11)))
        .unwrap();
    let costs = [EntityKind::ProjectCost];
    maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    mark(&s, &cost, "synced").await;

    let refused = maestro::poll(&s.db.pool, &target(&s, None), &costs, None).await;
    let error = format!(
        "{:#}",
        refused.expect_err("the guard must refuse the cursor write")
    );
    assert!(error.contains("pairing guard"), "{error}");
    assert!(error.contains("production"), "{error}");
    let cursor = s
        .emulator
        .project(CO, "P-3")
        .unwrap()
        .procore
        .last_transaction_date;
    assert_eq!(cursor, Some(day(10)), "the cursor must not move");
}

async fn mark(s: &Setup, record: &str, status: &str) {
    sqlx::query(
        "INSERT INTO sync_items (connection_id, kind, direction, record_key, status)
         VALUES ($1, 'project_cost', 'to_procore', $2, $3)
         ON CONFLICT (connection_id, kind, direction, record_key) DO UPDATE SET status = $3",
    )
    .bind(s.connection_id)
    .bind(record)
    .bind(status)
    .execute(&s.db.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn ten_thousand_transactions_are_emitted_exactly_once() {
    let s = setup(false).await;
    s.emulator
        .add_project(CO, project("P-BIG", true, true, None))
        .unwrap();
    for n in 0..10_000u32 {
        let date =
            NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(n % 300));
        s.emulator
            .add_transaction(
                CO,
                transaction("P-BIG", '1', mx::TransactionStatus::Transferred, true, date),
            )
            .unwrap();
    }
    let costs = [EntityKind::ProjectCost];
    let first = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert_eq!(first.emitted.get(&EntityKind::ProjectCost), Some(&10_000));
    let second = maestro::poll(&s.db.pool, &target(&s, None), &costs, None)
        .await
        .unwrap();
    assert_eq!(second.total_emitted(), 0);
    let (rows, distinct): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT record) FROM inbox WHERE kind = 'project_cost'",
    )
    .fetch_one(&s.db.pool)
    .await
    .unwrap();
    assert_eq!((rows, distinct), (10_000, 10_000));
}

#[tokio::test]
async fn a_budget_is_sent_again_only_when_its_content_changes() {
    let s = setup(false).await;
    s.emulator
        .add_project(CO, project("P-3", true, true, None))
        .unwrap();
    s.emulator
        .add_activity(CO, "P-3", "01-A-001", "Excavation")
        .unwrap();
    s.emulator
        .add_group(
            CO,
            mx::Group {
                code: "MAT".into(),
                description: "Matériaux".into(),
                group_type: mx::GroupType::Material,
            },
        )
        .unwrap();
    let budget = [EntityKind::OriginalBudget];
    s.emulator.set_budget(CO, budget_line(1000)).unwrap();
    let first = maestro::poll(&s.db.pool, &target(&s, None), &budget, None)
        .await
        .unwrap();
    assert_eq!(first.emitted.get(&EntityKind::OriginalBudget), Some(&1));
    let same = maestro::poll(&s.db.pool, &target(&s, None), &budget, None)
        .await
        .unwrap();
    assert_eq!(same.total_emitted(), 0);
    s.emulator.set_budget(CO, budget_line(1500)).unwrap();
    let changed = maestro::poll(&s.db.pool, &target(&s, None), &budget, None)
        .await
        .unwrap();
    assert_eq!(changed.emitted.get(&EntityKind::OriginalBudget), Some(&1));
    // The client trait is the seam: the poller used nothing but it.
    let _: &dyn MaestroApi = &s.client;
}

fn budget_line(amount: i64) -> mx::BudgetLine {
    mx::BudgetLine {
        project: mx::ProjectCode::new("P-3").unwrap(),
        activity: "01-A-001".into(),
        group: "MAT".into(),
        unit: None,
        budget_amount: mx::Amount::from_whole(amount),
        budget_quantity: mx::Quantity::from_whole(2),
        modification_amount: mx::Amount::ZERO,
        modification_quantity: mx::Quantity::ZERO,
    }
}
