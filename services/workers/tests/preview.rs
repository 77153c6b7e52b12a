//! `bridge sync preview` through the flows' own planning, against both emulators and the real
//! Postgres: each record with what would be sent, its warnings and errors, and nothing
//! written (no sync item, link or attempt; no Procore or maestro* record touched).

mod budget_support;
mod cost_support;
mod flows_support;

use bridge_domain::EntityKind;
use bridge_maestro::{self as mx, ProjectCode};
use bridge_platform::Secret;
use bridge_sandbox::procore::Kind;
use bridge_workers::Context;
use bridge_workers::flows::preview::{Preview, preview};
use bridge_workers::flows::{ClientSecrets, PgClients};
use budget_support::{PROJECT, both_sides, budget};
use flows_support::{COMPANY, Stack};
use std::sync::Arc;

/// The Procore app secret `flows_support` registers.
const PROCORE_SECRET: &str = "procore-app-secret";

async fn run(s: &Stack, kind: EntityKind, project: Option<&str>) -> Preview {
    let clients = Arc::new(PgClients::new(
        s.db.pool.clone(),
        ClientSecrets {
            maestro_key: Some(Secret::new(s.maestro.config().api_key.clone())),
            procore_client_secret: Some(Secret::new(PROCORE_SECRET.to_owned())),
        },
    ));
    let ctx = Context {
        pool: s.db.pool.clone(),
    };
    let project = project.map(|p| ProjectCode::new(p).unwrap());
    preview(&ctx, clients, s.connection_id, kind, project.as_ref())
        .await
        .unwrap()
}

/// Everything a write would change: the bridge's own rows, maestro*'s write log, and the
/// Procore records of the company and of `projects`.
async fn written(s: &Stack, projects: &[i64]) -> Vec<i64> {
    let mut counts = Vec::new();
    for table in ["sync_items", "sync_attempts", "links", "dead_letters"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&s.db.pool)
            .await
            .unwrap();
        counts.push(n);
    }
    counts.push(s.maestro.writes().len() as i64);
    for kind in [Kind::Project, Kind::Vendor, Kind::User] {
        counts.push(s.procore.count(kind, s.procore_company) as i64);
    }
    for &p in projects {
        for kind in [
            Kind::BudgetLineItem,
            Kind::DirectCost,
            Kind::DirectCostLineItem,
        ] {
            counts.push(s.procore.list_ids(kind, p).len() as i64);
        }
    }
    counts
}

fn row<'a>(p: &'a Preview, code: &str) -> &'a bridge_workers::flows::preview::Row {
    p.rows
        .iter()
        .find(|r| r.code == code)
        .unwrap_or_else(|| panic!("no row {code} in {:#?}", p.rows))
}

#[tokio::test]
async fn projects_and_suppliers_show_what_would_be_created_and_what_would_fail() {
    let s = Stack::start().await;
    let template = s.add_project("P-200", "Garage municipal de Laval");

    let addressed = mx::Project {
        code: ProjectCode::new("P-400").unwrap(),
        country: Some("Canada".into()),
        ..template.clone()
    };
    s.maestro.add_project(COMPANY, addressed).unwrap();
    let undated = mx::Project {
        code: ProjectCode::new("P-300").unwrap(),
        description: "Caserne".into(),
        closing_date: None,
        ..template
    };
    s.maestro.add_project(COMPANY, undated).unwrap();
    let mut off = s.add_supplier("BETON01", "Béton Laval inc.");
    off.code = "ACIER".into();
    off.sync = false;
    s.maestro.add_supplier(COMPANY, off).unwrap();
    let before = written(&s, &[]).await;

    let projects = run(&s, EntityKind::Project, None).await;
    let fine = row(&projects, "P-200");
    assert!(fine.sent.starts_with("new Procore project"), "{fine:?}");
    assert!(fine.errors.is_empty(), "{fine:?}");
    assert!(fine.warnings.is_empty(), "{fine:?}");
    let warned = row(&projects, "P-400");
    assert!(
        warned
            .warnings
            .iter()
            .any(|w| w.contains("country `Canada` is not a two-letter code")),
        "{warned:?}"
    );
    let failing = row(&projects, "P-300");
    assert!(
        failing
            .errors
            .iter()
            .any(|e| e.contains("has no closing date")),
        "{failing:?}"
    );
    assert!(projects.would_fail());

    let suppliers = run(&s, EntityKind::Supplier, None).await;
    let beton = row(&suppliers, "BETON01");
    assert!(beton.sent.starts_with("new Procore company"), "{beton:?}");
    assert_eq!(
        beton.payload.as_ref().unwrap()["origin_id"],
        "supplier:BETON01"
    );
    assert!(!suppliers.would_fail(), "{suppliers:#?}");
    assert!(
        suppliers.rows.iter().all(|r| r.code != "ACIER"),
        "{suppliers:#?}"
    );

    assert_eq!(
        written(&s, &[]).await,
        before,
        "the preview wrote something"
    );
}

