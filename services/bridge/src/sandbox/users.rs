//! The simulated users of `bridge up --sandbox`: an accountant in maestro*, and a project
//! manager in Procore who approves drafts, drafts new commitments, approves change orders on
//! subcontracts and prime contracts, creates projects and edits linked companies, so the
//! showcase's rules keep happening while the bridge runs.

use bridge_maestro as mx;
use bridge_sandbox::procore;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom as _;
use rand::{Rng as _, SeedableRng as _};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use super::Sandbox;

impl Sandbox {
    /// Acts as users of both systems every `every` until `shutdown`: an accountant transfers
    /// a new cost in maestro* at every turn; in Procore, a project manager approves a draft
    /// commitment every second turn, drafts a new one every third, approves a change order every
    /// fourth (on a subcontract and on a prime contract in turn, so the budget's Approved COs
    /// move), creates a project every fifth, and edits a linked company every seventh (creation
    /// only: the edit stays in Procore).
    pub async fn simulate(self, every: Duration, seed: u64, shutdown: CancellationToken) {
        if every.is_zero() {
            return;
        }
        let mut rng = StdRng::seed_from_u64(seed);
        let mut tick = tokio::time::interval(every);
        tick.tick().await;
        let mut acted = 0u64;
        loop {
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = tick.tick() => {}
            }
            acted += 1;
            if let Some(what) = self.new_cost(&mut rng, acted) {
                tracing::info!(target: "sandbox", "maestro* user: {what}");
            }
            let procore_user = [
                (
                    2,
                    Self::approve_commitment as fn(&Self, &mut StdRng, u64) -> Option<String>,
                ),
                (3, Self::draft_commitment),
                (4, Self::approve_change_order),
                (5, Self::create_project),
                (7, Self::edit_vendor),
            ];
            for (every, act) in procore_user {
                if acted.is_multiple_of(every)
                    && let Some(what) = act(&self, &mut rng, acted / every)
                {
                    tracing::info!(target: "sandbox", "Procore user: {what}");
                }
            }
        }
    }

    fn new_cost(&self, rng: &mut StdRng, n: u64) -> Option<String> {
        let projects: Vec<_> = self
            .seed
            .projects
            .iter()
            // The showcase's undated project never reaches Procore; its costs would only wait.
            .filter(|p| p.active && p.sync_with_procore && p.dated)
            .collect();
        let project = projects.choose(rng)?;
        let code = mx::ProjectCode::new(project.number.clone()).ok()?;
        let amount = rng.random_range(10_000..2_500_000);
        let transaction = mx::Transaction {
            // A key of its own, so it never meets one of the seeded transactions.
            id: format!("SIM-{n:08}"),
            project: code,
            type_code: mx::TypeCode::PROJECT_PURCHASE,
            status: mx::TransactionStatus::NotTransferred,
            approved: true,
            entry_date: chrono::Utc::now().date_naive(),
            accounting_date: chrono::Utc::now().date_naive(),
            description: Some("Matériaux livrés au chantier".to_owned()),
            supplier_code: self.seed.suppliers.choose(rng).map(|s| s.code.clone()),
            employee_number: None,
            invoice_no: Some(format!("F-{}", rng.random_range(10_000..99_999))),
            order_no: None,
            amount: mx::Amount::from_units(amount),
            lines: vec![],
        };
        let company = &self.maestro_company;
        let id = self.maestro.add_transaction(company, transaction).ok()?;
        self.maestro
            .transfer_transactions(company, &project.number)
            .ok()?;
        Some(format!(
            "transferred cost {id} of {}.{:02} $ on project {}",
            amount / 100,
            amount % 100,
            project.number
        ))
    }

    fn approve_commitment(&self, rng: &mut StdRng, _: u64) -> Option<String> {
        let mut drafts = Vec::new();
        for (kind, what) in [
            (procore::Kind::PurchaseOrderContract, "purchase order"),
            (procore::Kind::WorkOrderContract, "subcontract"),
        ] {
            for &project in &self.procore_projects {
                for id in self.procore.list_ids(kind, project) {
                    let Some(json) = self.procore.get_json(kind, id) else {
                        continue;
                    };
                    if json["status"] != "Approved" {
                        let number = json["number"].as_str().unwrap_or_default().to_owned();
                        drafts.push((id, what, number));
                    }
                }
            }
        }
        let (id, what, number) = drafts.choose(rng)?.clone();
        self.procore.approve_commitment(id)?;
        Some(format!("approved {what} {number} ({id})"))
    }

    /// A draft purchase order or subcontract, with a title, description, retainage and one
    /// line, on a linked project and for a linked supplier; approved on a later turn.
    fn draft_commitment(&self, rng: &mut StdRng, n: u64) -> Option<String> {
        let projects: Vec<_> = self
            .seed
            .projects
            .iter()
            .filter(|p| p.in_procore && p.active)
            .collect();
        let project = projects.choose(rng)?;
        let project_id = *self.loaded.projects.get(&project.number)?;
        let linked: Vec<_> = self
            .seed
            .suppliers
            .iter()
            .filter(|s| s.in_procore)
            .collect();
        let supplier = linked.choose(rng)?;
        let vendor_id = *self.loaded.vendors.get(&supplier.code)?;
        let leaves: Vec<_> = self.seed.cost_codes.iter().filter(|c| c.leaf).collect();
        let leaf = leaves.choose(rng)?;
        let key = (project.number.clone(), leaf.full_code.clone());
        let line = procore::AdminLine {
            cost_code_id: *self.loaded.cost_codes.get(&key)?,
            line_item_type_id: *self.loaded.line_item_types.get("MAT")?,
            amount: f64::from(rng.random_range(1_000..50_000u32)),
            description: format!("Fournitures {}", leaf.full_code),
        };
        let subcontract = n.is_multiple_of(2);
        let draft = procore::DraftCommitment {
            subcontract,
            project_id,
            vendor_id,
            title: format!("Commande {n} - {}", supplier.name),
            description: "Livraison au chantier, selon la soumission jointe".to_owned(),
            retainage_percent: if subcontract { 10.0 } else { 5.0 },
            lines: vec![line],
        };
        let id = self.procore.draft_commitment(&draft)?;
        let kind = if subcontract {
            "subcontract"
        } else {
            "purchase order"
        };
        let kind_of = if subcontract {
            procore::Kind::WorkOrderContract
        } else {
            procore::Kind::PurchaseOrderContract
        };
        let json = self.procore.get_json(kind_of, id)?;
        let number = json["number"].as_str().unwrap_or_default();
        Some(format!(
            "drafted {kind} {number} ({id}) for {} on project {}",
            supplier.code, project.number
        ))
    }

    /// An approved change order of one line on an approved subcontract (odd turns) or on a
    /// project's prime contract (even turns), falling back to the other when there is none.
    fn approve_change_order(&self, rng: &mut StdRng, n: u64) -> Option<String> {
        let on_prime = n.is_multiple_of(2);
        self.change_order_on(rng, n, on_prime)
            .or_else(|| self.change_order_on(rng, n, !on_prime))
    }

    fn change_order_on(&self, rng: &mut StdRng, n: u64, prime: bool) -> Option<String> {
        let (kind, what) = if prime {
            (procore::Kind::PrimeContract, "prime contract")
        } else {
            (procore::Kind::WorkOrderContract, "subcontract")
        };
        let mut contracts = Vec::new();
        for project in self.seed.projects.iter().filter(|p| p.in_procore) {
            let Some(&project_id) = self.loaded.projects.get(&project.number) else {
                continue;
            };
            for id in self.procore.list_ids(kind, project_id) {
                let Some(json) = self.procore.get_json(kind, id) else {
                    continue;
                };
                // Change orders go on approved subcontracts; a prime contract takes them as is.
                if prime || json["status"] == "Approved" {
                    let number = json["number"].as_str().unwrap_or_default().to_owned();
                    contracts.push((id, project.number.clone(), number));
                }
            }
        }
        let (contract_id, project, number) = contracts.choose(rng)?.clone();
        let leaves: Vec<_> = self.seed.cost_codes.iter().filter(|c| c.leaf).collect();
        let leaf = leaves.choose(rng)?;
        let line = procore::AdminLine {
            cost_code_id: *self
                .loaded
                .cost_codes
                .get(&(project.clone(), leaf.full_code.clone()))?,
            line_item_type_id: *self.loaded.line_item_types.get("MAT")?,
            amount: f64::from(rng.random_range(500..20_000u32)),
            description: format!("Travaux supplémentaires {}", leaf.full_code),
        };
        let title = format!("Modification {n} - {}", leaf.full_code);
        let id = self
            .procore
            .create_change_order(contract_id, &title, "approved", &[line])?;
        let co = self.procore.get_json(procore::Kind::ChangeOrder, id)?;
        let co_number = co["number"].as_str().unwrap_or_default();
        Some(format!(
            "approved change order {co_number} ({id}) on {what} {number} of project {project}"
        ))
    }

    /// A later edit of a linked company's phone number, which the bridge records as skipped.
    fn edit_vendor(&self, rng: &mut StdRng, n: u64) -> Option<String> {
        let linked: Vec<_> = self
            .seed
            .suppliers
            .iter()
            .filter(|s| s.in_procore)
            .collect();
        let supplier = linked.choose(rng)?;
        let id = *self.loaded.vendors.get(&supplier.code)?;
        let phone = format!("514-555-{:04}", n % 10_000);
        let change = [("business_phone", serde_json::json!(phone))];
        self.procore.edit(procore::Kind::Vendor, id, &change)?;
        Some(format!("changed the phone of {} to {phone}", supplier.code))
    }

    /// A project entered in Procore alone, with a valid Job Number.
    fn create_project(&self, _: &mut StdRng, n: u64) -> Option<String> {
        let start = chrono::Utc::now().date_naive();
        let project = procore::NewProject {
            number: format!("PM-{n:04}"),
            name: format!("Projet du gestionnaire {n}"),
            address: "455 rue Saint-Jacques".to_owned(),
            city: "Montreal".to_owned(),
            start_date: start,
            completion_date: start.checked_add_days(chrono::Days::new(300))?,
        };
        let id = self
            .procore
            .create_project(self.procore_company_id, &project);
        Some(format!("created project {} ({id})", project.number))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Args, start};
    use super::*;

    fn args() -> Args {
        Args {
            projects: 3,
            seed: 42,
            activity_every: Duration::ZERO,
            procore_addr: "127.0.0.1:0".parse().expect("address"),
            maestro_addr: "127.0.0.1:0".parse().expect("address"),
        }
    }

    /// Marks of Rust's debug formatting that have no place in a log line a person reads.
    fn debug_syntax(line: &str) -> Option<&'static str> {
        ["Some(", "None", "Ok(", "Err(", " { ", "\"", "[]", "::"]
            .into_iter()
            .find(|mark| line.contains(mark))
    }

    #[tokio::test]
    async fn what_the_sandbox_logs_is_plain_words() {
        let shutdown = CancellationToken::new();
        let sandbox = start(&args(), &shutdown).await.expect("sandbox");
        let mut rng = StdRng::seed_from_u64(3);
        let mut lines = vec![sandbox.describe()];
        lines.extend(sandbox.new_cost(&mut rng, 1));
        lines.extend(sandbox.approve_commitment(&mut rng, 0));
        lines.extend(sandbox.draft_commitment(&mut rng, 1));
        lines.extend(sandbox.approve_change_order(&mut rng, 1));
        lines.extend(sandbox.approve_change_order(&mut rng, 2));
        lines.extend(sandbox.create_project(&mut rng, 1));
        lines.extend(sandbox.edit_vendor(&mut rng, 1));
        assert_eq!(lines.len(), 8, "every simulated user acted: {lines:?}");
        for line in &lines {
            assert_eq!(debug_syntax(line), None, "{line}");
        }
        assert_eq!(debug_syntax("Some(3)"), Some("Some("));
        shutdown.cancel();
    }

    #[tokio::test]
    async fn the_procore_user_drafts_approves_every_draft_later_and_creates_a_project() {
        let shutdown = CancellationToken::new();
        let sandbox = start(&args(), &shutdown).await.expect("sandbox");
        let mut rng = StdRng::seed_from_u64(7);
        let drafted = sandbox.draft_commitment(&mut rng, 1).expect("a draft");
        assert!(drafted.starts_with("drafted "), "{drafted}");
        let mut approved = Vec::new();
        while let Some(what) = sandbox.approve_commitment(&mut rng, 0) {
            approved.push(what);
            assert!(approved.len() < 100, "drafts never run out");
        }
        // The showcase's two drafts and the new one, each named by kind and number.
        assert!(
            approved.iter().any(|a| a.contains("PO-VIT-001")),
            "{approved:?}"
        );
        assert!(
            approved
                .iter()
                .any(|a| a.contains("subcontract SC-VIT-002"))
        );
        assert!(approved.iter().any(|a| a.contains("SIM-")), "{approved:?}");
        for (n, on) in [(1, "subcontract"), (2, "prime contract")] {
            let what = sandbox
                .approve_change_order(&mut rng, n)
                .expect("a change order");
            assert!(what.starts_with("approved change order "), "{what}");
            assert!(what.contains(&format!(" on {on} ")), "{what}");
            let id: i64 = what
                .split_once('(')
                .and_then(|(_, rest)| rest.split_once(')'))
                .and_then(|(id, _)| id.parse().ok())
                .expect("the change order's id");
            let co = sandbox
                .procore
                .get_json(procore::Kind::ChangeOrder, id)
                .expect("the change order");
            assert_eq!(co["status"], "approved", "{co}");
        }
        let created = sandbox.create_project(&mut rng, 1).expect("a project");
        assert!(created.starts_with("created project PM-0001"), "{created}");
        let id: i64 = created
            .rsplit_once('(')
            .and_then(|(_, id)| id.trim_end_matches(')').parse().ok())
            .expect("the new project's id");
        let project = sandbox.procore.get_json(procore::Kind::Project, id);
        assert!(project.is_some_and(|p| p["project_number"] == "PM-0001"));
        shutdown.cancel();
    }
}
