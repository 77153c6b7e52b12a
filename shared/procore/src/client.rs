//! The HTTP core: every call goes through the governor, carries the bearer token and the
//! `Procore-Company-Id` header, waits out 429/503 without spending attempts, renews the token once
//! on a 401, and retries transient failures (network, 5xx, 408) with `backon`. 4xx answers other
//! than those are returned at once.
//!
//! A `POST` is never retried after a transient failure: a timeout or a 5xx does not say whether
//! Procore created the record, and sending it again could create a second one. The error goes
//! back to the flow, whose create-once sequence looks the record up by `origin_id` on its next
//! attempt (architecture, "Flows"). `GET`, `PATCH` (the sync endpoints are keyed by
//! `origin_id`), `PUT` and `DELETE` repeat safely and are retried.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::auth::{Credentials, OnTokens, Tokens};
use crate::error::{Error, ErrorBody, Result};
use crate::governor::Governor;

/// How to reach one Procore company.
#[derive(Clone)]
pub struct ClientConfig {
    /// e.g. `https://api.procore.com/` (or the emulator's address).
    pub api_base: Url,
    /// e.g. `https://login.procore.com/`.
    pub login_base: Url,
    pub company_id: i64,
    pub credentials: Credentials,
    /// Receives every new token set (persist rotated refresh tokens here).
    pub on_tokens: Option<OnTokens>,
    /// Per-request timeout.
    pub timeout: Duration,
    /// Attempts for transient failures (network, 5xx, 408); a `POST` always gets one.
    pub max_attempts: usize,
    /// 429/503 waits allowed per call before giving up with [`Error::Throttled`].
    pub max_waits: usize,
    /// First backoff delay for transient failures.
    pub min_backoff: Duration,
}

impl ClientConfig {
    pub fn new(api_base: Url, login_base: Url, company_id: i64, credentials: Credentials) -> Self {
        Self {
            api_base,
            login_base,
            company_id,
            credentials,
            on_tokens: None,
            timeout: Duration::from_secs(30),
            max_attempts: 4,
            max_waits: 60,
            min_backoff: Duration::from_millis(200),
        }
    }
}

/// A response that succeeded: headers and body text.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        serde_json::from_str(&self.body).map_err(|source| Error::Decode {
            what: what.to_string(),
            source,
        })
    }
}

