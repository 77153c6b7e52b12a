//! A project's Procore cost codes and the company's cost types (rules §4), read once and
//! kept a short while per connection and project, so a budget or a burst of costs is matched
//! with two calls, never one per line nor one per cost. Entries live [`TTL`]; a flow that
//! finds an activity or group missing may ask for a fresher copy
//! ([`CostCatalog::get_fresh`]). Flows that meet the cache together read it once: a read holds
//! a lock the others wait on, then they find its result.

use bridge_domain::cost_codes::{self, CostCodeMode, CostCodeNode, CostCodeTree};
use bridge_domain::costs::Catalog;
use bridge_procore::Client;
use bridge_procore::models::CostCode;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a project's codes and types are trusted.
pub const TTL: Duration = Duration::from_secs(60);

/// How long costs trust a copy: short, so a cost code added in Procore to fix a failed cost
/// is seen by the cost's next try (its first retry tiers are 5 s and 30 s).
pub const COST_TTL: Duration = Duration::from_secs(20);

/// The cost codes and cost types of one Procore project.
pub struct ProjectCatalog {
    pub tree: CostCodeTree,
    codes: HashMap<i64, CostCode>,
    /// Cost types as `(id, code)`.
    types: Vec<(i64, String)>,
    /// The same codes and types as the cost rules take them.
    costs: Catalog,
}

impl ProjectCatalog {
    pub fn new(codes: Vec<CostCode>, types: Vec<(i64, String)>) -> Self {
        let nodes = codes
            .iter()
            .map(|c| CostCodeNode {
                id: c.id.0,
                code: c.code.clone().unwrap_or_default(),
                parent: c.parent.as_ref().map(|p| p.id.0),
            })
            .collect();
        let tree = CostCodeTree::new(nodes);
        let costs = Catalog {
            codes: tree.clone(),
            types: types
                .iter()
                .map(|(id, code)| (code.trim().to_owned(), *id))
                .filter(|(code, _)| !code.is_empty())
                .collect(),
        };
        ProjectCatalog {
            tree,
            codes: codes.into_iter().map(|c| (c.id.0, c)).collect(),
            types,
            costs,
        }
    }

    /// The codes and types as `bridge_domain::costs` places cost lines on them.
    pub fn costs(&self) -> &Catalog {
        &self.costs
    }

    /// Cost types as `(id, code)`, the shape `cost_codes::cost_type_of` takes.
    pub fn types(&self) -> Vec<(i64, &str)> {
        self.types.iter().map(|(id, c)| (*id, c.as_str())).collect()
    }

    /// The maestro* activity of cost code `id` in `mode` (its `code`, or its full code).
    pub fn activity(&self, id: i64, mode: CostCodeMode) -> Option<String> {
        let code = self.codes.get(&id)?;
        let full = code.full_code.clone().or_else(|| self.tree.full_code(id));
        cost_codes::activity(mode, code.code.as_deref(), full.as_deref())
    }

    /// The maestro* group of cost type `id` (its code).
    pub fn group(&self, id: i64) -> Option<&str> {
        self.types
            .iter()
            .find(|(t, _)| *t == id)
            .map(|(_, code)| code.trim())
            .filter(|c| !c.is_empty())
    }
}

type Entry = (Instant, Arc<ProjectCatalog>);

/// The cache, keyed by connection and Procore project.
#[derive(Default)]
pub struct CostCatalog {
    entries: Mutex<HashMap<(i64, i64), Entry>>,
    /// Held while a catalog is read from Procore.
    reading: tokio::sync::Mutex<()>,
}

impl CostCatalog {
    /// The process's one cache, shared by every flow that matches cost codes.
    pub fn shared() -> Arc<CostCatalog> {
        static SHARED: OnceLock<Arc<CostCatalog>> = OnceLock::new();
        SHARED.get_or_init(Arc::default).clone()
    }

    /// The project's catalog, read from Procore when not cached within [`TTL`].
    pub async fn get(
        &self,
        procore: &Client,
        connection: i64,
        project: i64,
    ) -> Result<Arc<ProjectCatalog>, bridge_procore::Error> {
        self.get_fresh(procore, connection, project, TTL).await
    }

    /// Like [`CostCatalog::get`], trusting a cached copy only when younger than `max_age`.
    pub async fn get_fresh(
        &self,
        procore: &Client,
        connection: i64,
        project: i64,
        max_age: Duration,
    ) -> Result<Arc<ProjectCatalog>, bridge_procore::Error> {
        let key = (connection, project);
        let max_age = max_age.min(TTL);
        if let Some(catalog) = self.cached(key, max_age) {
            return Ok(catalog);
        }
        let _reading = self.reading.lock().await;
        // Another flow may have read it while this one waited.
        if let Some(catalog) = self.cached(key, max_age) {
            return Ok(catalog);
        }
        let codes = procore.cost_codes(project).await?;
        let types = procore
            .line_item_types()
            .await?
            .into_iter()
            .map(|t| (t.id.0, t.code.unwrap_or_default()))
            .collect();
        let catalog = Arc::new(ProjectCatalog::new(codes, types));
        let mut entries = self.lock();
        entries.retain(|_, (at, _)| at.elapsed() < TTL);
        entries.insert(key, (Instant::now(), catalog.clone()));
        Ok(catalog)
    }

    fn cached(&self, key: (i64, i64), max_age: Duration) -> Option<Arc<ProjectCatalog>> {
        self.lock()
            .get(&key)
            .filter(|(at, _)| at.elapsed() < max_age)
            .map(|(_, catalog)| catalog.clone())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(i64, i64), Entry>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_procore::ProcoreId;
    use bridge_procore::models::IdRef;

    fn code(id: i64, code: &str, parent: Option<i64>) -> CostCode {
        CostCode {
            id: ProcoreId(id),
            code: Some(code.into()),
            name: None,
            full_code: None,
            parent: parent.map(|p| IdRef { id: ProcoreId(p) }),
            origin_id: None,
        }
    }

    #[test]
    fn a_procore_cost_code_names_its_activity_by_the_mode_and_a_cost_type_its_group() {
        // rules §4, concatenated row: `01` > `A` > `001` > `01`.
        let catalog = ProjectCatalog::new(
            vec![
                code(1, "01", None),
                code(2, "A", Some(1)),
                code(3, "001", Some(2)),
                code(4, "01", Some(3)),
            ],
            vec![(70, "MAT".into()), (80, " ".into())],
        );
        let cases = [
            (4, CostCodeMode::Concatenated, Some("01-A-001-01")),
            (4, CostCodeMode::Direct, Some("01")),
            (3, CostCodeMode::Concatenated, Some("01-A-001")),
            (9, CostCodeMode::Direct, None),
        ];
        for (id, mode, expected) in cases {
            assert_eq!(
                catalog.activity(id, mode).as_deref(),
                expected,
                "{id} {mode}"
            );
        }
        assert_eq!(catalog.group(70), Some("MAT"));
        assert_eq!(
            catalog.group(80),
            None,
            "a blank cost type code is no group"
        );
        assert_eq!(catalog.types(), [(70, "MAT"), (80, " ")]);
    }
}
