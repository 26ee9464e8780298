//! Run the emulator standalone: `cargo run -p kube-emulator --example serve -- [port] [--demo]`.

use kube_emulator::{Emulator, EmulatorConfig};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port: u16 = args.iter().find_map(|a| a.parse().ok()).unwrap_or(6443);
    let config = EmulatorConfig {
        listen: ([127, 0, 0, 1], port).into(),
        seed_demo: args.iter().any(|a| a == "--demo"),
        ..Default::default()
    };
    let emu = Emulator::start(config).await?;
    println!("kube-emulator listening on {}", emu.url());
    println!("try: kubectl --server {} get tenantclusters -A", emu.url());
    tokio::signal::ctrl_c().await?;
    emu.shutdown().await;
    Ok(())
}
