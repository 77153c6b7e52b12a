//! What a maestro* user does by hand, for tests and the demo: create a project, tick its sync box,
//! transfer transactions, edit a budget line; plus inspection of what the bridge wrote and the
//! fault knobs. Available as [`Emulator`] methods and as `/admin` routes (no key needed).

use super::reads::params;
use super::reject::Reject;
use super::store::CompanyData;
use super::writes::check_project_text;
use super::xml::{Xml, parse_body};
use super::{Emulator, Faults};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::routing::{get, post, put};
use bridge_maestro::wire::{self, Response};
use bridge_maestro::{self as mx, RejectCode};
use chrono::NaiveDate;
use std::time::Duration;

fn no_project(code: &str) -> Reject {
    Reject::not_found(format!("Project {code} does not exist in maestro*."))
}

impl Emulator {
    /// Adds a company (with an order/subcontract counter) if it does not exist yet.
    pub fn add_company(
        &self,
        code: &str,
        name: &str,
        class: mx::CompanyClass,
        multidimensional: bool,
    ) {
        self.with_store(|s| {
            s.companies.entry(code.to_owned()).or_insert_with(|| {
                CompanyData::new(mx::Company {
                    code: code.to_owned(),
                    name: name.to_owned(),
                    class,
                    multidimensional,
                    numbering_configured: true,
                })
            });
        });
    }

    fn edit<R>(
        &self,
        company: &str,
        f: impl FnOnce(&mut CompanyData) -> Result<R, Reject>,
    ) -> Result<R, Reject> {
        self.with_store(|s| f(s.company_mut(company)?))
    }

    /// Removes (or restores) the order/subcontract counter: without it maestro* cannot number
    /// records created from Procore.
    pub fn set_numbering(&self, company: &str, configured: bool) -> Result<(), Reject> {
        self.edit(company, |d| {
            d.info.numbering_configured = configured;
            d.counter = if configured {
                Some(d.counter.unwrap_or(0))
            } else {
                None
            };
            Ok(())
        })
    }

    pub fn add_prefix(&self, company: &str, code: &str, description: &str) -> Result<(), Reject> {
        self.edit(company, |d| {
            d.prefixes.retain(|p| p.code != code);
            d.prefixes.push(mx::Prefix {
                code: code.to_owned(),
                description: description.to_owned(),
            });
            Ok(())
        })
    }

    /// Creates a project as a user would in Project Management (same field rules as the interface).
    pub fn add_project(&self, company: &str, project: mx::Project) -> Result<(), Reject> {
        let record = format!("Project {}", project.code);
        let text = mx::NewProject {
            code: project.code.clone(),
            description: project.description.clone(),
            detailed_description: project.detailed_description.clone(),
            address: project.address.clone(),
            city: project.city.clone(),
            province: project.province.clone(),
            country: project.country.clone(),
            postal_code: project.postal_code.clone(),
            phone: project.phone.clone(),
            start_date: project.start_date,
            closing_date: project.closing_date,
        };
        check_project_text(&record, &text)?;
        self.edit(company, |d| {
            if let Some(prefix) = &project.prefix
                && !d.prefixes.iter().any(|p| &p.code == prefix)
            {
                return Err(Reject::new(
                    RejectCode::InvalidValue,
                    format!("{record}: prefix {prefix} does not exist."),
                )
                .field("Prefix"));
            }
            d.projects.insert(project.code.to_string(), project);
            Ok(())
        })
    }

    fn edit_project(
        &self,
        company: &str,
        code: &str,
        f: impl FnOnce(&mut mx::Project),
    ) -> Result<(), Reject> {
        self.edit(company, |d| {
            d.projects
                .get_mut(code)
                .map(f)
                .ok_or_else(|| no_project(code))
        })
    }

    /// Ticks or unticks "Synchronize this Project with Procore".
    pub fn set_project_sync(&self, company: &str, code: &str, on: bool) -> Result<(), Reject> {
        self.edit_project(company, code, |p| p.procore.sync = on)
    }

    pub fn set_project_active(&self, company: &str, code: &str, on: bool) -> Result<(), Reject> {
        self.edit_project(company, code, |p| p.active = on)
    }

    /// Sets the transaction synchronization start date and the "ignore last sync" box.
    pub fn set_transaction_start(
        &self,
        company: &str,
        code: &str,
        start: Option<NaiveDate>,
        ignore_last_sync: bool,
    ) -> Result<(), Reject> {
        self.edit_project(company, code, |p| {
            p.procore.transaction_start_date = start;
            p.procore.ignore_last_sync = ignore_last_sync;
        })
    }

    pub fn add_activity(
        &self,
        company: &str,
        project: &str,
        code: &str,
        description: &str,
    ) -> Result<(), Reject> {
        self.edit(company, |d| {
            let project_code = d
                .projects
                .get(project)
                .map(|p| p.code.clone())
                .ok_or_else(|| no_project(project))?;
            d.activities.entry(project.to_owned()).or_default().insert(
                code.to_owned(),
                mx::Activity {
                    project: project_code,
                    code: code.to_owned(),
                    description: description.to_owned(),
                    active: true,
                },
            );
            Ok(())
        })
    }

