//! Suppliers and customers, both ways (creation only): a maestro* supplier or customer becomes
//! a Procore directory company and a Procore company becomes a maestro* supplier or customer.
//! Records that exist on both sides with the same code (Procore `abbreviated_name`) are
//! linked, not created.
//!
//! (design, ENTITIES §1) A customer is a Procore directory company too; the bridge marks the
//! ones it creates with `origin_id = customer:<code>`. Which Procore companies are customers
//! (owner of a prime contract, keyword `CLIENT`) is decided where the events are made.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::text::{CUSTOMER_EXCLUSIONS, Fitter, SUPPLIER_EXCLUSIONS, exclusion_tag};
use crate::outcome::{Note, Outcome, SyncedLink};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{
    CustomerStatus, MaestroApi, MaestroError, NewParty, PartyFilter, RejectCode, limits,
};
use bridge_procore::models::Vendor;
use bridge_procore::{Client, Error as ProcoreError, query};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Procore's limit on `abbreviated_name` (seed 001).
pub(crate) const ABBREVIATED_NAME: usize = 10;

fn synced(link: SyncedLink, description: String, notes: Vec<Note>) -> Outcome {
    Outcome::Synced {
        link: Some(link),
        description: Some(description),
        notes,
    }
}

fn link(maestro_key: &str, procore_id: i64, origin: &'static str) -> SyncedLink {
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
struct MaestroParty {
    code: String,
    name: String,
    address: Option<String>,
    city: Option<String>,
    province: Option<String>,
    postal_code: Option<String>,
    country: Option<String>,
    phone: Option<String>,
    fax: Option<String>,
    email: Option<String>,
    rbq_number: Option<String>,
    /// Why it may not be sent, when it is not active.
    inactive: Option<String>,
    sync: bool,
}

impl Party {
    pub fn kind(self) -> EntityKind {
        match self {
            Party::Supplier => EntityKind::Supplier,
            Party::Customer => EntityKind::Customer,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Party::Supplier => "supplier",
            Party::Customer => "customer",
        }
    }

    fn exclusions(self) -> &'static [&'static str] {
        match self {
            Party::Supplier => &SUPPLIER_EXCLUSIONS,
            Party::Customer => &CUSTOMER_EXCLUSIONS,
        }
    }

    async fn find(self, maestro: &dyn MaestroApi, code: &str) -> Step<Option<MaestroParty>> {
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

    async fn create(self, maestro: &dyn MaestroApi, party: &NewParty) -> Result<(), MaestroError> {
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

/// maestro* supplier or customer → Procore company.
pub struct PartyToProcore {
    party: Party,
    clients: Arc<dyn Clients>,
}

impl PartyToProcore {
    pub fn new(party: Party, clients: Arc<dyn Clients>) -> Self {
        PartyToProcore { party, clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let code = event.record.trim();
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let word = self.party.word();
        let Some(record) = self.party.find(maestro.as_ref(), code).await? else {
            return Ok(Outcome::Skipped {
                reason: format!("{word} {code} no longer exists in maestro*; nothing to send"),
                description: None,
            });
        };
        let description = format!("{word} {} ({})", record.code, record.name);
        if let Some(state) = &record.inactive {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is {state} in maestro*; only active {word}s are sent to Procore"
                ),
                description: Some(description),
            });
        }
        if !record.sync {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description}: \"Synchronize with Procore\" is not checked on its Interface tab"
                ),
                description: Some(description),
            });
        }
        if let Some(existing) =
            links::by_maestro_key(&ctx.pool, connection, self.party.kind(), code).await?
        {
            return Ok(links::already_linked(
                &existing,
                event.action,
                event.direction,
                description,
            ));
        }
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let mut fit = Fitter::new(description.clone());
        let abbreviated = fit.fit("abbreviated name", code, ABBREVIATED_NAME);
        let by_code = vendor_by_code(&procore, &abbreviated).await.map_err(|e| {
            fail::procore(&format!("looking for the Procore company {abbreviated}"), e)
        })?;
        if let Some(v) = by_code {
            links::ensure_unlinked(
                &ctx.pool,
                connection,
                self.party.kind(),
                v.id.0,
                code,
                &description,
            )
            .await?;
            return Ok(synced(
                link(code, v.id.0, "linked_by_code"),
                description,
                fit.into_notes(),
            ));
        }
        // A crash after Procore created the company but before the link was stored.
        let origin = format!("{word}:{code}");
        let by_origin = procore
            .vendor_by_origin(&origin)
            .await
            .map_err(|e| fail::procore(&format!("looking for {description} in Procore"), e))?;
        if let Some(v) = by_origin {
            return Ok(synced(
                link(code, v.id.0, "created_in_procore"),
                description,
                fit.into_notes(),
            ));
        }
        let mut fields = Map::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                fields.insert(key.to_owned(), Value::String(v));
            }
        };
        put("name", Some(record.name.trim().to_owned()));
        put("abbreviated_name", Some(abbreviated));
        put("address", record.address.clone());
        put("city", record.city.clone());
        put("state_code", record.province.clone());
        put("zip", record.postal_code.clone());
        put(
            "country_code",
            country_code(&mut fit, record.country.as_deref()),
        );
        put("business_phone", record.phone.clone());
        put("fax_number", record.fax.clone());
        put("email_address", record.email.clone());
        put("license_number", record.rbq_number.clone());
        put("origin_id", Some(origin));
        fields.insert("is_active".into(), Value::Bool(true));
        let company = procore.company_id();
        let created: Vendor = procore
            .post(
                "rest/v1.0/vendors",
                &query([("company_id", company)]),
                &json!({ "company_id": company, "vendor": fields }),
            )
            .await
            .map_err(|e| match e {
                // Another attempt created it a moment ago: the next one links it by origin.
                ProcoreError::Api {
                    status: 422,
                    ref body,
                } if body.summary().contains("origin_id") => Outcome::Retry(format!(
                    "{description} was being created by another attempt"
                )),
                e => fail::procore(&format!("creating {description} in Procore"), e),
            })?;
        Ok(synced(
            link(code, created.id.0, "created_in_procore"),
            description,
            fit.into_notes(),
        ))
    }
}

