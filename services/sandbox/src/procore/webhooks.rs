//! The webhooks management API: hooks, triggers (one by one and bulk), deliveries, resources and
//! payload versions, with Procore's company-or-project scoping and namespaces.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use serde_json::{Map, Value, json};

use super::Emulator;
use super::engine::{DeliveryRecord, Pending};
use super::error::{ApiError, ApiResult};
use super::handlers::{Req, body_object};
use super::triggers;

/// A registered hook (destination).
#[derive(Clone, Debug)]
pub struct Hook {
    pub id: i64,
    pub company_id: Option<i64>,
    pub project_id: Option<i64>,
    pub api_version: String,
    pub namespace: String,
    pub destination_url: String,
    pub authorization: Option<String>,
    pub owner_user_id: i64,
}

#[derive(Clone, Debug)]
pub struct Trigger {
    pub id: i64,
    pub hook_id: i64,
    pub resource_name: String,
    /// Lower case: create, update, delete.
    pub event_type: String,
    pub company_id: Option<i64>,
    pub project_id: Option<i64>,
    pub user_id: i64,
}

/// Delivery queue of one hook: paused after a failure until `retry_at`.
#[derive(Debug, Default)]
pub struct Queue {
    pub pending: VecDeque<Pending>,
    pub in_flight: bool,
    pub retry_at: Option<Instant>,
    pub failing_since: Option<Instant>,
    pub attempts: u32,
}

#[derive(Debug, Default)]
pub struct HookState {
    pub hooks: BTreeMap<i64, Hook>,
    pub triggers: BTreeMap<i64, Trigger>,
    pub queues: HashMap<i64, Queue>,
    pub deliveries: Vec<DeliveryRecord>,
    pub next_id: i64,
}

impl HookState {
    pub fn allocate(&mut self) -> i64 {
        if self.next_id == 0 {
            self.next_id = 5_982_324_300_946_918_154;
        }
        self.next_id += 7;
        self.next_id
    }
}

pub const API_VERSIONS: [&str; 3] = ["v2", "v3", "v4"];

/// Normalizes `v2.0` → `v2`; `None` for unknown versions.
pub fn version(raw: &str) -> Option<&'static str> {
    API_VERSIONS
        .iter()
        .copied()
        .find(|v| raw == *v || raw.strip_suffix(".0") == Some(v))
}

fn render_hook(h: &Hook) -> Value {
    json!({
        "id": h.id,
        "api_version": h.api_version,
        "namespace": h.namespace,
        "destination_url": h.destination_url,
        "destination_headers": { "Authorization": h.authorization },
        "owned_by_company_id": h.company_id,
        "owned_by_project_id": h.project_id,
        "owned_by_user_id": h.owner_user_id,
    })
}

pub(super) fn render_trigger(t: &Trigger) -> Value {
    json!({
        "id": t.id,
        "webhook_hook_id": t.hook_id,
        "resource_name": t.resource_name,
        "resource_id": null,
        "event_type": t.event_type.to_uppercase(),
        "company_id": t.company_id,
        "project_id": t.project_id,
        "user_id": t.user_id,
    })
}

