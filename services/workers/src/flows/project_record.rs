//! How every flow of a Procore project record starts (commitments, change orders, prime
//! contracts): the record's and its project's ids from the event, the connection's settings
//! and its Procore client, then the record itself or the skip of one Procore no longer has.

use crate::engine::Context;
use crate::flows::clients::Clients;
use crate::flows::fail::{self, Step};
use crate::flows::settings::FlowSettings;
use crate::outcome::Outcome;
use bridge_domain::ChangeEvent;
use bridge_procore::{Client, optional};
use std::sync::Arc;

/// A Procore record of a project, named by an event, with what its flow needs to read it.
pub(crate) struct ProjectRecord {
    pub id: i64,
    pub project_id: i64,
    pub settings: FlowSettings,
    pub procore: Arc<Client>,
    /// The record in the user's words, e.g. "purchase order".
    pub noun: &'static str,
}

/// The record and project ids an event names; an event naming no such ids is dead (it can
/// never become readable).
pub(crate) fn ids(event: &ChangeEvent, noun: &str) -> Step<(i64, i64)> {
    let Ok(id) = event.record.trim().parse::<i64>() else {
        return Err(Outcome::Dead(format!(
            "`{}` is not a Procore {noun} id",
            event.record
        )));
    };
    let Some(project_id) = event
        .project
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
    else {
        return Err(Outcome::Dead(format!(
            "the event of {noun} {id} names no Procore project"
        )));
    };
    Ok((id, project_id))
}

impl ProjectRecord {
    /// Reads the event's ids, the connection's settings and its Procore client.
    pub(crate) async fn open(
        ctx: &Context,
        clients: &dyn Clients,
        event: &ChangeEvent,
        noun: &'static str,
    ) -> Step<ProjectRecord> {
        let (id, project_id) = ids(event, noun)?;
        let connection = event.connection_id;
        let settings = FlowSettings::load(&ctx.pool, connection)
            .await
            .map_err(|e| fail::setup(e.into()))?;
        let procore = clients.procore(connection).await.map_err(fail::setup)?;
        Ok(ProjectRecord {
            id,
            project_id,
            settings,
            procore,
            noun,
        })
    }

    /// What a read of the record gave: the record, or the skip of one Procore no longer has.
    pub(crate) fn found<T>(&self, read: Result<T, bridge_procore::Error>) -> Step<T> {
        let (noun, id) = (self.noun, self.id);
        optional(read)
            .map_err(|e| fail::procore(&format!("reading {noun} {id}"), e))?
            .ok_or_else(|| Outcome::Skipped {
                reason: format!("{noun} {id} no longer exists in Procore; nothing to send"),
                description: None,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_domain::{Action, Direction, EntityKind, Source};

    fn event(record: &str, project: Option<&str>) -> ChangeEvent {
        ChangeEvent {
            event_id: uuid::Uuid::nil(),
            connection_id: 1,
            kind: EntityKind::Subcontract,
            direction: Direction::ToMaestro,
            source: Source::Manual,
            action: Action::Create,
            record: record.into(),
            project: project.map(str::to_owned),
            occurred_at: chrono::Utc::now(),
            dedup_key: "k".into(),
        }
    }

    #[test]
    fn an_event_names_its_record_and_project_or_is_dead_saying_which() {
        let cases = [
            ("42", Some("7"), Ok((42, 7))),
            (" 42 ", Some(" 7 "), Ok((42, 7))),
            ("x", Some("7"), Err("`x` is not a Procore subcontract id")),
            (
                "42",
                None,
                Err("the event of subcontract 42 names no Procore project"),
            ),
            (
                "42",
                Some("P-1"),
                Err("the event of subcontract 42 names no Procore project"),
            ),
        ];
        for (record, project, expected) in cases {
            let got = ids(&event(record, project), "subcontract");
            match (got, expected) {
                (Ok(got), Ok(want)) => assert_eq!(got, want),
                (Err(Outcome::Dead(why)), Err(want)) => assert_eq!(why, want),
                (got, want) => panic!("{record}: {got:?} vs {want:?}"),
            }
        }
    }
}
