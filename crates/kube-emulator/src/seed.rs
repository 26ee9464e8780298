//! placeholder
use crate::store::Store;
/// Seed.
pub fn seed_demo(_s: &Store) -> anyhow::Result<()> {
    Ok(())
}
