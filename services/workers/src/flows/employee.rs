//! Employees, maestro* → Procore (creation only): an active maestro* employee becomes a Procore
//! company user with `is_employee` and `employee_id` = the maestro* number, or is linked to the
//! user that already carries that employee id. The link lets payroll costs name the employee.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::links;
use crate::flows::text::Fitter;
use crate::outcome::{Outcome, SyncedLink};
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{EmployeeFilter, EmployeeStatus};
use bridge_procore::models::CompanyUser;
use bridge_procore::{Client, Error as ProcoreError};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use std::sync::Arc;

fn users_path(client: &Client) -> String {
    format!("rest/v1.0/companies/{}/users", client.company_id())
}

fn synced(
    number: &str,
    id: i64,
    origin: &'static str,
    description: String,
    fit: Fitter,
) -> Outcome {
    Outcome::Synced {
        link: Some(SyncedLink {
            maestro_key: number.to_owned(),
            procore_id: id,
            procore_project_id: None,
            origin,
        }),
        description: Some(description),
        notes: fit.into_notes(),
    }
}

/// maestro* employee → Procore company user.
pub struct EmployeeToProcore {
    clients: Arc<dyn Clients>,
}

impl EmployeeToProcore {
    pub fn new(clients: Arc<dyn Clients>) -> Self {
        EmployeeToProcore { clients }
    }

    async fn run(&self, ctx: &Context, event: &ChangeEvent) -> Step<Outcome> {
        let connection = event.connection_id;
        let number = event.record.trim();
        let maestro = self
            .clients
            .maestro(connection)
            .await
            .map_err(fail::setup)?;
        let employee = maestro
            .employees(&EmployeeFilter::default())
            .await
            .map_err(|e| fail::maestro(&format!("reading employee {number}"), e))?
            .into_iter()
            .find(|e| e.number == number);
        let Some(employee) = employee else {
            return Ok(Outcome::Skipped {
                reason: format!("employee {number} no longer exists in maestro*; nothing to send"),
                description: None,
            });
        };
        let full_name = format!(
            "{} {}",
            employee.first_name.trim(),
            employee.last_name.trim()
        );
        let description = format!("employee {number} ({})", full_name.trim());
        if employee.status != EmployeeStatus::Active {
            return Ok(Outcome::Skipped {
                reason: format!(
                    "{description} is not active in maestro* ({:?}); only active employees become Procore users",
                    employee.status
                ),
                description: Some(description),
            });
        }
        if let Some(existing) =
            links::by_maestro_key(&ctx.pool, connection, EntityKind::Employee, number).await?
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
        let path = users_path(&procore);
        let users: Vec<CompanyUser> = procore
            .list_all(&path, Vec::new(), 300)
            .await
            .map_err(|e| fail::procore("listing the Procore company users", e))?;
        if let Some(user) = users
            .iter()
            .find(|u| u.employee_id.as_deref().map(str::trim) == Some(number))
        {
            links::ensure_unlinked(
                &ctx.pool,
                connection,
                EntityKind::Employee,
                user.id.0,
                number,
                &description,
            )
            .await?;
            return Ok(synced(
                number,
                user.id.0,
                "linked_by_code",
                description,
                fit,
            ));
        }
        let origin = format!("employee:{number}");
        if let Some(user) = users
            .iter()
            .find(|u| u.origin_id.as_deref() == Some(&origin))
        {
            return Ok(synced(
                number,
                user.id.0,
                "created_in_procore",
                description,
                fit,
            ));
        }
        let Some(email) = employee
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        else {
            return Err(Outcome::Fail(format!(
                "{description} has no email address in maestro*; Procore needs one to create a user"
            )));
        };
        let mut fields = Map::new();
        let mut put = |key: &str, value: Option<&str>| {
            if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
                fields.insert(key.to_owned(), Value::String(v.to_owned()));
            }
        };
        put("first_name", Some(&employee.first_name));
        put("last_name", Some(&employee.last_name));
        put("email_address", Some(email));
        put("employee_id", Some(number));
        put("business_phone", employee.phone.as_deref());
        put("city", employee.city.as_deref());
        put("origin_id", Some(&origin));
        fields.insert("is_employee".into(), Value::Bool(true));
        let created: CompanyUser = procore
            .post(&path, &[], &json!({ "user": fields }))
            .await
            .map_err(|e| match e {
                ProcoreError::Api {
                    status: 422,
                    ref body,
                } if body.summary().contains("origin_id") => Outcome::Retry(format!(
                    "{description} was being created by another attempt"
                )),
                e => fail::procore(&format!("creating {description} as a Procore user"), e),
            })?;
        Ok(synced(
            number,
            created.id.0,
            "created_in_procore",
            description,
            fit,
        ))
    }
}

impl Handler for EmployeeToProcore {
    fn route(&self) -> Route {
        Route {
            kind: EntityKind::Employee,
            direction: Direction::ToProcore,
        }
    }

    fn handle<'a>(&'a self, ctx: &'a Context, event: &'a ChangeEvent) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { fail::settle(self.run(ctx, event).await) })
    }
}
