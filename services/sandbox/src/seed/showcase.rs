//! The showcase: a handful of fixed records, appended after the generated company, that make
//! every common rule of rules §3 happen on a real record when the sandbox runs: records not
//! eligible on either side (inactive, box unchecked, draft), values too
//! long for maestro* (cut with a warning), exclusion tags (NOTMAESTRO, PASMAESTRO, PASCLIENT) and
//! the CLIENT tag, inactive companies, a maestro* project without dates, projects created in
//! Procore alone (one valid, two with a Job Number maestro* refuses, one inactive), draft
//! commitments with a description and retainage that a simulated user approves later, external
//! numbers longer than maestro*'s 40 characters, a change order on a purchase order, and a prime
//! contract whose owner is a Procore company. The records are the same for every seed and size,
//! so the generated part stays a prefix of any larger company (docs/architecture.md, sandbox).

use chrono::Days;

use super::jobs::{budget_lines, contract_lines};
use super::*;
use CommitmentKind::{PurchaseOrder as Po, Subcontract as Sc};

/// The linked showcase project that holds the showcase commitments.
pub const LINKED_PROJECT: &str = "VIT-0001";
/// A maestro* project whose dates were never entered.
pub const UNDATED_PROJECT: &str = "VIT-0002";
/// The Procore-only project with a valid Job Number and overlong texts.
pub const PROCORE_PROJECT: &str = "PC-0001";
/// Job Numbers maestro* refuses: too long, and with forbidden characters.
pub const REFUSED_JOB_NUMBERS: [&str; 2] = ["CHANTIER-NORD-2026", "26#04:B"];
/// The linked supplier the showcase commitments are issued to.
pub const LINKED_SUPPLIER: &str = "VITLIEN01";
/// Two purchase-order numbers longer than 40 characters that share their first 40.
pub const LONG_ORDER_NUMBERS: [&str; 2] = [
    "PO-VIT-2026-LIVRAISON-ACIER-BATIMENT-A-NIVEAU-01",
    "PO-VIT-2026-LIVRAISON-ACIER-BATIMENT-A-NIVEAU-02",
];
/// The Procore company that owns the prime contract of [`PROCORE_PROJECT`].
pub const OWNER: &str = "PCOWNER01";

/// `text` repeated (with a space) and cut to exactly `len` characters.
fn long(text: &str, len: usize) -> String {
    let mut out = text.to_string();
    while out.chars().count() < len {
        out.push(' ');
        out.push_str(text);
    }
    out.chars()
        .take(len)
        .collect::<String>()
        .trim_end()
        .to_string()
}

fn address(street: &str, city: &str, province: &str) -> Address {
    Address {
        street: street.into(),
        city: city.into(),
        province: province.into(),
        country: "CA".into(),
        postal_code: "J2W 1A1".into(),
        phone: "450-555-0100".into(),
    }
}

fn plain() -> Address {
    address("100 rue Principale", "Saint-Jean-sur-Richelieu", "QC")
}

fn party(code: &str, name: &str, keywords: &[&str], active: bool) -> Supplier {
    Supplier {
        code: code.into(),
        name: name.into(),
        address: plain(),
        license_number: "5678-1234-01".into(),
        email: format!("info@{}.example", code.to_lowercase()),
        active,
        sync_with_procore: true,
        keywords: keywords.iter().map(|k| (*k).to_string()).collect(),
        in_procore: false,
    }
}

fn project(config: &SeedConfig, number: &str, name: &str, active: bool) -> Project {
    let start = config.start;
    Project {
        number: number.into(),
        name: name.into(),
        description: format!("{name} (vitrine)"),
        address: "100 rue Principale".into(),
        city: "Saint-Jean-sur-Richelieu".into(),
        province: "QC".into(),
        country: "CA".into(),
        postal_code: "J2W 1A1".into(),
        phone: "450-555-0100".into(),
        start_date: start,
        closing_date: start.checked_add_days(Days::new(365)).unwrap_or(start),
        dated: true,
        active,
        sync_with_procore: true,
        customer_code: String::new(),
        in_procore: false,
    }
}

