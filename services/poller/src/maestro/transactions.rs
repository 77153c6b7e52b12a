//! The transactions of the eligible projects (project costs and order invoices), and the
//! project's transaction cursor in maestro*, which moves only past finished dates.

use super::{PassReport, Target, event, plan, problem};
use anyhow::Context as _;
use bridge_domain::{Direction, EntityKind};
use bridge_maestro::{Project, Transaction, TransactionFilter};
use bridge_platform::inbox::NewEvent;
use bridge_platform::sync_items;
use chrono::NaiveDate;
use sqlx::PgPool;
use std::collections::{BTreeMap, HashSet};

/// The rows of every due transaction of `projects` whose kind is among `kinds`; moves each
/// project's cursor past what is finished.
pub(super) async fn events(
    pool: &PgPool,
    target: &Target<'_>,
    projects: &[Project],
    kinds: &[EntityKind],
    report: &mut PassReport,
) -> anyhow::Result<Vec<NewEvent>> {
    let mut events = Vec::new();
    let mut verified = false;
    for p in projects {
        let code = p.code.as_str();
        let filter = TransactionFilter::eligible_for(p);
        let transactions = match target.api.transactions(&filter).await {
            Ok(t) => t,
            Err(e) => {
                let message = format!(
                    "the transactions of project {code} ({}) could not be read from maestro*: {e}",
                    p.description
                );
                problem(
                    pool,
                    target,
                    EntityKind::ProjectCost,
                    code,
                    &message,
                    report,
                )
                .await?;
                continue;
            }
        };
        let due: Vec<&Transaction> = transactions
            .iter()
            .filter(|t| plan::transaction_due(p, t))
            .collect();
        for t in &due {
            let kind = plan::transaction_kind(t);
            if !kinds.contains(&kind) {
                continue;
            }
            let payload = serde_json::to_value(t).unwrap_or_default();
            let key = plan::transaction_key(kind, t);
            events.push(event(target, kind, key, &t.id, Some(code), payload));
        }
        if let Some(date) = advance_cursor(pool, target, p, &due, &mut verified).await? {
            report.cursors_advanced.insert(code.to_owned(), date);
        }
    }
    Ok(events)
}

/// Moves the project's last successful transaction date to the latest date whose every
/// transaction (and every earlier one) is finished: synced, skipped or dead-lettered.
async fn advance_cursor(
    pool: &PgPool,
    target: &Target<'_>,
    p: &Project,
    due: &[&Transaction],
    verified: &mut bool,
) -> anyhow::Result<Option<NaiveDate>> {
    if due.is_empty() {
        return Ok(None);
    }
    let mut by_kind: BTreeMap<EntityKind, Vec<String>> = BTreeMap::new();
    for t in due {
        by_kind
            .entry(plan::transaction_kind(t))
            .or_default()
            .push(t.id.clone());
    }
    let mut finished = HashSet::new();
    for (kind, keys) in by_kind {
        let statuses = sync_items::statuses(
            pool,
            target.connection_id,
            kind,
            Direction::ToProcore,
            &keys,
        )
        .await?;
        finished.extend(
            statuses
                .into_iter()
                .filter(|(_, s)| plan::finished(s))
                .map(|(k, _)| k),
        );
    }
    let Some(date) = plan::next_cursor(p.procore.last_transaction_date, due, &finished) else {
        return Ok(None);
    };
    if !*verified {
        // The pairing guard (docs/rules.md): the cursor is a write to maestro*, so the
        // company's real class is checked against the Procore environment first, once a pass.
        let listed = bridge_maestro::company_classes(target.api)
            .await
            .context("asking maestro* for its companies' class (pairing guard)")?;
        bridge_platform::connections::verified_pairing(pool, target.connection_id, &listed)
            .await
            .context("the pairing guard refused to move the transaction cursor")?;
        *verified = true;
    }
    target
        .api
        .set_last_transaction_date(&p.code, date)
        .await
        .with_context(|| format!("moving the transaction date of project {}", p.code.as_str()))?;
    sync_items::set_cursor(
        pool,
        target.connection_id,
        "maestro:last_transaction_date",
        p.code.as_str(),
        &date.to_string(),
    )
    .await?;
    Ok(Some(date))
}
