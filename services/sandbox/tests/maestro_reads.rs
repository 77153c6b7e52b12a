//! The client reads the seeded company back from the emulator over HTTP, with the fields the
//! poller decides eligibility on.

mod maestro_support;

use bridge_maestro::{
    CompanyClass, CustomerStatus, EmployeeFilter, EmployeeStatus, MaestroApi, PartyFilter,
    ProjectCode, ProjectFilter, TransactionFilter, TransactionStatus, TypeCode,
};
use bridge_sandbox::seed;
use maestro_support::start_seeded;
use std::collections::BTreeSet;

#[tokio::test]
async fn projects_come_back_with_their_eligibility_fields() {
    let (running, company) = start_seeded().await;
    let client = running.client(&company.code);

    let all = client
        .projects(&ProjectFilter::default())
        .await
        .expect("projects");
    assert_eq!(all.len(), company.projects.len());
    for seeded in &company.projects {
        let read = all
            .iter()
            .find(|p| p.code.as_str() == seeded.number)
            .expect("seeded project read back");
        assert_eq!(read.description, seeded.name);
        assert_eq!(read.active, seeded.active, "{}", seeded.number);
        assert_eq!(
            read.procore.sync, seeded.sync_with_procore,
            "{}",
            seeded.number
        );
        assert_eq!(read.start_date, Some(seeded.start_date));
        assert!(
            read.address
                .as_ref()
                .is_some_and(|a| a.chars().count() <= 40)
        );
    }

    let eligible = client
        .projects(&ProjectFilter::eligible(None))
        .await
        .expect("eligible");
    let expected: BTreeSet<&str> = company
        .projects
        .iter()
        .filter(|p| p.active && p.sync_with_procore)
        .map(|p| p.number.as_str())
        .collect();
    let got: BTreeSet<&str> = eligible.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(got, expected);

    let one = &company.projects[0];
    let code = ProjectCode::new(one.number.clone()).expect("code");
    let read = client.project(&code).await.expect("read").expect("exists");
    assert_eq!(read.code, code);
    let missing = ProjectCode::new("NOPE").expect("code");
    assert_eq!(client.project(&missing).await.expect("read"), None);
}

#[tokio::test]
async fn suppliers_customers_and_employees_carry_active_and_sync_flags() {
    let (running, company) = start_seeded().await;
    let client = running.client(&company.code);

    let suppliers = client
        .suppliers(&PartyFilter::default())
        .await
        .expect("suppliers");
    assert_eq!(suppliers.len(), company.suppliers.len());
    for s in &company.suppliers {
        let read = suppliers
            .iter()
            .find(|r| r.code == s.code)
            .expect("supplier read back");
        assert_eq!(
            (read.active, read.sync),
            (s.active, s.sync_with_procore),
            "{}",
            s.code
        );
        assert!(read.name.chars().count() <= 60, "{}", read.name);
        assert!(read.rbq_number.as_ref().is_some_and(|n| n.len() <= 10));
    }
    let eligible = client
        .suppliers(&PartyFilter::eligible())
        .await
        .expect("eligible suppliers");
    let expected = company
        .suppliers
        .iter()
        .filter(|s| s.active && s.sync_with_procore)
        .count();
    assert_eq!(eligible.len(), expected);
    assert!(eligible.iter().all(|s| s.active && s.sync));

    let customers = client
        .customers(&PartyFilter::eligible())
        .await
        .expect("customers");
    let expected = company
        .customers
        .iter()
        .filter(|c| c.active && c.sync_with_procore)
        .count();
    assert_eq!(customers.len(), expected);
    assert!(
        customers
            .iter()
            .all(|c| c.status == CustomerStatus::Active && c.sync)
    );

    let active = client
        .employees(&EmployeeFilter { active: Some(true) })
        .await
        .expect("employees");
    assert_eq!(
        active.len(),
        company.employees.iter().filter(|e| e.active).count()
    );
    assert!(active.iter().all(|e| e.status == EmployeeStatus::Active));
}

