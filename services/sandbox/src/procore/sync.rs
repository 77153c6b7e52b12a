//! Generic sync (`PATCH .../sync`) with Procore's semantics: items matched by `id` (update, error
//! if missing) or `origin_id` (update if found, else create; a match in another project is a
//! conflict), per-item errors echoing the submitted attributes, always 200, at most
//! `max_sync_items` items per call.

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Emulator;
use super::error::{ApiError, ApiResult};
use super::handlers::{Place, Req, body_object, in_place, int, place, write};
use super::render::render;
use super::resources::{FieldErrors, Resource, Scope};
use super::store::Store;

/// `PATCH .../sync`: `{"updates": [...]}` → 200 `{"entities": [...], "errors": [...]}`.
/// `parent_key` names the per-item holder field when the path has no holder (direct cost lines).
pub fn sync(
    emu: &Emulator,
    res: &Resource,
    req: &Req,
    body: &Bytes,
    parent_key: Option<&str>,
) -> ApiResult<Response> {
    let body = body_object(body)?;
    let updates = body
        .get("updates")
        .and_then(Value::as_array)
        .cloned()
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: updates"))?;
    let max = emu.config().max_sync_items;
    if updates.len() > max {
        return Err(ApiError::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("A maximum of {max} items can be synced at once"),
        ));
    }
    let mut store = emu.lock_store();
    let base_place = place(res, &store, req, Some(&body))?;
    let (mut entities, mut errors) = (Vec::new(), Vec::new());
    for item in updates {
        let Some(attrs) = item.as_object() else {
            errors.push(json!({ "errors": { "base": ["must be an object"] } }));
            continue;
        };
        let outcome = sync_one(
            emu,
            &mut store,
            res,
            &base_place,
            attrs,
            parent_key,
            req.ctx.caller.user_id,
        );
        match outcome {
            Ok(id) => {
                if let Some(row) = store.get(res.kind, id) {
                    entities.push(render(&store, row));
                }
            }
            Err(field_errors) => {
                let mut echoed = attrs.clone();
                echoed.insert("errors".into(), json!(field_errors));
                errors.push(Value::Object(echoed));
            }
        }
    }
    Ok(axum::Json(json!({ "entities": entities, "errors": errors })).into_response())
}

fn sync_one(
    emu: &Emulator,
    store: &mut Store,
    res: &Resource,
    base: &Place,
    attrs: &Map<String, Value>,
    parent_key: Option<&str>,
    user_id: i64,
) -> Result<i64, FieldErrors> {
    let mut place = *base;
    let fail = |field: &str, message: String| {
        let mut e = FieldErrors::new();
        e.insert(field.into(), vec![message]);
        Err(e)
    };
    if let (Some(key), Scope::Child(holder)) = (parent_key, res.scope) {
        let parent = attrs.get(key).and_then(int);
        match parent
            .and_then(|p| store.get(holder, p))
            .filter(|h| h.project_id == place.project_id)
        {
            Some(h) => place.parent_id = Some(h.id),
            None if attrs.get("id").is_none() => {
                return fail(key, "can't be blank or does not exist".into());
            }
            None => {}
        }
    }
    let by_id = attrs.get("id").filter(|v| !v.is_null());
    let existing = match by_id {
        Some(v) => match int(v).and_then(|id| store.get(res.kind, id)).filter(|r| {
            in_place(
                r,
                &Place {
                    parent_id: place.parent_id.filter(|_| parent_key.is_none()),
                    ..place
                },
            )
        }) {
            Some(row) => {
                place.parent_id = row.parent_id;
                Some(row.id)
            }
            None => return fail("id", "Record not found".into()),
        },
        None => match attrs.get("origin_id").and_then(Value::as_str) {
            Some(origin) if !origin.is_empty() => match store
                .find_origin(res.kind, place.company_id, origin)
                .and_then(|id| store.get(res.kind, id))
            {
                // origin_id is unique per company: a match elsewhere is a conflict, not an update.
                Some(r) if r.project_id != place.project_id => {
                    return fail("origin_id", "has already been taken".into());
                }
                Some(r) => {
                    place.parent_id = r.parent_id;
                    Some(r.id)
                }
                None => None,
            },
            _ => None,
        },
    };
    write(emu, store, res, &place, attrs, existing, user_id)
}
