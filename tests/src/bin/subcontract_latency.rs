//! Latency of the subcontract flow (issue 12): the webhook of an approved work order contract
//! → the subcontract in the maestro* emulator. One process runs both emulators, the real
//! ingress with its group commit and hand-off relay, the polling relay and the workers on a
//! fresh database and broker prefix; project P-100 and supplier ELEC01 are linked first. The
//! Procore emulator's webhook engine delivers to the ingress through an installed hook.
//!
//! Drafts are created before the hook exists, so only the approvals reach the bridge. Then
//! `--contracts` drafts are approved at `--rate` per second through the emulator's Rust API,
//! and a watcher polls maestro*'s subcontracts every 5 ms, noting when each external number
//! (the Procore number) first appears.
//!
//! `cargo run --release -p bridge-e2e --bin subcontract_latency -- --contracts 1000 --rate 50`

// The workers' own end-to-end stack and subcontract site, shared rather than written twice.
#[path = "../../../services/workers/tests/flows_support/mod.rs"]
mod flows_support;
#[path = "../../../services/workers/tests/subcontract_support/mod.rs"]
mod subcontract_support;

use bridge_domain::resources::SUBSCRIBED;
use bridge_e2e::latency::Latencies;
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress};
use bridge_platform::amqp::Publisher;
use bridge_platform::connections::WebhookSecrets;
use bridge_platform::relay::{self, Handoff, RelayConfig};
use bridge_procore::install::{self, AcceptedSecrets, InstallSpec, StoreError};
use bridge_sandbox::procore::{AdminLine, DraftCommitment, Kind};
use chrono::{DateTime, Utc};
use clap::Parser;
use flows_support::{COMPANY, Stack};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use subcontract_support::{Site, link_project, link_supplier, maestro_side, procore_site};
use tokio_util::sync::CancellationToken;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The connection `Stack` creates.
const CONNECTION: &str = "acme";

#[derive(Parser, Debug)]
#[command(about = "Webhook of an approved subcontract → subcontract in maestro*: p50, p99")]
struct Args {
    /// How many work order contracts to approve.
    #[arg(long, default_value_t = 1000)]
    contracts: usize,
    /// Approvals per second.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// How long to wait for stragglers after the last approval, in seconds.
    #[arg(long, default_value_t = 30)]
    drain: u64,
}

/// The connection's webhook secrets as the install keeps them.
struct Accepted(WebhookSecrets);

type Stored<'a> = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

impl AcceptedSecrets for Accepted {
    fn accepts(&self, value: &str) -> bool {
        self.0.accepts(value)
    }
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    fn accept<'a>(&'a mut self, value: &'a str) -> Stored<'a> {
        Box::pin(async move { self.0.accept(value).await.map_err(StoreError::from) })
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(args.rate > 0.0, "--rate must be positive");
    let s = Stack::start().await;
    let stop = CancellationToken::new();
    let _stop_guard = stop.clone().drop_guard();

    maestro_side(&s);
    let site = procore_site(&s).await;
    link_project(&s).await;
    link_supplier(&s, &site).await;
    let drafts = drafts(&s, &site, args.contracts)?;
    println!("{} drafts ready; project and supplier linked", drafts.len());

    let ingress_addr = start_ingress(&s, &stop).await?;
    let destination = format!("http://{ingress_addr}/webhooks/procore/{CONNECTION}");
    let secrets = WebhookSecrets::load(&s.db.pool, CONNECTION)
        .await?
        .ok_or_else(|| anyhow::anyhow!("connection {CONNECTION} is missing"))?;
    let spec = InstallSpec {
        namespace: "maestro-erp-sync".into(),
        destination_url: destination,
        payload_version: "v2".into(),
        rotate_secret: false,
    };
    install::install(&s.procore_user(), &spec, SUBSCRIBED, &mut Accepted(secrets)).await?;

    let approved: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut approved_at = HashMap::new();
    let watcher = tokio::spawn(watch(
        s.maestro.clone(),
        approved.clone(),
        args.contracts,
        stop.clone(),
    ));

    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / args.rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    for (id, number) in &drafts {
        tick.tick().await;
        approved
            .lock()
            .expect("approvals")
            .insert(number.clone(), Instant::now());
        approved_at.insert(id.to_string(), Utc::now());
        s.procore
            .approve_commitment(*id)
            .ok_or_else(|| anyhow::anyhow!("contract {id} is gone"))?;
    }
    let sending = started.elapsed();
    let deadline = tokio::time::sleep(Duration::from_secs(args.drain));
    tokio::pin!(deadline);
    let mut watcher = watcher;
    let latencies = tokio::select! {
        done = &mut watcher => done?,
        () = &mut deadline => {
            stop.cancel();
            watcher.await?
        }
    };
    report(args.contracts, sending, latencies);
    stages(&s, &approved_at).await?;
    Ok(())
}

/// `n` draft work order contracts of one line on P-100 for ELEC01: (id, Procore number).
fn drafts(s: &Stack, site: &Site, n: usize) -> anyhow::Result<Vec<(i64, String)>> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let draft = DraftCommitment {
            subcontract: true,
            project_id: site.project,
            vendor_id: site.vendor,
            title: format!("Électricité {i}"),
            description: "Entrée électrique".to_owned(),
            retainage_percent: 10.0,
            lines: vec![AdminLine {
                cost_code_id: site.codes[0].0,
                line_item_type_id: site.kind.0,
                amount: 12_000.0,
                description: "Filage".to_owned(),
            }],
        };
        let id = s
            .procore
            .draft_commitment(&draft)
            .ok_or_else(|| anyhow::anyhow!("project P-100 is missing"))?;
        let json = s
            .procore
            .get_json(Kind::WorkOrderContract, id)
            .ok_or_else(|| anyhow::anyhow!("draft {id} is missing"))?;
        let number = json["number"].as_str().unwrap_or_default().to_owned();
        out.push((id, number));
    }
    Ok(out)
}

