//! Which Procore companies are maestro* suppliers or customers (rules §1 and §3): the
//! exclusion keywords, and a customer being the owner of a prime contract or tagged `CLIENT`.
//! A customer event names either the company or the prime contract whose owner it is.

use crate::text::{self, CUSTOMER_EXCLUSIONS, CUSTOMER_KEYWORD, SUPPLIER_EXCLUSIONS};

/// The prefix of a customer record that names a prime contract rather than a company.
pub const PRIME_CONTRACT_PREFIX: &str = "prime_contract:";

/// What a customer event (`ChangeEvent::record`) names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanyRecord {
    /// A company of the directory (a `Company Vendors` event).
    Company(i64),
    /// A prime contract whose owner is the customer (a `Prime Contracts` event).
    PrimeContract(i64),
}

/// A record that is neither a company id nor `prime_contract:<id>`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a Procore company id or `prime_contract:<id>`")]
pub struct BadRecord(pub String);

impl CompanyRecord {
    pub fn parse(record: &str) -> Result<Self, BadRecord> {
        let record = record.trim();
        let bad = || BadRecord(record.to_owned());
        match record.strip_prefix(PRIME_CONTRACT_PREFIX) {
            Some(id) => id
                .parse()
                .map(CompanyRecord::PrimeContract)
                .map_err(|_| bad()),
            None => record
                .parse()
                .map(CompanyRecord::Company)
                .map_err(|_| bad()),
        }
    }

    /// The record for a prime contract's owner.
    pub fn prime_contract(id: i64) -> String {
        format!("{PRIME_CONTRACT_PREFIX}{id}")
    }
}

/// Supplier or customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartyKind {
    Supplier,
    Customer,
}

impl PartyKind {
    pub fn word(self) -> &'static str {
        match self {
            PartyKind::Supplier => "supplier",
            PartyKind::Customer => "customer",
        }
    }

    /// The keywords that keep a company out of maestro* as this kind.
    pub fn exclusions(self) -> &'static [&'static str] {
        match self {
            PartyKind::Supplier => &SUPPLIER_EXCLUSIONS,
            PartyKind::Customer => &CUSTOMER_EXCLUSIONS,
        }
    }

    /// The exclusion keyword a company carries for this kind, if any.
    pub fn excluded_by(self, notes: Option<&str>) -> Option<&'static str> {
        text::exclusion_tag(notes, self.exclusions())
    }
}

/// Why a Procore company is not a maestro* customer, or `None` when it is one: the owner of a
/// prime contract, or a company tagged `CLIENT` (rules §1).
pub fn not_a_customer(notes: Option<&str>, owner_of_prime_contract: bool) -> Option<String> {
    if owner_of_prime_contract || text::has_keyword(notes, CUSTOMER_KEYWORD) {
        return None;
    }
    Some(format!(
        "is not the owner of a prime contract and does not carry the keyword {CUSTOMER_KEYWORD} in Procore, so it is not a maestro* customer; add {CUSTOMER_KEYWORD} to its keywords to send it"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customer_records_name_a_company_or_a_prime_contract() {
        let cases = [
            (
                "562949953421312",
                Ok(CompanyRecord::Company(562949953421312)),
            ),
            (" prime_contract:77 ", Ok(CompanyRecord::PrimeContract(77))),
            (
                "prime_contract:x",
                Err(BadRecord("prime_contract:x".into())),
            ),
            ("BETON01", Err(BadRecord("BETON01".into()))),
        ];
        for (record, expected) in cases {
            assert_eq!(CompanyRecord::parse(record), expected, "{record}");
        }
        assert_eq!(CompanyRecord::prime_contract(77), "prime_contract:77");
    }

    #[test]
    fn a_customer_is_an_owner_or_tagged_client() {
        let cases = [
            (None, true, true),
            (Some("client"), false, true),
            (Some("béton"), false, false),
            (Some("PASCLIENT"), false, false),
            (None, false, false),
        ];
        for (notes, owner, customer) in cases {
            assert_eq!(
                not_a_customer(notes, owner).is_none(),
                customer,
                "{notes:?} {owner}"
            );
        }
    }

    #[test]
    fn exclusions_by_kind() {
        let cases = [
            (PartyKind::Supplier, Some("PASCLIENT"), None),
            (PartyKind::Customer, Some("PASCLIENT"), Some("PASCLIENT")),
            (PartyKind::Supplier, Some("pasmaestro"), Some("PASMAESTRO")),
            (PartyKind::Customer, Some("NotMaestro"), Some("NOTMAESTRO")),
        ];
        for (kind, notes, expected) in cases {
            assert_eq!(kind.excluded_by(notes), expected, "{kind:?} {notes:?}");
        }
    }
}
