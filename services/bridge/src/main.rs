//! `bridge`: the one binary. Each subcommand is a process role or an operator's task; the
//! work itself lives in the libraries.

mod infra;
mod preview;
mod procore_cmd;
mod roles;
mod sandbox;
mod sync_now;

use bridge_platform::{Config, telemetry};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: every request allocates and frees many small
/// buffers across threads, where glibc's malloc spent a seventh of the ingress's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "bridge",
    version,
    about = "Keeps maestro* and Procore in step."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the database when missing and apply pending migrations.
    Migrate,
    /// Run every role in one process until SIGINT or SIGTERM.
    Up {
        /// Also start the Procore and maestro* emulators, seeded with a half-synchronized
        /// company, connect them and simulate their users.
        #[arg(long)]
        sandbox: bool,
        #[command(flatten)]
        sandbox_args: sandbox::Args,
    },
    /// Run the Procore and maestro* emulators only.
    Sandbox(sandbox::Args),
    /// Run only the Procore webhook ingress.
    Ingress,
    /// Run only the outbox relay, the maestro* poller and the Procore reconciler.
    Poller,
    /// Run only the sync workers and the dead-letter archiver.
    Worker,
    /// Procore: webhook registration.
    #[command(subcommand)]
    Procore(ProcoreCommand),
    /// Synchronization on demand.
    #[command(subcommand)]
    Sync(SyncCommand),
    /// Declare the RabbitMQ exchanges and queues, then print them.
    Topology,
    /// Check that Postgres and RabbitMQ answer; exit non-zero if not.
    Healthcheck,
}

#[derive(Subcommand)]
enum ProcoreCommand {
    /// The webhook that feeds the ingress.
    #[command(subcommand)]
    Hooks(procore_cmd::HooksCommand),
}

#[derive(Subcommand)]
enum SyncCommand {
    /// One poller pass now (maestro*'s "Synchronize" button); prints what it emitted.
    Now(sync_now::Args),
    /// What would be sent to Procore, record by record, writing nothing; exit 3 when some
    /// record would fail.
    Preview(preview::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format, &config.log_filter);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command, config)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", infra::one_line(&e));
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, config: Config) -> anyhow::Result<ExitCode> {
    match command {
        Command::Migrate => infra::migrate(&config).await,
        Command::Topology => infra::topology(&config).await,
        Command::Healthcheck => infra::healthcheck(&config).await,
        Command::Up {
            sandbox,
            sandbox_args,
        } => serve(&config, roles::Roles::ALL, sandbox.then_some(sandbox_args)).await,
        Command::Sandbox(args) => {
            let shutdown = CancellationToken::new();
            tokio::spawn(stop_on_signal(shutdown.clone()));
            infra::sandbox_only(args, shutdown).await
        }
        Command::Ingress => {
            let only = roles::Roles {
                ingress: true,
                ..roles::Roles::NONE
            };
            serve(&config, only, None).await
        }
        Command::Poller => {
            let only = roles::Roles {
                relay: true,
                maestro_poller: true,
                reconciler: true,
                ..roles::Roles::NONE
            };
            serve(&config, only, None).await
        }
        Command::Worker => {
            let only = roles::Roles {
                workers: true,
                ..roles::Roles::NONE
            };
            serve(&config, only, None).await
        }
        Command::Procore(ProcoreCommand::Hooks(command)) => {
            procore_cmd::run(&config, command).await
        }
        Command::Sync(SyncCommand::Now(args)) => sync_now::run(&config, args).await,
        Command::Sync(SyncCommand::Preview(args)) => preview::run(&config, args).await,
    }
}

async fn serve(
    config: &Config,
    roles: roles::Roles,
    sandbox: Option<sandbox::Args>,
) -> anyhow::Result<ExitCode> {
    let shutdown = CancellationToken::new();
    tokio::spawn(stop_on_signal(shutdown.clone()));
    infra::up(config, roles, sandbox, shutdown).await
}

/// Cancels `shutdown` on the first SIGINT or SIGTERM.
async fn stop_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("stop requested; finishing in-flight work");
    shutdown.cancel();
}
