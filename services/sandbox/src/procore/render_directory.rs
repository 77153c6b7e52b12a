//! The Show shapes of directory records: projects, companies (vendors) and users, with the
//! read-only fields Procore derives (display name, estimated dates, nested company).

use serde_json::{Map, Value, json};

use super::render::{copy, money, named};
use super::store::{Kind, Row, Store};

pub(super) fn project(store: &Store, row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "name",
            "project_number",
            "description",
            "address",
            "city",
            "state_code",
            "country_code",
            "zip",
            "phone",
            "active",
            "start_date",
            "completion_date",
            "origin_code",
            "public_notes",
            "square_feet",
            "time_zone",
            "flag",
        ],
    );
    let name = row.str("name").unwrap_or_default();
    let display = match row.str("project_number") {
        Some(n) if !n.is_empty() => format!("{n} - {name}"),
        _ => name.to_string(),
    };
    out.insert("display_name".into(), json!(display));
    out.insert("total_value".into(), money(row.f64("total_value")));
    out.insert("estimated_value".into(), money(row.f64("total_value")));
    out.insert(
        "estimated_start_date".into(),
        row.fields.get("start_date").cloned().unwrap_or(Value::Null),
    );
    out.insert(
        "estimated_completion_date".into(),
        row.fields
            .get("completion_date")
            .cloned()
            .unwrap_or(Value::Null),
    );
    out.insert("is_erp_integrated".into(), json!(false));
    out.insert("is_demo".into(), json!(false));
    let company = store
        .companies
        .get(&row.company_id)
        .cloned()
        .unwrap_or_default();
    out.insert(
        "company".into(),
        json!({ "id": row.company_id, "name": company }),
    );
}

pub(super) fn vendor(row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "name",
            "abbreviated_name",
            "address",
            "city",
            "state_code",
            "country_code",
            "zip",
            "business_phone",
            "mobile_phone",
            "fax_number",
            "email_address",
            "website",
            "license_number",
            "is_active",
            "authorized_bidder",
            "prequalified",
            "union_member",
            "notes",
            "trade_name",
            "origin_code",
        ],
    );
    out.insert(
        "company".into(),
        row.fields.get("name").cloned().unwrap_or(Value::Null),
    );
    out.insert(
        "legal_name".into(),
        row.fields.get("name").cloned().unwrap_or(Value::Null),
    );
    out.insert(
        "parent".into(),
        row.i64("parent_id")
            .map_or(Value::Null, |id| json!({ "id": id })),
    );
    out.insert("synced_to_erp".into(), json!(row.origin_id().is_some()));
}

pub(super) fn user(store: &Store, row: &Row, out: &mut Map<String, Value>) {
    copy(
        out,
        row,
        &[
            "first_name",
            "last_name",
            "email_address",
            "job_title",
            "address",
            "city",
            "zip",
            "state_code",
            "country_code",
            "business_phone",
            "mobile_phone",
            "is_active",
            "is_employee",
            "employee_id",
            "initials",
            "notes",
        ],
    );
    let name = format!(
        "{} {}",
        row.str("first_name").unwrap_or_default(),
        row.str("last_name").unwrap_or_default()
    );
    out.insert("name".into(), json!(name.trim()));
    out.insert(
        "vendor".into(),
        named(store, Kind::Vendor, row.i64("vendor_id"), "name"),
    );
}
