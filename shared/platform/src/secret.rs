//! A value that must never reach a log line.

use std::fmt;

/// Wraps a secret (a password, a token, a URL with credentials). `Debug` and `Display` print
/// a placeholder; the value is only reachable through [`Secret::expose`], which makes every
/// place that needs it easy to find.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    pub fn new(value: T) -> Self {
        Secret(value)
    }

    /// The secret itself. Call it only where the value is handed to a driver or a peer.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl<T> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Secret(value)
    }
}

/// The part of a URL that is safe to print: scheme, host and port, never the user's password.
pub fn url_address(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => {
            let host = u.host_str().unwrap_or("?");
            let default_port = match u.scheme() {
                "postgres" | "postgresql" => Some(5432),
                "amqp" => Some(5672),
                "amqps" => Some(5671),
                _ => None,
            };
            match u.port_or_known_default().or(default_port) {
                Some(port) => format!("{}://{host}:{port}", u.scheme()),
                None => format!("{}://{host}", u.scheme()),
            }
        }
        Err(_) => "<unparsable URL>".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let s = Secret::new("hunter2".to_owned());
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
        assert_eq!(s.expose(), "hunter2");
    }

    #[test]
    fn url_address_drops_credentials_and_path() {
        assert_eq!(
            url_address("amqp://guest:hunter2@10.1.2.3:5672/%2f"),
            "amqp://10.1.2.3:5672"
        );
        assert_eq!(
            url_address("postgres://app:pw@db.example/bridge"),
            "postgres://db.example:5432"
        );
        assert_eq!(url_address("not a url"), "<unparsable URL>");
    }
}
