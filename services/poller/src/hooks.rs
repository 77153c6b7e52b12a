//! The bridge's webhook hook on a Procore company: install (idempotent), status, uninstall.
//!
//! One hook per company, found by its namespace, posting to the ingress with a static
//! `Authorization` value the bridge generates. Only the value's SHA-256 is kept (on the
//! connection, where the ingress checks it); the value itself goes to Procore and nowhere else,
//! never into a log or a returned struct. A second install finds the hook by namespace, puts
//! right its destination and payload version, and adds only the triggers it lacks.

use anyhow::Context as _;
use bridge_platform::connections::authorization_hash;
use bridge_domain::resources::SUBSCRIBED;
use bridge_platform::connections;
use bridge_procore::{Client, query};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sqlx::PgPool;
use std::collections::{BTreeMap, BTreeSet};

/// Procore accepts at most this many triggers per bulk call.
pub const MAX_BULK_TRIGGERS: usize = 500;
const EVENT_TYPES: [&str; 3] = ["create", "update", "delete"];
const HOOKS: &str = "rest/v1.0/webhooks/hooks";

/// What to install.
#[derive(Debug, Clone)]
pub struct HookSpec {
    /// Our fixed namespace (`a-z`, `0-9`, `-`), the same in every company.
    pub namespace: String,
    /// The ingress URL for this connection, `.../webhooks/procore/<connection>`.
    pub destination_url: String,
    /// `v2`, `v3` or `v4`.
    pub payload_version: String,
    /// Give the hook a new `Authorization` value even when the current one works.
    pub rotate_secret: bool,
}

/// One trigger: a resource and an event type (`create`, `update`, `delete`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TriggerSpec {
    pub resource: String,
    pub event_type: String,
}

/// What happened to the hook's `Authorization` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretChange {
    /// The hook keeps the value it had.
    Kept,
    /// A new value was generated (new hook, rotation asked, or the stored digest did not match).
    Generated,
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installed {
    pub hook_id: i64,
    /// The hook did not exist and was created.
    pub created: bool,
    /// The destination URL or payload version was corrected.
    pub updated: bool,
    pub secret: SecretChange,
    /// Triggers added now.
    pub added: Vec<TriggerSpec>,
    /// Triggers that were already there.
    pub present: Vec<TriggerSpec>,
    /// Skipped because Procore's resource list says the event cannot be subscribed.
    pub not_subscribable: Vec<TriggerSpec>,
    /// Refused by Procore, with its reason.
    pub rejected: Vec<(TriggerSpec, String)>,
}

#[derive(Deserialize)]
struct HookJson {
    id: i64,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    destination_url: String,
    #[serde(default)]
    api_version: Option<String>,
    /// Holds the `Authorization` value when Procore shows it; read only to check its digest.
    #[serde(default)]
    destination_headers: Option<Map<String, Value>>,
}

impl HookJson {
    fn authorization(&self) -> Option<&str> {
        self.destination_headers
            .as_ref()?
            .get("Authorization")?
            .as_str()
    }
}

#[derive(Debug, Deserialize)]
struct TriggerJson {
    resource_name: String,
    event_type: String,
}

/// One entry of `GET /rest/v1.0/webhooks/resources`.
#[derive(Debug, Clone, Deserialize)]
pub struct ResourceInfo {
    #[serde(alias = "resource_name")]
    pub name: String,
    /// Whether each event type is offered. Procore writes these as the event type's name (or
    /// a boolean in older shapes); `null`, `false` or an empty name mean "not offered".
    #[serde(default = "offered", deserialize_with = "event_offered")]
    pub create: bool,
    #[serde(default = "offered", deserialize_with = "event_offered")]
    pub update: bool,
    #[serde(default = "offered", deserialize_with = "event_offered")]
    pub delete: bool,
    /// Event types that cannot be subscribed.
    #[serde(default)]
    pub except: Vec<String>,
}

fn offered() -> bool {
    true
}

