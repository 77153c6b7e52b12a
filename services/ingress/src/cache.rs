//! The connection settings the ingress has read lately, bounded so that requests naming
//! random connections cannot grow it without end (architecture, "Ingress").
//!
//! Known connections are few; unknown names are remembered too (so a retried delivery to a
//! removed connection does not query Postgres each time), and they are what gets dropped
//! first when the cache is full.

use bridge_platform::connections::WebhookSettings;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A connection's settings, or `None` when no connection has the name.
pub type Found = Option<Arc<WebhookSettings>>;

/// Whether `name` can be a connection's name at all (the `connections.name` check: a lower
/// case letter or digit, then up to 62 of those, `_` or `-`). Checked before any lookup.
pub fn is_connection_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let allowed = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    matches!(bytes.first(), Some(b) if allowed(b))
        && bytes.len() <= 63
        && bytes[1..]
            .iter()
            .all(|b| allowed(b) || *b == b'_' || *b == b'-')
}

/// Settings by connection name, each trusted for `ttl`, at most `capacity` names.
#[derive(Debug)]
pub struct SettingsCache {
    entries: HashMap<String, (Instant, Found)>,
    ttl: Duration,
    capacity: usize,
}

impl SettingsCache {
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        SettingsCache {
            entries: HashMap::new(),
            ttl,
            capacity: capacity.max(1),
        }
    }

    /// The cached answer for `name`, when still fresh at `now`.
    pub fn get(&self, name: &str, now: Instant) -> Option<Found> {
        let (at, found) = self.entries.get(name)?;
        (now.saturating_duration_since(*at) < self.ttl).then(|| found.clone())
    }

    /// Remembers the answer for `name`. When full, stale entries go first, then unknown
    /// names, then everything (known connections are read again on their next delivery).
    pub fn insert(&mut self, name: &str, found: Found, now: Instant) {
        if self.entries.len() >= self.capacity && !self.entries.contains_key(name) {
            let ttl = self.ttl;
            self.entries
                .retain(|_, (at, _)| now.saturating_duration_since(*at) < ttl);
            if self.entries.len() >= self.capacity {
                self.entries.retain(|_, (_, found)| found.is_some());
            }
            if self.entries.len() >= self.capacity {
                self.entries.clear();
            }
        }
        self.entries.insert(name.to_owned(), (now, found));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(id: i64) -> Found {
        Some(Arc::new(WebhookSettings {
            id,
            name: format!("c{id}"),
            enabled: true,
            oauth_client_id: None,
            webhook_auth_sha256: Vec::new(),
        }))
    }

    #[test]
    fn connection_names_have_the_shape_the_table_allows() {
        let long = "a".repeat(63);
        let too_long = "a".repeat(64);
        let cases: &[(&str, bool)] = &[
            ("acme", true),
            ("sandbox", true),
            ("0-acme_2", true),
            (&long, true),
            ("", false),
            (&too_long, false),
            ("Acme", false),
            ("-acme", false),
            ("_acme", false),
            ("ac me", false),
            ("acme\0", false),
            ("acmé", false),
            ("../acme", false),
        ];
        for (name, expected) in cases {
            assert_eq!(is_connection_name(name), *expected, "{name:?}");
        }
    }

    #[test]
    fn the_cache_never_holds_more_than_its_capacity() {
        let t0 = Instant::now();
        let mut cache = SettingsCache::new(Duration::from_secs(5), 100);
        cache.insert("acme", settings(1), t0);
        for n in 0..10_000 {
            cache.insert(&format!("random{n}"), None, t0);
            assert!(cache.len() <= 100, "{} after {n}", cache.len());
        }
        // A known connection outlives the unknown names that filled the cache.
        assert!(cache.get("acme", t0).unwrap().is_some());
    }

    #[test]
    fn an_entry_is_trusted_for_its_ttl_only() {
        let t0 = Instant::now();
        let mut cache = SettingsCache::new(Duration::from_secs(5), 10);
        cache.insert("acme", settings(1), t0);
        cache.insert("gone", None, t0);
        assert!(
            cache
                .get("acme", t0 + Duration::from_secs(4))
                .unwrap()
                .is_some()
        );
        assert_eq!(cache.get("gone", t0).map(|f| f.is_none()), Some(true));
        assert!(cache.get("acme", t0 + Duration::from_secs(5)).is_none());
        assert!(cache.get("other", t0).is_none());
    }

    #[test]
    fn stale_entries_are_dropped_before_fresh_ones() {
        let t0 = Instant::now();
        let later = t0 + Duration::from_secs(10);
        let mut cache = SettingsCache::new(Duration::from_secs(5), 3);
        cache.insert("old1", settings(1), t0);
        cache.insert("old2", settings(2), t0);
        cache.insert("fresh", settings(3), later);
        cache.insert("new", settings(4), later);
        assert_eq!(cache.len(), 2);
        assert!(cache.get("fresh", later).is_some());
        assert!(cache.get("new", later).is_some());
    }
}
