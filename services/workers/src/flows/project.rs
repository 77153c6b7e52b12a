//! Projects, maestro* → Procore (creation only): an eligible maestro* project becomes a Procore
//! project whose Job Number (`project_number`) is the maestro* number, or is linked to the
//! Procore project that already carries that number.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::party::country_code;
use crate::flows::settings::FlowSettings;
use crate::flows::text::Fitter;
use crate::outcome::{Outcome, SyncedLink};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::ProjectCode;
use bridge_procore::models::Project as ProcoreProject;
use bridge_procore::{Client, Error as ProcoreError, query};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Procore field limits the seed names (seed 001: project name 100, address 100, city 60).
mod limit {
    pub const NAME: usize = 100;
    pub const ADDRESS: usize = 100;
    pub const CITY: usize = 60;
}

/// The Procore project (active or not) whose Job Number is `number`.
pub(crate) async fn project_by_number(
    client: &Client,
    number: &str,
) -> Result<Option<ProcoreProject>, ProcoreError> {
    let q = query([
        ("company_id", client.company_id().to_string()),
        ("filters[by_status]", "All".to_owned()),
    ]);
    let projects: Vec<ProcoreProject> = client.list_all("rest/v1.0/projects", q, 300).await?;
    Ok(projects
        .into_iter()
        .find(|p| p.project_number.as_deref().map(str::trim) == Some(number)))
}

fn synced(code: &str, id: i64, origin: &'static str, description: String, fit: Fitter) -> Outcome {
    Outcome::Synced {
        link: Some(SyncedLink {
            maestro_key: code.to_owned(),
            procore_id: id,
            procore_project_id: Some(id),
            origin,
        }),
        description: Some(description),
        notes: fit.into_notes(),
    }
}

/// maestro* project → Procore project.
pub struct ProjectToProcore {
    clients: Arc<dyn Clients>,
}

impl ProjectToProcore {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        ProjectToProcore { clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let code = ProjectCode::new(event.record.trim())
            .map_err(|e| Outcome::Dead(format!("not a maestro* project number: {e}")))?;
        let settings = FlowSettings::load(&ctx.pool, connection)
            .await
            .map_err(fail::setup)?;
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let Some(project) = maestro
            .project(&code)
            .await
            .map_err(|e| fail::maestro(&format!("reading project {code}"), e))?
        else {
            return Ok(Outcome::Skipped {
                reason: format!("project {code} no longer exists in maestro*; nothing to send"),
                description: None,
            });
        };
        let description = format!("project {} ({})", project.code, project.description);
        let skip = |why: String| Outcome::Skipped {
            reason: format!("{description} {why}"),
            description: Some(description.clone()),
        };
        if !project.active {
            return Ok(skip(
                "is inactive in maestro*; only active projects are sent to Procore".into(),
            ));
        }
        if !project.procore.sync {
            return Ok(skip("does not have \"Synchronize this Project with Procore\" checked (Project Desc. > Procore sub-tab)".into()));
        }
        if let Some(prefix) = &settings.maestro_prefix
            && project.prefix.as_deref() != Some(prefix.as_str())
        {
            return Ok(skip(format!(
                "does not belong to the connection's prefix {prefix}"
            )));
        }
        if let Some(existing) =
            links::by_maestro_key(&ctx.pool, connection, EntityKind::Project, code.as_str()).await?
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
        let fit = Fitter::new(description.clone());
        let by_number = project_by_number(&procore, code.as_str())
            .await
            .map_err(|e| {
                fail::procore(
                    &format!("looking for the Procore project with Job Number {code}"),
                    e,
                )
            })?;
        if let Some(p) = by_number {
            links::ensure_unlinked(
                &ctx.pool,
                connection,
                EntityKind::Project,
                p.id.0,
                code.as_str(),
                &description,
            )
            .await?;
            return Ok(synced(
                code.as_str(),
                p.id.0,
                "linked_by_code",
                description,
                fit,
            ));
        }
        let origin = format!("project:{code}");
        let by_origin = procore
            .project_by_origin(&origin)
            .await
            .map_err(|e| fail::procore(&format!("looking for {description} in Procore"), e))?;
        if let Some(p) = by_origin {
            return Ok(synced(
                code.as_str(),
                p.id.0,
                "created_in_procore",
                description,
                fit,
            ));
        }
        let missing: Vec<&str> = [
            (project.start_date.is_none(), "start date"),
            (project.closing_date.is_none(), "closing date"),
        ]
        .into_iter()
        .filter_map(|(missing, what)| missing.then_some(what))
        .collect();
        if !missing.is_empty() {
            return Err(Outcome::Fail(format!(
                "{description} has no {}; Procore requires the start and completion dates of a project: enter them in maestro* (Project Management > Project Desc.)",
                missing.join(" and no ")
            )));
        }
        let mut fit = fit;
        let mut fields = Map::new();
        let mut put = |key: &str, value: Option<String>| {
            if let Some(v) = value {
                fields.insert(key.to_owned(), Value::String(v));
            }
        };
        put(
            "name",
            Some(fit.fit("name", &project.description, limit::NAME)),
        );
        put("project_number", Some(code.to_string()));
        put(
            "description",
            fit.fit_opt(
                "description",
                project.detailed_description.as_deref(),
                usize::MAX,
            ),
        );
        put(
            "address",
            fit.fit_opt("address", project.address.as_deref(), limit::ADDRESS),
        );
        put(
            "city",
            fit.fit_opt("city", project.city.as_deref(), limit::CITY),
        );
        put("state_code", project.province.clone());
        put(
            "country_code",
            country_code(&mut fit, project.country.as_deref()),
        );
        put("zip", project.postal_code.clone());
        put("phone", project.phone.clone());
        put("start_date", project.start_date.map(|d| d.to_string()));
        put(
            "completion_date",
            project.closing_date.map(|d| d.to_string()),
        );
        put("origin_id", Some(origin));
        fields.insert("active".into(), Value::Bool(true));
        let company = procore.company_id();
        let created: ProcoreProject = procore
            .post(
                "rest/v1.0/projects",
                &query([("company_id", company)]),
                &json!({ "company_id": company, "project": fields }),
            )
            .await
            .map_err(|e| match e {
                ProcoreError::Api {
                    status: 422,
                    ref body,
                } if body.summary().contains("origin_id") => Outcome::Retry(format!(
                    "{description} was being created by another attempt"
                )),
                e => fail::procore(&format!("creating {description} in Procore"), e),
            })?;
        Ok(synced(
            code.as_str(),
            created.id.0,
            "created_in_procore",
            description,
            fit,
        ))
    }
}

impl Handler for ProjectToProcore {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Project,
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
