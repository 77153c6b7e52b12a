//! Directory records of the seeded company: suppliers, customers and employees, each drawn from
//! its own random stream.

use rand::Rng;
use rand::rngs::StdRng;

use super::*;

pub(super) fn address(rng: &mut StdRng) -> Address {
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

pub(super) fn supplier(config: &SeedConfig, index: usize) -> Supplier {
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

pub(super) fn customer(config: &SeedConfig, index: usize) -> Customer {
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

pub(super) fn employee(config: &SeedConfig, index: usize) -> Employee {
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
