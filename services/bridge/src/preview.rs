//! `bridge sync preview`: what the flows would send to Procore, record by record, with its
//! warnings and errors, writing nothing (docs/rules.md's "View Budgets" and "See Transactions").
//! Exit status 0, or 3 when some record would fail.

use anyhow::Context as _;
use bridge_domain::EntityKind;
use bridge_maestro::ProjectCode;
use bridge_platform::{Config, connections, db};
use bridge_workers::Context;
use bridge_workers::flows::preview::{self, KINDS, Preview, Row};
use bridge_workers::flows::{ClientSecrets, PgClients};
use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub enum Format {
    /// A table an accountant reads.
    #[default]
    Table,
    /// One JSON document: rows and records left out.
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// The connection's name.
    #[arg(long)]
    connection: String,
    /// `project`, `supplier`, `customer`, `employee`, `original_budget`, `project_cost` or
    /// `order_invoice`.
    #[arg(long)]
    kind: String,
    /// Only this maestro* project (for projects, budgets and costs).
    #[arg(long)]
    project: Option<String>,
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub async fn run(config: &Config, args: Args) -> anyhow::Result<ExitCode> {
    let kind: EntityKind = args.kind.parse()?;
    if !KINDS.contains(&kind) {
        anyhow::bail!(
            "`{kind}` cannot be previewed; kinds that can: {}",
            KINDS.map(EntityKind::as_str).join(", ")
        );
    }
    let project = args
        .project
        .map(ProjectCode::new)
        .transpose()
        .context("--project")?;
    // Connect only: a preview neither creates the database nor migrates it.
    let pool = db::connect(config).await?;
    let settings = connections::maestro_settings_by_name(&pool, &args.connection)
        .await?
        .with_context(|| format!("no connection named `{}`", args.connection))?;
    let clients = Arc::new(PgClients::new(
        pool.clone(),
        ClientSecrets::from_config(config),
    ));
    let ctx = Context { pool };
    let found = preview::preview(&ctx, clients, settings.id, kind, project.as_ref()).await?;
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Table => {
            let _ = out.write_all(table(kind, &found).as_bytes());
        }
        Format::Json => {
            let _ = serde_json::to_writer_pretty(&mut out, &found);
            let _ = writeln!(out);
        }
    }
    Ok(if found.would_fail() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

const HEADERS: [&str; 4] = ["CODE", "DESCRIPTION", "WOULD SEND", "STATUS"];

fn status(row: &Row) -> String {
    match (row.errors.len(), row.warnings.len()) {
        (0, 0) => "ok".into(),
        (0, w) => format!("{w} warning(s)"),
        (e, _) => format!("FAILS: {e} error(s)"),
    }
}

/// The preview as a table (code, description, what would be sent, status), each record's
/// warnings and errors on the lines under it, then a summary.
pub fn table(kind: EntityKind, preview: &Preview) -> String {
    let cells: Vec<[String; 4]> = preview
        .rows
        .iter()
        .map(|r| {
            [
                r.code.clone(),
                r.description.clone(),
                r.sent.clone(),
                status(r),
            ]
        })
        .collect();
    let mut widths = HEADERS.map(|h| h.chars().count());
    for row in &cells {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 4]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut text = line(HEADERS);
    for (row, cells) in preview.rows.iter().zip(&cells) {
        text.push_str(&line(cells.each_ref().map(String::as_str)));
        for w in &row.warnings {
            text.push_str(&format!("    warning: {w}\n"));
        }
        for e in &row.errors {
            text.push_str(&format!("    error: {e}\n"));
        }
    }
    let failing = preview.rows.iter().filter(|r| !r.errors.is_empty()).count();
    text.push_str(&format!(
        "\n{kind}: {} to send, {failing} would fail, {} left out (not eligible or already linked)\n",
        preview.rows.len() - failing,
        preview.left_out.len()
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(code: &str, warnings: &[&str], errors: &[&str]) -> Row {
        Row {
            code: code.into(),
            description: format!("supplier {code}"),
            sent: "new Procore company".into(),
            warnings: warnings.iter().map(|w| w.to_string()).collect(),
            errors: errors.iter().map(|e| e.to_string()).collect(),
            payload: None,
        }
    }

    #[test]
    fn the_table_shows_each_record_its_warnings_errors_and_a_summary() {
        let preview = Preview {
            rows: vec![
                row("BETON01", &[], &[]),
                row("ACIER", &["name cut to 60"], &[]),
                row("BOIS", &[], &["no email"]),
            ],
            left_out: Vec::new(),
        };
        let text = table(EntityKind::Supplier, &preview);
        let lines: Vec<&str> = text.lines().collect();
        let expected = [
            "CODE     DESCRIPTION       WOULD SEND           STATUS",
            "BETON01  supplier BETON01  new Procore company  ok",
            "ACIER    supplier ACIER    new Procore company  1 warning(s)",
            "    warning: name cut to 60",
            "BOIS     supplier BOIS     new Procore company  FAILS: 1 error(s)",
            "    error: no email",
            "",
            "supplier: 2 to send, 1 would fail, 0 left out (not eligible or already linked)",
        ];
        assert_eq!(lines, expected);
    }
}