/// The ingress as `bridge up` runs it: group commit handing its batches to a relay.
async fn start_ingress(
    s: &Stack,
    stop: &CancellationToken,
) -> anyhow::Result<std::net::SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (handoff, handed) = Handoff::channel(Handoff::DEFAULT_BATCHES);
    let commit =
        GroupCommit::start_handing_off(s.db.pool.clone(), GroupCommitConfig::default(), handoff);
    tokio::spawn(bridge_ingress::run(
        listener,
        Ingress::new(s.db.pool.clone(), commit),
        stop.clone(),
    ));
    tokio::spawn(relay::run_handed_off(
        s.db.pool.clone(),
        Publisher::new(s.broker.broker.clone()),
        handed,
        RelayConfig::default(),
        stop.clone(),
    ));
    Ok(addr)
}

/// Polls maestro*'s subcontracts every 5 ms until `expected` arrived or `stop`; the latency
/// of each is from its approval to the poll that first saw it.
async fn watch(
    maestro: bridge_sandbox::maestro::Emulator,
    approved: Arc<Mutex<HashMap<String, Instant>>>,
    expected: usize,
    stop: CancellationToken,
) -> Latencies {
    let mut latencies = Latencies::default();
    let mut seen = std::collections::HashSet::new();
    let mut tick = tokio::time::interval(Duration::from_millis(5));
    while seen.len() < expected && !stop.is_cancelled() {
        tick.tick().await;
        let now = Instant::now();
        let approved = approved.lock().expect("approvals").clone();
        for sub in maestro.subcontracts(COMPANY) {
            if let Some(at) = approved.get(&sub.external_no)
                && seen.insert(sub.external_no.clone())
            {
                latencies.record(now.duration_since(*at));
            }
        }
    }
    latencies
}

fn report(expected: usize, sending: Duration, mut latencies: Latencies) {
    let arrived = latencies.len();
    println!(
        "approved {expected} in {:.1} s; arrived {arrived}, never arrived {}",
        sending.as_secs_f64(),
        expected - arrived
    );
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "approval → maestro* subcontract: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(latencies.percentile(50.0)),
        ms(latencies.percentile(99.0)),
        ms(latencies.percentile(100.0)),
    );
}

/// Where the time goes, from the database's clock (the same machine's): approval → the
/// ingress's commit of the webhook (`inbox.received_at`, the emulator's webhook engine and the
/// HTTP hop), → the worker's first sync item row (`sync_items.created_at`: relay, broker,
/// worker pickup), → its last change (`updated_at`: the worker's reads and maestro* writes).
async fn stages(s: &Stack, approved_at: &HashMap<String, DateTime<Utc>>) -> anyhow::Result<()> {
    type Row = (String, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT i.record, min(i.received_at), min(s.created_at), max(s.updated_at) \
         FROM inbox i JOIN sync_items s ON s.record_key = i.record AND s.kind = i.kind \
         WHERE i.kind = 'subcontract' AND s.status = 'synced' GROUP BY i.record",
    )
    .fetch_all(&s.db.pool)
    .await?;
    let mut hops: [Latencies; 3] = Default::default();
    for (record, received, created, updated) in rows {
        let Some(approved) = approved_at.get(&record) else {
            continue;
        };
        let span =
            |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).to_std().unwrap_or(Duration::ZERO);
        hops[0].record(span(*approved, received));
        hops[1].record(span(received, created));
        hops[2].record(span(created, updated));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (name, hop) in [
        "webhook to ingress commit",
        "relay, broker, pickup",
        "worker",
    ]
    .into_iter()
    .zip(hops.iter_mut())
    {
        println!(
            "  {name}: p50 {:.1} ms, p99 {:.1} ms ({} contracts)",
            ms(hop.percentile(50.0)),
            ms(hop.percentile(99.0)),
            hop.len()
        );
    }
    Ok(())
}
