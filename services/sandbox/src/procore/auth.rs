//! OAuth on the login routes (`/oauth/authorize`, `/oauth/token`, `/oauth/token/info`,
//! `/oauth/revoke`) and bearer-token checks for the API: client credentials, authorization code
//! (auto-approved authorize page that redirects with a single-use code), and single-use rotating
//! refresh tokens.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, Json};
use serde::Deserialize;
use serde_json::json;

use super::Emulator;
use super::error::{ApiError, ApiResult};

/// A registered OAuth application.
#[derive(Clone, Debug)]
pub struct OAuthClient {
    pub secret: String,
    /// Companies the app is installed in.
    pub companies: Vec<i64>,
    /// The service-account (DMSA) user that acts for client-credentials tokens.
    pub service_user_id: i64,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub client_id: String,
    pub user_id: i64,
    pub created: Instant,
    pub expires: Instant,
}

#[derive(Debug)]
struct Code {
    client_id: String,
    redirect_uri: String,
    user_id: i64,
    expires: Instant,
}

#[derive(Debug, Default)]
pub(crate) struct AuthState {
    pub clients: HashMap<String, OAuthClient>,
    codes: HashMap<String, Code>,
    pub tokens: HashMap<String, Token>,
    refresh: HashMap<String, (String, i64)>,
}

/// Who is calling, once the bearer token checked out.
#[derive(Clone, Debug)]
pub struct Caller {
    pub token: String,
    pub client_id: String,
    pub user_id: i64,
}

fn secret() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

impl AuthState {
    fn issue(
        &mut self,
        client_id: &str,
        user_id: i64,
        lifetime: Duration,
        with_refresh: bool,
    ) -> serde_json::Value {
        let access = secret();
        let now = Instant::now();
        self.tokens.insert(
            access.clone(),
            Token {
                client_id: client_id.into(),
                user_id,
                created: now,
                expires: now + lifetime,
            },
        );
        let mut body = json!({
            "access_token": access,
            "token_type": "bearer",
            "expires_in": lifetime.as_secs(),
            "created_at": chrono::Utc::now().timestamp(),
        });
        if with_refresh {
            let refresh = secret();
            self.refresh
                .insert(refresh.clone(), (client_id.into(), user_id));
            body["refresh_token"] = json!(refresh);
        }
        body
    }
}

#[derive(Deserialize)]
pub(crate) struct AuthorizeQuery {
    response_type: Option<String>,
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
}

/// `GET /oauth/authorize`: the (auto-approved) consent page; redirects with a code.
pub(crate) async fn authorize(
    State(emu): State<Emulator>,
    Query(q): Query<AuthorizeQuery>,
) -> Response {
    if q.response_type.as_deref() != Some("code") {
        return ApiError::bad_request("response_type must be code").into_response();
    }
    let mut auth = emu.lock_auth();
    let Some(client) = auth.clients.get(&q.client_id) else {
        return ApiError::new(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}))
            .into_response();
    };
    let user_id = client.service_user_id;
    let code = secret();
    auth.codes.insert(
        code.clone(),
        Code {
            client_id: q.client_id.clone(),
            redirect_uri: q.redirect_uri.clone(),
            user_id,
            expires: Instant::now() + Duration::from_secs(600),
        },
    );
    if q.redirect_uri == "urn:ietf:wg:oauth:2.0:oob" {
        return Html(format!(
            "<html><body><p>Authorization code:</p><code id=\"code\">{code}</code></body></html>"
        ))
        .into_response();
    }
    let mut target = match url::Url::parse(&q.redirect_uri) {
        Ok(u) => u,
        Err(_) => return ApiError::bad_request("invalid redirect_uri").into_response(),
    };
    target.query_pairs_mut().append_pair("code", &code);
    if let Some(state) = &q.state {
        target.query_pairs_mut().append_pair("state", state);
    }
    Redirect::to(target.as_str()).into_response()
}

#[derive(Deserialize)]
pub(crate) struct TokenForm {
    grant_type: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
}

fn invalid_grant(text: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        json!({"error": "invalid_grant", "error_description": text}),
    )
}

