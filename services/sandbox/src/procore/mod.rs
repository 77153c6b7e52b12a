//! The Procore emulator: OAuth, the REST endpoints the bridge uses with the shapes of the official
//! spec, rate limits, sync endpoints, a webhook engine and fault injection.
//!
//! [`Emulator`] is the cloneable state handle; [`router`] and [`serve`] expose it over HTTP. One
//! host serves both the login routes and the API, so the login base and the API base are the same
//! URL:
//!
//! - login: `GET /oauth/authorize` (auto-approved, redirects with a code), `POST /oauth/token`
//!   (`client_credentials`, `authorization_code`, single-use rotating `refresh_token`),
//!   `GET /oauth/token/info`, `POST /oauth/revoke`;
//! - API (`/rest/...`, bearer token + `Procore-Company-Id` required, `X-Rate-Limit-*` on every
//!   answer): projects, vendors (+ inactive, + project directory), company users, cost codes, line item types, budget
//!   views / detail rows / detail columns, budget line items (+ sync), work order and purchase
//!   order contracts with line items, commitment and prime change orders, change order packages,
//!   v2.0 change-order line items, prime contracts with line items, direct costs with line items,
//!   requisitions, webhooks (hooks, triggers, bulk triggers, deliveries, resources, versions),
//!   `/rest/v1.0/companies` and `/rest/v1.0/me`; every collection with `page`/`per_page` and the
//!   `Link`/`Total`/`Per-Page` headers, and a `.../sync` where Procore has one;
//! - admin (`/_admin/...`, no auth), acting as a Procore user: approve a commitment, create a
//!   change order with lines, edit a budget line's modifications, list deliveries.
//!
//! Every write, through the API or the admin actions, becomes a webhook event for the matching
//! hooks and triggers (see `engine`).

mod admin;
mod admin_drafts;
mod auth;
mod budget;
mod budget_lock;
mod config;
mod contracts;
mod engine;
mod error;
mod handlers;
mod limits;
mod load;
mod load_contracts;
mod origin_check;
mod project_vendors;
mod query;
mod render;
mod render_costs;
mod render_directory;
mod request;
mod requisitions;
mod resources;
mod routes;
mod standard_codes;
mod store;
mod sync;
mod triggers;
mod v2;
mod validate;
mod webhooks;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

pub use admin::AdminLine;
pub use admin_drafts::{DraftCommitment, NewProject};
pub use auth::{Caller, OAuthClient};
pub use config::{Config, Faults, WebhookConfig};
pub use engine::DeliveryRecord;
pub use load::{CostCodeMode, LoadOptions, Loaded};
pub use store::{EventType, Kind};

/// Cloneable handle on one emulated Procore (any number of companies).
#[derive(Clone)]
pub struct Emulator {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    config: Mutex<Config>,
    store: Mutex<store::Store>,
    auth: Mutex<auth::AuthState>,
    limiter: Mutex<limits::Limiter>,
    rng: Mutex<StdRng>,
    hooks: Mutex<webhooks::HookState>,
    pub(crate) stats: Stats,
    wake: Notify,
}

/// Counters tests and benchmarks read.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
}

