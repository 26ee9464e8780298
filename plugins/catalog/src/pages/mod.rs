//! The pages of the catalog plugin.

pub mod entity;
pub mod index;
pub mod register;
