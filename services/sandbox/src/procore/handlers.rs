//! Generic list / show / create / update / delete over any [`Resource`], with Procore's
//! scoping (company from the header, `project_id` from path, query or body, line items under
//! their holder) and the business rules shared by single writes and sync.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use super::Emulator;
use super::error::{ApiError, ApiResult};
use super::limits::Ctx;
use super::query::{Params, deleted_ok, matches, paginate};
use super::render::render;
use super::resources::{FieldErrors, Resource, Scope};
use super::store::{Kind, Row, Store, new_row};

/// Everything a generic handler needs from the request line.
pub struct Req {
    pub ctx: Ctx,
    pub params: Params,
    pub path: HashMap<String, String>,
    pub base_url: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Req {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| ApiError::text(StatusCode::UNAUTHORIZED, "Unauthorized"))?;
        let path = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|p| p.0)
            .unwrap_or_default();
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        Ok(Req {
            ctx,
            params: Params::parse(parts.uri.query()),
            path,
            base_url: format!("http://{host}{}", parts.uri.path()),
        })
    }
}

impl Req {
    pub fn path_id(&self, name: &str) -> ApiResult<i64> {
        self.path
            .get(name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(ApiError::not_found)
    }
}

/// Parses a JSON object body (empty body = empty object).
pub fn body_object(body: &Bytes) -> ApiResult<Map<String, Value>> {
    if body.is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(ApiError::bad_request(
            "The request body is not a JSON object",
        )),
    }
}

/// Where rows of a resource live for this request.
#[derive(Clone, Copy, Debug)]
pub struct Place {
    pub company_id: i64,
    pub project_id: Option<i64>,
    pub parent_id: Option<i64>,
}

fn project_of(store: &Store, company_id: i64, id: i64) -> ApiResult<i64> {
    match store.get(Kind::Project, id) {
        Some(p) if p.company_id == company_id => Ok(id),
        _ => Err(ApiError::not_found()),
    }
}

/// Resolves the scope from path, query and body.
pub fn place(
    res: &Resource,
    store: &Store,
    req: &Req,
    body: Option<&Map<String, Value>>,
) -> ApiResult<Place> {
    let company_id = req.ctx.company_id;
    // A company named in the path, query or body must be the header's company.
    let named = req
        .path
        .get("company_id")
        .and_then(|v| v.parse::<i64>().ok())
        .or_else(|| req.params.i64("company_id"))
        .or_else(|| body.and_then(|b| b.get("company_id")).and_then(int));
    if named.is_some_and(|c| c != company_id) {
        return Err(ApiError::text(
            StatusCode::FORBIDDEN,
            "The company_id does not match the Procore-Company-Id header",
        ));
    }
    let project = req
        .path
        .get("project_id")
        .and_then(|v| v.parse().ok())
        .or_else(|| req.params.i64("project_id"))
        .or_else(|| body.and_then(|b| b.get("project_id")).and_then(int));
    match res.scope {
        Scope::Company => Ok(Place {
            company_id,
            project_id: None,
            parent_id: None,
        }),
        Scope::Project => {
            let id = project.ok_or_else(|| ApiError::bad_request("project_id is required"))?;
            Ok(Place {
                company_id,
                project_id: Some(project_of(store, company_id, id)?),
                parent_id: None,
            })
        }
        Scope::Child(parent_kind) => {
            let parent = match req.path.get("parent_id") {
                Some(raw) => Some(raw.parse().map_err(|_| ApiError::not_found())?),
                None => None,
            };
            let Some(parent) = parent else {
                let id = project.ok_or_else(|| ApiError::bad_request("project_id is required"))?;
                return Ok(Place {
                    company_id,
                    project_id: Some(project_of(store, company_id, id)?),
                    parent_id: None,
                });
            };
            let holder = store
                .get(parent_kind, parent)
                .filter(|h| h.company_id == company_id)
                .ok_or_else(ApiError::not_found)?;
            Ok(Place {
                company_id,
                project_id: holder.project_id,
                parent_id: Some(parent),
            })
        }
    }
}

pub fn int(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

pub fn in_place(row: &Row, place: &Place) -> bool {
    row.company_id == place.company_id
        && (place.project_id.is_none() || row.project_id == place.project_id)
        && (place.parent_id.is_none() || row.parent_id == place.parent_id)
}

/// `GET` a collection.
pub fn list(
    emu: &Emulator,
    res: &Resource,
    req: &Req,
    extra: impl Fn(&Store, &Row) -> bool,
) -> ApiResult<Response> {
    let config = emu.config();
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
    let mut headers = HeaderMap::new();
    let page = paginate(
        rows,
        &req.params,
        config.default_per_page,
        config.max_per_page,
        &req.base_url,
        &mut headers,
    );
    let body: Vec<Value> = page
        .into_iter()
        .map(|r| list_shape(render(&store, r)))
        .collect();
    Ok((headers, axum::Json(Value::Array(body))).into_response())
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
        None => store.insert(
            new_row(
                res.kind,
                place.company_id,
                place.project_id,
                place.parent_id,
                fields,
            ),
            user_id,
        ),
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
