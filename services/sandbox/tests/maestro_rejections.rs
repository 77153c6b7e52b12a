//! What maestro* refuses, refused by the emulator with an error that says what and why, and
//! surfaced by the client as a permanent rejection carrying maestro*'s words.

mod maestro_support;

use bridge_maestro::wire;
use bridge_maestro::{
    Amount, BillingLine, CostLine, KEY_HEADER, MaestroApi, MaestroError, NewBillingContract,
    NewChangeOrder, NewOrder, NewParty, NewProject, OrderKind, ProgressType, ProjectCode,
    ProjectFilter, RejectCode, Rejection,
};
use chrono::NaiveDate;
use maestro_support::{Running, SHOP, start_shop};

fn p100() -> ProjectCode {
    ProjectCode::new("P-100").expect("code")
}

fn order(external_no: &str, supplier: &str, activity: &str) -> NewOrder {
    NewOrder {
        external_no: external_no.to_owned(),
        project: p100(),
        supplier_code: supplier.to_owned(),
        order_date: NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
        delivery_date: None,
        memo: None,
        holdback_percent: None,
        lines: vec![CostLine {
            line_no: 1,
            activity: activity.to_owned(),
            group: "MAT".to_owned(),
            description: None,
            quantity: None,
            unit: None,
            unit_price: None,
            amount: Amount::from_units(100),
        }],
    }
}

fn rejected(error: MaestroError) -> Rejection {
    assert!(!error.is_transient(), "a refusal is permanent: {error}");
    match error {
        MaestroError::Rejected { rejection, .. } => *rejection,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[tokio::test]
async fn fields_longer_than_maestro_accepts_are_refused_by_name() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let mut project = NewProject::new(ProjectCode::new("P-300").expect("code"), "Caserne");
    project.address = Some("x".repeat(41));
    let r = rejected(
        client
            .create_project(&project)
            .await
            .expect_err("address 41"),
    );
    assert_eq!(
        (r.code, r.field.as_deref(), r.limit),
        (RejectCode::FieldTooLong, Some("Address"), Some(40))
    );
    assert!(
        r.message.contains("P-300") && r.message.contains("41"),
        "{}",
        r.message
    );
    project.address = Some("x".repeat(40));
    client
        .create_project(&project)
        .await
        .expect("address of exactly 40 is fine");

    let r = rejected(
        client
            .create_supplier(&NewParty::new("LONG1", "n".repeat(61)))
            .await
            .expect_err("name 61"),
    );
    assert_eq!(
        (r.code, r.field.as_deref(), r.limit),
        (RejectCode::FieldTooLong, Some("Name"), Some(60))
    );
    let r = rejected(
        client
            .create_customer(&NewParty::new("CODE-ELEVEN", "Client"))
            .await
            .expect_err("code 11"),
    );
    assert_eq!(
        (r.code, r.field.as_deref()),
        (RejectCode::FieldTooLong, Some("Code"))
    );

    let r = rejected(
        client
            .create_order(
                OrderKind::Purchase,
                &order(&"9".repeat(41), "BETON01", "01-A-001"),
            )
            .await
            .expect_err("external 41"),
    );
    assert_eq!(
        (r.code, r.field.as_deref(), r.limit),
        (RejectCode::FieldTooLong, Some("ExternalNo"), Some(40))
    );
}

#[tokio::test]
async fn references_to_unknown_records_are_refused() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let r = rejected(
        client
            .create_order(OrderKind::Purchase, &order("PO-1", "NOBODY", "01-A-001"))
            .await
            .expect_err("supplier"),
    );
    assert_eq!(r.code, RejectCode::UnknownSupplier);
    assert!(r.message.contains("NOBODY"), "{}", r.message);

    let r = rejected(
        client
            .create_order(OrderKind::Stock, &order("PO-1", "BETON01", "99-Z"))
            .await
            .expect_err("activity"),
    );
    assert_eq!(r.code, RejectCode::UnknownActivity);
    assert!(
        r.message.contains("99-Z") && r.message.contains("line 1"),
        "{}",
        r.message
    );

    let co = NewChangeOrder {
        contract_no: "000999".to_owned(),
        external_no: "CO-1".to_owned(),
        initiated_date: NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
        supplier_code: None,
        description: None,
        lines: Vec::new(),
    };
    let r = rejected(
        client
            .create_change_order(&co)
            .await
            .expect_err("subcontract"),
    );
    assert_eq!(r.code, RejectCode::UnknownSubcontract);
    assert!(
        running.emulator.orders(SHOP).is_empty() && running.emulator.change_orders(SHOP).is_empty()
    );
}

