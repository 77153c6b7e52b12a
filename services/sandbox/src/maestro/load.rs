//! Loading the shared seed company (`crate::seed`) into the emulator: the maestro* side of it.
//! Records the seed marks as already created in maestro* from Procore (commitments, prime
//! contracts) carry their Procore number as external number, and a project's last successful
//! transaction date is the latest accounting date the seed says already reached Procore.

use super::Emulator;
use super::load_records::{
    cost_line, customer, cut, employee, group_type, project, quantity, supplier, transaction,
};
use super::store::CompanyData;
use crate::seed;
use anyhow::Context;
use bridge_maestro::{self as mx, Amount, ProjectCode, Quantity, limits};

fn commitment(d: &mut CompanyData, c: &seed::Commitment, code: &ProjectCode) -> anyhow::Result<()> {
    let number = d
        .next_number()
        .context("the seeded company has an order counter")?;
    // Procore Title + Description become the Memo / Details (rules §3, combined fields).
    let memo = if c.description.is_empty() {
        c.title.clone()
    } else {
        format!("{} - {}", c.title, c.description)
    };
    let holdback = c.retainage_percent.map(quantity);
    let lines: Vec<mx::CostLine> = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| cost_line(i, l))
        .collect();
    match c.kind {
        seed::CommitmentKind::PurchaseOrder => {
            d.orders.insert(
                number.clone(),
                mx::Order {
                    number,
                    kind: mx::OrderKind::Purchase,
                    external_no: c.number.clone(),
                    project: code.clone(),
                    supplier_code: c.supplier_code.clone(),
                    order_date: c.contract_date,
                    delivery_date: None,
                    memo: Some(cut(&memo, limits::MEMO)),
                    holdback_percent: holdback,
                    lines,
                },
            );
        }
        seed::CommitmentKind::Subcontract => {
            d.subcontracts.insert(
                number.clone(),
                mx::Subcontract {
                    number,
                    external_no: c.number.clone(),
                    project: code.clone(),
                    supplier_code: c.supplier_code.clone(),
                    contract_date: Some(c.contract_date),
                    delivery_date: None,
                    holdback_percent: holdback,
                    details: Some(cut(&memo, limits::MEMO)),
                    memo: None,
                    lines,
                },
            );
        }
    }
    Ok(())
}

fn billing_contract(
    p: &seed::PrimeContract,
    code: &ProjectCode,
    start: Option<chrono::NaiveDate>,
) -> mx::BillingContract {
    let lines: Vec<mx::BillingLine> = p
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| mx::BillingLine {
            line_no: u32::try_from(i + 1).unwrap_or(u32::MAX),
            activity: l.activity.clone(),
            quantity: None,
            unit: None,
            unit_price: None,
            amount: Some(Amount::from_units(l.amount_cents)),
        })
        .collect();
    mx::BillingContract {
        number: code.clone(),
        project: code.clone(),
        customer_code: p.customer_code.clone(),
        description: cut(&p.title, limits::CONTRACT_DESCRIPTION),
        external_no: Some(cut(&p.number, limits::EXTERNAL_NO)),
        start_date: start,
        delivery_date: None,
        holdback_percent: None,
        original_amount: Amount::from_units(p.lines.iter().map(|l| l.amount_cents).sum()),
        progress_type: mx::ProgressType::Rate,
        lines,
    }
}

/// The invoice behind an Order Invoicing (type `7`) transaction: on an order that came from
/// Procore when the project has one, else on a maestro*-only order (no external number).
fn order_invoice(d: &mut CompanyData, t: &mx::Transaction) -> anyhow::Result<mx::OrderInvoice> {
    let from_procore = d.orders.values().find(|o| o.project == t.project).map(|o| {
        (
            o.number.clone(),
            Some(o.external_no.clone()),
            o.supplier_code.clone(),
        )
    });
    let (order_no, order_external_no, supplier) = match from_procore {
        Some(found) => found,
        None => (
            d.next_number()
                .context("the seeded company has an order counter")?,
            None,
            t.supplier_code.clone().unwrap_or_default(),
        ),
    };
    Ok(mx::OrderInvoice {
        transaction_id: t.id.clone(),
        invoice_no: t
            .invoice_no
            .clone()
            .unwrap_or_else(|| format!("INV-{}", t.id)),
        order_no,
        order_external_no,
        project: t.project.clone(),
        supplier_code: supplier,
        invoice_date: t.accounting_date,
        accounting_date: t.accounting_date,
        status: t.status,
        amount: t.amount,
        lines: t.lines.clone(),
    })
}