fn event_offered<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Bool(b) => b,
        Value::String(s) => !s.trim().is_empty(),
        Value::Null => false,
        _ => true,
    })
}

impl ResourceInfo {
    fn allows(&self, event_type: &str) -> bool {
        let flag = match event_type {
            "create" => self.create,
            "update" => self.update,
            "delete" => self.delete,
            _ => false,
        };
        flag && !self
            .except
            .iter()
            .any(|e| e.eq_ignore_ascii_case(event_type))
    }
}

/// Which triggers to add, given what Procore lists and what the hook has.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub missing: Vec<TriggerSpec>,
    pub present: Vec<TriggerSpec>,
    pub not_subscribable: Vec<TriggerSpec>,
}

/// Every subscribed resource × create/update/delete, less what the resource list rules out. A
/// resource the list does not name is still tried: Procore's list is per scope and may leave
/// out project-level resources that a company hook receives; Procore refuses what it lacks.
pub fn plan(
    subscribed: &[&str],
    resources: &[ResourceInfo],
    existing: &BTreeSet<TriggerSpec>,
) -> Plan {
    let listed: BTreeMap<&str, &ResourceInfo> =
        resources.iter().map(|r| (r.name.as_str(), r)).collect();
    let mut plan = Plan::default();
    for resource in subscribed {
        for event_type in EVENT_TYPES {
            let spec = TriggerSpec {
                resource: (*resource).to_owned(),
                event_type: event_type.to_owned(),
            };
            if existing.contains(&spec) {
                plan.present.push(spec);
            } else if listed.get(resource).is_some_and(|r| !r.allows(event_type)) {
                plan.not_subscribable.push(spec);
            } else {
                plan.missing.push(spec);
            }
        }
    }
    plan
}

fn same_version(a: &str, b: &str) -> bool {
    let norm = |v: &str| v.trim_end_matches(".0").to_ascii_lowercase();
    norm(a) == norm(b)
}

/// A fresh `Authorization` value: 256 random bits.
fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("Bearer {hex}")
}

fn scope(client: &Client) -> Vec<(String, String)> {
    query([("company_id", client.company_id())])
}

async fn find_hooks(client: &Client, namespace: &str) -> anyhow::Result<Vec<HookJson>> {
    let mut q = scope(client);
    q.push(("namespace".into(), namespace.to_owned()));
    let hooks: Vec<HookJson> = client
        .get(HOOKS, &q)
        .await
        .context("listing the company's webhook hooks")?;
    // Procore filters by namespace; check anyway, `*` would list every app's hooks.
    Ok(hooks
        .into_iter()
        .filter(|h| h.namespace == namespace)
        .collect())
}

