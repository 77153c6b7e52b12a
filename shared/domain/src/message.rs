//! The message that carries one change from the inbox to a worker.
//!
//! Events are thin on purpose: a worker always reloads the record from its source system, so
//! a message only says *which* record changed, never *what* it now contains.

use crate::entity::{Direction, EntityKind, Route};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Every message on the broker, tagged with its type and version so that a newer producer and
/// an older consumer fail loudly instead of misreading each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Envelope {
    #[serde(rename = "change.v1")]
    ChangeV1(ChangeEvent),
}

/// Where a change was first seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A webhook delivered by Procore to the ingress.
    ProcoreWebhook,
    /// The Procore reconciler, listing records updated since its watermark.
    ProcoreReconciler,
    /// The maestro* poller.
    MaestroPoller,
    /// Support replayed a dead letter.
    Replay,
    /// Someone asked for a synchronization by hand (`bridge sync now`).
    Manual,
}

/// What happened to the record in its source system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Create,
    Update,
    Delete,
}

/// One change of one record, on its way to the other system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeEvent {
    /// The inbox row this message was published from.
    pub event_id: Uuid,
    /// The connection (one maestro* company paired with one Procore company).
    pub connection_id: i64,
    pub kind: EntityKind,
    pub direction: Direction,
    pub source: Source,
    pub action: Action,
    /// The record's key in its source system: a Procore id or a maestro* code.
    pub record: String,
    /// The project the record belongs to, when it belongs to one (Procore project id or
    /// maestro* project number, on the source side).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// When the source system says the change happened.
    pub occurred_at: DateTime<Utc>,
    /// The inbox dedup key, kept so that a worker's logs can name the delivery.
    pub dedup_key: String,
}

impl ChangeEvent {
    /// The queue route this event travels on.
    pub fn route(&self) -> Route {
        Route {
            kind: self.kind,
            direction: self.direction,
        }
    }
}

impl Envelope {
    pub fn route(&self) -> Route {
        match self {
            Envelope::ChangeV1(e) => e.route(),
        }
    }

    /// Serializes to the JSON body published on the broker.
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing a plain struct of strings, numbers and dates cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Reads a body taken from the broker, with an error that names what was wrong.
    pub fn from_bytes(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Envelope {
        Envelope::ChangeV1(ChangeEvent {
            event_id: Uuid::nil(),
            connection_id: 7,
            kind: EntityKind::ProjectCost,
            direction: Direction::ToProcore,
            source: Source::MaestroPoller,
            action: Action::Create,
            record: "P-1001/TX-88".into(),
            project: Some("P-1001".into()),
            occurred_at: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            dedup_key: "maestro:tx:88".into(),
        })
    }

    #[test]
    fn envelope_is_tagged_and_round_trips() {
        let bytes = sample().to_bytes();
        let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(json["type"], "change.v1");
        assert_eq!(json["kind"], "project_cost");
        assert_eq!(json["direction"], "to_procore");
        assert_eq!(Envelope::from_bytes(&bytes).unwrap(), sample());
        assert_eq!(sample().route().routing_key(), "project_cost.to_procore");
    }

    #[test]
    fn an_unknown_version_is_refused() {
        let mut json: serde_json::Value = serde_json::from_slice(&sample().to_bytes()).unwrap();
        json["type"] = "change.v9".into();
        let err = Envelope::from_bytes(json.to_string().as_bytes()).unwrap_err();
        assert!(err.to_string().contains("change.v9"), "{err}");
    }
}
