//! Suppliers and customers, both ways (creation only): a maestro* supplier or customer becomes
//! a Procore directory company and a Procore company becomes a maestro* supplier or customer.
//! Records that exist on both sides with the same code (Procore `abbreviated_name`) are
//! linked, not created.
//!
//! (design, ENTITIES §1) A customer is a Procore directory company too; the bridge marks the
//! ones it creates with `origin_id = customer:<code>`. Which Procore companies are customers
//! (owner of a prime contract, keyword `CLIENT`) is decided where the events are made.

use crate::flows::fail::{self, Step};
use crate::flows::text::{CUSTOMER_EXCLUSIONS, Fitter, SUPPLIER_EXCLUSIONS};
use crate::outcome::{Note, Outcome, SyncedLink};
use bridge_domain::EntityKind;
use bridge_maestro::{CustomerStatus, MaestroApi, MaestroError, NewParty, PartyFilter};
use bridge_procore::models::Vendor;
use bridge_procore::{Client, Error as ProcoreError, query};

pub use crate::flows::party_from_procore::PartyToMaestro;
pub use crate::flows::party_to_procore::PartyToProcore;

/// Procore's limit on `abbreviated_name` (seed 001).
pub(crate) const ABBREVIATED_NAME: usize = 10;

/// The maestro* code a Procore company's abbreviated name becomes (cut to 10 when longer;
/// the flow that creates the party warns about the cut).
pub(crate) fn code_of(abbreviated: &str) -> String {
    let abbreviated = abbreviated.trim();
    if abbreviated.chars().count() <= ABBREVIATED_NAME {
        return abbreviated.to_owned();
    }
    let cut: String = abbreviated.chars().take(ABBREVIATED_NAME).collect();
    cut.trim_end().to_owned()
}

pub(crate) fn synced(link: SyncedLink, description: String, notes: Vec<Note>) -> Outcome {
    Outcome::Synced {
        link: Some(link),
        description: Some(description),
        notes,
    }
}

pub(crate) fn link(maestro_key: &str, procore_id: i64, origin: &'static str) -> SyncedLink {
    SyncedLink {
        maestro_key: maestro_key.to_owned(),
        procore_id,
        procore_project_id: None,
        origin,
    }
}

/// The active Procore company whose abbreviated name is exactly `code`.
pub(crate) async fn vendor_by_code(
    client: &Client,
    code: &str,
) -> Result<Option<Vendor>, ProcoreError> {
    let mut q = query([("company_id", client.company_id())]);
    // The search narrows the list where Procore supports it; the match itself is exact.
    q.push(("filters[search]".into(), code.to_owned()));
    let vendors: Vec<Vendor> = client.list_all("rest/v1.0/vendors", q, 100).await?;
    Ok(vendors
        .into_iter()
        .find(|v| v.abbreviated_name.as_deref().map(str::trim) == Some(code)))
}

/// One Procore company by id; `None` when Procore no longer has it.
pub(crate) async fn vendor(client: &Client, id: i64) -> Result<Option<Vendor>, ProcoreError> {
    let q = query([("company_id", client.company_id())]);
    match client.get(&format!("rest/v1.0/vendors/{id}"), &q).await {
        Ok(v) => Ok(Some(v)),
        Err(ProcoreError::Api { status: 404, .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Which kind of party a flow moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    Supplier,
    Customer,
}

/// A maestro* supplier or customer, as the flows read it.
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

    pub(crate) fn word(self) -> &'static str {
        match self {
            Party::Supplier => "supplier",
            Party::Customer => "customer",
        }
    }

    pub(crate) fn exclusions(self) -> &'static [&'static str] {
        match self {
            Party::Supplier => &SUPPLIER_EXCLUSIONS,
            Party::Customer => &CUSTOMER_EXCLUSIONS,
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
}

/// A two-letter country code for Procore, or `None` (with a warning) for free text.
pub(crate) fn country_code(fit: &mut Fitter, country: Option<&str>) -> Option<String> {
    let country = country.map(str::trim).filter(|c| !c.is_empty())?;
    if country.len() == 2 && country.chars().all(|c| c.is_ascii_alphabetic()) {
        return Some(country.to_ascii_uppercase());
    }
    fit.warn(format!(
        "country `{country}` is not a two-letter code; left empty in Procore"
    ));
    None
}
