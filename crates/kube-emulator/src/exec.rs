//! `pods/exec` over WebSocket (subprotocols `v5.channel.k8s.io` and `v4.channel.k8s.io`).
//!
//! Frames are binary; the first byte is the channel: 0 stdin, 1 stdout, 2 stderr, 3 error (a
//! `Status` JSON sent when the command ends: `Success`, or `Failure` with reason
//! `NonZeroExitCode` and the exit code as a cause), 4 resize (`{"Width": w, "Height": h}`),
//! and with v5 channel 255 to close a stream (`[255, 0]` closes stdin).
//!
//! **The command runs on the host**, as the emulator's user, in a real PTY when `tty=true`
//! (stderr then arrives on stdout, as with a real container runtime) or with pipes otherwise.
//! Only pods that exist in the store and are `Running` can be exec'd into. [`ExecConfig`] can
//! replace the requested command with a fixed one (e.g. a shell) or disable exec.

use crate::error::ApiError;
use crate::rbac::Attributes;
use crate::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use http::HeaderMap;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::PathBuf;
use tokio::sync::mpsc;

/// What exec runs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExecMode {
    /// The requested command, on the host.
    #[default]
    Host,
    /// Always this command (argv), whatever was requested.
    Fixed(Vec<String>),
    /// Exec is refused (403).
    Disabled,
}

/// Exec settings.
#[derive(Debug, Clone, Default)]
pub struct ExecConfig {
    /// What to run.
    pub mode: ExecMode,
    /// Working directory (the emulator's current directory when `None`).
    pub workdir: Option<PathBuf>,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
}

/// Parsed exec options.
#[derive(Debug, Clone, Default)]
struct ExecOptions {
    command: Vec<String>,
    stdin: bool,
    stdout: bool,
    stderr: bool,
    tty: bool,
    container: Option<String>,
}

fn parse_options(query: &[(String, String)]) -> ExecOptions {
    let flag = |k: &str| {
        query
            .iter()
            .any(|(q, v)| q == k && matches!(v.as_str(), "1" | "true" | "True"))
    };
    ExecOptions {
        command: query
            .iter()
            .filter(|(k, _)| k == "command")
            .map(|(_, v)| v.clone())
            .collect(),
        stdin: flag("stdin"),
        stdout: flag("stdout"),
        stderr: flag("stderr"),
        tty: flag("tty"),
        container: query
            .iter()
            .find(|(k, _)| k == "container")
            .map(|(_, v)| v.clone()),
    }
}

/// The exec endpoint.
pub async fn handler(
    State(app): State<AppState>,
    Path((ns, pod)): Path<(String, String)>,
    Query(query): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    ws: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    match prepare(&app, &ns, &pod, &query, &headers) {
        Err(e) => e.into_response(),
        Ok(opts) => match ws {
            Err(_) => ApiError::bad_request("Upgrade request required: exec needs a WebSocket (v5.channel.k8s.io or v4.channel.k8s.io)").into_response(),
            Ok(ws) => {
                let ws = ws.protocols(["v5.channel.k8s.io", "v4.channel.k8s.io"]);
                let Some(proto) = ws.selected_protocol().and_then(|p| p.to_str().ok()).map(String::from) else {
                    return ApiError::bad_request("no supported WebSocket subprotocol: use v5.channel.k8s.io or v4.channel.k8s.io").into_response();
                };
                let v5 = proto.starts_with("v5");
                let env = session_env(&app, &ns, &pod, &opts);
                let cancel = app.cancel.clone();
                let workdir = app.config.exec.workdir.clone();
                ws.on_upgrade(move |socket| async move {
                    tokio::select! {
                        _ = run_session(socket, opts, env, workdir, v5) => {}
                        _ = cancel.cancelled() => {}
                    }
                })
            }
        },
    }
}

