//! The sign-in session: silent sign-in at start-up, sign-in/out, scheduled token
//! refresh and recovery from 401s.
//!
//! * Start-up: when localStorage remembers the last provider, call its refresh endpoint
//!   (the HttpOnly refresh cookie identifies the session); success shows the app, any
//!   failure the sign-in page. The URL is left alone, so after signing in the originally
//!   requested route is shown.
//! * Guest sign-in calls the guest refresh endpoint directly (it creates a session); OIDC
//!   navigates to `/api/auth/<id>/start?redirectUrl=<current path>&flow=redirect`, and
//!   the silent refresh at the next start picks the new session up.
//! * The token is refreshed 60 s before it expires. A 401 from any API call triggers one
//!   silent refresh; when that fails too the sign-in page says the session expired.

use std::time::Duration;

use frontend_plugin_api::{clear_permission_cache, ApiClient, SignedInUser};
use leptos::prelude::*;
use leptos::task::spawn_local;
use plugin_auth::api::{self, Provider, RefreshResponse};

const PROVIDER_KEY: &str = "butler-portal.auth.provider";
/// Refresh this long before the token expires.
const REFRESH_MARGIN_SECS: i64 = 60;
/// Never schedule refreshes closer than this.
const MIN_REFRESH_SECS: i64 = 10;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Silent sign-in in progress.
    Checking,
    /// Nobody signed in: the sign-in page is shown.
    SignedOut,
    /// Signed in: the app is shown.
    SignedIn,
}

/// The session state and its operations (cheap to copy; provided as context).
#[derive(Clone, Copy)]
pub struct Session {
    /// Phase.
    pub phase: RwSignal<Phase>,
    /// The signed-in user.
    pub user: RwSignal<Option<SignedInUser>>,
    /// Informational message for the sign-in page.
    pub message: RwSignal<Option<String>>,
    /// Error of the last sign-in attempt.
    pub error: RwSignal<Option<String>>,
    /// Provider currently signing in.
    pub busy: RwSignal<Option<String>>,
    api: StoredValue<ApiClient>,
    timer: StoredValue<Option<TimeoutHandle>>,
    recovering: StoredValue<bool>,
}

/// Seconds until the next scheduled refresh for a token living `expires_in` seconds.
pub fn refresh_delay_secs(expires_in: i64) -> i64 {
    (expires_in - REFRESH_MARGIN_SECS).max(MIN_REFRESH_SECS)
}

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

fn remembered_provider() -> Option<String> {
    storage()
        .and_then(|s| s.get_item(PROVIDER_KEY).ok().flatten())
        .filter(|p| !p.is_empty())
}

fn remember_provider(provider: Option<&str>) {
    if let Some(s) = storage() {
        let _ = match provider {
            Some(p) => s.set_item(PROVIDER_KEY, p),
            None => s.remove_item(PROVIDER_KEY),
        };
    }
}

impl Session {
    /// Create the session for `api`, register the 401 handler and start the silent
    /// sign-in.
    pub fn start(api: ApiClient) -> Self {
        let session = Self {
            phase: RwSignal::new(Phase::Checking),
            user: RwSignal::new(None),
            message: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(None),
            api: StoredValue::new(api.clone()),
            timer: StoredValue::new(None),
            recovering: StoredValue::new(false),
        };
        api.on_unauthorized(move || session.on_unauthorized());
        match remembered_provider() {
            Some(provider) => spawn_local(async move {
                if let Err(e) = session.refresh(&provider).await {
                    leptos::logging::log!("silent sign-in with {provider} failed: {e}");
                    session.phase.set(Phase::SignedOut);
                }
            }),
            None => session.phase.set(Phase::SignedOut),
        }
        session
    }

    fn api(&self) -> ApiClient {
        self.api.get_value()
    }

    /// Refresh the token with `provider`'s session cookie and apply it.
    async fn refresh(self, provider: &str) -> Result<(), frontend_plugin_api::ApiError> {
        let resp = api::refresh(&self.api(), provider).await?;
        self.apply(provider, resp);
        Ok(())
    }

