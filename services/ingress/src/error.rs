//! The ingress's one error type: 4xx carry a stable `code` and a `detail`; 5xx say nothing
//! about the inside.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum IngressError {
    #[error("missing or wrong Authorization header")]
    Unauthorized,
    #[error("no connection named `{0}`")]
    UnknownConnection(String),
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// Postgres did not take the event in time. Procore will deliver it again.
    #[error("the inbox is unavailable: {0}")]
    Unavailable(String),
}

impl IngressError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Self {
        IngressError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            IngressError::Unauthorized => StatusCode::UNAUTHORIZED,
            IngressError::UnknownConnection(_) => StatusCode::NOT_FOUND,
            IngressError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            IngressError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            IngressError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            IngressError::Unauthorized => "unauthorized",
            IngressError::UnknownConnection(_) => "unknown_connection",
            IngressError::BadRequest { code, .. } => code,
            IngressError::TooLarge { .. } => "payload_too_large",
            IngressError::Unavailable(_) => "unavailable",
        }
    }
}

impl IntoResponse for IngressError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = if status.is_server_error() {
            tracing::error!(error = %self, "webhook not accepted");
            "try again later".to_owned()
        } else {
            self.to_string()
        };
        let mut response = (
            status,
            Json(serde_json::json!({ "code": self.code(), "detail": detail })),
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert("retry-after", axum::http::HeaderValue::from_static("5"));
        }
        response
    }
}
