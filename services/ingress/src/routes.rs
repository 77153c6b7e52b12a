//! `POST /webhooks/procore/{connection}` and the state behind it.

use crate::auth;
use crate::cache::{self, Found, SettingsCache};
use crate::commit::GroupCommit;
use crate::error::IngressError;
use crate::payload::{self, ProcoreEvent};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::{get, post};
use bridge_domain::{Source, resources};
use bridge_platform::connections::{self, WebhookSettings};
use bridge_platform::inbox::NewEvent;
use chrono::Utc;
use sqlx::PgPool;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

/// Largest body accepted; Procore's events are a few hundred bytes.
pub const MAX_BODY: usize = 256 * 1024;
/// A delivery is answered within this, whatever Postgres does.
const ANSWER_WITHIN: Duration = Duration::from_millis(1500);
/// How long connection settings are cached.
const SETTINGS_TTL: Duration = Duration::from_secs(5);
/// Most connection names cached (known ones are few; the rest are unknown names).
const SETTINGS_CAPACITY: usize = 1024;
/// Connection lookups running at once: uncached names cannot take the pool the group commit
/// writes through.
const LOOKUPS_AT_ONCE: usize = 2;

/// The ingress's shared state. Cheap to clone.
#[derive(Clone)]
pub struct Ingress {
    pool: PgPool,
    commit: GroupCommit,
    settings: Arc<RwLock<SettingsCache>>,
    lookups: Arc<Semaphore>,
}

impl Ingress {
    pub fn new(pool: PgPool, commit: GroupCommit) -> Self {
        Ingress {
            pool,
            commit,
            settings: Arc::new(RwLock::new(SettingsCache::new(
                SETTINGS_TTL,
                SETTINGS_CAPACITY,
            ))),
            lookups: Arc::new(Semaphore::new(LOOKUPS_AT_ONCE)),
        }
    }

    /// The named connection's settings; `None` for a name no connection has, without asking
    /// Postgres when the name cannot be one.
    async fn settings(&self, name: &str) -> Result<Found, IngressError> {
        if !cache::is_connection_name(name) {
            return Ok(None);
        }
        if let Some(found) = self.cached(name) {
            return Ok(found);
        }
        let lookup = async {
            let _permit = self.lookups.acquire().await;
            // Another request may have read it while this one waited.
            if let Some(found) = self.cached(name) {
                return Ok(found);
            }
            connections::webhook_settings(&self.pool, name)
                .await
                .map(|found| found.map(Arc::new))
        };
        let found = tokio::time::timeout(ANSWER_WITHIN, lookup)
            .await
            .map_err(|_| IngressError::TimedOut("connection lookup"))?
            .map_err(IngressError::Lookup)?;
        if let Ok(mut cache) = self.settings.write() {
            cache.insert(name, found.clone(), Instant::now());
        }
        Ok(found)
    }

    fn cached(&self, name: &str) -> Option<Found> {
        self.settings.read().ok()?.get(name, Instant::now())
    }
}

pub fn router(ingress: Ingress) -> Router {
    Router::new()
        .route("/webhooks/procore/{connection}", post(receive))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(ingress)
}

async fn receive(
    State(ingress): State<Ingress>,
    Path(connection): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<StatusCode, IngressError> {
    // An unknown connection and a wrong or missing `Authorization` get the same answer,
    // after the same work: a caller cannot learn which names exist.
    let found = ingress.settings(&connection).await?;
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let digests = found
        .as_ref()
        .map_or(&[][..], |s| s.webhook_auth_sha256.as_slice());
    let accepted = auth::accepted(presented, digests) && !presented.is_empty();
    let settings = match found {
        Some(settings) if accepted => settings,
        _ => return Err(IngressError::Unauthorized),
    };
    let body = read_body(&headers, body).await?;
    let (event, raw) = payload::parse_with_json(&body)
        .map_err(|e| IngressError::bad_request(e.code(), e.to_string()))?;
    let rows = inbox_rows(&settings, &event, raw);
    match tokio::time::timeout(ANSWER_WITHIN, ingress.commit.submit(rows)).await {
        Ok(Ok(())) => Ok(StatusCode::ACCEPTED),
        Ok(Err(e)) => Err(IngressError::Commit(e)),
        Err(_) => Err(IngressError::TimedOut("inbox commit")),
    }
}

async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, IngressError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BODY) {
        return Err(IngressError::TooLarge { limit: MAX_BODY });
    }
    axum::body::to_bytes(body, MAX_BODY)
        .await
        .map_err(|_| IngressError::TooLarge { limit: MAX_BODY })
}

/// The inbox rows for one event: one per route it feeds, each naming its record as the route
/// wants it (`resources::routes`), or one ignored row saying why.
///
/// Built field by field: on the hot path each row allocates only its own strings.
fn inbox_rows(settings: &WebhookSettings, event: &ProcoreEvent, raw: String) -> Vec<NewEvent> {
    let ours = settings.oauth_client_id.is_some()
        && event.source_application_id == settings.oauth_client_id;
    let occurred_at = event.timestamp;
    let row = |dedup_key: String, route, ignored_reason, record: String| NewEvent {
        connection_id: settings.id,
        source: Source::ProcoreWebhook,
        dedup_key,
        route,
        ignored_reason,
        record,
        project: event.project_id.clone(),
        action: event.action,
        occurred_at,
        payload: raw.clone(),
    };
    let ignored = |reason: String| {
        let key = format!("webhook:{}", event.event_id);
        vec![row(key, None, Some(reason), event.resource_id.clone())]
    };
    if let Some(reason) = &event.ignored {
        return ignored(reason.clone());
    }
    if let Some(reason) = payload::ahead_of_time(event.timestamp, Utc::now()) {
        return ignored(reason);
    }
    if ours {
        return ignored("caused by the bridge's own write".into());
    }
    let routes = resources::routes(&event.resource);
    if routes.is_empty() {
        return ignored(format!("resource `{}` is not synchronized", event.resource));
    }
    routes
        .iter()
        .map(|feed| {
            let key = format!(
                "webhook:{}:{}.{}",
                event.event_id, feed.kind, feed.direction
            );
            row(
                key,
                Some(feed.route()),
                None,
                feed.record(&event.resource_id),
            )
        })
        .collect()
}
