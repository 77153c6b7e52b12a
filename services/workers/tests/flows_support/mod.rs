//! The flows on the real broker and Postgres against both emulators: a Procore company and a
//! maestro* company `DEMO`, one connection pairing them, the engine running the flows with
//! clients built from the connection row, and helpers to act as a user on either side.

#![allow(dead_code)]

use bridge_domain::{Action, Direction, EntityKind, Source};
use bridge_maestro::{self as mx, CompanyClass};
use bridge_platform::Secret;
use bridge_platform::amqp::Publisher;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::inbox::{self, NewEvent};
use bridge_platform::relay::{self, RelayConfig};
use bridge_platform::testing::{TestBroker, TestDb, eventually};
use bridge_procore::writes::{NewProject, NewVendor};
use bridge_procore::{Client, ClientConfig, Credentials};
use bridge_sandbox::{maestro, procore};
use bridge_workers::EngineConfig;
use bridge_workers::flows::{self, ClientSecrets, PgClients};
use chrono::{NaiveDate, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The maestro* company of the connection (`NewConnection::sandbox` names it).
pub const COMPANY: &str = "DEMO";
const CONNECTION: &str = "acme";
const PROCORE_SECRET: &str = "procore-app-secret";

pub struct Stack {
    pub db: TestDb,
    pub broker: TestBroker,
    pub procore: procore::Emulator,
    pub procore_company: i64,
    pub procore_base: Url,
    pub maestro: maestro::Emulator,
    pub maestro_base: Url,
    pub connection_id: i64,
    stop: CancellationToken,
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// A quick retry ladder for tests that go through the tiers.
pub const QUICK: [u64; 5] = [1, 1, 2, 2, 3];

impl Stack {
    pub async fn start() -> Stack {
        Stack::with(QUICK, 12).await
    }

    /// Retry tiers of `delays` seconds, dead-lettered after `max_attempts`.
    pub async fn with(delays: [u64; 5], max_attempts: u32) -> Stack {
        let stop = CancellationToken::new();
        let db = TestDb::new().await;
        let broker = TestBroker::with_delays(delays.map(Duration::from_secs)).await;

        let procore = procore::Emulator::new(procore::Config::fast());
        let procore_company = procore.add_company("Constructions Boréal inc.");
        procore.register_client(
            &format!("{CONNECTION}-client"),
            PROCORE_SECRET,
            &[procore_company],
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let procore_base =
            Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
        tokio::spawn(procore::serve(listener, procore.clone(), stop.clone()));

        let maestro = maestro::Emulator::new(maestro::Config::default());
        maestro.add_company(COMPANY, "Constructions Boréal", CompanyClass::Test, false);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let maestro_base = Url::parse(&format!(
            "http://{}{}",
            listener.local_addr().unwrap(),
            maestro::BASE_PATH
        ))
        .unwrap();
        tokio::spawn(maestro::serve(listener, maestro.clone(), stop.clone()));

        let connection_id = connections::create(
            &db.pool,
            &NewConnection::sandbox(
                CONNECTION,
                procore_base.as_str(),
                maestro_base.as_str(),
                procore_company,
            ),
        )
        .await
        .unwrap();
        let clients = Arc::new(PgClients::new(
            db.pool.clone(),
            ClientSecrets {
                maestro_key: Some(Secret::new(maestro.config().api_key.clone())),
                procore_client_secret: Some(Secret::new(PROCORE_SECRET.to_owned())),
            },
        ));
        let config = EngineConfig {
            max_attempts,
            ..EngineConfig::default()
        };
        tokio::spawn(bridge_workers::run(
            db.pool.clone(),
            broker.broker.clone(),
            flows::handlers(clients),
            config,
            stop.clone(),
        ));
        tokio::spawn(bridge_workers::run_archiver(
            db.pool.clone(),
            broker.broker.clone(),
            stop.clone(),
        ));
        tokio::spawn(relay::run(
            db.pool.clone(),
            Publisher::new(broker.broker.clone()),
            RelayConfig {
                idle_poll: Duration::from_millis(50),
                ..RelayConfig::default()
            },
            stop.clone(),
        ));
        Stack {
            db,
            broker,
            procore,
            procore_company,
            procore_base,
            maestro,
            maestro_base,
            connection_id,
            stop,
        }
    }

    /// Sets one key of the connection's settings.
    pub async fn set_setting(&self, key: &str, value: Value) {
        sqlx::query(
            "UPDATE connections SET settings = settings || $2, updated_at = now() WHERE id = $1",
        )
        .bind(self.connection_id)
        .bind(json!({ key: value }))
        .execute(&self.db.pool)
        .await
        .unwrap();
    }

    /// A change event for the workers, as a poller or webhook would leave it in the inbox.
    pub async fn emit(
        &self,
        kind: EntityKind,
        direction: Direction,
        action: Action,
        record: &str,
        project: Option<&str>,
    ) {
        inbox::insert_now(
            &self.db.pool,
            &[NewEvent {
                connection_id: self.connection_id,
                source: Source::Manual,
                dedup_key: format!("test:{}", uuid::Uuid::new_v4()),
                route: Some((kind, direction)),
                ignored_reason: None,
                record: record.to_owned(),
                project: project.map(str::to_owned),
                action,
                occurred_at: Utc::now(),
                payload: "{}".into(),
            }],
        )
        .await
        .unwrap();
    }

    pub async fn item(&self, kind: EntityKind, direction: Direction, record: &str) -> Option<Item> {
        sqlx::query_as(
            "SELECT status, waiting_on, messages, description, attempts FROM sync_items
             WHERE kind = $1 AND direction = $2 AND record_key = $3",
        )
        .bind(kind.as_str())
        .bind(direction.as_str())
        .bind(record)
        .fetch_optional(&self.db.pool)
        .await
        .unwrap()
    }

    /// Waits until the item has `status` and returns it.
    pub async fn wait_for(
        &self,
        kind: EntityKind,
        direction: Direction,
        record: &str,
        status: &str,
    ) -> Item {
        self.wait_for_within(kind, direction, record, status, Duration::from_secs(20))
            .await
    }

    pub async fn wait_for_within(
        &self,
        kind: EntityKind,
        direction: Direction,
        record: &str,
        status: &str,
        within: Duration,
    ) -> Item {
        eventually(
            within,
            &format!("{kind} {record} to be {status}"),
            || async {
                self.item(kind, direction, record)
                    .await
                    .filter(|i| i.status == status)
            },
        )
        .await
    }

    /// The link of a maestro* key: `(procore_id, origin)`.
    pub async fn link(&self, kind: EntityKind, maestro_key: &str) -> Option<(i64, String)> {
        sqlx::query_as(
            "SELECT procore_id, origin FROM links
             WHERE connection_id = $1 AND kind = $2 AND maestro_key = $3",
        )
        .bind(self.connection_id)
        .bind(kind.as_str())
        .bind(maestro_key)
        .fetch_optional(&self.db.pool)
        .await
        .unwrap()
    }

    /// A Procore client acting as a user of the company (to set up what exists in Procore).
    pub fn procore_user(&self) -> Client {
        let config = ClientConfig::new(
            self.procore_base.clone(),
            self.procore_base.clone(),
            self.procore_company,
            Credentials::ClientCredentials {
                client_id: format!("{CONNECTION}-client"),
                client_secret: PROCORE_SECRET.to_owned(),
            },
        );
        Client::new(config).unwrap()
    }

    /// Creates a company in the Procore directory; returns its id. `fields` are those of
    /// [`NewVendor`].
    pub async fn procore_vendor(&self, fields: Value) -> i64 {
        let vendor: NewVendor = serde_json::from_value(fields).unwrap();
        self.procore_user()
            .create_vendor(&vendor)
            .await
            .unwrap()
            .id
            .0
    }

    /// Changes fields of a Procore company.
    pub async fn update_procore_vendor(&self, id: i64, fields: Value) {
        let vendor: NewVendor = serde_json::from_value(fields).unwrap();
        self.procore_user()
            .update_vendor(id, &vendor)
            .await
            .unwrap();
    }

    /// Creates a Procore project; returns its id. `fields` are those of [`NewProject`].
    pub async fn procore_project(&self, fields: Value) -> i64 {
        let project: NewProject = serde_json::from_value(fields).unwrap();
        self.procore_user()
            .create_project(&project)
            .await
            .unwrap()
            .id
            .0
    }

    /// Every Procore company in the directory (active or not) as JSON.
    pub fn procore_vendors(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for id in self.procore_ids(procore::Kind::Vendor) {
            out.extend(self.procore.get_json(procore::Kind::Vendor, id));
        }
        out
    }

    fn procore_ids(&self, kind: procore::Kind) -> Vec<i64> {
        // The emulator lists rows by project; company rows are found through their origin or
        // by scanning ids from the first one handed out.
        let count = self.procore.count(kind, self.procore_company);
        let first = procore::Config::fast().first_id;
        (first..first + 10_000)
            .filter(|id| self.procore.get_json(kind, *id).is_some())
            .take(count)
            .collect()
    }

    pub fn procore_projects(&self) -> Vec<Value> {
        self.procore_ids(procore::Kind::Project)
            .into_iter()
            .filter_map(|id| self.procore.get_json(procore::Kind::Project, id))
            .collect()
    }

    pub fn supplier(&self, code: &str) -> Option<mx::Supplier> {
        self.maestro
            .suppliers(COMPANY)
            .into_iter()
            .find(|s| s.code == code)
    }

    pub fn add_supplier(&self, code: &str, name: &str) -> mx::Supplier {
        let supplier = mx::Supplier {
            code: code.to_owned(),
            name: name.to_owned(),
            address: Some("1200 boul. Industriel".to_owned()),
            city: Some("Laval".to_owned()),
            province: Some("QC".to_owned()),
            postal_code: Some("H7L 4S3".to_owned()),
            country: Some("CA".to_owned()),
            phone: Some("450-555-0101".to_owned()),
            fax: None,
            email: Some("compta@beton.example".to_owned()),
            rbq_number: Some("5678-1234".to_owned()),
            active: true,
            sync: true,
        };
        self.maestro
            .add_supplier(COMPANY, supplier.clone())
            .unwrap();
        supplier
    }

    /// An active project ticked for Procore, with its dates, activities `01-A-001` and
    /// `01-A-002`, and the groups `MAT` and `SST`.
    pub fn add_project(&self, code: &str, description: &str) -> mx::Project {
        let project = mx::Project {
            code: mx::ProjectCode::new(code).unwrap(),
            description: description.to_owned(),
            detailed_description: Some("Agrandissement, phase 2".to_owned()),
            address: Some("12 rue Principale".to_owned()),
            city: Some("Laval".to_owned()),
            province: Some("QC".to_owned()),
            country: Some("CA".to_owned()),
            postal_code: Some("H7N 1A1".to_owned()),
            phone: None,
            start_date: NaiveDate::from_ymd_opt(2026, 4, 1),
            closing_date: NaiveDate::from_ymd_opt(2026, 11, 30),
            active: true,
            prefix: None,
            master_project: None,
            customer_code: None,
            procore: mx::ProcoreTab {
                sync: true,
                ..mx::ProcoreTab::default()
            },
        };
        self.maestro.add_project(COMPANY, project.clone()).unwrap();
        for activity in ["01-A-001", "01-A-002"] {
            self.maestro
                .add_activity(COMPANY, code, activity, "Travaux")
                .unwrap();
        }
        for (group, kind) in [
            ("MAT", mx::GroupType::Material),
            ("SST", mx::GroupType::Subcontractor),
        ] {
            self.maestro
                .add_group(
                    COMPANY,
                    mx::Group {
                        code: group.to_owned(),
                        description: group.to_owned(),
                        group_type: kind,
                    },
                )
                .unwrap();
        }
        project
    }
}

/// A sync item as the synchronization manager shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Item {
    pub status: String,
    pub waiting_on: Option<String>,
    pub messages: Value,
    pub description: Option<String>,
    pub attempts: i32,
}

impl Item {
    /// The texts of the messages of `level` (`info`, `warning`, `error`).
    pub fn texts(&self, level: &str) -> Vec<String> {
        self.messages
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["level"] == level)
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect()
    }

    /// Whether some message of `level` contains `needle`.
    pub fn says(&self, level: &str, needle: &str) -> bool {
        self.texts(level).iter().any(|t| t.contains(needle))
    }
}
