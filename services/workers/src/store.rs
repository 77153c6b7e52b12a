//! Recording an outcome: sync item, attempt and link in one transaction.

use crate::outcome::SyncedLink;
use crate::outcome::{API_LIMIT_WAITING_ON, Note, NoteLevel, Outcome, procore_key, waiting_key};
use bridge_domain::{ChangeEvent, EntityKind};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::Duration;

/// How the engine will settle the delivery, decided before recording so the sync item's
/// status says what really happens to the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settle {
    Ack,
    Retry,
    DeadLetter(String),
}

/// What recording produced.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The `waiting_on` keys of a link this outcome created (by maestro* key and by Procore
    /// id), to wake the items waiting on it.
    pub new_links: Vec<String>,
}

pub async fn record(
    pool: &PgPool,
    event: &ChangeEvent,
    outcome: &Outcome,
    settle: &Settle,
    started: DateTime<Utc>,
    took: Duration,
) -> Result<Recorded, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // The link first: a link that contradicts an existing one turns the outcome into a failure.
    let mut new_links = Vec::new();
    let mut conflict = None;
    if let Outcome::Synced {
        link: Some(link), ..
    } = outcome
    {
        match insert_link(&mut tx, event, link).await? {
            LinkWrite::New => {
                new_links.push(waiting_key(event.kind, &link.maestro_key));
                new_links.push(waiting_key(event.kind, &procore_key(link.procore_id)));
            }
            LinkWrite::Same => {}
            LinkWrite::Conflict(why) => {
                tracing::warn!(connection = event.connection_id, kind = %event.kind, record = %event.record, reason = %why, "link conflict");
                conflict = Some(Outcome::Fail(why));
            }
        }
    }
    let outcome = conflict.as_ref().unwrap_or(outcome);
    let (status, waiting_on, note, description) = describe(outcome, settle);
    let current: Option<(i64, Value)> = sqlx::query_as(
        "SELECT id, messages FROM sync_items
         WHERE connection_id = $1 AND kind = $2 AND direction = $3 AND record_key = $4
         FOR UPDATE",
    )
    .bind(event.connection_id)
    .bind(event.kind.as_str())
    .bind(event.direction.as_str())
    .bind(&event.record)
    .fetch_optional(&mut *tx)
    .await?;
    let mut messages = current
        .as_ref()
        .and_then(|(_, m)| m.as_array().cloned())
        .unwrap_or_default();
    for n in note {
        // A message repeated on every retry says nothing new: keep the first.
        let same_as_last = messages
            .last()
            .is_some_and(|last| last["text"] == json!(n.text) && last["level"] == json!(n.level));
        if !same_as_last {
            messages.push(json!({ "level": n.level, "text": n.text, "at": Utc::now() }));
        }
    }
    let item_id: i64 = sqlx::query_scalar(
        "INSERT INTO sync_items (connection_id, kind, direction, record_key, description, status,
                                 attempts, waiting_on, messages, last_event_id)
         VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9)
         ON CONFLICT (connection_id, kind, direction, record_key) DO UPDATE SET
             description = COALESCE(EXCLUDED.description, sync_items.description),
             status = EXCLUDED.status,
             attempts = sync_items.attempts + 1,
             waiting_on = EXCLUDED.waiting_on,
             messages = EXCLUDED.messages,
             last_event_id = EXCLUDED.last_event_id,
             updated_at = now()
         RETURNING id",
    )
    .bind(event.connection_id)
    .bind(event.kind.as_str())
    .bind(event.direction.as_str())
    .bind(&event.record)
    .bind(description)
    .bind(status)
    .bind(&waiting_on)
    .bind(Value::Array(messages))
    .bind(event.event_id)
    .fetch_one(&mut *tx)
    .await?;
    let attempt: i32 =
        sqlx::query_scalar("SELECT count(*)::int + 1 FROM sync_attempts WHERE sync_item_id = $1")
            .bind(item_id)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO sync_attempts (sync_item_id, event_id, attempt, outcome, started_at,
                                    duration_ms, summary)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(item_id)
    .bind(event.event_id)
    .bind(attempt)
    .bind(outcome.label())
    .bind(started)
    .bind(i32::try_from(took.as_millis()).unwrap_or(i32::MAX))
    .bind(summary(outcome))
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Recorded { new_links })
}