/// Creates or completes the hook of `connection` (the connection's name) on the client's
/// company, and its triggers for every subscribed resource.
pub async fn install(
    client: &Client,
    pool: &PgPool,
    connection: &str,
    spec: &HookSpec,
) -> anyhow::Result<Installed> {
    let settings = connections::webhook_settings(pool, connection)
        .await
        .context("reading the connection")?
        .with_context(|| format!("no connection named {connection}"))?;
    let hooks = find_hooks(client, &spec.namespace).await?;
    let existing = hooks
        .iter()
        .find(|h| h.destination_url == spec.destination_url)
        .or_else(|| hooks.first());

    let (hook_id, created, updated, secret) = match existing {
        None => {
            let value = new_secret();
            accept(pool, settings.id, &value, &settings.webhook_auth_sha256).await?;
            let body = json!({
                "company_id": client.company_id(),
                "hook": {
                    "api_version": spec.payload_version,
                    "namespace": spec.namespace,
                    "destination_url": spec.destination_url,
                    "destination_headers": { "Authorization": value },
                },
            });
            let hook: HookJson = client
                .post(HOOKS, &[], &body)
                .await
                .context("creating the webhook hook")?;
            (hook.id, true, false, SecretChange::Generated)
        }
        Some(hook) => {
            let stored = &settings.webhook_auth_sha256;
            let mismatch = hook
                .authorization()
                .is_some_and(|v| !stored.contains(&authorization_hash(v)));
            let renew = spec.rotate_secret || stored.is_empty() || mismatch;
            let mut changes = Map::new();
            if hook.destination_url != spec.destination_url {
                changes.insert("destination_url".into(), json!(spec.destination_url));
            }
            if !hook
                .api_version
                .as_deref()
                .is_some_and(|v| same_version(v, &spec.payload_version))
            {
                changes.insert("api_version".into(), json!(spec.payload_version));
            }
            let updated = !changes.is_empty();
            if renew {
                let value = new_secret();
                // Accept the new value before Procore starts sending it.
                accept(pool, settings.id, &value, stored).await?;
                changes.insert(
                    "destination_headers".into(),
                    json!({ "Authorization": value }),
                );
            }
            if !changes.is_empty() {
                let body = json!({ "company_id": client.company_id(), "hook": changes });
                let _: Value = client
                    .patch(&format!("{HOOKS}/{}", hook.id), &[], &body)
                    .await
                    .context("updating the webhook hook")?;
            }
            let secret = if renew {
                SecretChange::Generated
            } else {
                SecretChange::Kept
            };
            (hook.id, false, updated, secret)
        }
    };

    let triggers = add_triggers(client, hook_id, &spec.payload_version).await?;
    tracing::info!(
        connection,
        hook = hook_id,
        created,
        updated,
        new_secret = secret == SecretChange::Generated,
        added = triggers.added.len(),
        rejected = triggers.rejected.len(),
        "Procore webhook hook installed"
    );
    Ok(Installed {
        hook_id,
        created,
        updated,
        secret,
        added: triggers.added,
        present: triggers.present,
        not_subscribable: triggers.not_subscribable,
        rejected: triggers.rejected,
    })
}

/// Stores the digest of `value` as the accepted one, keeping the previous digest during the
/// rotation (deliveries already queued with it still pass).
async fn accept(
    pool: &PgPool,
    connection_id: i64,
    value: &str,
    stored: &[Vec<u8>],
) -> anyhow::Result<()> {
    let mut hashes = vec![authorization_hash(value)];
    hashes.extend(stored.first().cloned());
    connections::set_webhook_auth(pool, connection_id, &hashes)
        .await
        .context("storing the webhook authorization digest")
}

struct TriggerOutcome {
    added: Vec<TriggerSpec>,
    present: Vec<TriggerSpec>,
    not_subscribable: Vec<TriggerSpec>,
    rejected: Vec<(TriggerSpec, String)>,
}

async fn add_triggers(
    client: &Client,
    hook_id: i64,
    payload_version: &str,
) -> anyhow::Result<TriggerOutcome> {
    let existing: Vec<TriggerJson> = client
        .get(&format!("{HOOKS}/{hook_id}/triggers"), &scope(client))
        .await
        .context("listing the hook's triggers")?;
    let existing: BTreeSet<TriggerSpec> = existing
        .into_iter()
        .map(|t| TriggerSpec {
            resource: t.resource_name,
            event_type: t.event_type.to_ascii_lowercase(),
        })
        .collect();
    let resources: Vec<ResourceInfo> = client
        .get("rest/v1.0/webhooks/resources", &scope(client))
        .await
        .context("listing the webhook resources")?;
    let plan = plan(SUBSCRIBED, &resources, &existing);
    let mut outcome = TriggerOutcome {
        added: Vec::new(),
        present: plan.present,
        not_subscribable: plan.not_subscribable,
        rejected: Vec::new(),
    };
    for chunk in plan.missing.chunks(MAX_BULK_TRIGGERS) {
        let triggers: Vec<Value> = chunk
            .iter()
            .map(|t| json!({ "resource_name": t.resource, "event_type": t.event_type }))
            .collect();
        let body = json!({
            "company_id": client.company_id(),
            "api_version": payload_version,
            "triggers": triggers,
        });
        let answer: Value = client
            .post(&format!("{HOOKS}/{hook_id}/triggers/bulk"), &[], &body)
            .await
            .context("adding the hook's triggers")?;
        let created: BTreeSet<TriggerSpec> = answer
            .get("success")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|t| serde_json::from_value::<TriggerJson>(t.clone()).ok())
            .map(|t| TriggerSpec {
                resource: t.resource_name,
                event_type: t.event_type.to_ascii_lowercase(),
            })
            .collect();
        let reasons = failure_reasons(&answer);
        for spec in chunk {
            if created.contains(spec) {
                outcome.added.push(spec.clone());
            } else {
                let reason = reasons
                    .get(spec)
                    .cloned()
                    .unwrap_or_else(|| "not created".to_owned());
                outcome.rejected.push((spec.clone(), reason));
            }
        }
    }
    Ok(outcome)
}

