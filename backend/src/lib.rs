//! The Butler Portal backend host.
//!
//! Loads configuration, connects the database (embedded SQLite by default, PostgreSQL
//! when the URL says so), starts every plugin listed in [`plugins::default_plugins`]
//! (register → migrate → init), nests each at `/api/<id>`, serves the single-page app
//! from `dist/`, and shuts down gracefully on SIGTERM/SIGINT.

pub mod cli;
pub mod config;
pub mod emulator;
pub mod plugins;
pub mod server;
mod spa;
mod startup;
mod system;

pub use startup::{run, start, Started, StartupError};
