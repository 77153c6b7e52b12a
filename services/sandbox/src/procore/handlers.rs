//! Generic list / show / create / update / delete over any [`Resource`], in the place the request
//! names (`request.rs`), and the business rules shared by single writes and sync.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::Emulator;
use super::error::{ApiError, ApiResult};
use super::query::{deleted_ok, matches};
use super::render::render;
use super::resources::{FieldErrors, Resource, Scope};
use super::store::{Kind, Row, Store, new_row};

pub use super::request::{Place, Req, body_object, in_place, int, paged, place};

/// `GET` a collection.
pub fn list(
    emu: &Emulator,
    res: &Resource,
    req: &Req,
    extra: impl Fn(&Store, &Row) -> bool,
) -> ApiResult<Response> {
    let store = emu.lock_store();
    let place = place(res, &store, req, None)?;
    let rows: Vec<&Row> = store
        .iter_all(res.kind)
        .filter(|r| {
            in_place(r, &place)
                && deleted_ok(r, &req.params)
                && matches(r, &req.params)
                && extra(&store, r)
        })
        .collect();
    Ok(paged(emu, req, rows, |r| list_shape(render(&store, r))))
}

/// Where a list item differs from the Show shape: direct cost lists name the vendor as a string.
fn list_shape(mut item: Value) -> Value {
    if item.get("direct_cost_type").is_some() {
        let name = item
            .get("vendor")
            .and_then(|v| v.get("name"))
            .cloned()
            .unwrap_or(Value::Null);
        item["vendor"] = name;
    }
    item
}

fn find<'a>(store: &'a Store, res: &Resource, place: &Place, id: i64) -> ApiResult<&'a Row> {
    store
        .get(res.kind, id)
        .filter(|r| in_place(r, place))
        .ok_or_else(ApiError::not_found)
}

/// `GET` one record by `{id}`.
pub fn show(emu: &Emulator, res: &Resource, req: &Req) -> ApiResult<Response> {
    let store = emu.lock_store();
    let place = place(res, &store, req, None)?;
    let row = find(&store, res, &place, req.path_id("id")?)?;
    Ok(axum::Json(render(&store, row)).into_response())
}

/// Rules beyond field types: same-project references, budget uniqueness, locked commitments.
fn business_rules(
    res: &Resource,
    store: &Store,
    place: &Place,
    fields: &Map<String, Value>,
    existing: Option<i64>,
    errors: &mut FieldErrors,
) {
    let same_project = |kind: Kind, key: &str, errors: &mut FieldErrors| {
        if let Some(id) = fields.get(key).and_then(Value::as_i64)
            && store
                .get(kind, id)
                .is_some_and(|r| r.project_id != place.project_id)
        {
            errors
                .entry(key.into())
                .or_default()
                .push("belongs to another project".into());
        }
    };
    same_project(Kind::CostCode, "cost_code_id", errors);
    if res.kind == Kind::CostCode {
        same_project(Kind::CostCode, "parent_id", errors);
    }
    if res.kind == Kind::BudgetLineItem
        && existing.is_none()
        && let Some(project) = place.project_id
    {
        let code = fields.get("cost_code_id").and_then(Value::as_i64);
        let kind = fields.get("line_item_type_id").and_then(Value::as_i64);
        if super::budget::existing_line(store, project, code, kind).is_some() {
            errors
                .entry("cost_code_id".into())
                .or_default()
                .push("already has a budget line item for this cost type".into());
        }
    }
    if res.kind == Kind::ChangeOrder
        && let Some(id) = fields.get("contract_id").and_then(Value::as_i64)
    {
        let found = [
            Kind::WorkOrderContract,
            Kind::PurchaseOrderContract,
            Kind::PrimeContract,
        ]
        .iter()
        .any(|k| {
            store
                .get(*k, id)
                .is_some_and(|c| c.project_id == place.project_id)
        });
        if !found {
            errors
                .entry("contract_id".into())
                .or_default()
                .push(format!("{id} does not exist"));
        }
    }
    if let (Scope::Child(holder_kind), Some(parent)) = (res.scope, place.parent_id) {
        let locked = matches!(
            holder_kind,
            Kind::WorkOrderContract | Kind::PurchaseOrderContract
        ) && store
            .get(holder_kind, parent)
            .is_some_and(|h| matches!(h.str("status"), Some("Approved" | "Complete")));
        if locked {
            errors
                .entry("base".into())
                .or_default()
                .push("The schedule of values of an approved commitment cannot be modified".into());
        }
    }
    if res.kind == Kind::User
        && fields.get("employee_id").is_some_and(|v| !v.is_null())
        && fields.get("is_employee") == Some(&Value::Bool(false))
    {
        errors
            .entry("employee_id".into())
            .or_default()
            .push("can only be set when is_employee is true".into());
    }
}

