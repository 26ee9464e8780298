//! Command-line flags.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Butler Portal: an internal developer portal for the Butler Kubernetes platform.
///
/// Without a subcommand it serves the portal.
#[derive(Debug, Clone, Parser)]
#[command(name = "butler-portal", version, about)]
pub struct Args {
    /// Server flags.
    #[command(flatten)]
    pub cli: Cli,
    /// A tool to run instead of the portal.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the Kubernetes API emulator standalone (seeded demo management cluster and the
    /// simulated Butler controller) until Ctrl-C: `kubectl --server http://127.0.0.1:<port>
    /// get tenantclusters -A`.
    Emulator {
        /// Port on 127.0.0.1.
        #[arg(long, default_value_t = 6443)]
        port: u16,
        /// Start empty (Butler CRDs only, no demo data).
        #[arg(long)]
        empty: bool,
        /// Write a kubeconfig for the emulator to this file.
        #[arg(long, value_name = "FILE")]
        write_kubeconfig: Option<PathBuf>,
    },
}

/// Server flags (`butler-portal [FLAGS]`).
#[derive(Debug, Clone, Parser)]
pub struct Cli {
    /// Port to listen on (overrides `backend.listen.port`).
    #[arg(long, env = "PORTAL_PORT")]
    pub port: Option<u16>,
    /// Directory for the embedded database and other state.
    #[arg(long, default_value = "./data", env = "PORTAL_DATA_DIR")]
    pub data_dir: PathBuf,
    /// Seed demo data (demo catalog, demo cluster).
    #[arg(long)]
    pub demo: bool,
    /// Log format.
    #[arg(long, value_enum, default_value_t = LogFormat::Text, env = "PORTAL_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Extra configuration file, applied after app-config.yaml and app-config.local.yaml.
    /// Repeatable; later files win.
    #[arg(long = "config", value_name = "FILE")]
    pub config: Vec<PathBuf>,
    /// Directory of the built single-page app (Trunk's dist/).
    #[arg(long, env = "PORTAL_DIST_DIR")]
    pub dist_dir: Option<PathBuf>,
    /// Working directory holding app-config.yaml and bundled resources (default: current).
    #[arg(long, env = "PORTAL_ROOT")]
    pub root: Option<PathBuf>,
}

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}
