//! Triggers (one by one and bulk, at most 500), the deliveries log with its cursor paging
//! (`page_size`, `page_start`) and status filter, and the resource and version listings.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Emulator;
use super::engine::DeliveryRecord;
use super::error::{ApiError, ApiResult};
use super::handlers::{Req, body_object};
use super::webhooks::{API_VERSIONS, Hook, HookState, Trigger, hook_id, render_trigger, scope};

fn new_trigger(
    state: &mut HookState,
    hook: &Hook,
    spec: &Value,
    user_id: i64,
) -> Result<Trigger, String> {
    let name = spec
        .get("resource_name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let event = spec
        .get("event_type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_lowercase();
    if !super::engine::RESOURCE_NAMES.contains(&name) {
        return Err(format!("resource_name `{name}` is not a valid resource"));
    }
    if !["create", "update", "delete"].contains(&event.as_str()) {
        return Err(format!("event_type `{event}` is not valid"));
    }
    let t = Trigger {
        id: state.allocate(),
        hook_id: hook.id,
        resource_name: name.to_string(),
        event_type: event,
        company_id: hook.company_id,
        project_id: hook.project_id,
        user_id,
    };
    state.triggers.insert(t.id, t.clone());
    Ok(t)
}

pub(super) async fn create_trigger(
    State(emu): State<Emulator>,
    req: Req,
    body: Bytes,
) -> ApiResult<Response> {
    let body = body_object(&body)?;
    scope(&req, &body)?;
    let id = hook_id(&req, "hook_id")?;
    let mut state = emu.lock_hooks();
    let hook = state
        .hooks
        .get(&id)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let spec = body
        .get("trigger")
        .cloned()
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: trigger"))?;
    let t = new_trigger(&mut state, &hook, &spec, req.ctx.caller.user_id)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, json!({ "errors": [e] })))?;
    Ok((StatusCode::CREATED, axum::Json(render_trigger(&t))).into_response())
}

pub(super) async fn bulk_triggers(
    State(emu): State<Emulator>,
    req: Req,
    body: Bytes,
) -> ApiResult<Response> {
    let body = body_object(&body)?;
    scope(&req, &body)?;
    let id = hook_id(&req, "hook_id")?;
    let specs = body
        .get("triggers")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if specs.len() > 500 {
        return Err(ApiError::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            "A maximum of 500 triggers can be created at once",
        ));
    }
    let mut state = emu.lock_hooks();
    let hook = state
        .hooks
        .get(&id)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    let (mut success, mut failures) = (Vec::new(), Vec::new());
    for spec in specs {
        match new_trigger(&mut state, &hook, &spec, req.ctx.caller.user_id) {
            Ok(t) => success.push(render_trigger(&t)),
            Err(e) => failures.push(json!({ "trigger": spec, "errors": [e] })),
        }
    }
    let status = if failures.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::MULTI_STATUS
    };
    Ok((
        status,
        axum::Json(json!({ "success": success, "failures": failures })),
    )
        .into_response())
}

pub(super) async fn bulk_delete_triggers(
    State(emu): State<Emulator>,
    req: Req,
    body: Bytes,
) -> ApiResult<Response> {
    let body = body_object(&body)?;
    let id = hook_id(&req, "hook_id")?;
    let ids: Vec<i64> = body
        .get("trigger_ids")
        .or_else(|| body.get("ids"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let mut state = emu.lock_hooks();
    state
        .triggers
        .retain(|tid, t| t.hook_id != id || !(ids.is_empty() || ids.contains(tid)));
    Ok(StatusCode::OK.into_response())
}

pub(super) async fn list_triggers(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let id = hook_id(&req, "hook_id")?;
    let state = emu.lock_hooks();
    let out: Vec<Value> = state
        .triggers
        .values()
        .filter(|t| t.hook_id == id)
        .map(render_trigger)
        .collect();
    Ok(axum::Json(out).into_response())
}

pub(super) async fn delete_trigger(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let (hook, id) = (hook_id(&req, "hook_id")?, req.path_id("id")?);
    let mut state = emu.lock_hooks();
    state
        .triggers
        .remove(&id)
        .filter(|t| t.hook_id == hook)
        .ok_or_else(ApiError::not_found)?;
    Ok(StatusCode::OK.into_response())
}

/// Cursor paging: `page_size` (default 100) and `page_start` (last id of the previous page).
pub(super) async fn deliveries(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let id = hook_id(&req, "hook_id")?;
    let status = req
        .params
        .get("filters[status]")
        .or_else(|| req.params.get("filter[status]"))
        .unwrap_or("any")
        .to_string();
    let size = req
        .params
        .get("page_size")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100usize);
    let start = req.params.i64("page_start").unwrap_or(i64::MIN);
    let state = emu.lock_hooks();
    let out: Vec<Value> = state
        .deliveries
        .iter()
        .filter(|d| d.hook_id == id && d.event_id > start)
        .filter(|d| match status.as_str() {
            "successful" => d.outcome == "ok",
            "failing" => d.outcome == "failed" || d.outcome == "retried",
            "discarded" => d.outcome == "discarded",
            _ => true,
        })
        .take(size)
        .map(DeliveryRecord::to_json)
        .collect();
    Ok(axum::Json(out).into_response())
}

pub(super) async fn resources(req: Req) -> ApiResult<Response> {
    let project_level = req.params.get("project_id").is_some();
    let out: Vec<Value> = super::engine::RESOURCE_NAMES
        .iter()
        .filter(|n| project_level != matches!(**n, "Projects" | "Company Vendors" | "Company Users" | "Line Item Types"))
        .map(|n| json!({ "name": n, "api_version": "v2", "product_category": "Financials", "tools": n, "create": "create", "update": "update", "delete": "delete", "except": [] }))
        .collect();
    Ok(axum::Json(out).into_response())
}

pub(super) async fn api_versions() -> Response {
    axum::Json(API_VERSIONS).into_response()
}
