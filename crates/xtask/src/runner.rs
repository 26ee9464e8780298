//! `cargo xtask test`: every check, in order, with a final `N passed, N failed` line.
//!
//! Each step streams its output. Test counts come from cargo's `test result:` lines and
//! the e2e runner's summary; a check step (fmt, clippy, builds) counts as one.

use crate::portal::Instance;
use crate::postgres::Postgres;
use crate::tools;
use crate::util::{banner, cmd, is_ci, root, target_dir};
use anyhow::{bail, Result};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failures: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, ok: bool) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
            self.failures.push(name.to_string());
        }
    }
}

/// Run a command, echoing output, and count test results from it.
fn counted(name: &str, c: &mut Command, tally: &mut Tally) -> bool {
    banner(name);
    let t0 = Instant::now();
    let mut child = match c.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn() {
        Ok(ch) => ch,
        Err(e) => {
            eprintln!("cannot start: {e}");
            tally.check(name, false);
            return false;
        }
    };
    let (mut passed, mut failed) = (0u64, 0u64);
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            println!("{line}");
            let l = line.trim();
            if let Some(rest) = l.strip_prefix("test result: ") {
                passed += number_before(rest, " passed");
                failed += number_before(rest, " failed");
            } else if let Some(rest) = l
                .strip_prefix("e2e summary: ")
                .or_else(|| l.strip_prefix("catalog-client: "))
            {
                passed += number_before(rest, " passed");
                failed += number_before(rest, " failed");
            }
        }
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    println!(
        "--- {name}: {} in {:.1}s",
        if ok { "ok" } else { "FAILED" },
        t0.elapsed().as_secs_f64()
    );
    tally.passed += passed;
    tally.failed += failed;
    if !ok {
        if failed == 0 {
            tally.failed += 1;
        }
        tally.failures.push(name.to_string());
    }
    ok
}

