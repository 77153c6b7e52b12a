//! The read operations on orders, subcontracts, change orders, billing contracts, transactions
//! and order invoices, including the lookups by external number that make writes retry-safe.

use super::Emulator;
use super::params::Keys;
use super::reads::{page_of, params};
use super::reject::Reject;
use super::xml::Xml;
use axum::extract::{Path, RawQuery, State};
use bridge_maestro::wire;
use bridge_maestro::{self as mx, OrderKind, TypeCode};

type Co = Path<String>;
type Result<T> = std::result::Result<T, Reject>;

async fn orders(emu: Emulator, co: String, q: Option<String>, kind: OrderKind) -> Result<Xml> {
    let keys = Keys::read(params(q), &["project", "external_no"])?;
    let items = emu.read(&co, |d| {
        d.orders
            .values()
            .filter(|o| o.kind == kind && keys.keeps(&[o.project.as_str(), &o.external_no]))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, keys.paging, |r, items| {
        r.orders = Some(wire::OrderList { items })
    }))
}

pub async fn purchase_orders(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    orders(emu, co, q, OrderKind::Purchase).await
}

pub async fn stock_orders(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    orders(emu, co, q, OrderKind::Stock).await
}

pub async fn subcontracts(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let keys = Keys::read(params(q), &["project", "external_no"])?;
    let items = emu.read(&co, |d| {
        d.subcontracts
            .values()
            .filter(|o| keys.keeps(&[o.project.as_str(), &o.external_no]))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, keys.paging, |r, items| {
        r.subcontracts = Some(wire::SubcontractList { items })
    }))
}

pub async fn change_orders(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let keys = Keys::read(params(q), &["contract_no", "external_no"])?;
    let items = emu.read(&co, |d| {
        d.change_orders
            .iter()
            .filter(|o| keys.keeps(&[&o.contract_no, &o.external_no]))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, keys.paging, |r, items| {
        r.change_orders = Some(wire::ChangeOrderList { items })
    }))
}

pub async fn billing_contracts(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let keys = Keys::read(params(q), &["project"])?;
    let items = emu.read(&co, |d| {
        d.billing_contracts
            .values()
            .filter(|c| keys.keeps(&[c.project.as_str()]))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, keys.paging, |r, items| {
        r.billing_contracts = Some(wire::BillingContractList { items })
    }))
}

pub async fn billing_change_orders(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let keys = Keys::read(params(q), &["project", "external_no"])?;
    let items = emu.read(&co, |d| {
        d.billing_change_orders
            .iter()
            .filter(|c| keys.keeps(&[c.contract_no.as_str(), &c.external_no]))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, keys.paging, |r, items| {
        r.billing_change_orders = Some(wire::BillingChangeOrderList { items })
    }))
}

/// The transaction filters shared by transactions and order invoices.
struct CostFilter {
    project: Option<mx::ProjectCode>,
    status: Option<mx::TransactionStatus>,
    approved: Option<bool>,
    after: Option<chrono::NaiveDate>,
    from: Option<chrono::NaiveDate>,
    types: Vec<TypeCode>,
    paging: (u32, u32),
}

impl CostFilter {
    fn read(q: Option<String>) -> Result<Self> {
        let mut p = params(q);
        let filter = Self {
            project: p.project("project")?,
            status: p.status()?,
            approved: p.flag("approved")?,
            after: p.date("accounting_date_after")?,
            from: p.date("accounting_date_from")?,
            types: p.types()?,
            paging: p.paging()?,
        };
        p.finish()?;
        Ok(filter)
    }

    fn keeps(
        &self,
        project: &mx::ProjectCode,
        status: mx::TransactionStatus,
        approved: bool,
        date: chrono::NaiveDate,
        type_code: TypeCode,
    ) -> bool {
        self.project.as_ref().is_none_or(|p| p == project)
            && self.status.is_none_or(|s| s == status)
            && self.approved.is_none_or(|a| a == approved)
            && self.after.is_none_or(|d| date > d)
            && self.from.is_none_or(|d| date >= d)
            && (self.types.is_empty() || self.types.contains(&type_code))
    }
}

pub async fn transactions(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let filter = CostFilter::read(q)?;
    let items = emu.read(&co, |d| {
        d.transactions
            .values()
            .filter(|t| {
                filter.keeps(
                    &t.project,
                    t.status,
                    t.approved,
                    t.accounting_date,
                    t.type_code,
                )
            })
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, filter.paging, |r, items| {
        r.transactions = Some(wire::TransactionList { items })
    }))
}

/// Order invoices are approved type `7` transactions for the filters' purposes.
pub async fn order_invoices(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let filter = CostFilter::read(q)?;
    let items = emu.read(&co, |d| {
        d.order_invoices
            .iter()
            .filter(|i| {
                filter.keeps(
                    &i.project,
                    i.status,
                    true,
                    i.accounting_date,
                    TypeCode::ORDER_INVOICING,
                )
            })
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, filter.paging, |r, items| {
        r.order_invoices = Some(wire::OrderInvoiceList { items })
    }))
}
