//! What can go wrong talking to maestro*, split so that callers can tell a retry from a dead end.

use crate::wire::ParseError;

/// The `code` of a maestro* `<Error>` (`docs/maestro-xml.md`, section 4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RejectCode {
    BadRequest,
    Unauthorized,
    UnknownCompany,
    NotFound,
    DuplicateCode,
    DuplicateExternalNo,
    ContractExists,
    FieldTooLong,
    FieldRequired,
    InvalidCode,
    InvalidValue,
    UnknownProject,
    UnknownSupplier,
    UnknownCustomer,
    UnknownActivity,
    UnknownGroup,
    UnknownSubcontract,
    UnknownContract,
    NumberingNotConfigured,
    Internal,
    Unavailable,
    /// A code this client does not know.
    Other(String),
}

const CODES: [(RejectCode, &str, u16); 21] = [
    (RejectCode::BadRequest, "BAD_REQUEST", 400),
    (RejectCode::Unauthorized, "UNAUTHORIZED", 401),
    (RejectCode::UnknownCompany, "UNKNOWN_COMPANY", 404),
    (RejectCode::NotFound, "NOT_FOUND", 404),
    (RejectCode::DuplicateCode, "DUPLICATE_CODE", 409),
    (
        RejectCode::DuplicateExternalNo,
        "DUPLICATE_EXTERNAL_NO",
        409,
    ),
    (RejectCode::ContractExists, "CONTRACT_EXISTS", 409),
    (RejectCode::FieldTooLong, "FIELD_TOO_LONG", 422),
    (RejectCode::FieldRequired, "FIELD_REQUIRED", 422),
    (RejectCode::InvalidCode, "INVALID_CODE", 422),
    (RejectCode::InvalidValue, "INVALID_VALUE", 422),
    (RejectCode::UnknownProject, "UNKNOWN_PROJECT", 422),
    (RejectCode::UnknownSupplier, "UNKNOWN_SUPPLIER", 422),
    (RejectCode::UnknownCustomer, "UNKNOWN_CUSTOMER", 422),
    (RejectCode::UnknownActivity, "UNKNOWN_ACTIVITY", 422),
    (RejectCode::UnknownGroup, "UNKNOWN_GROUP", 422),
    (RejectCode::UnknownSubcontract, "UNKNOWN_SUBCONTRACT", 422),
    (RejectCode::UnknownContract, "UNKNOWN_CONTRACT", 422),
    (
        RejectCode::NumberingNotConfigured,
        "NUMBERING_NOT_CONFIGURED",
        422,
    ),
    (RejectCode::Internal, "INTERNAL", 500),
    (RejectCode::Unavailable, "UNAVAILABLE", 503),
];

impl RejectCode {
    /// The code as written in `<Error code="…">`.
    pub fn as_str(&self) -> &str {
        match self {
            RejectCode::Other(code) => code,
            known => CODES
                .iter()
                .find(|(c, _, _)| c == known)
                .map_or("INTERNAL", |(_, s, _)| s),
        }
    }

    /// Reads a code; unknown codes are kept as [`RejectCode::Other`].
    pub fn parse(code: &str) -> Self {
        CODES
            .iter()
            .find(|(_, s, _)| *s == code)
            .map_or_else(|| RejectCode::Other(code.to_owned()), |(c, _, _)| c.clone())
    }

    /// The HTTP status maestro* answers with for this code.
    pub fn http_status(&self) -> u16 {
        CODES
            .iter()
            .find(|(c, _, _)| c == self)
            .map_or(422, |(_, _, status)| *status)
    }
}

impl std::fmt::Display for RejectCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// maestro*'s refusal, as it explained it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub code: RejectCode,
    /// The field at fault, when maestro* named one.
    pub field: Option<String>,
    /// The length limit for `FIELD_TOO_LONG`.
    pub limit: Option<u32>,
    /// The maestro* number of the record that already exists (`DUPLICATE_EXTERNAL_NO`).
    pub existing: Option<String>,
    /// maestro*'s message, written for a user.
    pub message: String,
}

/// An error from a maestro* call.
#[derive(Debug, thiserror::Error)]
pub enum MaestroError {
    #[error("maestro* did not answer {operation} in time")]
    Timeout {
        operation: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("could not talk to maestro* for {operation}")]
    Transport {
        operation: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("maestro* is unavailable for {operation} (HTTP {status}): {message}")]
    Unavailable {
        operation: String,
        status: u16,
        message: String,
    },
    #[error("maestro* refused {operation}: {} [{}]", rejection.message, rejection.code)]
    Rejected {
        operation: String,
        rejection: Box<Rejection>,
    },
    #[error("maestro* answered {operation} with HTTP {status} and no maestro* error document")]
    UnexpectedStatus { operation: String, status: u16 },
    #[error("maestro* answered {operation} with a document this client cannot read")]
    Malformed {
        operation: String,
        #[source]
        source: ParseError,
    },
    #[error("could not write the request document for {operation}")]
    Encode {
        operation: String,
        #[source]
        source: quick_xml::SeError,
    },
}

impl MaestroError {
    /// Worth retrying later: timeouts, connection trouble, 5xx and maestro* being busy.
    pub fn is_transient(&self) -> bool {
        match self {
            MaestroError::Timeout { .. }
            | MaestroError::Transport { .. }
            | MaestroError::Unavailable { .. } => true,
            MaestroError::UnexpectedStatus { status, .. } => *status >= 500 || *status == 429,
            MaestroError::Rejected { .. }
            | MaestroError::Malformed { .. }
            | MaestroError::Encode { .. } => false,
        }
    }

    /// maestro*'s refusal, when this is one.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            MaestroError::Rejected { rejection, .. } => Some(rejection),
            _ => None,
        }
    }

    /// Whether maestro* refused with `code`.
    pub fn is_rejected_with(&self, code: &RejectCode) -> bool {
        self.rejection().is_some_and(|r| &r.code == code)
    }
}
