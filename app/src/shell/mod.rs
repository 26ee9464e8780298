//! The shell's building blocks.

mod header;
mod not_found;
mod outlet;
mod sidebar;
mod theme;

pub use header::Header;
pub use outlet::PageOutlet;
pub use sidebar::Sidebar;
pub use theme::provide_theme;
