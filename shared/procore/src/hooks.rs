//! Webhook management: hooks in our namespace, triggers in bulk (at most 500 per call), for a
//! company or a project scope.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::client::{Client, query};
use crate::error::Result;
use crate::models::{Hook, Trigger};

/// Where a hook lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HookScope {
    Company(i64),
    Project(i64),
}

impl HookScope {
    fn pair(self) -> (&'static str, i64) {
        match self {
            HookScope::Company(id) => ("company_id", id),
            HookScope::Project(id) => ("project_id", id),
        }
    }
}

/// The hook to create or update.
#[derive(Clone, Debug)]
pub struct HookSpec {
    pub scope: HookScope,
    /// Payload version: `v2`, `v3` or `v4`.
    pub api_version: String,
    /// Lowercase `a-z`, `0-9`, `-`.
    pub namespace: String,
    pub destination_url: String,
    /// Sent back verbatim as the delivery's `Authorization` header.
    pub authorization: String,
}

#[derive(Deserialize)]
struct BulkAnswer {
    #[serde(default)]
    success: Vec<Trigger>,
    #[serde(default)]
    failures: Vec<Value>,
}

/// Triggers created, and the raw entries Procore refused.
#[derive(Debug)]
pub struct BulkTriggers {
    pub created: Vec<Trigger>,
    pub refused: Vec<Value>,
}

impl Client {
    /// Hooks of `namespace` in a scope.
    pub async fn hooks(&self, scope: HookScope, namespace: &str) -> Result<Vec<Hook>> {
        let (key, id) = scope.pair();
        self.get(
            "rest/v1.0/webhooks/hooks",
            &query([(key, id.to_string()), ("namespace", namespace.to_string())]),
        )
        .await
    }

    pub async fn create_hook(&self, spec: &HookSpec) -> Result<Hook> {
        let (key, id) = spec.scope.pair();
        let body = json!({ key: id, "hook": { "api_version": spec.api_version, "namespace": spec.namespace, "destination_url": spec.destination_url, "destination_headers": { "Authorization": spec.authorization } } });
        self.post("rest/v1.0/webhooks/hooks", &[], &body).await
    }

    /// Rotates the `Authorization` value (or moves the destination).
    pub async fn update_hook(&self, hook_id: i64, spec: &HookSpec) -> Result<Hook> {
        let (key, id) = spec.scope.pair();
        let body = json!({ key: id, "hook": { "destination_url": spec.destination_url, "destination_headers": { "Authorization": spec.authorization } } });
        self.patch(&format!("rest/v1.0/webhooks/hooks/{hook_id}"), &[], &body)
            .await
    }

    /// Creates `(resource_name, event_type)` triggers in chunks of 500.
    pub async fn create_triggers(
        &self,
        hook_id: i64,
        scope: HookScope,
        api_version: &str,
        triggers: &[(&str, &str)],
    ) -> Result<BulkTriggers> {
        let (key, id) = scope.pair();
        let mut out = BulkTriggers {
            created: Vec::new(),
            refused: Vec::new(),
        };
        for chunk in triggers.chunks(500) {
            let list: Vec<Value> = chunk
                .iter()
                .map(|(r, e)| json!({ "resource_name": r, "event_type": e }))
                .collect();
            let body = json!({ key: id, "api_version": api_version, "triggers": list });
            let answer: BulkAnswer = self
                .post(
                    &format!("rest/v1.0/webhooks/hooks/{hook_id}/triggers/bulk"),
                    &[],
                    &body,
                )
                .await?;
            out.created.extend(answer.success);
            out.refused.extend(answer.failures);
        }
        Ok(out)
    }

    pub async fn triggers(&self, hook_id: i64, scope: HookScope) -> Result<Vec<Trigger>> {
        let (key, id) = scope.pair();
        self.get(
            &format!("rest/v1.0/webhooks/hooks/{hook_id}/triggers"),
            &query([(key, id)]),
        )
        .await
    }

    /// Adds an existing company vendor to a project's directory.
    pub async fn add_vendor_to_project(&self, project_id: i64, vendor_id: i64) -> Result<()> {
        self.send(
            reqwest::Method::POST,
            &format!("rest/v1.0/projects/{project_id}/vendors/{vendor_id}/actions/add"),
            &[],
            None,
        )
        .await
        .map(|_| ())
    }
}