fn number_before(s: &str, marker: &str) -> u64 {
    s.find(marker)
        .and_then(|i| s[..i].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The whole suite (`e2e_only`: just builds + browser tests).
pub fn test(e2e_only: bool) -> Result<()> {
    let t0 = Instant::now();
    let mut tally = Tally::default();
    println!(
        "Butler Portal test suite (CI={}, target dir {})",
        is_ci(),
        target_dir().display()
    );
    if let Err(e) = tools::ensure_frontend_tools() {
        eprintln!("tool installation failed: {e:#}");
        tally.check("tools", false);
    }

    if let Err(e) = tools::ensure_kubectl() {
        eprintln!("{e:#}");
        tally.check("kubectl", false);
    }
    let pg_bin = tools::postgres_bin_dir();
    let pg = match &pg_bin {
        Some(bin) => match Postgres::start(bin) {
            Ok(pg) => Some(pg),
            Err(e) => {
                eprintln!("cannot start PostgreSQL: {e:#}");
                None
            }
        },
        None => None,
    };
    if pg.is_none() {
        let msg = "PostgreSQL is not available: PostgreSQL tests cannot run";
        if is_ci() {
            eprintln!("{msg} (a failure under CI=true)");
            tally.check("postgresql", false);
        } else {
            eprintln!("warning: {msg}; they will be skipped (install postgresql)");
        }
    } else {
        tally.check("postgresql server start", true);
    }
    let pg_url = pg.as_ref().map(|p| p.url.clone());

    if !e2e_only {
        counted(
            "cargo fmt --check",
            cmd("cargo").args(["fmt", "--all", "--", "--check"]),
            &mut tally,
        );
        counted(
            "cargo clippy (all targets, -D warnings)",
            cmd("cargo").args([
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ]),
            &mut tally,
        );
        counted(
            "cargo clippy (app for wasm32, -D warnings)",
            cmd("cargo").args([
                "clippy",
                "-p",
                "butler-portal-app",
                "--target",
                "wasm32-unknown-unknown",
                "--",
                "-D",
                "warnings",
            ]),
            &mut tally,
        );
        let commons = common_crates();
        let mut wasm = cmd("cargo");
        wasm.args(["build", "--target", "wasm32-unknown-unknown"]);
        for c in &commons {
            wasm.args(["-p", c]);
        }
        counted(
            &format!("wasm32 build of {}", commons.join(", ")),
            &mut wasm,
            &mut tally,
        );
        let mut t = cmd("cargo");
        t.args(["test", "--workspace", "--exclude", "butler-portal-app"]);
        if let Some(url) = &pg_url {
            t.env("TEST_DATABASE_URL", url);
        }
        counted(
            &format!(
                "unit + integration tests (SQLite{})",
                if pg_url.is_some() {
                    " and PostgreSQL"
                } else {
                    " only"
                }
            ),
            &mut t,
            &mut tally,
        );
    }

    let built = counted(
        "web app build (trunk build --release)",
        &mut spa_build(),
        &mut tally,
    ) & counted(
        "release build of butler-portal",
        cmd("cargo").args(["build", "--release", "-p", "butler-portal"]),
        &mut tally,
    );
    if built {
        run_e2e(&mut tally, pg_url.as_deref());
    } else {
        tally.check("e2e (skipped: build failed)", false);
    }
    drop(pg);

    println!("\nfinished in {:.0}s", t0.elapsed().as_secs_f64());
    if !tally.failures.is_empty() {
        println!("failed steps: {}", tally.failures.join("; "));
    }
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        bail!("{} failed", tally.failed);
    }
    Ok(())
}

fn spa_build() -> Command {
    let mut c = cmd("trunk");
    c.args(["build", "--release"])
        .env("TRUNK_SKIP_VERSION_CHECK", "true")
        .env("NO_COLOR", "true");
    c
}

fn run_e2e(tally: &mut Tally, pg_url: Option<&str>) {
    if let Err(e) = tools::ensure_chromium() {
        eprintln!("{e:#}");
        tally.check("chromium", false);
        return;
    }
    let logs = target_dir().join("e2e-logs");
    let _ = std::fs::create_dir_all(&logs);
    let mut engines: Vec<(&str, Option<String>)> = vec![("sqlite", None)];
    match pg_url {
        Some(url) => engines.push(("postgres", Some(with_database(url, "e2e_portal")))),
        None if is_ci() => tally.check("e2e on PostgreSQL (no server)", false),
        None => eprintln!("warning: skipping e2e on PostgreSQL (no server)"),
    }
    for (engine, url) in engines {
        if let (Some(_), Some(admin)) = (&url, pg_url) {
            if let Err(e) = create_database(admin, "e2e_portal") {
                eprintln!("{e:#}");
                tally.check("create e2e database", false);
                continue;
            }
        }
        let log = logs.join(format!("portal-{engine}.log"));
        let Ok(port) = crate::util::free_port() else {
            tally.check("free port", false);
            continue;
        };
        // A real OpenID Connect provider (npm oidc-provider) for the browser sign-in test.
        let oidc = if engine == "sqlite" {
            match OidcProvider::start(port, &logs) {
                Ok(o) => Some(o),
                Err(e) => {
                    eprintln!("cannot start the OIDC provider: {e:#}");
                    tally.check("start OIDC provider", false);
                    None
                }
            }
        } else {
            None
        };
        // Every spec signs in; lift the per-address sign-in rate limit for the suite.
        let e2e_config = logs.join("e2e.yaml");
        if let Err(e) = std::fs::write(&e2e_config, "auth:\n  rateLimitPerMinute: 1000\n") {
            eprintln!("cannot write {}: {e}", e2e_config.display());
        }
        let mut configs = vec![e2e_config];
        configs.extend(oidc.iter().map(|o| o.config.clone()));
        let inst = match Instance::start_on(port, url.as_deref(), true, &configs, &log) {
            Ok(i) => i,
            Err(e) => {
                eprintln!("{e:#}");
                tally.check(&format!("start portal on {engine}"), false);
                continue;
            }
        };
        println!(
            "portal on {engine} ready in {:?} at {}",
            inst.ready_after, inst.base_url
        );
        let mut c = cmd("node");
        c.arg("e2e/run.mjs")
            .env("BASE_URL", &inst.base_url)
            .env("E2E_ENGINE", engine);
        if oidc.is_some() {
            c.env("OIDC_PROVIDER_ID", "e2e")
                .env("OIDC_LOGIN", OIDC_LOGIN);
        }
        if engine != "sqlite" {
            // The browser suite runs once; the other engine runs the API-level suites.
            c.env("E2E_API_ONLY", "1");
        }
        counted(
            &format!("e2e suite against the release binary ({engine})"),
            &mut c,
            tally,
        );
        let mut client = cmd("node");
        client
            .arg("e2e/catalog-client.test.mjs")
            .env("BASE_URL", &inst.base_url);
        counted(
            &format!("@backstage/catalog-client compatibility ({engine})"),
            &mut client,
            tally,
        );
        drop(inst);
        drop(oidc);
    }
}

/// `url` with its database name replaced.
pub fn with_database(url: &str, name: &str) -> String {
    match url.rfind('/') {
        Some(i) if i > "postgres://".len() => format!("{}/{name}", &url[..i]),
        _ => format!("{url}/{name}"),
    }
}

/// Drop and create database `name` on the server at `admin_url`.
pub fn create_database(admin_url: &str, name: &str) -> Result<()> {
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        let status = Command::new("psql")
            .arg(admin_url)
            .args(["-v", "ON_ERROR_STOP=1", "-q", "-c", &sql])
            .status()?;
        if !status.success() {
            bail!("psql: `{sql}` failed");
        }
    }
    Ok(())
}

