//! The Procore reconciler against the Procore emulator over HTTP, the real ingress and the real
//! Postgres: every change after the watermark comes in once, whichever path sees it first.

use bridge_domain::{Direction, EntityKind};
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::sync_items;
use bridge_platform::testing::{TestDb, eventually};
use bridge_poller::reconciler::{self, RESOURCES, Settings, change_key};
use bridge_procore::{Client, ClientConfig, Credentials, HookScope, HookSpec};
use bridge_sandbox::procore::{Config, Emulator, Kind, LoadOptions, Loaded, serve};
use bridge_sandbox::seed::{SeedConfig, generate};
use chrono::{DateTime, Utc};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use url::Url;

const CONNECTION: &str = "boreal";
const SECRET: &str = "Bearer reconciler-test";

struct Setup {
    db: TestDb,
    emu: Emulator,
    loaded: Loaded,
    base: Url,
    company: i64,
    connection_id: i64,
    /// The bridge's own client (its writes are the bridge's).
    bridge: Client,
    /// Someone else editing in Procore.
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
    let mut seed = SeedConfig::for_projects(2);
    seed.synchronized_fraction = 1.0;
    seed.commitments_per_project = 4;
    let company_seed = generate(&seed);
    let (emu, company, loaded) = Emulator::seeded(
        config,
        &company_seed,
        "bridge",
        "s3cret",
        &LoadOptions::default(),
    );
    emu.register_client("editor", "e-secret", &[company]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = Url::parse(&format!("http://{}/", listener.local_addr().expect("addr"))).unwrap();
    let shutdown = CancellationToken::new();
    tokio::spawn(serve(listener, emu.clone(), shutdown.clone()));
    let db = TestDb::new().await;
    let mut new = NewConnection::sandbox(CONNECTION, base.as_str(), "http://127.0.0.1:9/", company);
    new.oauth_client_id = Some("bridge".into());
    let connection_id = connections::create(&db.pool, &new)
        .await
        .expect("connection");
    connections::set_webhook_auth(&db.pool, connection_id, &[authorization_hash(SECRET)])
        .await
        .expect("auth");
    Setup {
        bridge: client(&base, company, "bridge", "s3cret"),
        editor: client(&base, company, "editor", "e-secret"),
        db,
        emu,
        loaded,
        base,
        company,
        connection_id,
        shutdown,
    }
}

/// Inbox rows per (record, route): how many, and from which sources.
async fn rows(s: &Setup) -> BTreeMap<(String, String), Vec<String>> {
    type Row = (Option<String>, Option<String>, Option<String>, String);
    let all: Vec<Row> = sqlx::query_as(
        "SELECT record, kind, direction, source FROM inbox
         WHERE connection_id = $1 AND kind IS NOT NULL",
    )
    .bind(s.connection_id)
    .fetch_all(&s.db.pool)
    .await
    .expect("inbox");
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (record, kind, direction, source) in all {
        let route = format!(
            "{}.{}",
            kind.unwrap_or_default(),
            direction.unwrap_or_default()
        );
        out.entry((record.unwrap_or_default(), route))
            .or_default()
            .push(source);
    }
    out
}

/// The rows in `after` that `before` did not have.
fn added(
    before: &BTreeMap<(String, String), Vec<String>>,
    after: &BTreeMap<(String, String), Vec<String>>,
) -> BTreeMap<(String, String), Vec<String>> {
    let mut out = BTreeMap::new();
    for (key, sources) in after {
        let mut sources = sources.clone();
        for old in before.get(key).into_iter().flatten() {
            if let Some(i) = sources.iter().position(|s| s == old) {
                sources.remove(i);
            }
        }
        if !sources.is_empty() {
            out.insert(key.clone(), sources);
        }
    }
    out
}

fn route(kind: EntityKind) -> String {
    format!("{kind}.{}", Direction::ToMaestro)
}

/// Edits made by someone in Procore, and the inbox rows each should give.
struct Edits {
    expected: BTreeSet<(String, String)>,
}

async fn edit_everything(s: &Setup, by: &Client, tag: &str) -> Edits {
    let mut expected = BTreeSet::new();
    let project = *s.loaded.projects.values().min().expect("a project");
    let renamed = by
        .sync_projects(&[json!({ "id": project, "name": format!("Renamed {tag}") })])
        .await
        .expect("rename project");
    assert!(
        renamed.iter().all(|item| item.result.is_ok()),
        "{renamed:?}"
    );
    expected.insert((project.to_string(), route(EntityKind::Project)));

    let vendor = *s.loaded.vendors.values().min().expect("a vendor");
    let renamed = by
        .sync_vendors(&[json!({ "id": vendor, "name": format!("Vendor {tag}") })])
        .await
        .expect("rename vendor");
    assert!(
        renamed.iter().all(|item| item.result.is_ok()),
        "{renamed:?}"
    );
    expected.insert((vendor.to_string(), route(EntityKind::Supplier)));
    expected.insert((vendor.to_string(), route(EntityKind::Customer)));

    let mut commitments: Vec<i64> = s.loaded.commitments.values().copied().collect();
    commitments.sort_unstable();
    let woc = commitments
        .iter()
        .copied()
        .find(|id| s.emu.get_json(Kind::WorkOrderContract, *id).is_some())
        .expect("a work order contract");
    // A project manager approves it in Procore's UI (an update whatever its status was).
    s.emu
        .approve_commitment(woc)
        .expect("update the work order contract");
    expected.insert((woc.to_string(), route(EntityKind::Subcontract)));
    Edits { expected }
}

/// Admin actions (a project manager in the UI): approve a commitment, create a change order.
fn admin_edits(s: &Setup, edits: &mut Edits) {
    let mut commitments: Vec<i64> = s.loaded.commitments.values().copied().collect();
    commitments.sort_unstable();
    let already: BTreeSet<&String> = edits.expected.iter().map(|(r, _)| r).collect();
    let (contract, kind) = commitments
        .iter()
        .filter(|id| !already.contains(&id.to_string()))
        .find_map(|id| {
            [
                (Kind::PurchaseOrderContract, EntityKind::PurchaseOrder),
                (Kind::WorkOrderContract, EntityKind::Subcontract),
            ]
            .into_iter()
            .find_map(|(k, e)| {
                s.emu
                    .get_json(k, *id)
                    .filter(|c| c["status"] != "Approved")
                    .map(|_| (*id, e))
            })
        })
        .expect("a commitment not approved yet");
    s.emu.approve_commitment(contract).expect("approve");
    edits.expected.insert((contract.to_string(), route(kind)));
    let co = s
        .emu
        .create_change_order(contract, "Extra concrete", "approved", &[])
        .expect("change order");
    for kind in [
        EntityKind::SubcontractChangeOrder,
        EntityKind::PrimeChangeOrder,
        EntityKind::ModifiedBudget,
    ] {
        edits.expected.insert((co.to_string(), route(kind)));
    }
}

fn settings() -> Settings {
    Settings {
        per_page: 3, // several pages per list
        ..Settings::default()
    }
}

async fn watermark(s: &Setup, resource: &str) -> Option<DateTime<Utc>> {
    sync_items::cursor(
        &s.db.pool,
        s.connection_id,
        &reconciler::cursor_name(resource),
        "",
    )
    .await
    .expect("cursor")
    .and_then(|p| DateTime::parse_from_rfc3339(&p).ok())
    .map(|t| t.with_timezone(&Utc))
}

#[tokio::test]
async fn every_change_after_the_watermark_comes_in_once_across_passes_and_a_restart() {
    let s = setup(Config::fast()).await;

    // First pass: nothing is known yet; what changed in the look-back window comes in.
    let first = reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("first pass");
    assert_eq!(first.problems().count(), 0, "{first:?}");
    let baseline = rows(&s).await;
    for id in s.loaded.projects.values() {
        assert!(
            baseline.contains_key(&(id.to_string(), route(EntityKind::Project))),
            "project {id} missing after the first pass"
        );
    }
    for id in s.loaded.commitments.values() {
        let found = [EntityKind::Subcontract, EntityKind::PurchaseOrder]
            .iter()
            .any(|k| baseline.contains_key(&(id.to_string(), route(*k))));
        assert!(found, "commitment {id} missing after the first pass");
    }
    assert_eq!(first.total_emitted() as usize, baseline.len());
    let mut marks = BTreeMap::new();
    for r in RESOURCES {
        let mark = watermark(&s, r.name)
            .await
            .expect("a watermark per resource");
        marks.insert(r.name, mark);
    }

    // Someone edits; the next pass brings exactly those changes.
    let mut edits = edit_everything(&s, &s.editor, "one").await;
    admin_edits(&s, &mut edits);
    let second = reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("second pass");
    assert_eq!(second.problems().count(), 0, "{second:?}");
    let after: BTreeMap<_, _> = rows(&s).await;
    let new: BTreeSet<(String, String)> = added(&baseline, &after).into_keys().collect();
    assert_eq!(new, edits.expected);
    assert_eq!(second.total_emitted() as usize, edits.expected.len());
    for r in RESOURCES {
        let mark = watermark(&s, r.name).await.expect("watermark");
        assert!(mark > marks[r.name], "{} did not advance", r.name);
    }

    // A restart (a new client, nothing in memory) and another pass: nothing twice.
    let restarted = client(&s.base, s.company, "bridge", "s3cret");
    let third = reconciler::reconcile(&s.db.pool, s.connection_id, &restarted, &settings())
        .await
        .expect("third pass");
    assert_eq!(third.total_emitted(), 0, "{third:?}");
    let again = rows(&s).await;
    assert_eq!(again, after);
    assert!(
        added(&baseline, &again)
            .values()
            .all(|sources| sources.len() == 1)
    );
    assert!(
        third
            .resources
            .iter()
            .any(|r| r.listed > 0 && r.already_seen > 0),
        "the overlap re-lists the boundary and the dedup absorbs it: {third:?}"
    );
}

/// A hook on the emulator pointing at `destination`, for the resources the edits touch.
async fn subscribe(s: &Setup, destination: &str) {
    let scope = HookScope::Company(s.company);
    let hook = s
        .bridge
        .create_hook(&HookSpec {
            scope,
            api_version: "v2".into(),
            namespace: "reconciler-test".into(),
            destination_url: destination.into(),
            authorization: SECRET.into(),
        })
        .await
        .expect("hook");
    let triggers: Vec<(&str, &str)> = RESOURCES
        .iter()
        .flat_map(|r| ["create", "update"].map(|e| (r.name, e)))
        .collect();
    let made = s
        .bridge
        .create_triggers(hook.id.0, scope, "v2", &triggers)
        .await
        .expect("triggers");
    assert!(made.refused.is_empty(), "{:?}", made.refused);
}

async fn start_ingress(s: &Setup) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    let ingress = Ingress::new(
        s.db.pool.clone(),
        GroupCommit::start(s.db.pool.clone(), GroupCommitConfig::default()),
    );
    tokio::spawn(bridge_ingress::run(listener, ingress, s.shutdown.clone()));
    format!("http://{address}/webhooks/procore/{CONNECTION}")
}

