//! Pages of the home plugin.

mod home;
mod plugins_card;
mod status_card;

pub use home::HomePage;
