//! The showcase holds a record for every rule of rules §3 it is meant to show.

use super::*;
use bridge_maestro::{CodeError, ProjectCode};

fn sandbox() -> Company {
    generate(&SeedConfig::sandbox(3))
}

fn tagged<'a>(c: &'a Company, tag: &str) -> Vec<&'a Supplier> {
    let with = |s: &&Supplier| s.keywords.iter().any(|k| k == tag);
    c.procore_companies.iter().filter(with).collect()
}

#[test]
fn procore_values_exceed_every_maestro_limit_of_seed_001() {
    let c = sandbox();
    let chars = |s: &str| s.chars().count();
    let longest = |field: fn(&Supplier) -> &str| {
        let lengths = c.procore_companies.iter().map(|s| chars(field(s)));
        lengths.max().unwrap_or_default()
    };
    // Supplier and customer name 60, address 100, city 60, province 30, RBQ licence 10.
    assert!(longest(|s| &s.name) > 60);
    assert!(longest(|s| &s.address.street) > 100);
    assert!(longest(|s| &s.address.city) > 60);
    assert!(longest(|s| &s.address.province) > 30);
    assert!(longest(|s| &s.license_number) > 10);
    // Project name 100, address 40 in maestro*, city 60.
    let p = c
        .procore_projects
        .iter()
        .find(|p| p.number == PROCORE_PROJECT)
        .expect("the Procore-only project");
    assert!(chars(&p.name) > 100 && chars(&p.address) > 40 && chars(&p.address) <= 100);
    assert!(chars(&p.city) > 60);
    // A customer from a CLIENT company with a name over 60.
    assert!(tagged(&c, "CLIENT").iter().any(|s| chars(&s.name) > 60));
    // External order number 40: two numbers share their first 40 characters.
    let [a, b] = LONG_ORDER_NUMBERS;
    assert!(chars(a) > 40 && a[..40] == b[..40] && a != b);
    assert_eq!(
        c.commitments.iter().filter(|x| x.number.len() > 40).count(),
        2
    );
}

#[test]
fn every_tag_and_inactive_companies_are_seeded() {
    let c = sandbox();
    for tag in ["NOTMAESTRO", "PASMAESTRO", "PASCLIENT", "CLIENT"] {
        assert!(!tagged(&c, tag).is_empty(), "{tag}");
    }
    assert!(c.procore_companies.iter().any(|s| !s.active));
    // maestro* records whose code is taken in Procore by an inactive or tagged company.
    let maestro_codes: Vec<&str> = c
        .suppliers
        .iter()
        .filter(|s| s.active && s.sync_with_procore && !s.in_procore)
        .map(|s| s.code.as_str())
        .chain(c.customers.iter().map(|s| s.code.as_str()))
        .collect();
    let clash = |keep: &dyn Fn(&Supplier) -> bool| {
        c.procore_companies
            .iter()
            .any(|s| keep(s) && maestro_codes.contains(&s.code.as_str()))
    };
    assert!(clash(&|s| !s.active));
    assert!(clash(&|s| s.keywords == ["NOTMAESTRO"]));
    assert!(clash(&|s| s.keywords == ["PASCLIENT"]));
}

#[test]
fn projects_show_job_numbers_dates_and_owners() {
    let c = sandbox();
    let verdicts: Vec<_> = c
        .procore_projects
        .iter()
        .map(|p| (p.active, ProjectCode::new(p.number.clone())))
        .collect();
    assert!(verdicts.iter().any(|(active, v)| *active && v.is_ok()));
    assert!(verdicts.iter().any(|(active, v)| !*active && v.is_ok()));
    assert!(
        verdicts
            .iter()
            .any(|(_, v)| matches!(v, Err(CodeError::TooLong { .. })))
    );
    assert!(
        verdicts
            .iter()
            .any(|(_, v)| matches!(v, Err(CodeError::Forbidden { .. })))
    );
    let undated = c.projects.iter().find(|p| !p.dated).expect("undated");
    assert!(undated.active && undated.sync_with_procore && !undated.in_procore);
    let prime = c
        .prime_contracts
        .iter()
        .find(|p| p.customer_code == OWNER)
        .expect("a prime contract owned by a Procore company");
    assert!(prime.approved && !prime.lines.is_empty());
    assert!(c.procore_companies.iter().any(|s| s.code == OWNER));
    assert!(c.customers.iter().all(|s| s.code != OWNER));
}

#[test]
fn drafts_carry_a_description_and_retainage_and_a_po_has_a_change_order() {
    let c = sandbox();
    let drafts: Vec<_> = c
        .commitments
        .iter()
        .filter(|x| !x.approved && x.project_number == LINKED_PROJECT)
        .collect();
    for kind in [CommitmentKind::PurchaseOrder, CommitmentKind::Subcontract] {
        assert!(drafts.iter().any(|d| d.kind == kind
            && !d.title.is_empty()
            && !d.description.is_empty()
            && d.retainage_percent.is_some()));
    }
    assert!(c.commitments.iter().any(|x| x.approved
        && x.kind == CommitmentKind::PurchaseOrder
        && !x.change_orders.is_empty()));
    let supplier = c.suppliers.iter().find(|s| s.code == LINKED_SUPPLIER);
    assert!(supplier.is_some_and(|s| s.in_procore));
    let project = c.projects.iter().find(|p| p.number == LINKED_PROJECT);
    assert!(project.is_some_and(|p| p.in_procore && p.dated));
}

#[test]
fn the_showcase_is_the_same_at_any_size_and_leaves_the_generated_part_alone() {
    let plain = generate(&SeedConfig::for_projects(3));
    let small = sandbox();
    let big = generate(&SeedConfig::sandbox(9));
    assert!(plain.procore_companies.is_empty() && plain.procore_projects.is_empty());
    let numbers =
        |c: &Company| -> Vec<String> { c.projects.iter().map(|p| p.number.clone()).collect() };
    assert_eq!(numbers(&small)[..3], numbers(&plain)[..]);
    assert_eq!(numbers(&big)[..3], numbers(&plain)[..]);
    let json = |c: &Company| {
        let showcase = (&c.procore_companies, &c.procore_projects);
        serde_json::to_string(&showcase).ok()
    };
    assert_eq!(json(&small), json(&big));
    assert_eq!(
        serde_json::to_string(&generate(&SeedConfig::sandbox(3))).ok(),
        serde_json::to_string(&small).ok(),
        "same seed, same company"
    );
}

#[test]
fn records_that_are_not_eligible_in_maestro_are_seeded() {
    let c = sandbox();
    let showcase = |number: &str| number.starts_with("VIT-");
    let projects: Vec<_> = c.projects.iter().filter(|p| showcase(&p.number)).collect();
    assert!(projects.iter().any(|p| !p.active));
    assert!(projects.iter().any(|p| p.active && !p.sync_with_procore));
    let suppliers: Vec<_> = c
        .suppliers
        .iter()
        .filter(|s| s.code.starts_with("VIT"))
        .collect();
    assert!(suppliers.iter().any(|s| !s.active && !s.in_procore));
    assert!(
        suppliers
            .iter()
            .any(|s| s.active && !s.sync_with_procore && !s.in_procore)
    );
}
