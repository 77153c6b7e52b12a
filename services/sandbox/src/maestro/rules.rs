//! What maestro* refuses: field lengths (docs/rules.md and the contract), mandatory fields, unknown
//! references. Each check names the record and the field in words a user understands.

use super::reject::Reject;
use super::store::CompanyData;
use bridge_maestro::{self as mx, BillingLine, CostLine, Quantity, RejectCode, limits};

/// `value` must be at most `limit` characters.
pub fn len(record: &str, field: &str, value: &str, limit: usize) -> Result<(), Reject> {
    let count = value.chars().count();
    if count > limit {
        return Err(Reject::too_long(record, field, count, limit));
    }
    Ok(())
}

pub fn opt_len(record: &str, field: &str, value: Option<&str>, limit: usize) -> Result<(), Reject> {
    value.map_or(Ok(()), |v| len(record, field, v, limit))
}

/// `value` must be present (not blank) and at most `limit` characters.
pub fn required(record: &str, field: &str, value: &str, limit: usize) -> Result<(), Reject> {
    if value.trim().is_empty() {
        return Err(Reject::required(record, field));
    }
    len(record, field, value, limit)
}

/// A supplier, customer or employee code: mandatory, at most 10, no spaces.
pub fn code(record: &str, field: &str, value: &str, limit: usize) -> Result<(), Reject> {
    required(record, field, value, limit)?;
    if value.chars().any(char::is_whitespace) {
        return Err(Reject::new(
            RejectCode::InvalidCode,
            format!("{record}: {field} `{value}` contains a space."),
        )
        .field(field));
    }
    Ok(())
}

/// A percentage between 0 and 100.
pub fn percent(record: &str, field: &str, value: Option<Quantity>) -> Result<(), Reject> {
    match value {
        Some(p) if p < Quantity::ZERO || p > Quantity::from_whole(100) => Err(Reject::new(
            RejectCode::InvalidValue,
            format!("{record}: {field} must be between 0 and 100, not {p}."),
        )
        .field(field)),
        _ => Ok(()),
    }
}

/// The address block shared by projects, suppliers and customers.
pub struct AddressFields<'a> {
    pub address: (Option<&'a str>, usize),
    pub city: Option<&'a str>,
    pub province: Option<&'a str>,
    pub country: Option<&'a str>,
    pub postal_code: Option<&'a str>,
    pub phone: Option<&'a str>,
}

pub fn address(record: &str, a: &AddressFields<'_>) -> Result<(), Reject> {
    opt_len(record, "Address", a.address.0, a.address.1)?;
    opt_len(record, "City", a.city, limits::CITY)?;
    opt_len(record, "Province", a.province, limits::PROVINCE)?;
    opt_len(record, "Country", a.country, limits::COUNTRY)?;
    opt_len(record, "PostalCode", a.postal_code, limits::POSTAL_CODE)?;
    opt_len(record, "Phone", a.phone, limits::PHONE)
}

pub fn project<'a>(
    data: &'a CompanyData,
    record: &str,
    code: &str,
) -> Result<&'a mx::Project, Reject> {
    data.projects.get(code).ok_or_else(|| {
        Reject::new(
            RejectCode::UnknownProject,
            format!("{record}: project {code} does not exist in maestro*."),
        )
        .field("Project")
    })
}

pub fn supplier(data: &CompanyData, record: &str, code: &str) -> Result<(), Reject> {
    if data.suppliers.contains_key(code) {
        return Ok(());
    }
    Err(Reject::new(
        RejectCode::UnknownSupplier,
        format!("{record}: supplier {code} does not exist in maestro*; the supplier must exist in maestro*."),
    )
    .field("SupplierCode"))
}

pub fn customer(data: &CompanyData, record: &str, code: &str) -> Result<(), Reject> {
    if data.customers.contains_key(code) {
        return Ok(());
    }
    Err(Reject::new(
        RejectCode::UnknownCustomer,
        format!("{record}: customer {code} does not exist in maestro*; the customer must exist in maestro*."),
    )
    .field("CustomerCode"))
}

fn activity(data: &CompanyData, record: &str, project: &str, activity: &str) -> Result<(), Reject> {
    if data.has_activity(project, activity) {
        return Ok(());
    }
    Err(Reject::new(
        RejectCode::UnknownActivity,
        format!("{record}: activity {activity} does not exist on project {project}."),
    )
    .field("Activity"))
}

fn group(data: &CompanyData, record: &str, group: &str) -> Result<(), Reject> {
    if data.groups.contains_key(group) {
        return Ok(());
    }
    Err(Reject::new(
        RejectCode::UnknownGroup,
        format!("{record}: group {group} does not exist in maestro*."),
    )
    .field("Group"))
}

/// Cost-breakdown lines: known activity on the project, known group, field lengths.
pub fn cost_lines(
    data: &CompanyData,
    record: &str,
    project: &str,
    lines: &[CostLine],
) -> Result<(), Reject> {
    for line in lines {
        let label = format!("{record}, line {}", line.line_no);
        activity(data, &label, project, &line.activity)?;
        group(data, &label, &line.group)?;
        opt_len(
            &label,
            "Description",
            line.description.as_deref(),
            limits::SHORT_DESCRIPTION,
        )?;
        opt_len(&label, "Unit", line.unit.as_deref(), limits::UNIT)?;
    }
    Ok(())
}

pub fn billing_lines(
    data: &CompanyData,
    record: &str,
    project: &str,
    lines: &[BillingLine],
) -> Result<(), Reject> {
    for line in lines {
        let label = format!("{record}, line {}", line.line_no);
        activity(data, &label, project, &line.activity)?;
        opt_len(&label, "Unit", line.unit.as_deref(), limits::UNIT)?;
    }
    Ok(())
}

/// Budget modification lines name a known activity and group.
pub fn budget_reference(
    data: &CompanyData,
    project: &str,
    activity_code: &str,
    group_code: &str,
) -> Result<(), Reject> {
    let record = format!("Budget of project {project}");
    activity(data, &record, project, activity_code)?;
    group(data, &record, group_code)
}
