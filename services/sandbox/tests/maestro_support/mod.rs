//! Runs the maestro* emulator on 127.0.0.1:0 and builds clients for it.

#![allow(dead_code)]

use bridge_maestro::{ClientConfig, CompanyClass, HttpMaestro};
use bridge_sandbox::maestro::{self, Config, Emulator};
use bridge_sandbox::seed;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The code of the small hand-built company used by write tests.
pub const SHOP: &str = "SHOP";

pub struct Running {
    pub emulator: Emulator,
    pub base: Url,
    shutdown: CancellationToken,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl Running {
    pub fn client(&self, company: &str) -> HttpMaestro {
        self.client_with(company, |_| {})
    }

    pub fn client_with(&self, company: &str, tune: impl FnOnce(&mut ClientConfig)) -> HttpMaestro {
        let mut config = ClientConfig::new(
            self.base.clone(),
            self.emulator.config().api_key.clone(),
            company,
        );
        config.timeout = Duration::from_secs(10);
        tune(&mut config);
        HttpMaestro::new(config).expect("client builds")
    }

    /// `base` + `path` for raw requests.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base.as_str().trim_end_matches('/'), path)
    }
}

/// Starts `emulator` on an ephemeral port.
pub async fn start(emulator: Emulator) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("local address");
    let shutdown = CancellationToken::new();
    tokio::spawn(maestro::serve(listener, emulator.clone(), shutdown.clone()));
    let base = Url::parse(&format!("http://{address}{}", maestro::BASE_PATH)).expect("url");
    Running {
        emulator,
        base,
        shutdown,
    }
}

/// The shared seed company at a small scale.
pub fn seed_company() -> seed::Company {
    seed::generate(&seed::SeedConfig::for_projects(6))
}

/// An emulator with the seed company loaded.
pub async fn start_seeded() -> (Running, seed::Company) {
    let company = seed_company();
    let emulator = Emulator::new(Config::default());
    emulator.load_seed(&company).expect("seed loads");
    (start(emulator).await, company)
}

/// An active project ticked for Procore, with only a description and an address.
pub fn plain_project(code: &str) -> bridge_maestro::Project {
    use bridge_maestro as mx;
    mx::Project {
        code: mx::ProjectCode::new(code).expect("code"),
        description: "Garage municipal".to_owned(),
        detailed_description: None,
        address: Some("12 rue Principale".to_owned()),
        city: Some("Laval".to_owned()),
        province: None,
        country: None,
        postal_code: None,
        phone: None,
        start_date: None,
        closing_date: None,
        active: true,
        prefix: None,
        master_project: None,
        customer_code: None,
        procore: mx::ProcoreTab {
            sync: true,
            ..mx::ProcoreTab::default()
        },
    }
}

/// An emulator with one small company: one project `P-100` with activities `01-A-001` and
/// `01-A-002`, groups `MAT` and `SST`, supplier `BETON01`, customer `CL0001`.
pub async fn start_shop() -> Running {
    use bridge_maestro as mx;
    let emulator = Emulator::new(Config::default());
    emulator.add_company(SHOP, "Atelier test", CompanyClass::Test, false);
    emulator
        .add_project(SHOP, plain_project("P-100"))
        .expect("project");
    for activity in ["01-A-001", "01-A-002"] {
        emulator
            .add_activity(SHOP, "P-100", activity, "Travaux")
            .expect("activity");
    }
    for (code, kind) in [
        ("MAT", mx::GroupType::Material),
        ("SST", mx::GroupType::Subcontractor),
    ] {
        emulator
            .add_group(
                SHOP,
                mx::Group {
                    code: code.to_owned(),
                    description: code.to_owned(),
                    group_type: kind,
                },
            )
            .expect("group");
    }
    emulator
        .add_supplier(
            SHOP,
            mx::Supplier {
                code: "BETON01".to_owned(),
                name: "Béton Laval".to_owned(),
                address: None,
                city: None,
                province: None,
                postal_code: None,
                country: None,
                phone: None,
                fax: None,
                email: None,
                rbq_number: None,
                active: true,
                sync: true,
            },
        )
        .expect("supplier");
    emulator
        .add_customer(
            SHOP,
            mx::Customer {
                code: "CL0001".to_owned(),
                name: "Ville de Laval".to_owned(),
                address: None,
                city: None,
                province: None,
                postal_code: None,
                country: None,
                phone: None,
                fax: None,
                email: None,
                rbq_number: None,
                status: mx::CustomerStatus::Active,
                sync: true,
            },
        )
        .expect("customer");
    start(emulator).await
}
