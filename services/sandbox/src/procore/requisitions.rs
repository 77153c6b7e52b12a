//! Subcontractor invoices (requisitions): Procore's create body names the commitment beside
//! the `requisition` object (`{"project_id", "commitment_id", "requisition": {…}}`), not
//! inside it. The commitment is moved into the record before the generic create runs; the
//! other routes are the generic ones. Procore has no sync endpoint for requisitions.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{delete, get, patch, post};
use serde_json::Value;

use super::Emulator;
use super::handlers::{self, Req};
use super::resources::REQUISITION;

/// The body with a top-level `commitment_id` copied into `requisition` when it has none; a
/// body that is not a JSON object is left for the generic create to refuse.
fn lift_commitment(body: &Bytes) -> Bytes {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body) else {
        return body.clone();
    };
    let Some(commitment) = map.get("commitment_id").cloned() else {
        return body.clone();
    };
    if let Some(Value::Object(record)) = map.get_mut("requisition") {
        record.entry("commitment_id").or_insert(commitment);
    }
    Bytes::from(Value::Object(map).to_string())
}

/// `{base}` (list, create) and `{base}/{id}` (show, update, delete).
pub(super) fn routes(router: Router<Emulator>, base: &str) -> Router<Emulator> {
    let res = &REQUISITION;
    let collection = get(move |State(emu): State<Emulator>, req: Req| async move {
        handlers::list(&emu, res, &req, |_, _| true)
    })
    .merge(post(
        move |State(emu): State<Emulator>, req: Req, body: Bytes| async move {
            handlers::create(&emu, res, &req, &lift_commitment(&body))
        },
    ));
    let member = get(move |State(emu): State<Emulator>, req: Req| async move {
        handlers::show(&emu, res, &req)
    })
    .merge(patch(
        move |State(emu): State<Emulator>, req: Req, body: Bytes| async move {
            handlers::update(&emu, res, &req, &body)
        },
    ))
    .merge(delete(move |State(emu): State<Emulator>, req: Req| async move {
        handlers::delete(&emu, res, &req)
    }));
    router
        .route(base, collection)
        .route(&format!("{base}/{{id}}"), member)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_top_level_commitment_goes_into_the_requisition() {
        let body = Bytes::from(
            json!({"project_id": 1, "commitment_id": 7, "requisition": {"invoice_number": "F-1"}})
                .to_string(),
        );
        let lifted: Value = serde_json::from_slice(&lift_commitment(&body)).unwrap();
        assert_eq!(lifted["requisition"]["commitment_id"], 7);
        let inside = Bytes::from(
            json!({"commitment_id": 7, "requisition": {"commitment_id": 8}}).to_string(),
        );
        let kept: Value = serde_json::from_slice(&lift_commitment(&inside)).unwrap();
        assert_eq!(kept["requisition"]["commitment_id"], 8);
        assert_eq!(
            lift_commitment(&Bytes::from_static(b"nope")),
            Bytes::from_static(b"nope")
        );
    }
}
