//! The webhook engine: turns store changes into events for the matching hooks and triggers, in
//! the payload version each hook asked for, and delivers them one at a time per hook with the
//! hook's `Authorization` header. A failure pauses that hook and retries with exponential backoff;
//! a hook failing longer than the discard period has its queue flushed as `discarded`.
//! Duplicates, reordering and drops are injected from the config.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::Emulator;
use super::render::time;
use super::store::Change;
use super::webhooks::{Hook, HookState};

/// Trigger resource names the emulator accepts: Procore's own names for the resources an ERP
/// sync subscribes to (docs/architecture.md). Not every one of them fires events here.
pub const RESOURCE_NAMES: &[&str] = &[
    "Projects",
    "Company Vendors",
    "Company Users",
    "Cost Codes",
    "Line Item Types",
    "Budget Line Items",
    "Budget Modifications",
    "Budget Changes",
    "Budget Change Adjustments",
    "Budget Change Adjustment Line Items",
    "Project Vendors",
    "Project Users",
    "Work Order Contracts",
    "Work Order Contract Line Items",
    "Purchase Order Contracts",
    "Purchase Order Contract Line Items",
    "Change Order Packages",
    "Prime Contracts",
    "Prime Contract Line Items",
    "Direct Costs",
    "Direct Cost Line Items",
    "Requisitions",
];

/// One queued event for one hook.
#[derive(Clone, Debug)]
pub struct Pending {
    pub event_id: i64,
    pub event: Value,
    pub queued_at: Instant,
}

/// One delivery attempt, as `GET .../deliveries` and tests see it.
#[derive(Clone, Debug)]
pub struct DeliveryRecord {
    pub hook_id: i64,
    pub event_id: i64,
    pub event: Value,
    /// `ok`, `retried`, `failed` or `discarded`.
    pub outcome: &'static str,
    pub response_status: Option<u16>,
    pub response_body: Option<String>,
    pub response_error: Option<String>,
    pub started_at: DateTime<Utc>,
    pub completed_at: DateTime<Utc>,
}

impl DeliveryRecord {
    pub fn to_json(&self) -> Value {
        json!({
            "event": self.event,
            "event_id": self.event_id,
            "outcome": self.outcome,
            "response_status": self.response_status,
            "response_body": self.response_body,
            "response_error": self.response_error,
            "response_headers": {},
            "started_at": time(self.started_at),
            "completed_at": time(self.completed_at),
        })
    }
}

const CROCKFORD: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn ulid(rng: &mut impl Rng) -> String {
    let ms = Utc::now().timestamp_millis().max(0) as u128;
    let value = (ms << 80) | (rng.random::<u128>() & ((1u128 << 80) - 1));
    (0..26)
        .rev()
        .map(|i| CROCKFORD[((value >> (i * 5)) & 31) as usize] as char)
        .collect()
}

fn event_for(
    hook: &Hook,
    change: &Change,
    event_id: i64,
    ulid: String,
    application: Option<&str>,
) -> Value {
    let resource = change.kind.resource_name();
    if hook.api_version == "v4" {
        return json!({
            "id": ulid,
            "timestamp": time(change.at),
            "reason": change.event_type.as_str(),
            "company_id": change.company_id.to_string(),
            "project_id": change.project_id.map(|p| p.to_string()),
            "user_id": change.user_id.to_string(),
            "resource_type": resource,
            "resource_id": change.id.to_string(),
        });
    }
    let mut event = json!({
        "id": event_id,
        "ulid": ulid,
        "timestamp": change.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "event_type": change.event_type.as_str(),
        "resource_name": resource,
        "resource_id": change.id,
        "company_id": change.company_id,
        "project_id": change.project_id,
        "user_id": change.user_id,
        "api_version": if hook.api_version == "v3" { "v3" } else { "v2" },
        "metadata": {
            "source_user_id": change.user_id,
            "source_company_id": change.company_id,
            "source_project_id": change.project_id,
            "source_application_id": application,
            "source_operation_id": null,
        },
    });
    if hook.api_version == "v3" {
        let related: Vec<Value> = change
            .parent
            .iter()
            .map(|(kind, id)| json!({ "id": id, "name": kind.resource_name() }))
            .collect();
        event["related_resources"] = Value::Array(related);
    }
    event
}

fn hook_matches(state: &HookState, hook: &Hook, change: &Change) -> bool {
    let in_scope = match (hook.company_id, hook.project_id) {
        (_, Some(p)) => change.project_id == Some(p),
        (Some(c), None) => change.company_id == c,
        (None, None) => false,
    };
    in_scope
        && state.triggers.values().any(|t| {
            t.hook_id == hook.id
                && t.resource_name == change.kind.resource_name()
                && t.event_type == change.event_type.as_str()
        })
}

