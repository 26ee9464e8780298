//! Pages of the scaffolder UI.

pub mod gallery;
pub mod run;
pub mod tasks;
pub mod wizard;
