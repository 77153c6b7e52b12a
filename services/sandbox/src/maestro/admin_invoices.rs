//! Test and demo set-up for order invoices: an invoice entered against an order, as maestro*'s
//! Purchase Order Invoicing would leave it (the type `7` transaction it creates is entered
//! separately with `add_transaction`).

use super::Emulator;
use super::reject::Reject;
use bridge_maestro as mx;

impl Emulator {
    /// Enters an order invoice in `company`; its project must exist.
    pub fn add_order_invoice(
        &self,
        company: &str,
        invoice: mx::OrderInvoice,
    ) -> Result<(), Reject> {
        self.with_store(|s| {
            let d = s.company_mut(company)?;
            if !d.projects.contains_key(invoice.project.as_str()) {
                return Err(Reject::not_found(format!(
                    "Project {} does not exist in maestro*.",
                    invoice.project.as_str()
                )));
            }
            d.order_invoices.push(invoice);
            Ok(())
        })
    }
}
