//! A throwaway PostgreSQL server on a free loopback port, stopped and removed on drop.
//! As root, the server runs as user `postgres` (initdb refuses root).

use crate::util::{free_port, is_root, run};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running throwaway server.
pub struct Postgres {
    bin: PathBuf,
    dir: PathBuf,
    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub url: String,
    as_postgres: bool,
}

impl Postgres {
    /// initdb + start; waits until it accepts connections.
    pub fn start(bin: &Path) -> Result<Self> {
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("butler-portal-pg-{port}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let as_postgres = is_root();
        if as_postgres {
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir))?;
        }
        let pg = Self {
            bin: bin.to_path_buf(),
            dir: dir.clone(),
            url: format!("postgres://postgres@127.0.0.1:{port}/postgres"),
            as_postgres,
        };
        let data = dir.join("data");
        pg.run_pg(
            "initdb",
            &[
                "-D",
                &data.display().to_string(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )
        .context("initdb failed")?;
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
            dir.display()
        );
        pg.run_pg(
            "pg_ctl",
            &[
                "-D",
                &data.display().to_string(),
                "-o",
                &opts,
                "-l",
                &dir.join("server.log").display().to_string(),
                "-w",
                "-t",
                "60",
                "start",
            ],
        )
        .context("pg_ctl start failed")?;
        println!("PostgreSQL started: {}", pg.url);
        Ok(pg)
    }

    fn run_pg(&self, tool: &str, args: &[&str]) -> Result<()> {
        let exe = self.bin.join(tool);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        c.args(args)
            .current_dir(&self.dir)
            .stdout(std::process::Stdio::null());
        run(&mut c)
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.join("data").display().to_string();
        let _ = self.run_pg("pg_ctl", &["-D", &data, "-m", "immediate", "-w", "stop"]);
        let _ = std::fs::remove_dir_all(&self.dir);
        println!("PostgreSQL stopped");
    }
}