#[tokio::test]
async fn a_budget_shows_each_line_and_an_unknown_activity_fails_it_without_writing() {
    let s = Stack::start().await;
    let p = both_sides(&s, false).await;
    budget(&s, "01-A-001", "MAT", "8500.00", "40");
    budget(&s, "01-A-002", "SST", "1250.75", "0");
    budget(&s, "01-A-002", "MAT", "0.00", "0");
    let before = written(&s, &[p.project]).await;

    let good = run(&s, EntityKind::OriginalBudget, Some(PROJECT)).await;
    assert!(!good.would_fail(), "{good:#?}");
    let sent: Vec<(&str, &str)> = good
        .rows
        .iter()
        .map(|r| (r.code.as_str(), r.sent.as_str()))
        .collect();
    assert_eq!(
        sent,
        [
            (
                "P-100 01-A-001/MAT",
                "new budget line 8,500.00 (40 m3 at 212.5)"
            ),
            ("P-100 01-A-002/SST", "new budget line 1,250.75"),
        ],
        "zero lines are left out"
    );

    s.maestro
        .add_activity(COMPANY, PROJECT, "99-Z", "Inconnue")
        .unwrap();
    budget(&s, "99-Z", "MAT", "10.00", "0");
    let bad = run(&s, EntityKind::OriginalBudget, Some(PROJECT)).await;
    assert!(bad.would_fail(), "{bad:#?}");
    let errors: Vec<&String> = bad.rows.iter().flat_map(|r| &r.errors).collect();
    assert!(errors.iter().any(|e| e.contains("99-Z")), "{errors:?}");

    assert_eq!(
        written(&s, &[p.project]).await,
        before,
        "the preview wrote something"
    );
}

#[tokio::test]
async fn costs_show_their_direct_cost_waits_and_failures_without_writing() {
    let s = Stack::start().await;
    let project = cost_support::project(&s).await;
    let linked = cost_support::cost('C', None);
    let fine = s.maestro.add_transaction(COMPANY, linked).unwrap();
    let waiting = s
        .maestro
        .add_transaction(COMPANY, cost_support::cost('1', Some("BETON01")))
        .unwrap();
    let mut nowhere = cost_support::cost('C', None);
    nowhere.lines = vec![cost_support::line(1, "77-X", "MAT", "400.00")];
    let failing = s.maestro.add_transaction(COMPANY, nowhere).unwrap();
    let mut draft = cost_support::cost('C', None);
    draft.status = mx::TransactionStatus::NotTransferred;
    let unapproved = s.maestro.add_transaction(COMPANY, draft).unwrap();
    let before = written(&s, &[project]).await;

    let costs = run(&s, EntityKind::ProjectCost, Some("P-100")).await;
    let sent = row(&costs, &fine);
    assert!(
        sent.errors.is_empty() && sent.warnings.is_empty(),
        "{sent:?}"
    );
    assert!(sent.sent.contains("direct cost"), "{sent:?}");
    assert!(sent.sent.contains("1 lines, 400.00"), "{sent:?}");
    let wait = row(&costs, &waiting);
    assert!(wait.errors.is_empty(), "{wait:?}");
    assert!(
        wait.warnings.iter().any(|w| w.contains("BETON01")),
        "{wait:?}"
    );
    let fail = row(&costs, &failing);
    assert!(fail.errors.iter().any(|e| e.contains("77-X")), "{fail:?}");
    assert!(
        costs.rows.iter().all(|r| r.code != unapproved),
        "{costs:#?}"
    );
    assert!(costs.would_fail());

    assert_eq!(
        written(&s, &[project]).await,
        before,
        "the preview wrote something"
    );
}

