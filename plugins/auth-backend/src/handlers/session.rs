//! Sign-in flows: `start`, `handler/frame`, `refresh`, `logout` (Backstage's shape).
//!
//! The refresh secret lives in an HttpOnly, SameSite=Lax cookie `<provider>-refresh-token`
//! scoped to `/api/auth/<provider>` (Secure on https). Cookie-authenticated calls
//! (`refresh`, `logout`) require `X-Requested-With: XMLHttpRequest`, which a cross-site
//! form or image cannot send (CSRF protection).

use crate::oidc::PendingLogin;
use crate::service::identity_response;
use crate::AuthState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Json;
use backend_plugin_api::ApiError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;

fn cookie_name(provider: &str) -> String {
    format!("{provider}-refresh-token")
}

fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn set_cookie(s: &AuthState, provider: &str, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if s.service.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/api/auth/{provider}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn require_xhr(headers: &HeaderMap) -> Result<(), ApiError> {
    match headers
        .get("x-requested-with")
        .and_then(|v| v.to_str().ok())
    {
        Some("XMLHttpRequest") => Ok(()),
        _ => Err(ApiError::Authentication(
            "missing header X-Requested-With: XMLHttpRequest (CSRF protection)".into(),
        )),
    }
}

fn ensure_provider(s: &AuthState, provider: &str) -> Result<(), ApiError> {
    if provider == "guest" {
        return s
            .service
            .guest_ref()
            .map(|_| ())
            .ok_or_else(|| ApiError::NotAllowed("guest sign-in is disabled in production".into()));
    }
    s.oidc
        .get(provider)
        .map(|_| ())
        .ok_or_else(|| ApiError::NotFound(format!("no sign-in provider `{provider}`")))
}

/// Query of `start`.
#[derive(Debug, Deserialize)]
pub struct StartQuery {
    /// Same-origin path to return to.
    #[serde(default, rename = "redirectUrl")]
    redirect_url: Option<String>,
    /// `redirect` (default) or `popup`.
    #[serde(default)]
    flow: Option<String>,
}

fn safe_redirect(target: Option<String>) -> String {
    match target {
        Some(t) if t.starts_with('/') && !t.starts_with("//") && !t.contains('\\') => t,
        _ => "/".into(),
    }
}

/// `GET /{provider}/start`: guest signs in directly; OIDC redirects to the provider.
pub async fn start(
    State(s): State<AuthState>,
    Path(provider): Path<String>,
    Query(q): Query<StartQuery>,
) -> Result<Response, ApiError> {
    ensure_provider(&s, &provider)?;
    let redirect = safe_redirect(q.redirect_url);
    let flow = q.flow.unwrap_or_else(|| "redirect".into());
    if provider == "guest" {
        let user = s.service.guest_ref().unwrap_or_default();
        let (_, secret) = s
            .service
            .sign_in("guest", &user, json!({"displayName": "Guest"}))
            .await
            .map_err(ApiError::internal)?;
        let mut resp = Redirect::to(&redirect).into_response();
        resp.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(
                &s,
                "guest",
                &cookie_name("guest"),
                &secret,
                s.service.session_ttl,
            ),
        );
        return Ok(resp);
    }
    let browser = flow == "redirect";
    let (url, pending) = match s.oidc.start(&provider, redirect, flow).await {
        Ok(started) => started,
        // A browser navigated here: it gets a page saying why, not a JSON body.
        Err(e) if browser => {
            tracing::warn!(provider, error = %e, "sign-in could not start");
            let title = s
                .oidc
                .get(&provider)
                .and_then(|c| c.title)
                .unwrap_or(provider);
            return Ok((
                StatusCode::SERVICE_UNAVAILABLE,
                Html(error_page(&format!(
                    "Sign-in with {title} is unavailable right now: {e}"
                ))),
            )
                .into_response());
        }
        Err(e) => return Err(ApiError::ServiceUnavailable(e)),
    };
    let state_cookie = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&pending).unwrap_or_default());
    let mut resp = Redirect::to(&url).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            &s,
            &provider,
            &format!("{provider}-oidc-state"),
            &state_cookie,
            600,
        ),
    );
    Ok(resp)
}

/// Query of the OIDC callback.
#[derive(Debug, Deserialize)]
pub struct FrameQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// `GET /{provider}/handler/frame`: the OIDC callback.
pub async fn handler_frame(
    State(s): State<AuthState>,
    Path(provider): Path<String>,
    Query(q): Query<FrameQuery>,
    headers: HeaderMap,
) -> Response {
    let result = finish_login(&s, &provider, q, &headers).await;
    let clear_state = set_cookie(&s, &provider, &format!("{provider}-oidc-state"), "", 0);
    match result {
        Ok((secret, pending)) => {
            let cookie = set_cookie(
                &s,
                &provider,
                &cookie_name(&provider),
                &secret,
                s.service.session_ttl,
            );
            let mut resp = if pending.flow == "popup" {
                Html(popup_page(
                    &json!({"type": "authorization_response", "response": {"providerInfo": {}}}),
                ))
                .into_response()
            } else {
                Redirect::to(&pending.redirect).into_response()
            };
            resp.headers_mut().append(header::SET_COOKIE, cookie);
            resp.headers_mut().append(header::SET_COOKIE, clear_state);
            resp
        }
        Err(e) => {
            tracing::warn!(provider, error = %e, "sign-in failed");
            let mut resp = (StatusCode::UNAUTHORIZED, Html(error_page(&e))).into_response();
            resp.headers_mut().append(header::SET_COOKIE, clear_state);
            resp
        }
    }
}