#[tokio::test]
async fn groups_activities_and_budget_lines_match_the_seed() {
    let (running, company) = start_seeded().await;
    let client = running.client(&company.code);

    let groups = client.groups().await.expect("groups");
    let codes: BTreeSet<String> = groups.into_iter().map(|g| g.code).collect();
    let seeded: BTreeSet<String> = company.cost_types.iter().map(|t| t.code.clone()).collect();
    assert_eq!(codes, seeded);

    let project = &company.projects[0];
    let code = ProjectCode::new(project.number.clone()).expect("code");
    let activities = client.activities(&code).await.expect("activities");
    assert_eq!(activities.len(), company.cost_codes.len());

    let lines = client.budget_lines(&code).await.expect("budget lines");
    let seeded: Vec<&seed::BudgetLine> = company
        .budget_lines
        .iter()
        .filter(|l| l.project_number == project.number)
        .collect();
    assert_eq!(lines.len(), seeded.len());
    for s in seeded {
        let read = lines
            .iter()
            .find(|l| l.activity == s.activity && l.group == s.group)
            .expect("budget line read back");
        assert_eq!(read.budget_amount.units(), s.amount_cents);
        assert_eq!(read.modification_amount.units(), 0);
    }
}

#[tokio::test]
async fn eligible_transactions_are_approved_transferred_and_after_the_cursor() {
    let (running, company) = start_seeded().await;
    let client = running.client(&company.code);
    let project = company
        .projects
        .iter()
        .find(|p| {
            company
                .transactions
                .iter()
                .any(|t| t.project_number == p.number && t.in_procore)
        })
        .expect("a project with transactions already in Procore");
    let code = ProjectCode::new(project.number.clone()).expect("code");
    let read = client.project(&code).await.expect("read").expect("exists");
    let cursor = read
        .procore
        .last_transaction_date
        .expect("cursor set from the seed");

    let eligible = client
        .transactions(&TransactionFilter::eligible_for(&read))
        .await
        .expect("transactions");
    let expected: BTreeSet<&str> = company
        .transactions
        .iter()
        .filter(|t| t.project_number == project.number)
        .filter(|t| t.status == seed::TransactionStatus::Transferred && t.accounting_date > cursor)
        .map(|t| t.key.as_str())
        .collect();
    let got: BTreeSet<&str> = eligible.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(got, expected);
    assert!(
        eligible
            .iter()
            .all(|t| t.is_eligible() && t.accounting_date > cursor)
    );

    let everything = TransactionFilter {
        project: Some(code.clone()),
        ..TransactionFilter::default()
    };
    let all = client
        .transactions(&everything)
        .await
        .expect("all transactions");
    assert_eq!(
        all.len(),
        company
            .transactions
            .iter()
            .filter(|t| t.project_number == project.number)
            .count()
    );
    let not_eligible = all
        .iter()
        .filter(|t| t.status == TransactionStatus::NotTransferred || !t.approved)
        .count();
    let seeded_not_transferred = company
        .transactions
        .iter()
        .filter(|t| {
            t.project_number == project.number && t.status != seed::TransactionStatus::Transferred
        })
        .count();
    assert_eq!(not_eligible, seeded_not_transferred);

    let only_hours = TransactionFilter {
        types: vec![TypeCode::HOURS_LABOUR],
        ..everything
    };
    let hours = client.transactions(&only_hours).await.expect("hours");
    assert!(hours.iter().all(|t| t.type_code == TypeCode::HOURS_LABOUR));
    assert_eq!(
        hours.len(),
        all.iter()
            .filter(|t| t.type_code == TypeCode::HOURS_LABOUR)
            .count()
    );
}