#[tokio::test]
async fn employees_without_an_email_would_fail_and_the_others_become_users() {
    let s = Stack::start().await;
    let employee = |number: &str, email: Option<&str>, status| mx::Employee {
        number: number.into(),
        last_name: "Tremblay".into(),
        first_name: "Julie".into(),
        alpha_code: None,
        status,
        email: email.map(str::to_owned),
        phone: None,
        city: None,
    };
    let active = mx::EmployeeStatus::Active;
    for e in [
        employee("E0042", Some("julie@boreal.example"), active),
        employee("E0043", None, active),
        employee("E0044", None, mx::EmployeeStatus::Inactive),
    ] {
        s.maestro.add_employee(COMPANY, e).unwrap();
    }
    let before = written(&s, &[]).await;

    let employees = run(&s, EntityKind::Employee, None).await;
    let user = row(&employees, "E0042");
    assert_eq!(
        user.sent,
        "new Procore user julie@boreal.example, employee id E0042"
    );
    let no_email = row(&employees, "E0043");
    assert!(
        no_email.errors[0].contains("has no email address"),
        "{no_email:?}"
    );
    assert!(employees.rows.iter().all(|r| r.code != "E0044"));
    assert!(employees.left_out.iter().any(|l| l.code == "E0044"));
    assert!(employees.would_fail());

    assert_eq!(
        written(&s, &[]).await,
        before,
        "the preview wrote something"
    );
}

#[tokio::test]
async fn order_invoices_show_a_direct_cost_or_the_wait_for_their_procore_order() {
    let s = Stack::start().await;
    let project = cost_support::project(&s).await;
    cost_support::sync(&s, EntityKind::Supplier, "BETON01").await;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 5, 10).unwrap();
    let invoice = |key: &str, external_no: Option<&str>| mx::OrderInvoice {
        transaction_id: key.to_owned(),
        invoice_no: "F-2002".to_owned(),
        order_no: format!("C-{key}"),
        order_external_no: external_no.map(str::to_owned),
        project: ProjectCode::new("P-100").unwrap(),
        supplier_code: "BETON01".to_owned(),
        invoice_date: day,
        accounting_date: day,
        status: mx::TransactionStatus::Transferred,
        amount: cost_support::amount("1250.00"),
        lines: vec![cost_support::line(1, "01-A-002", "MAT", "1250.00")],
    };
    s.maestro
        .add_order_invoice(COMPANY, invoice("9001", None))
        .unwrap();
    s.maestro
        .add_order_invoice(COMPANY, invoice("9002", Some("PO-77")))
        .unwrap();
    let before = written(&s, &[project]).await;

    let invoices = run(&s, EntityKind::OrderInvoice, Some("P-100")).await;
    let direct = row(&invoices, "9001");
    assert_eq!(
        direct.sent,
        "invoice direct cost of 2026-05-10, invoice F-2002, 1 lines, 1,250.00"
    );
    let waits = row(&invoices, "9002");
    assert!(
        waits.warnings.iter().any(|w| w.contains("PO-77")),
        "{waits:?}"
    );
    assert!(!invoices.would_fail(), "{invoices:#?}");

    assert_eq!(
        written(&s, &[project]).await,
        before,
        "the preview wrote something"
    );
}
