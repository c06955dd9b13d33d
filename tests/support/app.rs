//! The app started as a user would (no WebDriver): a fresh home, the harness daemon, a display,
//! and its log read from stderr. Used by the installer and single-instance tests and the
//! cold-start benchmark.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::terminate;

pub struct Launched {
    pub child: Child,
    /// When the process was spawned.
    pub started: Instant,
    lines: mpsc::Receiver<(Instant, String)>,
    /// Every line read so far.
    pub log: Vec<String>,
}

/// A home folder for one run of the app: XDG folders inside, a private runtime dir.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("runtime");
        std::fs::create_dir_all(&runtime).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&runtime, std::fs::Permissions::from_mode(0o700)).unwrap();
        Self { dir }
    }

    pub fn env(&self) -> Vec<(String, String)> {
        let p = self.dir.path();
        vec![
            ("HOME".into(), p.display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                p.join("config").display().to_string(),
            ),
            ("XDG_DATA_HOME".into(), p.join("data").display().to_string()),
            (
                "XDG_CACHE_HOME".into(),
                p.join("cache").display().to_string(),
            ),
            (
                "XDG_RUNTIME_DIR".into(),
                p.join("runtime").display().to_string(),
            ),
        ]
    }
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

/// Starts `bin` on `display` against `docker_host` in `home`, with `DOCKWRIGHT_LOG=info`.
/// `env` adds to (or overrides) that; no D-Bus session unless `env` names one.
pub fn launch(
    bin: &Path,
    display: &str,
    docker_host: &str,
    home: &Home,
    args: &[&str],
    env: &[(&str, String)],
) -> Launched {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .env("DISPLAY", display)
        .env("DOCKER_HOST", docker_host)
        .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
        .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
        .env("NO_COLOR", "1")
        .env("DOCKWRIGHT_LOG", "info,tao=warn,wry=warn")
        .envs(home.env())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    let stderr = child.stderr.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            if tx.send((Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    Launched {
        child,
        started,
        lines,
        log: Vec::new(),
    }
}

impl Launched {
    /// Waits for a log line containing `what`; returns when it was read. Panics with the log so
    /// far when it does not come within `within`.
    pub fn wait_line(&mut self, what: &str, within: Duration) -> (Instant, String) {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((at, line)) => {
                    self.log.push(line.clone());
                    if line.contains(what) {
                        return (at, line);
                    }
                }
                Err(_) => panic!(
                    "no log line with {what:?} within {within:?}; the log:\n{}",
                    self.log.join("\n")
                ),
            }
        }
    }

    /// Whether the process has exited (and how).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn stop(&mut self) {
        terminate(self.child.id(), Duration::from_secs(5));
        let _ = self.child.wait();
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        if self.exited().is_none() {
            self.stop();
        }
    }
}
