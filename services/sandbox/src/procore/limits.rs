//! The gate every API call passes: injected latency and faults, the bearer token, the hourly and
//! spike budgets per token (`X-Rate-Limit-*` on every answer, 429 + `Retry-After` when spent), and
//! the `Procore-Company-Id` header.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;

use super::Emulator;
use super::auth::Caller;
use super::error::ApiError;

/// The caller and company of an API call, put in the request extensions by [`gate`].
#[derive(Clone, Debug)]
pub struct Ctx {
    pub caller: Caller,
    pub company_id: i64,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

/// Budgets per token.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    windows: HashMap<String, [Window; 2]>,
}

/// What the headers report.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    limit: u32,
    remaining: u32,
    reset_in: Duration,
}

impl Budget {
    fn reset_epoch(&self) -> u64 {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        (now + self.reset_in).as_secs_f64().ceil() as u64
    }

    fn apply(&self, headers: &mut HeaderMap) {
        let mut set = |name: &'static str, value: String| {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), v);
            }
        };
        set("x-rate-limit-limit", self.limit.to_string());
        set("x-rate-limit-remaining", self.remaining.to_string());
        set("x-rate-limit-reset", self.reset_epoch().to_string());
    }
}

impl Limiter {
    /// Counts one call. `Err` when either budget is spent (the call is not counted).
    fn hit(&mut self, token: &str, limits: [(u32, Duration); 2]) -> Result<Budget, Budget> {
        let now = Instant::now();
        let windows = self.windows.entry(token.to_string()).or_insert(
            [Window {
                start: now,
                count: 0,
            }; 2],
        );
        let mut budgets = [Budget {
            limit: 0,
            remaining: 0,
            reset_in: Duration::ZERO,
        }; 2];
        let mut exceeded = None;
        for (i, (window, (limit, length))) in windows.iter_mut().zip(limits).enumerate() {
            if now >= window.start + length {
                *window = Window {
                    start: now,
                    count: 0,
                };
            }
            if window.count >= limit {
                exceeded = Some(i);
            }
            budgets[i] = Budget {
                limit,
                remaining: limit.saturating_sub(window.count),
                reset_in: (window.start + length).saturating_duration_since(now),
            };
        }
        if let Some(i) = exceeded {
            return Err(budgets[i]);
        }
        for (window, budget) in windows.iter_mut().zip(budgets.iter_mut()) {
            window.count += 1;
            budget.remaining = budget.remaining.saturating_sub(1);
        }
        // Report whichever budget is closer to exhaustion.
        let ratio = |b: &Budget| f64::from(b.remaining) / f64::from(b.limit.max(1));
        Ok(if ratio(&budgets[1]) < ratio(&budgets[0]) {
            budgets[1]
        } else {
            budgets[0]
        })
    }
}

/// Middleware on `/rest/...`.
pub(crate) async fn gate(
    State(emu): State<Emulator>,
    mut request: Request,
    next: Next,
) -> Response {
    emu.inner.stats.requests.fetch_add(1, Ordering::Relaxed);
    let config = emu.config();
    let faults = config.faults.clone();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let caller = match emu.authenticate(request.headers()) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let limits = [
        (config.hourly_limit, config.hourly_window),
        (config.spike_limit, config.spike_window),
    ];
    let budget = match emu.lock_limiter().hit(&caller.token, limits) {
        Ok(b) => b,
        Err(b) => {
            emu.inner.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
            let retry = b.reset_in.as_secs_f64().ceil().max(1.0) as u64;
            let mut response = ApiError::text(StatusCode::TOO_MANY_REQUESTS, "You have surpassed the max number of requests for an hour. Please wait until your limit resets.").with_header(header::RETRY_AFTER, &retry.to_string()).into_response();
            b.apply(response.headers_mut());
            return response;
        }
    };
    let mut response = match company(&emu, request.headers(), &caller) {
        Err(e) => e.into_response(),
        Ok(company_id) => {
            let (overload, error, hang) = {
                let mut rng = emu.lock_rng();
                (
                    rng.random_bool(faults.overload_rate.clamp(0.0, 1.0)),
                    rng.random_bool(faults.error_rate.clamp(0.0, 1.0)),
                    rng.random_bool(faults.timeout_rate.clamp(0.0, 1.0)),
                )
            };
            if hang {
                tokio::time::sleep(faults.timeout_delay).await;
            }
            if overload {
                let secs = faults.overload_retry_after.as_secs().max(1).to_string();
                ApiError::text(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")
                    .with_header(header::RETRY_AFTER, &secs)
                    .into_response()
            } else if error {
                ApiError::text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error")
                    .into_response()
            } else {
                request.extensions_mut().insert(Ctx { caller, company_id });
                next.run(request).await
            }
        }
    };
    budget.apply(response.headers_mut());
    response
}

fn company(emu: &Emulator, headers: &HeaderMap, caller: &Caller) -> Result<i64, ApiError> {
    let raw = headers
        .get("procore-company-id")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::text(
                StatusCode::BAD_REQUEST,
                "Missing Procore-Company-Id header!",
            )
        })?;
    let id: i64 = raw.trim().parse().map_err(|_| {
        ApiError::text(StatusCode::BAD_REQUEST, "Invalid Procore-Company-Id header")
    })?;
    let installed = emu
        .lock_auth()
        .clients
        .get(&caller.client_id)
        .is_some_and(|c| c.companies.contains(&id));
    if !emu.lock_store().companies.contains_key(&id) {
        return Err(ApiError::not_found());
    }
    if !installed {
        return Err(ApiError::text(
            StatusCode::FORBIDDEN,
            "App is not connected to this company",
        ));
    }
    Ok(id)
}
