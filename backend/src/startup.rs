//! Start-up: config → database → plugins → listener. Every failure is a
//! [`StartupError`] with one clear message; nothing panics.

use crate::cli::{Cli, LogFormat};
use crate::config::{Config, ConfigError};
use crate::server::{self, AppState};
use backend_plugin_api::auth::AuthExtensionPoint;
use backend_plugin_api::auth::AuthnState;
use backend_plugin_api::database::{redact_url, DatabaseError};
use backend_plugin_api::{Database, HostInfo, PluginContext, RegistryError};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tokio_util::sync::CancellationToken;

/// Why the portal could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// Configuration problem.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Plugin list problem(s).
    #[error("invalid plugin list: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Registry(Vec<RegistryError>),
    /// Database problem.
    #[error(transparent)]
    Database(#[from] DatabaseError),
    /// A plugin failed to initialise.
    #[error("plugin `{plugin}` startup failed: {message}")]
    Plugin {
        /// Plugin id.
        plugin: String,
        /// What went wrong.
        message: String,
    },
    /// The data directory cannot be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// Directory.
        path: PathBuf,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The port is taken or the address is invalid.
    #[error("cannot listen on {addr}: {message}")]
    Listen {
        /// Address.
        addr: String,
        /// Cause.
        message: String,
    },
}

/// A started portal (used by tests and by [`run`]).
pub struct Started {
    /// The bound address.
    pub addr: SocketAddr,
    /// Cancel to shut down.
    pub shutdown: CancellationToken,
    /// Resolves when the server has stopped.
    pub handle: tokio::task::JoinHandle<()>,
}

/// Parse flags, start, and serve until SIGTERM/SIGINT.
pub async fn run(cli: Cli) -> Result<(), StartupError> {
    init_logging(cli.log_format);
    let started = start(cli, Instant::now()).await?;
    let shutdown = started.shutdown.clone();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutdown signal received, draining connections");
        shutdown.cancel();
    });
    let _ = started.handle.await;
    tracing::info!("stopped");
    Ok(())
}

/// Start the portal and return once it is listening.
pub async fn start(cli: Cli, t0: Instant) -> Result<Started, StartupError> {
    let root = cli
        .root
        .clone()
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")));
    let registry = crate::plugins::default_plugins();
    let built = registry.build().map_err(StartupError::Registry)?;
    let ids: Vec<&str> = built.plugins.iter().map(|p| p.id()).collect();
    let config = Config::load(&root, &cli.config, &ids, &|k| std::env::var(k).ok())?;
    tracing::info!(files = ?config.files, "configuration loaded");

    std::fs::create_dir_all(&cli.data_dir).map_err(|source| StartupError::DataDir {
        path: cli.data_dir.clone(),
        source,
    })?;
    let db_url = std::env::var("DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| config.host.backend.database.url.clone())
        .unwrap_or_else(|| Database::sqlite_file_url(&cli.data_dir.join("portal.db")));
    let database = Database::connect(&db_url).await?;
    tracing::info!(url = %redact_url(&db_url), engine = database.engine().as_str(), "database connected");

    let port = cli.port.unwrap_or(config.host.backend.listen.port);
    let host_addr = config.host.backend.listen.host.clone();
    let addr_text = format!("{host_addr}:{port}");
    let listener = tokio::net::TcpListener::bind(&addr_text)
        .await
        .map_err(|e| StartupError::Listen {
            addr: addr_text.clone(),
            message: if e.kind() == std::io::ErrorKind::AddrInUse {
                format!("port {port} is already in use")
            } else {
                e.to_string()
            },
        })?;
    let addr = listener.local_addr().map_err(|e| StartupError::Listen {
        addr: addr_text.clone(),
        message: e.to_string(),
    })?;

    let base_url = config
        .host
        .backend
        .base_url
        .clone()
        .unwrap_or_else(|| format!("http://localhost:{}", addr.port()));
    let host = Arc::new(HostInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        base_url,
        demo: cli.demo,
        data_dir: cli.data_dir.clone(),
        resources_dir: root.clone(),
    });
    let shutdown = CancellationToken::new();
    let http = reqwest::Client::builder()
        .user_agent(concat!("butler-portal/", env!("CARGO_PKG_VERSION")))
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| StartupError::Plugin {
            plugin: "host".into(),
            message: format!("HTTP client: {e}"),
        })?;

    let mut migrations = Vec::new();
    let mut routers = Vec::new();
    for plugin in &built.plugins {
        if let Some(m) = plugin.migrations() {
            let n = database.migrate(plugin.id(), &m).await?;
            tracing::info!(plugin = plugin.id(), applied = n, "migrations up to date");
            migrations.push((plugin.id(), m));
        }
        let ctx = PluginContext::new(
            plugin.id(),
            config.plugin_section(plugin.id()),
            database.clone(),
            http.clone(),
            shutdown.child_token(),
            built.extensions.clone(),
            host.clone(),
        );
        let router = plugin.init(ctx).await.map_err(|e| StartupError::Plugin {
            plugin: plugin.id().into(),
            message: e.to_string(),
        })?;
        routers.push((plugin.id(), plugin.version(), router));
    }

    let dist = cli.dist_dir.clone().unwrap_or_else(|| root.join("dist"));
    let state = AppState {
        database,
        migrations: Arc::new(migrations),
        plugins: Arc::new(
            routers
                .iter()
                .map(|(id, v, _)| portal_types::InstalledPlugin {
                    id: id.to_string(),
                    version: v.to_string(),
                })
                .collect(),
        ),
        version: env!("CARGO_PKG_VERSION"),
        readiness: built.extensions.get_or_default(),
    };
    let mut protected: Vec<String> = built
        .plugins
        .iter()
        .map(|p| format!("/api/{}", p.id()))
        .collect();
    protected.push("/api/plugins".into());
    let authn = AuthnState {
        auth: built.extensions.get_or_default::<AuthExtensionPoint>(),
        anonymous: Arc::new(built.anonymous.clone()),
        protected_prefixes: Arc::new(protected),
        root_paths: Arc::new(built.root_paths.iter().map(|(p, _)| p.clone()).collect()),
    };
    let app = server::build_router(
        state,
        routers,
        &built.root_paths,
        &dist,
        &config.host.backend,
        authn,
    );
    tracing::info!(
        %addr,
        startup_ms = t0.elapsed().as_millis() as u64,
        "Butler Portal listening on http://localhost:{}",
        addr.port()
    );
    let token = shutdown.clone();
    let handle = tokio::spawn(async move {
        // Small responses (SSE events, JSON) go out at once instead of waiting for Nagle.
        let listener = axum::serve::ListenerExt::tap_io(listener, |tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let serve = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { token.cancelled().await });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "server error");
        }
    });
    Ok(Started {
        addr,
        shutdown,
        handle,
    })
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("PORTAL_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

pub(crate) async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
