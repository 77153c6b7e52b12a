//! The master-data writes maestro* accepts through its interface (projects, suppliers,
//! customers, budget Modification column, last transaction date), applied to one company's data
//! after the checks of [`rules`](super::rules). Commitments are in `writes_commitments`.

use super::reject::Reject;
use super::rules::{self, AddressFields};
use super::store::CompanyData;
use bridge_maestro::{self as mx, RejectCode, limits};
use chrono::NaiveDate;

pub(super) fn numbering(data: &mut CompanyData, record: &str) -> Result<String, Reject> {
    data.next_number().ok_or_else(|| {
        Reject::new(
            RejectCode::NumberingNotConfigured,
            format!(
                "{record}: company {} has no order/subcontract counter; configure the numbering in maestro* first.",
                data.info.code
            ),
        )
    })
}

pub(super) fn external_no(record: &str, value: &str) -> Result<(), Reject> {
    rules::required(record, "ExternalNo", value, limits::EXTERNAL_NO)
}

/// Checks the text fields a user or the bridge may type on a project.
pub fn check_project_text(record: &str, p: &mx::NewProject) -> Result<(), Reject> {
    rules::required(
        record,
        "Description",
        &p.description,
        limits::PROJECT_DESCRIPTION,
    )?;
    rules::opt_len(
        record,
        "DetailedDescription",
        p.detailed_description.as_deref(),
        limits::DETAILED_DESCRIPTION,
    )?;
    rules::address(
        record,
        &AddressFields {
            address: (p.address.as_deref(), limits::PROJECT_ADDRESS),
            city: p.city.as_deref(),
            province: p.province.as_deref(),
            country: p.country.as_deref(),
            postal_code: p.postal_code.as_deref(),
            phone: p.phone.as_deref(),
        },
    )
}

fn check_party(record: &str, p: &mx::NewParty) -> Result<(), Reject> {
    rules::code(record, "Code", &p.code, limits::PARTY_CODE)?;
    rules::required(record, "Name", &p.name, limits::PARTY_NAME)?;
    rules::address(
        record,
        &AddressFields {
            address: (p.address.as_deref(), limits::PARTY_ADDRESS),
            city: p.city.as_deref(),
            province: p.province.as_deref(),
            country: p.country.as_deref(),
            postal_code: p.postal_code.as_deref(),
            phone: p.phone.as_deref(),
        },
    )?;
    rules::opt_len(record, "Fax", p.fax.as_deref(), limits::PHONE)?;
    rules::opt_len(record, "Email", p.email.as_deref(), limits::EMAIL)?;
    rules::opt_len(
        record,
        "RbqNumber",
        p.rbq_number.as_deref(),
        limits::RBQ_NUMBER,
    )
}

impl CompanyData {
    /// A project created from Procore: inactive, sync box ticked (docs/rules.md).
    pub fn create_project(&mut self, new: mx::NewProject) -> Result<mx::Project, Reject> {
        let record = format!("Project {}", new.code);
        check_project_text(&record, &new)?;
        if self.projects.contains_key(new.code.as_str()) {
            return Err(Reject::new(
                RejectCode::DuplicateCode,
                format!("{record} already exists in maestro*; link it by its number instead."),
            )
            .field("Code"));
        }
        let project = mx::Project {
            code: new.code,
            description: new.description,
            detailed_description: new.detailed_description,
            address: new.address,
            city: new.city,
            province: new.province,
            country: new.country,
            postal_code: new.postal_code,
            phone: new.phone,
            start_date: new.start_date,
            closing_date: new.closing_date,
            active: false,
            prefix: None,
            master_project: None,
            customer_code: None,
            procore: mx::ProcoreTab {
                sync: true,
                ..mx::ProcoreTab::default()
            },
        };
        self.projects
            .insert(project.code.to_string(), project.clone());
        Ok(project)
    }

    pub fn create_supplier(&mut self, new: mx::NewParty) -> Result<mx::Supplier, Reject> {
        let record = format!("Supplier {}", new.code);
        check_party(&record, &new)?;
        if self.suppliers.contains_key(&new.code) {
            return Err(Reject::new(
                RejectCode::DuplicateCode,
                format!("{record} already exists in maestro*."),
            )
            .field("Code"));
        }
        let supplier = mx::Supplier {
            code: new.code,
            name: new.name,
            address: new.address,
            city: new.city,
            province: new.province,
            postal_code: new.postal_code,
            country: new.country,
            phone: new.phone,
            fax: new.fax,
            email: new.email,
            rbq_number: new.rbq_number,
            active: true,
            sync: true,
        };
        self.suppliers
            .insert(supplier.code.clone(), supplier.clone());
        Ok(supplier)
    }

    pub fn create_customer(&mut self, new: mx::NewParty) -> Result<mx::Customer, Reject> {
        let record = format!("Customer {}", new.code);
        check_party(&record, &new)?;
        if self.customers.contains_key(&new.code) {
            return Err(Reject::new(
                RejectCode::DuplicateCode,
                format!("{record} already exists in maestro*."),
            )
            .field("Code"));
        }
        let customer = mx::Customer {
            code: new.code,
            name: new.name,
            address: new.address,
            city: new.city,
            province: new.province,
            postal_code: new.postal_code,
            country: new.country,
            phone: new.phone,
            fax: new.fax,
            email: new.email,
            rbq_number: new.rbq_number,
            status: mx::CustomerStatus::Active,
            sync: true,
        };
        self.customers
            .insert(customer.code.clone(), customer.clone());
        Ok(customer)
    }

    /// Sets the Modification column of each line, all or nothing.
    pub fn update_modifications(
        &mut self,
        project: &str,
        lines: &[mx::BudgetModification],
    ) -> Result<Vec<mx::BudgetLine>, Reject> {
        let code = self
            .projects
            .get(project)
            .map(|p| p.code.clone())
            .ok_or_else(|| {
                Reject::not_found(format!("Project {project} does not exist in maestro*."))
            })?;
        for line in lines {
            rules::budget_reference(self, project, &line.activity, &line.group)?;
        }
        for line in lines {
            let key = (
                project.to_owned(),
                line.activity.clone(),
                line.group.clone(),
            );
            let entry = self.budget.entry(key).or_insert_with(|| mx::BudgetLine {
                project: code.clone(),
                activity: line.activity.clone(),
                group: line.group.clone(),
                unit: None,
                budget_amount: mx::Amount::ZERO,
                budget_quantity: mx::Quantity::ZERO,
                modification_amount: mx::Amount::ZERO,
                modification_quantity: mx::Quantity::ZERO,
            });
            entry.modification_amount = line.amount;
            entry.modification_quantity = line.quantity;
        }
        Ok(self.budget_lines_of(project))
    }

    pub fn set_last_transaction_date(
        &mut self,
        project: &str,
        date: NaiveDate,
    ) -> Result<mx::Project, Reject> {
        let p = self.projects.get_mut(project).ok_or_else(|| {
            Reject::not_found(format!("Project {project} does not exist in maestro*."))
        })?;
        p.procore.last_transaction_date = Some(date);
        Ok(p.clone())
    }
}
