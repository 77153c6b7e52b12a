//! The v2.0 change-order line items (`/rest/v2.0/companies/{company_id}/projects/{project_id}/
//! {commitment|prime}_change_orders/{id}/line_items`): `{"data": ...}` envelopes, string ids, and
//! lines addressed by `wbs_code_id`. (Design) a WBS code id here is the id of the project's budget
//! line item for that cost code + cost type, as `detail_rows` report it; `cost_code_id` +
//! `line_item_type_id` are accepted too.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Map, Value, json};

use super::Emulator;
use super::error::{ApiError, ApiResult};
use super::handlers::{Req, body_object};
use super::render::line_amount;
use super::resources::FieldErrors;
use super::store::{Kind, Row, Store, new_row};

fn money(v: f64) -> String {
    format!("{v:.2}")
}

fn render(store: &Store, row: &Row) -> Value {
    let wbs = store.iter(Kind::BudgetLineItem).find(|b| {
        b.project_id == row.project_id
            && b.i64("cost_code_id") == row.i64("cost_code_id")
            && b.i64("line_item_type_id") == row.i64("line_item_type_id")
    });
    let flat_code = super::budget::wbs_flat_code(store, row);
    json!({
        "id": row.id.to_string(),
        "description": row.fields.get("description").cloned().unwrap_or(Value::Null),
        "uom": row.fields.get("uom").cloned().unwrap_or(Value::Null),
        "quantity": row.f64("quantity"),
        "unit_cost": money(row.f64("unit_cost")),
        "amount": money(line_amount(row)),
        "extended_type": row.str("extended_type").unwrap_or("manual"),
        "wbs_code_id": wbs.map(|w| w.id.to_string()),
        "tax_code_id": null,
        "position": row.i64("position").unwrap_or(0),
        "prime_line_item_id": null,
        "commitment_line_item_id": null,
        "wbs_code": { "id": wbs.map(|w| w.id.to_string()), "flat_code": flat_code, "description": null },
    })
}

/// The change order named by the path, checked against company and project.
fn holder(store: &Store, req: &Req) -> ApiResult<(i64, i64)> {
    let company: i64 = req
        .path
        .get("company_id")
        .and_then(|v| v.parse().ok())
        .ok_or_else(ApiError::not_found)?;
    if company != req.ctx.company_id {
        return Err(ApiError::text(
            StatusCode::FORBIDDEN,
            "App is not connected to this company",
        ));
    }
    let project = req.path_id("project_id")?;
    let co = req.path_id("parent_id")?;
    store
        .get(Kind::ChangeOrder, co)
        .filter(|c| c.project_id == Some(project) && c.company_id == company)
        .ok_or_else(ApiError::not_found)?;
    Ok((project, co))
}

fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
}

fn num(v: Option<&Value>) -> Option<Value> {
    v.and_then(|v| {
        v.as_f64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
    })
    .map(Value::from)
}