fn prepare(
    app: &AppState,
    ns: &str,
    pod: &str,
    query: &[(String, String)],
    headers: &HeaderMap,
) -> Result<ExecOptions, ApiError> {
    let id = app.config.rbac.identity(headers);
    let attrs = Attributes {
        verb: "create".into(),
        group: String::new(),
        resource: "pods".into(),
        subresource: "exec".into(),
        namespace: ns.into(),
        name: pod.into(),
    };
    app.config.rbac.check(&app.store, &id, &attrs)?;
    let rt = app
        .store
        .resolve("", "v1", "pods")
        .ok_or_else(|| ApiError::internal("pods missing"))?;
    let obj = app.store.get(&rt, ns, pod)?;
    let mut opts = parse_options(query);
    if let Some(c) = &opts.container {
        let known = obj["spec"]["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|x| x["name"].as_str() == Some(c));
        if !known {
            return Err(ApiError::bad_request(format!(
                "container {c} is not valid for pod {pod}"
            )));
        }
    }
    if obj["status"]["phase"].as_str() != Some("Running") {
        return Err(ApiError::bad_request(format!(
            "unable to upgrade connection: pod {pod} is not running (phase {})",
            obj["status"]["phase"].as_str().unwrap_or("Unknown")
        )));
    }
    match &app.config.exec.mode {
        ExecMode::Disabled => return Err(ApiError::forbidden("exec is disabled in this emulator")),
        ExecMode::Fixed(cmd) => opts.command = cmd.clone(),
        ExecMode::Host => {}
    }
    if opts.command.is_empty() {
        return Err(ApiError::bad_request("you must specify at least 1 command"));
    }
    if !(opts.stdin || opts.stdout || opts.stderr) {
        return Err(ApiError::bad_request(
            "you must specify at least one of stdin, stdout, stderr",
        ));
    }
    Ok(opts)
}

fn session_env(app: &AppState, ns: &str, pod: &str, opts: &ExecOptions) -> Vec<(String, String)> {
    let mut env = vec![
        ("HOSTNAME".to_string(), pod.to_string()),
        ("POD_NAME".into(), pod.into()),
        ("POD_NAMESPACE".into(), ns.into()),
    ];
    if opts.tty {
        env.push(("TERM".into(), "xterm-256color".into()));
    }
    env.extend(app.config.exec.env.iter().cloned());
    env
}

/// Events from the process side.
enum Out {
    Data(u8, Vec<u8>),
    Exit(Value),
}

/// Commands to the process side.
enum In {
    Stdin(Vec<u8>),
    CloseStdin,
    Resize(u16, u16),
}

fn normal_close() -> Message {
    Message::Close(Some(axum::extract::ws::CloseFrame {
        code: 1000,
        reason: "".into(),
    }))
}

fn exit_status(code: Option<i32>, argv: &[String]) -> Value {
    match code {
        Some(0) => json!({"metadata": {}, "status": "Success"}),
        Some(c) => json!({
            "metadata": {}, "status": "Failure",
            "message": format!("command terminated with non-zero exit code: error executing command {argv:?}, exit code {c}"),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": c.to_string()}]}
        }),
        None => {
            json!({"metadata": {}, "status": "Failure", "message": "command terminated by a signal", "reason": "InternalError"})
        }
    }
}

fn spawn_failure(argv: &[String], e: &str) -> Value {
    json!({
        "metadata": {}, "status": "Failure",
        "message": format!("failed to exec {argv:?}: {e}"),
        "reason": "InternalError",
        "details": {"causes": [{"reason": "ExitCode", "message": "126"}]}
    })
}

async fn run_session(
    socket: WebSocket,
    opts: ExecOptions,
    env: Vec<(String, String)>,
    workdir: Option<PathBuf>,
    v5: bool,
) {
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel::<Out>(64);
    let (in_tx, in_rx) = mpsc::channel::<In>(64);
    if opts.tty {
        spawn_pty(&opts, &env, workdir, out_tx, in_rx);
    } else {
        spawn_pipes(&opts, &env, workdir, out_tx, in_rx);
    }
    let in_tx = Some(in_tx);
    loop {
        tokio::select! {
            out = out_rx.recv() => match out {
                Some(Out::Data(ch, data)) => {
                    let mut frame = Vec::with_capacity(data.len() + 1);
                    frame.push(ch);
                    frame.extend_from_slice(&data);
                    if sink.send(Message::Binary(frame.into())).await.is_err() { return; }
                }
                Some(Out::Exit(status)) => {
                    let mut frame = vec![3u8];
                    frame.extend_from_slice(&serde_json::to_vec(&status).unwrap_or_default());
                    let _ = sink.send(Message::Binary(frame.into())).await;
                    let _ = sink.send(normal_close()).await;
                    return;
                }
                None => { let _ = sink.send(normal_close()).await; return; }
            },
            msg = stream.next() => {
                let data: Vec<u8> = match msg {
                    Some(Ok(Message::Binary(b))) => b.to_vec(),
                    Some(Ok(Message::Text(t))) => t.as_bytes().to_vec(),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                        // Client went away: dropping the input channel ends stdin; the process
                        // side is killed when its handles drop.
                        return;
                    }
                    Some(Ok(_)) => continue,
                };
                let Some((&ch, payload)) = data.split_first() else { continue };
                tracing::debug!(channel = ch, len = payload.len(), "exec frame from client");
                let Some(tx) = &in_tx else { continue };
                match ch {
                    0 => { let _ = tx.send(In::Stdin(payload.to_vec())).await; }
                    4 => {
                        if let Ok(v) = serde_json::from_slice::<Value>(payload) {
                            let w = v["Width"].as_u64().unwrap_or(80) as u16;
                            let h = v["Height"].as_u64().unwrap_or(24) as u16;
                            let _ = tx.send(In::Resize(w, h)).await;
                        }
                    }
                    255 if v5 && payload.first() == Some(&0) => {
                        let _ = tx.send(In::CloseStdin).await;
                    }
                    _ => {}
                }
            }
        }
    }
}

