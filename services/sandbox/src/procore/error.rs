//! The emulator's HTTP error: a status, a Procore-shaped JSON body and optional extra headers.
//! Bodies deliberately use the several shapes Procore itself uses, so clients parse leniently.

use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::resources::FieldErrors;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl ApiError {
    pub fn new(status: StatusCode, body: Value) -> Self {
        Self {
            status,
            body,
            headers: Vec::new(),
        }
    }
    /// `{"errors": "<text>"}`, Procore's most common shape.
    pub fn text(status: StatusCode, text: &str) -> Self {
        Self::new(status, json!({ "errors": text }))
    }
    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            json!({ "error": { "code": "not_found", "message": "Record not found" } }),
        )
    }
    pub fn bad_request(text: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            json!({ "message": text, "error": "Bad Request" }),
        )
    }
    /// 422 with `{"errors": {"field": ["message"]}}`.
    pub fn validation(errors: &FieldErrors) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "errors": errors }),
        )
    }
    pub fn with_header(mut self, name: HeaderName, value: &str) -> Self {
        if let Ok(v) = HeaderValue::from_str(value) {
            self.headers.push((name, v));
        }
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body)).into_response();
        for (name, value) in self.headers {
            response.headers_mut().insert(name, value);
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
