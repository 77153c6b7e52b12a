//! Actions a Procore user takes in the UI, as methods and `/_admin/...` routes (unauthenticated,
//! for tests and the demo): approve a commitment, create a change order with lines, edit a budget
//! line's modifications. They write through the store, so webhooks fire. Also the budget line
//! item sync endpoint, whose shape differs from the other syncs.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Emulator;
use super::error::{ApiError, ApiResult};
use super::handlers::{Req, body_object, place, write};
use super::resources::{self as r, FieldErrors};
use super::store::{Kind, new_row};

/// A line of a change order created by [`Emulator::create_change_order`].
#[derive(Clone, Debug, Deserialize)]
pub struct AdminLine {
    pub cost_code_id: i64,
    pub line_item_type_id: i64,
    pub amount: f64,
    #[serde(default)]
    pub description: String,
}

/// Id of the user the admin actions are attributed to.
pub const ADMIN_USER_ID: i64 = 5_982_324_300_946_000_000;

impl Emulator {
    /// Sets a commitment's status to `Approved` (as a project manager would).
    pub fn approve_commitment(&self, id: i64) -> Option<()> {
        let mut store = self.lock_store();
        let kind = [Kind::WorkOrderContract, Kind::PurchaseOrderContract]
            .into_iter()
            .find(|k| store.get(*k, id).is_some())?;
        let mut fields = Map::new();
        fields.insert("status".into(), json!("Approved"));
        store.update(kind, id, fields, ADMIN_USER_ID)?;
        drop(store);
        self.changed();
        Some(())
    }

    /// Creates a change order on a commitment or prime contract, with lines; returns its id.
    pub fn create_change_order(
        &self,
        contract_id: i64,
        title: &str,
        status: &str,
        lines: &[AdminLine],
    ) -> Option<i64> {
        let mut store = self.lock_store();
        let contract = [
            Kind::WorkOrderContract,
            Kind::PurchaseOrderContract,
            Kind::PrimeContract,
        ]
        .into_iter()
        .find_map(|k| store.get(k, contract_id))
        .cloned()?;
        let number = store
            .iter(Kind::ChangeOrder)
            .filter(|c| c.i64("contract_id") == Some(contract_id))
            .count()
            + 1;
        let mut fields = Map::new();
        fields.insert("contract_id".into(), json!(contract_id));
        fields.insert("number".into(), json!(number.to_string()));
        fields.insert("title".into(), json!(title));
        fields.insert("status".into(), json!(status));
        fields.insert("executed".into(), json!(status == "approved"));
        if status == "approved" {
            fields.insert(
                "reviewed_at".into(),
                super::render::time(chrono::Utc::now()),
            );
        }
        let co = store.insert(
            new_row(
                Kind::ChangeOrder,
                contract.company_id,
                contract.project_id,
                None,
                fields,
            ),
            ADMIN_USER_ID,
        );
        for (i, line) in lines.iter().enumerate() {
            let mut f = Map::new();
            f.insert("cost_code_id".into(), json!(line.cost_code_id));
            f.insert("line_item_type_id".into(), json!(line.line_item_type_id));
            f.insert("amount".into(), json!(line.amount));
            f.insert("description".into(), json!(line.description));
            f.insert("position".into(), json!(i + 1));
            store.insert(
                new_row(
                    Kind::ChangeOrderLineItem,
                    contract.company_id,
                    contract.project_id,
                    Some(co),
                    f,
                ),
                ADMIN_USER_ID,
            );
        }
        drop(store);
        self.changed();
        Some(co)
    }

    /// Sets a budget line's approved budget modifications (edits the budget).
    pub fn set_budget_modification(&self, budget_line_item_id: i64, amount: f64) -> Option<()> {
        let mut store = self.lock_store();
        let mut fields = Map::new();
        fields.insert("budget_modifications".into(), json!(amount));
        let row = store
            .update(
                Kind::BudgetLineItem,
                budget_line_item_id,
                fields,
                ADMIN_USER_ID,
            )?
            .clone();
        let modification = store.allocate_id();
        store.record_event(
            Kind::BudgetModification,
            modification,
            row.company_id,
            row.project_id,
            ADMIN_USER_ID,
        );
        drop(store);
        self.changed();
        Some(())
    }
}

#[derive(Deserialize)]
struct ChangeOrderBody {
    contract_id: i64,
    title: String,
    #[serde(default = "approved")]
    status: String,
    #[serde(default)]
    lines: Vec<AdminLine>,
}

