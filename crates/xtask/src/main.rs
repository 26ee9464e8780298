//! `cargo xtask`: the project's entry points.
fn main() {}
