//! Knobs of the Procore emulator: token lifetime, rate budgets, ids, paging, webhook delivery
//! timings and injected faults. `Default` is faithful to Procore; [`Config::fast`] suits tests.

use std::time::Duration;

/// Everything the emulator can be tuned with. Faults can also be changed while running
/// ([`super::Emulator::set_faults`]).
#[derive(Clone, Debug)]
pub struct Config {
    /// Access-token lifetime (`expires_in`); Procore: 5400 s.
    pub token_lifetime: Duration,
    /// Requests per token per hourly window.
    pub hourly_limit: u32,
    pub hourly_window: Duration,
    /// Requests per token per spike window.
    pub spike_limit: u32,
    pub spike_window: Duration,
    /// First id handed out; the default is above 2^53 like multi-region Procore ids.
    pub first_id: i64,
    /// `per_page` used when the caller sends none, and the cap.
    pub default_per_page: usize,
    pub max_per_page: usize,
    /// Items accepted by one sync call.
    pub max_sync_items: usize,
    pub webhooks: WebhookConfig,
    pub faults: Faults,
    /// Seed of the random decisions (faults, duplicates), for reproducible runs.
    pub rng_seed: u64,
}

/// Webhook delivery behaviour (Procore: 5 s timeout, backoff 1 s .. 1 h, discard after 12 h).
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    pub timeout: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// A failing endpoint's queued events are discarded after this long.
    pub discard_after: Duration,
    /// Probability (0–1) that a delivered event is delivered a second time.
    pub duplicate_rate: f64,
    /// Probability (0–1) that an event swaps place with the next one in the queue.
    pub reorder_rate: f64,
}

/// Injected faults on API calls and deliveries.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Probability (0–1) of a 500 on an API call.
    pub error_rate: f64,
    /// Added to every API call.
    pub latency: Duration,
    /// Probability (0–1) that a call hangs for `timeout_delay` before answering.
    pub timeout_rate: f64,
    pub timeout_delay: Duration,
    /// Probability (0–1) of a 503 with `Retry-After` ("heavy load").
    pub overload_rate: f64,
    pub overload_retry_after: Duration,
    /// Probability (0–1) that an event is silently never delivered.
    pub webhook_drop_rate: f64,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(5),
            backoff_initial: Duration::from_secs(1),
            backoff_max: Duration::from_secs(3600),
            discard_after: Duration::from_secs(12 * 3600),
            duplicate_rate: 0.0,
            reorder_rate: 0.0,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            token_lifetime: Duration::from_secs(5400),
            hourly_limit: 3600,
            hourly_window: Duration::from_secs(3600),
            spike_limit: 25,
            spike_window: Duration::from_secs(10),
            first_id: 5_982_324_300_946_000_001,
            default_per_page: 100,
            max_per_page: 1000,
            max_sync_items: 1000,
            webhooks: WebhookConfig::default(),
            faults: Faults::default(),
            rng_seed: 7,
        }
    }
}

impl Config {
    /// Generous budgets and quick webhook retries, for tests and benchmarks.
    pub fn fast() -> Self {
        Self {
            hourly_limit: 1_000_000,
            spike_limit: 100_000,
            webhooks: WebhookConfig {
                timeout: Duration::from_secs(2),
                backoff_initial: Duration::from_millis(20),
                backoff_max: Duration::from_millis(500),
                discard_after: Duration::from_secs(5),
                ..WebhookConfig::default()
            },
            ..Self::default()
        }
    }
}
