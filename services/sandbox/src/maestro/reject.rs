//! A refusal the emulator answers with, as maestro* would: an HTTP status and an `<Error>`
//! document whose message names the record and the field.

use super::xml::xml_response;
use axum::response::{IntoResponse, Response};
use bridge_maestro::RejectCode;
use bridge_maestro::wire::{self, WireError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub code: RejectCode,
    pub field: Option<String>,
    pub limit: Option<u32>,
    pub existing: Option<String>,
    pub message: String,
}

impl Reject {
    pub fn new(code: RejectCode, message: impl Into<String>) -> Self {
        Self {
            code,
            field: None,
            limit: None,
            existing: None,
            message: message.into(),
        }
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(RejectCode::BadRequest, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(RejectCode::NotFound, message)
    }

    pub fn too_long(record: &str, field: &str, len: usize, limit: usize) -> Self {
        Self {
            limit: u32::try_from(limit).ok(),
            ..Self::new(
                RejectCode::FieldTooLong,
                format!("{record}: {field} is {len} characters; maestro* accepts at most {limit}."),
            )
            .field(field)
        }
    }

    pub fn required(record: &str, field: &str) -> Self {
        Self::new(
            RejectCode::FieldRequired,
            format!("{record}: {field} is mandatory."),
        )
        .field(field)
    }

    pub fn duplicate_external(record: &str, external_no: &str, existing: &str) -> Self {
        Self {
            existing: Some(existing.to_owned()),
            ..Self::new(
                RejectCode::DuplicateExternalNo,
                format!("{record} with external number {external_no} already exists in maestro* as {existing}."),
            )
            .field("ExternalNo")
        }
    }

    fn wire(&self) -> WireError {
        WireError {
            code: self.code.as_str().to_owned(),
            field: self.field.clone(),
            limit: self.limit,
            existing: self.existing.clone(),
            message: self.message.clone(),
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for Reject {}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        let status = axum::http::StatusCode::from_u16(self.code.http_status())
            .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
        xml_response(status, &wire::Response::error(self.wire()))
    }
}
