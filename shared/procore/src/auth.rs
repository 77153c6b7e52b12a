//! OAuth tokens: client credentials (a new token when the old one nears expiry) and authorization
//! code with single-use rotating refresh tokens. Every new token set goes to the `on_tokens`
//! callback so the caller can persist the rotated refresh token before using it.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tokio::sync::Mutex;
use url::Url;

use crate::error::{Error, ErrorBody, Result};

/// How the connection authenticates.
#[derive(Clone)]
pub enum Credentials {
    /// A service account (DMSA): `client_credentials`.
    ClientCredentials {
        client_id: String,
        client_secret: String,
    },
    /// A user's grant: refreshed with a single-use refresh token.
    AuthorizationCode {
        client_id: String,
        client_secret: String,
        redirect_uri: String,
        refresh_token: String,
    },
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::ClientCredentials { client_id, .. } => {
                write!(f, "ClientCredentials({client_id}, secret: <redacted>)")
            }
            Credentials::AuthorizationCode { client_id, .. } => {
                write!(f, "AuthorizationCode({client_id}, secrets: <redacted>)")
            }
        }
    }
}

/// A live token set.
#[derive(Clone)]
pub struct TokenSet {
    pub access_token: String,
    /// Present for authorization-code grants; single use.
    pub refresh_token: Option<String>,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Called with each new token set (persist the refresh token here).
pub type OnTokens = Arc<dyn Fn(&TokenSet) + Send + Sync>;

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default)]
    expires_in: Option<i64>,
    #[serde(default)]
    created_at: Option<i64>,
}

/// Posts a form to `{login_base}/oauth/token`.
async fn request_token(
    http: &reqwest::Client,
    login_base: &Url,
    form: &[(&str, &str)],
) -> Result<TokenSet> {
    let url = login_base.join("oauth/token")?;
    let response = http
        .post(url)
        .form(form)
        .send()
        .await
        .map_err(Error::Transport)?;
    let status = response.status().as_u16();
    let text = response.text().await.map_err(Error::Transport)?;
    if !(200..300).contains(&status) {
        return Err(if status >= 500 {
            Error::Api {
                status,
                body: ErrorBody::parse(&text),
            }
        } else {
            Error::Auth {
                status,
                body: ErrorBody::parse(&text),
            }
        });
    }
    let parsed: TokenResponse = serde_json::from_str(&text).map_err(|source| Error::Decode {
        what: "token response".into(),
        source,
    })?;
    let created = parsed
        .created_at
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .unwrap_or_else(Utc::now);
    let expires_at = created + chrono::Duration::seconds(parsed.expires_in.unwrap_or(5400));
    Ok(TokenSet {
        access_token: parsed.access_token,
        refresh_token: parsed.refresh_token,
        expires_at,
    })
}

/// Exchanges an authorization code (OAuth connect flow) for a token set.
pub async fn exchange_code(
    http: &reqwest::Client,
    login_base: &Url,
    client_id: &str,
    client_secret: &str,
    code: &str,
    redirect_uri: &str,
) -> Result<TokenSet> {
    request_token(
        http,
        login_base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("client_secret", client_secret),
            ("code", code),
            ("redirect_uri", redirect_uri),
        ],
    )
    .await
}

/// Holds the current token and renews it.
pub(crate) struct Tokens {
    login_base: Url,
    credentials: Mutex<Credentials>,
    /// The token and when to renew it.
    current: Mutex<Option<(TokenSet, DateTime<Utc>)>>,
    on_tokens: Option<OnTokens>,
    /// Renew this long before expiry at most (less for short-lived tokens).
    skew: Duration,
}

impl Tokens {
    pub fn new(login_base: Url, credentials: Credentials, on_tokens: Option<OnTokens>) -> Self {
        Self {
            login_base,
            credentials: Mutex::new(credentials),
            current: Mutex::new(None),
            on_tokens,
            skew: Duration::from_secs(60),
        }
    }

    /// A token valid for at least the skew, renewing if needed.
    pub async fn access_token(&self, http: &reqwest::Client) -> Result<String> {
        let mut current = self.current.lock().await;
        if let Some((t, _)) = current
            .as_ref()
            .filter(|(_, renew_at)| *renew_at > Utc::now())
        {
            return Ok(t.access_token.clone());
        }
        let fresh = self.renew(http).await?;
        let token = fresh.access_token.clone();
        let lifetime = fresh.expires_at - Utc::now();
        let skew = chrono::Duration::from_std(self.skew)
            .unwrap_or_default()
            .min(lifetime / 10);
        let renew_at = fresh.expires_at - skew;
        *current = Some((fresh, renew_at));
        Ok(token)
    }

    /// Forgets `rejected` (after a 401) so the next call renews, unless already replaced.
    pub async fn invalidate(&self, rejected: &str) {
        let mut current = self.current.lock().await;
        if current
            .as_ref()
            .is_some_and(|(t, _)| t.access_token == rejected)
        {
            *current = None;
        }
    }

    async fn renew(&self, http: &reqwest::Client) -> Result<TokenSet> {
        let mut credentials = self.credentials.lock().await;
        let set = match &*credentials {
            Credentials::ClientCredentials {
                client_id,
                client_secret,
            } => {
                request_token(
                    http,
                    &self.login_base,
                    &[
                        ("grant_type", "client_credentials"),
                        ("client_id", client_id),
                        ("client_secret", client_secret),
                    ],
                )
                .await?
            }
            Credentials::AuthorizationCode {
                client_id,
                client_secret,
                redirect_uri,
                refresh_token,
            } => {
                let set = request_token(
                    http,
                    &self.login_base,
                    &[
                        ("grant_type", "refresh_token"),
                        ("client_id", client_id),
                        ("client_secret", client_secret),
                        ("redirect_uri", redirect_uri),
                        ("refresh_token", refresh_token),
                    ],
                )
                .await?;
                if let (Some(new), Credentials::AuthorizationCode { refresh_token, .. }) =
                    (&set.refresh_token, &mut *credentials)
                {
                    refresh_token.clone_from(new);
                }
                set
            }
        };
        if let Some(callback) = &self.on_tokens {
            callback(&set);
        }
        Ok(set)
    }
}
