//! Commitments created from Procore: orders and stock orders, subcontracts and their change
//! orders, progress billing contracts and theirs. maestro* numbers orders, stock orders and
//! subcontracts from one counter, keeps one billing contract per project, and never lets an
//! external number be used twice for the same kind of record.

use super::reject::Reject;
use super::rules;
use super::store::CompanyData;
use super::writes::{external_no, numbering};
use bridge_maestro::{self as mx, RejectCode, limits};

impl CompanyData {
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
}
