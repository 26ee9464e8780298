//! Starting the portal binary: `cargo xtask run`, and throwaway instances for e2e/bench.

use crate::tools;
use crate::util::{banner, cmd, root, run, target_dir};
use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `cargo xtask run`: tools, SPA, release build, then the portal in the foreground.
pub fn run_portal(extra: &[String]) -> Result<()> {
    tools::build_spa()?;
    banner("building butler-portal (release)");
    run(cmd("cargo").args(["build", "--release", "-p", "butler-portal"]))?;
    let mut args: Vec<String> = vec!["--demo".into()];
    args.extend(extra.iter().filter(|a| a.as_str() != "--").cloned());
    banner(&format!(
        "starting Butler Portal on http://localhost:7007 ({})",
        args.join(" ")
    ));
    let status = Command::new(binary_path())
        .args(&args)
        .current_dir(root())
        .status()
        .context("starting butler-portal")?;
    if !status.success() {
        bail!("butler-portal exited with {status}");
    }
    Ok(())
}

/// The release binary.
pub fn binary_path() -> PathBuf {
    target_dir().join("release/butler-portal")
}

/// A portal started for a test or a benchmark; killed on drop.
pub struct Instance {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    /// Time from spawn to `/readyz` 200.
    pub ready_after: Duration,
    _data: tempfile_dir::TempDir,
}

/// Minimal temp-dir guard (no extra dependency).
mod tempfile_dir {
    use std::path::PathBuf;

    /// Removed on drop.
    pub struct TempDir(pub PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Instance {
    /// Start the release binary on a free port with a fresh data dir; wait for readiness.
    pub fn start(database_url: Option<&str>, demo: bool, log: &Path) -> Result<Self> {
        Self::start_on(crate::util::free_port()?, database_url, demo, &[], log)
    }

    /// Like [`Instance::start`] on a given port with extra `--config` files.
    pub fn start_on(
        port: u16,
        database_url: Option<&str>,
        demo: bool,
        configs: &[PathBuf],
        log: &Path,
    ) -> Result<Self> {
        let data = std::env::temp_dir().join(format!("butler-portal-data-{port}"));
        let _ = std::fs::remove_dir_all(&data);
        std::fs::create_dir_all(&data)?;
        let mut c = Command::new(binary_path());
        c.current_dir(root())
            .arg("--port")
            .arg(port.to_string())
            .arg("--data-dir")
            .arg(&data)
            .env_remove("DATABASE_URL")
            .stdout(Stdio::from(std::fs::File::create(log)?))
            .stderr(Stdio::from(
                std::fs::File::options().append(true).open(log)?,
            ));
        if demo {
            c.arg("--demo");
        }
        for cfg in configs {
            c.arg("--config").arg(cfg);
        }
        if let Some(url) = database_url {
            c.env("DATABASE_URL", url);
        }
        let t0 = Instant::now();
        let child = c.spawn().context("starting butler-portal")?;
        let mut inst = Self {
            child,
            base_url: format!("http://localhost:{port}"),
            ready_after: Duration::ZERO,
            _data: tempfile_dir::TempDir(data),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = inst.child.try_wait()? {
                bail!(
                    "butler-portal exited early ({status}); log:\n{}",
                    std::fs::read_to_string(log).unwrap_or_default()
                );
            }
            if http_status(port, "/readyz") == Some(200) {
                inst.ready_after = t0.elapsed();
                return Ok(inst);
            }
            if Instant::now() > deadline {
                bail!("butler-portal not ready after 60s");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        // SIGTERM for a graceful stop, then make sure.
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A tiny blocking HTTP/1.1 GET returning the status code (no client dependency).
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = [0u8; 32];
    let n = s.read(&mut buf).ok()?;
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    head.split_whitespace().nth(1)?.parse().ok()
}
