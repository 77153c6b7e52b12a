//! The create-once sequence every creation flow shares (rules §3, "Link by code" and
//! "External ids"), towards either system:
//!
//! 1. the record is linked already → synced again (a redelivery) or skipped (a later change);
//! 2. the target has a record with the same code → linked (`linked_by_code`), unless another
//!    record of the source is linked to it;
//! 3. the target has what a crashed attempt created (Procore `origin_id`, maestro* external
//!    number) → linked as created;
//! 4. else created and linked; when another attempt created it a moment ago (Procore's 422
//!    on `origin_id`, maestro*'s duplicate code or external number) the record is linked to
//!    that one, or tried again so the next attempt finds it.
//!
//! Each flow gives its lookups and its creation as async closures; the mapping of fields is
//! done by the flow's pure functions before or inside `create`.

use crate::engine::Context;
use crate::flows::fail::{self, Step};
use crate::flows::links::{self, Link};
use crate::outcome::{Note, Outcome, SyncedLink};
use bridge_domain::{ChangeEvent, EntityKind};
use bridge_maestro::{MaestroError, RejectCode};

/// Where the link's Procore project id comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProjectOf {
    /// A company-level record (suppliers, customers, employees).
    None,
    /// The record is the project itself.
    Itself,
    /// A record inside this Procore project.
    Project(i64),
}

impl ProjectOf {
    fn id(self, procore_id: i64) -> Option<i64> {
        match self {
            ProjectOf::None => None,
            ProjectOf::Itself => Some(procore_id),
            ProjectOf::Project(id) => Some(id),
        }
    }
}

/// One record going through the sequence.
pub struct Once<'a> {
    pub ctx: &'a Context,
    pub event: &'a ChangeEvent,
    pub kind: EntityKind,
    /// The record in the user's words, e.g. "supplier BETON01 (Béton Laval)".
    pub description: String,
    pub project: ProjectOf,
    /// Warnings known before the target is touched (a code cut to its limit).
    pub notes: Vec<Note>,
}

impl<'a> Once<'a> {
    pub fn new(
        ctx: &'a Context,
        event: &'a ChangeEvent,
        kind: EntityKind,
        description: String,
    ) -> Self {
        Once {
            ctx,
            event,
            kind,
            description,
            project: ProjectOf::None,
            notes: Vec::new(),
        }
    }

    pub fn in_project(mut self, project: ProjectOf) -> Self {
        self.project = project;
        self
    }

    fn connection(&self) -> i64 {
        self.event.connection_id
    }

    fn synced(&self, maestro_key: &str, procore_id: i64, origin: &'static str) -> Outcome {
        Outcome::Synced {
            link: Some(SyncedLink {
                maestro_key: maestro_key.to_owned(),
                procore_id,
                procore_project_id: self.project.id(procore_id),
                origin,
            }),
            description: Some(self.description.clone()),
            notes: self.notes.clone(),
        }
    }

    fn again(&self, link: &Link) -> Outcome {
        links::already_linked(
            link,
            self.event.action,
            self.event.direction,
            self.description.clone(),
        )
    }

    /// Step 1 for a maestro* record: ends the flow when `maestro_key` is linked already.
    pub async fn unless_linked_in_maestro(&self, maestro_key: &str) -> Step<()> {
        let link = links::by_maestro_key(&self.ctx.pool, self.connection(), self.kind, maestro_key)
            .await?;
        link.map_or(Ok(()), |l| Err(self.again(&l)))
    }

    /// Step 1 for a Procore record: ends the flow when `procore_id` is linked already.
    pub async fn unless_linked_in_procore(&self, procore_id: i64) -> Step<()> {
        let link =
            links::by_procore_id(&self.ctx.pool, self.connection(), self.kind, procore_id).await?;
        link.map_or(Ok(()), |l| Err(self.again(&l)))
    }