/// `POST /oauth/token` for the three grants.
pub(crate) async fn token(
    State(emu): State<Emulator>,
    Form(form): Form<TokenForm>,
) -> ApiResult<Json<serde_json::Value>> {
    let lifetime = emu.config().token_lifetime;
    let mut auth = emu.lock_auth();
    let client_id = form.client_id.clone().unwrap_or_default();
    let client = auth.clients.get(&client_id).cloned();
    let client_ok = client
        .as_ref()
        .is_some_and(|c| Some(&c.secret) == form.client_secret.as_ref());
    match form.grant_type.as_str() {
        "client_credentials" => {
            let client = client.filter(|_| client_ok).ok_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, json!({"error": "invalid_client"}))
            })?;
            Ok(Json(auth.issue(
                &client_id,
                client.service_user_id,
                lifetime,
                false,
            )))
        }
        "authorization_code" => {
            if !client_ok {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "invalid_client"}),
                ));
            }
            let code = form
                .code
                .as_deref()
                .and_then(|c| auth.codes.remove(c))
                .ok_or_else(|| invalid_grant("unknown or used code"))?;
            if code.client_id != client_id
                || Some(&code.redirect_uri) != form.redirect_uri.as_ref()
                || code.expires < Instant::now()
            {
                return Err(invalid_grant("code does not match"));
            }
            Ok(Json(auth.issue(&client_id, code.user_id, lifetime, true)))
        }
        "refresh_token" => {
            // Single use: the old refresh token dies now, whatever happens to the response.
            let (owner, user_id) = form
                .refresh_token
                .as_deref()
                .and_then(|r| auth.refresh.remove(r))
                .ok_or_else(|| {
                    invalid_grant("The provided authorization grant is invalid, expired or revoked")
                })?;
            if form.client_id.is_some() && owner != client_id {
                return Err(invalid_grant("refresh token belongs to another client"));
            }
            Ok(Json(auth.issue(&owner, user_id, lifetime, true)))
        }
        _ => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            json!({"error": "unsupported_grant_type"}),
        )),
    }
}

/// `GET /oauth/token/info`.
pub(crate) async fn token_info(
    State(emu): State<Emulator>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let caller = emu.authenticate(&headers)?;
    let auth = emu.lock_auth();
    let token = auth
        .tokens
        .get(&caller.token)
        .ok_or_else(|| unauthorized("invalid token"))?;
    Ok(Json(json!({
        "resource_owner_id": token.user_id,
        "scope": [],
        "expires_in_seconds": token.expires.saturating_duration_since(Instant::now()).as_secs(),
        "application": { "uid": token.client_id },
        "created_at": chrono::Utc::now().timestamp() - token.created.elapsed().as_secs() as i64,
    })))
}

#[derive(Deserialize)]
pub(crate) struct RevokeForm {
    token: String,
}

/// `POST /oauth/revoke`: always 200.
pub(crate) async fn revoke(
    State(emu): State<Emulator>,
    Form(form): Form<RevokeForm>,
) -> impl IntoResponse {
    let mut auth = emu.lock_auth();
    auth.tokens.remove(&form.token);
    auth.refresh.remove(&form.token);
    (StatusCode::OK, Json(json!({})))
}

pub(crate) fn unauthorized(text: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, json!({ "errors": text })).with_header(
        header::WWW_AUTHENTICATE,
        "Bearer realm=\"Procore\", error=\"invalid_token\"",
    )
}

/// Checks `Authorization: Bearer` against live tokens.
pub(crate) fn check_bearer(auth: &AuthState, headers: &HeaderMap) -> ApiResult<Caller> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| unauthorized("Missing access token"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| unauthorized("Malformed Authorization header"))?;
    let t = auth
        .tokens
        .get(token)
        .ok_or_else(|| unauthorized("The access token is invalid"))?;
    if t.expires <= Instant::now() {
        return Err(unauthorized("The access token expired"));
    }
    Ok(Caller {
        token: token.to_string(),
        client_id: t.client_id.clone(),
        user_id: t.user_id,
    })
}