async fn finish_login(
    s: &AuthState,
    provider: &str,
    q: FrameQuery,
    headers: &HeaderMap,
) -> Result<(String, PendingLogin), String> {
    if let Some(err) = q.error {
        return Err(format!(
            "{err}: {}",
            q.error_description.unwrap_or_default()
        ));
    }
    s.oidc
        .get(provider)
        .ok_or_else(|| format!("no sign-in provider `{provider}`"))?;
    let raw = read_cookie(headers, &format!("{provider}-oidc-state"))
        .ok_or("the sign-in attempt expired or cookies are blocked; start again")?;
    let pending: PendingLogin = URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or("malformed sign-in state")?;
    if q.state.as_deref() != Some(pending.state.as_str()) {
        return Err("state mismatch (possible CSRF); start the sign-in again".into());
    }
    let code = q
        .code
        .ok_or("the provider returned no authorization code")?;
    let profile = s.oidc.finish(provider, &code, &pending).await?;
    let cfg = s.oidc.get(provider).ok_or("provider vanished")?;
    let user_ref = crate::resolver::resolve(&s.service, &cfg, &profile).await?;
    let profile_json = json!({
        "email": profile.email,
        "displayName": profile.name,
        "picture": profile.picture,
    });
    let (_, secret) = s
        .service
        .sign_in(provider, &user_ref, profile_json)
        .await
        .map_err(|e| e.to_string())?;
    Ok((secret, pending))
}

fn popup_page(message: &serde_json::Value) -> String {
    format!(
        "<!doctype html><html><body><script>\
         (window.opener||window.parent).postMessage({message}, window.location.origin);\
         window.close();</script></body></html>"
    )
}

fn error_page(message: &str) -> String {
    let escaped = message
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(
        "<!doctype html><html><head><title>Sign-in failed</title></head>\
         <body style=\"font-family:sans-serif;max-width:40rem;margin:4rem auto\">\
         <h1>Sign-in failed</h1><p>{escaped}</p><p><a href=\"/\">Back to Butler Portal</a></p></body></html>"
    )
}

/// `GET /{provider}/refresh`: a fresh identity token from the session cookie. For the
/// guest provider a session is created when there is none.
pub async fn refresh(
    State(s): State<AuthState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_xhr(&headers)?;
    ensure_provider(&s, &provider)?;
    if let Some(secret) = read_cookie(&headers, &cookie_name(&provider)) {
        if let Some(session) = s
            .service
            .store
            .session_by_secret(&provider, &secret)
            .await?
        {
            let (ownership, _) = s.service.ownership_of(&session.user_ref).await;
            let token = s
                .service
                .keys
                .issue(&session.user_ref, &ownership, &session.id)
                .await
                .map_err(ApiError::internal)?;
            return Ok(Json(identity_response(
                &session.profile,
                &token,
                s.service.keys.token_ttl(),
                &session.user_ref,
                &ownership,
            ))
            .into_response());
        }
    }
    if provider != "guest" {
        return Err(ApiError::Authentication(
            "no active session: sign in again".into(),
        ));
    }
    let user = s.service.guest_ref().unwrap_or_default();
    let (body, secret) = s
        .service
        .sign_in("guest", &user, json!({"displayName": "Guest"}))
        .await
        .map_err(ApiError::internal)?;
    let mut resp = Json(body).into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(
            &s,
            "guest",
            &cookie_name("guest"),
            &secret,
            s.service.session_ttl,
        ),
    );
    Ok(resp)
}

/// `POST /{provider}/logout`: revoke the session and clear the cookie.
pub async fn logout(
    State(s): State<AuthState>,
    Path(provider): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_xhr(&headers)?;
    if let Some(secret) = read_cookie(&headers, &cookie_name(&provider)) {
        if let Some(session) = s
            .service
            .store
            .session_by_secret(&provider, &secret)
            .await?
        {
            s.service.store.revoke_session(&session.id).await?;
            s.service.forget_session(&session.id);
            s.service
                .store
                .audit(
                    &session.user_ref,
                    "auth.sign_out",
                    json!({"provider": provider, "session": session.id}),
                )
                .await;
        }
    }
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(&s, &provider, &cookie_name(&provider), "", 0),
    );
    Ok(resp)
}
