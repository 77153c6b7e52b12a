//! One governor per connection, driven by `X-Rate-Limit-Limit/Remaining/Reset`: it reserves a
//! slot before each call, spreads the last fifth of the budget evenly until the reset, holds all
//! calls when the budget is gone, and after a 429 or 503 waits for `Retry-After`/`Reset`.
//! Until the first headers of a window are known, calls go one at a time.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::sync::Mutex;

#[derive(Debug)]
struct State {
    limit: Option<u32>,
    remaining: u32,
    reset_at: Instant,
    reset_epoch: u64,
    blocked_until: Option<Instant>,
    probing: bool,
    next_slot: Instant,
}

/// Shared by every call of one connection.
#[derive(Debug)]
pub struct Governor {
    state: Mutex<State>,
}

impl Default for Governor {
    fn default() -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                limit: None,
                remaining: 0,
                reset_at: now,
                reset_epoch: 0,
                blocked_until: None,
                probing: false,
                next_slot: now,
            }),
        }
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn epoch_to_instant(epoch: u64) -> Instant {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64();
    Instant::now() + Duration::from_secs_f64((epoch as f64 - now).max(0.0))
}

impl Governor {
    /// Waits until a call may be sent, and reserves it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                match s.blocked_until {
                    Some(until) if until > now => until - now,
                    _ => {
                        s.blocked_until = None;
                        match s.limit {
                            Some(_) if now >= s.reset_at => {
                                // A new window: learn its budget from the next answer.
                                s.limit = None;
                                s.probing = true;
                                return;
                            }
                            None if s.probing => Duration::from_millis(5),
                            None => {
                                s.probing = true;
                                return;
                            }
                            Some(_) if s.remaining == 0 => {
                                s.reset_at - now + Duration::from_millis(5)
                            }
                            Some(limit) => {
                                s.remaining -= 1;
                                let reserve = (limit / 5).max(1);
                                if s.remaining >= reserve {
                                    return;
                                }
                                // Spread what is left over the rest of the window.
                                let pace = (s.reset_at - now) / (s.remaining + 1);
                                let slot = s.next_slot.max(now);
                                s.next_slot = slot + pace;
                                drop(s);
                                tokio::time::sleep_until(slot.into()).await;
                                return;
                            }
                        }
                    }
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// Learns from an answer's headers.
    pub async fn observe(&self, headers: &HeaderMap) {
        let mut s = self.state.lock().await;
        s.probing = false;
        let (Some(limit), Some(remaining), Some(reset)) = (
            header_u64(headers, "x-rate-limit-limit"),
            header_u64(headers, "x-rate-limit-remaining"),
            header_u64(headers, "x-rate-limit-reset"),
        ) else {
            return;
        };
        let (limit, remaining) = (
            u32::try_from(limit).unwrap_or(u32::MAX),
            u32::try_from(remaining).unwrap_or(u32::MAX),
        );
        if s.limit == Some(limit) && s.reset_epoch == reset {
            // Same window: calls still in flight were already counted locally.
            s.remaining = s.remaining.min(remaining);
        } else {
            s.remaining = remaining;
        }
        s.limit = Some(limit);
        s.reset_epoch = reset;
        s.reset_at = epoch_to_instant(reset);
    }

    /// When calls are held back (budget spent, 429 or 503), until when; `None` when calls flow.
    /// Lets a status screen say "waiting for Procore's API call limit".
    pub async fn held_until(&self) -> Option<Instant> {
        let s = self.state.lock().await;
        let now = Instant::now();
        let spent = s.limit.is_some() && s.remaining == 0 && s.reset_at > now;
        let blocked = s.blocked_until.filter(|b| *b > now);
        match (blocked, spent.then_some(s.reset_at)) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    /// Lets the next call probe when an attempt ended without headers (no answer).
    pub async fn release(&self) {
        self.state.lock().await.probing = false;
    }

    /// After a 429 (`exhausted`) or 503: hold every call until `Retry-After` (or `Reset`).
    pub async fn back_off(&self, headers: &HeaderMap, exhausted: bool) {
        let retry_after = header_u64(headers, "retry-after").map(Duration::from_secs);
        let reset = header_u64(headers, "x-rate-limit-reset").map(epoch_to_instant);
        let now = Instant::now();
        // Retry-After is authoritative; a 429 without it waits for the reported reset.
        let until = match (retry_after, reset) {
            (Some(d), _) => now + d,
            (None, Some(r)) if exhausted => r,
            _ => now + Duration::from_secs(1),
        };
        let mut s = self.state.lock().await;
        s.probing = false;
        if exhausted {
            s.remaining = 0;
        }
        s.blocked_until = Some(s.blocked_until.map_or(until, |b| b.max(until)));
    }
}