/// Moves new store changes into hook queues.
fn enqueue(emu: &Emulator) {
    let changes = std::mem::take(&mut emu.lock_store().changes);
    if changes.is_empty() {
        return;
    }
    let config = emu.config();
    let applications: Vec<(i64, String)> = emu
        .lock_auth()
        .clients
        .iter()
        .map(|(id, c)| (c.service_user_id, id.clone()))
        .collect();
    let mut state = emu.lock_hooks();
    let mut rng = emu.lock_rng();
    let hooks: Vec<Hook> = state.hooks.values().cloned().collect();
    for change in &changes {
        let application = applications
            .iter()
            .find(|(u, _)| *u == change.user_id)
            .map(|(_, a)| a.as_str());
        let matching: Vec<&Hook> = hooks
            .iter()
            .filter(|h| hook_matches(&state, h, change))
            .collect();
        for hook in matching {
            if rng.random_bool(config.faults.webhook_drop_rate.clamp(0.0, 1.0)) {
                continue;
            }
            let event_id = state.allocate();
            let pending = Pending {
                event_id,
                event: event_for(hook, change, event_id, ulid(&mut *rng), application),
                queued_at: Instant::now(),
            };
            let duplicate = rng.random_bool(config.webhooks.duplicate_rate.clamp(0.0, 1.0));
            let reorder = rng.random_bool(config.webhooks.reorder_rate.clamp(0.0, 1.0));
            let queue = state.queues.entry(hook.id).or_default();
            if duplicate {
                queue.pending.push_back(pending.clone());
            }
            queue.pending.push_back(pending);
            let n = queue.pending.len();
            if reorder && n >= 2 && !(queue.in_flight && n == 2) {
                queue.pending.swap(n - 1, n - 2);
            }
        }
    }
}

/// Starts deliveries for hooks that are idle and not paused; flushes long-failing queues.
fn dispatch(emu: &Emulator) {
    let config = emu.config();
    let now = Instant::now();
    let mut state = emu.lock_hooks();
    let ids: Vec<i64> = state.queues.keys().copied().collect();
    for id in ids {
        let Some(hook) = state.hooks.get(&id).cloned() else {
            continue;
        };
        let mut discarded = Vec::new();
        let Some(queue) = state.queues.get_mut(&id) else {
            continue;
        };
        if queue.in_flight || queue.pending.is_empty() || queue.retry_at.is_some_and(|t| t > now) {
            continue;
        }
        if queue
            .failing_since
            .is_some_and(|since| now.duration_since(since) >= config.webhooks.discard_after)
        {
            discarded.extend(queue.pending.drain(..));
            queue.failing_since = None;
            queue.retry_at = None;
            queue.attempts = 0;
        }
        let Some(head) = queue.pending.front().cloned() else {
            record_discarded(&mut state, id, discarded);
            continue;
        };
        queue.in_flight = true;
        record_discarded(&mut state, id, discarded);
        let emu = emu.clone();
        let timeout = config.webhooks.timeout;
        tokio::spawn(async move {
            let started = Utc::now();
            let result = post(&hook, &head.event, timeout).await;
            finish(&emu, &hook, head, started, result);
        });
    }
}

fn record_discarded(state: &mut HookState, hook_id: i64, events: Vec<Pending>) {
    let now = Utc::now();
    for p in events {
        state.deliveries.push(DeliveryRecord {
            hook_id,
            event_id: p.event_id,
            event: p.event,
            outcome: "discarded",
            response_status: None,
            response_body: None,
            response_error: Some("discarded after failing too long".into()),
            started_at: now,
            completed_at: now,
        });
    }
}

type Attempt = Result<(u16, String), String>;

async fn post(hook: &Hook, event: &Value, timeout: Duration) -> Attempt {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let mut request = client.post(&hook.destination_url).json(event);
    if let Some(auth) = &hook.authorization {
        request = request.header(reqwest::header::AUTHORIZATION, auth);
    }
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    let body = response.text().await.unwrap_or_default();
    Ok((status, body.chars().take(2000).collect()))
}

fn finish(emu: &Emulator, hook: &Hook, head: Pending, started: DateTime<Utc>, result: Attempt) {
    let config = emu.config();
    let mut state = emu.lock_hooks();
    let ok = matches!(result, Ok((s, _)) if (200..300).contains(&s));
    let (status, body, error) = match result {
        Ok((s, b)) => (Some(s), Some(b), None),
        Err(e) => (None, None, Some(e)),
    };
    let Some(queue) = state.queues.get_mut(&hook.id) else {
        return;
    };
    queue.in_flight = false;
    let outcome = if ok {
        // Success resets the cycle.
        queue.pending.pop_front();
        queue.failing_since = None;
        queue.retry_at = None;
        queue.attempts = 0;
        "ok"
    } else {
        queue.failing_since.get_or_insert_with(Instant::now);
        let factor = 2u32.saturating_pow(queue.attempts.min(20));
        let delay = config
            .webhooks
            .backoff_initial
            .saturating_mul(factor)
            .min(config.webhooks.backoff_max);
        queue.retry_at = Some(Instant::now() + delay);
        queue.attempts += 1;
        "retried"
    };
    let _ = head.queued_at;
    state.deliveries.push(DeliveryRecord {
        hook_id: hook.id,
        event_id: head.event_id,
        event: head.event,
        outcome,
        response_status: status,
        response_body: body,
        response_error: error,
        started_at: started,
        completed_at: Utc::now(),
    });
    drop(state);
    emu.changed();
}

/// Runs until `shutdown`: wakes on writes and on a short tick for retries.
pub async fn run(emu: Emulator, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = emu.inner.wake.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(25)) => {}
        }
        enqueue(&emu);
        dispatch(&emu);
    }
}

impl Emulator {
    /// Every delivery attempt so far (including discarded events), oldest first.
    pub fn deliveries(&self) -> Vec<DeliveryRecord> {
        self.lock_hooks().deliveries.clone()
    }
}