/// Appends the showcase to `company`.
pub(super) fn add(config: &SeedConfig, company: &mut Company, leaves: &[&CostCode]) {
    directory(company);
    let mut linked = project(
        config,
        LINKED_PROJECT,
        "Vitrine - Centre communautaire",
        true,
    );
    linked.in_procore = true;
    linked.customer_code = company
        .customers
        .first()
        .map(|c| c.code.clone())
        .unwrap_or_default();
    let mut rng = stream(config.seed, 20, 0);
    let lines = budget_lines(config, &linked, leaves, &mut rng);
    if !lines.is_empty() {
        company
            .commitments
            .extend(commitments(&linked, &lines, &mut rng));
    }
    let mut undated = project(config, UNDATED_PROJECT, "Vitrine - Projet sans dates", true);
    undated.dated = false;
    company.budget_lines.extend(lines);
    // Not eligible in maestro*: inactive, or its "Synchronize with Procore" box unchecked.
    let inactive = project(config, "VIT-0003", "Vitrine - Projet ferme", false);
    let mut unchecked = project(config, "VIT-0004", "Vitrine - Projet interne", true);
    unchecked.sync_with_procore = false;
    company
        .projects
        .extend([linked, undated, inactive, unchecked]);
    procore_projects(config, company, leaves);
}

/// Suppliers and a customer in maestro*, and the companies that exist in Procore only.
fn directory(company: &mut Company) {
    let mut linked = party(LINKED_SUPPLIER, "Beton Vitrine inc.", &[], true);
    linked.in_procore = true;
    company.suppliers.push(linked);
    // Same code on both sides, but the Procore company is inactive or tagged: linking by code
    // must find the inactive one and never the tagged ones (rules §3, exclusion tags).
    company
        .suppliers
        .push(party("VITINACT1", "Coffrage Vitrine ltee", &[], true));
    company
        .suppliers
        .push(party("VITNOTMX1", "Peinture Vitrine inc.", &[], true));
    // Not eligible in maestro*: inactive, or the Interface tab's box unchecked.
    company
        .suppliers
        .push(party("VITFERME1", "Toitures Vitrine (fermee)", &[], false));
    let mut unchecked = party("VITNOSYNC", "Ventilation Vitrine inc.", &[], true);
    unchecked.sync_with_procore = false;
    company.suppliers.push(unchecked);
    company.customers.push(Customer {
        code: "CLVIT01".into(),
        name: "Ville de Vitrine".into(),
        address: plain(),
        active: true,
        sync_with_procore: true,
        in_procore: false,
    });
    let mut overlong = party(
        "PCLONG01",
        &long("Entreprise generale de construction et renovation", 85),
        &[],
        true,
    );
    overlong.address = address(
        &long(
            "1234 boulevard du Seigneur-de-Lery, bureau 500, porte arriere",
            120,
        ),
        &long("Saint-Jean-Baptiste-de-Nicolet-sur-le-Lac", 70),
        &long("Quebec region Monteregie", 35),
    );
    overlong.license_number = "5678-1234-01-9999".into();
    company.procore_companies.extend([
        party("VITINACT1", "Coffrage Vitrine (ancien compte)", &[], false),
        party("VITNOTMX1", "Peinture Vitrine inc.", &["NOTMAESTRO"], true),
        party("CLVIT01", "Ville de Vitrine", &["PASCLIENT"], true),
        overlong,
        party(
            "PCNOTMX01",
            "Sous-traitant hors maestro",
            &["NOTMAESTRO"],
            true,
        ),
        party(
            "PCPASMX01",
            "Fournisseur pas maestro",
            &["PASMAESTRO"],
            true,
        ),
        party("PCPASCL01", "Fournisseur pas client", &["PASCLIENT"], true),
        party(
            "PCCLIENT1",
            &long("Societe immobiliere du Haut-Richelieu et des environs", 75),
            &["CLIENT"],
            true,
        ),
        party("PCINACT01", "Entreprise fermee inc.", &[], false),
        party(OWNER, "Promoteur Vitrine inc.", &[], true),
    ]);
}

