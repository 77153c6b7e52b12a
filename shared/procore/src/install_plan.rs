//! The pure part of installing the bridge's webhook hook: which hook is a connection's own,
//! which triggers to add, and how Procore's answers read. No IO here (see `install`).

use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Procore accepts at most this many triggers per bulk call.
pub const MAX_BULK_TRIGGERS: usize = 500;
/// The event types the bridge subscribes to for each resource.
pub const EVENT_TYPES: [&str; 3] = ["create", "update", "delete"];

/// One trigger: a resource and an event type (`create`, `update`, `delete`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TriggerSpec {
    pub resource: String,
    pub event_type: String,
}

impl TriggerSpec {
    pub fn new(resource: &str, event_type: &str) -> Self {
        TriggerSpec {
            resource: resource.to_owned(),
            event_type: event_type.to_ascii_lowercase(),
        }
    }
}

/// One entry of Procore's list of webhook resources.
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
    pub fn allows(&self, event_type: &str) -> bool {
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
            let spec = TriggerSpec::new(resource, event_type);
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

/// Whether two payload versions are the same (`v2` and `v2.0`, any case).
pub fn same_version(a: &str, b: &str) -> bool {
    let norm = |v: &str| v.trim_end_matches(".0").to_ascii_lowercase();
    norm(a) == norm(b)
}

/// The path of a URL (after scheme and host), without a trailing `/`.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    path.split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
}

/// Whether a hook posting to `hook_destination` belongs to the connection that wants
/// `destination`: the same URL, or the same path on another host (its ingress moved). Each
/// connection has its own ingress path, so several connections on one Procore company (seed
/// 000: one connection per prefix) never take each other's hook.
pub fn is_own_hook(hook_destination: &str, destination: &str) -> bool {
    hook_destination == destination
        || (!path_of(destination).is_empty() && path_of(hook_destination) == path_of(destination))
}

/// Which of the namespace's hooks (`(id, destination)`) is the connection's own: the exact
/// destination first, then one whose path matches.
pub fn own_hook<'a, T>(
    hooks: &'a [T],
    destination: &str,
    destination_of: impl Fn(&T) -> &str,
) -> Option<&'a T> {
    hooks
        .iter()
        .find(|h| destination_of(h) == destination)
        .or_else(|| {
            hooks
                .iter()
                .find(|h| is_own_hook(destination_of(h), destination))
        })
}

/// The trigger and reason of one entry of a bulk answer's failures (its keys are not
/// documented; read leniently).
pub fn refusal(entry: &Value) -> Option<(TriggerSpec, String)> {
    let trigger = entry.get("trigger").unwrap_or(entry);
    let resource = trigger.get("resource_name")?.as_str()?;
    let event_type = trigger.get("event_type")?.as_str()?;
    let reason = match entry.get("errors") {
        Some(Value::Array(a)) => a
            .iter()
            .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_owned))
            .collect::<Vec<_>>()
            .join("; "),
        Some(other) => other.to_string(),
        None => "refused".to_owned(),
    };
    Some((TriggerSpec::new(resource, event_type), reason))
}

#[cfg(test)]
#[path = "install_plan_tests.rs"]
mod tests;
