//! `bridge sync now`: one maestro* poller pass on demand, the seeds' "Synchronize" button.

use crate::roles;
use anyhow::Context as _;
use bridge_domain::{Direction, EntityKind};
use bridge_maestro::ProjectCode;
use bridge_platform::connections;
use bridge_platform::{Config, db};
use bridge_poller::maestro::{self, KINDS, Target};
use std::io::Write as _;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The connection's name.
    #[arg(long)]
    connection: String,
    /// An entity kind (`project_cost`, `supplier`, ...) or `all`.
    #[arg(long, default_value = "all")]
    kind: String,
    /// Only this maestro* project (for project-scoped kinds).
    #[arg(long)]
    project: Option<String>,
}

pub async fn run(config: &Config, args: Args) -> anyhow::Result<ExitCode> {
    let kinds: Vec<EntityKind> = if args.kind == "all" {
        KINDS.to_vec()
    } else {
        let kind: EntityKind = args.kind.parse()?;
        if !KINDS.contains(&kind) {
            let direction = if kind.travels(Direction::ToProcore) {
                "maestro* → Procore"
            } else {
                "Procore → maestro*"
            };
            anyhow::bail!(
                "`{kind}` travels {direction} and is not read by the maestro* poller; \
                 kinds it reads: {}",
                KINDS.map(EntityKind::as_str).join(", ")
            );
        }
        vec![kind]
    };
    let project = args
        .project
        .map(ProjectCode::new)
        .transpose()
        .context("--project")?;
    let pool = db::prepare(config).await?;
    let settings = connections::maestro_settings_by_name(&pool, &args.connection)
        .await?
        .with_context(|| format!("no connection named `{}`", args.connection))?;
    let api = roles::maestro_client(config, &settings)?;
    let target = Target {
        connection_id: settings.id,
        prefix: settings.maestro_prefix.as_deref(),
        api: api.as_ref(),
    };
    let report = maestro::poll(&pool, &target, &kinds, project.as_ref()).await?;
    let mut out = std::io::stdout().lock();
    for kind in &kinds {
        let emitted = report.emitted.get(kind).copied().unwrap_or(0);
        let sent = report.already_sent.get(kind).copied().unwrap_or(0);
        let _ = writeln!(out, "{kind}: {emitted} emitted, {sent} already sent");
    }
    for (project, date) in &report.cursors_advanced {
        let _ = writeln!(
            out,
            "project {project}: last successful transaction date now {date}"
        );
    }
    for problem in &report.problems {
        let _ = writeln!(out, "problem: {problem}");
    }
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}