impl Handler for PartyToProcore {
    fn route(&self) -> Route {
        Route {
            kind: self.party.kind(),
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}

/// Procore company → maestro* supplier or customer.
pub struct PartyToMaestro {
    party: Party,
    clients: Arc<dyn Clients>,
}

impl PartyToMaestro {
    pub fn new(party: Party, clients: Arc<dyn Clients>) -> Self {
        PartyToMaestro { party, clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let Ok(id) = event.record.trim().parse::<i64>() else {
            return Err(Outcome::Dead(format!(
                "`{}` is not a Procore company id",
                event.record
            )));
        };
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        let Some(vendor) = vendor(&procore, id)
            .await
            .map_err(|e| fail::procore(&format!("reading Procore company {id}"), e))?
        else {
            return Ok(Outcome::Skipped {
                reason: format!("Procore company {id} no longer exists; nothing to send"),
                description: None,
            });
        };
        let name = vendor.name.clone().unwrap_or_default();
        let abbreviated = vendor
            .abbreviated_name
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty());
        let word = self.party.word();
        let description = match abbreviated {
            Some(a) => format!("{word} {a} ({name})"),
            None => format!("Procore company {name}"),
        };
        if let Some(tag) = exclusion_tag(vendor.notes.as_deref(), self.party.exclusions()) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} carries the keyword {tag} in Procore; it is not synchronized as a maestro* {word}"
                ),
                description: Some(description),
            });
        }
        if vendor.is_active == Some(false) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is inactive in Procore; only active companies become maestro* {word}s"
                ),
                description: Some(description),
            });
        }
        if let Some(existing) =
            links::by_procore_id(&ctx.pool, connection, self.party.kind(), id).await?
        {
            return Ok(links::already_linked(
                &existing,
                event.action,
                event.direction,
                description,
            ));
        }
        let Some(abbreviated) = abbreviated else {
            return Err(Outcome::Fail(format!(
                "{description} has no abbreviated name in Procore; enter one (at most 10 characters): it becomes the maestro* {word} code"
            )));
        };
        let mut fit = Fitter::new(description.clone());
        let code = fit.fit(
            "code (Procore abbreviated name)",
            abbreviated,
            limits::PARTY_CODE,
        );
        if let Some(other) =
            links::by_maestro_key(&ctx.pool, connection, self.party.kind(), &code).await?
        {
            return Err(Outcome::Dead(format!(
                "{description}: maestro* {word} {code} is already linked to another Procore company (id {}); give this company its own abbreviated name",
                other.procore_id
            )));
        }
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        if self.party.find(maestro.as_ref(), &code).await?.is_some() {
            return Ok(synced(
                link(&code, id, "linked_by_code"),
                description,
                fit.into_notes(),
            ));
        }
        let mut party = NewParty::new(code.clone(), fit.fit("name", &name, limits::PARTY_NAME));
        party.address = fit.fit_opt("address", vendor.address.as_deref(), limits::PARTY_ADDRESS);
        party.city = fit.fit_opt("city", vendor.city.as_deref(), limits::CITY);
        party.province = fit.fit_opt("province", vendor.state_code.as_deref(), limits::PROVINCE);
        party.postal_code = fit.fit_opt("postal code", vendor.zip.as_deref(), limits::POSTAL_CODE);
        party.country = fit.fit_opt("country", vendor.country_code.as_deref(), limits::COUNTRY);
        party.phone = fit.fit_opt("phone", vendor.business_phone.as_deref(), limits::PHONE);
        party.email = fit.fit_opt("email", vendor.email_address.as_deref(), limits::EMAIL);
        party.rbq_number = fit.fit_opt(
            "RBQ number (Procore license number)",
            vendor.license_number.as_deref(),
            limits::RBQ_NUMBER,
        );
        match self.party.create(maestro.as_ref(), &party).await {
            Ok(_) => Ok(synced(
                link(&code, id, "created_in_maestro"),
                description,
                fit.into_notes(),
            )),
            // Created a moment ago (a crash before the link was stored, or a race): link it.
            Err(e) if e.is_rejected_with(&RejectCode::DuplicateCode) => Ok(synced(
                link(&code, id, "linked_by_code"),
                description,
                fit.into_notes(),
            )),
            Err(e) => Err(fail::maestro(&format!("creating {description}"), e)),
        }
    }
}

impl Handler for PartyToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: self.party.kind(),
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
