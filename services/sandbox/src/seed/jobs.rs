//! Project-level records of the seeded company: the project itself, its original budget, its
//! maestro* transactions, and the commitments, change orders and prime contract kept in Procore.

use chrono::Days;
use rand::Rng;
use rand::rngs::StdRng;

use super::directory::address;
use super::*;

pub(super) fn project(
    config: &SeedConfig,
    company: &Company,
    rng: &mut StdRng,
    index: usize,
) -> Project {
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
        dated: true,
        active,
        sync_with_procore,
        customer_code,
        in_procore,
    }
}

pub(super) fn budget_lines(
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

pub(super) fn transactions(
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

pub(super) fn contract_lines(
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

pub(super) fn change_orders(
    prefix: &str,
    lines: &[BudgetLine],
    rng: &mut StdRng,
) -> Vec<ChangeOrder> {
    (0..rng.random_range(0..=2usize))
        .map(|k| ChangeOrder {
            number: format!("{prefix}-CO{:02}", k + 1),
            title: format!("Modification {}", k + 1),
            approved: rng.random_bool(0.7),
            lines: contract_lines(lines, rng, 1..=2),
        })
        .collect()
}

pub(super) fn commitments(
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
                description: String::new(),
                retainage_percent: None,
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

pub(super) fn prime_contract(
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
