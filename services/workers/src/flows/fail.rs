//! Turning client errors into outcomes: transient trouble is tried again, a refusal by the
//! target is dead-lettered with the target's own words, credentials the user can fix fail.
//!
//! Flows are written as `async fn … -> Step<Outcome>` so `?` ends a flow with the outcome an
//! error stands for.

use crate::outcome::Outcome;
use bridge_maestro::{MaestroError, RejectCode};

/// A step of a flow: its value, or the outcome that ends the flow here.
pub type Step<T> = Result<T, Outcome>;

/// Collapses a flow's result into its outcome.
pub fn settle(step: Step<Outcome>) -> Outcome {
    step.unwrap_or_else(|outcome| outcome)
}

/// A Procore call failed while doing `what` (e.g. "creating vendor BETON01 (Béton Laval)").
pub fn procore(what: &str, error: bridge_procore::Error) -> Outcome {
    use bridge_procore::Error;
    // Held by Procore's call limit: the window says so, and it resumes by itself.
    if matches!(
        error,
        Error::Throttled { status: 429 } | Error::Api { status: 429, .. }
    ) {
        return Outcome::api_limit(format!(
            "Procore's API call limit was reached while {what}; it resumes by itself"
        ));
    }
    if error.is_transient() {
        return Outcome::Retry(format!("Procore did not answer while {what}: {error}"));
    }
    match &error {
        Error::Auth { .. }
        | Error::Api {
            status: 401 | 403, ..
        } => Outcome::Fail(format!(
            "Procore refused the bridge's access while {what} ({error}); check that the bridge's app is installed in the Procore company and reconnect the connection"
        )),
        Error::Api { body, .. } => {
            Outcome::Dead(format!("Procore refused {what}: {}", body.summary()))
        }
        _ => Outcome::Dead(format!(
            "unexpected answer from Procore while {what}: {error}"
        )),
    }
}

/// A maestro* call failed while doing `what`.
pub fn maestro(what: &str, error: MaestroError) -> Outcome {
    if error.is_transient() {
        return Outcome::Retry(format!("maestro* did not answer while {what}: {error}"));
    }
    match error.rejection() {
        Some(r) if r.code == RejectCode::Unauthorized || r.code == RejectCode::UnknownCompany => {
            Outcome::Fail(format!(
                "maestro* refused the bridge while {what}: {} (check the connection's maestro* company and key)",
                r.message
            ))
        }
        Some(r) => Outcome::Dead(format!("maestro* refused {what}: {}", r.message)),
        None => Outcome::Dead(format!(
            "unexpected answer from maestro* while {what}: {error}"
        )),
    }
}

/// A connection whose clients cannot be built (a setting or secret missing): shown as
/// failed, since an administrator can fix it, and tried again through the tiers.
pub fn setup(error: anyhow::Error) -> Outcome {
    Outcome::Fail(format!("{error:#}"))
}

/// The bridge's own trouble (its database, a connection it cannot build): try again.
pub fn internal(what: &str, error: anyhow::Error) -> Outcome {
    Outcome::Retry(format!("{what}: {error:#}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bridge_procore::{Error, ErrorBody};

    #[test]
    fn procore_errors_become_retry_fail_or_dead() {
        let busy = Error::Api {
            status: 503,
            body: ErrorBody::parse("busy"),
        };
        assert!(matches!(
            procore("reading vendor 1", busy),
            Outcome::Retry(_)
        ));
        let refused = Error::Api {
            status: 422,
            body: ErrorBody::parse(r#"{"errors": {"name": ["can't be blank"]}}"#),
        };
        let Outcome::Dead(why) = procore("creating vendor X", refused) else {
            panic!("a validation refusal is permanent");
        };
        assert_eq!(
            why,
            "Procore refused creating vendor X: name: can't be blank"
        );
        let denied = Error::Api {
            status: 403,
            body: ErrorBody::parse("{}"),
        };
        assert!(matches!(procore("reading", denied), Outcome::Fail(_)));
    }

    #[test]
    fn a_record_held_by_the_rate_limit_is_waiting_for_api_limit() {
        let cases = [
            (Error::Throttled { status: 429 }, true),
            (
                Error::Api {
                    status: 429,
                    body: ErrorBody::parse("{}"),
                },
                true,
            ),
            (Error::Throttled { status: 503 }, false),
        ];
        for (error, held) in cases {
            let outcome = procore("creating vendor X", error);
            assert_eq!(matches!(outcome, Outcome::ApiLimit(_)), held, "{outcome:?}");
            assert!(
                matches!(outcome, Outcome::ApiLimit(_) | Outcome::Retry(_)),
                "{outcome:?}"
            );
        }
        let Outcome::ApiLimit(why) = procore("creating vendor X", Error::Throttled { status: 429 })
        else {
            unreachable!()
        };
        assert_eq!(
            why,
            "waiting for API limit: Procore's API call limit was reached while creating vendor X; it resumes by itself"
        );
    }
}
