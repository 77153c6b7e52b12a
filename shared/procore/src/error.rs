//! Client errors, and Procore error bodies parsed leniently: every documented shape yields
//! readable messages, and the raw body is kept for the sync item's message.

use serde_json::Value;

/// A Procore error body: the messages found in it and the raw text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ErrorBody {
    /// Human-readable messages, `field: message` where a field is named.
    pub messages: Vec<String>,
    /// The body exactly as received.
    pub raw: String,
}

impl ErrorBody {
    /// Reads any of `{"errors": "..."}`, `{"errors": {"field": ["..."]}}`, `{"errors": [...]}`,
    /// `{"message": "...", "error": "..."}`, `{"error": {"code", "message"}}`,
    /// `{"error": "...", "error_description": "..."}`, `{"base": [...], "fields": {...}}` or text.
    pub fn parse(raw: &str) -> Self {
        let mut messages = Vec::new();
        match serde_json::from_str::<Value>(raw) {
            Ok(value) => collect(&value, None, &mut messages),
            Err(_) => {
                let text = raw.trim();
                if !text.is_empty() {
                    messages.push(text.chars().take(500).collect());
                }
            }
        }
        Self {
            messages,
            raw: raw.to_string(),
        }
    }

    /// All messages joined, or the raw body when none were found.
    pub fn summary(&self) -> String {
        if self.messages.is_empty() {
            self.raw.chars().take(500).collect()
        } else {
            self.messages.join("; ")
        }
    }
}

fn push(out: &mut Vec<String>, field: Option<&str>, text: &str) {
    match field {
        Some(f) if f != "base" => out.push(format!("{f}: {text}")),
        _ => out.push(text.to_string()),
    }
}

fn collect(value: &Value, field: Option<&str>, out: &mut Vec<String>) {
    match value {
        Value::String(s) => push(out, field, s),
        Value::Array(items) => items.iter().for_each(|v| collect(v, field, out)),
        Value::Object(map) => {
            let known = [
                "errors",
                "message",
                "error",
                "error_description",
                "base",
                "fields",
                "detail",
            ];
            if map.keys().any(|k| known.contains(&k.as_str())) && field.is_none() {
                for key in known {
                    match (key, map.get(key)) {
                        ("fields" | "errors", Some(Value::Object(fields))) => {
                            fields.iter().for_each(|(f, v)| collect(v, Some(f), out))
                        }
                        ("error", Some(Value::Object(e))) => {
                            let text = e
                                .get("message")
                                .and_then(Value::as_str)
                                .or_else(|| e.get("code").and_then(Value::as_str))
                                .unwrap_or("error");
                            push(out, None, text);
                        }
                        (_, Some(v)) => collect(v, None, out),
                        (_, None) => {}
                    }
                }
            } else {
                map.iter()
                    .for_each(|(f, v)| collect(v, Some(field.unwrap_or(f)), out));
            }
        }
        Value::Number(n) => push(out, field, &n.to_string()),
        Value::Bool(_) | Value::Null => {}
    }
}

/// Everything a call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Procore answered with a non-success status.
    #[error("Procore answered {status}: {}", body.summary())]
    Api { status: u16, body: ErrorBody },
    /// The request never got an answer (connection, timeout).
    #[error("could not reach Procore")]
    Transport(#[source] reqwest::Error),
    /// The OAuth token endpoint refused the grant (the user may need to reconnect).
    #[error("Procore refused the OAuth grant ({status}): {}", body.summary())]
    Auth { status: u16, body: ErrorBody },
    /// A success body that is not the expected shape.
    #[error("unexpected Procore response for {what}")]
    Decode {
        what: String,
        #[source]
        source: serde_json::Error,
    },
    /// Still rate-limited or overloaded after the allowed waits.
    #[error("Procore kept answering {status} (rate limit or load) after waiting")]
    Throttled { status: u16 },
    #[error("invalid Procore URL")]
    Url(#[from] url::ParseError),
}

impl Error {
    /// Worth another attempt later (network, 5xx, 408, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport(_) | Error::Throttled { .. } => true,
            Error::Api { status, .. } => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
            _ => false,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Auth { status, .. }
            | Error::Throttled { status } => Some(*status),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_shape_gives_messages() {
        let cases = [
            (
                r#"{"errors": "Missing Procore-Company-Id header!"}"#,
                "Missing Procore-Company-Id header!",
            ),
            (
                r#"{"errors": {"name": ["can't be blank"]}}"#,
                "name: can't be blank",
            ),
            (
                r#"{"message": "Bad thing", "error": "Bad Request"}"#,
                "Bad thing; Bad Request",
            ),
            (
                r#"{"error": {"code": "not_found", "message": "Record not found"}}"#,
                "Record not found",
            ),
            (r#"{"errors": ["first", "second"]}"#, "first; second"),
            (
                r#"{"base": ["locked"], "fields": {"amount": ["is too big"]}}"#,
                "locked; amount: is too big",
            ),
            (
                r#"{"error": "invalid_grant", "error_description": "expired"}"#,
                "invalid_grant; expired",
            ),
            ("<html>Bad gateway</html>", "<html>Bad gateway</html>"),
        ];
        for (raw, expected) in cases {
            let body = ErrorBody::parse(raw);
            assert_eq!(body.summary(), expected, "{raw}");
            assert_eq!(body.raw, raw);
        }
    }
}
