//! `cargo xtask`: the only entry points a Butler Portal developer needs.
//!
//! * `cargo xtask run [-- <butler-portal flags>]`: install what is missing, build the
//!   SPA, start the portal with embedded SQLite and demo data on http://localhost:7007.
//! * `cargo xtask test`: fmt, clippy, wasm builds of `*-common` crates, unit and
//!   integration tests on SQLite and a throwaway PostgreSQL, SPA build, e2e in Chromium.
//!   Ends with `N passed, N failed`.
//! * `cargo xtask e2e`: only the SPA/binary builds and the browser suite.
//! * `cargo xtask bench [startup|catalog|emulator|butler|all]`: print JSON figures (never fails on timing).
//! * `cargo xtask crds`: write the Butler CRD YAML to `deploy/crds/`.

mod bench;
mod portal;
mod postgres;
mod runner;
mod tools;
mod util;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cmd, rest) = match args.split_first() {
        Some((c, r)) => (c.as_str(), r.to_vec()),
        None => ("help", Vec::new()),
    };
    let result = match cmd {
        "run" => portal::run_portal(&rest),
        "test" => runner::test(false),
        "e2e" => runner::test(true),
        "bench" => bench::bench(&rest),
        "crds" => crds(),
        "help" | "--help" | "-h" => {
            println!("usage: cargo xtask <run|test|e2e|bench> [args]\n\n{}", HELP);
            Ok(())
        }
        other => Err(anyhow::anyhow!(
            "unknown xtask command `{other}`; try `cargo xtask help`"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

const HELP: &str = "\
  run    install missing tools, build the web app, start the portal (SQLite, demo data) on :7007
  test   the whole test suite (fmt, clippy, wasm, unit+integration on SQLite and PostgreSQL, e2e)
  e2e    build and run only the browser end-to-end suite
  bench  print performance figures as JSON: bench [startup|catalog|emulator|butler|all]
  crds   write the Butler CustomResourceDefinitions to deploy/crds/";

/// `cargo xtask crds`: regenerate `deploy/crds/` from the typed CRDs in butler-common.
fn crds() -> anyhow::Result<()> {
    util::banner("writing Butler CRDs to deploy/crds/");
    util::run(util::cmd("cargo").args([
        "run",
        "--quiet",
        "-p",
        "plugin-butler-common",
        "--example",
        "write_crds",
        "--",
        "deploy/crds",
    ]))
}
