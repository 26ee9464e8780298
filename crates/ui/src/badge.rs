//! Small colored labels.

use leptos::prelude::*;

/// Badge color.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    /// Grey.
    #[default]
    Neutral,
    /// Blue.
    Info,
    /// Green.
    Success,
    /// Amber.
    Warning,
    /// Red.
    Danger,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Tone::Neutral => "badge badge-neutral",
            Tone::Info => "badge badge-info",
            Tone::Success => "badge badge-success",
            Tone::Warning => "badge badge-warning",
            Tone::Danger => "badge badge-danger",
        }
    }

    /// The tone conventionally used for a status word (`ok`, `degraded`, `failed`, …).
    pub fn for_status(status: &str) -> Self {
        match status.to_ascii_lowercase().as_str() {
            "ok" | "healthy" | "ready" | "ready=true" | "running" | "success" | "succeeded" => {
                Tone::Success
            }
            "degraded" | "warning" | "pending" | "progressing" | "unknown" => Tone::Warning,
            "failed" | "error" | "unhealthy" | "down" => Tone::Danger,
            _ => Tone::Neutral,
        }
    }
}

/// A colored pill.
#[component]
pub fn Badge(
    /// Color.
    #[prop(optional)]
    tone: Tone,
    /// Content.
    children: Children,
) -> impl IntoView {
    view! { <span class=tone.class()>{children()}</span> }
}

/// A status word in a pill colored by [`Tone::for_status`], with a dot.
#[component]
pub fn StatusChip(
    /// Status word.
    #[prop(into)]
    status: String,
) -> impl IntoView {
    let tone = Tone::for_status(&status);
    let data = status.clone();
    view! {
        <span class=tone.class() data-status=data>
            <span class="dot"></span>
            {status}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::Tone;

    #[test]
    fn should_map_status_words_to_tones() {
        assert_eq!(Tone::for_status("OK"), Tone::Success);
        assert_eq!(Tone::for_status("degraded"), Tone::Warning);
        assert_eq!(Tone::for_status("failed"), Tone::Danger);
        assert_eq!(Tone::for_status("whatever"), Tone::Neutral);
    }
}