/// Workspace packages whose name ends in `-common`.
fn common_crates() -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(root().join("plugins")) {
        for d in dirs.flatten() {
            let manifest = d.path().join("Cargo.toml");
            if let Ok(text) = std::fs::read_to_string(&manifest) {
                if let Some(name) = text
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("name = "))
                    .map(|n| n.trim_matches('"').to_string())
                {
                    if name.ends_with("-common") {
                        out.push(name);
                    }
                }
            }
        }
    }
    out.sort();
    out.push("portal-types".into());
    out
}

/// The demo catalog user the OIDC browser test signs in as.
const OIDC_LOGIN: &str = "alice";

/// `node e2e/oidc-provider.mjs` on a free port, plus the portal config pointing at it.
struct OidcProvider {
    child: std::process::Child,
    config: std::path::PathBuf,
}

impl OidcProvider {
    fn start(portal_port: u16, logs: &std::path::Path) -> Result<Self> {
        let port = crate::util::free_port()?;
        let log = logs.join("oidc-provider.log");
        let mut child = cmd("node")
            .arg("e2e/oidc-provider.mjs")
            .env("OIDC_PORT", port.to_string())
            .env(
                "OIDC_REDIRECT_URI",
                format!("http://localhost:{portal_port}/api/auth/e2e/handler/frame"),
            )
            .stdout(Stdio::from(std::fs::File::create(&log)?))
            .stderr(Stdio::from(
                std::fs::File::options().append(true).open(&log)?,
            ))
            .spawn()?;
        let deadline = Instant::now() + std::time::Duration::from_secs(30);
        while crate::portal::http_status(port, "/.well-known/openid-configuration") != Some(200) {
            if Instant::now() > deadline || child.try_wait()?.is_some() {
                let _ = child.kill();
                bail!(
                    "OIDC provider did not start; log:\n{}",
                    std::fs::read_to_string(&log).unwrap_or_default()
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let config = logs.join("oidc.yaml");
        std::fs::write(
            &config,
            format!(
                "backend:\n  baseUrl: http://localhost:{portal_port}\nauth:\n  rateLimitPerMinute: 1000\n  providers:\n    guest: {{}}\n    oidc:\n      e2e:\n        title: E2E OIDC\n        metadataUrl: http://127.0.0.1:{port}\n        clientId: butler-portal\n        clientSecret: e2e-secret\n"
            ),
        )?;
        Ok(Self { child, config })
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
