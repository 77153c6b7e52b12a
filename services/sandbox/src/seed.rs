//! Deterministic seed data: one realistic company that exists on both sides.
//!
//! [`generate`] turns a [`SeedConfig`] into a plain-data [`Company`]. The same seed always gives the
//! same company, and growing `projects` keeps the first projects identical (every project, supplier
//! and template draws from its own random stream), so a demo at scale 5 is a prefix of one at 500.
//! Each record says whether it is already linked on both sides (`in_procore` / `in_maestro`), which
//! lets the two emulators load a half-synchronized company.

mod directory;
mod jobs;
mod model;
mod names;
pub mod showcase;

pub use model::*;

use directory::{customer, employee, supplier};
use jobs::{budget_lines, commitments, prime_contract, project, transactions};

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// How big and how synchronized the generated company is.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SeedConfig {
    pub seed: u64,
    pub projects: usize,
    pub suppliers: usize,
    pub customers: usize,
    pub employees: usize,
    pub budget_lines_per_project: usize,
    pub transactions_per_project: usize,
    pub commitments_per_project: usize,
    /// Share (0.0–1.0) of eligible records that already exist, linked, on both sides.
    pub synchronized_fraction: f64,
    /// First possible project start date; everything else is dated after it.
    pub start: NaiveDate,
    /// Appends the fixed records that show every rule at work (`seed/showcase.rs`).
    pub showcase: bool,
}

impl Default for SeedConfig {
    fn default() -> Self {
        Self::for_projects(5)
    }
}

impl SeedConfig {
    /// A company with `projects` projects and directory sizes that grow with it.
    pub fn for_projects(projects: usize) -> Self {
        Self {
            seed: 42,
            projects,
            suppliers: 10 + 6 * projects,
            customers: 3 + projects / 2,
            employees: 10 + 4 * projects,
            budget_lines_per_project: 25,
            transactions_per_project: 30,
            commitments_per_project: 3,
            synchronized_fraction: 0.5,
            start: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap_or_default(),
            showcase: false,
        }
    }

    /// The company `bridge up --sandbox` runs: [`SeedConfig::for_projects`] plus the showcase.
    pub fn sandbox(projects: usize) -> Self {
        Self {
            showcase: true,
            ..Self::for_projects(projects)
        }
    }
}

/// Group codes of the cost types, one per [`CostKind`].
const GROUPS: &[(&str, &str, CostKind)] = &[
    ("MAT", "Materiaux", CostKind::Material),
    ("SST", "Sous-traitance", CostKind::Subcontractor),
    ("DIV", "Divers", CostKind::Miscellaneous),
    ("EQU", "Equipement", CostKind::Equipment),
    ("MO", "Main-d'oeuvre", CostKind::Labour),
];

/// Transaction type codes with a weight (how often they occur).
const TRANSACTION_TYPES: &[(&str, u32)] = &[
    ("1", 30),
    ("4", 25),
    ("C", 10),
    ("5", 4),
    ("B", 3),
    (";", 2),
    ("=", 2),
    ("E", 2),
    ("2", 3),
    (">", 1),
    ("?", 1),
    ("@", 1),
    ("D", 1),
    ("G", 2),
    ("F", 2),
    ("7", 5),
];

/// Builds the company described by `config`.
pub fn generate(config: &SeedConfig) -> Company {
    let cost_codes = cost_code_template(config.seed);
    let cost_types = GROUPS
        .iter()
        .map(|(code, name, kind)| CostType {
            code: (*code).into(),
            name: (*name).into(),
            kind: *kind,
        })
        .collect();
    let suppliers: Vec<Supplier> = (0..config.suppliers).map(|i| supplier(config, i)).collect();
    let customers: Vec<Customer> = (0..config.customers).map(|i| customer(config, i)).collect();
    let employees: Vec<Employee> = (0..config.employees).map(|i| employee(config, i)).collect();
    let leaves: Vec<&CostCode> = cost_codes.iter().filter(|c| c.leaf).collect();

    let mut company = Company {
        code: format!("{:03}", config.seed % 1000),
        name: "Constructions Boreal inc.".into(),
        projects: Vec::with_capacity(config.projects),
        cost_codes: Vec::new(),
        cost_types,
        suppliers,
        customers,
        employees,
        budget_lines: Vec::new(),
        transactions: Vec::new(),
        commitments: Vec::new(),
        prime_contracts: Vec::new(),
        procore_companies: Vec::new(),
        procore_projects: Vec::new(),
    };
    for index in 0..config.projects {
        let mut rng = stream(config.seed, 10, index as u64);
        let project = project(config, &company, &mut rng, index);
        let lines = budget_lines(config, &project, &leaves, &mut rng);
        let transactions = transactions(config, &company, &project, &lines, &mut rng);
        let commitments = commitments(config, &company, &project, &lines, &mut rng);
        let prime = prime_contract(config, &project, &lines, &mut rng);
        company.budget_lines.extend(lines);
        company.transactions.extend(transactions);
        company.commitments.extend(commitments);
        company.prime_contracts.extend(prime);
        company.projects.push(project);
    }
    if config.showcase {
        showcase::add(config, &mut company, &leaves);
    }
    company.cost_codes = cost_codes;
    company
}

