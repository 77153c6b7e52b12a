//! Installing, checking and removing the bridge's webhook hook on the Procore emulator, with the
//! real ingress and Postgres: idempotent install, deliveries accepted with the generated secret,
//! discarded deliveries reported, uninstall.

use bridge_domain::resources::SUBSCRIBED;
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::testing::{TestDb, eventually};
use bridge_poller::hooks::{self, HookSpec, SecretChange, TriggerSpec};
use bridge_procore::{Client, ClientConfig, Credentials, query};
use bridge_sandbox::procore::{Config, Emulator, serve};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

const CONNECTION: &str = "boreal";
const NAMESPACE: &str = "maestro-erp-sync";

struct Setup {
    db: TestDb,
    emu: Emulator,
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
    let db = TestDb::new().await;
    let mut new = NewConnection::sandbox(CONNECTION, base.as_str(), "http://127.0.0.1:9/", company);
    new.oauth_client_id = Some("bridge".into());
    connections::create(&db.pool, &new)
        .await
        .expect("connection");
    Setup {
        bridge: client(&base, company, "bridge", "s3cret"),
        editor: client(&base, company, "editor", "e-secret"),
        db,
        emu,
        company,
        shutdown,
    }
}

fn spec(destination: &str) -> HookSpec {
    HookSpec {
        namespace: NAMESPACE.into(),
        destination_url: destination.into(),
        payload_version: "v2".into(),
        rotate_secret: false,
    }
}

async fn accepted(s: &Setup) -> Vec<Vec<u8>> {
    connections::webhook_settings(&s.db.pool, CONNECTION)
        .await
        .expect("settings")
        .expect("connection")
        .webhook_auth_sha256
}

/// The hooks of our namespace as Procore lists them.
async fn listed_hooks(s: &Setup) -> Vec<Value> {
    s.bridge
        .get(
            "rest/v1.0/webhooks/hooks",
            &query([
                ("company_id", s.company.to_string()),
                ("namespace", NAMESPACE.into()),
            ]),
        )
        .await
        .expect("hooks")
}

async fn listed_triggers(s: &Setup, hook_id: i64) -> BTreeSet<TriggerSpec> {
    let all: Vec<Value> = s
        .bridge
        .get(
            &format!("rest/v1.0/webhooks/hooks/{hook_id}/triggers"),
            &query([("company_id", s.company)]),
        )
        .await
        .expect("triggers");
    all.iter()
        .map(|t| TriggerSpec {
            resource: t["resource_name"].as_str().unwrap_or_default().into(),
            event_type: t["event_type"]
                .as_str()
                .unwrap_or_default()
                .to_ascii_lowercase(),
        })
        .collect()
}

/// The digest of the `Authorization` value the emulator holds for the hook.
fn hook_secret_digest(hook: &Value) -> Vec<u8> {
    authorization_hash(
        hook["destination_headers"]["Authorization"]
            .as_str()
            .expect("the hook has an Authorization value"),
    )
}

#[tokio::test]
async fn install_registers_the_triggers_and_a_second_install_adds_nothing() {
    let s = setup(Config::fast()).await;
    let destination = format!("https://bridge.example/webhooks/procore/{CONNECTION}");

    let first = hooks::install(&s.bridge, &s.db.pool, CONNECTION, &spec(&destination))
        .await
        .expect("install");
    assert!(first.created);
    assert_eq!(first.secret, SecretChange::Generated);
    assert!(first.present.is_empty());
    // Every subscribed resource × create/update/delete is either added or refused with a reason.
    let tried: BTreeSet<TriggerSpec> = first
        .added
        .iter()
        .cloned()
        .chain(first.rejected.iter().map(|(t, _)| t.clone()))
        .chain(first.not_subscribable.iter().cloned())
        .collect();
    assert_eq!(tried.len(), SUBSCRIBED.len() * 3);
    assert!(
        first
            .added
            .iter()
            .any(|t| t.resource == "Work Order Contracts" && t.event_type == "update")
    );
    // The emulator knows no "Budget Changes" resource and says so.
    assert!(
        first
            .rejected
            .iter()
            .all(|(t, why)| t.resource == "Budget Changes" && !why.is_empty()),
        "{:?}",
        first.rejected
    );
    let registered = listed_triggers(&s, first.hook_id).await;
    assert_eq!(registered, first.added.iter().cloned().collect());

    // Only the digest is stored, and it is the digest of what Procore holds.
    let listed = listed_hooks(&s).await;
    assert_eq!(listed.len(), 1);
    let digest = hook_secret_digest(&listed[0]);
    assert_eq!(accepted(&s).await, vec![digest.clone()]);

    // Again: same hook, same secret, no new trigger.
    let second = hooks::install(&s.bridge, &s.db.pool, CONNECTION, &spec(&destination))
        .await
        .expect("second install");
    assert_eq!(second.hook_id, first.hook_id);
    assert!(!second.created && !second.updated);
    assert_eq!(second.secret, SecretChange::Kept);
    assert!(second.added.is_empty(), "{:?}", second.added);
    assert_eq!(
        second.present.iter().cloned().collect::<BTreeSet<_>>(),
        registered
    );
    assert_eq!(listed_triggers(&s, first.hook_id).await, registered);
    assert_eq!(listed_hooks(&s).await.len(), 1);
    assert_eq!(accepted(&s).await, vec![digest.clone()]);

    // A rotation: a new value on the hook, the old digest still accepted meanwhile.
    let mut rotate = spec(&destination);
    rotate.rotate_secret = true;
    let rotated = hooks::install(&s.bridge, &s.db.pool, CONNECTION, &rotate)
        .await
        .expect("rotation");
    assert_eq!(rotated.secret, SecretChange::Generated);
    let new_digest = hook_secret_digest(&listed_hooks(&s).await[0]);
    assert_ne!(new_digest, digest);
    assert_eq!(accepted(&s).await, vec![new_digest, digest]);

    // A moved ingress: the same hook is pointed at it.
    let moved = hooks::install(
        &s.bridge,
        &s.db.pool,
        CONNECTION,
        &spec("https://elsewhere.example/webhooks/procore/boreal"),
    )
    .await
    .expect("move");
    assert_eq!(moved.hook_id, first.hook_id);
    assert!(moved.updated && moved.added.is_empty());
    assert_eq!(
        listed_hooks(&s).await[0]["destination_url"],
        "https://elsewhere.example/webhooks/procore/boreal"
    );
}

