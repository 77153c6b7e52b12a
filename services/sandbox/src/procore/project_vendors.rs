//! The project directory: which company vendors are on a project (Procore wants a company added to
//! a project before it is used there). `GET|POST /rest/v1.0/projects/{project_id}/vendors` (the
//! POST creates a company vendor and adds it) and `POST .../vendors/{id}/actions/add`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use super::Emulator;
use super::error::{ApiError, ApiResult};
use super::handlers::{Place, Req, body_object, paged, write};
use super::query::matches;
use super::render::render;
use super::resources::VENDOR;
use super::store::{Kind, Row};

fn project(emu: &Emulator, req: &Req) -> ApiResult<i64> {
    let id = req.path_id("project_id")?;
    let store = emu.lock_store();
    store
        .get(Kind::Project, id)
        .filter(|p| p.company_id == req.ctx.company_id)
        .map(|p| p.id)
        .ok_or_else(ApiError::not_found)
}

async fn list(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let project = project(&emu, &req)?;
    let store = emu.lock_store();
    let abbreviated = req.params.all("filters[abbreviated_name]");
    let rows: Vec<&Row> = store
        .iter(Kind::Vendor)
        .filter(|v| store.project_vendors.contains(&(project, v.id)) && matches(v, &req.params))
        .filter(|v| {
            abbreviated.is_empty()
                || v.str("abbreviated_name")
                    .is_some_and(|a| abbreviated.iter().any(|w| w == a))
        })
        .collect();
    Ok(paged(&emu, &req, rows, |r| render(&store, r)))
}

async fn create(State(emu): State<Emulator>, req: Req, body: Bytes) -> ApiResult<Response> {
    let project = project(&emu, &req)?;
    let body = body_object(&body)?;
    let attrs = body
        .get("vendor")
        .and_then(Value::as_object)
        .cloned()
        .ok_or_else(|| ApiError::bad_request("param is missing or the value is empty: vendor"))?;
    let mut store = emu.lock_store();
    let place = Place {
        company_id: req.ctx.company_id,
        project_id: None,
        parent_id: None,
    };
    let id = write(
        &emu,
        &mut store,
        &VENDOR,
        &place,
        &attrs,
        None,
        req.ctx.caller.user_id,
    )
    .map_err(|e| ApiError::validation(&e))?;
    store.project_vendors.insert((project, id));
    let row = store
        .get(Kind::Vendor, id)
        .ok_or_else(ApiError::not_found)?;
    Ok((StatusCode::CREATED, axum::Json(render(&store, row))).into_response())
}

async fn add(State(emu): State<Emulator>, req: Req) -> ApiResult<Response> {
    let project = project(&emu, &req)?;
    let vendor = req.path_id("id")?;
    let mut store = emu.lock_store();
    let row = store
        .get(Kind::Vendor, vendor)
        .filter(|v| v.company_id == req.ctx.company_id)
        .ok_or_else(ApiError::not_found)?;
    let rendered = render(&store, row);
    store.project_vendors.insert((project, vendor));
    Ok(axum::Json(rendered).into_response())
}

impl Emulator {
    /// Whether a vendor is on a project's directory.
    pub fn vendor_on_project(&self, project_id: i64, vendor_id: i64) -> bool {
        self.lock_store()
            .project_vendors
            .contains(&(project_id, vendor_id))
    }
}

pub fn routes(router: Router<Emulator>) -> Router<Emulator> {
    let base = "/rest/v1.0/projects/{project_id}/vendors";
    router
        .route(base, get(list).post(create))
        .route(&format!("{base}/{{id}}/actions/add"), post(add))
}
