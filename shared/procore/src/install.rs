//! The bridge's webhook hook on a Procore company: install (idempotent), status, uninstall
//! (docs/architecture.md, webhook ingress).
//!
//! Each connection has its own hook, found by the namespace and its own ingress path, with a
//! static `Authorization` value the bridge generates. Only the value's digest is kept (by the
//! caller, through [`AcceptedSecrets`]); the value goes to Procore and nowhere else, never into
//! a log or a returned struct. A second install finds the same hook, puts right its destination
//! and payload version, and adds only the triggers it lacks.

use crate::error::Error;
use crate::hooks::{HookChange, HookEntry, HookScope, HookSpec as NewHook};
use crate::install_plan::{self, TriggerSpec};
use crate::{Client, Delivery};
use futures::future::BoxFuture;
use std::collections::BTreeSet;

/// What to install for one connection.
#[derive(Debug, Clone)]
pub struct InstallSpec {
    /// The bridge's namespace (`a-z`, `0-9`, `-`), the same in every company.
    pub namespace: String,
    /// The connection's own ingress URL; its path tells this connection's hook from the others'.
    pub destination_url: String,
    /// `v2`, `v3` or `v4`.
    pub payload_version: String,
    /// Give the hook a new `Authorization` value even when the current one works.
    pub rotate_secret: bool,
}

/// The error of an accepted-secret store.
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// The `Authorization` values the connection's ingress accepts, known by their digests.
pub trait AcceptedSecrets: Send {
    /// Whether a delivery carrying `value` would be accepted.
    fn accepts(&self, value: &str) -> bool;
    /// Whether no value is accepted at all.
    fn is_empty(&self) -> bool;
    /// Starts accepting `value`; called before Procore is given it.
    fn accept<'a>(&'a mut self, value: &'a str) -> BoxFuture<'a, Result<(), StoreError>>;
}

#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("{what}")]
    Procore {
        what: &'static str,
        #[source]
        source: Error,
    },
    #[error("storing the webhook authorization digest")]
    Store(#[source] StoreError),
}

fn procore(what: &'static str) -> impl FnOnce(Error) -> InstallError {
    move |source| InstallError::Procore { what, source }
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

/// A fresh `Authorization` value: 256 random bits.
fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("Bearer {hex}")
}

fn company(client: &Client) -> HookScope {
    HookScope::Company(client.company_id())
}

async fn own_hook(
    client: &Client,
    namespace: &str,
    destination: &str,
) -> Result<Option<HookEntry>, InstallError> {
    let hooks = client
        .hook_entries(company(client), namespace)
        .await
        .map_err(procore("listing the company's webhook hooks"))?;
    Ok(install_plan::own_hook(&hooks, destination, |h| &h.destination_url).cloned())
}

/// Creates or completes the connection's hook on the client's company, with its triggers for
/// every resource of `subscribed`.
pub async fn install(
    client: &Client,
    spec: &InstallSpec,
    subscribed: &[&str],
    secrets: &mut dyn AcceptedSecrets,
) -> Result<Installed, InstallError> {
    let scope = company(client);
    let (hook_id, created, updated, secret) =
        match own_hook(client, &spec.namespace, &spec.destination_url).await? {
            None => {
                let value = new_secret();
                secrets.accept(&value).await.map_err(InstallError::Store)?;
                let new = NewHook {
                    scope,
                    api_version: spec.payload_version.clone(),
                    namespace: spec.namespace.clone(),
                    destination_url: spec.destination_url.clone(),
                    authorization: value,
                };
                let hook = client
                    .create_hook(&new)
                    .await
                    .map_err(procore("creating the webhook hook"))?;
                (hook.id.0, true, false, SecretChange::Generated)
            }
            Some(hook) => {
                let mismatch = hook.authorization().is_some_and(|v| !secrets.accepts(v));
                let renew = spec.rotate_secret || secrets.is_empty() || mismatch;
                let mut change = HookChange::default();
                if hook.destination_url != spec.destination_url {
                    change.destination_url = Some(spec.destination_url.clone());
                }
                if !hook
                    .api_version
                    .as_deref()
                    .is_some_and(|v| install_plan::same_version(v, &spec.payload_version))
                {
                    change.api_version = Some(spec.payload_version.clone());
                }
                let updated = !change.is_empty();
                if renew {
                    let value = new_secret();
                    // Accept the new value before Procore starts sending it.
                    secrets.accept(&value).await.map_err(InstallError::Store)?;
                    change.authorization = Some(value);
                }
                if !change.is_empty() {
                    client
                        .change_hook(hook.id, scope, &change)
                        .await
                        .map_err(procore("updating the webhook hook"))?;
                }
                let secret = if renew {
                    SecretChange::Generated
                } else {
                    SecretChange::Kept
                };
                (hook.id, false, updated, secret)
            }
        };
    let mut installed = add_triggers(client, hook_id, &spec.payload_version, subscribed).await?;
    installed.created = created;
    installed.updated = updated;
    installed.secret = secret;
    tracing::info!(
        hook = hook_id,
        destination = %spec.destination_url,
        created,
        updated,
        new_secret = secret == SecretChange::Generated,
        added = installed.added.len(),
        rejected = installed.rejected.len(),
        "Procore webhook hook installed"
    );
    Ok(installed)
}