    fn apply(self, provider: &str, resp: RefreshResponse) {
        let user = resp.user(provider);
        let same_user = self.user.with_untracked(|u| {
            u.as_ref().map(|u| &u.user_entity_ref) == Some(&user.user_entity_ref)
        });
        if !same_user {
            clear_permission_cache();
        }
        self.api()
            .set_token(Some(resp.backstage_identity.token.clone()));
        remember_provider(Some(provider));
        self.user.set(Some(user));
        self.error.set(None);
        self.message.set(None);
        self.busy.set(None);
        if self.phase.get_untracked() != Phase::SignedIn {
            self.phase.set(Phase::SignedIn);
        }
        self.schedule(
            provider.to_string(),
            resp.backstage_identity.expires_in_seconds,
        );
    }

    fn schedule(self, provider: String, expires_in: i64) {
        self.cancel_timer();
        let delay = Duration::from_secs(refresh_delay_secs(expires_in) as u64);
        let handle = set_timeout_with_handle(
            move || {
                let provider = provider.clone();
                spawn_local(async move {
                    if self.phase.get_untracked() != Phase::SignedIn {
                        return;
                    }
                    if let Err(e) = self.refresh(&provider).await {
                        leptos::logging::warn!("token refresh failed: {e}");
                        self.expire();
                    }
                });
            },
            delay,
        )
        .ok();
        self.timer.set_value(handle);
    }

    fn cancel_timer(self) {
        if let Some(h) = self.timer.get_value() {
            h.clear();
        }
        self.timer.set_value(None);
    }

    fn clear(self, message: Option<String>) {
        self.cancel_timer();
        self.api().set_token(None);
        clear_permission_cache();
        self.user.set(None);
        self.busy.set(None);
        self.message.set(message);
        self.phase.set(Phase::SignedOut);
    }

    fn expire(self) {
        self.clear(Some(
            "Your session has expired. Please sign in again.".into(),
        ));
    }

    /// A 401 arrived: try one silent refresh, else back to the sign-in page.
    fn on_unauthorized(self) {
        if self.phase.get_untracked() != Phase::SignedIn || self.recovering.get_value() {
            return;
        }
        let Some(provider) = self
            .user
            .with_untracked(|u| u.as_ref().map(|u| u.provider.clone()))
        else {
            return;
        };
        self.recovering.set_value(true);
        spawn_local(async move {
            let ok = self.refresh(&provider).await.is_ok();
            self.recovering.set_value(false);
            if !ok {
                self.expire();
            }
        });
    }

    /// Sign in with `provider`: guest directly, OIDC by a full-page redirect.
    pub fn sign_in(self, provider: Provider) {
        self.error.set(None);
        self.busy.set(Some(provider.id.clone()));
        if provider.kind == "guest" {
            spawn_local(async move {
                if let Err(e) = self.refresh(&provider.id).await {
                    self.busy.set(None);
                    self.error
                        .set(Some(format!("Guest sign-in failed: {}", e.message)));
                }
            });
            return;
        }
        remember_provider(Some(&provider.id));
        let location = window().location();
        let here = format!(
            "{}{}{}",
            location.pathname().unwrap_or_else(|_| "/".into()),
            location.search().unwrap_or_default(),
            location.hash().unwrap_or_default()
        );
        let url = api::start_url(&self.api(), &provider.id, &here);
        if let Err(e) = location.assign(&url) {
            self.busy.set(None);
            self.error
                .set(Some(format!("Could not start the sign-in: {e:?}")));
        }
    }

    /// Sign out: revoke the session, forget the token, show the sign-in page.
    pub fn sign_out(self) {
        let provider = self
            .user
            .with_untracked(|u| u.as_ref().map(|u| u.provider.clone()));
        remember_provider(None);
        let api = self.api();
        spawn_local(async move {
            if let Some(p) = provider {
                if let Err(e) = api::logout(&api, &p).await {
                    leptos::logging::warn!("sign-out failed: {e}");
                }
            }
            self.clear(Some("You have signed out.".into()));
        });
    }
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

#[cfg(test)]
mod tests {
    use super::refresh_delay_secs;

    #[test]
    fn should_refresh_a_minute_before_expiry_but_not_too_often() {
        assert_eq!(refresh_delay_secs(3600), 3540);
        assert_eq!(refresh_delay_secs(70), 10);
        assert_eq!(refresh_delay_secs(0), 10);
    }
}
