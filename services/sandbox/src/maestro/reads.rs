//! The read operations of the contract: filtered, paged lists of each record kind.

use super::Emulator;
use super::params::{Keys, Params};
use super::reject::Reject;
use super::store::CompanyData;
use super::xml::{Xml, paginate};
use axum::extract::{Path, RawQuery, State};
use bridge_maestro::wire::{self, Response};
use bridge_maestro::{self as mx};
use std::collections::HashMap;

/// Reads the query string into [`Params`].
pub fn params(raw: Option<String>) -> Params {
    let map: HashMap<String, String> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    Params::new(map)
}

/// One page of `items` in an envelope, placed by `set`.
pub fn page_of<T>(
    items: Vec<T>,
    (page, size): (u32, u32),
    set: impl FnOnce(&mut Response, Vec<T>),
) -> Xml {
    let (info, items) = paginate(items, page, size);
    let mut response = Response::ok();
    response.page = Some(info);
    set(&mut response, items);
    Xml(response)
}

type Co = Path<String>;
type Result<T> = std::result::Result<T, Reject>;

pub async fn companies(State(emu): State<Emulator>, RawQuery(q): RawQuery) -> Result<Xml> {
    let mut p = params(q);
    let paging = p.paging()?;
    p.finish()?;
    let items = emu.with_store(|s| s.companies.values().map(|c| c.info.clone()).collect());
    Ok(page_of(items, paging, |r, items| {
        r.companies = Some(wire::CompanyList { items })
    }))
}

pub async fn prefixes(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let mut p = params(q);
    let paging = p.paging()?;
    p.finish()?;
    let items = emu.read(&co, |d| d.prefixes.clone())?;
    Ok(page_of(items, paging, |r, items| {
        r.prefixes = Some(wire::PrefixList { items })
    }))
}

pub async fn projects(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let mut p = params(q);
    let (active, sync, prefix, code) = (
        p.flag("active")?,
        p.flag("sync")?,
        p.text("prefix"),
        p.text("code"),
    );
    let paging = p.paging()?;
    p.finish()?;
    let items = emu.read(&co, |d| {
        d.projects
            .values()
            .filter(|x| active.is_none_or(|a| x.active == a))
            .filter(|x| sync.is_none_or(|s| x.procore.sync == s))
            .filter(|x| {
                prefix
                    .as_ref()
                    .is_none_or(|pf| x.prefix.as_ref() == Some(pf))
            })
            .filter(|x| code.as_ref().is_none_or(|c| x.code.as_str() == c))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, paging, |r, items| {
        r.projects = Some(wire::ProjectList { items })
    }))
}

/// The rows of one project that exists (404 otherwise), with the paging asked for.
fn of_project<T>(
    emu: &Emulator,
    co: &str,
    project: &str,
    q: Option<String>,
    rows: impl FnOnce(&CompanyData) -> Vec<T>,
) -> Result<(Vec<T>, (u32, u32))> {
    let keys = Keys::read(params(q), &[])?;
    let items = emu.read(co, |d| {
        if !d.projects.contains_key(project) {
            return Err(Reject::not_found(format!(
                "Project {project} does not exist in maestro*."
            )));
        }
        Ok(rows(d))
    })??;
    Ok((items, keys.paging))
}

pub async fn activities(
    State(emu): State<Emulator>,
    Path((co, project)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    of_project(&emu, &co, &project, q, |d| {
        let rows = d.activities.get(&project);
        rows.map(|a| a.values().cloned().collect())
            .unwrap_or_default()
    })
    .map(|(items, paging)| {
        page_of(items, paging, |r, items| {
            r.activities = Some(wire::ActivityList { items })
        })
    })
}

pub async fn budget_lines(
    State(emu): State<Emulator>,
    Path((co, project)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    of_project(&emu, &co, &project, q, |d| d.budget_lines_of(&project)).map(|(items, paging)| {
        page_of(items, paging, |r, items| {
            r.budget_lines = Some(wire::BudgetLineList { items })
        })
    })
}

pub async fn groups(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let mut p = params(q);
    let paging = p.paging()?;
    p.finish()?;
    let items = emu.read(&co, |d| d.groups.values().cloned().collect())?;
    Ok(page_of(items, paging, |r, items| {
        r.groups = Some(wire::GroupList { items })
    }))
}

/// The filters suppliers and customers share: active, synchronized, code.
struct PartyFilter {
    active: Option<bool>,
    sync: Option<bool>,
    keys: Keys,
}

impl PartyFilter {
    fn read(q: Option<String>) -> Result<Self> {
        let mut p = params(q);
        let (active, sync) = (p.flag("active")?, p.flag("sync")?);
        let keys = Keys::read(p, &["code"])?;
        Ok(Self { active, sync, keys })
    }

    fn keeps(&self, active: bool, sync: bool, code: &str) -> bool {
        self.active.is_none_or(|a| a == active)
            && self.sync.is_none_or(|s| s == sync)
            && self.keys.keeps(&[code])
    }
}

pub async fn suppliers(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let filter = PartyFilter::read(q)?;
    let items = emu.read(&co, |d| {
        d.suppliers
            .values()
            .filter(|x| filter.keeps(x.active, x.sync, &x.code))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, filter.keys.paging, |r, items| {
        r.suppliers = Some(wire::SupplierList { items })
    }))
}

pub async fn customers(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let filter = PartyFilter::read(q)?;
    let items = emu.read(&co, |d| {
        d.customers
            .values()
            .filter(|x| {
                let active = x.status == mx::CustomerStatus::Active;
                filter.keeps(active, x.sync, &x.code)
            })
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, filter.keys.paging, |r, items| {
        r.customers = Some(wire::CustomerList { items })
    }))
}

pub async fn employees(
    State(emu): State<Emulator>,
    Path(co): Co,
    RawQuery(q): RawQuery,
) -> Result<Xml> {
    let mut p = params(q);
    let active = p.flag("active")?;
    let paging = p.paging()?;
    p.finish()?;
    let items = emu.read(&co, |d| {
        d.employees
            .values()
            .filter(|x| active.is_none_or(|a| (x.status == mx::EmployeeStatus::Active) == a))
            .cloned()
            .collect()
    })?;
    Ok(page_of(items, paging, |r, items| {
        r.employees = Some(wire::EmployeeList { items })
    }))
}