/// Validated fields of a v2 line body.
fn fields(
    store: &Store,
    project: i64,
    body: &Map<String, Value>,
    creating: bool,
) -> Result<Map<String, Value>, FieldErrors> {
    let mut errors = FieldErrors::new();
    let mut out = Map::new();
    let by_wbs = int(body.get("wbs_code_id")).map(|id| {
        store
            .get(Kind::BudgetLineItem, id)
            .filter(|b| b.project_id == Some(project))
            .map(|b| (b.i64("cost_code_id"), b.i64("line_item_type_id")))
    });
    let pair = match by_wbs {
        Some(Some(p)) => Some(p),
        Some(None) => {
            errors.insert("wbs_code_id".into(), vec!["does not exist".into()]);
            None
        }
        None => int(body.get("cost_code_id"))
            .zip(int(body.get("line_item_type_id")))
            .map(|(c, t)| (Some(c), Some(t))),
    };
    match pair {
        Some((code, kind)) => {
            out.insert("cost_code_id".into(), json!(code));
            out.insert("line_item_type_id".into(), json!(kind));
        }
        None if creating && errors.is_empty() => {
            errors.insert("wbs_code_id".into(), vec!["can't be blank".into()]);
        }
        None => {}
    }
    for key in ["amount", "quantity", "unit_cost"] {
        if let Some(v) = body.get(key) {
            match num(Some(v)) {
                Some(n) => {
                    out.insert(key.into(), n);
                }
                None if v.is_null() => {}
                None => {
                    errors.insert(key.into(), vec!["is not a number".into()]);
                }
            }
        }
    }
    for key in ["description", "uom"] {
        if let Some(v) = body.get(key).filter(|v| v.is_string()) {
            out.insert(key.into(), v.clone());
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

async fn list(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let store = emu.lock_store();
    let (_, co) = holder(&store, &req)?;
    let data: Vec<Value> = store
        .children(Kind::ChangeOrderLineItem, co)
        .map(|r| render(&store, r))
        .collect();
    Ok(axum::Json(json!({ "data": data })).into_response())
}

async fn create(State(emu): State<Emulator>, req: Req, body: Bytes) -> ApiResult<Response> {
    let body = body_object(&body)?;
    let mut store = emu.lock_store();
    let (project, co) = holder(&store, &req)?;
    let mut fields = fields(&store, project, &body, true).map_err(|e| ApiError::validation(&e))?;
    fields.insert(
        "position".into(),
        json!(store.children(Kind::ChangeOrderLineItem, co).count() + 1),
    );
    let company = req.ctx.company_id;
    let id = store.insert(
        new_row(
            Kind::ChangeOrderLineItem,
            company,
            Some(project),
            Some(co),
            fields,
        ),
        req.ctx.caller.user_id,
    );
    emu.changed();
    let row = store
        .get(Kind::ChangeOrderLineItem, id)
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(json!({ "data": render(&store, row) })).into_response())
}

fn member<'a>(store: &'a Store, req: &Req, co: i64) -> ApiResult<&'a Row> {
    let id = req.path_id("id")?;
    store
        .get(Kind::ChangeOrderLineItem, id)
        .filter(|r| r.parent_id == Some(co))
        .ok_or_else(ApiError::not_found)
}

async fn show(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let store = emu.lock_store();
    let (_, co) = holder(&store, &req)?;
    let row = member(&store, &req, co)?;
    Ok(axum::Json(json!({ "data": render(&store, row) })).into_response())
}

async fn update(State(emu): State<Emulator>, req: Req, body: Bytes) -> ApiResult<Response> {
    let body = body_object(&body)?;
    let mut store = emu.lock_store();
    let (project, co) = holder(&store, &req)?;
    let id = member(&store, &req, co)?.id;
    let fields = fields(&store, project, &body, false).map_err(|e| ApiError::validation(&e))?;
    store.update(
        Kind::ChangeOrderLineItem,
        id,
        fields,
        req.ctx.caller.user_id,
    );
    emu.changed();
    let row = store
        .get(Kind::ChangeOrderLineItem, id)
        .ok_or_else(ApiError::not_found)?;
    Ok(axum::Json(json!({ "data": render(&store, row) })).into_response())
}

async fn remove(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let mut store = emu.lock_store();
    let (_, co) = holder(&store, &req)?;
    let id = member(&store, &req, co)?.id;
    store.delete(Kind::ChangeOrderLineItem, id, req.ctx.caller.user_id);
    emu.changed();
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub fn routes(router: Router<Emulator>) -> Router<Emulator> {
    let mut router = router;
    for kind in ["commitment_change_orders", "prime_change_orders"] {
        let base = format!(
            "/rest/v2.0/companies/{{company_id}}/projects/{{project_id}}/{kind}/{{parent_id}}/line_items"
        );
        router = router.route(&base, get(list).post(create)).route(
            &format!("{base}/{{id}}"),
            get(show).patch(update).delete(remove),
        );
    }
    router
}
