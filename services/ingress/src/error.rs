//! The ingress's one error type: 4xx carry a stable `code` and a `detail`; 5xx say nothing
//! about the inside.

use crate::commit::CommitError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum IngressError {
    /// A missing or wrong `Authorization`, or a connection name nobody has: one answer for
    /// all, so a caller cannot probe for names.
    #[error("missing or wrong Authorization header")]
    Unauthorized,
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("the body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    /// The connection could not be read. Procore will deliver the event again.
    #[error("the connection could not be read")]
    Lookup(#[source] sqlx::Error),
    /// The inbox did not take the event. Procore will deliver it again.
    #[error("the inbox is unavailable")]
    Commit(#[source] CommitError),
    /// Postgres did not answer in time.
    #[error("{0} timed out")]
    TimedOut(&'static str),
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
            IngressError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            IngressError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            IngressError::Lookup(_) | IngressError::Commit(_) | IngressError::TimedOut(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            IngressError::Unauthorized => "unauthorized",
            IngressError::BadRequest { code, .. } => code,
            IngressError::TooLarge { .. } => "payload_too_large",
            IngressError::Lookup(_) | IngressError::Commit(_) | IngressError::TimedOut(_) => {
                "unavailable"
            }
        }
    }
}

impl IntoResponse for IngressError {
    fn into_response(self) -> Response {
        let status = self.status();
        let detail = if status.is_server_error() {
            tracing::error!(error = %chain(&self), "webhook not accepted");
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

/// The error and its sources, one after the other (for the log; never sent to Procore).
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