#[tokio::test]
async fn order_invoices_and_commitments_from_procore_are_visible() {
    let (running, company) = start_seeded().await;
    let client = running.client(&company.code);
    let invoices = client
        .order_invoices(&TransactionFilter::default())
        .await
        .expect("invoices");
    let type7 = company
        .transactions
        .iter()
        .filter(|t| t.type_code == "7")
        .count();
    assert_eq!(invoices.len(), type7);
    for invoice in &invoices {
        if let Some(external) = &invoice.order_external_no {
            let found = client
                .find_order(
                    bridge_maestro::OrderKind::Purchase,
                    &invoice.project,
                    external,
                )
                .await
                .expect("lookup");
            assert_eq!(found.map(|o| o.number), Some(invoice.order_no.clone()));
        }
    }
    let synced_pos = company
        .commitments
        .iter()
        .filter(|c| c.in_maestro && c.kind == seed::CommitmentKind::PurchaseOrder)
        .count();
    assert_eq!(running.emulator.orders(&company.code).len(), synced_pos);

    assert!(
        company.commitments.iter().any(|c| c.in_maestro),
        "the seed links some commitments"
    );
    for c in company.commitments.iter().filter(|c| c.in_maestro) {
        let project = ProjectCode::new(c.project_number.clone()).expect("code");
        let (external_no, supplier) = match c.kind {
            seed::CommitmentKind::PurchaseOrder => {
                let found = client
                    .find_order(bridge_maestro::OrderKind::Purchase, &project, &c.number)
                    .await
                    .expect("lookup");
                found
                    .map(|o| (o.external_no, o.supplier_code))
                    .expect("synced order found")
            }
            seed::CommitmentKind::Subcontract => {
                let found = client
                    .find_subcontract(&project, &c.number)
                    .await
                    .expect("lookup");
                found
                    .map(|s| (s.external_no, s.supplier_code))
                    .expect("synced subcontract found")
            }
        };
        assert_eq!(
            (external_no, supplier),
            (c.number.clone(), c.supplier_code.clone())
        );
    }
    let mut contracts = 0;
    for p in &company.prime_contracts {
        let project = ProjectCode::new(p.project_number.clone()).expect("code");
        let read = client.billing_contract(&project).await.expect("read");
        assert_eq!(read.is_some(), p.in_maestro, "{}", p.project_number);
        if let Some(contract) = read {
            assert_eq!(
                contract.number, project,
                "a billing contract is numbered like its project"
            );
            assert_eq!(contract.customer_code, p.customer_code);
            contracts += 1;
        }
    }
    assert!(
        contracts > 0,
        "the seed has a billing contract already in maestro*"
    );
}

#[tokio::test]
async fn companies_list_their_class() {
    let (running, company) = start_seeded().await;
    running
        .emulator
        .add_company("TEST01", "Bac à sable", CompanyClass::Test, true);
    let client = running.client(&company.code);
    let companies = client.companies().await.expect("companies");
    let classes: Vec<(String, CompanyClass)> =
        companies.into_iter().map(|c| (c.code, c.class)).collect();
    assert!(classes.contains(&(company.code.clone(), CompanyClass::Production)));
    assert!(classes.contains(&("TEST01".to_owned(), CompanyClass::Test)));
}

#[tokio::test]
async fn projects_filter_by_prefix_in_multidimensional_mode() {
    let (running, _) = start_seeded().await;
    let emulator = &running.emulator;
    emulator.add_company(
        "MULTI",
        "Groupe multidimensionnel",
        CompanyClass::Production,
        true,
    );
    emulator
        .add_prefix("MULTI", "01", "Montreal")
        .expect("prefix");
    emulator
        .add_prefix("MULTI", "02", "Quebec")
        .expect("prefix");
    for (code, prefix) in [("M-1", "01"), ("M-2", "02"), ("M-3", "01")] {
        let mut project = maestro_support::plain_project(code);
        project.prefix = Some(prefix.to_owned());
        emulator.add_project("MULTI", project).expect("project");
    }
    let client = running.client("MULTI");
    let prefixes = client.prefixes().await.expect("prefixes");
    assert_eq!(
        prefixes.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(),
        ["01", "02"]
    );
    let in_01 = client
        .projects(&ProjectFilter::eligible(Some("01")))
        .await
        .expect("projects");
    let codes: Vec<&str> = in_01.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(codes, ["M-1", "M-3"]);
    let mut stray = maestro_support::plain_project("M-4");
    stray.prefix = Some("09".to_owned());
    let refused = emulator
        .add_project("MULTI", stray)
        .expect_err("unknown prefix refused");
    assert!(refused.message.contains("prefix 09"), "{refused}");
}
