//! What a handler decided about one message.

use bridge_domain::EntityKind;
use serde::Serialize;

/// The result of handling one message. One place ([`crate::engine`]) maps it to ack, retry
/// tier or dead letter.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Written to the target (or found there already); the link, when there is one, is
    /// recorded with the sync item.
    Synced {
        link: Option<SyncedLink>,
        description: Option<String>,
        notes: Vec<Note>,
    },
    /// Deliberately not written, with the reason the user reads.
    Skipped {
        reason: String,
        description: Option<String>,
    },
    /// Cannot be written until `Dependency` is linked; waits through the retry tiers and is
    /// woken as soon as the link appears.
    Wait(Dependency),
    /// A transient failure (timeout, 5xx, connection loss): try again later.
    Retry(String),
    /// Held by Procore's API call limit: tried again through the retry tiers, shown as
    /// "waiting for API limit" (it resumes by itself).
    ApiLimit(String),
    /// An error the user can fix in the source system (a project without its dates): shown
    /// as `failed`, tried again through the retry tiers, dead-lettered after the last.
    Fail(String),
    /// A permanent failure (validation refused, mapping impossible): dead-lettered.
    Dead(String),
}

/// The link a synced record leaves behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncedLink {
    pub maestro_key: String,
    pub procore_id: i64,
    pub procore_project_id: Option<i64>,
    /// `created_in_procore`, `created_in_maestro` or `linked_by_code`.
    pub origin: &'static str,
}

/// Something a record needs before it can be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    pub kind: EntityKind,
    /// The maestro* key of the record waited for.
    pub maestro_key: String,
    /// In the user's words, e.g. "supplier BETON01 is not linked to Procore".
    pub description: String,
}

impl Dependency {
    /// The key stored in `sync_items.waiting_on`; a new link with the same key wakes the item.
    pub fn key(&self) -> String {
        waiting_key(self.kind, &self.maestro_key)
    }
}

/// The `waiting_on` key of a link.
pub fn waiting_key(kind: EntityKind, maestro_key: &str) -> String {
    format!("{kind}:{maestro_key}")
}

/// The key a dependency is waited on by when maestro* gives the record its number only when
/// it creates it (a subcontract, a billing contract): the record's Procore id. Every new link
/// wakes both its maestro* key and this one.
pub fn procore_key(procore_id: i64) -> String {
    format!("procore:{procore_id}")
}

/// A warning or information kept on the sync item (truncation, optional data missing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub level: NoteLevel,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteLevel {
    Info,
    Warning,
    Error,
}

impl Note {
    pub fn warning(text: impl Into<String>) -> Self {
        Note {
            level: NoteLevel::Warning,
            text: text.into(),
        }
    }

    pub fn error(text: impl Into<String>) -> Self {
        Note {
            level: NoteLevel::Error,
            text: text.into(),
        }
    }
}

impl From<bridge_domain::text::Warning> for Note {
    fn from(warning: bridge_domain::text::Warning) -> Self {
        Note::warning(warning.0)
    }
}

/// Notes of a list of domain warnings.
pub fn warnings(list: Vec<bridge_domain::text::Warning>) -> Vec<Note> {
    list.into_iter().map(Note::from).collect()
}

/// How a record held by Procore's API call limit reads in the synchronization window
/// (rules §3, "Status a user sees"): it resumes by itself.
pub const WAITING_FOR_API_LIMIT: &str = "waiting for API limit";

/// The `waiting_on` value of an item held by Procore's call limit (no link wakes it; its
/// retry tier does).
pub const API_LIMIT_WAITING_ON: &str = "procore:api_limit";

impl Outcome {
    /// Held by Procore's call limit; the reason starts with [`WAITING_FOR_API_LIMIT`].
    pub fn api_limit(detail: impl std::fmt::Display) -> Outcome {
        Outcome::ApiLimit(format!("{WAITING_FOR_API_LIMIT}: {detail}"))
    }

    /// The `sync_attempts.outcome` value.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Synced { .. } => "synced",
            Outcome::Skipped { .. } => "skipped",
            Outcome::Wait(_) => "wait",
            Outcome::Retry(_) | Outcome::ApiLimit(_) | Outcome::Fail(_) => "retry",
            Outcome::Dead(_) => "dead",
        }
    }
}