/// What writing a link found.
#[derive(Debug, PartialEq, Eq)]
enum LinkWrite {
    New,
    /// The same link was already there (a redelivery).
    Same,
    /// Another link holds the maestro* key or the Procore id: the message names both records.
    Conflict(String),
}

/// Inserts the link unless it exists; a different link on either side is a conflict, never
/// silently kept (architecture, "Sync engine").
async fn insert_link(
    tx: &mut sqlx::PgConnection,
    event: &ChangeEvent,
    link: &SyncedLink,
) -> Result<LinkWrite, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO links (connection_id, kind, maestro_key, procore_id, procore_project_id,
                            origin)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT DO NOTHING",
    )
    .bind(event.connection_id)
    .bind(event.kind.as_str())
    .bind(&link.maestro_key)
    .bind(link.procore_id)
    .bind(link.procore_project_id)
    .bind(link.origin)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted > 0 {
        return Ok(LinkWrite::New);
    }
    let existing: Vec<(String, i64)> = sqlx::query_as(
        "SELECT maestro_key, procore_id FROM links
         WHERE connection_id = $1 AND kind = $2 AND (maestro_key = $3 OR procore_id = $4)",
    )
    .bind(event.connection_id)
    .bind(event.kind.as_str())
    .bind(&link.maestro_key)
    .bind(link.procore_id)
    .fetch_all(&mut *tx)
    .await?;
    Ok(compare_links(
        event.kind,
        (&link.maestro_key, link.procore_id),
        &existing,
    ))
}

/// Compares a new link with the links already holding its maestro* key or its Procore id.
fn compare_links(kind: EntityKind, new: (&str, i64), existing: &[(String, i64)]) -> LinkWrite {
    let (key, id) = new;
    let mut clashes = Vec::new();
    for (other_key, other_id) in existing {
        if other_key == key && *other_id == id {
            continue;
        }
        clashes.push(if other_key == key {
            format!("maestro* {kind} {key} is already linked to Procore id {other_id}")
        } else {
            format!("Procore id {id} is already linked to maestro* {kind} {other_key}")
        });
    }
    if clashes.is_empty() {
        return LinkWrite::Same;
    }
    LinkWrite::Conflict(format!(
        "link conflict: this run matched maestro* {kind} {key} with Procore id {id}, but {}; \
         check both records and remove the wrong link before synchronizing again",
        clashes.join(", and ")
    ))
}

/// Marks the record's sync item `running` while its handler works (the synchronization
/// window's "running", rules §3). The attempt is counted when its outcome is recorded.
pub async fn mark_running(pool: &PgPool, event: &ChangeEvent) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO sync_items (connection_id, kind, direction, record_key, status, attempts,
                                 messages, last_event_id)
         VALUES ($1, $2, $3, $4, 'running', 0, '[]'::jsonb, $5)
         ON CONFLICT (connection_id, kind, direction, record_key) DO UPDATE SET
             status = 'running',
             last_event_id = EXCLUDED.last_event_id,
             updated_at = now()",
    )
    .bind(event.connection_id)
    .bind(event.kind.as_str())
    .bind(event.direction.as_str())
    .bind(&event.record)
    .bind(event.event_id)
    .execute(pool)
    .await?;
    Ok(())
}

