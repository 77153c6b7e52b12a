//! What a generic handler reads from a request: the caller's context, query parameters, path
//! segments and JSON body, and the place (company, project, holder) its rows live in.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};
use super::limits::Ctx;
use super::query::Params;
use super::resources::{Resource, Scope};
use super::store::{Kind, Row, Store};

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

/// One page of `rows` as a JSON array, each rendered by `show`, with Procore's paging headers
/// (`Total`, `Per-Page`, `Link`) for this request's `page` / `per_page`.
pub fn paged<T>(
    emu: &super::Emulator,
    req: &Req,
    rows: Vec<T>,
    show: impl FnMut(T) -> Value,
) -> axum::response::Response {
    use axum::response::IntoResponse as _;
    let config = emu.config();
    let mut headers = axum::http::HeaderMap::new();
    let page = super::query::paginate(
        rows,
        &req.params,
        config.default_per_page,
        config.max_per_page,
        &req.base_url,
        &mut headers,
    );
    let body: Vec<Value> = page.into_iter().map(show).collect();
    (headers, axum::Json(Value::Array(body))).into_response()
}