impl Emulator {
    /// Loads the maestro* side of `company` as a production-class company without prefixes,
    /// replacing any company with the same code.
    pub fn load_seed(&self, company: &seed::Company) -> anyhow::Result<()> {
        self.load_seed_as(company, mx::CompanyClass::Production)
    }

    /// Same as [`Emulator::load_seed`], choosing the company's class.
    pub fn load_seed_as(
        &self,
        company: &seed::Company,
        class: mx::CompanyClass,
    ) -> anyhow::Result<()> {
        let mut d = CompanyData::new(mx::Company {
            code: company.code.clone(),
            name: cut(&company.name, limits::PARTY_NAME),
            class,
            multidimensional: false,
            numbering_configured: true,
        });
        for t in &company.cost_types {
            d.groups.insert(
                t.code.clone(),
                mx::Group {
                    code: t.code.clone(),
                    description: t.name.clone(),
                    group_type: group_type(t.kind),
                },
            );
        }
        d.suppliers = company
            .suppliers
            .iter()
            .map(|s| (s.code.clone(), supplier(s)))
            .collect();
        d.customers = company
            .customers
            .iter()
            .map(|c| (c.code.clone(), customer(c)))
            .collect();
        d.employees = company
            .employees
            .iter()
            .map(|e| (e.code.clone(), employee(e)))
            .collect();
        for p in &company.projects {
            let last = company
                .transactions
                .iter()
                .filter(|t| t.project_number == p.number && t.in_procore)
                .map(|t| t.accounting_date)
                .max();
            let project = project(p, last)?;
            let code = project.code.clone();
            let activities = company.cost_codes.iter().map(|c| {
                let activity = mx::Activity {
                    project: code.clone(),
                    code: c.full_code.clone(),
                    description: cut(&c.name, limits::SHORT_DESCRIPTION),
                    active: true,
                };
                (c.full_code.clone(), activity)
            });
            d.activities.insert(p.number.clone(), activities.collect());
            d.projects.insert(p.number.clone(), project);
        }
        for l in &company.budget_lines {
            let code = ProjectCode::new(l.project_number.clone())?;
            let line = mx::BudgetLine {
                project: code,
                activity: l.activity.clone(),
                group: l.group.clone(),
                unit: Some(cut(&l.unit, limits::UNIT)),
                budget_amount: Amount::from_units(l.amount_cents),
                budget_quantity: quantity(l.quantity),
                modification_amount: Amount::ZERO,
                modification_quantity: Quantity::ZERO,
            };
            d.budget.insert(
                (
                    l.project_number.clone(),
                    l.activity.clone(),
                    l.group.clone(),
                ),
                line,
            );
        }
        for c in company.commitments.iter().filter(|c| c.in_maestro) {
            commitment(&mut d, c, &ProjectCode::new(c.project_number.clone())?)?;
        }
        for p in company.prime_contracts.iter().filter(|p| p.in_maestro) {
            let code = ProjectCode::new(p.project_number.clone())?;
            let start = d.projects.get(code.as_str()).and_then(|x| x.start_date);
            d.billing_contracts
                .insert(p.project_number.clone(), billing_contract(p, &code, start));
        }
        for t in &company.transactions {
            let tx = transaction(t, &ProjectCode::new(t.project_number.clone())?)
                .with_context(|| format!("seed transaction {}", t.key))?;
            if tx.type_code == mx::TypeCode::ORDER_INVOICING {
                let invoice = order_invoice(&mut d, &tx)?;
                d.order_invoices.push(invoice);
            }
            d.transactions.insert(tx.id.clone(), tx);
        }
        self.with_store(|s| s.companies.insert(company.code.clone(), d));
        Ok(())
    }
}