/// A snapshot of [`Emulator::stats`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// API calls received on `/rest/...` (including rejected ones).
    pub requests: u64,
    /// Calls answered 429.
    pub rate_limited: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; keep serving.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Emulator {
    pub fn new(config: Config) -> Self {
        let store = store::Store::new(config.first_id);
        let rng = StdRng::seed_from_u64(config.rng_seed);
        Self {
            inner: Arc::new(Inner {
                config: Mutex::new(config),
                store: Mutex::new(store),
                auth: Mutex::new(auth::AuthState::default()),
                limiter: Mutex::new(limits::Limiter::default()),
                rng: Mutex::new(rng),
                hooks: Mutex::new(webhooks::HookState::default()),
                stats: Stats::default(),
                wake: Notify::new(),
            }),
        }
    }

    pub fn config(&self) -> Config {
        lock(&self.inner.config).clone()
    }

    /// Changes the injected faults while running.
    pub fn set_faults(&self, faults: Faults) {
        lock(&self.inner.config).faults = faults;
    }

    /// Changes any setting while running (budgets apply from the next call).
    pub fn update_config(&self, change: impl FnOnce(&mut Config)) {
        change(&mut lock(&self.inner.config));
    }

    /// Creates a company and returns its id.
    pub fn add_company(&self, name: &str) -> i64 {
        let mut store = lock(&self.inner.store);
        let id = store.allocate_id();
        store.companies.insert(id, name.to_string());
        id
    }

    /// A ready emulator: one company named after `seed`, the OAuth client `client_id` installed
    /// in it, and the Procore side of `seed` loaded. Returns the company id and the loaded ids.
    pub fn seeded(
        config: Config,
        seed: &crate::seed::Company,
        client_id: &str,
        client_secret: &str,
        options: &LoadOptions,
    ) -> (Self, i64, Loaded) {
        let emulator = Self::new(config);
        let company = emulator.add_company(&seed.name);
        emulator.register_client(client_id, client_secret, &[company]);
        let loaded = emulator.load_seed(company, seed, options);
        (emulator, company, loaded)
    }

    /// Registers an OAuth application installed in `companies`; returns its service user's id.
    pub fn register_client(&self, client_id: &str, secret: &str, companies: &[i64]) -> i64 {
        let user = lock(&self.inner.store).allocate_id();
        lock(&self.inner.auth).clients.insert(
            client_id.to_string(),
            OAuthClient {
                secret: secret.to_string(),
                companies: companies.to_vec(),
                service_user_id: user,
            },
        );
        user
    }

    pub fn stats(&self) -> StatsSnapshot {
        StatsSnapshot {
            requests: self.inner.stats.requests.load(Ordering::Relaxed),
            rate_limited: self.inner.stats.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// Number of live rows of a kind in a company (for assertions).
    pub fn count(&self, kind: Kind, company_id: i64) -> usize {
        lock(&self.inner.store)
            .iter(kind)
            .filter(|r| r.company_id == company_id)
            .count()
    }

    /// The Show-shaped JSON of one row.
    pub fn get_json(&self, kind: Kind, id: i64) -> Option<serde_json::Value> {
        let store = lock(&self.inner.store);
        store.get(kind, id).map(|r| render::render(&store, r))
    }

    /// Ids of the live rows of `kind` in a project, in id order.
    pub fn list_ids(&self, kind: Kind, project_id: i64) -> Vec<i64> {
        lock(&self.inner.store)
            .iter(kind)
            .filter(|r| r.project_id == Some(project_id))
            .map(|r| r.id)
            .collect()
    }

    /// The id of the row of `kind` with this `origin_id` in the company.
    pub fn find_by_origin(&self, kind: Kind, company_id: i64, origin_id: &str) -> Option<i64> {
        lock(&self.inner.store).find_origin(kind, company_id, origin_id)
    }

    pub(crate) fn lock_store(&self) -> MutexGuard<'_, store::Store> {
        lock(&self.inner.store)
    }
    pub(crate) fn lock_auth(&self) -> MutexGuard<'_, auth::AuthState> {
        lock(&self.inner.auth)
    }
    pub(crate) fn lock_limiter(&self) -> MutexGuard<'_, limits::Limiter> {
        lock(&self.inner.limiter)
    }
    pub(crate) fn lock_rng(&self) -> MutexGuard<'_, StdRng> {
        lock(&self.inner.rng)
    }
    pub(crate) fn lock_hooks(&self) -> MutexGuard<'_, webhooks::HookState> {
        lock(&self.inner.hooks)
    }

    pub(crate) fn authenticate(&self, headers: &axum::http::HeaderMap) -> error::ApiResult<Caller> {
        auth::check_bearer(&self.lock_auth(), headers)
    }

    /// Wakes the webhook engine after a write.
    pub(crate) fn changed(&self) {
        self.inner.wake.notify_one();
    }
}

/// All routes: `/oauth/...`, `/rest/...` (gated) and `/_admin/...`.
pub fn router(emulator: Emulator) -> axum::Router {
    routes::router(emulator)
}

/// Runs only the webhook engine until `shutdown` (for callers that mount [`router`] themselves;
/// [`serve`] already runs it).
pub async fn run_webhook_engine(emulator: Emulator, shutdown: CancellationToken) {
    engine::run(emulator, shutdown).await;
}

/// Serves the emulator on `listener` and runs its webhook engine until `shutdown`.
pub async fn serve(
    listener: TcpListener,
    emulator: Emulator,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    // The engine stops with the server, without cancelling the caller's token.
    let engine_stop = shutdown.child_token();
    let engine = tokio::spawn(engine::run(emulator.clone(), engine_stop.clone()));
    let app = router(emulator);
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await;
    engine_stop.cancel();
    let _ = engine.await;
    result.map_err(|e| anyhow::anyhow!(e).context("serving the Procore emulator"))
}
