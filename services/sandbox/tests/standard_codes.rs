//! A project created in Procore starts with its company's standard cost codes, so what the
//! bridge sends to a project it created (budgets, costs) finds its codes there.

use bridge_procore::writes::NewProject;
use bridge_procore::{Client, ClientConfig, Credentials};
use bridge_sandbox::procore::{self, Config, Emulator, Kind, LoadOptions, serve};
use bridge_sandbox::seed::{SeedConfig, generate};
use tokio_util::sync::CancellationToken;
use url::Url;

#[tokio::test]
async fn a_project_created_through_the_api_gets_the_standard_cost_codes() {
    let company = generate(&SeedConfig::for_projects(2));
    let (emu, company_id, _) = Emulator::seeded(
        Config::fast(),
        &company,
        "bridge",
        "s3cret",
        &LoadOptions::default(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let stop = CancellationToken::new();
    tokio::spawn(serve(listener, emu.clone(), stop.clone()));
    let credentials = Credentials::ClientCredentials {
        client_id: "bridge".into(),
        client_secret: "s3cret".into(),
    };
    let client = Client::new(ClientConfig::new(
        base.clone(),
        base,
        company_id,
        credentials,
    ))
    .unwrap();

    let created = client
        .create_project(&NewProject {
            name: Some("Garage municipal".into()),
            project_number: Some("26-0100".into()),
            start_date: Some("2026-01-05".into()),
            completion_date: Some("2026-12-18".into()),
            ..NewProject::default()
        })
        .await
        .unwrap();
    let codes = client.cost_codes(created.id.0).await.unwrap();
    assert_eq!(codes.len(), company.cost_codes.len());
    // The tree is kept: every code but a division hangs under a code of the same project.
    let ids: Vec<i64> = codes.iter().map(|c| c.id.0).collect();
    let children = codes.iter().filter(|c| c.parent.is_some()).count();
    let divisions = company
        .cost_codes
        .iter()
        .filter(|c| c.parent.is_none())
        .count();
    assert_eq!(children, codes.len() - divisions);
    assert!(
        codes
            .iter()
            .filter_map(|c| c.parent.as_ref())
            .all(|p| ids.contains(&p.id.0))
    );

    // A project a user creates in Procore gets them too.
    let by_hand = emu.create_project(
        company_id,
        &procore::NewProject {
            number: "26-0101".into(),
            name: "Caserne".into(),
            address: "1 rue Principale".into(),
            city: "Laval".into(),
            start_date: chrono::NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
            completion_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        },
    );
    let codes = emu.list_ids(Kind::CostCode, by_hand).len();
    assert_eq!(codes, company.cost_codes.len());
    stop.cancel();
}