    /// Steps 2–4 towards Procore for the maestro* record `maestro_key`. `by_code` answers
    /// the Procore id it finds with warnings about it; `by_origin` the id a crashed attempt
    /// created; `create` the id it created with the warnings of its mapping.
    pub async fn into_procore(
        mut self,
        maestro_key: &str,
        by_code: impl AsyncFnOnce() -> Step<Option<(i64, Vec<Note>)>>,
        by_origin: impl AsyncFnOnce() -> Step<Option<i64>>,
        create: impl AsyncFnOnce() -> Step<Result<(i64, Vec<Note>), bridge_procore::Error>>,
    ) -> Step<Outcome> {
        if let Some((id, notes)) = by_code().await? {
            links::ensure_unlinked(
                &self.ctx.pool,
                self.connection(),
                self.kind,
                id,
                maestro_key,
                &self.description,
            )
            .await?;
            self.notes.extend(notes);
            return Ok(self.synced(maestro_key, id, "linked_by_code"));
        }
        if let Some(id) = by_origin().await? {
            return Ok(self.synced(maestro_key, id, "created_in_procore"));
        }
        match create().await? {
            Ok((id, notes)) => {
                self.notes.extend(notes);
                Ok(self.synced(maestro_key, id, "created_in_procore"))
            }
            // Another attempt created it a moment ago: the next one finds it by origin.
            Err(bridge_procore::Error::Api { status: 422, body })
                if body.summary().contains("origin_id") =>
            {
                Err(Outcome::Retry(format!(
                    "{} was being created by another attempt",
                    self.description
                )))
            }
            Err(e) => Err(fail::procore(
                &format!("creating {} in Procore", self.description),
                e,
            )),
        }
    }

    /// Refuses a maestro* record found for `procore_id` that another Procore record is
    /// linked to; `refusal` words it.
    async fn owned_by_another(
        &self,
        procore_id: i64,
        maestro_key: &str,
        refusal: &impl Fn(&str, i64) -> String,
    ) -> Step<()> {
        let link = links::by_maestro_key(&self.ctx.pool, self.connection(), self.kind, maestro_key)
            .await?;
        match link {
            Some(other) if other.procore_id != procore_id => Err(Outcome::Dead(format!(
                "{}: {}",
                self.description,
                refusal(maestro_key, other.procore_id)
            ))),
            // Linked meanwhile from the maestro* side (both directions ran at once).
            Some(same) => Err(self.again(&same)),
            None => Ok(()),
        }
    }

    /// Steps 2–4 towards maestro* for the Procore record `procore_id`. `code`, when the
    /// maestro* key is known before creating, is looked up in the links and by `by_code`;
    /// `by_external` finds what a crashed attempt created; `create` answers the new key (and
    /// the warnings of its mapping). `refusal` words a maestro* record that belongs to another
    /// Procore record (given its key and that record's id).
    pub async fn into_maestro<F: Future<Output = Step<Option<String>>>>(
        mut self,
        procore_id: i64,
        code: Option<&str>,
        by_code: impl AsyncFnOnce() -> Step<bool>,
        by_external: impl Fn() -> F,
        create: impl AsyncFnOnce() -> Step<Result<(String, Vec<Note>), MaestroError>>,
        refusal: impl Fn(&str, i64) -> String,
    ) -> Step<Outcome> {
        if let Some(code) = code {
            self.owned_by_another(procore_id, code, &refusal).await?;
            if by_code().await? {
                return Ok(self.synced(code, procore_id, "linked_by_code"));
            }
        }
        if let Some(key) = by_external().await? {
            self.owned_by_another(procore_id, &key, &refusal).await?;
            return Ok(self.synced(&key, procore_id, "created_in_maestro"));
        }
        let error = match create().await? {
            Ok((key, notes)) => {
                self.notes.extend(notes);
                return Ok(self.synced(&key, procore_id, "created_in_maestro"));
            }
            Err(e) => e,
        };
        // Created a moment ago by another attempt (a crash before the link, a race).
        if let Some(code) = code.filter(|_| error.is_rejected_with(&RejectCode::DuplicateCode)) {
            return Ok(self.synced(code, procore_id, "linked_by_code"));
        }
        if error.is_rejected_with(&RejectCode::DuplicateExternalNo)
            && let Some(key) = by_external().await?
        {
            self.owned_by_another(procore_id, &key, &refusal).await?;
            return Ok(self.synced(&key, procore_id, "created_in_maestro"));
        }
        Err(fail::maestro(
            &format!("creating {}", self.description),
            error,
        ))
    }
}
