//! Opt-in timing of processing phases: with `CATALOG_TIMING` set, [`span`] guards add
//! their elapsed time to a named total and [`report`] prints and resets the totals (to
//! stderr). Without it they cost one branch.

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

static TOTALS: Mutex<BTreeMap<&'static str, (Duration, u64)>> = Mutex::new(BTreeMap::new());

/// Whether `CATALOG_TIMING` is set.
pub fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("CATALOG_TIMING").is_some())
}

/// Times until dropped.
pub struct Span(Option<(&'static str, Instant)>);

/// Start timing `name`.
pub fn span(name: &'static str) -> Span {
    Span(enabled().then(|| (name, Instant::now())))
}

impl Drop for Span {
    fn drop(&mut self) {
        if let Some((name, t)) = self.0.take() {
            let mut m = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
            let e = m.entry(name).or_default();
            e.0 += t.elapsed();
            e.1 += 1;
        }
    }
}

/// Print and reset the totals, prefixed with `label`.
pub fn report(label: &str) {
    if !enabled() {
        return;
    }
    let mut m = TOTALS.lock().unwrap_or_else(|e| e.into_inner());
    let parts: Vec<String> = m
        .iter()
        .map(|(k, (d, n))| format!("{k}={:.0}ms/{n}", d.as_secs_f64() * 1000.0))
        .collect();
    eprintln!("{label}: {}", parts.join(" "));
    m.clear();
}