#[tokio::test]
async fn a_change_seen_by_a_webhook_and_by_the_reconciler_is_one_row() {
    let s = setup(Config::fast()).await;
    reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("baseline pass");
    let baseline = rows(&s).await;
    let destination = start_ingress(&s).await;
    subscribe(&s, &destination).await;

    // Someone else's edits, and the bridge's own (which the ingress stores as ignored).
    let mut edits = edit_everything(&s, &s.editor, "webhook").await;
    admin_edits(&s, &mut edits);
    let project = *s.loaded.projects.values().max().expect("a second project");
    s.bridge
        .sync_projects(&[json!({ "id": project, "name": "Written by the bridge" })])
        .await
        .expect("the bridge's own write");

    let pool = s.db.pool.clone();
    let connection_id = s.connection_id;
    let ignored_for = project.to_string();
    let (setup, expected) = (&s, &edits.expected);
    eventually(Duration::from_secs(20), "the webhooks to arrive", || {
        let (pool, ignored_for) = (pool.clone(), ignored_for.clone());
        async move {
            let now = rows(setup).await;
            let all_in = expected.iter().all(|k| {
                now.get(k)
                    .is_some_and(|v| v.iter().any(|src| src == "procore_webhook"))
            });
            let ignored: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM inbox WHERE connection_id = $1 AND record = $2
                 AND status = 'ignored'",
            )
            .bind(connection_id)
            .bind(&ignored_for)
            .fetch_one(&pool)
            .await
            .ok()?;
            (all_in && ignored > 0).then_some(())
        }
    })
    .await;

    let pass = reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("pass after the webhooks");
    assert_eq!(pass.problems().count(), 0, "{pass:?}");
    assert_eq!(
        pass.total_emitted(),
        0,
        "every change was already in: {pass:?}"
    );
    let new = added(&baseline, &rows(&s).await);
    let expected: BTreeMap<_, _> = edits
        .expected
        .iter()
        .map(|k| (k.clone(), vec!["procore_webhook".to_owned()]))
        .collect();
    assert_eq!(new, expected);
    // The bridge's own write gets no routed row from either path.
    let own = (project.to_string(), route(EntityKind::Project));
    assert!(!new.contains_key(&own));
}

