//! The test harness: a Docker daemon to test against (the user's if one answers, else a private
//! `dockerd` it starts itself), fixture images built `FROM scratch` with busybox-static, local
//! registries, and a virtual display for the real app. Shared by `tests/it` and `benches/bench.rs`.
#![allow(dead_code, clippy::unwrap_used)]

pub mod app;
pub mod daemon;
pub mod display;
pub mod fixtures;
pub mod registry;
pub mod secrets;

use std::process::Command;
use std::time::Duration;

/// Under CI and the README's test command nothing may be skipped: a missing daemon or display
/// is a failure. A plain `cargo test` on a laptop without Docker skips with a message.
pub fn must_run() -> bool {
    let on = |k: &str| {
        std::env::var(k)
            .map(|v| !v.is_empty() && v != "0" && v != "false")
            .unwrap_or(false)
    };
    on("CI") || on("DOCKWRIGHT_REQUIRE_ALL")
}

/// Reports a missing prerequisite: a panic when [`must_run`], else a skip message.
/// Returns `None` so callers can `let Some(x) = … else { return };`.
pub fn missing<T>(what: &str) -> Option<T> {
    if must_run() {
        panic!("{what} (CI / DOCKWRIGHT_REQUIRE_ALL is set, so this is a failure, not a skip)");
    }
    eprintln!("SKIPPED: {what}");
    None
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

pub fn have(cmd: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {cmd} >/dev/null 2>&1")])
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// `apt-get install` of Debian packages when root and a command is missing.
pub fn apt_install(packages: &[&str]) -> bool {
    if !is_root() || !have("apt-get") {
        return false;
    }
    eprintln!("harness: installing {}", packages.join(" "));
    let ok = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend_from_slice(packages);
    ok(&args) || (ok(&["update", "-q"]) && ok(&args))
}

/// Runs `cleanup` (a shell script) once this test process has exited, however it exits: a
/// detached shell waits for it. Returns whether the shell could be started.
pub fn after_exit(cleanup: &str) -> bool {
    let script = format!(
        "while kill -0 {parent} 2>/dev/null; do sleep 1; done\n{cleanup}",
        parent = std::process::id()
    );
    Command::new("setsid")
        .args(["sh", "-c", &script])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok()
}

/// Runs one test of this test binary again as the unprivileged user `nobody` (when root;
/// root ignores file modes) with `env`, and returns what it printed. The test is `#[ignore]`d
/// and does its work only when its environment variable is set.
pub fn run_test_as_nobody(test: &str, env: (&str, &str)) -> std::process::Output {
    let exe = std::env::current_exe().unwrap();
    let mut probe = if is_root() {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    probe
        .args(["--exact", test, "--ignored", "--nocapture"])
        .env(env.0, env.1)
        .output()
        .unwrap()
}

/// Runs a probe test as `nobody` (see [`run_test_as_nobody`]) and returns the lines it printed
/// that start with `PROBE `; panics, showing all it printed, when there are none.
pub fn probe_as_nobody(test: &str, env: (&str, &str)) -> Vec<String> {
    let out = run_test_as_nobody(test, env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<String> = stdout
        .lines()
        .filter(|l| l.starts_with("PROBE "))
        .map(str::to_owned)
        .collect();
    assert!(
        !lines.is_empty(),
        "probe printed nothing: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines
}

/// A token that cancels itself after `delay` (on the current tokio runtime).
pub fn cancel_after(delay: Duration) -> tokio_util::sync::CancellationToken {
    let cancel = tokio_util::sync::CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        c.cancel();
    });
    cancel
}

/// A unique, short, lowercase name for something a test creates.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    format!("{prefix}-{}-{n}-{:x}", std::process::id(), t & 0xffff)
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

/// Sends SIGTERM to `pid` and waits up to `timeout` for it to exit.
pub fn terminate(pid: u32, timeout: Duration) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let start = std::time::Instant::now();
    while std::path::Path::new(&format!("/proc/{pid}")).exists() && start.elapsed() < timeout {
        // A zombie child still has a /proc entry: check its state.
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            if stat.split(") ").nth(1).is_some_and(|s| s.starts_with('Z')) {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if std::path::Path::new(&format!("/proc/{pid}")).exists() {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}
