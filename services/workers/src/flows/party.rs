//! Suppliers, both ways (creation only): a maestro* supplier becomes a Procore directory
//! company and a Procore company becomes a maestro* supplier. Records that exist on both
//! sides with the same code (Procore `abbreviated_name`) are linked, not created.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::text::{Fitter, SUPPLIER_EXCLUSIONS, exclusion_tag};
use crate::outcome::{Note, Outcome, SyncedLink};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{MaestroApi, NewParty, PartyFilter, RejectCode, Supplier, limits};
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

async fn maestro_supplier(maestro: &dyn MaestroApi, code: &str) -> Step<Option<Supplier>> {
    let filter = PartyFilter {
        code: Some(code.to_owned()),
        ..PartyFilter::default()
    };
    let found = maestro
        .suppliers(&filter)
        .await
        .map_err(|e| fail::maestro(&format!("reading supplier {code}"), e))?;
    Ok(found.into_iter().find(|s| s.code == code))
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

/// maestro* supplier → Procore company.
pub struct SupplierToProcore {
    clients: Arc<dyn Clients>,
}

impl SupplierToProcore {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        SupplierToProcore { clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let code = event.record.trim();
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let Some(supplier) = maestro_supplier(maestro.as_ref(), code).await? else {
            return Ok(Outcome::Skipped {
                reason: format!("supplier {code} no longer exists in maestro*; nothing to send"),
                description: None,
            });
        };
        let description = format!("supplier {} ({})", supplier.code, supplier.name);
        if !supplier.active {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is inactive in maestro*; only active suppliers are sent to Procore"
                ),
                description: Some(description),
            });
        }
        if !supplier.sync {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description}: \"Synchronize with Procore\" is not checked on its Interface tab"
                ),
                description: Some(description),
            });
        }
        if let Some(existing) =
            links::by_maestro_key(&ctx.pool, connection, EntityKind::Supplier, code).await?
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
            return Ok(synced(
                link(code, v.id.0, "linked_by_code"),
                description,
                fit.into_notes(),
            ));
        }
        // A crash after Procore created the company but before the link was stored.
        let origin = format!("supplier:{code}");
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
        put("name", Some(supplier.name.trim().to_owned()));
        put("abbreviated_name", Some(abbreviated));
        put("address", supplier.address.clone());
        put("city", supplier.city.clone());
        put("state_code", supplier.province.clone());
        put("zip", supplier.postal_code.clone());
        put(
            "country_code",
            country_code(&mut fit, supplier.country.as_deref()),
        );
        put("business_phone", supplier.phone.clone());
        put("fax_number", supplier.fax.clone());
        put("email_address", supplier.email.clone());
        put("license_number", supplier.rbq_number.clone());
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

impl Handler for SupplierToProcore {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Supplier,
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}

/// Procore company → maestro* supplier.
pub struct SupplierToMaestro {
    clients: Arc<dyn Clients>,
}

impl SupplierToMaestro {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        SupplierToMaestro { clients }
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
        let description = match abbreviated {
            Some(a) => format!("supplier {a} ({name})"),
            None => format!("Procore company {name}"),
        };
        if let Some(tag) = exclusion_tag(vendor.notes.as_deref(), &SUPPLIER_EXCLUSIONS) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} carries the keyword {tag} in Procore; it is not synchronized as a maestro* supplier"
                ),
                description: Some(description),
            });
        }
        if vendor.is_active == Some(false) {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is inactive in Procore; only active companies become maestro* suppliers"
                ),
                description: Some(description),
            });
        }
        if let Some(existing) =
            links::by_procore_id(&ctx.pool, connection, EntityKind::Supplier, id).await?
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
                "{description} has no abbreviated name in Procore; enter one (at most 10 characters): it becomes the maestro* supplier code"
            )));
        };
        let mut fit = Fitter::new(description.clone());
        let code = fit.fit(
            "code (Procore abbreviated name)",
            abbreviated,
            limits::PARTY_CODE,
        );
        if let Some(other) =
            links::by_maestro_key(&ctx.pool, connection, EntityKind::Supplier, &code).await?
        {
            return Err(Outcome::Dead(format!(
                "{description}: maestro* supplier {code} is already linked to another Procore company (id {}); give this company its own abbreviated name",
                other.procore_id
            )));
        }
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        if maestro_supplier(maestro.as_ref(), &code).await?.is_some() {
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
        match maestro.create_supplier(&party).await {
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

impl Handler for SupplierToMaestro {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Supplier,
            direction: Direction::ToMaestro,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