/// Status, waiting-on key, note and description for the sync item.
fn describe(
    outcome: &Outcome,
    settle: &Settle,
) -> (&'static str, Option<String>, Vec<Note>, Option<String>) {
    if let Settle::DeadLetter(reason) = settle {
        return ("dead", None, vec![Note::error(reason.clone())], None);
    }
    match outcome {
        Outcome::Synced {
            notes, description, ..
        } => ("synced", None, notes.clone(), description.clone()),
        Outcome::Skipped {
            reason,
            description,
        } => (
            "skipped",
            None,
            vec![Note {
                level: NoteLevel::Info,
                text: reason.clone(),
            }],
            description.clone(),
        ),
        Outcome::Wait(dep) => (
            "waiting",
            Some(dep.key()),
            vec![Note {
                level: NoteLevel::Info,
                text: dep.description.clone(),
            }],
            None,
        ),
        Outcome::Retry(why) => (
            "pending",
            None,
            vec![Note::warning(format!("will try again: {why}"))],
            None,
        ),
        Outcome::ApiLimit(why) => (
            "waiting",
            Some(API_LIMIT_WAITING_ON.to_owned()),
            vec![Note {
                level: NoteLevel::Info,
                text: why.clone(),
            }],
            None,
        ),
        Outcome::Fail(why) => ("failed", None, vec![Note::error(why.clone())], None),
        Outcome::Dead(why) => ("dead", None, vec![Note::error(why.clone())], None),
    }
}

fn summary(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Synced { link, .. } => link
            .as_ref()
            .map(|l| format!("linked {} to Procore id {}", l.maestro_key, l.procore_id)),
        Outcome::Skipped { reason, .. } => Some(reason.clone()),
        Outcome::Wait(dep) => Some(dep.description.clone()),
        Outcome::Retry(why) | Outcome::ApiLimit(why) | Outcome::Fail(why) | Outcome::Dead(why) => {
            Some(why.clone())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_new_the_same_or_a_conflict_naming_both_records() {
        let kind = EntityKind::Supplier;
        let held = |k: &str, id: i64| vec![(k.to_owned(), id)];
        // Links already held, and the words a conflict must name (`None`: no conflict).
        type Case<'a> = (&'a [(String, i64)], Option<&'a [&'a str]>);
        let cases: [Case; 4] = [
            // The same link again: a redelivery, fine.
            (&held("BETON01", 7), None),
            // The maestro* key is linked to another Procore record.
            (
                &held("BETON01", 9),
                Some(&["BETON01", "Procore id 9", "Procore id 7"]),
            ),
            // The Procore record is linked to another maestro* key.
            (
                &held("BETON02", 7),
                Some(&["BETON02", "BETON01", "Procore id 7"]),
            ),
            // Both at once.
            (
                &[("BETON01".into(), 9), ("BETON02".into(), 7)],
                Some(&["Procore id 9", "BETON02", ", and "]),
            ),
        ];
        for (existing, expected) in cases {
            match (compare_links(kind, ("BETON01", 7), existing), expected) {
                (LinkWrite::Same, None) => {}
                (LinkWrite::Conflict(why), Some(words)) => {
                    for w in words {
                        assert!(why.contains(w), "{why} lacks {w}");
                    }
                }
                (other, _) => panic!("{existing:?}: unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn a_record_held_by_the_api_limit_is_waiting_and_says_so() {
        let outcome = Outcome::api_limit("Procore's API call limit was reached");
        let (status, waiting_on, notes, _) = describe(&outcome, &Settle::Retry);
        assert_eq!(status, "waiting");
        assert_eq!(waiting_on.as_deref(), Some(API_LIMIT_WAITING_ON));
        assert!(
            notes[0].text.starts_with("waiting for API limit"),
            "{notes:?}"
        );
        let (status, waiting_on, _, _) = describe(&Outcome::Retry("503".into()), &Settle::Retry);
        assert_eq!((status, waiting_on), ("pending", None));
        let last = Settle::DeadLetter("gave up".into());
        assert_eq!(describe(&outcome, &last).0, "dead");
    }
}
