//! What a maestro* user does by hand, for tests and the demo: create a project, tick its sync box,
//! transfer transactions, edit a budget line; plus inspection of what the bridge wrote and the
//! fault knobs. The same actions are served over HTTP by `admin_routes`.

use super::Emulator;
use super::reject::Reject;
use super::store::CompanyData;
use super::writes::check_project_text;
use bridge_maestro::{self as mx, RejectCode};
use chrono::NaiveDate;

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