#[tokio::test]
async fn changes_discarded_while_the_ingress_was_down_come_in_through_the_reconciler() {
    // Procore discards after 12 hours; the emulator after 2 seconds.
    let mut config = Config::fast();
    config.webhooks.discard_after = Duration::from_secs(2);
    let s = setup(config).await;
    reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("baseline pass");
    let baseline = rows(&s).await;
    // Nothing listens there: the ingress is down.
    let down = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr")
    };
    subscribe(&s, &format!("http://{down}/webhooks/procore/{CONNECTION}")).await;

    let mut edits = edit_everything(&s, &s.editor, "down").await;
    admin_edits(&s, &mut edits);
    let changed: BTreeSet<String> = edits.expected.iter().map(|(r, _)| r.clone()).collect();
    let emu = s.emu.clone();
    eventually(
        Duration::from_secs(30),
        "the emulator to discard the events",
        || {
            let (emu, changed) = (emu.clone(), changed.clone());
            async move {
                let discarded: BTreeSet<String> = emu
                    .deliveries()
                    .iter()
                    .filter(|d| d.outcome == "discarded")
                    .map(|d| d.event["resource_id"].to_string())
                    .collect();
                changed.is_subset(&discarded).then_some(())
            }
        },
    )
    .await;
    assert_eq!(
        rows(&s)
            .await
            .values()
            .flatten()
            .filter(|s| *s == "procore_webhook")
            .count(),
        0
    );

    let pass = reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("pass");
    assert_eq!(pass.problems().count(), 0, "{pass:?}");
    let new = added(&baseline, &rows(&s).await);
    let expected: BTreeMap<_, _> = edits
        .expected
        .iter()
        .map(|k| (k.clone(), vec!["procore_reconciler".to_owned()]))
        .collect();
    assert_eq!(new, expected);
}

