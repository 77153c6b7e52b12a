//! Suppliers and customers, both ways (creation only): a maestro* supplier or customer becomes
//! a Procore directory company and a Procore company becomes a maestro* supplier or customer.
//! Records that exist on both sides with the same code (Procore `abbreviated_name`) are
//! linked, not created. This file reads maestro* parties and maps fields (pure functions);
//! the flows are in `party_to_procore.rs` and `party_from_procore.rs`.
//!
//! (design, rules §1) A customer is a Procore directory company too; the bridge marks the
//! ones it creates with `origin_id = customer:<code>`.

use crate::flows::fail::{self, Step};
use bridge_domain::EntityKind;
use bridge_domain::party::PartyKind;
use bridge_domain::text::{Fitter, country_code, limits as seed};
use bridge_maestro::{CustomerStatus, MaestroApi, MaestroError, NewParty, PartyFilter, limits};
use bridge_procore::models::Vendor;
use bridge_procore::writes::NewVendor;

pub use crate::flows::party_from_procore::PartyToMaestro;
pub use crate::flows::party_to_procore::PartyToProcore;

/// Which kind of party a flow moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Supplier,
    Customer,
}

/// A maestro* supplier or customer, as the flows read it.
#[derive(Debug, Clone, Default)]
pub(crate) struct MaestroParty {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) address: Option<String>,
    pub(crate) city: Option<String>,
    pub(crate) province: Option<String>,
    pub(crate) postal_code: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) phone: Option<String>,
    pub(crate) fax: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) rbq_number: Option<String>,
    /// Why it may not be sent, when it is not active.
    pub(crate) inactive: Option<String>,
    pub(crate) sync: bool,
}

impl Party {
    pub fn kind(self) -> EntityKind {
        match self {
            Party::Supplier => EntityKind::Supplier,
            Party::Customer => EntityKind::Customer,
        }
    }

    pub(crate) fn domain(self) -> PartyKind {
        match self {
            Party::Supplier => PartyKind::Supplier,
            Party::Customer => PartyKind::Customer,
        }
    }

