//! [`ReadinessExtensionPoint`]: plugins add checks that the host's `GET /readyz` runs.
//!
//! A check answers `ok`, `degraded` (the portal is usable, a dependency is impaired, e.g. an
//! unreachable Kubernetes API server) or `failed` (the portal is not ready). Degraded checks
//! keep `/readyz` at 200 with overall status `degraded`; a failed check makes it 503.
//!
//! ```no_run
//! use backend_plugin_api::readiness::*;
//! use std::sync::Arc;
//!
//! struct Upstream;
//!
//! #[backend_plugin_api::async_trait]
//! impl ReadinessCheck for Upstream {
//!     fn name(&self) -> &str { "upstream" }
//!     async fn check(&self) -> CheckResult { CheckResult::degraded("upstream unreachable") }
//! }
//!
//! fn register(reg: &backend_plugin_api::Registrar) {
//!     reg.extension::<ReadinessExtensionPoint>().add_check(Arc::new(Upstream));
//! }
//! ```

use async_trait::async_trait;
use std::sync::{Arc, RwLock};

/// Outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum CheckStatus {
    /// Healthy.
    Ok,
    /// Usable, but a dependency is impaired.
    Degraded,
    /// Not ready.
    Failed,
}

impl CheckStatus {
    /// `ok`, `degraded` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Degraded => "degraded",
            CheckStatus::Failed => "failed",
        }
    }
}

/// A check's status and a message for humans.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    /// Status.
    pub status: CheckStatus,
    /// Why (shown in `/readyz`).
    pub message: Option<String>,
}

impl CheckResult {
    /// Healthy, no message.
    pub fn ok() -> Self {
        Self {
            status: CheckStatus::Ok,
            message: None,
        }
    }

    /// Degraded with a reason.
    pub fn degraded(message: impl Into<String>) -> Self {
        Self {
            status: CheckStatus::Degraded,
            message: Some(message.into()),
        }
    }

    /// Failed with a reason.
    pub fn failed(message: impl Into<String>) -> Self {
        Self {
            status: CheckStatus::Failed,
            message: Some(message.into()),
        }
    }
}

/// A readiness check contributed by a plugin. Keep it fast (answer from cached state).
#[async_trait]
pub trait ReadinessCheck: Send + Sync + 'static {
    /// Check name in `/readyz`, e.g. `kubernetes`.
    fn name(&self) -> &str;
    /// Run the check.
    async fn check(&self) -> CheckResult;
}

/// The readiness extension point (read by the host's `/readyz`).
#[derive(Default)]
pub struct ReadinessExtensionPoint {
    checks: RwLock<Vec<Arc<dyn ReadinessCheck>>>,
}

impl ReadinessExtensionPoint {
    /// Add a check (in `register` or `init`).
    pub fn add_check(&self, check: Arc<dyn ReadinessCheck>) {
        self.checks
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push(check);
    }

    /// Every check added so far.
    pub fn checks(&self) -> Vec<Arc<dyn ReadinessCheck>> {
        self.checks
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Run every check: `(name, result)` in registration order.
    pub async fn run(&self) -> Vec<(String, CheckResult)> {
        let mut out = Vec::new();
        for c in self.checks() {
            out.push((c.name().to_string(), c.check().await));
        }
        out
    }
}
