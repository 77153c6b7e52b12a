//! `bridge procore hooks install|status|uninstall`: the Procore webhook hook of one connection
//! (docs/architecture.md, webhook ingress). The Procore side is `bridge_procore::install`; only
//! the digests of the hook's `Authorization` value are kept, on the connection. Installing and
//! removing a hook are writes: the pairing guard checks the connection first.

use crate::roles;
use anyhow::Context as _;
use bridge_domain::resources::SUBSCRIBED;
use bridge_platform::connections::{self, WebhookSecrets};
use bridge_platform::{Config, db};
use bridge_procore::Client;
use bridge_procore::install::{self, AcceptedSecrets, InstallSpec, StoreError};
use bridge_workers::flows::{ClientSecrets, Clients as _, PgClients};
use futures::future::BoxFuture;
use sqlx::PgPool;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

/// The namespace of the bridge's hooks, the same in every company.
pub const NAMESPACE: &str = "maestro-erp-bridge";

#[derive(clap::Subcommand)]
pub enum HooksCommand {
    /// Create the hook and its triggers (idempotent); stores only a digest of its secret.
    Install(InstallArgs),
    /// Show the hook with its failing and discarded deliveries.
    Status(ConnectionArg),
    /// Remove the hook and stop accepting its secret.
    Uninstall(ConnectionArg),
}

#[derive(clap::Args)]
pub struct ConnectionArg {
    #[arg(long)]
    connection: String,
}

#[derive(clap::Args)]
pub struct InstallArgs {
    #[arg(long)]
    connection: String,
    /// Payload version Procore sends: v2, v3 or v4.
    #[arg(long, default_value = "v2")]
    payload_version: String,
    /// Give the hook a new Authorization value (the old one stays accepted meanwhile).
    #[arg(long)]
    rotate: bool,
}

/// The connection's accepted digests, as `bridge_procore::install` keeps them.
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

/// The ingress URL of `connection` under `base`.
fn destination(base: &str, connection: &str) -> String {
    format!(
        "{}/webhooks/procore/{connection}",
        base.trim_end_matches('/')
    )
}

fn public_base(config: &Config) -> String {
    config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", config.ingress_addr))
}

pub async fn run(config: &Config, command: HooksCommand) -> anyhow::Result<ExitCode> {
    let pool = db::prepare(config).await?;
    let mut out = std::io::stdout().lock();
    let base = public_base(config);
    match command {
        HooksCommand::Install(args) => {
            let text = install(
                config,
                &pool,
                &args.connection,
                &base,
                &args.payload_version,
                args.rotate,
            )
            .await?;
            let _ = writeln!(out, "{text}");
        }
        HooksCommand::Status(args) => {
            let client = unguarded_client(config, &pool, &args.connection).await?;
            let target = destination(&base, &args.connection);
            let Some(status) = install::status(&client, NAMESPACE, &target, 20).await? else {
                let _ = writeln!(out, "no hook installed for connection {}", args.connection);
                return Ok(ExitCode::from(3));
            };
            let _ = writeln!(
                out,
                "hook {} -> {} ({} triggers, payload {})",
                status.hook_id,
                status.destination_url,
                status.triggers,
                status.payload_version.as_deref().unwrap_or("?")
            );
            let _ = writeln!(out, "failing deliveries: {}", status.failing.len());
            for d in &status.failing {
                let _ = writeln!(
                    out,
                    "  {} {} {} -> {} {}",
                    d.event_id,
                    d.resource_name.as_deref().unwrap_or("?"),
                    d.resource_id.as_deref().unwrap_or("?"),
                    d.response_status
                        .map_or_else(|| "no answer".to_owned(), |s| s.to_string()),
                    d.response_error.as_deref().unwrap_or("")
                );
            }
            let _ = writeln!(
                out,
                "discarded deliveries: {} (the reconciler brings these in)",
                status.discarded.len()
            );
            for d in &status.discarded {
                let _ = writeln!(
                    out,
                    "  {} {} {}",
                    d.event_id,
                    d.resource_name.as_deref().unwrap_or("?"),
                    d.resource_id.as_deref().unwrap_or("?")
                );
            }
        }
        HooksCommand::Uninstall(args) => {
            let (client, mut secrets) = guarded(config, &pool, &args.connection).await?;
            let target = destination(&base, &args.connection);
            let removed = install::uninstall(&client, NAMESPACE, &target).await?;
            secrets
                .forget()
                .await
                .context("forgetting the webhook authorization digests")?;
            let ids: Vec<String> = removed.iter().map(i64::to_string).collect();
            let _ = writeln!(out, "removed hooks: {}", ids.join(", "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Installs the hook of `connection` pointing at the ingress on `addr` (used by the sandbox).
pub async fn install_hook(
    config: &Config,
    pool: &PgPool,
    connection: &str,
    addr: &SocketAddr,
) -> anyhow::Result<String> {
    let base = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    install(config, pool, connection, &base, "v2", false).await
}

async fn install(
    config: &Config,
    pool: &PgPool,
    connection: &str,
    base: &str,
    payload_version: &str,
    rotate: bool,
) -> anyhow::Result<String> {
    let (client, secrets) = guarded(config, pool, connection).await?;
    let spec = InstallSpec {
        namespace: NAMESPACE.to_owned(),
        destination_url: destination(base, connection),
        payload_version: payload_version.to_owned(),
        rotate_secret: rotate,
    };
    let installed = install::install(&client, &spec, SUBSCRIBED, &mut Accepted(secrets)).await?;
    let mut text = format!(
        "hook {} {} for {}: {} triggers added, {} already there, {} not subscribable",
        installed.hook_id,
        if installed.created {
            "created"
        } else {
            "found"
        },
        spec.destination_url,
        installed.added.len(),
        installed.present.len(),
        installed.not_subscribable.len(),
    );
    for (trigger, reason) in &installed.rejected {
        text.push_str(&format!(
            "\n  refused by Procore: {} {}: {reason}",
            trigger.resource, trigger.event_type
        ));
    }
    Ok(text)
}

/// The connection's Procore client once the pairing guard accepts the connection, with its
/// accepted digests.
async fn guarded(
    config: &Config,
    pool: &PgPool,
    connection: &str,
) -> anyhow::Result<(Arc<Client>, WebhookSecrets)> {
    let secrets = WebhookSecrets::load(pool, connection)
        .await
        .context("reading the connection")?
        .with_context(|| format!("no connection named `{connection}`"))?;
    let clients = PgClients::new(pool.clone(), ClientSecrets::from_config(config));
    let client = clients.procore(secrets.connection_id).await?;
    Ok((client, secrets))
}

/// The connection's Procore client for reading only (no pairing check).
async fn unguarded_client(
    config: &Config,
    pool: &PgPool,
    connection: &str,
) -> anyhow::Result<Client> {
    let c = connections::procore_settings_by_name(pool, connection)
        .await?
        .with_context(|| format!("no connection named `{connection}`"))?;
    roles::procore_client(config, &c)
}
