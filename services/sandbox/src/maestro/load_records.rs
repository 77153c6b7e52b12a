//! How each seed record reads as a maestro* record: projects with their Procore sub-tab,
//! suppliers, customers, employees, groups, transactions and cost lines.

use crate::seed;
use anyhow::Context;
use bridge_maestro::{self as mx, Amount, ProjectCode, Quantity, limits};

/// A seed quantity with the four decimals maestro* keeps.
pub(super) fn quantity(value: f64) -> Quantity {
    // Seed quantities are small (hours, units), far from overflowing.
    Quantity::from_units((value * 10_000.0).round() as i64)
}

/// Keeps the first `limit` characters: the seed holds Procore-length values in places.
pub(super) fn cut(value: &str, limit: usize) -> String {
    value.chars().take(limit).collect()
}

pub(super) fn group_type(kind: seed::CostKind) -> mx::GroupType {
    match kind {
        seed::CostKind::Material => mx::GroupType::Material,
        seed::CostKind::Subcontractor => mx::GroupType::Subcontractor,
        seed::CostKind::Miscellaneous => mx::GroupType::Miscellaneous,
        seed::CostKind::Equipment => mx::GroupType::Equipment,
        seed::CostKind::Labour => mx::GroupType::Labour,
    }
}

pub(super) fn cost_line(line_no: usize, l: &seed::ContractLine) -> mx::CostLine {
    mx::CostLine {
        line_no: u32::try_from(line_no + 1).unwrap_or(u32::MAX),
        activity: l.activity.clone(),
        group: l.group.clone(),
        description: Some(cut(&l.description, limits::SHORT_DESCRIPTION)),
        quantity: Some(quantity(l.quantity)),
        unit: Some(cut(&l.unit, limits::UNIT)),
        unit_price: Some(Amount::from_units(l.unit_cost_cents)),
        amount: Amount::from_units(l.amount_cents),
    }
}

pub(super) fn project(
    p: &seed::Project,
    last: Option<chrono::NaiveDate>,
) -> anyhow::Result<mx::Project> {
    let code =
        ProjectCode::new(p.number.clone()).with_context(|| format!("seed project {}", p.number))?;
    Ok(mx::Project {
        code,
        description: cut(&p.name, limits::PROJECT_DESCRIPTION),
        detailed_description: Some(cut(&p.description, limits::DETAILED_DESCRIPTION)),
        address: Some(cut(&p.address, limits::PROJECT_ADDRESS)),
        city: Some(cut(&p.city, limits::CITY)),
        province: Some(p.province.clone()),
        country: Some(p.country.clone()),
        postal_code: Some(p.postal_code.clone()),
        phone: Some(p.phone.clone()),
        start_date: p.dated.then_some(p.start_date),
        closing_date: p.dated.then_some(p.closing_date),
        active: p.active,
        prefix: None,
        master_project: None,
        customer_code: (!p.customer_code.is_empty()).then(|| p.customer_code.clone()),
        procore: mx::ProcoreTab {
            sync: p.sync_with_procore,
            last_transaction_date: last,
            transaction_start_date: None,
            ignore_last_sync: false,
        },
    })
}

pub(super) fn party_fields(a: &seed::Address) -> [Option<String>; 6] {
    [
        Some(cut(&a.street, limits::PARTY_ADDRESS)),
        Some(cut(&a.city, limits::CITY)),
        Some(cut(&a.province, limits::PROVINCE)),
        Some(cut(&a.postal_code, limits::POSTAL_CODE)),
        Some(cut(&a.country, limits::COUNTRY)),
        Some(cut(&a.phone, limits::PHONE)),
    ]
}

pub(super) fn supplier(s: &seed::Supplier) -> mx::Supplier {
    let [address, city, province, postal_code, country, phone] = party_fields(&s.address);
    // maestro* keeps the RBQ number's 10 digits; the seed writes it with dashes.
    let rbq: String = s
        .license_number
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    mx::Supplier {
        code: s.code.clone(),
        name: cut(&s.name, limits::PARTY_NAME),
        address,
        city,
        province,
        postal_code,
        country,
        phone,
        fax: None,
        email: Some(cut(&s.email, limits::EMAIL)),
        rbq_number: Some(cut(&rbq, limits::RBQ_NUMBER)),
        active: s.active,
        sync: s.sync_with_procore,
    }
}

pub(super) fn customer(c: &seed::Customer) -> mx::Customer {
    let [address, city, province, postal_code, country, phone] = party_fields(&c.address);
    mx::Customer {
        code: c.code.clone(),
        name: cut(&c.name, limits::PARTY_NAME),
        address,
        city,
        province,
        postal_code,
        country,
        phone,
        fax: None,
        email: None,
        rbq_number: None,
        status: if c.active {
            mx::CustomerStatus::Active
        } else {
            mx::CustomerStatus::Blocked
        },
        sync: c.sync_with_procore,
    }
}

pub(super) fn employee(e: &seed::Employee) -> mx::Employee {
    mx::Employee {
        number: e.code.clone(),
        last_name: cut(&e.last_name, limits::PERSON_NAME),
        first_name: cut(&e.first_name, limits::PERSON_NAME),
        alpha_code: None,
        status: if e.active {
            mx::EmployeeStatus::Active
        } else {
            mx::EmployeeStatus::Inactive
        },
        email: Some(cut(&e.email, limits::EMAIL)),
        phone: None,
        city: None,
    }
}

pub(super) fn transaction(
    t: &seed::Transaction,
    code: &ProjectCode,
) -> anyhow::Result<mx::Transaction> {
    let type_code = mx::TypeCode::try_from(t.type_code.clone()).map_err(anyhow::Error::msg)?;
    let (status, approved) = match t.status {
        seed::TransactionStatus::Entered => (mx::TransactionStatus::NotTransferred, false),
        seed::TransactionStatus::Approved => (mx::TransactionStatus::NotTransferred, true),
        seed::TransactionStatus::Transferred => (mx::TransactionStatus::Transferred, true),
    };
    let amount = Amount::from_units(t.amount_cents);
    Ok(mx::Transaction {
        id: t.key.clone(),
        project: code.clone(),
        type_code,
        status,
        approved,
        entry_date: t.accounting_date,
        accounting_date: t.accounting_date,
        description: Some(cut(&t.description, limits::SHORT_DESCRIPTION)),
        supplier_code: t.supplier_code.clone(),
        employee_number: t.employee_code.clone(),
        invoice_no: t.invoice_number.clone(),
        order_no: None,
        amount,
        lines: vec![mx::CostLine {
            line_no: 1,
            activity: t.activity.clone(),
            group: t.group.clone(),
            description: None,
            quantity: t.quantity.map(quantity),
            unit: t.quantity.map(|_| "h".to_owned()),
            unit_price: None,
            amount,
        }],
    })
}