fn spawn_pipes(
    opts: &ExecOptions,
    env: &[(String, String)],
    workdir: Option<PathBuf>,
    out: mpsc::Sender<Out>,
    mut input: mpsc::Receiver<In>,
) {
    use std::process::Stdio;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut cmd = tokio::process::Command::new(&opts.command[0]);
    cmd.args(&opts.command[1..])
        .envs(env.iter().cloned())
        .stdin(if opts.stdin {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(if opts.stdout {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stderr(if opts.stderr {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .kill_on_drop(true);
    if let Some(d) = workdir {
        cmd.current_dir(d);
    }
    let argv = opts.command.clone();
    tokio::spawn(async move {
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                let _ = out
                    .send(Out::Exit(spawn_failure(&argv, &e.to_string())))
                    .await;
                return;
            }
        };
        let mut readers = Vec::new();
        for (ch, pipe) in [
            (
                1u8,
                child
                    .stdout
                    .take()
                    .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            ),
            (
                2u8,
                child
                    .stderr
                    .take()
                    .map(|p| Box::new(p) as Box<dyn tokio::io::AsyncRead + Unpin + Send>),
            ),
        ] {
            if let Some(mut p) = pipe {
                let out = out.clone();
                readers.push(tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    loop {
                        match p.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                if out.send(Out::Data(ch, buf[..n].to_vec())).await.is_err() {
                                    break;
                                }
                            }
                        }
                    }
                }));
            }
        }
        let mut stdin = child.stdin.take();
        let status = loop {
            tokio::select! {
                st = child.wait() => break st,
                msg = input.recv() => match msg {
                    Some(In::Stdin(d)) => {
                        if let Some(s) = stdin.as_mut() { let _ = s.write_all(&d).await; let _ = s.flush().await; }
                    }
                    Some(In::CloseStdin) => { stdin = None; }
                    Some(In::Resize(..)) => {}
                    None => {
                        // The session ended: kill the command.
                        let _ = child.kill().await;
                        return;
                    }
                }
            }
        };
        for r in readers {
            let _ = r.await;
        }
        let code = status.ok().and_then(|s| s.code());
        let _ = out.send(Out::Exit(exit_status(code, &argv))).await;
    });
}

fn spawn_pty(
    opts: &ExecOptions,
    env: &[(String, String)],
    workdir: Option<PathBuf>,
    out: mpsc::Sender<Out>,
    mut input: mpsc::Receiver<In>,
) {
    use portable_pty::{native_pty_system, CommandBuilder, PtySize};
    let argv = opts.command.clone();
    let size = PtySize {
        rows: 24,
        cols: 80,
        pixel_width: 0,
        pixel_height: 0,
    };
    let pair = match native_pty_system().openpty(size) {
        Ok(p) => p,
        Err(e) => {
            let _ = out.try_send(Out::Exit(spawn_failure(&argv, &e.to_string())));
            return;
        }
    };
    let mut cmd = CommandBuilder::new(&argv[0]);
    cmd.args(&argv[1..]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    match workdir {
        Some(d) => cmd.cwd(d),
        None => {
            if let Ok(d) = std::env::current_dir() {
                cmd.cwd(d)
            }
        }
    }
    let mut child = match pair.slave.spawn_command(cmd) {
        Ok(c) => c,
        Err(e) => {
            let _ = out.try_send(Out::Exit(spawn_failure(&argv, &e.to_string())));
            return;
        }
    };
    drop(pair.slave);
    let master = pair.master;
    let mut reader = match master.try_clone_reader() {
        Ok(r) => r,
        Err(e) => {
            let _ = out.try_send(Out::Exit(spawn_failure(&argv, &e.to_string())));
            return;
        }
    };
    let writer = master.take_writer().ok();
    let mut killer = child.clone_killer();
    // Output: blocking reads on a thread until EOF/EIO (the PTY closes when the command exits).
    let out_data = out.clone();
    let read_thread = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if out_data
                        .blocking_send(Out::Data(1, buf[..n].to_vec()))
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    // Exit: wait on a thread, then flush output and report the status.
    let out_exit = out.clone();
    let wait_argv = argv.clone();
    std::thread::spawn(move || {
        let status = child.wait();
        let _ = read_thread.join();
        let code = status.ok().map(|s| s.exit_code() as i32);
        let _ = out_exit.blocking_send(Out::Exit(exit_status(code, &wait_argv)));
    });
    // Input: stdin bytes and resizes.
    tokio::spawn(async move {
        let mut writer = writer;
        while let Some(msg) = input.recv().await {
            match msg {
                In::Stdin(d) => {
                    if let Some(w) = writer.as_mut() {
                        let _ = w.write_all(&d);
                        let _ = w.flush();
                    }
                }
                In::CloseStdin => {
                    if let Some(w) = writer.as_mut() {
                        let _ = w.write_all(&[4]);
                    }
                }
                In::Resize(w, h) => {
                    let _ = master.resize(PtySize {
                        rows: h,
                        cols: w,
                        pixel_width: 0,
                        pixel_height: 0,
                    });
                }
            }
        }
        // Session over: make sure the command does not outlive it.
        let _ = killer.kill();
    });
}