/// The bulk answer's failures, by trigger (the key is not documented; read it leniently).
fn failure_reasons(answer: &Value) -> BTreeMap<TriggerSpec, String> {
    let mut out = BTreeMap::new();
    let failures = answer
        .get("failures")
        .or_else(|| answer.get("failure"))
        .or_else(|| answer.get("errors"))
        .and_then(Value::as_array);
    for f in failures.into_iter().flatten() {
        let trigger = f.get("trigger").unwrap_or(f);
        let Ok(t) = serde_json::from_value::<TriggerJson>(trigger.clone()) else {
            continue;
        };
        let reason = match f.get("errors") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
            Some(other) => other.to_string(),
            None => "refused".to_owned(),
        };
        out.insert(
            TriggerSpec {
                resource: t.resource_name,
                event_type: t.event_type.to_ascii_lowercase(),
            },
            reason,
        );
    }
    out
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

/// The hook's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookStatus {
    pub hook_id: i64,
    pub destination_url: String,
    pub payload_version: Option<String>,
    pub triggers: usize,
    /// Attempts that failed and are being retried (the endpoint is paused).
    pub failing: Vec<Delivery>,
    /// Events Procore gave up on; only the reconciler brings these in.
    pub discarded: Vec<Delivery>,
}

/// The hook of `namespace` with its failing and discarded deliveries (at most `limit` of each),
/// or `None` when there is no hook.
pub async fn status(
    client: &Client,
    namespace: &str,
    limit: usize,
) -> anyhow::Result<Option<HookStatus>> {
    let hooks = find_hooks(client, namespace).await?;
    let Some(hook) = hooks.first() else {
        return Ok(None);
    };
    let triggers: Vec<Value> = client
        .get(&format!("{HOOKS}/{}/triggers", hook.id), &scope(client))
        .await
        .context("listing the hook's triggers")?;
    Ok(Some(HookStatus {
        hook_id: hook.id,
        destination_url: hook.destination_url.clone(),
        payload_version: hook.api_version.clone(),
        triggers: triggers.len(),
        failing: deliveries(client, hook.id, "failing", limit).await?,
        discarded: deliveries(client, hook.id, "discarded", limit).await?,
    }))
}

/// Deliveries with `status`, following the `page_start` cursor.
async fn deliveries(
    client: &Client,
    hook_id: i64,
    status: &str,
    limit: usize,
) -> anyhow::Result<Vec<Delivery>> {
    const PAGE: usize = 100;
    let mut out = Vec::new();
    let mut start: Option<String> = None;
    while out.len() < limit {
        let mut q = scope(client);
        q.push(("filters[status]".into(), status.to_owned()));
        q.push(("page_size".into(), PAGE.to_string()));
        if let Some(s) = &start {
            q.push(("page_start".into(), s.clone()));
        }
        let page: Vec<Value> = client
            .get(&format!("{HOOKS}/{hook_id}/deliveries"), &q)
            .await
            .with_context(|| format!("listing the hook's {status} deliveries"))?;
        let full = page.len() >= PAGE;
        let Some(last) = page.last().map(|d| id_text(d.get("event_id"))) else {
            break;
        };
        out.extend(page.iter().map(delivery));
        if !full || last.is_empty() || start.as_deref() == Some(last.as_str()) {
            break;
        }
        start = Some(last);
    }
    out.truncate(limit);
    Ok(out)
}

