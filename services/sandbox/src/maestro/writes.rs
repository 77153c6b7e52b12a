//! The writes maestro* accepts through its interface, applied to one company's data after the
//! checks of [`rules`](super::rules): numbering from the shared counter, one billing contract per
//! project, external numbers that cannot be used twice.

use super::reject::Reject;
use super::rules::{self, AddressFields};
use super::store::CompanyData;
use bridge_maestro::{self as mx, RejectCode, limits};
use chrono::NaiveDate;

fn numbering(data: &mut CompanyData, record: &str) -> Result<String, Reject> {
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

fn external_no(record: &str, value: &str) -> Result<(), Reject> {
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
    /// A project created from Procore: inactive, sync box ticked (seed 001).
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

    pub fn create_order(
        &mut self,
        kind: mx::OrderKind,
        new: mx::NewOrder,
    ) -> Result<mx::Order, Reject> {
        let what = match kind {
            mx::OrderKind::Purchase => "Purchase order",
            mx::OrderKind::Stock => "Stock order",
        };
        let record = format!("{what} {} (project {})", new.external_no, new.project);
        external_no(&record, &new.external_no)?;
        rules::project(self, &record, new.project.as_str())?;
        rules::supplier(self, &record, &new.supplier_code)?;
        rules::opt_len(&record, "Memo", new.memo.as_deref(), limits::MEMO)?;
        rules::percent(&record, "HoldbackPercent", new.holdback_percent)?;
        rules::cost_lines(self, &record, new.project.as_str(), &new.lines)?;
        if let Some(existing) = self.orders.values().find(|o| {
            o.kind == kind && o.project == new.project && o.external_no == new.external_no
        }) {
            return Err(Reject::duplicate_external(
                what,
                &new.external_no,
                &existing.number,
            ));
        }
        let order = mx::Order {
            number: numbering(self, &record)?,
            kind,
            external_no: new.external_no,
            project: new.project,
            supplier_code: new.supplier_code,
            order_date: new.order_date,
            delivery_date: new.delivery_date,
            memo: new.memo,
            holdback_percent: new.holdback_percent,
            lines: new.lines,
        };
        self.orders.insert(order.number.clone(), order.clone());
        Ok(order)
    }

    pub fn create_subcontract(
        &mut self,
        new: mx::NewSubcontract,
    ) -> Result<mx::Subcontract, Reject> {
        let record = format!("Subcontract {} (project {})", new.external_no, new.project);
        external_no(&record, &new.external_no)?;
        rules::project(self, &record, new.project.as_str())?;
        rules::supplier(self, &record, &new.supplier_code)?;
        rules::opt_len(&record, "Details", new.details.as_deref(), limits::MEMO)?;
        rules::opt_len(&record, "Memo", new.memo.as_deref(), limits::MEMO)?;
        rules::percent(&record, "HoldbackPercent", new.holdback_percent)?;
        rules::cost_lines(self, &record, new.project.as_str(), &new.lines)?;
        if let Some(existing) = self
            .subcontracts
            .values()
            .find(|s| s.project == new.project && s.external_no == new.external_no)
        {
            return Err(Reject::duplicate_external(
                "Subcontract",
                &new.external_no,
                &existing.number,
            ));
        }
        let subcontract = mx::Subcontract {
            number: numbering(self, &record)?,
            external_no: new.external_no,
            project: new.project,
            supplier_code: new.supplier_code,
            contract_date: new.contract_date,
            delivery_date: new.delivery_date,
            holdback_percent: new.holdback_percent,
            details: new.details,
            memo: new.memo,
            lines: new.lines,
        };
        self.subcontracts
            .insert(subcontract.number.clone(), subcontract.clone());
        Ok(subcontract)
    }

    pub fn create_change_order(
        &mut self,
        new: mx::NewChangeOrder,
    ) -> Result<mx::ChangeOrder, Reject> {
        let record = format!(
            "Change order {} on subcontract {}",
            new.external_no, new.contract_no
        );
        external_no(&record, &new.external_no)?;
        let project = match self.subcontracts.get(&new.contract_no) {
            Some(s) => s.project.clone(),
            None => {
                return Err(Reject::new(
                    RejectCode::UnknownSubcontract,
                    format!("{record}: subcontract {} does not exist in maestro*; a change order needs a subcontract.", new.contract_no),
                )
                .field("ContractNo"));
            }
        };
        if let Some(code) = &new.supplier_code {
            rules::supplier(self, &record, code)?;
        }
        rules::opt_len(
            &record,
            "Description",
            new.description.as_deref(),
            limits::MEMO,
        )?;
        rules::cost_lines(self, &record, project.as_str(), &new.lines)?;
        let same_contract = self
            .change_orders
            .iter()
            .filter(|c| c.contract_no == new.contract_no);
        if let Some(existing) = same_contract
            .clone()
            .find(|c| c.external_no == new.external_no)
        {
            let number = format!("{}-{}", existing.contract_no, existing.number);
            return Err(Reject::duplicate_external(
                "Change order",
                &new.external_no,
                &number,
            ));
        }
        let number = u32::try_from(same_contract.count())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let change_order = mx::ChangeOrder {
            contract_no: new.contract_no,
            number,
            external_no: new.external_no,
            initiated_date: new.initiated_date,
            supplier_code: new.supplier_code,
            description: new.description,
            lines: new.lines,
        };
        self.change_orders.push(change_order.clone());
        Ok(change_order)
    }

    pub fn create_billing_contract(
        &mut self,
        new: mx::NewBillingContract,
    ) -> Result<mx::BillingContract, Reject> {
        let record = format!("Progress billing contract of project {}", new.project);
        rules::project(self, &record, new.project.as_str())?;
        rules::customer(self, &record, &new.customer_code)?;
        rules::required(
            &record,
            "Description",
            &new.description,
            limits::CONTRACT_DESCRIPTION,
        )?;
        rules::opt_len(
            &record,
            "ExternalNo",
            new.external_no.as_deref(),
            limits::EXTERNAL_NO,
        )?;
        rules::percent(&record, "HoldbackPercent", new.holdback_percent)?;
        rules::billing_lines(self, &record, new.project.as_str(), &new.lines)?;
        if self.billing_contracts.contains_key(new.project.as_str()) {
            return Err(Reject::new(
                RejectCode::ContractExists,
                format!("Project {} already has a progress billing contract in maestro*; a project has only one.", new.project),
            )
            .field("Project"));
        }
        let contract = mx::BillingContract {
            number: new.project.clone(),
            project: new.project,
            customer_code: new.customer_code,
            description: new.description,
            external_no: new.external_no,
            start_date: new.start_date,
            delivery_date: new.delivery_date,
            holdback_percent: new.holdback_percent,
            original_amount: new.original_amount,
            progress_type: new.progress_type,
            lines: new.lines,
        };
        self.billing_contracts
            .insert(contract.project.to_string(), contract.clone());
        Ok(contract)
    }

    pub fn create_billing_change_order(
        &mut self,
        new: mx::NewBillingChangeOrder,
    ) -> Result<mx::BillingChangeOrder, Reject> {
        let record = format!(
            "Change order {} on the billing contract of project {}",
            new.external_no, new.contract_no
        );
        external_no(&record, &new.external_no)?;
        if !self
            .billing_contracts
            .contains_key(new.contract_no.as_str())
        {
            return Err(Reject::new(
                RejectCode::UnknownContract,
                format!(
                    "{record}: project {} has no progress billing contract in maestro*.",
                    new.contract_no
                ),
            )
            .field("ContractNo"));
        }
        rules::opt_len(
            &record,
            "Description",
            new.description.as_deref(),
            limits::MEMO,
        )?;
        rules::billing_lines(self, &record, new.contract_no.as_str(), &new.lines)?;
        let same_contract = self
            .billing_change_orders
            .iter()
            .filter(|c| c.contract_no == new.contract_no);
        if let Some(existing) = same_contract
            .clone()
            .find(|c| c.external_no == new.external_no)
        {
            let number = format!("{}-{}", existing.contract_no, existing.number);
            return Err(Reject::duplicate_external(
                "Billing change order",
                &new.external_no,
                &number,
            ));
        }
        let number = u32::try_from(same_contract.count())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let change_order = mx::BillingChangeOrder {
            contract_no: new.contract_no,
            number,
            external_no: new.external_no,
            date: new.date,
            description: new.description,
            lines: new.lines,
        };
        self.billing_change_orders.push(change_order.clone());
        Ok(change_order)
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
