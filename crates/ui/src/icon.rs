//! A small set of inline SVG icons (24×24, stroked with `currentColor`).

use leptos::prelude::*;

/// Names accepted by [`Icon`] and [`icon_path`].
pub const ICON_NAMES: &[&str] = &[
    "home",
    "catalog",
    "templates",
    "cluster",
    "settings",
    "sun",
    "moon",
    "user",
    "search",
    "plugin",
    "alert",
    "check",
    "close",
    "info",
    "inbox",
    "database",
    "activity",
];

/// SVG path data for a known icon `name`; raw path data (starting with `M`/`m`) is
/// returned unchanged; anything else gives the generic `plugin` icon.
pub fn icon_path(name: &str) -> &str {
    match name {
        "home" => "M3 10.5 12 3l9 7.5V20a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z",
        "catalog" => "M4 4h6v6H4zM14 4h6v6h-6zM4 14h6v6H4zM14 14h6v6h-6z",
        "templates" => "M12 3 2 8l10 5 10-5zM2 16l10 5 10-5M2 12l10 5 10-5",
        "cluster" => "M12 2l9 5v10l-9 5-9-5V7zM12 12l9-5M12 12v10M12 12 3 7",
        "settings" => "M4 21v-7M4 10V3M12 21v-9M12 8V3M20 21v-5M20 12V3M1 14h6M9 8h6M17 16h6",
        "sun" => "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v2M12 20v2M4.93 4.93l1.41 1.41M17.66 17.66l1.41 1.41M2 12h2M20 12h2M6.34 17.66l-1.41 1.41M19.07 4.93l-1.41 1.41",
        "moon" => "M21 12.79A9 9 0 1 1 11.21 3 7 7 0 0 0 21 12.79z",
        "user" => "M20 21v-2a4 4 0 0 0-4-4H8a4 4 0 0 0-4 4v2M12 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8z",
        "search" => "M11 4a7 7 0 1 0 0 14 7 7 0 0 0 0-14zM21 21l-4.35-4.35",
        "alert" => "M12 9v4M12 17h.01M10.29 3.86 1.82 18a2 2 0 0 0 1.71 3h16.94a2 2 0 0 0 1.71-3L13.71 3.86a2 2 0 0 0-3.42 0z",
        "check" => "M20 6 9 17l-5-5",
        "close" => "M18 6 6 18M6 6l12 12",
        "info" => "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zM12 16v-4M12 8h.01",
        "inbox" => "M22 12h-6l-2 3h-4l-2-3H2M5.45 5.11 2 12v6a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2v-6l-3.45-6.89A2 2 0 0 0 16.76 4H7.24a2 2 0 0 0-1.79 1.11z",
        "database" => "M12 3c4.97 0 9 1.34 9 3s-4.03 3-9 3-9-1.34-9-3 4.03-3 9-3zM21 12c0 1.66-4 3-9 3s-9-1.34-9-3M3 6v12c0 1.66 4 3 9 3s9-1.34 9-3V6",
        "activity" => "M22 12h-4l-3 9L9 3l-3 9H2",
        p if p.starts_with(['M', 'm']) => p,
        _ => "M21 8 12 3 3 8v8l9 5 9-5zM3 8l9 5 9-5M12 13v8",
    }
}

/// An inline SVG icon, see [`ICON_NAMES`].
#[component]
pub fn Icon(
    /// Icon name or raw SVG path data.
    #[prop(into)]
    name: String,
    /// Size in CSS pixels.
    #[prop(default = 18)]
    size: u32,
) -> impl IntoView {
    let d = icon_path(&name).to_string();
    view! {
        <svg
            class="icon"
            width=size
            height=size
            viewBox="0 0 24 24"
            fill="none"
            stroke="currentColor"
            stroke-width="2"
            stroke-linecap="round"
            stroke-linejoin="round"
            aria-hidden="true"
        >
            <path d=d />
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_resolve_names_raw_paths_and_fallback() {
        for name in ICON_NAMES {
            assert!(icon_path(name).starts_with('M'), "{name}");
        }
        assert_eq!(icon_path("M1 1h2"), "M1 1h2");
        assert_eq!(icon_path("nope"), icon_path("plugin"));
    }
}
