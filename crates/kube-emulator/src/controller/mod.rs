//! placeholder
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Controller settings.
#[derive(Debug, Clone)]
pub struct ControllerConfig {
    /// Time per phase.
    pub pace: Duration,
    /// Scale.
    pub time_scale: f64,
}
impl Default for ControllerConfig {
    fn default() -> Self {
        ControllerConfig {
            pace: Duration::from_secs(3),
            time_scale: 1.0,
        }
    }
}
/// The controller.
pub struct Controller {
    _store: Arc<Store>,
}
impl Controller {
    /// New.
    pub fn new(store: Arc<Store>, _c: ControllerConfig, _url: String) -> Self {
        Controller { _store: store }
    }
    /// Run.
    pub async fn run(self, c: CancellationToken) {
        c.cancelled().await
    }
}