fn approved() -> String {
    "approved".into()
}

#[derive(Deserialize)]
struct Modification {
    amount: f64,
}

fn found<T>(v: Option<T>) -> ApiResult<T> {
    v.ok_or_else(ApiError::not_found)
}

pub fn routes() -> Router<Emulator> {
    Router::new()
        .route(
            "/_admin/commitments/{id}/approve",
            post(|State(emu): State<Emulator>, Path(id): Path<i64>| async move { found(emu.approve_commitment(id)).map(|()| StatusCode::NO_CONTENT) }),
        )
        .route(
            "/_admin/change_orders",
            post(|State(emu): State<Emulator>, axum::Json(b): axum::Json<ChangeOrderBody>| async move {
                found(emu.create_change_order(b.contract_id, &b.title, &b.status, &b.lines)).map(|id| (StatusCode::CREATED, axum::Json(json!({ "id": id }))))
            }),
        )
        .route(
            "/_admin/budget_line_items/{id}/modification",
            post(|State(emu): State<Emulator>, Path(id): Path<i64>, axum::Json(m): axum::Json<Modification>| async move { found(emu.set_budget_modification(id, m.amount)).map(|()| StatusCode::NO_CONTENT) }),
        )
        .route("/_admin/deliveries", get(|State(emu): State<Emulator>| async move { axum::Json(emu.deliveries().iter().map(|d| json!({ "hook_id": d.hook_id, "delivery": d.to_json() })).collect::<Vec<_>>()) }))
}

/// `POST /rest/v1.0/budget_line_items/sync`: `{"project_id", "budget_line_items": [...]}`.
/// Items with `id` update that line; others create one (cost code + cost type). Procore answers
/// with a plain array; which items failed is not documented, so (design) the call is all or
/// nothing: any invalid item gives a 422 whose `errors` are keyed by the item's index.
pub fn budget_line_sync(emu: &Emulator, req: &Req, body: &Bytes) -> ApiResult<Response> {
    let body = body_object(body)?;
    let items = body
        .get("budget_line_items")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| {
            ApiError::bad_request("param is missing or the value is empty: budget_line_items")
        })?;
    let max = emu.config().max_sync_items;
    if items.len() > max {
        return Err(ApiError::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("A maximum of {max} items can be synced at once"),
        ));
    }
    let res = &r::BUDGET_LINE_ITEM;
    let mut store = emu.lock_store();
    let place = place(res, &store, req, Some(&body))?;
    let mut errors = FieldErrors::new();
    let mut planned = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let attrs = item.as_object().cloned().unwrap_or_default();
        let existing = match attrs.get("id").and_then(Value::as_i64) {
            Some(id)
                if store
                    .get(Kind::BudgetLineItem, id)
                    .is_some_and(|b| b.project_id == place.project_id) =>
            {
                Some(id)
            }
            Some(_) => {
                errors.insert(format!("{i}"), vec!["id: Record not found".into()]);
                continue;
            }
            None => None,
        };
        match res.validate(&attrs, existing, &store, place.company_id) {
            Ok(fields) => {
                let key = (
                    fields.get("cost_code_id").and_then(Value::as_i64),
                    fields.get("line_item_type_id").and_then(Value::as_i64),
                );
                let duplicate = existing.is_none()
                    && (super::budget::existing_line(
                        &store,
                        place.project_id.unwrap_or_default(),
                        key.0,
                        key.1,
                    )
                    .is_some()
                        || !seen.insert(key));
                if duplicate {
                    errors.insert(
                        format!("{i}"),
                        vec![
                            "cost_code_id: already has a budget line item for this cost type"
                                .into(),
                        ],
                    );
                } else {
                    planned.push((attrs, existing));
                }
            }
            Err(e) => {
                errors.insert(
                    format!("{i}"),
                    e.iter()
                        .map(|(k, v)| format!("{k}: {}", v.join(", ")))
                        .collect(),
                );
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(&errors));
    }
    let mut ids = Vec::new();
    for (attrs, existing) in planned {
        let id = write(
            emu,
            &mut store,
            res,
            &place,
            &attrs,
            existing,
            req.ctx.caller.user_id,
        )
        .map_err(|e| ApiError::validation(&e))?;
        ids.push(id);
    }
    let out: Vec<Value> = ids
        .iter()
        .filter_map(|id| store.get(Kind::BudgetLineItem, *id))
        .map(|row| super::budget::render_line(&store, row))
        .collect();
    Ok(axum::Json(out).into_response())
}
