//! The maestro* XML web-service emulator: serves the contract of `docs/maestro-xml.md` over
//! HTTP, from in-memory companies (test and production class, prefixes), loads the shared seed
//! company, refuses what maestro* would refuse, and injects faults (latency, error rate).
//!
//! Use [`Emulator`] as the state handle (admin actions a maestro* user would do, inspection of
//! what the bridge wrote), [`router`] to mount it and [`serve`] to run it on a listener.

mod admin;
mod admin_invoices;
mod admin_routes;
mod load;
mod load_records;
mod params;
mod reads;
mod reads_commitments;
mod reject;
mod rules;
mod store;
mod write_routes;
mod writes;
mod writes_commitments;
mod xml;

pub use reject::Reject;
pub use store::WriteEvent;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use bridge_maestro::{KEY_HEADER, RejectCode};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use store::{CompanyData, Store};
use tokio_util::sync::CancellationToken;

/// Path prefix of the XML interface.
pub const BASE_PATH: &str = "/maestro-xml/v1";

/// Faults injected on every interface request (not on admin routes).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faults {
    /// Added before answering.
    pub latency: Duration,
    /// Share (0.0–1.0) of requests answered `503 UNAVAILABLE`.
    pub error_rate: f64,
}

/// How the emulator starts.
#[derive(Debug, Clone)]
pub struct Config {
    /// The `X-Maestro-Key` the interface accepts.
    pub api_key: String,
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_key: "sandbox-maestro-key".to_owned(),
            faults: Faults::default(),
        }
    }
}

struct Inner {
    config: Config,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    requests: AtomicU64,
}

/// The emulator's state; clones share it.
#[derive(Clone)]
pub struct Emulator {
    inner: Arc<Inner>,
}

impl Emulator {
    /// An emulator with no company yet (see `add_company` and `load_seed`).
    pub fn new(config: Config) -> Self {
        let faults = config.faults;
        Self {
            inner: Arc::new(Inner {
                config,
                store: Mutex::new(Store::default()),
                faults: Mutex::new(faults),
                requests: AtomicU64::new(0),
            }),
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        f(&mut self.lock())
    }

    /// Runs `f` on one company's data.
    pub(crate) fn read<R>(
        &self,
        company: &str,
        f: impl FnOnce(&CompanyData) -> R,
    ) -> Result<R, Reject> {
        let store = self.lock();
        Ok(f(store.company(company)?))
    }

    /// Applies a write through the interface and logs it when it succeeds.
    pub(crate) fn write<R>(
        &self,
        company: &str,
        operation: &'static str,
        f: impl FnOnce(&mut CompanyData) -> Result<R, Reject>,
        key: impl FnOnce(&R) -> String,
    ) -> Result<R, Reject> {
        let mut store = self.lock();
        let result = f(store.company_mut(company)?)?;
        store.log(company, operation, key(&result));
        Ok(result)
    }

    /// Current fault settings.
    pub fn faults(&self) -> Faults {
        *self.inner.faults.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.inner.faults.lock().unwrap_or_else(|p| p.into_inner()) = faults;
    }

    /// Interface requests received so far (admin routes not counted).
    pub fn request_count(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Everything written through the interface, oldest first.
    pub fn writes(&self) -> Vec<WriteEvent> {
        self.lock().writes.clone()
    }
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let companies: Vec<String> = self.with_store(|s| s.companies.keys().cloned().collect());
        f.debug_struct("maestro::Emulator")
            .field("companies", &companies)
            .field("faults", &self.faults())
            .finish_non_exhaustive()
    }
}

/// Counts, delays, fails on purpose, then checks the key.
async fn guard(State(emu): State<Emulator>, request: Request, next: Next) -> Response {
    emu.inner.requests.fetch_add(1, Ordering::Relaxed);
    let faults = emu.faults();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    if faults.error_rate > 0.0 && rand::random::<f64>() < faults.error_rate {
        return Reject::new(
            RejectCode::Unavailable,
            "The Maestro Service is busy; try again later.",
        )
        .into_response();
    }
    let key = request.headers().get(KEY_HEADER).map(|v| v.as_bytes());
    if key != Some(emu.inner.config.api_key.as_bytes()) {
        return Reject::new(
            RejectCode::Unauthorized,
            "Missing or wrong X-Maestro-Key for the maestro* XML interface.",
        )
        .into_response();
    }
    next.run(request).await
}

async fn unknown_path() -> Reject {
    Reject::not_found("No such operation in the maestro* XML interface (version 1).")
}

/// The interface under [`BASE_PATH`] and the admin routes under `/admin`.
pub fn router(emulator: Emulator) -> Router {
    use reads::*;
    use reads_commitments::*;
    use write_routes::*;
    let data = Router::new()
        .route("/companies", get(companies))
        .route("/companies/{co}/prefixes", get(prefixes))
        .route(
            "/companies/{co}/projects",
            get(projects).post(create_project),
        )
        .route("/companies/{co}/projects/{code}/procore", put(set_procore))
        .route(
            "/companies/{co}/projects/{code}/activities",
            get(activities),
        )
        .route(
            "/companies/{co}/projects/{code}/budget-lines",
            get(budget_lines),
        )
        .route(
            "/companies/{co}/projects/{code}/budget-lines/modifications",
            put(modifications),
        )
        .route("/companies/{co}/groups", get(groups))
        .route(
            "/companies/{co}/suppliers",
            get(suppliers).post(create_supplier),
        )
        .route(
            "/companies/{co}/customers",
            get(customers).post(create_customer),
        )
        .route("/companies/{co}/employees", get(employees))
        .route(
            "/companies/{co}/purchase-orders",
            get(purchase_orders).post(create_purchase_order),
        )
        .route(
            "/companies/{co}/stock-orders",
            get(stock_orders).post(create_stock_order),
        )
        .route(
            "/companies/{co}/subcontracts",
            get(subcontracts).post(create_subcontract),
        )
        .route(
            "/companies/{co}/change-orders",
            get(change_orders).post(create_change_order),
        )
        .route(
            "/companies/{co}/billing-contracts",
            get(billing_contracts).post(create_billing_contract),
        )
        .route(
            "/companies/{co}/billing-change-orders",
            get(billing_change_orders).post(create_billing_change_order),
        )
        .route("/companies/{co}/transactions", get(transactions))
        .route("/companies/{co}/order-invoices", get(order_invoices))
        .fallback(unknown_path)
        .layer(middleware::from_fn_with_state(emulator.clone(), guard));
    Router::new()
        .nest(BASE_PATH, data)
        .nest("/admin", admin_routes::routes())
        .with_state(emulator)
}

/// Serves the emulator on `listener` until `shutdown` is cancelled.
pub async fn serve(
    listener: tokio::net::TcpListener,
    emulator: Emulator,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let app = router(emulator);
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
        .map_err(|e| anyhow::anyhow!(e).context("maestro* emulator stopped with an error"))
}
