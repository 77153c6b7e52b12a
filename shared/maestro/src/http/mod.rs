//! The HTTP implementation of [`MaestroApi`](crate::MaestroApi): reqwest to the XML interface,
//! one company per client. Each call is one attempt; retrying transient errors is the caller's
//! policy (`MaestroError::is_transient`).

mod calls;
mod query;
mod updates;

use crate::error::{MaestroError, RejectCode, Rejection};
use crate::wire::{self, PageInfo, ParseError, Response};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use std::fmt;
use std::time::Duration;
use url::Url;

/// Header carrying the interface user's key.
pub const KEY_HEADER: &str = "X-Maestro-Key";

/// Where and as whom to reach maestro*.
#[derive(Clone)]
pub struct ClientConfig {
    /// The interface's base, e.g. `https://erp.example.com/maestro-xml/v1`.
    pub base_url: Url,
    pub api_key: String,
    /// The maestro* company code this client reads and writes.
    pub company: String,
    /// Whole-request time limit.
    pub timeout: Duration,
    /// Records per page when listing (1..=500).
    pub page_size: u32,
}

impl ClientConfig {
    pub fn new(base_url: Url, api_key: impl Into<String>, company: impl Into<String>) -> Self {
        Self {
            base_url,
            api_key: api_key.into(),
            company: company.into(),
            timeout: Duration::from_secs(30),
            page_size: 100,
        }
    }
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("base_url", &self.base_url.as_str())
            .field("api_key", &"<redacted>")
            .field("company", &self.company)
            .field("timeout", &self.timeout)
            .field("page_size", &self.page_size)
            .finish()
    }
}

/// A maestro* XML interface client for one company.
#[derive(Debug, Clone)]
pub struct HttpMaestro {
    http: reqwest::Client,
    config: ClientConfig,
}

impl HttpMaestro {
    pub fn new(config: ClientConfig) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()?;
        Ok(Self { http, config })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// `base/…segments`, each segment percent-encoded.
    fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.config.base_url.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    /// `base/companies/{company}/…segments`.
    fn company_url(&self, segments: &[&str]) -> Url {
        let mut all = vec!["companies", self.config.company.as_str()];
        all.extend_from_slice(segments);
        self.url(&all)
    }

    fn request(&self, method: Method, url: Url) -> RequestBuilder {
        self.http
            .request(method, url)
            .header(KEY_HEADER, &self.config.api_key)
            .header(reqwest::header::ACCEPT, "application/xml")
    }

    fn with_body<T: Serialize>(
        &self,
        builder: RequestBuilder,
        operation: &str,
        body: &T,
        root: &str,
    ) -> Result<RequestBuilder, MaestroError> {
        let doc = wire::to_document(body, root).map_err(|source| MaestroError::Encode {
            operation: operation.to_owned(),
            source,
        })?;
        Ok(builder
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/xml; charset=utf-8",
            )
            .body(doc))
    }

    /// Sends one request and returns its successful envelope, or the error it stands for.
    async fn send(
        &self,
        operation: &str,
        builder: RequestBuilder,
    ) -> Result<Response, MaestroError> {
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                MaestroError::Timeout {
                    operation: operation.to_owned(),
                    source,
                }
            } else {
                MaestroError::Transport {
                    operation: operation.to_owned(),
                    source,
                }
            }
        };
        let response = builder.send().await.map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        tracing::debug!(
            operation,
            company = %self.config.company,
            status = status.as_u16(),
            bytes = body.len(),
            "maestro* answered"
        );
        let parsed = wire::parse_response(&body);
        match parsed {
            Ok(envelope) => match envelope.error.clone() {
                Some(error) => Err(rejection(operation, status, error)),
                None if status.is_success() => Ok(envelope),
                None => Err(MaestroError::UnexpectedStatus {
                    operation: operation.to_owned(),
                    status: status.as_u16(),
                }),
            },
            Err(_) if !status.is_success() => {
                if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                    Err(MaestroError::Unavailable {
                        operation: operation.to_owned(),
                        status: status.as_u16(),
                        message: "no maestro* error document in the answer".to_owned(),
                    })
                } else {
                    Err(MaestroError::UnexpectedStatus {
                        operation: operation.to_owned(),
                        status: status.as_u16(),
                    })
                }
            }
            Err(source) => Err(MaestroError::Malformed {
                operation: operation.to_owned(),
                source,
            }),
        }
    }

    /// Walks every page of a list operation.
    async fn list_all<T>(
        &self,
        operation: &str,
        url: Url,
        query: &[(&str, String)],
        pick: fn(Response) -> Option<Vec<T>>,
        element: &'static str,
    ) -> Result<Vec<T>, MaestroError> {
        let mut all = Vec::new();
        let mut page = 1u32;
        loop {
            let builder = self.request(Method::GET, url.clone()).query(query).query(&[
                ("page", page.to_string()),
                ("page_size", self.config.page_size.to_string()),
            ]);
            let envelope = self.send(operation, builder).await?;
            let malformed = |source: ParseError| MaestroError::Malformed {
                operation: operation.to_owned(),
                source,
            };
            let info: PageInfo = envelope
                .page
                .ok_or(ParseError::Missing("Page"))
                .map_err(malformed)?;
            let items = pick(envelope)
                .ok_or(ParseError::Missing(element))
                .map_err(malformed)?;
            let empty = items.is_empty();
            all.extend(items);
            if empty || page >= info.pages {
                return Ok(all);
            }
            page += 1;
        }
    }
}

fn rejection(operation: &str, status: StatusCode, error: wire::WireError) -> MaestroError {
    let code = RejectCode::parse(&error.code);
    if status.is_server_error() || matches!(code, RejectCode::Unavailable | RejectCode::Internal) {
        return MaestroError::Unavailable {
            operation: operation.to_owned(),
            status: status.as_u16(),
            message: error.message,
        };
    }
    MaestroError::Rejected {
        operation: operation.to_owned(),
        rejection: Box::new(Rejection {
            status: status.as_u16(),
            code,
            field: error.field,
            limit: error.limit,
            existing: error.existing,
            message: error.message,
        }),
    }
}
