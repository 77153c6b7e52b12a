//! `bridge procore hooks install|status|uninstall`: the Procore webhook that feeds the ingress.

use crate::roles;
use anyhow::Context as _;
use bridge_platform::{Config, connections, db};
use bridge_poller::hooks::{self, HookSpec};

use sqlx::PgPool;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;

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

pub async fn run(config: &Config, command: HooksCommand) -> anyhow::Result<ExitCode> {
    let pool = db::prepare(config).await?;
    let mut out = std::io::stdout().lock();
    match command {
        HooksCommand::Install(args) => {
            let base = config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}", config.ingress_addr));
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
            let client = client(config, &pool, &args.connection).await?;
            match hooks::status(&client, NAMESPACE, 20).await? {
                None => {
                    let _ = writeln!(out, "no hook installed for connection {}", args.connection);
                    return Ok(ExitCode::from(3));
                }
                Some(status) => {
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
                            "  {} {} {} -> {:?} {}",
                            d.event_id,
                            d.resource_name.as_deref().unwrap_or("?"),
                            d.resource_id.as_deref().unwrap_or("?"),
                            d.response_status,
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
            }
        }
        HooksCommand::Uninstall(args) => {
            let client = client(config, &pool, &args.connection).await?;
            let removed = hooks::uninstall(&client, &pool, &args.connection, NAMESPACE).await?;
            let _ = writeln!(out, "{removed:?}");
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
    let client = client(config, pool, connection).await?;
    let spec = HookSpec {
        namespace: NAMESPACE.to_owned(),
        destination_url: format!("{base}/webhooks/procore/{connection}"),
        payload_version: payload_version.to_owned(),
        rotate_secret: rotate,
    };
    let installed = hooks::install(&client, pool, connection, &spec).await?;
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
        text.push_str(&format!("\n  refused by Procore: {trigger:?}: {reason}"));
    }
    Ok(text)
}

async fn client(
    config: &Config,
    pool: &PgPool,
    connection: &str,
) -> anyhow::Result<bridge_procore::Client> {
    let c = connections::procore_settings_by_name(pool, connection)
        .await?
        .with_context(|| format!("no connection named `{connection}`"))?;
    roles::procore_client(config, &c)
}
