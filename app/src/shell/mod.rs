//! The shell's building blocks.

mod header;
mod not_found;
mod outlet;
mod session;
mod sidebar;
mod theme;
mod user_menu;

pub use header::{Header, ThemeToggle};
pub use outlet::PageOutlet;
pub use session::{Phase, Session};
pub use sidebar::Sidebar;
pub use theme::provide_theme;
