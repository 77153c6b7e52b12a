//! Commitment change orders, Procore → maestro* (rules §1 `subcontract_change_order`, seed
//! 001 "Change Orders on a Subcontract"): which ones are sent, and the key that names one in
//! maestro*. Only `Approved` change orders on a subcontract (work order contract) are sent;
//! those on purchase orders are skipped with the seed's words; prime contract change orders
//! belong to the billing contract and are not this kind's business.

use crate::commitment::{Commitment, change_order_skip};

/// What a change order package is made on, as the bridge found it in Procore.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// A commitment: a work order contract (subcontract) or a purchase order.
    Commitment(Commitment),
    /// Neither: a prime contract, or a contract Procore no longer has.
    Other,
}

/// Why the change order `description`, made on `holder` with Procore status `status`, is not
/// sent to maestro*'s Change Order Management; `None` when it is.
pub fn skip_reason(holder: Holder, status: &str, description: &str) -> Option<String> {
    let on = match holder {
        Holder::Other => {
            return Some(format!(
                "{description} is not made on a subcontract; only subcontract change orders go to maestro*'s Change Order Management (prime contract change orders go to the billing contract)"
            ));
        }
        Holder::Commitment(on) => on,
    };
    if let Some(words) = change_order_skip(on) {
        return Some(format!("{description}: {words}"));
    }
    let status = status.trim();
    if status.eq_ignore_ascii_case("approved") {
        return None;
    }
    let status = if status.is_empty() {
        "without status"
    } else {
        status
    };
    Some(format!(
        "{description} is {status} in Procore; only Approved change orders are sent to maestro*"
    ))
}

/// The key of a maestro* change order in the bridge's links: maestro* numbers change orders
/// 1, 2, … within each subcontract, so the subcontract's number comes with it (`000042-1`).
pub fn maestro_key(contract_no: &str, number: u32) -> String {
    format!("{contract_no}-{number}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commitment::PURCHASE_ORDER_CHANGE_ORDERS;

    #[test]
    fn only_approved_change_orders_on_a_subcontract_are_sent() {
        let sub = Holder::Commitment(Commitment::Subcontract);
        let po = Holder::Commitment(Commitment::PurchaseOrder);
        let co = "change order 1 (Extra)";
        let cases: [(Holder, &str, Option<&str>); 7] = [
            (sub, "approved", None),
            (sub, "Approved", None),
            (
                sub,
                "pending",
                Some("is pending in Procore; only Approved change orders"),
            ),
            (sub, " ", Some("is without status in Procore")),
            (po, "approved", Some(PURCHASE_ORDER_CHANGE_ORDERS)),
            (po, "draft", Some(PURCHASE_ORDER_CHANGE_ORDERS)),
            (
                Holder::Other,
                "approved",
                Some("is not made on a subcontract"),
            ),
        ];
        for (holder, status, expected) in cases {
            let got = skip_reason(holder, status, co);
            match expected {
                None => assert_eq!(got, None, "{holder:?} {status}"),
                Some(words) => {
                    let got = got.unwrap_or_default();
                    assert!(got.starts_with(co), "{got}");
                    assert!(got.contains(words), "{holder:?} {status}: {got}");
                }
            }
        }
    }

    #[test]
    fn a_change_order_is_named_by_its_subcontract_and_number() {
        assert_eq!(maestro_key("000042", 1), "000042-1");
        assert_ne!(maestro_key("000042", 1), maestro_key("000043", 1));
    }
}