/// `company_id` or `project_id` from the body or query.
pub(super) fn scope(req: &Req, body: &Map<String, Value>) -> ApiResult<(Option<i64>, Option<i64>)> {
    let get = |k: &str| {
        body.get(k)
            .and_then(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .or_else(|| req.params.i64(k))
    };
    match (get("company_id"), get("project_id")) {
        (None, None) => Err(ApiError::bad_request(
            "company_id or project_id is required",
        )),
        (Some(c), _) if c != req.ctx.company_id => Err(ApiError::text(
            StatusCode::FORBIDDEN,
            "App is not connected to this company",
        )),
        (c, p) => Ok((c, p)),
    }
}

fn namespace_ok(ns: &str) -> bool {
    !ns.is_empty()
        && ns
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

async fn create_hook(State(emu): State<Emulator>, req: Req, body: Bytes) -> ApiResult<Response> {
    let body = body_object(&body)?;
    let (company_id, project_id) = scope(&req, &body)?;
    let hook = body
        .get("hook")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: hook"))?;
    let text = |k: &str| hook.get(k).and_then(Value::as_str).map(str::to_string);
    let mut errors = BTreeMap::new();
    let api_version = text("api_version")
        .or_else(|| text("payload_version"))
        .unwrap_or_else(|| "v2".into());
    let Some(api_version) = version(&api_version) else {
        errors.insert(
            "api_version".to_string(),
            vec!["is not supported".to_string()],
        );
        return Err(ApiError::validation(&errors));
    };
    let namespace = text("namespace").unwrap_or_default();
    if !namespace_ok(&namespace) {
        errors.insert(
            "namespace".into(),
            vec!["may contain only a-z, 0-9 and -".to_string()],
        );
    }
    let destination_url = text("destination_url").unwrap_or_default();
    if url::Url::parse(&destination_url).is_err() {
        errors.insert("destination_url".into(), vec!["is invalid".to_string()]);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(&errors));
    }
    let authorization = hook
        .get("destination_headers")
        .and_then(|h| h.get("Authorization"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut state = emu.lock_hooks();
    let id = state.allocate();
    let h = Hook {
        id,
        company_id,
        project_id,
        api_version: api_version.to_string(),
        namespace,
        destination_url,
        authorization,
        owner_user_id: req.ctx.caller.user_id,
    };
    let out = render_hook(&h);
    state.hooks.insert(id, h);
    Ok((StatusCode::CREATED, axum::Json(out)).into_response())
}

fn visible(h: &Hook, req: &Req) -> bool {
    h.company_id == Some(req.ctx.company_id)
        || h.project_id.is_some_and(|p| emu_project_in_company(req, p))
}

fn emu_project_in_company(req: &Req, project_id: i64) -> bool {
    // Project hooks are visible when asked for with their project_id.
    req.params.i64("project_id") == Some(project_id)
}

async fn list_hooks(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    scope(&req, &Map::new())?;
    let namespace = req.params.get("namespace").unwrap_or("*").to_string();
    let state = emu.lock_hooks();
    let hooks: Vec<Value> = state
        .hooks
        .values()
        .filter(|h| visible(h, &req) && (namespace == "*" || h.namespace == namespace))
        .map(render_hook)
        .collect();
    Ok(axum::Json(hooks).into_response())
}

pub(super) fn hook_id(req: &Req, name: &str) -> ApiResult<i64> {
    req.path_id(name)
}

async fn patch_hook(State(emu): State<Emulator>, req: Req, body: Bytes) -> ApiResult<Response> {
    let body = body_object(&body)?;
    let id = hook_id(&req, "id")?;
    let mut state = emu.lock_hooks();
    let h = state
        .hooks
        .get_mut(&id)
        .filter(|h| h.company_id == Some(req.ctx.company_id) || h.project_id.is_some())
        .ok_or_else(ApiError::not_found)?;
    let hook = body
        .get("hook")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    if let Some(url) = hook.get("destination_url").and_then(Value::as_str) {
        h.destination_url = url.to_string();
    }
    if let Some(auth) = hook
        .get("destination_headers")
        .and_then(|d| d.get("Authorization"))
    {
        h.authorization = auth.as_str().map(str::to_string);
    }
    if let Some(v) = hook
        .get("api_version")
        .and_then(Value::as_str)
        .and_then(version)
    {
        h.api_version = v.to_string();
    }
    Ok(axum::Json(render_hook(h)).into_response())
}

async fn delete_hook(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let id = hook_id(&req, "id")?;
    let mut state = emu.lock_hooks();
    state.hooks.remove(&id).ok_or_else(ApiError::not_found)?;
    state.triggers.retain(|_, t| t.hook_id != id);
    state.queues.remove(&id);
    Ok(StatusCode::OK.into_response())
}

pub fn routes(router: Router<Emulator>) -> Router<Emulator> {
    let base = "/rest/v1.0/webhooks";
    router
        .route(&format!("{base}/hooks"), get(list_hooks).post(create_hook))
        .route(
            &format!("{base}/hooks/{{id}}"),
            delete(delete_hook).patch(patch_hook),
        )
        .route(
            &format!("{base}/hooks/{{hook_id}}/triggers"),
            get(triggers::list_triggers).post(triggers::create_trigger),
        )
        .route(
            &format!("{base}/hooks/{{hook_id}}/triggers/bulk"),
            post(triggers::bulk_triggers).delete(triggers::bulk_delete_triggers),
        )
        .route(
            &format!("{base}/hooks/{{hook_id}}/triggers/{{id}}"),
            delete(triggers::delete_trigger),
        )
        .route(
            &format!("{base}/hooks/{{hook_id}}/deliveries"),
            get(triggers::deliveries),
        )
        .route(&format!("{base}/resources"), get(triggers::resources))
        .route(
            &format!("{base}/resources/api_versions"),
            get(triggers::api_versions),
        )
}
