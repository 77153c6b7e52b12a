//! The write operations of the contract: each reads its request document strictly, applies the
//! write to the company (see `writes`) and answers with the created or updated record.

use super::Emulator;
use super::reject::Reject;
use super::xml::{Xml, parse_body};
use axum::body::Bytes;
use axum::extract::{Path, State};
use bridge_maestro::wire::{self, Response};
use bridge_maestro::{self as mx, OrderKind};

type Co = Path<String>;
type Result<T> = std::result::Result<T, Reject>;

fn one(set: impl FnOnce(&mut Response)) -> Xml {
    let mut response = Response::ok();
    set(&mut response);
    Xml(response)
}

pub async fn create_project(State(emu): State<Emulator>, Path(co): Co, body: Bytes) -> Result<Xml> {
    let new: mx::NewProject = parse_body(&body, "Project")?;
    let project = emu.write(
        &co,
        "project",
        |d| d.create_project(new),
        |p| p.code.to_string(),
    )?;
    Ok(one(|r| {
        r.projects = Some(wire::ProjectList {
            items: vec![project],
        })
    }))
}

pub async fn set_procore(
    State(emu): State<Emulator>,
    Path((co, code)): Path<(String, String)>,
    body: Bytes,
) -> Result<Xml> {
    let update: mx::ProcoreTabUpdate = parse_body(&body, "ProcoreTab")?;
    let project = emu.write(
        &co,
        "last_transaction_date",
        |d| d.set_last_transaction_date(&code, update.last_transaction_date),
        |p| p.code.to_string(),
    )?;
    Ok(one(|r| {
        r.projects = Some(wire::ProjectList {
            items: vec![project],
        })
    }))
}

pub async fn modifications(
    State(emu): State<Emulator>,
    Path((co, code)): Path<(String, String)>,
    body: Bytes,
) -> Result<Xml> {
    let update: mx::BudgetModifications = parse_body(&body, "BudgetModifications")?;
    let lines = emu.write(
        &co,
        "budget_modification",
        |d| d.update_modifications(&code, &update.lines),
        |_| code.clone(),
    )?;
    Ok(one(|r| {
        r.budget_lines = Some(wire::BudgetLineList { items: lines })
    }))
}

pub async fn create_supplier(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    let new: mx::NewParty = parse_body(&body, "Supplier")?;
    let supplier = emu.write(
        &co,
        "supplier",
        |d| d.create_supplier(new),
        |s| s.code.clone(),
    )?;
    Ok(one(|r| {
        r.suppliers = Some(wire::SupplierList {
            items: vec![supplier],
        })
    }))
}

pub async fn create_customer(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    let new: mx::NewParty = parse_body(&body, "Customer")?;
    let customer = emu.write(
        &co,
        "customer",
        |d| d.create_customer(new),
        |c| c.code.clone(),
    )?;
    Ok(one(|r| {
        r.customers = Some(wire::CustomerList {
            items: vec![customer],
        })
    }))
}

async fn create_order(emu: Emulator, co: String, body: Bytes, kind: OrderKind) -> Result<Xml> {
    let new: mx::NewOrder = parse_body(&body, "Order")?;
    let operation = match kind {
        OrderKind::Purchase => "purchase_order",
        OrderKind::Stock => "stock_order",
    };
    let order = emu.write(
        &co,
        operation,
        |d| d.create_order(kind, new),
        |o| o.number.clone(),
    )?;
    Ok(one(|r| {
        r.orders = Some(wire::OrderList { items: vec![order] })
    }))
}

pub async fn create_purchase_order(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    create_order(emu, co, body, OrderKind::Purchase).await
}

pub async fn create_stock_order(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    create_order(emu, co, body, OrderKind::Stock).await
}

pub async fn create_subcontract(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    let new: mx::NewSubcontract = parse_body(&body, "Subcontract")?;
    let subcontract = emu.write(
        &co,
        "subcontract",
        |d| d.create_subcontract(new),
        |s| s.number.clone(),
    )?;
    Ok(one(|r| {
        r.subcontracts = Some(wire::SubcontractList {
            items: vec![subcontract],
        })
    }))
}

pub async fn create_change_order(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    let new: mx::NewChangeOrder = parse_body(&body, "ChangeOrder")?;
    let change_order = emu.write(
        &co,
        "change_order",
        |d| d.create_change_order(new),
        |c| format!("{}-{}", c.contract_no, c.number),
    )?;
    Ok(one(|r| {
        r.change_orders = Some(wire::ChangeOrderList {
            items: vec![change_order],
        })
    }))
}

pub async fn create_billing_contract(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    let new: mx::NewBillingContract = parse_body(&body, "BillingContract")?;
    let contract = emu.write(
        &co,
        "billing_contract",
        |d| d.create_billing_contract(new),
        |c| c.number.to_string(),
    )?;
    Ok(one(|r| {
        r.billing_contracts = Some(wire::BillingContractList {
            items: vec![contract],
        })
    }))
}

pub async fn create_billing_change_order(
    State(emu): State<Emulator>,
    Path(co): Co,
    body: Bytes,
) -> Result<Xml> {
    let new: mx::NewBillingChangeOrder = parse_body(&body, "BillingChangeOrder")?;
    let change_order = emu.write(
        &co,
        "billing_change_order",
        |d| d.create_billing_change_order(new),
        |c| format!("{}-{}", c.contract_no, c.number),
    )?;
    Ok(one(|r| {
        r.billing_change_orders = Some(wire::BillingChangeOrderList {
            items: vec![change_order],
        })
    }))
}