/// The hook's triggers as a set of specs.
async fn trigger_specs(
    client: &Client,
    hook_id: i64,
) -> Result<BTreeSet<TriggerSpec>, InstallError> {
    let triggers = client
        .triggers(hook_id, company(client))
        .await
        .map_err(procore("listing the hook's triggers"))?;
    Ok(triggers
        .iter()
        .filter_map(|t| {
            Some(TriggerSpec::new(
                t.resource_name.as_deref()?,
                t.event_type.as_deref()?,
            ))
        })
        .collect())
}

async fn add_triggers(
    client: &Client,
    hook_id: i64,
    payload_version: &str,
    subscribed: &[&str],
) -> Result<Installed, InstallError> {
    let scope = company(client);
    let existing = trigger_specs(client, hook_id).await?;
    let resources = client
        .webhook_resources(scope)
        .await
        .map_err(procore("listing the webhook resources"))?;
    let plan = install_plan::plan(subscribed, &resources, &existing);
    let wanted: Vec<(&str, &str)> = plan
        .missing
        .iter()
        .map(|t| (t.resource.as_str(), t.event_type.as_str()))
        .collect();
    let answer = client
        .create_triggers(hook_id, scope, payload_version, &wanted)
        .await
        .map_err(procore("adding the hook's triggers"))?;
    let created: BTreeSet<TriggerSpec> = answer
        .created
        .iter()
        .filter_map(|t| {
            Some(TriggerSpec::new(
                t.resource_name.as_deref()?,
                t.event_type.as_deref()?,
            ))
        })
        .collect();
    let reasons: Vec<(TriggerSpec, String)> = answer
        .refused
        .iter()
        .filter_map(install_plan::refusal)
        .collect();
    let (added, rejected): (Vec<TriggerSpec>, Vec<TriggerSpec>) =
        plan.missing.into_iter().partition(|t| created.contains(t));
    let rejected = rejected
        .into_iter()
        .map(|t| {
            let reason = reasons
                .iter()
                .find(|(r, _)| *r == t)
                .map_or_else(|| "not created".to_owned(), |(_, why)| why.clone());
            (t, reason)
        })
        .collect();
    Ok(Installed {
        hook_id,
        created: false,
        updated: false,
        secret: SecretChange::Kept,
        added,
        present: plan.present,
        not_subscribable: plan.not_subscribable,
        rejected,
    })
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

/// The connection's hook with its failing and discarded deliveries (at most `limit` of each),
/// or `None` when it has no hook.
pub async fn status(
    client: &Client,
    namespace: &str,
    destination_url: &str,
    limit: usize,
) -> Result<Option<HookStatus>, InstallError> {
    let Some(hook) = own_hook(client, namespace, destination_url).await? else {
        return Ok(None);
    };
    let triggers = trigger_specs(client, hook.id).await?.len();
    Ok(Some(HookStatus {
        hook_id: hook.id,
        triggers,
        failing: deliveries(client, hook.id, "failing", limit).await?,
        discarded: deliveries(client, hook.id, "discarded", limit).await?,
        destination_url: hook.destination_url,
        payload_version: hook.api_version,
    }))
}

/// Deliveries with `status`, following the `page_start` cursor.
async fn deliveries(
    client: &Client,
    hook_id: i64,
    status: &str,
    limit: usize,
) -> Result<Vec<Delivery>, InstallError> {
    const PAGE: usize = 100;
    let mut out: Vec<Delivery> = Vec::new();
    let mut start: Option<String> = None;
    while out.len() < limit {
        let page = client
            .hook_deliveries(hook_id, company(client), status, PAGE, start.as_deref())
            .await
            .map_err(procore("listing the hook's deliveries"))?;
        let full = page.len() >= PAGE;
        let Some(last) = page.last().map(|d| d.event_id.clone()) else {
            break;
        };
        out.extend(page);
        if !full || last.is_empty() || start.as_deref() == Some(last.as_str()) {
            break;
        }
        start = Some(last);
    }
    out.truncate(limit);
    Ok(out)
}

/// Removes the connection's own hook(s) (their triggers go with them) and returns their ids;
/// other connections' hooks in the namespace stay.
pub async fn uninstall(
    client: &Client,
    namespace: &str,
    destination_url: &str,
) -> Result<Vec<i64>, InstallError> {
    let scope = company(client);
    let hooks = client
        .hook_entries(scope, namespace)
        .await
        .map_err(procore("listing the company's webhook hooks"))?;
    let mut removed = Vec::new();
    for hook in hooks
        .iter()
        .filter(|h| install_plan::is_own_hook(&h.destination_url, destination_url))
    {
        client
            .delete_hook(hook.id, scope)
            .await
            .map_err(procore("deleting the webhook hook"))?;
        removed.push(hook.id);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_fresh_and_long() {
        let (a, b) = (super::new_secret(), super::new_secret());
        assert_ne!(a, b);
        assert!(a.starts_with("Bearer ") && a.len() == 7 + 64, "{}", a.len());
    }
}
