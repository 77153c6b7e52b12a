//! A row waiting in the outbox as read back from Postgres, and how it becomes a message.
//!
//! Rows written by this process and handed to its own relay never come through here: they
//! travel as typed [`ChangeEvent`]s (see `relay::Handoff`). Only rows read back (the
//! sweeper's, a replay's) are parsed, and a row that names no known route or source is
//! refused with a typed reason.

use bridge_domain::{Action, ChangeEvent, Direction, EntityKind, Envelope, Source, UnknownName};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The columns of [`PendingEvent`], as read from the inbox.
pub(super) const PENDING_COLUMNS: &str = "SELECT id, connection_id, source, dedup_key, kind, \
     direction, record, project, action, occurred_at FROM inbox";

/// A pending row, as the sweeper reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PendingEvent {
    pub id: Uuid,
    pub connection_id: i64,
    pub source: String,
    pub dedup_key: String,
    pub kind: Option<String>,
    pub direction: Option<String>,
    pub record: Option<String>,
    pub project: Option<String>,
    pub action: Option<String>,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// Why a row read back from the inbox cannot become a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unpublishable {
    /// Its kind or direction is not one the bridge knows (a row from a newer version, or
    /// an ignored row).
    #[error(transparent)]
    Route(#[from] UnknownName),
    #[error("unknown source `{0}`")]
    Source(String),
}

impl PendingEvent {
    /// The message for this row, or why none can be made.
    pub fn envelope(&self) -> Result<Envelope, Unpublishable> {
        let kind: EntityKind = self.kind.as_deref().unwrap_or_default().parse()?;
        let direction: Direction = self.direction.as_deref().unwrap_or_default().parse()?;
        let source =
            parse_source(&self.source).ok_or_else(|| Unpublishable::Source(self.source.clone()))?;
        let action = match self.action.as_deref() {
            Some("create") => Action::Create,
            Some("delete") => Action::Delete,
            _ => Action::Update,
        };
        Ok(Envelope::ChangeV1(ChangeEvent {
            event_id: self.id,
            connection_id: self.connection_id,
            kind,
            direction,
            source,
            action,
            record: self.record.clone().unwrap_or_default(),
            project: self.project.clone(),
            occurred_at: self.occurred_at.unwrap_or_else(Utc::now),
            dedup_key: self.dedup_key.clone(),
        }))
    }
}

/// A source's name in the inbox's `source` column.
pub fn source_name(source: Source) -> &'static str {
    match source {
        Source::ProcoreWebhook => "procore_webhook",
        Source::ProcoreReconciler => "procore_reconciler",
        Source::MaestroPoller => "maestro_poller",
        Source::Replay => "replay",
        Source::Manual => "manual",
    }
}

fn parse_source(name: &str) -> Option<Source> {
    [
        Source::ProcoreWebhook,
        Source::ProcoreReconciler,
        Source::MaestroPoller,
        Source::Replay,
        Source::Manual,
    ]
    .into_iter()
    .find(|s| source_name(*s) == name)
}

pub(super) fn action_name(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update",
        Action::Delete => "delete",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(kind: &str, direction: &str, source: &str) -> PendingEvent {
        PendingEvent {
            id: Uuid::nil(),
            connection_id: 3,
            source: source.into(),
            dedup_key: "k".into(),
            kind: Some(kind.into()),
            direction: Some(direction.into()),
            record: Some("42".into()),
            project: Some("7".into()),
            action: Some("create".into()),
            occurred_at: None,
        }
    }

    #[test]
    fn a_row_becomes_a_message_or_says_why_not() {
        let cases = [
            (row("purchase_order", "to_maestro", "procore_webhook"), None),
            (
                row("purchase_orders", "to_maestro", "procore_webhook"),
                Some("unknown entity kind `purchase_orders`"),
            ),
            (
                row("purchase_order", "sideways", "procore_webhook"),
                Some("unknown direction `sideways`"),
            ),
            (
                row("purchase_order", "to_maestro", "fax"),
                Some("unknown source `fax`"),
            ),
        ];
        for (row, refused) in cases {
            match (row.envelope(), refused) {
                (Ok(Envelope::ChangeV1(e)), None) => {
                    assert_eq!(e.record, "42");
                    assert_eq!(e.action, Action::Create);
                    assert_eq!(e.source, Source::ProcoreWebhook);
                }
                (Err(e), Some(start)) => assert!(e.to_string().starts_with(start), "{e}"),
                (other, want) => panic!("{other:?}, expected {want:?}"),
            }
        }
    }

    #[test]
    fn every_source_name_reads_back() {
        for s in [
            Source::ProcoreWebhook,
            Source::ProcoreReconciler,
            Source::MaestroPoller,
            Source::Replay,
            Source::Manual,
        ] {
            assert_eq!(parse_source(source_name(s)), Some(s));
        }
    }
}
