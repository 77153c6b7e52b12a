//! Request building for the HTTP client: filters as query strings, and the list / lookup /
//! write round trips every operation is made of, each expecting one list element back.

use super::HttpMaestro;
use crate::api::{ApiResult, PartyFilter, ProjectFilter, TransactionFilter};
use crate::commitments::{BillingChangeOrder, BillingContract, ChangeOrder, Order, Subcontract};
use crate::costs::TransactionStatus;
use crate::error::MaestroError;
use crate::records::Project;
use crate::wire::{self, ParseError, Response};
use reqwest::Method;
use serde::Serialize;
use url::Url;

pub(super) type Query = Vec<(&'static str, String)>;

pub(super) fn push<T: ToString>(query: &mut Query, key: &'static str, value: Option<T>) {
    if let Some(value) = value {
        query.push((key, value.to_string()));
    }
}

pub(super) fn project_query(filter: &ProjectFilter) -> Query {
    let mut q = Query::new();
    push(&mut q, "active", filter.active);
    push(&mut q, "sync", filter.sync);
    push(&mut q, "prefix", filter.prefix.as_ref());
    push(&mut q, "code", filter.code.as_ref());
    q
}

pub(super) fn party_query(filter: &PartyFilter) -> Query {
    let mut q = Query::new();
    push(&mut q, "active", filter.active);
    push(&mut q, "sync", filter.sync);
    push(&mut q, "code", filter.code.as_ref());
    q
}

pub(super) fn transaction_query(filter: &TransactionFilter) -> Query {
    let mut q = Query::new();
    push(&mut q, "project", filter.project.as_ref());
    push(
        &mut q,
        "status",
        filter.status.map(|s| match s {
            TransactionStatus::Transferred => "transferred",
            TransactionStatus::NotTransferred => "not_transferred",
        }),
    );
    push(&mut q, "approved", filter.approved);
    push(
        &mut q,
        "accounting_date_after",
        filter.accounting_date_after,
    );
    push(&mut q, "accounting_date_from", filter.accounting_date_from);
    if !filter.types.is_empty() {
        let types: Vec<String> = filter.types.iter().map(ToString::to_string).collect();
        q.push(("types", types.join(",")));
    }
    q
}

impl HttpMaestro {
    pub(super) async fn list<T>(
        &self,
        operation: &str,
        segments: &[&str],
        query: Query,
        pick: fn(Response) -> Option<Vec<T>>,
        element: &'static str,
    ) -> ApiResult<Vec<T>> {
        self.list_all(operation, self.company_url(segments), &query, pick, element)
            .await
    }

    /// At most one record expected from a filtered list (lookups by code or external number).
    pub(super) async fn find<T>(
        &self,
        operation: &str,
        segments: &[&str],
        query: Query,
        pick: fn(Response) -> Option<Vec<T>>,
        element: &'static str,
    ) -> ApiResult<Option<T>> {
        let mut found = self.list(operation, segments, query, pick, element).await?;
        match found.len() {
            0 | 1 => Ok(found.pop()),
            count => Err(MaestroError::Malformed {
                operation: operation.to_owned(),
                source: ParseError::NotOne { element, count },
            }),
        }
    }

    /// Sends a document and expects back exactly one record.
    #[expect(
        clippy::too_many_arguments,
        reason = "each argument is one part of the call; a struct would only rename them"
    )]
    pub(super) async fn write<B: Serialize, T>(
        &self,
        method: Method,
        operation: &str,
        url: Url,
        body: &B,
        root: &str,
        pick: fn(Response) -> Option<Vec<T>>,
        element: &'static str,
    ) -> ApiResult<T> {
        let builder = self.with_body(self.request(method, url), operation, body, root)?;
        let envelope = self.send(operation, builder).await?;
        pick(envelope)
            .ok_or(ParseError::Missing(element))
            .and_then(|items| wire::expect_one(items, element))
            .map_err(|source| MaestroError::Malformed {
                operation: operation.to_owned(),
                source,
            })
    }
}

pub(super) fn projects(r: Response) -> Option<Vec<Project>> {
    r.projects.map(|l| l.items)
}
pub(super) fn orders(r: Response) -> Option<Vec<Order>> {
    r.orders.map(|l| l.items)
}
pub(super) fn subcontracts(r: Response) -> Option<Vec<Subcontract>> {
    r.subcontracts.map(|l| l.items)
}
pub(super) fn change_orders(r: Response) -> Option<Vec<ChangeOrder>> {
    r.change_orders.map(|l| l.items)
}
pub(super) fn billing_contracts(r: Response) -> Option<Vec<BillingContract>> {
    r.billing_contracts.map(|l| l.items)
}
pub(super) fn billing_change_orders(r: Response) -> Option<Vec<BillingChangeOrder>> {
    r.billing_change_orders.map(|l| l.items)
}
