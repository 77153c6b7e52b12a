//! A locked budget (Procore > Budget > Lock Budget): once locked, the original budget cannot
//! be changed through the budget line items sync, which answers 422 naming the lock. The
//! emulator keeps the lock as the project's `budget_locked` field (set it with
//! `Emulator::edit`).

use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::Emulator;
use super::error::{ApiError, ApiResult};
use super::handlers::Req;
use super::request::body_object;
use super::store::Kind;

/// What Procore answers when a locked budget's original amounts are changed.
pub const LOCKED: &str = "The budget is locked; original budget amounts cannot be changed";

/// The budget line items sync, refused while the project's budget is locked.
pub fn sync(emu: &Emulator, req: &Req, body: &Bytes) -> ApiResult<Response> {
    let project = body_object(body)
        .ok()
        .and_then(|b| b.get("project_id").and_then(Value::as_i64));
    let locked = project.is_some_and(|id| {
        emu.lock_store()
            .get(Kind::Project, id)
            .is_some_and(|p| p.fields.get("budget_locked") == Some(&Value::Bool(true)))
    });
    if locked {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            serde_json::json!({ "errors": { "base": [LOCKED] } }),
        ));
    }
    super::admin::budget_line_sync(emu, req, body)
}