    pub fn add_group(&self, company: &str, group: mx::Group) -> Result<(), Reject> {
        self.edit(company, |d| {
            d.groups.insert(group.code.clone(), group);
            Ok(())
        })
    }

    /// Edits the Budget column of a line (creating the line if needed).
    pub fn set_budget(
        &self,
        company: &str,
        line: mx::BudgetLine,
    ) -> Result<mx::BudgetLine, Reject> {
        self.edit(company, |d| {
            let project = line.project.to_string();
            if !d.projects.contains_key(&project) {
                return Err(no_project(&project));
            }
            super::rules::budget_reference(d, &project, &line.activity, &line.group)?;
            let key = (project, line.activity.clone(), line.group.clone());
            let entry = d.budget.entry(key).or_insert_with(|| line.clone());
            entry.budget_amount = line.budget_amount;
            entry.budget_quantity = line.budget_quantity;
            entry.unit.clone_from(&line.unit);
            Ok(entry.clone())
        })
    }

    pub fn add_supplier(&self, company: &str, supplier: mx::Supplier) -> Result<(), Reject> {
        self.edit(company, |d| {
            d.suppliers.insert(supplier.code.clone(), supplier);
            Ok(())
        })
    }

    pub fn add_customer(&self, company: &str, customer: mx::Customer) -> Result<(), Reject> {
        self.edit(company, |d| {
            d.customers.insert(customer.code.clone(), customer);
            Ok(())
        })
    }

    pub fn add_employee(&self, company: &str, employee: mx::Employee) -> Result<(), Reject> {
        self.edit(company, |d| {
            d.employees.insert(employee.number.clone(), employee);
            Ok(())
        })
    }

    /// Enters a transaction; when its `id` is empty maestro* gives it the next transaction
    /// number. Returns the key.
    pub fn add_transaction(
        &self,
        company: &str,
        mut transaction: mx::Transaction,
    ) -> Result<String, Reject> {
        self.edit(company, |d| {
            if !d.projects.contains_key(transaction.project.as_str()) {
                return Err(no_project(transaction.project.as_str()));
            }
            if transaction.id.is_empty() {
                transaction.id = format!("T{:07}", d.next_transaction_id);
                d.next_transaction_id += 1;
            }
            let id = transaction.id.clone();
            d.transactions.insert(id.clone(), transaction);
            Ok(id)
        })
    }

    /// Transfers (posts) the project's approved, not yet transferred transactions; returns how many.
    pub fn transfer_transactions(&self, company: &str, project: &str) -> Result<usize, Reject> {
        self.edit(company, |d| {
            if !d.projects.contains_key(project) {
                return Err(no_project(project));
            }
            let mut count = 0;
            for t in d
                .transactions
                .values_mut()
                .filter(|t| t.project.as_str() == project)
            {
                if t.approved && t.status == mx::TransactionStatus::NotTransferred {
                    t.status = mx::TransactionStatus::Transferred;
                    count += 1;
                }
            }
            for i in d
                .order_invoices
                .iter_mut()
                .filter(|i| i.project.as_str() == project)
            {
                i.status = mx::TransactionStatus::Transferred;
            }
            Ok(count)
        })
    }

    fn inspect<R: Default>(&self, company: &str, f: impl FnOnce(&CompanyData) -> R) -> R {
        self.read(company, f).unwrap_or_default()
    }

    pub fn project(&self, company: &str, code: &str) -> Option<mx::Project> {
        self.inspect(company, |d| d.projects.get(code).cloned())
    }

    pub fn projects(&self, company: &str) -> Vec<mx::Project> {
        self.inspect(company, |d| d.projects.values().cloned().collect())
    }

    pub fn suppliers(&self, company: &str) -> Vec<mx::Supplier> {
        self.inspect(company, |d| d.suppliers.values().cloned().collect())
    }

    pub fn customers(&self, company: &str) -> Vec<mx::Customer> {
        self.inspect(company, |d| d.customers.values().cloned().collect())
    }

    /// Purchase and stock orders, by number.
    pub fn orders(&self, company: &str) -> Vec<mx::Order> {
        self.inspect(company, |d| d.orders.values().cloned().collect())
    }

    pub fn subcontracts(&self, company: &str) -> Vec<mx::Subcontract> {
        self.inspect(company, |d| d.subcontracts.values().cloned().collect())
    }

    pub fn change_orders(&self, company: &str) -> Vec<mx::ChangeOrder> {
        self.inspect(company, |d| d.change_orders.clone())
    }

    pub fn billing_contracts(&self, company: &str) -> Vec<mx::BillingContract> {
        self.inspect(company, |d| d.billing_contracts.values().cloned().collect())
    }

    pub fn billing_change_orders(&self, company: &str) -> Vec<mx::BillingChangeOrder> {
        self.inspect(company, |d| d.billing_change_orders.clone())
    }

    pub fn budget_lines(&self, company: &str, project: &str) -> Vec<mx::BudgetLine> {
        self.inspect(company, |d| d.budget_lines_of(project))
    }

    pub fn transactions(&self, company: &str) -> Vec<mx::Transaction> {
        self.inspect(company, |d| d.transactions.values().cloned().collect())
    }
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
