//! Shared Leptos components of the Butler Portal SPA: cards, page headers, tables, tabs,
//! loading/empty/error states, badges, toasts, confirmation dialogs, icons and the
//! extension boundary that isolates plugin views.
//!
//! Styling lives in the app (`app/style/*.css`); components only emit stable class names.

#![forbid(unsafe_code)]

mod badge;
mod card;
mod confirm_dialog;
mod empty_state;
mod error_panel;
mod extension_boundary;
mod icon;
mod page_header;
mod spinner;
mod table;
mod tabs;
mod toast;

pub use badge::{Badge, StatusChip, Tone};
pub use card::Card;
pub use confirm_dialog::ConfirmDialog;
pub use empty_state::EmptyState;
pub use error_panel::ErrorPanel;
pub use extension_boundary::ExtensionBoundary;
pub use icon::{icon_path, Icon, ICON_NAMES};
pub use page_header::PageHeader;
pub use spinner::{Loading, Spinner};
pub use table::{DataTable, KeyValue};
pub use tabs::{TabItem, Tabs};
pub use toast::{provide_toasts, use_toasts, Toast, Toaster, Toasts};