#[tokio::test]
async fn the_reconciler_writes_the_key_a_webhook_of_the_same_change_derives() {
    let s = setup(Config::fast()).await;
    reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("baseline pass");
    let edits = edit_everything(&s, &s.editor, "key").await;
    reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("pass");
    let project = *s.loaded.projects.values().min().expect("project");
    assert!(
        edits
            .expected
            .contains(&(project.to_string(), route(EntityKind::Project)))
    );
    // What a webhook of this change would say: the record's id and when it changed.
    let shown = s.emu.get_json(Kind::Project, project).expect("project");
    let changed_at = DateTime::parse_from_rfc3339(shown["updated_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let key = change_key(
        "Projects",
        &project.to_string(),
        changed_at,
        (EntityKind::Project, Direction::ToMaestro),
    );
    let found: Option<String> =
        sqlx::query_scalar("SELECT source FROM inbox WHERE connection_id = $1 AND dedup_key = $2")
            .bind(s.connection_id)
            .bind(&key)
            .fetch_optional(&s.db.pool)
            .await
            .expect("lookup");
    assert_eq!(found.as_deref(), Some("procore_reconciler"), "{key}");
}

#[tokio::test]
async fn a_failed_pass_leaves_the_watermark_and_the_next_one_catches_up() {
    let s = setup(Config::fast()).await;
    reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("baseline pass");
    let baseline = rows(&s).await;
    let mut before = BTreeMap::new();
    for r in RESOURCES {
        before.insert(r.name, watermark(&s, r.name).await);
    }
    let edits = edit_everything(&s, &s.editor, "fault").await;

    // Procore answers 500 to everything; one attempt per call keeps the test short.
    s.emu.set_faults(bridge_sandbox::procore::Faults {
        error_rate: 1.0,
        ..Default::default()
    });
    let mut config = ClientConfig::new(
        s.base.clone(),
        s.base.clone(),
        s.company,
        Credentials::ClientCredentials {
            client_id: "bridge".into(),
            client_secret: "s3cret".into(),
        },
    );
    config.max_attempts = 1;
    let impatient = Client::new(config).expect("client");
    let failed = reconciler::reconcile(&s.db.pool, s.connection_id, &impatient, &settings())
        .await
        .expect("a pass whose calls fail still reports");
    assert_eq!(failed.problems().count(), RESOURCES.len(), "{failed:?}");
    assert_eq!(failed.total_emitted(), 0);
    for r in RESOURCES {
        assert_eq!(watermark(&s, r.name).await, before[r.name], "{}", r.name);
    }
    assert_eq!(rows(&s).await, baseline);

    s.emu.set_faults(bridge_sandbox::procore::Faults::default());
    let next = reconciler::reconcile(&s.db.pool, s.connection_id, &impatient, &settings())
        .await
        .expect("the next pass");
    assert_eq!(next.problems().count(), 0, "{next:?}");
    let new: BTreeSet<_> = added(&baseline, &rows(&s).await).into_keys().collect();
    assert_eq!(new, edits.expected);
}

#[tokio::test]
async fn the_loop_reconciles_every_connection_until_shut_down() {
    let s = setup(Config::fast()).await;
    let factory: reconciler::ClientFactory = std::sync::Arc::new(|c| {
        let base = Url::parse(&c.procore_api_base)?;
        let login = Url::parse(&c.procore_login_base)?;
        let credentials = Credentials::ClientCredentials {
            client_id: "bridge".into(),
            client_secret: "s3cret".into(),
        };
        Ok(Client::new(ClientConfig::new(
            base,
            login,
            c.procore_company_id,
            credentials,
        ))?)
    });
    let stop = CancellationToken::new();
    let task = tokio::spawn(reconciler::run(
        s.db.pool.clone(),
        factory,
        Duration::from_millis(100),
        settings(),
        stop.clone(),
    ));
    let setup = &s;
    eventually(Duration::from_secs(20), "a first pass", || async move {
        let mut all = true;
        for r in RESOURCES {
            all &= watermark(setup, r.name).await.is_some();
        }
        all.then_some(())
    })
    .await;
    let edits = edit_everything(&s, &s.editor, "loop").await;
    let expected = &edits.expected;
    eventually(Duration::from_secs(20), "the edits", || async move {
        let now = rows(setup).await;
        expected
            .iter()
            .all(|k| {
                now.get(k)
                    .is_some_and(|v| v.contains(&"procore_reconciler".to_owned()))
            })
            .then_some(())
    })
    .await;
    stop.cancel();
    tokio::time::timeout(Duration::from_secs(10), task)
        .await
        .expect("the loop stops when asked")
        .expect("join")
        .expect("the loop ends without error");
}

/// rules §1 (Customers): a swept prime contract feeds the customer route with the
/// contract to resolve (`prime_contract:<id>`) and its project, never with the contract id
/// read as a company id; the two rows of one change keep distinct keys.
#[tokio::test]
async fn a_swept_prime_contract_names_the_contract_to_the_customer_route() {
    let s = setup(Config::fast()).await;
    reconciler::reconcile(&s.db.pool, s.connection_id, &s.bridge, &settings())
        .await
        .expect("pass");
    assert!(
        !s.loaded.prime_contracts.is_empty(),
        "the seed has prime contracts"
    );
    for id in s.loaded.prime_contracts.values() {
        let shown = s.emu.get_json(Kind::PrimeContract, *id).expect("contract");
        let project = shown["project"]["id"]
            .as_i64()
            .or_else(|| shown["project_id"].as_i64())
            .expect("its project")
            .to_string();
        type Row = (String, Option<String>, String, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT kind, project, dedup_key, record FROM inbox
             WHERE connection_id = $1 AND record IN ($2, $3) ORDER BY kind",
        )
        .bind(s.connection_id)
        .bind(id.to_string())
        .bind(format!("prime_contract:{id}"))
        .fetch_all(&s.db.pool)
        .await
        .expect("rows")
        .into_iter()
        .map(|(kind, project, key, record): (Option<String>, _, _, _)| {
            (kind.unwrap_or_default(), project, key, record)
        })
        .collect();
        let summary: Vec<(&str, Option<&str>, &str)> = rows
            .iter()
            .map(|(k, p, _, r)| (k.as_str(), p.as_deref(), r.as_deref().unwrap_or_default()))
            .collect();
        let pc = format!("prime_contract:{id}");
        let plain = id.to_string();
        assert_eq!(
            summary,
            [
                ("customer", Some(project.as_str()), pc.as_str()),
                ("prime_contract", Some(project.as_str()), plain.as_str()),
            ]
        );
        assert_ne!(rows[0].2, rows[1].2);
    }
}
