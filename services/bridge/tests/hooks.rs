//! Installing, checking and removing a connection's webhook hook on the Procore emulator, with
//! the real ingress and Postgres: idempotent install, deliveries accepted with the generated
//! secret, discarded deliveries reported, uninstall, and several connections on one company.

use bridge_domain::resources::SUBSCRIBED;
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress};
use bridge_platform::connections::{self, NewConnection, WebhookSecrets, authorization_hash};
use bridge_platform::testing::{TestDb, eventually};
use bridge_procore::install::{
    self, AcceptedSecrets, InstallSpec, Installed, SecretChange, StoreError,
};
use bridge_procore::install_plan::TriggerSpec;
use bridge_procore::writes::NewVendor;
use bridge_procore::{Client, ClientConfig, Credentials, HookEntry, HookScope};
use bridge_sandbox::procore::{Config, Emulator, serve};
use futures::future::BoxFuture;
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

const CONNECTION: &str = "boreal";
const NAMESPACE: &str = "maestro-erp-sync";

/// The connection's digests as the install keeps them (the bridge binary has the same glue).
struct Accepted(WebhookSecrets);

impl AcceptedSecrets for Accepted {
    fn accepts(&self, value: &str) -> bool {
        self.0.accepts(value)
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn accept<'a>(&'a mut self, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.0.accept(value).await.map_err(StoreError::from) })
    }
}

struct Setup {
    db: TestDb,
    emu: Emulator,
    base: Url,
    company: i64,
    bridge: Client,
    editor: Client,
    shutdown: CancellationToken,
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

fn client(base: &Url, company: i64, id: &str, secret: &str) -> Client {
    let credentials = Credentials::ClientCredentials {
        client_id: id.into(),
        client_secret: secret.into(),
    };
    Client::new(ClientConfig::new(
        base.clone(),
        base.clone(),
        company,
        credentials,
    ))
    .expect("client")
}

async fn setup(config: Config) -> Setup {
    let emu = Emulator::new(config);
    let company = emu.add_company("Constructions Boreal inc.");
    emu.register_client("bridge", "s3cret", &[company]);
    emu.register_client("editor", "e-secret", &[company]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base =
        Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).expect("url");
    let shutdown = CancellationToken::new();
    tokio::spawn(serve(listener, emu.clone(), shutdown.clone()));
    let s = Setup {
        bridge: client(&base, company, "bridge", "s3cret"),
        editor: client(&base, company, "editor", "e-secret"),
        db: TestDb::new().await,
        emu,
        base,
        company,
        shutdown,
    };
    s.connect(CONNECTION).await;
    s
}

impl Setup {
    /// Another connection on the same Procore company (rules §6: one per prefix).
    async fn connect(&self, name: &str) {
        let mut new = NewConnection::sandbox(
            name,
            self.base.as_str(),
            "http://127.0.0.1:9/",
            self.company,
        );
        new.oauth_client_id = Some("bridge".into());
        connections::create(&self.db.pool, &new)
            .await
            .expect("connection");
    }

    async fn install_as(&self, connection: &str, spec: &InstallSpec) -> Installed {
        let secrets = WebhookSecrets::load(&self.db.pool, connection)
            .await
            .expect("settings")
            .expect("connection");
        install::install(&self.bridge, spec, SUBSCRIBED, &mut Accepted(secrets))
            .await
            .expect("install")
    }

    async fn install(&self, spec: &InstallSpec) -> Installed {
        self.install_as(CONNECTION, spec).await
    }

    /// The hooks of our namespace as Procore lists them.
    async fn listed_hooks(&self) -> Vec<HookEntry> {
        self.bridge
            .hook_entries(HookScope::Company(self.company), NAMESPACE)
            .await
            .expect("hooks")
    }

    async fn listed_triggers(&self, hook_id: i64) -> BTreeSet<TriggerSpec> {
        let all = self
            .bridge
            .triggers(hook_id, HookScope::Company(self.company))
            .await
            .expect("triggers");
        all.iter()
            .map(|t| {
                TriggerSpec::new(
                    t.resource_name.as_deref().unwrap_or_default(),
                    t.event_type.as_deref().unwrap_or_default(),
                )
            })
            .collect()
    }

    /// A company added by a Procore user; its id.
    async fn add_vendor(&self, name: &str) -> String {
        let vendor = NewVendor {
            name: Some(name.into()),
            ..NewVendor::default()
        };
        let created = self.editor.create_vendor(&vendor).await.expect("a vendor");
        created.id.0.to_string()
    }

    /// Starts the real ingress; its address.
    async fn ingress(&self) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("addr");
        let pool = self.db.pool.clone();
        let ingress = Ingress::new(
            pool.clone(),
            GroupCommit::start(pool, GroupCommitConfig::default()),
        );
        tokio::spawn(bridge_ingress::run(
            listener,
            ingress,
            self.shutdown.clone(),
        ));
        address
    }
}

fn spec(destination: &str) -> InstallSpec {
    InstallSpec {
        namespace: NAMESPACE.into(),
        destination_url: destination.into(),
        payload_version: "v2".into(),
        rotate_secret: false,
    }
}

async fn accepted(pool: &PgPool, connection: &str) -> Vec<Vec<u8>> {
    connections::webhook_settings(pool, connection)
        .await
        .expect("settings")
        .expect("connection")
        .webhook_auth_sha256
}

/// The digest of the `Authorization` value the emulator holds for the hook.
fn hook_secret_digest(hook: &HookEntry) -> Vec<u8> {
    authorization_hash(
        hook.authorization()
            .expect("the hook has an Authorization value"),
    )
}

/// How many routed webhook rows the connection's ingress path received for `record`.
async fn routed(pool: &PgPool, connection: &str, record: &str) -> Option<i64> {
    sqlx::query_scalar(
        "SELECT count(*) FROM inbox i JOIN connections c ON c.id = i.connection_id
         WHERE c.name = $1 AND i.record = $2 AND i.source = 'procore_webhook'
           AND i.status = 'routed'",
    )
    .bind(connection)
    .bind(record)
    .fetch_one(pool)
    .await
    .ok()
}

#[path = "hooks/cases.rs"]
mod cases;
