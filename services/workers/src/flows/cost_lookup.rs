//! A project's Procore cost codes and cost types, read once per project and kept for a short
//! time (ENTITIES §4 as issue 11 asks: never once per line, nor once per cost), so a burst
//! of costs for one project costs two reads.

use bridge_domain::cost_codes::{CostCodeNode, CostCodeTree};
use bridge_domain::costs::Catalog;
use bridge_procore::Client;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a read catalog is used: short, so a cost code added in Procore to fix a failed
/// cost is seen by the cost's next try (its first retry tier is 5 s, the next 30 s).
pub const CATALOG_LIFE: Duration = Duration::from_secs(20);

/// Catalogs by connection and Procore project.
#[derive(Default)]
pub struct CostLookup {
    entries: Mutex<HashMap<(i64, i64), (Instant, Arc<Catalog>)>>,
}

impl CostLookup {
    fn cached(&self, key: (i64, i64)) -> Option<Arc<Catalog>> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(&key)
            .filter(|(at, _)| at.elapsed() < CATALOG_LIFE)
            .map(|(_, c)| c.clone())
    }

    /// The catalog of `project_id`, from the cache while it is fresh.
    pub async fn catalog(
        &self,
        procore: &Client,
        connection: i64,
        project_id: i64,
    ) -> Result<Arc<Catalog>, bridge_procore::Error> {
        let key = (connection, project_id);
        if let Some(catalog) = self.cached(key) {
            return Ok(catalog);
        }
        let codes = procore.cost_codes(project_id).await?;
        let types = procore.line_item_types().await?;
        let nodes = codes
            .into_iter()
            .map(|c| CostCodeNode {
                id: c.id.0,
                code: c.code.unwrap_or_default(),
                parent: c.parent.map(|p| p.id.0),
            })
            .collect();
        let types = types
            .into_iter()
            .filter_map(|t| Some((t.code?.trim().to_owned(), t.id.0)))
            .collect();
        let catalog = Arc::new(Catalog {
            codes: CostCodeTree::new(nodes),
            types,
        });
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (at, _)| at.elapsed() < CATALOG_LIFE);
        entries.insert(key, (Instant::now(), catalog.clone()));
        Ok(catalog)
    }
}