/// An independent random stream for one (section, index), so sizes elsewhere don't shift it.
fn stream(seed: u64, section: u64, index: u64) -> StdRng {
    let mut x = seed
        ^ section.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    // splitmix64 finaliser
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    StdRng::seed_from_u64(x ^ (x >> 31))
}

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

fn cents(rng: &mut StdRng, low_dollars: i64, high_dollars: i64) -> i64 {
    rng.random_range(low_dollars * 100..high_dollars * 100)
}

fn synced(config: &SeedConfig, rng: &mut StdRng) -> bool {
    rng.random_bool(config.synchronized_fraction.clamp(0.0, 1.0))
}

/// Three levels: division `03`, section `03-A`, leaf `03-A-001`.
fn cost_code_template(seed: u64) -> Vec<CostCode> {
    let mut rng = stream(seed, 1, 0);
    let mut codes = Vec::new();
    for (division, name) in names::DIVISIONS {
        codes.push(CostCode {
            full_code: (*division).into(),
            segment: (*division).into(),
            parent: None,
            name: (*name).into(),
            leaf: false,
        });
        for s in 0..rng.random_range(2..=3u8) {
            let letter = ((b'A' + s) as char).to_string();
            let section = format!("{division}-{letter}");
            codes.push(CostCode {
                full_code: section.clone(),
                segment: letter,
                parent: Some((*division).into()),
                name: format!("{name} - {}", names::SECTIONS[usize::from(s)]),
                leaf: false,
            });
            for item in 1..=rng.random_range(2..=4u32) {
                let segment = format!("{item:03}");
                codes.push(CostCode {
                    full_code: format!("{section}-{segment}"),
                    segment,
                    parent: Some(section.clone()),
                    name: format!("{name} - element {item}"),
                    leaf: true,
                });
            }
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_company_and_scaling_keeps_a_prefix() {
        let small = generate(&SeedConfig {
            projects: 3,
            ..SeedConfig::default()
        });
        let again = generate(&SeedConfig {
            projects: 3,
            ..SeedConfig::default()
        });
        let big = generate(&SeedConfig {
            projects: 12,
            ..SeedConfig::default()
        });
        assert_eq!(
            serde_json::to_string(&small).ok(),
            serde_json::to_string(&again).ok()
        );
        assert_eq!(big.projects.len(), 12);
        for (a, b) in small.projects.iter().zip(&big.projects) {
            assert_eq!(a.number, b.number);
            assert_eq!(a.name, b.name);
        }
        let other = generate(&SeedConfig {
            seed: 7,
            projects: 3,
            ..SeedConfig::default()
        });
        assert_ne!(
            serde_json::to_string(&small.projects).ok(),
            serde_json::to_string(&other.projects).ok()
        );
    }

    #[test]
    fn codes_respect_maestro_limits() {
        let company = generate(&SeedConfig::for_projects(40));
        for p in &company.projects {
            assert!(p.number.len() <= 10 && p.number.is_ascii(), "{}", p.number);
            assert!(!p.number.contains(['*', ',', '#', ':']));
            assert!(p.start_date < p.closing_date);
        }
        for s in &company.suppliers {
            assert!(s.code.len() <= 10, "{}", s.code);
        }
        let leaves: std::collections::HashSet<_> = company
            .cost_codes
            .iter()
            .filter(|c| c.leaf)
            .map(|c| c.full_code.as_str())
            .collect();
        assert!(
            company
                .budget_lines
                .iter()
                .all(|l| leaves.contains(l.activity.as_str()))
        );
        assert!(
            company
                .cost_codes
                .iter()
                .any(|c| c.full_code.matches('-').count() == 2)
        );
    }

    #[test]
    fn about_half_is_already_synchronized() {
        let company = generate(&SeedConfig::for_projects(60));
        let linked = company.projects.iter().filter(|p| p.in_procore).count();
        assert!(linked > 10 && linked < 45, "linked {linked} of 60");
        assert!(
            company.suppliers.iter().any(|s| s.in_procore)
                && company.suppliers.iter().any(|s| !s.in_procore)
        );
        assert!(
            company
                .transactions
                .iter()
                .any(|t| t.status == TransactionStatus::Transferred)
        );
        assert!(
            company
                .commitments
                .iter()
                .any(|c| c.kind == CommitmentKind::Subcontract && !c.change_orders.is_empty())
        );
        let none = generate(&SeedConfig {
            synchronized_fraction: 0.0,
            ..SeedConfig::for_projects(10)
        });
        assert!(none.projects.iter().all(|p| !p.in_procore));
    }
}
