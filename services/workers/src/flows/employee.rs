//! Employees, maestro* → Procore (creation only): an active maestro* employee becomes a Procore
//! company user with `is_employee` and `employee_id` = the maestro* number, or is linked to the
//! user that already carries that employee id. The link lets payroll costs name the employee.

use crate::engine::{Context, Handler};
use crate::flows::clients::Clients;
use crate::flows::create_once::Once;
use crate::flows::fail::{self, Step};
use crate::outcome::Outcome;
use bridge_domain::{ChangeEvent, Direction, EntityKind, Route};
use bridge_maestro::{Employee, EmployeeFilter, EmployeeStatus};
use bridge_procore::models::CompanyUser;
use bridge_procore::writes::NewCompanyUser;
use futures::future::BoxFuture;
use std::sync::Arc;

/// The Procore user a maestro* employee becomes, or why it cannot be one yet.
pub(crate) fn new_user(employee: &Employee, description: &str) -> Result<NewCompanyUser, String> {
    let text = |v: Option<&str>| {
        v.map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let Some(email) = text(employee.email.as_deref()) else {
        return Err(format!(
            "{description} has no email address in maestro*; Procore needs one to create a user"
        ));
    };
    Ok(NewCompanyUser {
        first_name: text(Some(&employee.first_name)),
        last_name: text(Some(&employee.last_name)),
        email_address: Some(email),
        business_phone: text(employee.phone.as_deref()),
        city: text(employee.city.as_deref()),
        is_employee: Some(true),
        employee_id: Some(employee.number.trim().to_owned()),
        origin_id: Some(format!("employee:{}", employee.number.trim())),
    })
}

/// Why a maestro* employee is not sent at all, in words that follow its description; shared
/// by the flow and the preview.
pub(crate) fn not_sent(employee: &Employee) -> Option<String> {
    (employee.status != EmployeeStatus::Active).then(|| {
        format!(
            " is not active in maestro* ({:?}); only active employees become Procore users",
            employee.status
        )
    })
}

/// `employee 0042 (Julie Tremblay)`: how messages name an employee.
pub(crate) fn describe(employee: &Employee) -> String {
    let full_name = format!(
        "{} {}",
        employee.first_name.trim(),
        employee.last_name.trim()
    );
    format!("employee {} ({})", employee.number.trim(), full_name.trim())
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
        let description = describe(&employee);
        if let Some(why) = not_sent(&employee) {
            return Ok(Outcome::Skipped {
                reason: format!("{description}{why}"),
                description: Some(description),
            });
        }
        let once = Once::new(ctx, event, EntityKind::Employee, description.clone());
        once.unless_linked_in_maestro(number).await?;
        let procore = self
            .clients
            .procore(connection)
            .await
            .map_err(fail::setup)?;
        // One listing answers both lookups: by employee id and by origin.
        let users: Vec<CompanyUser> = procore
            .company_users()
            .await
            .map_err(|e| fail::procore("listing the Procore company users", e))?;
        let origin = format!("employee:{number}");
        let find = |matches: &dyn Fn(&CompanyUser) -> bool| {
            users.iter().find(|u| matches(u)).map(|u| u.id.0)
        };
        once.into_procore(
            number,
            async || {
                let same =
                    |u: &CompanyUser| u.employee_id.as_deref().map(str::trim) == Some(number);
                Ok(find(&same).map(|id| (id, Vec::new())))
            },
            async || {
                Ok(find(&|u: &CompanyUser| {
                    u.origin_id.as_deref() == Some(&origin)
                }))
            },
            async || {
                let user = new_user(&employee, &description).map_err(Outcome::Fail)?;
                let created = procore.create_company_user(&user).await;
                Ok(created.map(|u| (u.id.0, Vec::new())))
            },
        )
        .await
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_employee_becomes_a_user_marked_as_employee_or_is_refused_without_email() {
        let mut employee = Employee {
            number: "E0042".into(),
            last_name: "Tremblay".into(),
            first_name: "Julie".into(),
            alpha_code: None,
            status: EmployeeStatus::Active,
            email: Some(" julie@boreal.example ".into()),
            phone: Some(" ".into()),
            city: None,
        };
        let user = new_user(&employee, "employee E0042").unwrap();
        assert_eq!(user.email_address.as_deref(), Some("julie@boreal.example"));
        assert_eq!(user.employee_id.as_deref(), Some("E0042"));
        assert_eq!(user.origin_id.as_deref(), Some("employee:E0042"));
        assert_eq!((user.is_employee, user.business_phone), (Some(true), None));
        employee.email = None;
        let why = new_user(&employee, "employee E0042").unwrap_err();
        assert!(
            why.starts_with("employee E0042 has no email address"),
            "{why}"
        );
    }
}