/// One connection (one company, one set of credentials, one governor). Cheap to clone.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    tokens: Tokens,
    governor: Governor,
    calls: AtomicU64,
}

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(Error::Transport)?;
        let tokens = Tokens::new(
            config.login_base.clone(),
            config.credentials.clone(),
            config.on_tokens.clone(),
        );
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                config,
                tokens,
                governor: Governor::default(),
                calls: AtomicU64::new(0),
            }),
        })
    }

    pub fn company_id(&self) -> i64 {
        self.inner.config.company_id
    }

    /// HTTP requests sent to the API so far (every attempt counts; token calls do not).
    pub fn calls(&self) -> u64 {
        self.inner.calls.load(Ordering::Relaxed)
    }

    /// Until when calls are held back by the rate limit or a 503, if they are.
    pub async fn held_until(&self) -> Option<std::time::Instant> {
        self.inner.governor.held_until().await
    }

    /// Sends one API call with retries; `path` is relative to the API base (`rest/v1.0/...`).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Answer> {
        let config = &self.inner.config;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(config.min_backoff)
            .with_max_delay(Duration::from_secs(10))
            .with_max_times(retries(&method, config.max_attempts))
            .with_jitter();
        let attempt = || self.attempt(method.clone(), path, query, body);
        attempt
            .retry(backoff)
            .when(|e: &Error| e.is_transient() && !matches!(e, Error::Throttled { .. }))
            .await
    }

    async fn attempt(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Answer> {
        let inner = &self.inner;
        let url = inner.config.api_base.join(path.trim_start_matches('/'))?;
        let (mut waits, mut renewed) = (0, false);
        loop {
            inner.governor.acquire().await;
            let token = match inner.tokens.access_token(&inner.http).await {
                Ok(t) => t,
                Err(e) => {
                    inner.governor.release().await;
                    return Err(e);
                }
            };
            let mut request = inner
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&token)
                .header("Procore-Company-Id", inner.config.company_id.to_string())
                .query(query);
            if let Some(b) = body {
                request = request.json(b);
            }
            inner.calls.fetch_add(1, Ordering::Relaxed);
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    inner.governor.release().await;
                    return Err(Error::Transport(e));
                }
            };
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            inner.governor.observe(&headers).await;
            let text = response.text().await.map_err(Error::Transport)?;
            match status {
                200..=299 => {
                    return Ok(Answer {
                        status,
                        headers,
                        body: text,
                    });
                }
                429 | 503 if headers.contains_key("retry-after") || status == 429 => {
                    inner.governor.back_off(&headers, status == 429).await;
                    waits += 1;
                    if waits > inner.config.max_waits {
                        return Err(Error::Throttled { status });
                    }
                    tracing::debug!(status, waits, "Procore asked to wait");
                }
                401 if !renewed => {
                    inner.tokens.invalidate(&token).await;
                    renewed = true;
                }
                _ => {
                    return Err(Error::Api {
                        status,
                        body: ErrorBody::parse(&text),
                    });
                }
            }
        }
    }

    /// `GET` and decode.
    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<T> {
        self.send(Method::GET, path, query, None).await?.json(path)
    }

    /// `POST` a JSON body and decode.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
        body: &impl Serialize,
    ) -> Result<T> {
        let body = to_value(body)?;
        self.send(Method::POST, path, query, Some(&body))
            .await?
            .json(path)
    }

    /// `POST` a record into a project: `{"project_id": …, "<key>": body}` with the project in the
    /// query too, as Procore's project-scoped create endpoints take it.
    pub async fn post_in_project<T: DeserializeOwned>(
        &self,
        path: &str,
        project_id: i64,
        key: &str,
        body: &impl Serialize,
    ) -> Result<T> {
        let mut fields = serde_json::Map::new();
        fields.insert("project_id".into(), project_id.into());
        fields.insert(key.into(), to_value(body)?);
        self.post(path, &query([("project_id", project_id)]), &fields)
            .await
    }

    /// `PATCH` a JSON body and decode.
    pub async fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
        body: &impl Serialize,
    ) -> Result<T> {
        let body = to_value(body)?;
        self.send(Method::PATCH, path, query, Some(&body))
            .await?
            .json(path)
    }

    pub async fn delete(&self, path: &str, query: &[(String, String)]) -> Result<()> {
        self.send(Method::DELETE, path, query, None)
            .await
            .map(|_| ())
    }
}

/// How many times a call may be sent again after a transient failure: never for a `POST`,
/// which may have created a record whose answer was lost.
fn retries(method: &Method, max_attempts: usize) -> usize {
    if *method == Method::POST {
        0
    } else {
        max_attempts.saturating_sub(1)
    }
}

fn to_value(body: &impl Serialize) -> Result<serde_json::Value> {
    serde_json::to_value(body).map_err(|source| Error::Decode {
        what: "request body".into(),
        source,
    })
}

/// Builds a query list from pairs.
pub fn query<K: ToString, V: ToString>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Vec<(String, String)> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_never_sent_twice_other_methods_retry() {
        let cases = [
            (Method::POST, 4, 0),
            (Method::POST, 1, 0),
            (Method::GET, 4, 3),
            (Method::PATCH, 4, 3),
            (Method::PUT, 4, 3),
            (Method::DELETE, 4, 3),
            (Method::GET, 0, 0),
        ];
        for (method, max_attempts, expected) in cases {
            assert_eq!(
                retries(&method, max_attempts),
                expected,
                "{method} with {max_attempts} attempts"
            );
        }
    }
}
