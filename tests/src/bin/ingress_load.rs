//! Load benchmark of the webhook ingress.
//!
//! Many concurrent senders post real-shaped Procore events over HTTP for a fixed time, first
//! to the bridge's ingress (group commit, with the outbox relay publishing to RabbitMQ at the
//! same time), then to a naive receiver that does one insert and one confirmed publish per
//! request. Prints accepted/s, p50 and p99 for each and the ratio.
//!
//!     cargo run --release -p bridge-e2e --bin ingress_load -- --seconds 60 --senders 128

use anyhow::Context as _;
use axum::extract::State;
use axum::http::StatusCode;
use bridge_domain::routing::Names;
use bridge_e2e::latency::Latencies;
use bridge_ingress::{GroupCommit, GroupCommitConfig, Ingress};
use bridge_platform::Secret;
use bridge_platform::amqp::{Broker, Outgoing, Publisher, Topology};
use bridge_platform::connections::authorization_hash;
use bridge_platform::connections::{self, NewConnection};
use bridge_platform::inbox;
use bridge_platform::relay::{self, Handoff, RelayConfig};
use bridge_platform::testing::{TestDb, amqp_url, unique_suffix};
use clap::Parser;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// mimalloc rather than the system allocator: every request allocates and frees many small
/// buffers across threads, where glibc's malloc spent a seventh of the ingress's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Args {
    /// Seconds each receiver is loaded.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// Concurrent senders.
    #[arg(long, default_value_t = 128)]
    senders: usize,
    /// Leave the outbox relay off during the bridge run (to see the ingress alone).
    #[arg(long)]
    no_relay: bool,
    /// Skip the naive receiver.
    #[arg(long)]
    bridge_only: bool,
    /// Group-commit flushers (default: the ingress's own default).
    #[arg(long)]
    flushers: Option<usize>,
    /// Group-commit linger in microseconds (default: the ingress's own default).
    #[arg(long)]
    linger_us: Option<u64>,
    /// Use the built-in HTTP client even when `wrk` is installed.
    #[arg(long)]
    builtin_client: bool,
}

const AUTH: &str = "Bearer load-test";

struct Outcome {
    accepted: u64,
    refused: u64,
    latencies: Latencies,
    elapsed: Duration,
}

/// What one receiver sustained.
struct Measured {
    per_second: f64,
    p50: Duration,
    p99: Duration,
    refused: u64,
}