fn contract(customer: &str) -> NewBillingContract {
    NewBillingContract {
        project: p100(),
        customer_code: customer.to_owned(),
        description: "Contrat".to_owned(),
        external_no: None,
        start_date: None,
        delivery_date: None,
        holdback_percent: None,
        original_amount: Amount::from_units(1_000),
        progress_type: ProgressType::Quantity,
        lines: vec![BillingLine {
            line_no: 1,
            activity: "01-A-001".to_owned(),
            quantity: Some("3".parse().expect("qty")),
            unit: Some("u".to_owned()),
            unit_price: Some(Amount::from_units(300)),
            amount: None,
        }],
    }
}

#[tokio::test]
async fn a_project_has_only_one_billing_contract() {
    let running = start_shop().await;
    let client = running.client(SHOP);
    let r = rejected(
        client
            .create_billing_contract(&contract("NOBODY"))
            .await
            .expect_err("customer"),
    );
    assert_eq!(r.code, RejectCode::UnknownCustomer);
    client
        .create_billing_contract(&contract("CL0001"))
        .await
        .expect("first contract");
    let r = rejected(
        client
            .create_billing_contract(&contract("CL0001"))
            .await
            .expect_err("second contract"),
    );
    assert_eq!((r.code, r.status), (RejectCode::ContractExists, 409));
    assert!(r.message.contains("P-100"), "{}", r.message);
    assert_eq!(running.emulator.billing_contracts(SHOP).len(), 1);
}

#[tokio::test]
async fn without_a_counter_maestro_cannot_number_an_order() {
    let running = start_shop().await;
    running
        .emulator
        .set_numbering(SHOP, false)
        .expect("numbering off");
    let client = running.client(SHOP);
    let r = rejected(
        client
            .create_order(OrderKind::Purchase, &order("PO-1", "BETON01", "01-A-001"))
            .await
            .expect_err("no counter"),
    );
    assert_eq!(r.code, RejectCode::NumberingNotConfigured);
}

/// Posts a raw `<Project>` document, as a client not using the typed `ProjectCode` could.
async fn post_project(running: &Running, code: &str) -> (u16, wire::Response) {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Project><Code>{code}</Code><Description>Test</Description></Project>"
    );
    let response = reqwest::Client::new()
        .post(running.url(&format!("/companies/{SHOP}/projects")))
        .header(KEY_HEADER, running.emulator.config().api_key.clone())
        .body(body)
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("body");
    (status, wire::parse_response(&bytes).expect("an XML answer"))
}

#[tokio::test]
async fn project_numbers_maestro_refuses() {
    let running = start_shop().await;
    for (code, why) in [
        ("P123456789X", "at most 10"),
        ("P*1", "`*`"),
        ("P,1", "`,`"),
        ("P#1", "`#`"),
        ("P:1", "`:`"),
        ("ÉCOLE", "accented"),
    ] {
        let (status, response) = post_project(&running, code).await;
        let error = response.error.expect("an <Error>");
        assert_eq!(
            (status, error.code.as_str()),
            (422, "INVALID_CODE"),
            "{code}: {}",
            error.message
        );
        assert!(error.message.contains(why), "{code}: {}", error.message);
        assert_eq!(error.field.as_deref(), Some("Code"));
    }
    let (status, response) = post_project(&running, "P-0010").await;
    assert_eq!(status, 200, "{:?}", response.error);
    // The typed client cannot even build such a number.
    assert!(ProjectCode::new("P#1").is_err());
}

#[tokio::test]
async fn malformed_documents_and_parameters_are_bad_requests() {
    let running = start_shop().await;
    let http = reqwest::Client::new();
    let key = running.emulator.config().api_key.clone();
    let response = http
        .post(running.url(&format!("/companies/{SHOP}/suppliers")))
        .header(KEY_HEADER, &key)
        .body("<Supplier><Code>X1</Code><Name>X</Name><Colour>red</Colour></Supplier>")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 400);
    let error = wire::parse_response(&response.bytes().await.expect("body"))
        .expect("xml")
        .error
        .expect("error");
    assert!(error.message.contains("Colour"), "{}", error.message);

    let response = http
        .get(running.url(&format!("/companies/{SHOP}/projects?activ=true")))
        .header(KEY_HEADER, &key)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status().as_u16(), 400);
    let error = wire::parse_response(&response.bytes().await.expect("body"))
        .expect("xml")
        .error
        .expect("error");
    assert!(error.message.contains("activ"), "{}", error.message);
}

#[tokio::test]
async fn a_wrong_key_or_company_is_refused() {
    let running = start_shop().await;
    let wrong_key = running.client_with(SHOP, |c| c.api_key = "guess".to_owned());
    let r = rejected(
        wrong_key
            .projects(&ProjectFilter::default())
            .await
            .expect_err("key"),
    );
    assert_eq!((r.code, r.status), (RejectCode::Unauthorized, 401));
    let wrong_company = running.client("NOPE");
    let r = rejected(
        wrong_company
            .projects(&ProjectFilter::default())
            .await
            .expect_err("company"),
    );
    assert_eq!(r.code, RejectCode::UnknownCompany);
    assert!(r.message.contains("NOPE"));
}
