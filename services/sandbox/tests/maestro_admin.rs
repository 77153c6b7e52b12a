//! The admin routes act as a maestro* user would, and the bridge's reads see the effect: a
//! project becomes eligible once its box is ticked, transactions once they are transferred, a
//! budget edit shows in the Budget column.

mod maestro_support;

use bridge_maestro::wire;
use bridge_maestro::{
    Amount, CostLine, MaestroApi, ProjectCode, ProjectFilter, Transaction, TransactionFilter,
    TransactionStatus, TypeCode,
};
use chrono::NaiveDate;
use maestro_support::{SHOP, start_shop};

async fn admin(method: reqwest::Method, url: String, body: Option<String>) -> (u16, String) {
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(body) = body {
        request = request.body(body);
    }
    let response = request.send().await.expect("admin request");
    (
        response.status().as_u16(),
        response.text().await.expect("body"),
    )
}

fn admin_url(running: &maestro_support::Running, path: &str) -> String {
    let base = running
        .base
        .as_str()
        .trim_end_matches('/')
        .trim_end_matches(bridge_sandbox::maestro::BASE_PATH);
    format!("{base}/admin{path}")
}

#[tokio::test]
async fn ticking_the_sync_box_makes_a_project_eligible() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let project = maestro_support::plain_project("P-500");
    let mut unticked = project;
    unticked.procore.sync = false;
    let body_unticked = wire::to_document(&unticked, "Project").expect("xml");
    let (status, text) = admin(
        reqwest::Method::POST,
        admin_url(&running, &format!("/companies/{SHOP}/projects")),
        Some(body_unticked),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let eligible =
        |list: Vec<bridge_maestro::Project>| list.iter().any(|p| p.code.as_str() == "P-500");
    assert!(!eligible(
        client
            .projects(&ProjectFilter::eligible(None))
            .await
            .expect("list")
    ));

    let (status, text) = admin(
        reqwest::Method::POST,
        admin_url(
            &running,
            &format!("/companies/{SHOP}/projects/P-500/sync?on=true"),
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    assert!(eligible(
        client
            .projects(&ProjectFilter::eligible(None))
            .await
            .expect("list")
    ));

    let (status, _) = admin(
        reqwest::Method::POST,
        admin_url(
            &running,
            &format!("/companies/{SHOP}/projects/P-500/active?on=false"),
        ),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(!eligible(
        client
            .projects(&ProjectFilter::eligible(None))
            .await
            .expect("list")
    ));
}

#[tokio::test]
async fn transferring_transactions_makes_them_eligible() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let date = NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    let key = running
        .emulator
        .add_transaction(
            SHOP,
            Transaction {
                id: String::new(),
                project: ProjectCode::new("P-100").expect("code"),
                type_code: TypeCode::PROJECT_PURCHASE,
                status: TransactionStatus::NotTransferred,
                approved: true,
                entry_date: date,
                accounting_date: date,
                description: Some("Location grue".to_owned()),
                supplier_code: Some("BETON01".to_owned()),
                employee_number: None,
                invoice_no: Some("F-1".to_owned()),
                order_no: None,
                amount: Amount::from_units(9_900),
                lines: vec![CostLine {
                    line_no: 1,
                    activity: "01-A-001".to_owned(),
                    group: "MAT".to_owned(),
                    description: None,
                    quantity: None,
                    unit: None,
                    unit_price: None,
                    amount: Amount::from_units(9_900),
                }],
            },
        )
        .expect("transaction");
    let project = client
        .project(&ProjectCode::new("P-100").expect("code"))
        .await
        .expect("read")
        .expect("exists");
    let filter = TransactionFilter::eligible_for(&project);
    assert!(client.transactions(&filter).await.expect("list").is_empty());

    let (status, text) = admin(
        reqwest::Method::POST,
        admin_url(
            &running,
            &format!("/companies/{SHOP}/projects/P-100/transfer"),
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let eligible = client.transactions(&filter).await.expect("list");
    assert_eq!(
        eligible.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [key.as_str()]
    );
    assert_eq!(eligible[0].status, TransactionStatus::Transferred);
}

#[tokio::test]
async fn a_budget_edit_and_the_fault_knobs_over_http() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let line = bridge_maestro::BudgetLine {
        project: ProjectCode::new("P-100").expect("code"),
        activity: "01-A-002".to_owned(),
        group: "SST".to_owned(),
        unit: None,
        budget_amount: Amount::from_units(123_456),
        budget_quantity: "1".parse().expect("qty"),
        modification_amount: Amount::ZERO,
        modification_quantity: "0".parse().expect("qty"),
    };
    let body = wire::to_document(&line, "BudgetLine").expect("xml");
    let (status, text) = admin(
        reqwest::Method::PUT,
        admin_url(
            &running,
            &format!("/companies/{SHOP}/projects/P-100/budget-lines"),
        ),
        Some(body),
    )
    .await;
    assert_eq!(status, 200, "{text}");
    let lines = client.budget_lines(&line.project).await.expect("lines");
    assert_eq!(lines, vec![line]);

    let (status, _) = admin(
        reqwest::Method::PUT,
        admin_url(&running, "/faults?error_rate=1"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(client.groups().await.expect_err("failing").is_transient());
    let (status, _) = admin(
        reqwest::Method::PUT,
        admin_url(&running, "/faults?error_rate=0&latency_ms=0"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(client.groups().await.expect("groups").len(), 2);

    let (status, text) = admin(reqwest::Method::GET, admin_url(&running, "/writes"), None).await;
    assert_eq!(
        (status, text.as_str()),
        (200, "[]"),
        "admin actions are not interface writes"
    );
}