    pub(crate) fn word(self) -> &'static str {
        self.domain().word()
    }

    fn name_limit(self) -> usize {
        match self {
            Party::Supplier => seed::SUPPLIER_NAME,
            Party::Customer => seed::CUSTOMER_NAME,
        }
    }

    pub(crate) async fn find(
        self,
        maestro: &dyn MaestroApi,
        code: &str,
    ) -> Step<Option<MaestroParty>> {
        let filter = PartyFilter {
            code: Some(code.to_owned()),
            ..PartyFilter::default()
        };
        let what = format!("reading {} {code}", self.word());
        let found = match self {
            Party::Supplier => maestro
                .suppliers(&filter)
                .await
                .map_err(|e| fail::maestro(&what, e))?
                .into_iter()
                .find(|s| s.code == code)
                .map(|s| MaestroParty {
                    inactive: (!s.active).then(|| "inactive".to_owned()),
                    code: s.code,
                    name: s.name,
                    address: s.address,
                    city: s.city,
                    province: s.province,
                    postal_code: s.postal_code,
                    country: s.country,
                    phone: s.phone,
                    fax: s.fax,
                    email: s.email,
                    rbq_number: s.rbq_number,
                    sync: s.sync,
                }),
            Party::Customer => maestro
                .customers(&filter)
                .await
                .map_err(|e| fail::maestro(&what, e))?
                .into_iter()
                .find(|c| c.code == code)
                .map(|c| MaestroParty {
                    inactive: match c.status {
                        CustomerStatus::Active => None,
                        CustomerStatus::Blocked => Some("blocked".to_owned()),
                        CustomerStatus::BlockedWithWarning => {
                            Some("blocked with warning".to_owned())
                        }
                        CustomerStatus::Closed => Some("closed".to_owned()),
                    },
                    code: c.code,
                    name: c.name,
                    address: c.address,
                    city: c.city,
                    province: c.province,
                    postal_code: c.postal_code,
                    country: c.country,
                    phone: c.phone,
                    fax: c.fax,
                    email: c.email,
                    rbq_number: c.rbq_number,
                    sync: c.sync,
                }),
        };
        Ok(found)
    }

    pub(crate) async fn create(
        self,
        maestro: &dyn MaestroApi,
        party: &NewParty,
    ) -> Result<(), MaestroError> {
        match self {
            Party::Supplier => maestro.create_supplier(party).await.map(drop),
            Party::Customer => maestro.create_customer(party).await.map(drop),
        }
    }

    /// The Procore company a maestro* party becomes (`abbreviated` already fitted to 10).
    pub(crate) fn new_vendor(
        self,
        record: &MaestroParty,
        abbreviated: &str,
        fit: &mut Fitter,
    ) -> NewVendor {
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        NewVendor {
            name: Some(record.name.trim().to_owned()),
            abbreviated_name: Some(abbreviated.to_owned()),
            address: text(&record.address),
            city: text(&record.city),
            state_code: text(&record.province),
            zip: text(&record.postal_code),
            country_code: country_code(fit, record.country.as_deref()),
            business_phone: text(&record.phone),
            fax_number: text(&record.fax),
            email_address: text(&record.email),
            license_number: text(&record.rbq_number),
            is_active: Some(true),
            notes: None,
            origin_id: Some(format!("{}:{}", self.word(), record.code)),
        }
    }

    /// The maestro* party a Procore company becomes, every cut warned (docs/rules.md limits).
    pub(crate) fn new_party(self, vendor: &Vendor, code: &str, fit: &mut Fitter) -> NewParty {
        let name = vendor.name.as_deref().unwrap_or_default();
        let mut party = NewParty::new(code.to_owned(), fit.fit("name", name, self.name_limit()));
        party.address = fit.fit_opt("address", vendor.address.as_deref(), seed::SUPPLIER_ADDRESS);
        party.city = fit.fit_opt("city", vendor.city.as_deref(), seed::SUPPLIER_CITY);
        party.province = fit.fit_opt("province", vendor.state_code.as_deref(), seed::PROVINCE);
        party.postal_code = fit.fit_opt("postal code", vendor.zip.as_deref(), limits::POSTAL_CODE);
        party.country = fit.fit_opt("country", vendor.country_code.as_deref(), limits::COUNTRY);
        party.phone = fit.fit_opt("phone", vendor.business_phone.as_deref(), limits::PHONE);
        party.fax = fit.fit_opt("fax", vendor.fax_number.as_deref(), limits::PHONE);
        party.email = fit.fit_opt("email", vendor.email_address.as_deref(), limits::EMAIL);
        party.rbq_number = fit.fit_opt(
            "RBQ number (Procore license number)",
            vendor.license_number.as_deref(),
            seed::RBQ_NUMBER,
        );
        party
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_procore_company_maps_with_fax_and_every_cut_warned() {
        let vendor: Vendor = serde_json::from_value(json!({
            "id": 7, "name": "n".repeat(70), "city": "c".repeat(65), "state_code": "QC",
            "fax_number": "450-555-0199", "license_number": "5678-1234-99",
        }))
        .unwrap();
        for party in [Party::Supplier, Party::Customer] {
            let mut fit = Fitter::new("company X");
            let got = party.new_party(&vendor, "X1", &mut fit);
            assert_eq!(got.fax.as_deref(), Some("450-555-0199"), "{party:?}");
            assert_eq!(got.name.chars().count(), 60);
            let texts: Vec<String> = fit.into_warnings().into_iter().map(|w| w.0).collect();
            assert_eq!(
                texts,
                [
                    "company X: name cut to 60 characters (it had 70)",
                    "company X: city cut to 60 characters (it had 65)",
                    "company X: RBQ number (Procore license number) cut to 10 characters (it had 12)",
                ]
            );
        }
    }

    #[test]
    fn a_maestro_party_maps_to_a_procore_company_marked_with_its_origin() {
        let record = MaestroParty {
            code: "CL0001".into(),
            name: " Ville de Laval ".into(),
            country: Some("Canada".into()),
            fax: Some("450-555-0100".into()),
            city: Some(" ".into()),
            ..MaestroParty::default()
        };
        let mut fit = Fitter::new("customer CL0001");
        let got = Party::Customer.new_vendor(&record, "CL0001", &mut fit);
        assert_eq!(got.origin_id.as_deref(), Some("customer:CL0001"));
        assert_eq!(got.name.as_deref(), Some("Ville de Laval"));
        assert_eq!(got.fax_number.as_deref(), Some("450-555-0100"));
        assert_eq!((got.city, got.country_code), (None, None));
        assert_eq!(fit.warnings().len(), 1, "the free-text country is warned");
    }
}