/// Draft commitments with a description and retainage, two overlong external numbers and a
/// change order on a purchase order.
fn commitments(project: &Project, lines: &[BudgetLine], rng: &mut StdRng) -> Vec<Commitment> {
    let one = |kind: CommitmentKind,
               number: &str,
               title: &str,
               description: &str,
               approved,
               rng: &mut StdRng| {
        Commitment {
            kind,
            project_number: project.number.clone(),
            number: number.into(),
            title: title.into(),
            supplier_code: LINKED_SUPPLIER.into(),
            description: description.into(),
            retainage_percent: None,
            approved,
            contract_date: project.start_date,
            lines: contract_lines(lines, rng, 1..=3),
            change_orders: Vec::new(),
            in_maestro: false,
        }
    };
    let mut draft_po = one(
        Po,
        "PO-VIT-001",
        "Livraison de beton - Phase 1",
        "Beton 35 MPa livre au chantier, pompage inclus",
        false,
        rng,
    );
    draft_po.retainage_percent = Some(10.0);
    let mut draft_sc = one(
        Sc,
        "SC-VIT-002",
        "Electricite - Batiment A",
        "Entree electrique et distribution, selon plans E-100 a E-120",
        false,
        rng,
    );
    draft_sc.retainage_percent = Some(5.0);
    let mut with_change = one(Po, "PO-VIT-005", "Location de grue", "", true, rng);
    with_change.change_orders.push(ChangeOrder {
        number: "PO-VIT-005-CO01".into(),
        title: "Prolongation de la location".into(),
        approved: true,
        lines: contract_lines(lines, rng, 1..=1),
    });
    let [first, second] = LONG_ORDER_NUMBERS;
    vec![
        draft_po,
        draft_sc,
        one(Po, first, "Acier - niveau 1", "", true, rng),
        one(Po, second, "Acier - niveau 2", "", true, rng),
        with_change,
    ]
}

/// Projects created in Procore alone, and the prime contract of the valid one.
fn procore_projects(config: &SeedConfig, company: &mut Company, leaves: &[&CostCode]) {
    let mut valid = project(
        config,
        PROCORE_PROJECT,
        &long(
            "Complexe multifonctionnel et residentiel du Vieux-Saint-Jean",
            130,
        ),
        true,
    );
    valid.address = long(
        "2500 chemin du Grand-Bernier Nord, entree des livraisons",
        75,
    );
    valid.city = long("Saint-Jean-Baptiste-de-Nicolet-sur-le-Lac", 70);
    let [too_long, forbidden] = REFUSED_JOB_NUMBERS;
    company.procore_projects.extend([
        valid,
        project(config, too_long, "Chantier nord", true),
        project(config, forbidden, "Agrandissement B", true),
        project(config, "PC-0004", "Projet archive", false),
    ]);
    let lines: Vec<ContractLine> = leaves
        .iter()
        .take(2)
        .map(|leaf| ContractLine {
            activity: leaf.full_code.clone(),
            group: "SST".into(),
            description: format!("Travaux {}", leaf.full_code),
            quantity: 1.0,
            unit: "ls".into(),
            unit_cost_cents: 12_500_000,
            amount_cents: 12_500_000,
        })
        .collect();
    company.prime_contracts.push(PrimeContract {
        project_number: PROCORE_PROJECT.into(),
        number: PROCORE_PROJECT.into(),
        title: "Contrat principal - Complexe du Vieux-Saint-Jean".into(),
        customer_code: OWNER.into(),
        approved: true,
        lines,
        change_orders: Vec::new(),
        in_maestro: false,
    });
}

#[cfg(test)]
mod tests;
