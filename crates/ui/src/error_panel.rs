//! Displays an [`ApiError`].

use frontend_plugin_api::ApiError;
use leptos::prelude::*;

use crate::icon::Icon;

/// An error callout for a failed API call.
#[component]
pub fn ErrorPanel(
    /// The error.
    error: ApiError,
    /// Heading; defaults to a phrase matching the status.
    #[prop(optional, into)]
    title: Option<String>,
) -> impl IntoView {
    let title = title.unwrap_or_else(|| {
        match error.status {
            0 => "Could not reach the server",
            401 => "You are not signed in",
            403 => "You are not allowed to do this",
            404 => "Not found",
            500..=599 => "The server failed",
            _ => "Request failed",
        }
        .to_string()
    });
    let status = (error.status != 0).then(|| format!("{} · ", error.status));
    view! {
        <div class="error-panel" role="alert" data-testid="error-panel">
            <Icon name="alert" size=20 />
            <div>
                <strong>{title}</strong>
                <p>{error.message.clone()}</p>
                <small class="muted">{status}{error.name.clone()}</small>
            </div>
        </div>
    }
}
