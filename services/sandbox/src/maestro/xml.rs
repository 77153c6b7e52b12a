//! Writing `<MaestroResponse>` documents and reading request bodies strictly.

use super::reject::Reject;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bridge_maestro::RejectCode;
use bridge_maestro::wire::{self, PageInfo, ParseError};
use serde::de::DeserializeOwned;

/// Maximum page size the contract allows.
pub const MAX_PAGE_SIZE: u32 = 500;
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// A successful envelope, ready to send.
pub struct Xml(pub wire::Response);

impl IntoResponse for Xml {
    fn into_response(self) -> Response {
        xml_response(StatusCode::OK, &self.0)
    }
}

pub fn xml_response(status: StatusCode, body: &wire::Response) -> Response {
    match wire::to_document(body, wire::ROOT) {
        Ok(doc) => (
            status,
            [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
            doc,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "maestro emulator could not write a response");
            let fallback = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><MaestroResponse version=\"{}\"><Error code=\"INTERNAL\">maestro* failed to write its answer.</Error></MaestroResponse>",
                wire::VERSION
            );
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "application/xml")],
                fallback,
            )
                .into_response()
        }
    }
}

/// Reads a request document with root `root`. A project number that breaks maestro*'s rules
/// is `INVALID_CODE`; anything else unreadable is `BAD_REQUEST`.
pub fn parse_body<T: DeserializeOwned>(body: &[u8], root: &str) -> Result<T, Reject> {
    wire::parse_document(body, root).map_err(|error| {
        if let ParseError::Content {
            path,
            source: quick_xml::DeError::Custom(message),
        } = &error
            && message.starts_with("project number")
        {
            let field = path.rsplit('.').next().unwrap_or(path).to_owned();
            return Reject::new(RejectCode::InvalidCode, format!("{message}.")).field(field);
        }
        Reject::bad_request(format!(
            "The request document was refused: {}",
            describe(&error)
        ))
    })
}

fn describe(error: &ParseError) -> String {
    match error {
        ParseError::Content { path, source } => format!("at <{path}>: {source}"),
        other => other.to_string(),
    }
}

/// Cuts `items` to one page and describes it.
pub fn paginate<T>(items: Vec<T>, page: u32, size: u32) -> (PageInfo, Vec<T>) {
    let total = items.len();
    let pages = total.div_ceil(size as usize).max(1);
    let start = (page as usize - 1).saturating_mul(size as usize);
    let slice: Vec<T> = items.into_iter().skip(start).take(size as usize).collect();
    let info = PageInfo {
        number: page,
        size,
        total: total as u64,
        pages: u32::try_from(pages).unwrap_or(u32::MAX),
    };
    (info, slice)
}
