//! `cargo xtask bench [startup|catalog|emulator|butler|all]`: figures as JSON on stdout. Never fails on
//! timing; only a build or start failure is an error.

use crate::portal::Instance;
use crate::postgres::Postgres;
use crate::runner::{create_database, with_database};
use crate::tools;
use crate::util::{banner, cmd, root, run, target_dir};
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;

/// Entry point.
pub fn bench(args: &[String]) -> Result<()> {
    let what = args.first().map(String::as_str).unwrap_or("all");
    let mut report = serde_json::Map::new();
    report.insert("machine".into(), machine());
    if matches!(what, "startup" | "all") {
        report.insert("startup".into(), startup()?);
    }
    if matches!(what, "catalog" | "all") {
        let counts: Vec<String> = args.iter().skip(1).cloned().collect::<Vec<_>>();
        let counts = if counts.is_empty() {
            vec!["10000".to_string(), "100000".to_string()]
        } else {
            counts
        };
        report.insert("catalog".into(), catalog(&counts)?);
    }
    if matches!(what, "emulator" | "all") {
        report.insert(
            "emulator".into(),
            example_json("kube-emulator", "bench", &[])?,
        );
    }
    if matches!(what, "butler" | "all") {
        // CR change → catalog entity change, through watch, provider and catalog processing.
        report.insert(
            "butler".into(),
            example_json("plugin-butler-backend", "catalog_latency", &[])?,
        );
    }
    println!("{}", serde_json::to_string_pretty(&Value::Object(report))?);
    Ok(())
}

fn machine() -> Value {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_default();
    json!({"cpus": cpus, "cpu_model": model})
}

/// Start-to-ready time, idle RSS, SPA size.
fn startup() -> Result<Value> {
    tools::build_spa()?;
    banner("building butler-portal (release)");
    run(cmd("cargo").args(["build", "--release", "-p", "butler-portal"]))?;
    let log = target_dir().join("bench-portal.log");
    let mut ready = Vec::new();
    let mut rss = 0.0;
    for i in 0..5 {
        let inst = Instance::start(None, false, &log)?;
        ready.push(inst.ready_after.as_secs_f64() * 1000.0);
        if i == 0 {
            std::thread::sleep(std::time::Duration::from_secs(2));
            rss = rss_mb(inst.pid());
        }
    }
    ready.sort_by(|a, b| a.total_cmp(b));
    Ok(json!({
        "ready_ms_median_sqlite": ready[ready.len() / 2],
        "ready_ms_max_sqlite": ready[ready.len() - 1],
        "idle_rss_mb": rss,
        "spa": spa_size(&root().join("dist"))?,
        "goals": {"ready_ms": 1000, "idle_rss_mb": 50, "spa_gzip_kb": 1536}
    }))
}

/// Resident set size of a process in MiB.
pub fn rss_mb(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| (kb / 1024.0 * 10.0).round() / 10.0)
        .unwrap_or(0.0)
}

fn spa_size(dist: &Path) -> Result<Value> {
    let mut raw = 0u64;
    let mut gz = 0u64;
    let mut files = serde_json::Map::new();
    for entry in std::fs::read_dir(dist).context("dist/ missing: build the SPA first")? {
        let path = entry?.path();
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if !matches!(ext, "wasm" | "js" | "css" | "html") {
            continue;
        }
        let bytes = std::fs::read(&path)?;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&bytes)?;
        let zipped = enc.finish()?.len() as u64;
        raw += bytes.len() as u64;
        gz += zipped;
        files.insert(
            path.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into(),
            json!({"raw_kb": kb(bytes.len() as u64), "gzip_kb": kb(zipped)}),
        );
    }
    Ok(json!({"raw_kb": kb(raw), "gzip_kb": kb(gz), "files": files}))
}

fn kb(b: u64) -> f64 {
    (b as f64 / 1024.0 * 10.0).round() / 10.0
}

/// The catalog bench on SQLite and PostgreSQL.
fn catalog(counts: &[String]) -> Result<Value> {
    banner("building the catalog bench (release)");
    run(cmd("cargo").args([
        "build",
        "--release",
        "-p",
        "plugin-catalog-backend",
        "--example",
        "catalog_bench",
    ]))?;
    let exe = target_dir().join("release/examples/catalog_bench");
    let pg = tools::postgres_bin_dir().and_then(|b| Postgres::start(&b).ok());
    let mut out = serde_json::Map::new();
    for count in counts {
        let mut engines = vec![("sqlite", None)];
        if let Some(pg) = &pg {
            let name = format!("bench_{count}");
            create_database(&pg.url, &name)?;
            engines.push(("postgres", Some(with_database(&pg.url, &name))));
        }
        for (engine, url) in engines {
            banner(&format!("catalog bench: {count} entities on {engine}"));
            let mut c = cmd(&exe.display().to_string());
            c.args(["--engine", engine, "--count", count]);
            if let Some(url) = url {
                c.args(["--database-url", &url]);
            }
            let text = crate::util::output(&mut c)?;
            let figures: Value = text
                .lines()
                .rev()
                .find_map(|l| serde_json::from_str(l).ok())
                .unwrap_or_else(|| json!({"raw": text}));
            out.insert(format!("{engine}_{count}"), figures);
        }
    }
    Ok(Value::Object(out))
}

/// Build and run a release example that prints one JSON object (its last JSON line).
fn example_json(package: &str, example: &str, args: &[&str]) -> Result<Value> {
    banner(&format!("{package}: {example} (release)"));
    run(cmd("cargo").args(["build", "--release", "-p", package, "--example", example]))?;
    let exe = target_dir().join("release/examples").join(example);
    let text = crate::util::output(cmd(&exe.display().to_string()).args(args))?;
    Ok(text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| json!({"raw": text})))
}
