//! Request handlers.

pub mod misc;
pub mod session;
pub mod tokens;
