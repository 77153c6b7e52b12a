//! The `/admin` routes: the [`Emulator`] admin actions over HTTP, for the demo and scripts
//! (no key needed; XML bodies and answers like the interface, the write log as JSON).

use super::reads::params;
use super::reject::Reject;
use super::xml::{Xml, parse_body};
use super::{Emulator, Faults};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post, put};
use bridge_maestro::wire::{self, Response};
use bridge_maestro::{self as mx};
use std::time::Duration;

fn no_project(code: &str) -> Reject {
    Reject::not_found(format!("Project {code} does not exist in maestro*."))
}

type Reply<T> = std::result::Result<T, Reject>;
type CoCode = Path<(String, String)>;

fn project_reply(emu: &Emulator, co: &str, code: &str) -> Reply<Xml> {
    let project = emu.project(co, code).ok_or_else(|| no_project(code))?;
    let mut r = Response::ok();
    r.projects = Some(wire::ProjectList {
        items: vec![project],
    });
    Ok(Xml(r))
}

async fn post_project(
    State(emu): State<Emulator>,
    Path(co): Path<String>,
    body: Bytes,
) -> Reply<Xml> {
    let project: mx::Project = parse_body(&body, "Project")?;
    let code = project.code.to_string();
    emu.add_project(&co, project)?;
    project_reply(&emu, &co, &code)
}

fn on_param(q: Option<String>) -> Reply<bool> {
    let mut p = params(q);
    let on = p.flag("on")?.unwrap_or(true);
    p.finish()?;
    Ok(on)
}

async fn post_sync(
    State(emu): State<Emulator>,
    Path((co, code)): CoCode,
    RawQuery(q): RawQuery,
) -> Reply<Xml> {
    emu.set_project_sync(&co, &code, on_param(q)?)?;
    project_reply(&emu, &co, &code)
}

async fn post_active(
    State(emu): State<Emulator>,
    Path((co, code)): CoCode,
    RawQuery(q): RawQuery,
) -> Reply<Xml> {
    emu.set_project_active(&co, &code, on_param(q)?)?;
    project_reply(&emu, &co, &code)
}

async fn post_transfer(State(emu): State<Emulator>, Path((co, code)): CoCode) -> Reply<Xml> {
    emu.transfer_transactions(&co, &code)?;
    let items = emu
        .transactions(&co)
        .into_iter()
        .filter(|t| t.project.as_str() == code)
        .collect();
    let mut r = Response::ok();
    r.transactions = Some(wire::TransactionList { items });
    Ok(Xml(r))
}

async fn put_budget(
    State(emu): State<Emulator>,
    Path((co, code)): CoCode,
    body: Bytes,
) -> Reply<Xml> {
    let line: mx::BudgetLine = parse_body(&body, "BudgetLine")?;
    if line.project.as_str() != code {
        return Err(Reject::bad_request(format!(
            "The budget line names project {}, the path {code}.",
            line.project
        )));
    }
    emu.set_budget(&co, line)?;
    let mut r = Response::ok();
    r.budget_lines = Some(wire::BudgetLineList {
        items: emu.budget_lines(&co, &code),
    });
    Ok(Xml(r))
}

async fn put_faults(State(emu): State<Emulator>, RawQuery(q): RawQuery) -> Reply<Xml> {
    let mut p = params(q);
    let latency = p.text("latency_ms").map(|v| v.parse::<u64>()).transpose();
    let rate = p.text("error_rate").map(|v| v.parse::<f64>()).transpose();
    p.finish()?;
    let (Ok(latency), Ok(rate)) = (latency, rate) else {
        return Err(Reject::bad_request(
            "latency_ms must be whole milliseconds and error_rate a number from 0 to 1.",
        ));
    };
    let mut faults: Faults = emu.faults();
    if let Some(ms) = latency {
        faults.latency = Duration::from_millis(ms);
    }
    if let Some(rate) = rate {
        faults.error_rate = rate.clamp(0.0, 1.0);
    }
    emu.set_faults(faults);
    Ok(Xml(Response::ok()))
}

async fn get_writes(State(emu): State<Emulator>) -> axum::Json<Vec<super::WriteEvent>> {
    axum::Json(emu.writes())
}

pub fn routes() -> Router<Emulator> {
    Router::new()
        .route("/companies/{co}/projects", post(post_project))
        .route("/companies/{co}/projects/{code}/sync", post(post_sync))
        .route("/companies/{co}/projects/{code}/active", post(post_active))
        .route(
            "/companies/{co}/projects/{code}/transfer",
            post(post_transfer),
        )
        .route(
            "/companies/{co}/projects/{code}/budget-lines",
            put(put_budget),
        )
        .route("/faults", put(put_faults))
        .route("/writes", get(get_writes))
}
