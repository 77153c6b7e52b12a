//! Webhook management: hooks in our namespace, triggers in bulk (at most 500 per call), for a
//! company or a project scope.

use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::client::{Client, query};
use crate::error::Result;
use crate::install_plan::ResourceInfo;
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
    #[serde(default, alias = "failure", alias = "errors")]
    failures: Vec<Value>,
}

/// Triggers created, and the raw entries Procore refused.
#[derive(Debug)]
pub struct BulkTriggers {
    pub created: Vec<Trigger>,
    pub refused: Vec<Value>,
}

const HOOKS: &str = "rest/v1.0/webhooks/hooks";

/// A hook as Procore lists it. Its `Authorization` value is kept only to check it against the
/// accepted digests, and never shown by `Debug`.
#[derive(Clone, Deserialize)]
pub struct HookEntry {
    pub id: i64,
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub destination_url: String,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    destination_headers: Option<Map<String, Value>>,
}

impl HookEntry {
    /// The `Authorization` value Procore sends, when it shows it.
    pub fn authorization(&self) -> Option<&str> {
        self.destination_headers
            .as_ref()?
            .get("Authorization")?
            .as_str()
    }
}

impl std::fmt::Debug for HookEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookEntry")
            .field("id", &self.id)
            .field("namespace", &self.namespace)
            .field("destination_url", &self.destination_url)
            .field("api_version", &self.api_version)
            .finish_non_exhaustive()
    }
}

/// The fields of a hook to change; `None` leaves a field as it is.
#[derive(Clone, Default)]
pub struct HookChange {
    pub destination_url: Option<String>,
    pub api_version: Option<String>,
    pub authorization: Option<String>,
}

impl HookChange {
    pub fn is_empty(&self) -> bool {
        self.destination_url.is_none() && self.api_version.is_none() && self.authorization.is_none()
    }
}

/// One delivery attempt, as Procore reports it (without the response body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub event_id: String,
    /// `ok`, `retried`, `failed` or `discarded`.
    pub outcome: String,
    pub resource_name: Option<String>,
    pub resource_id: Option<String>,
    pub event_type: Option<String>,
    pub response_status: Option<u16>,
    pub response_error: Option<String>,
    pub completed_at: Option<String>,
}

fn id_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

impl Delivery {
    fn from_json(d: &Value) -> Self {
        let event = d.get("event").cloned().unwrap_or(Value::Null);
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        Delivery {
            event_id: id_text(d.get("event_id")),
            outcome: text(d.get("outcome")).unwrap_or_default(),
            resource_name: text(
                event
                    .get("resource_name")
                    .or_else(|| event.get("resource_type")),
            ),
            resource_id: Some(id_text(event.get("resource_id"))).filter(|s| !s.is_empty()),
            event_type: text(event.get("event_type").or_else(|| event.get("reason"))),
            response_status: d
                .get("response_status")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok()),
            response_error: text(d.get("response_error")),
            completed_at: text(d.get("completed_at")),
        }
    }
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

    /// Hooks of `namespace` in a scope, with their `Authorization` value when Procore shows it.
    /// Only hooks of exactly that namespace are kept (`*` would list every app's hooks).
    pub async fn hook_entries(&self, scope: HookScope, namespace: &str) -> Result<Vec<HookEntry>> {
        let (key, id) = scope.pair();
        let hooks: Vec<HookEntry> = self
            .get(
                HOOKS,
                &query([(key, id.to_string()), ("namespace", namespace.to_string())]),
            )
            .await?;
        Ok(hooks
            .into_iter()
            .filter(|h| h.namespace == namespace)
            .collect())
    }

    /// Changes only the given fields of a hook.
    pub async fn change_hook(
        &self,
        hook_id: i64,
        scope: HookScope,
        change: &HookChange,
    ) -> Result<()> {
        let (key, id) = scope.pair();
        let mut hook = Map::new();
        if let Some(url) = &change.destination_url {
            hook.insert("destination_url".into(), json!(url));
        }
        if let Some(version) = &change.api_version {
            hook.insert("api_version".into(), json!(version));
        }
        if let Some(value) = &change.authorization {
            hook.insert(
                "destination_headers".into(),
                json!({ "Authorization": value }),
            );
        }
        let body = json!({ key: id, "hook": hook });
        let _: Value = self
            .patch(&format!("{HOOKS}/{hook_id}"), &[], &body)
            .await?;
        Ok(())
    }

    /// Deletes a hook (its triggers go with it).
    pub async fn delete_hook(&self, hook_id: i64, scope: HookScope) -> Result<()> {
        let (key, id) = scope.pair();
        self.delete(&format!("{HOOKS}/{hook_id}"), &query([(key, id)]))
            .await
    }

    /// The webhook resources Procore offers in a scope.
    pub async fn webhook_resources(&self, scope: HookScope) -> Result<Vec<ResourceInfo>> {
        let (key, id) = scope.pair();
        self.get("rest/v1.0/webhooks/resources", &query([(key, id)]))
            .await
    }

    /// One page of a hook's deliveries with `status` (`failing`, `discarded`, ...), after the
    /// `page_start` cursor (an event id) when given.
    pub async fn hook_deliveries(
        &self,
        hook_id: i64,
        scope: HookScope,
        status: &str,
        page_size: usize,
        page_start: Option<&str>,
    ) -> Result<Vec<Delivery>> {
        let (key, id) = scope.pair();
        let mut q = query([(key, id.to_string())]);
        q.push(("filters[status]".into(), status.to_owned()));
        q.push(("page_size".into(), page_size.to_string()));
        if let Some(start) = page_start {
            q.push(("page_start".into(), start.to_owned()));
        }
        let page: Vec<Value> = self
            .get(&format!("{HOOKS}/{hook_id}/deliveries"), &q)
            .await?;
        Ok(page.iter().map(Delivery::from_json).collect())
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
