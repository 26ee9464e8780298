//! `butler-portal`: the Butler Portal server binary. Run with `cargo xtask run`, or
//! `butler-portal --help` for flags.

use butler_portal::cli::{Args, Command};
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.command {
        Some(Command::Emulator {
            port,
            empty,
            write_kubeconfig,
        }) => runtime.block_on(butler_portal::emulator::run(port, empty, write_kubeconfig)),
        None => runtime.block_on(butler_portal::run(args.cli)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
