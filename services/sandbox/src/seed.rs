//! Deterministic seed data: one realistic company that exists on both sides.
//!
//! [`generate`] turns a [`SeedConfig`] into a plain-data [`Company`]. The same seed always gives the
//! same company, and growing `projects` keeps the first projects identical (every project, supplier
//! and template draws from its own random stream), so a demo at scale 5 is a prefix of one at 500.
//! Each record says whether it is already linked on both sides (`in_procore` / `in_maestro`), which
//! lets the two emulators load a half-synchronized company.

mod model;
mod names;

pub use model::*;

use chrono::{Days, NaiveDate};
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

fn address(rng: &mut StdRng) -> Address {
    let (city, province, fsa) = *pick(rng, names::CITIES);
    Address {
        street: format!(
            "{} {}",
            rng.random_range(10..9999),
            pick(rng, names::STREETS)
        ),
        city: city.into(),
        province: province.into(),
        country: "CA".into(),
        postal_code: format!(
            "{fsa} {}{}{}",
            rng.random_range(1..10),
            (b'A' + rng.random_range(0..26u8)) as char,
            rng.random_range(0..10)
        ),
        phone: format!(
            "514-{:03}-{:04}",
            rng.random_range(200..999),
            rng.random_range(0..10000)
        ),
    }
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

fn supplier(config: &SeedConfig, index: usize) -> Supplier {
    let mut rng = stream(config.seed, 2, index as u64);
    let (short, trade) = *pick(&mut rng, names::SUPPLIER_TRADES);
    let family = pick(&mut rng, names::FAMILY_NAMES);
    let suffix = pick(&mut rng, names::COMPANY_SUFFIXES);
    let mut name = format!("{family} {trade} {suffix}");
    if rng.random_bool(0.03) {
        name.push_str(" et Associes de la Region Metropolitaine de Montreal");
    }
    let number = (index + 1).to_string();
    let digits = number.len().max(4);
    let prefix: String = short
        .to_uppercase()
        .chars()
        .take(10usize.saturating_sub(digits).min(5))
        .collect();
    let code = format!("{prefix}{number:0>digits$}");
    let mut keywords = Vec::new();
    let roll: f64 = rng.random();
    if roll < 0.04 {
        keywords.push("NOTMAESTRO".to_string());
    } else if roll < 0.06 {
        keywords.push("PASMAESTRO".to_string());
    }
    let active = rng.random_bool(0.95);
    let sync_with_procore = rng.random_bool(0.9);
    let in_procore = active && sync_with_procore && keywords.is_empty() && synced(config, &mut rng);
    Supplier {
        email: format!("info@{}.example", code.to_lowercase()),
        license_number: format!(
            "{:04}-{:04}-{:02}",
            rng.random_range(1000..9999),
            rng.random_range(0..10000),
            rng.random_range(0..100)
        ),
        address: address(&mut rng),
        code,
        name,
        active,
        sync_with_procore,
        keywords,
        in_procore,
    }
}

fn customer(config: &SeedConfig, index: usize) -> Customer {
    let mut rng = stream(config.seed, 3, index as u64);
    let address = address(&mut rng);
    let name = match rng.random_range(0..3) {
        0 => format!("Ville de {}", address.city),
        1 => format!(
            "Centre de services scolaire {}",
            pick(&mut rng, names::FAMILY_NAMES)
        ),
        _ => format!("{} Immobilier inc.", pick(&mut rng, names::FAMILY_NAMES)),
    };
    let active = rng.random_bool(0.97);
    let sync_with_procore = rng.random_bool(0.9);
    let in_procore = active && sync_with_procore && synced(config, &mut rng);
    Customer {
        code: format!("CL{:04}", index + 1),
        name,
        address,
        active,
        sync_with_procore,
        in_procore,
    }
}

fn employee(config: &SeedConfig, index: usize) -> Employee {
    let mut rng = stream(config.seed, 4, index as u64);
    let first = *pick(&mut rng, names::FIRST_NAMES);
    let last = *pick(&mut rng, names::FAMILY_NAMES);
    let active = rng.random_bool(0.93);
    let in_procore = active && synced(config, &mut rng);
    Employee {
        code: (1001 + index).to_string(),
        first_name: first.into(),
        last_name: last.into(),
        email: format!(
            "{}.{}{}@boreal.example",
            first.to_lowercase(),
            last.to_lowercase(),
            index + 1
        ),
        job_title: (*pick(&mut rng, names::JOB_TITLES)).into(),
        hourly_rate_cents: cents(&mut rng, 28, 75),
        active,
        in_procore,
    }
}

fn project(config: &SeedConfig, company: &Company, rng: &mut StdRng, index: usize) -> Project {
    let start = config
        .start
        .checked_add_days(Days::new(rng.random_range(0..365)))
        .unwrap_or(config.start);
    let closing = start.checked_add_days(Days::new(rng.random_range(180..720)));
    let address = address(rng);
    let kind = pick(rng, names::PROJECT_KINDS);
    let works = pick(rng, names::PROJECT_WORKS);
    let customer_code = if company.customers.is_empty() {
        String::new()
    } else {
        company.customers[rng.random_range(0..company.customers.len())]
            .code
            .clone()
    };
    let active = rng.random_bool(0.92);
    let sync_with_procore = rng.random_bool(0.9);
    let in_procore = active && sync_with_procore && synced(config, rng);
    let year = start.format("%y");
    Project {
        number: format!("{year}-{:04}", index + 1),
        name: format!("{kind} {} - {works}", address.city),
        description: format!("{kind}, {works}, {}", address.street),
        address: address.street,
        city: address.city,
        province: address.province,
        country: address.country,
        postal_code: address.postal_code,
        phone: address.phone,
        start_date: start,
        closing_date: closing.unwrap_or(start),
        active,
        sync_with_procore,
        customer_code,
        in_procore,
    }
}

fn budget_lines(
    config: &SeedConfig,
    project: &Project,
    leaves: &[&CostCode],
    rng: &mut StdRng,
) -> Vec<BudgetLine> {
    let combos = leaves.len() * GROUPS.len();
    let wanted = config.budget_lines_per_project.min(combos);
    let mut taken = std::collections::BTreeSet::new();
    let mut lines = Vec::with_capacity(wanted);
    while lines.len() < wanted {
        let slot = rng.random_range(0..combos);
        if !taken.insert(slot) {
            continue;
        }
        let (leaf, group) = (leaves[slot / GROUPS.len()], GROUPS[slot % GROUPS.len()]);
        let quantity = f64::from(rng.random_range(1..500u32));
        lines.push(BudgetLine {
            project_number: project.number.clone(),
            activity: leaf.full_code.clone(),
            group: group.0.into(),
            amount_cents: cents(rng, 1_000, 250_000),
            quantity,
            unit: (*pick(rng, names::UNITS)).into(),
            in_procore: project.in_procore && rng.random_bool(0.8),
        });
    }
    lines
}

fn transactions(
    config: &SeedConfig,
    company: &Company,
    project: &Project,
    lines: &[BudgetLine],
    rng: &mut StdRng,
) -> Vec<Transaction> {
    if lines.is_empty() {
        return Vec::new();
    }
    let total: u32 = TRANSACTION_TYPES.iter().map(|(_, w)| w).sum();
    (0..config.transactions_per_project)
        .map(|j| {
            let mut roll = rng.random_range(0..total);
            let type_code = TRANSACTION_TYPES
                .iter()
                .find(|(_, w)| {
                    if roll < *w {
                        true
                    } else {
                        roll -= w;
                        false
                    }
                })
                .map_or("1", |(c, _)| c);
            let line = &lines[rng.random_range(0..lines.len())];
            let labour = matches!(type_code, "4" | "B" | "5");
            let purchase = matches!(type_code, "1" | ";" | "7");
            let status = match rng.random_range(0..10) {
                0 => TransactionStatus::Entered,
                1 => TransactionStatus::Approved,
                _ => TransactionStatus::Transferred,
            };
            let supplier = (purchase && !company.suppliers.is_empty()).then(|| {
                company.suppliers[rng.random_range(0..company.suppliers.len())]
                    .code
                    .clone()
            });
            let employee = (labour && !company.employees.is_empty()).then(|| {
                company.employees[rng.random_range(0..company.employees.len())]
                    .code
                    .clone()
            });
            let quantity = labour.then(|| f64::from(rng.random_range(1..80u32)) / 2.0);
            Transaction {
                key: format!("{}-{:04}", project.number, j + 1),
                project_number: project.number.clone(),
                type_code: type_code.into(),
                status,
                accounting_date: project
                    .start_date
                    .checked_add_days(Days::new(rng.random_range(0..200)))
                    .unwrap_or(project.start_date),
                activity: line.activity.clone(),
                group: if labour {
                    "MO".into()
                } else {
                    line.group.clone()
                },
                description: format!("Transaction {} {}", type_code, line.activity),
                amount_cents: cents(rng, 50, 40_000),
                quantity,
                invoice_number: purchase
                    .then(|| format!("F-{:06}", rng.random_range(0..1_000_000))),
                supplier_code: supplier,
                employee_code: employee,
                in_procore: project.in_procore
                    && status == TransactionStatus::Transferred
                    && rng.random_bool(0.6),
            }
        })
        .collect()
}

fn contract_lines(
    lines: &[BudgetLine],
    rng: &mut StdRng,
    count: std::ops::RangeInclusive<usize>,
) -> Vec<ContractLine> {
    let count = rng.random_range(count);
    (0..count)
        .map(|_| {
            let line = &lines[rng.random_range(0..lines.len())];
            let quantity = f64::from(rng.random_range(1..100u32));
            let unit_cost_cents = cents(rng, 10, 2_000);
            ContractLine {
                activity: line.activity.clone(),
                group: line.group.clone(),
                description: format!("Travaux {}", line.activity),
                quantity,
                unit: line.unit.clone(),
                unit_cost_cents,
                amount_cents: (quantity as i64) * unit_cost_cents,
            }
        })
        .collect()
}

fn change_orders(prefix: &str, lines: &[BudgetLine], rng: &mut StdRng) -> Vec<ChangeOrder> {
    (0..rng.random_range(0..=2usize))
        .map(|k| ChangeOrder {
            number: format!("{prefix}-CO{:02}", k + 1),
            title: format!("Modification {}", k + 1),
            approved: rng.random_bool(0.7),
            lines: contract_lines(lines, rng, 1..=2),
        })
        .collect()
}

fn commitments(
    config: &SeedConfig,
    company: &Company,
    project: &Project,
    lines: &[BudgetLine],
    rng: &mut StdRng,
) -> Vec<Commitment> {
    if lines.is_empty() || company.suppliers.is_empty() {
        return Vec::new();
    }
    (0..config.commitments_per_project)
        .map(|k| {
            let kind = if k % 2 == 0 {
                CommitmentKind::Subcontract
            } else {
                CommitmentKind::PurchaseOrder
            };
            let supplier = &company.suppliers[rng.random_range(0..company.suppliers.len())];
            let number = match kind {
                CommitmentKind::Subcontract => format!("SC-{:03}", k + 1),
                CommitmentKind::PurchaseOrder => format!("PO-{:03}", k + 1),
            };
            let approved = rng.random_bool(0.75);
            let change_orders = match kind {
                CommitmentKind::Subcontract => change_orders(&number, lines, rng),
                CommitmentKind::PurchaseOrder => Vec::new(),
            };
            Commitment {
                kind,
                project_number: project.number.clone(),
                title: format!("{} - {}", supplier.name, project.name),
                supplier_code: supplier.code.clone(),
                approved,
                contract_date: project
                    .start_date
                    .checked_add_days(Days::new(rng.random_range(0..60)))
                    .unwrap_or(project.start_date),
                lines: contract_lines(lines, rng, 1..=4),
                change_orders,
                in_maestro: approved
                    && project.in_procore
                    && supplier.in_procore
                    && rng.random_bool(0.5),
                number,
            }
        })
        .collect()
}

fn prime_contract(
    config: &SeedConfig,
    project: &Project,
    lines: &[BudgetLine],
    rng: &mut StdRng,
) -> Option<PrimeContract> {
    if lines.is_empty() || project.customer_code.is_empty() || !rng.random_bool(0.7) {
        return None;
    }
    let approved = rng.random_bool(0.8);
    Some(PrimeContract {
        project_number: project.number.clone(),
        number: project.number.clone(),
        title: format!("Contrat principal {}", project.name),
        customer_code: project.customer_code.clone(),
        approved,
        lines: contract_lines(lines, rng, 2..=5),
        change_orders: change_orders(&project.number, lines, rng),
        in_maestro: approved && project.in_procore && synced(config, rng),
    })
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
