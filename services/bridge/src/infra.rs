//! The infrastructure subcommands: migrate, topology, healthcheck, and `up`'s start-up and
//! shutdown sequence.

use crate::roles::{self, Roles};
use crate::{procore_cmd, sandbox};
use bridge_platform::amqp::{Broker, Topology, exchange_kind_word};
use bridge_platform::{Config, db};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Prints a line on stdout; a closed pipe (`bridge topology | head`) is not an error.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// How long `up` waits for roles to finish their in-flight work after a stop signal.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(4);

pub async fn migrate(config: &Config) -> anyhow::Result<ExitCode> {
    let created = db::ensure_database(config.database_url.expose(), config.connect_timeout).await?;
    let pool = db::connect(config).await?;
    let applied = db::migrate(&pool).await?;
    say!(
        "database {}; {} migration(s) applied",
        if created { "created" } else { "present" },
        applied
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn topology(config: &Config) -> anyhow::Result<ExitCode> {
    let shutdown = CancellationToken::new();
    let topology = Topology::from_config(config);
    let broker = connect_broker(config, shutdown.clone()).await?;
    for (name, kind) in topology.exchanges() {
        say!("exchange {name} ({})", exchange_kind_word(&kind));
    }
    for q in topology.queues() {
        let args: Vec<String> = q
            .arguments
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let (exchange, key, _) = &q.binding;
        let key = if key.is_empty() {
            String::new()
        } else {
            format!(" by {key}")
        };
        say!("queue {} [{}] <- {exchange}{key}", q.name, args.join(" "));
    }
    drop(broker);
    shutdown.cancel();
    Ok(ExitCode::SUCCESS)
}

pub async fn healthcheck(config: &Config) -> anyhow::Result<ExitCode> {
    let mut healthy = true;
    match db::connect(config).await {
        Ok(pool) => match sqlx::query_scalar::<_, i64>("SELECT count(*) FROM _sqlx_migrations")
            .fetch_one(&pool)
            .await
        {
            Ok(n) => say!("postgres: ok ({n} migrations applied)"),
            Err(e) => {
                healthy = false;
                say!("postgres: reachable, but the schema is missing (run `bridge migrate`): {e}");
            }
        },
        Err(e) => {
            healthy = false;
            say!("postgres: {}", one_line(&e.into()));
        }
    }
    let shutdown = CancellationToken::new();
    match connect_broker(config, shutdown.clone()).await {
        Ok(_) => say!(
            "rabbitmq: ok (topology `{}` declared)",
            config.broker_prefix
        ),
        Err(e) => {
            healthy = false;
            say!("rabbitmq: {}", one_line(&e));
        }
    }
    shutdown.cancel();
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Starts `roles` in this process (with the emulators first when `sandbox` is given) and runs
/// until `shutdown` is cancelled.
pub async fn up(
    config: &Config,
    roles: Roles,
    sandbox: Option<sandbox::Args>,
    shutdown: CancellationToken,
) -> anyhow::Result<ExitCode> {
    let pool = db::prepare(config).await?;
    let (config, simulation) = match &sandbox {
        Some(args) => {
            let sandbox = sandbox::start(args, &shutdown).await?;
            sandbox.connect(&pool).await?;
            let config = sandbox.config(config);
            tracing::info!("sandbox running\n{}", sandbox.describe());
            (config, Some((sandbox, args.activity_every, args.seed)))
        }
        None => (config.clone(), None),
    };
    let broker = connect_broker(&config, shutdown.clone()).await?;
    let tracker = TaskTracker::new();
    let ingress = roles::start(roles, &config, &pool, &broker, &tracker, &shutdown).await?;
    if simulation.is_some()
        && let Some(addr) = ingress
    {
        // The sandbox's Procore calls the ingress like the real one would.
        let installed =
            procore_cmd::install_hook(&config, &pool, sandbox::CONNECTION, &addr).await?;
        tracing::info!("{installed}");
    }
    if let Some((sandbox, every, seed)) = simulation {
        tracker.spawn(sandbox.simulate(every, seed, shutdown.clone()));
    }
    tracker.close();
    tracing::info!(
        prefix = %config.broker_prefix,
        ingress = %config.ingress_addr,
        "bridge is ready"
    );
    shutdown.cancelled().await;
    if tokio::time::timeout(DRAIN_TIMEOUT, tracker.wait())
        .await
        .is_err()
    {
        tracing::warn!(
            "roles did not finish within {DRAIN_TIMEOUT:?}; unacked work returns to its queues"
        );
    }
    pool.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// Runs the emulators alone until `shutdown`.
pub async fn sandbox_only(
    args: sandbox::Args,
    shutdown: CancellationToken,
) -> anyhow::Result<ExitCode> {
    let sandbox = sandbox::start(&args, &shutdown).await?;
    say!("{}", sandbox.describe());
    say!(
        "maestro* key: {} ; Procore client secret: {}",
        sandbox.maestro_key,
        sandbox.client_secret
    );
    tokio::spawn(sandbox.simulate(args.activity_every, args.seed, shutdown.clone()));
    shutdown.cancelled().await;
    Ok(ExitCode::SUCCESS)
}

async fn connect_broker(config: &Config, shutdown: CancellationToken) -> anyhow::Result<Broker> {
    Broker::connect(
        config.amqp_url.clone(),
        Topology::from_config(config),
        config.connect_timeout,
        shutdown,
    )
    .await
    .map_err(anyhow::Error::from)
}

/// An error and its causes on one line, without repeating a cause that the message above it
/// already quotes.
pub fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if text.is_empty() || line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}
