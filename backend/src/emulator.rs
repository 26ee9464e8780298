//! `butler-portal emulator`: the kube-emulator standalone, seeded with the demo management
//! cluster, until Ctrl-C.

use crate::StartupError;
use kube_emulator::{Emulator, EmulatorConfig};
use std::path::PathBuf;

/// Run the emulator on `127.0.0.1:<port>` until SIGINT/SIGTERM.
pub async fn run(
    port: u16,
    empty: bool,
    write_kubeconfig: Option<PathBuf>,
) -> Result<(), StartupError> {
    let addr = format!("127.0.0.1:{port}");
    let listener =
        tokio::net::TcpListener::bind(&addr)
            .await
            .map_err(|e| StartupError::Listen {
                addr: addr.clone(),
                message: if e.kind() == std::io::ErrorKind::AddrInUse {
                    format!("port {port} is already in use")
                } else {
                    e.to_string()
                },
            })?;
    let config = EmulatorConfig {
        seed_demo: !empty,
        ..EmulatorConfig::demo(port)
    };
    let emu = Emulator::serve(listener, config)
        .await
        .map_err(|e| StartupError::Plugin {
            plugin: "emulator".into(),
            message: e.to_string(),
        })?;
    let url = emu.url();
    if let Some(path) = &write_kubeconfig {
        std::fs::write(path, emu.kubeconfig()).map_err(|e| StartupError::Plugin {
            plugin: "emulator".into(),
            message: format!("cannot write {}: {e}", path.display()),
        })?;
        println!("kubeconfig written to {}", path.display());
    }
    println!(
        "kube-emulator listening on {url} ({})",
        if empty {
            "empty: Butler CRDs only"
        } else {
            "demo management cluster"
        }
    );
    println!("try: kubectl --server {url} get tenantclusters -A");
    println!("press Ctrl-C to stop");
    crate::startup::shutdown_signal().await;
    emu.shutdown().await;
    println!("kube-emulator stopped");
    Ok(())
}