fn id_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn delivery(d: &Value) -> Delivery {
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

/// What [`uninstall`] removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uninstalled {
    pub removed_hooks: Vec<i64>,
}

/// Removes the hook(s) of `namespace` (their triggers go with them) and forgets the accepted
/// `Authorization` digests of `connection`.
pub async fn uninstall(
    client: &Client,
    pool: &PgPool,
    connection: &str,
    namespace: &str,
) -> anyhow::Result<Uninstalled> {
    let settings = connections::webhook_settings(pool, connection)
        .await
        .context("reading the connection")?
        .with_context(|| format!("no connection named {connection}"))?;
    let mut removed_hooks = Vec::new();
    for hook in find_hooks(client, namespace).await? {
        client
            .delete(&format!("{HOOKS}/{}", hook.id), &scope(client))
            .await
            .context("deleting the webhook hook")?;
        removed_hooks.push(hook.id);
    }
    connections::set_webhook_auth(pool, settings.id, &[])
        .await
        .context("forgetting the webhook authorization digests")?;
    Ok(Uninstalled { removed_hooks })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str, except: &[&str]) -> ResourceInfo {
        ResourceInfo {
            name: name.into(),
            create: true,
            update: true,
            delete: true,
            except: except.iter().map(|e| (*e).to_owned()).collect(),
        }
    }

    fn spec(resource: &str, event_type: &str) -> TriggerSpec {
        TriggerSpec {
            resource: resource.into(),
            event_type: event_type.into(),
        }
    }

    #[test]
    fn the_plan_skips_what_cannot_be_subscribed_and_what_is_there() {
        let resources = vec![
            info("Projects", &["delete"]),
            ResourceInfo {
                create: false,
                ..info("Company Vendors", &[])
            },
        ];
        let existing = BTreeSet::from([spec("Projects", "create")]);
        let p = plan(
            &["Projects", "Company Vendors", "Prime Contracts"],
            &resources,
            &existing,
        );
        assert_eq!(p.present, vec![spec("Projects", "create")]);
        assert_eq!(
            p.not_subscribable,
            vec![
                spec("Projects", "delete"),
                spec("Company Vendors", "create")
            ]
        );
        assert_eq!(
            p.missing,
            vec![
                spec("Projects", "update"),
                spec("Company Vendors", "update"),
                spec("Company Vendors", "delete"),
                spec("Prime Contracts", "create"),
                spec("Prime Contracts", "update"),
                spec("Prime Contracts", "delete"),
            ]
        );
    }

    #[test]
    fn secrets_are_fresh_and_long() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("Bearer ") && a.len() == 7 + 64, "{}", a.len());
    }

    #[test]
    fn offered_events_read_as_names_or_booleans() {
        let list: Vec<ResourceInfo> = serde_json::from_value(json!([
            { "name": "Projects", "create": "create", "update": "update", "delete": null },
            { "name": "Company Vendors", "create": true, "update": false },
        ]))
        .unwrap();
        assert!(list[0].allows("create") && list[0].allows("update"));
        assert!(!list[0].allows("delete"));
        assert!(list[1].allows("create") && !list[1].allows("update"));
        assert!(list[1].allows("delete"));
    }

    #[test]
    fn payload_versions_compare_with_or_without_minor() {
        assert!(same_version("v2", "v2.0"));
        assert!(same_version("v4", "V4"));
        assert!(!same_version("v3", "v4"));
    }

    #[test]
    fn a_bulk_failure_names_its_trigger_and_reason() {
        let answer = json!({ "success": [], "failures": [
            { "trigger": { "resource_name": "Budget Changes", "event_type": "update" },
              "errors": ["resource_name \"Budget Changes\" is not a valid resource"] } ] });
        let reasons = failure_reasons(&answer);
        assert!(reasons[&spec("Budget Changes", "update")].contains("not a valid resource"));
    }
}