#[tokio::test]
async fn the_ingress_accepts_deliveries_signed_with_the_generated_secret() {
    let s = setup(Config::fast()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    let ingress = Ingress::new(
        s.db.pool.clone(),
        GroupCommit::start(s.db.pool.clone(), GroupCommitConfig::default()),
    );
    tokio::spawn(bridge_ingress::run(listener, ingress, s.shutdown.clone()));
    let destination = format!("http://{address}/webhooks/procore/{CONNECTION}");
    hooks::install(&s.bridge, &s.db.pool, CONNECTION, &spec(&destination))
        .await
        .expect("install");

    let vendor: Value = s
        .editor
        .post(
            "rest/v1.0/vendors",
            &query([("company_id", s.company)]),
            &json!({ "company_id": s.company, "vendor": { "name": "Béton Nord" } }),
        )
        .await
        .expect("a vendor");
    let id = vendor["id"].to_string();
    let pool = s.db.pool.clone();
    eventually(Duration::from_secs(20), "the vendor's webhook rows", || {
        let (pool, id) = (pool.clone(), id.clone());
        async move {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM inbox WHERE record = $1 AND source = 'procore_webhook'
                 AND status = 'routed'",
            )
            .bind(&id)
            .fetch_one(&pool)
            .await
            .ok()?;
            (n == 2).then_some(())
        }
    })
    .await;
    let refused = s
        .emu
        .deliveries()
        .iter()
        .filter(|d| d.response_status == Some(401))
        .count();
    assert_eq!(refused, 0);
}

#[tokio::test]
async fn status_shows_failing_then_discarded_deliveries() {
    let mut config = Config::fast();
    config.webhooks.discard_after = Duration::from_secs(2);
    let s = setup(config).await;
    // An ingress that is down: nothing listens there.
    let down = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port");
    let destination = format!("http://{down}/webhooks/procore/{CONNECTION}");
    hooks::install(&s.bridge, &s.db.pool, CONNECTION, &spec(&destination))
        .await
        .expect("install");
    assert!(
        hooks::status(&s.bridge, NAMESPACE, 100)
            .await
            .expect("status")
            .is_some_and(|h| h.failing.is_empty() && h.discarded.is_empty() && h.triggers > 0)
    );

    let vendor: Value = s
        .editor
        .post(
            "rest/v1.0/vendors",
            &query([("company_id", s.company)]),
            &json!({ "company_id": s.company, "vendor": { "name": "Acier Sud" } }),
        )
        .await
        .expect("a vendor");
    let id = vendor["id"].to_string();

    let client = s.bridge.clone();
    let failing = eventually(Duration::from_secs(20), "a failing delivery", || {
        let client = client.clone();
        async move {
            let h = hooks::status(&client, NAMESPACE, 100).await.ok()??;
            (!h.failing.is_empty()).then_some(h.failing)
        }
    })
    .await;
    assert_eq!(failing[0].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(failing[0].outcome, "retried");

    let discarded = eventually(Duration::from_secs(30), "the discarded event", || {
        let client = client.clone();
        async move {
            let h = hooks::status(&client, NAMESPACE, 100).await.ok()??;
            (!h.discarded.is_empty()).then_some(h.discarded)
        }
    })
    .await;
    assert_eq!(discarded.len(), 1, "{discarded:?}");
    assert_eq!(discarded[0].outcome, "discarded");
    assert_eq!(
        discarded[0].resource_name.as_deref(),
        Some("Company Vendors")
    );
    assert_eq!(discarded[0].resource_id.as_deref(), Some(id.as_str()));
    assert_eq!(discarded[0].event_type.as_deref(), Some("create"));
}

#[tokio::test]
async fn uninstall_removes_the_hook_and_the_accepted_secret() {
    let s = setup(Config::fast()).await;
    let destination = format!("https://bridge.example/webhooks/procore/{CONNECTION}");
    let installed = hooks::install(&s.bridge, &s.db.pool, CONNECTION, &spec(&destination))
        .await
        .expect("install");
    assert!(!accepted(&s).await.is_empty());

    let removed = hooks::uninstall(&s.bridge, &s.db.pool, CONNECTION, NAMESPACE)
        .await
        .expect("uninstall");
    assert_eq!(removed.removed_hooks, vec![installed.hook_id]);
    assert!(listed_hooks(&s).await.is_empty());
    assert!(accepted(&s).await.is_empty());
    assert!(
        hooks::status(&s.bridge, NAMESPACE, 10)
            .await
            .expect("status")
            .is_none()
    );
    let again = hooks::uninstall(&s.bridge, &s.db.pool, CONNECTION, NAMESPACE)
        .await
        .expect("second uninstall");
    assert!(again.removed_hooks.is_empty());
}
