//! The reconciler's pure planning: which lists each resource is swept from, the window of a
//! pass, the dedup key of a change, the inbox rows a found change becomes, and which of them
//! the inbox already covers. No IO here; `super` reads Procore and Postgres.

use bridge_domain::party::CompanyRecord;
use bridge_domain::resources;
use bridge_domain::{Action, Direction, EntityKind, Source};
use bridge_platform::inbox::NewEvent;
use bridge_procore::changes::{Changed, CompanyList, ProjectList, Window};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::json;
use std::collections::HashMap;
use std::time::Duration;

/// Where a resource's changed records are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lists {
    /// Company-wide lists; all are read.
    Company(&'static [CompanyList]),
    /// Per-project lists, read for every project of the company.
    Project(&'static [ProjectList]),
}

/// A Procore resource the reconciler sweeps.
#[derive(Debug)]
pub struct Resource {
    /// The webhook trigger name; decides the routes, as for a webhook.
    pub name: &'static str,
    pub lists: Lists,
}

/// Every resource reconciled: the routed resources that Procore lists by `updated_at`.
pub const RESOURCES: &[Resource] = &[
    Resource {
        name: "Projects",
        lists: Lists::Company(&[CompanyList::Projects]),
    },
    Resource {
        name: "Company Vendors",
        // The plain list shows active companies only; a deactivation is a change too.
        lists: Lists::Company(&[CompanyList::Vendors, CompanyList::InactiveVendors]),
    },
    Resource {
        name: "Purchase Order Contracts",
        lists: Lists::Project(&[ProjectList::PurchaseOrderContracts]),
    },
    Resource {
        name: "Work Order Contracts",
        lists: Lists::Project(&[ProjectList::WorkOrderContracts]),
    },
    Resource {
        name: "Prime Contracts",
        lists: Lists::Project(&[ProjectList::PrimeContracts]),
    },
    Resource {
        name: "Change Order Packages",
        lists: Lists::Project(&[ProjectList::ChangeOrderPackages]),
    },
];

/// The cursor holding a resource's watermark.
pub fn cursor_name(resource: &str) -> String {
    format!("procore:{}", record_type(resource))
}

/// The watermark a cursor holds; `None` when it holds nothing readable.
pub fn watermark(cursor: Option<&str>) -> Option<DateTime<Utc>> {
    cursor
        .and_then(|p| DateTime::parse_from_rfc3339(p).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// The cursor's next value once a pass up to `to` is committed.
pub fn next_cursor(to: DateTime<Utc>) -> String {
    time(to)
}

/// The window of a pass closing at `now`: from `overlap` before the watermark (so a change on
/// the boundary, or behind a small clock skew, is listed again rather than missed), or from
/// `first_lookback` before now when there is no watermark yet.
pub fn window(
    watermark: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    overlap: Duration,
    first_lookback: Duration,
) -> Window {
    let start = watermark.unwrap_or_else(|| now - first_lookback);
    Window {
        from: start - overlap,
        to: now,
    }
}

/// The dedup key of one change of one Procore record on one route. The webhook path and the
/// reconciler derive it from the same facts: the resource, the record and the time of the
/// change (a webhook's `timestamp`, a listed record's `updated_at`), to the millisecond, which
/// is the precision Procore's records carry.
pub fn change_key(
    resource: &str,
    record: &str,
    changed_at: DateTime<Utc>,
    (kind, direction): (EntityKind, Direction),
) -> String {
    format!(
        "procore:{}:{record}:{}:{kind}.{direction}",
        record_type(resource),
        changed_at.format("%Y-%m-%dT%H:%M:%S%.3fZ")
    )
}

/// The kind of record a trigger resource names: company and project vendor events are about
/// the same directory companies.
fn record_type(resource: &str) -> String {
    let name = resource.to_ascii_lowercase().replace(' ', "_");
    match name.as_str() {
        "company_vendors" | "project_vendors" => "vendors".to_owned(),
        _ => name,
    }
}

/// One change found in a window.
#[derive(Debug, Clone)]
pub struct Found {
    pub record: Changed,
    pub project: Option<i64>,
}

/// The inbox rows a webhook would have written for each found change: one per route, each
/// naming its record as the route wants it (`resources::routes`).
pub fn events(
    connection_id: i64,
    resource: &str,
    found: &[Found],
    window_start: DateTime<Utc>,
) -> Vec<NewEvent> {
    let mut out = Vec::new();
    for f in found {
        let Changed {
            id,
            created_at,
            updated_at,
        } = f.record;
        // Created inside the window: no earlier pass can have seen it.
        let action = if created_at.is_some_and(|c| c >= window_start) {
            Action::Create
        } else {
            Action::Update
        };
        let id_text = id.to_string();
        let project = f.project.map(|p| p.to_string());
        let payload = json!({
            "resource_name": resource,
            "resource_id": id,
            "project_id": f.project,
            "updated_at": time(updated_at),
            "found_by": "reconciler",
        })
        .to_string();
        for feed in resources::routes(resource) {
            let record = feed.record(&id_text);
            out.push(NewEvent {
                connection_id,
                source: Source::ProcoreReconciler,
                dedup_key: change_key(resource, &record, updated_at, feed.route()),
                route: Some(feed.route()),
                ignored_reason: None,
                record,
                project: project.clone(),
                action,
                occurred_at: updated_at,
                payload: payload.clone(),
            });
        }
    }
    out
}

/// The Procore record an event is about: an ignored webhook row (the bridge's own write)
/// names it plainly, whatever route the event feeds.
fn source_record(event: &NewEvent) -> String {
    match CompanyRecord::parse(&event.record) {
        Ok(CompanyRecord::PrimeContract(id)) => id.to_string(),
        _ => event.record.clone(),
    }
}

/// The records whose inbox history decides what is covered.
pub fn records_to_check(events: &[NewEvent]) -> Vec<String> {
    let mut records: Vec<String> = events
        .iter()
        .flat_map(|e| [e.record.clone(), source_record(e)])
        .collect();
    records.sort_unstable();
    records.dedup();
    records
}

/// The latest change the inbox holds per (record, route); route `None` is an ignored row.
pub type Seen = HashMap<(String, Option<String>), DateTime<Utc>>;

/// Splits off the changes the inbox already covers: a row for the same record and route, or
/// an ignored webhook row for the Procore record, that happened at or after the change.
/// Whoever processes that row reloads the record and sees this change too.
pub fn split_covered(events: Vec<NewEvent>, seen: &Seen) -> (Vec<NewEvent>, u64) {
    let covered_by = |record: &str, route: Option<String>, at: DateTime<Utc>| {
        seen.get(&(record.to_owned(), route))
            .is_some_and(|seen_at| *seen_at >= truncated(at))
    };
    let (mut fresh, mut covered) = (Vec::new(), 0);
    for e in events {
        let route = e.route.map(|(k, d)| format!("{k}.{d}"));
        if covered_by(&e.record, route, e.occurred_at)
            || covered_by(&source_record(&e), None, e.occurred_at)
        {
            covered += 1;
        } else {
            fresh.push(e);
        }
    }
    (fresh, covered)
}

/// Procore shows times to the millisecond; compare at that precision.
fn truncated(at: DateTime<Utc>) -> DateTime<Utc> {
    let nanos = at.timestamp_subsec_nanos();
    at - chrono::Duration::nanoseconds(i64::from(nanos % 1_000_000))
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
