//! Scaffolder model shared by `plugin-scaffolder-backend` and the `plugin-scaffolder`
//! frontend. Compiles for `wasm32-unknown-unknown`: no I/O, no regex engine (patterns
//! are matched through a [`schema::PatternMatcher`] each side provides — the `regex`
//! crate on the server, the browser's `RegExp` in the UI, which is what JSON Schema
//! patterns are written for anyway).
//!
//! * [`dto`]: Backstage's scaffolder wire format (tasks, events, actions, parameter schema).
//! * [`template`]: `scaffolder.backstage.io/v1beta3` Template validation and parameter pages.
//! * [`conditional`]: the fields a page shows for the values so far (`dependencies`,
//!   `oneOf` branches, `if`/`then`/`else`).
//! * [`schema`]: the JSON Schema subset validator used for parameter values on both sides
//!   (so the wizard's inline errors and the server's 400 agree), defaults and form hints.

#![forbid(unsafe_code)]

pub mod conditional;
pub mod dto;
pub mod schema;
pub mod template;

pub use dto::*;

/// The plugin id (`/api/scaffolder`).
pub const PLUGIN_ID: &str = "scaffolder";

/// Permission names (Backstage's).
pub mod permissions {
    /// Start a task.
    pub const TASK_CREATE: &str = "scaffolder.task.create";
    /// Read tasks and their events.
    pub const TASK_READ: &str = "scaffolder.task.read";
    /// Cancel a task someone else started.
    pub const TASK_CANCEL: &str = "scaffolder.task.cancel";
    /// Run an action in a task.
    pub const ACTION_EXECUTE: &str = "scaffolder.action.execute";
    /// See template parameter pages tagged with `backstage:permissions`.
    pub const TEMPLATE_PARAMETER_READ: &str = "scaffolder.template.parameter.read";
    /// Run template steps tagged with `backstage:permissions`.
    pub const TEMPLATE_STEP_READ: &str = "scaffolder.template.step.read";
}