async fn measure(url: &str, args: &Args, tag: &str) -> anyhow::Result<Measured> {
    if !args.builtin_client && bridge_e2e::wrk::available() {
        let script =
            std::env::temp_dir().join(format!("ingress-load-{tag}-{}.lua", unique_suffix()));
        std::fs::write(&script, bridge_e2e::wrk::script(AUTH, tag))?;
        let (url, senders, seconds) = (url.to_owned(), args.senders, args.seconds);
        let script_path = script.clone();
        let report = tokio::task::spawn_blocking(move || {
            // A short unmeasured run first: connections, prepared statements and caches warm.
            bridge_e2e::wrk::run(&url, senders, 3, &script_path)?;
            bridge_e2e::wrk::run(&url, senders, seconds, &script_path)
        })
        .await??;
        let _ = std::fs::remove_file(&script);
        return Ok(Measured {
            per_second: report.accepted_per_second(),
            p50: report.p50,
            p99: report.p99,
            refused: report.non_2xx + report.errors,
        });
    }
    let mut o = load(url, args.senders, Duration::from_secs(args.seconds), tag).await;
    Ok(Measured {
        per_second: o.accepted as f64 / o.elapsed.as_secs_f64(),
        p50: o.latencies.percentile(50.0),
        p99: o.latencies.percentile(99.0),
        refused: o.refused,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = TestDb::new().await;
    let connection_id = connections::create(
        &db.pool,
        &NewConnection::sandbox("load", "http://p.invalid", "http://m.invalid", 8),
    )
    .await?;
    connections::set_webhook_auth(&db.pool, connection_id, &[authorization_hash(AUTH)]).await?;
    // The pool a `bridge up` process would have (BRIDGE_DATABASE_POOL_SIZE=10), not the small
    // one tests use.
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(10)
        .connect(&db.url)
        .await?;
    let shutdown = CancellationToken::new();
    let topology = Topology::new(
        Names::new(format!("load{}", unique_suffix())),
        10,
        [5, 30, 120, 600, 3600].map(Duration::from_secs),
    );
    let broker = Broker::connect(
        Secret::new(amqp_url()),
        topology.clone(),
        Duration::from_secs(10),
        shutdown.clone(),
    )
    .await?;

    // The bridge: ingress with group commit, relay publishing alongside.
    let (listener, ours_addr) = bind().await?;
    // Wired as `bridge up` wires them: the ingress hands committed rows to the relay of its
    // own process, and the sweeper takes whatever is not handed over.
    let (handoff, handed) = Handoff::channel(Handoff::DEFAULT_BATCHES);
    let mut commit_config = GroupCommitConfig::default();
    if let Some(n) = args.flushers {
        commit_config.flushers = n;
    }
    if let Some(us) = args.linger_us {
        commit_config.linger = Duration::from_micros(us);
    }
    let commit = if args.no_relay {
        GroupCommit::start(pool.clone(), commit_config)
    } else {
        GroupCommit::start_handing_off(pool.clone(), commit_config, handoff)
    };
    let server = tokio::spawn(bridge_ingress::run(
        listener,
        Ingress::new(pool.clone(), commit),
        shutdown.clone(),
    ));
    let relay_stop = CancellationToken::new();
    let mut relay_tasks = Vec::new();
    if !args.no_relay {
        relay_tasks.push(tokio::spawn(relay::run_handed_off(
            pool.clone(),
            Publisher::new(broker.clone()),
            handed,
            RelayConfig::default(),
            relay_stop.clone(),
        )));
        relay_tasks.push(tokio::spawn(relay::run(
            pool.clone(),
            Publisher::new(broker.clone()),
            RelayConfig::default(),
            relay_stop.clone(),
        )));
    }
    let client = if !args.builtin_client && bridge_e2e::wrk::available() {
        "wrk"
    } else {
        "built-in client"
    };
    println!(
        "bridge ingress: {} connections for {} s ({client}) ...",
        args.senders, args.seconds
    );
    let bridge = measure(
        &format!("http://{ours_addr}/webhooks/procore/load"),
        &args,
        "b",
    )
    .await?;
    // What the relay had not published when the load stopped.
    let backlog = inbox::unpublished(&pool).await?;
    relay_stop.cancel();
    for task in relay_tasks {
        task.await??;
    }
    let routed: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox WHERE status = 'routed'")
        .fetch_one(&pool)
        .await?;
    let relayed = routed - backlog;

    if args.bridge_only {
        println!(
            "bridge ingress: {:.0} accepted/s, p50 {:.1} ms, p99 {:.1} ms, {} refused; {relayed} relayed, {backlog} not yet",
            bridge.per_second,
            bridge.p50.as_secs_f64() * 1000.0,
            bridge.p99.as_secs_f64() * 1000.0,
            bridge.refused
        );
        delete_topology(&broker, &topology).await;
        shutdown.cancel();
        return Ok(());
    }

    // The naive receiver: one insert and one confirmed publish per request.
    let (listener, naive_addr) = bind().await?;
    let naive_state = Arc::new((
        pool.clone(),
        Publisher::new(broker.clone()),
        topology.names.clone(),
        connection_id,
    ));
    let naive_app = axum::Router::new()
        .route("/webhooks/procore/load", axum::routing::post(naive))
        .with_state(naive_state);
    let naive_server = tokio::spawn(
        axum::serve(listener, naive_app)
            .with_graceful_shutdown(shutdown.clone().cancelled_owned())
            .into_future(),
    );
    println!(
        "naive receiver: {} senders for {} s ...",
        args.senders, args.seconds
    );
    let naive_run = measure(
        &format!("http://{naive_addr}/webhooks/procore/load"),
        &args,
        "n",
    )
    .await?;

    println!();
    println!("| receiver | accepted/s | p50 | p99 | refused |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, o) in [
        ("bridge ingress (group commit, relay running)", &bridge),
        ("naive (insert + confirmed publish)", &naive_run),
    ] {
        println!(
            "| {name} | {:.0} | {:.1} ms | {:.1} ms | {} |",
            o.per_second,
            o.p50.as_secs_f64() * 1000.0,
            o.p99.as_secs_f64() * 1000.0,
            o.refused
        );
    }
    println!();
    println!(
        "ratio bridge/naive: {:.1}x",
        bridge.per_second / naive_run.per_second.max(1.0)
    );
    println!(
        "rows relayed to RabbitMQ during the bridge run (warm-up included): {relayed} of {routed}; {backlog} still in the outbox when the load stopped"
    );

    delete_topology(&broker, &topology).await;
    shutdown.cancel();
    let _ = server.await;
    let _ = naive_server.await;
    Ok(())
}

/// Removes this run's queues and exchanges: quorum queues left behind slow the broker down.
async fn delete_topology(broker: &Broker, topology: &Topology) {
    if let Ok(conn) = broker.connection().await
        && let Ok(channel) = conn.create_channel().await
    {
        let _ = topology.delete(&channel).await;
    }
}

async fn bind() -> anyhow::Result<(tokio::net::TcpListener, std::net::SocketAddr)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("binding")?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

type NaiveState = Arc<(sqlx::PgPool, Publisher, Names, i64)>;

async fn naive(State(state): State<NaiveState>, body: axum::body::Bytes) -> StatusCode {
    let (pool, publisher, names, connection_id) = &*state;
    let Ok(event) = bridge_ingress::payload::parse(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let inserted = sqlx::query(
        "INSERT INTO inbox (id, connection_id, source, dedup_key, kind, direction, record, payload)
         VALUES ($1, $2, 'procore_webhook', $3, 'project', 'to_maestro', $4, '{}')
         ON CONFLICT DO NOTHING",
    )
    .bind(uuid::Uuid::now_v7())
    .bind(connection_id)
    .bind(format!("naive:{}", event.event_id))
    .bind(&event.resource_id)
    .execute(pool)
    .await;
    if inserted.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    let published = publisher
        .publish(Outgoing {
            exchange: names.events_exchange(),
            routing_key: "project.to_maestro".into(),
            body: body.to_vec(),
            headers: vec![],
            message_id: None,
        })
        .await;
    match published {
        Ok(()) => StatusCode::ACCEPTED,
        Err(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Posts events from `senders` tasks for `run`; each event has a fresh ULID-like id.
async fn load(url: &str, senders: usize, run: Duration, tag: &str) -> Outcome {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(senders)
        .build()
        .expect("HTTP client");
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + run;
    let mut tasks = Vec::new();
    for sender in 0..senders {
        let (client, url, counter, tag) = (
            client.clone(),
            url.to_owned(),
            counter.clone(),
            tag.to_owned(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Latencies::default();
            let (mut accepted, mut refused) = (0u64, 0u64);
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let body = serde_json::json!({
                    "id": 9_007_199_254_740_993_u64 + n,
                    "ulid": format!("01LOAD{tag}{sender:04}{n:014}"),
                    "timestamp": "2026-11-20T10:11:12.123456Z",
                    "event_type": "update",
                    "resource_name": "Projects",
                    "resource_id": 5_000_000 + n,
                    "company_id": 8,
                    "project_id": null,
                    "user_id": 42,
                    "api_version": "v2.0",
                    "metadata": {"source_user_id": 42, "source_company_id": 8,
                                 "source_application_id": "another-app"}
                })
                .to_string();
                let sent = Instant::now();
                let result = client
                    .post(&url)
                    .header("authorization", AUTH)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                match result {
                    Ok(r) if r.status() == StatusCode::ACCEPTED => {
                        latencies.record(sent.elapsed());
                        accepted += 1;
                    }
                    _ => refused += 1,
                }
            }
            (accepted, refused, latencies)
        }));
    }
    let mut outcome = Outcome {
        accepted: 0,
        refused: 0,
        latencies: Latencies::default(),
        elapsed: Duration::ZERO,
    };
    for t in tasks {
        if let Ok((a, r, l)) = t.await {
            outcome.accepted += a;
            outcome.refused += r;
            outcome.latencies.merge(l);
        }
    }
    outcome.elapsed = started.elapsed();
    outcome
}
