//! Valid sample documents, built from typed records, for the parser tests.

use bridge_maestro::wire::{
    self, CompanyList, OrderList, PageInfo, ProjectList, Response, TransactionList, WireError,
};
use bridge_maestro::*;
use chrono::NaiveDate;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

pub fn project() -> Project {
    Project {
        code: ProjectCode::new("P-1001").expect("code"),
        description: "Centre sportif Laval".to_owned(),
        detailed_description: Some("Phase 2 & <annexe>".to_owned()),
        address: Some("1200 boul. Saint-Martin".to_owned()),
        city: Some("Laval".to_owned()),
        province: Some("QC".to_owned()),
        country: Some("CA".to_owned()),
        postal_code: Some("H7S 1M2".to_owned()),
        phone: None,
        start_date: Some(date(2026, 3, 1)),
        closing_date: Some(date(2027, 6, 30)),
        active: true,
        prefix: Some("01".to_owned()),
        master_project: None,
        customer_code: Some("C-VILLE".to_owned()),
        procore: ProcoreTab {
            sync: true,
            last_transaction_date: Some(date(2026, 4, 30)),
            transaction_start_date: None,
            ignore_last_sync: false,
        },
    }
}

pub fn transaction() -> Transaction {
    Transaction {
        id: "P-1001-0001".to_owned(),
        project: ProjectCode::new("P-1001").expect("code"),
        type_code: TypeCode::INTERCO_PROJECT_PURCHASE,
        status: TransactionStatus::Transferred,
        approved: true,
        entry_date: date(2026, 5, 2),
        accounting_date: date(2026, 5, 3),
        description: Some("Béton".to_owned()),
        supplier_code: Some("BETON01".to_owned()),
        employee_number: None,
        invoice_no: Some("F-88".to_owned()),
        order_no: None,
        amount: "1250.40".parse().expect("amount"),
        lines: vec![CostLine {
            line_no: 1,
            activity: "01-A-001".to_owned(),
            group: "MAT".to_owned(),
            description: None,
            quantity: Some("12.5".parse().expect("qty")),
            unit: Some("m3".to_owned()),
            unit_price: Some("100.03".parse().expect("price")),
            amount: "1250.40".parse().expect("amount"),
        }],
    }
}

pub fn order() -> Order {
    Order {
        number: "000042".to_owned(),
        kind: OrderKind::Stock,
        external_no: "PO-7".to_owned(),
        project: ProjectCode::new("P-1001").expect("code"),
        supplier_code: "BETON01".to_owned(),
        order_date: date(2026, 5, 1),
        delivery_date: None,
        memo: Some("Concrete - level 2".to_owned()),
        holdback_percent: Some("10".parse().expect("pct")),
        lines: transaction().lines,
    }
}

/// One valid document of each shape the client reads.
pub fn valid_documents() -> Vec<String> {
    let page = Some(PageInfo {
        number: 1,
        size: 100,
        total: 1,
        pages: 1,
    });
    let mut docs = Vec::new();
    let mut r = Response::ok();
    r.page = page;
    r.projects = Some(ProjectList {
        items: vec![project(), project()],
    });
    docs.push(r);
    let mut r = Response::ok();
    r.page = page;
    r.transactions = Some(TransactionList {
        items: vec![transaction()],
    });
    docs.push(r);
    let mut r = Response::ok();
    r.orders = Some(OrderList {
        items: vec![order()],
    });
    docs.push(r);
    let mut r = Response::ok();
    r.page = page;
    r.companies = Some(CompanyList {
        items: vec![Company {
            code: "DEMO".to_owned(),
            name: "Construction Démo".to_owned(),
            class: CompanyClass::Test,
            multidimensional: true,
            numbering_configured: true,
        }],
    });
    docs.push(r);
    docs.push(Response::error(WireError {
        code: "FIELD_TOO_LONG".to_owned(),
        field: Some("Address".to_owned()),
        limit: Some(40),
        existing: None,
        message: "Address is 52 characters".to_owned(),
    }));
    docs.into_iter()
        .map(|r| wire::to_document(&r, wire::ROOT).expect("serializes"))
        .collect()
}
