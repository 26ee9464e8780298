//! Light/dark theme: stored in localStorage, applied as `data-theme` on `<html>`,
//! following `prefers-color-scheme` until the user picks one.

use leptos::prelude::*;

const STORAGE_KEY: &str = "butler-portal.theme";

/// The two themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
}

impl Theme {
    fn as_str(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// The other theme.
    pub fn toggled(self) -> Self {
        match self {
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Light,
        }
    }
}

/// The theme signal, provided by [`provide_theme`].
#[derive(Clone, Copy)]
pub struct ThemeState(pub RwSignal<Theme>);

impl ThemeState {
    /// Switch theme and remember the choice.
    pub fn toggle(self) {
        let next = self.0.get_untracked().toggled();
        if let Ok(Some(storage)) = window().local_storage() {
            let _ = storage.set_item(STORAGE_KEY, next.as_str());
        }
        self.0.set(next);
    }
}

fn initial() -> Theme {
    let stored = window()
        .local_storage()
        .ok()
        .flatten()
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    match stored.as_deref() {
        Some("dark") => Theme::Dark,
        Some("light") => Theme::Light,
        _ => {
            let dark = window()
                .match_media("(prefers-color-scheme: dark)")
                .ok()
                .flatten()
                .is_some_and(|m| m.matches());
            if dark {
                Theme::Dark
            } else {
                Theme::Light
            }
        }
    }
}

/// Create the theme state, keep `<html data-theme>` in sync and provide it as context.
pub fn provide_theme() -> ThemeState {
    let state = ThemeState(RwSignal::new(initial()));
    Effect::new(move |_| {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", state.0.get().as_str());
        }
    });
    provide_context(state);
    state
}

/// The theme state.
pub fn use_theme() -> ThemeState {
    expect_context::<ThemeState>()
}
