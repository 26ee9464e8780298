//! Small process and path helpers.

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root (parent of `crates/xtask`).
pub fn root() -> PathBuf {
    // `cargo run` sets CARGO_MANIFEST_DIR for the process too: prefer it to the one compiled
    // in, so two checkouts sharing one CARGO_TARGET_DIR (a CI clone and a work tree) each
    // get their own root even when cargo reuses the xtask binary built for the other.
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Cargo's target directory (respects `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) if !d.is_empty() => {
            let p = PathBuf::from(d);
            if p.is_absolute() {
                p
            } else {
                root().join(p)
            }
        }
        _ => root().join("target"),
    }
}

/// `PATH` with `node_modules/.bin` and `~/.cargo/bin` first.
pub fn tool_path() -> String {
    let mut parts = vec![root().join("node_modules/.bin").display().to_string()];
    if let Some(home) = std::env::var_os("HOME") {
        parts.push(Path::new(&home).join(".cargo/bin").display().to_string());
    }
    if let Ok(p) = std::env::var("PATH") {
        parts.push(p);
    }
    parts.join(":")
}

/// A command rooted at the workspace with the tool `PATH`.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root()).env("PATH", tool_path());
    c
}

/// Run to completion, streaming output; error when it fails.
pub fn run(c: &mut Command) -> Result<()> {
    let desc = format!("{c:?}");
    let status = c.status().with_context(|| format!("cannot start {desc}"))?;
    if !status.success() {
        bail!("{desc} failed ({status})");
    }
    Ok(())
}

/// Run and capture stdout (stderr inherited).
pub fn output(c: &mut Command) -> Result<String> {
    let out = c.stderr(Stdio::inherit()).output()?;
    if !out.status.success() {
        bail!("{c:?} failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether `program --version` runs.
pub fn has(program: &str) -> Option<String> {
    Command::new(program)
        .env("PATH", tool_path())
        .arg("--version")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// A free TCP port on loopback.
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// Whether we run as root.
pub fn is_root() -> bool {
    std::env::var("USER").map(|u| u == "root").unwrap_or(false)
        || output(Command::new("id").arg("-u"))
            .map(|s| s.trim() == "0")
            .unwrap_or(false)
}

/// Whether `CI=true`.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Print a step banner.
pub fn banner(msg: &str) {
    println!("\n\x1b[1;36m==> {msg}\x1b[0m");
}