/// Validates and writes one item (create when `existing` is `None`). Returns the row id.
pub fn write(
    emu: &Emulator,
    store: &mut Store,
    res: &Resource,
    place: &Place,
    attrs: &Map<String, Value>,
    existing: Option<i64>,
    user_id: i64,
) -> Result<i64, FieldErrors> {
    let fields = res.validate(attrs, existing, store, place.company_id);
    let mut errors = fields.as_ref().err().cloned().unwrap_or_default();
    let fields = fields.unwrap_or_default();
    business_rules(res, store, place, &fields, existing, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let id = match existing {
        Some(id) => {
            store.update(res.kind, id, fields, user_id);
            id
        }
        None => {
            let id = store.insert(
                new_row(
                    res.kind,
                    place.company_id,
                    place.project_id,
                    place.parent_id,
                    fields,
                ),
                user_id,
            );
            if res.kind == Kind::Project {
                store.apply_standard_codes(place.company_id, id, user_id);
            }
            id
        }
    };
    emu.changed();
    Ok(id)
}

/// `POST` a new record: `{"<body_key>": {...}}` → 201.
pub fn create(emu: &Emulator, res: &Resource, req: &Req, body: &Bytes) -> ApiResult<Response> {
    let body = body_object(body)?;
    let attrs = body
        .get(res.body_key)
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| {
            ApiError::bad_request(&format!(
                "param is missing or the value is empty: {}",
                res.body_key
            ))
        })?;
    let mut store = emu.lock_store();
    let place = place(res, &store, req, Some(&body))?;
    let id = write(
        emu,
        &mut store,
        res,
        &place,
        &attrs,
        None,
        req.ctx.caller.user_id,
    )
    .map_err(|e| ApiError::validation(&e))?;
    let row = find(&store, res, &place, id)?;
    Ok((StatusCode::CREATED, axum::Json(render(&store, row))).into_response())
}

/// `PATCH` one record by `{id}`.
pub fn update(emu: &Emulator, res: &Resource, req: &Req, body: &Bytes) -> ApiResult<Response> {
    let body = body_object(body)?;
    let attrs = body
        .get(res.body_key)
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| {
            ApiError::bad_request(&format!(
                "param is missing or the value is empty: {}",
                res.body_key
            ))
        })?;
    let mut store = emu.lock_store();
    let place = place(res, &store, req, Some(&body))?;
    let id = find(&store, res, &place, req.path_id("id")?)?.id;
    write(
        emu,
        &mut store,
        res,
        &place,
        &attrs,
        Some(id),
        req.ctx.caller.user_id,
    )
    .map_err(|e| ApiError::validation(&e))?;
    let row = find(&store, res, &place, id)?;
    Ok(axum::Json(render(&store, row)).into_response())
}

/// `DELETE` one record (soft delete) → 204.
pub fn delete(emu: &Emulator, res: &Resource, req: &Req) -> ApiResult<Response> {
    let mut store = emu.lock_store();
    let place = place(res, &store, req, None)?;
    let id = find(&store, res, &place, req.path_id("id")?)?.id;
    store.delete(res.kind, id, req.ctx.caller.user_id);
    emu.changed();
    // The newer change-order endpoints answer 204; the v1.0 resources answer 200.
    let status = if res.kind == Kind::ChangeOrder {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::OK
    };
    Ok(status.into_response())
}
