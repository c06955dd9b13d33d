//! The Docker daemon the tests talk to.
//!
//! If `DOCKWRIGHT_TEST_DOCKER_HOST` is set, that one. Else, if the user's daemon (`DOCKER_HOST`
//! or the default socket) answers, that one: everything the tests create is labelled and removed.
//! Else, when root on Linux: install Debian's `docker.io` if missing and start a private
//! `dockerd` with its own data root, exec root, pidfile and socket in a temp folder. A watchdog
//! stops it (and removes its folder) when the test process exits, however it exits.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::{after_exit, apt_install, have, is_root, missing, terminate};

pub struct TestDaemon {
    /// `unix:///…` or `tcp://…`
    pub host: String,
    pub private: Option<PrivateDaemon>,
}

impl TestDaemon {
    pub fn docker(&self) -> bollard::Docker {
        connect(&self.host)
    }

    /// An engine `Endpoint` for this daemon, as if from `DOCKER_HOST`.
    pub fn endpoint(&self) -> dockwright_engine::Endpoint {
        dockwright_engine::connect::resolve(
            &dockwright_engine::Environment::for_host(&self.host),
            None,
        )
        .unwrap()
    }

    pub async fn engine(&self) -> dockwright_engine::Engine {
        dockwright_engine::Engine::connect(&self.endpoint())
            .await
            .unwrap()
    }
}

pub fn connect(host: &str) -> bollard::Docker {
    if let Some(path) = host.strip_prefix("unix://") {
        bollard::Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION).unwrap()
    } else {
        bollard::Docker::connect_with_http(host, 120, bollard::API_DEFAULT_VERSION).unwrap()
    }
}

static SHARED: OnceLock<Option<TestDaemon>> = OnceLock::new();

/// The daemon shared by the tests of this process, or `None` (skip) when there is none and
/// skipping is allowed.
pub fn shared() -> Option<&'static TestDaemon> {
    SHARED.get_or_init(init_shared).as_ref()
}

fn init_shared() -> Option<TestDaemon> {
    if let Ok(host) = std::env::var("DOCKWRIGHT_TEST_DOCKER_HOST") {
        if ping(&host) {
            return Some(TestDaemon {
                host,
                private: None,
            });
        }
        return missing(&format!(
            "DOCKWRIGHT_TEST_DOCKER_HOST={host} does not answer"
        ));
    }
    let user = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unix:///var/run/docker.sock".to_owned());
    if std::env::var_os("DOCKER_TLS_VERIFY").is_none() && ping(&user) {
        eprintln!("harness: using the Docker daemon at {user}");
        return Some(TestDaemon {
            host: user,
            private: None,
        });
    }
    match PrivateDaemon::start_with_own_bridge("main") {
        Ok(d) => Some(TestDaemon {
            host: d.host(),
            private: Some(d),
        }),
        Err(why) => missing(&format!("no Docker daemon to test against: {why}")),
    }
}

/// `GET /_ping` over the socket, without any client library: true when the daemon says OK.
pub fn ping(host: &str) -> bool {
    let req = b"GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n";
    let mut buf = Vec::new();
    let ok = if let Some(path) = host.strip_prefix("unix://") {
        std::os::unix::net::UnixStream::connect(path).and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(3)))?;
            s.write_all(req)?;
            s.read_to_end(&mut buf)
        })
    } else if let Some(addr) = host.strip_prefix("tcp://") {
        std::net::TcpStream::connect(addr.trim_end_matches('/')).and_then(|mut s| {
            s.set_read_timeout(Some(Duration::from_secs(3)))?;
            s.write_all(req)?;
            s.read_to_end(&mut buf)
        })
    } else {
        return false;
    };
    ok.is_ok() && buf.starts_with(b"HTTP/1.") && buf.ends_with(b"OK")
}

/// A `dockerd` of our own. Never the user's: its own folders and socket.
pub struct PrivateDaemon {
    pub dir: PathBuf,
    pub socket: PathBuf,
    pidfile: PathBuf,
    args: Vec<String>,
    child: Mutex<Option<Child>>,
}

impl PrivateDaemon {
    /// Starts a private daemon. `extra` are more dockerd flags. A second daemon next to the
    /// main one should pass `--bridge=none --iptables=false` so they do not fight over docker0.
    pub fn start(name: &str, extra: &[&str]) -> Result<Self, String> {
        if !cfg!(target_os = "linux") {
            return Err("a private dockerd can only be started on Linux".into());
        }
        if !is_root() {
            return Err(
                "not root, so no private dockerd can be started; start Docker or set DOCKER_HOST"
                    .into(),
            );
        }
        if !have("dockerd") && !apt_install(&["docker.io"]) {
            return Err("dockerd is missing and `apt-get install docker.io` failed".into());
        }
        // Short path: unix socket paths are limited to ~108 bytes.
        let dir = PathBuf::from(format!("/tmp/dw-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let socket = dir.join("docker.sock");
        let pidfile = dir.join("dockerd.pid");
        let mut args: Vec<String> = vec![
            format!("--data-root={}", dir.join("data").display()),
            format!("--exec-root={}", dir.join("exec").display()),
            format!("--pidfile={}", pidfile.display()),
            format!("--host=unix://{}", socket.display()),
            "--log-level=warn".into(),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        let d = Self {
            dir,
            socket,
            pidfile,
            args,
            child: Mutex::new(None),
        };
        d.spawn_watchdog()?;
        d.run()?;
        Ok(d)
    }

    /// The main private daemon: on a bridge of its own instead of docker0, because a daemon
    /// started with `--bridge=none` (the restartable ones) deletes docker0 when it starts.
    pub fn start_with_own_bridge(name: &str) -> Result<Self, String> {
        if !is_root() {
            return Self::start(name, &[]);
        }
        if !have("ip") && !apt_install(&["iproute2"]) {
            return Err("`ip` is missing and `apt-get install iproute2` failed".into());
        }
        let pid = std::process::id();
        let bridge = format!("dw{}", pid % 10_000_000);
        let subnet = format!("10.213.{}.1/24", pid % 250);
        let ip = |args: &[&str]| {
            Command::new("ip")
                .args(args)
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false)
        };
        let _ = ip(&["link", "del", &bridge]);
        if !(ip(&["link", "add", "name", &bridge, "type", "bridge"])
            && ip(&["addr", "add", &subnet, "dev", &bridge])
            && ip(&["link", "set", &bridge, "up"]))
        {
            return Err(format!("cannot create the test bridge {bridge}"));
        }
        let arg = format!("--bridge={bridge}");
        let d = Self::start(name, &[&arg])?;
        // The bridge goes with the daemon.
        after_exit(&format!("sleep 5; ip link del {bridge} 2>/dev/null"));
        Ok(d)
    }

    /// A second daemon next to the main one, for tests that stop and start it: no bridge and no
    /// iptables, so the two do not fight over docker0. `missing` (skip or fail) when impossible.
    pub fn start_isolated(name: &str) -> Option<Self> {
        match Self::start(
            name,
            &["--bridge=none", "--iptables=false", "--ip-masq=false"],
        ) {
            Ok(d) => Some(d),
            Err(why) => missing(&format!("cannot start a daemon to restart: {why}")),
        }
    }

    pub fn host(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// Dockwright's engine connected to this daemon.
    pub async fn engine(&self) -> dockwright_engine::Engine {
        dockwright_engine::Engine::connect(
            &dockwright_engine::connect::resolve(
                &dockwright_engine::Environment::for_host(&self.host()),
                None,
            )
            .unwrap(),
        )
        .await
        .unwrap()
    }

    /// Starts (again) and waits until it answers.
    pub fn run(&self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("dockerd.log"))
            .map_err(|e| e.to_string())?;
        let child = Command::new("dockerd")
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start dockerd: {e}"))?;
        *self.child.lock().unwrap() = Some(child);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if ping(&self.host()) {
                return Ok(());
            }
            if let Some(c) = self.child.lock().unwrap().as_mut() {
                if let Ok(Some(status)) = c.try_wait() {
                    return Err(format!(
                        "dockerd exited ({status}) at start:\n{}",
                        self.log_tail()
                    ));
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "dockerd did not answer within 60 s:\n{}",
            self.log_tail()
        ))
    }

    /// Stops it (SIGTERM, as a user's `systemctl stop docker` would) and waits for the exit.
    pub fn stop(&self) {
        if let Some(mut c) = self.child.lock().unwrap().take() {
            terminate(c.id(), Duration::from_secs(30));
            let _ = c.wait();
        }
    }

    /// Sends SIGTERM and returns at once: the daemon is shutting down (its socket goes first,
    /// open streams last). [`PrivateDaemon::stop`] then waits for the exit.
    pub fn begin_stop(&self) {
        if let Some(c) = self.child.lock().unwrap().as_ref() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
        }
    }

    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("dockerd.log")).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// A shell that outlives nothing: when the test process is gone it stops this daemon and
    /// removes its folder.
    fn spawn_watchdog(&self) -> Result<(), String> {
        let script = format!(
            r#"if [ -f "{pid}" ]; then p=$(cat "{pid}"); kill -TERM "$p" 2>/dev/null
  i=0; while kill -0 "$p" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
  kill -KILL "$p" 2>/dev/null; fi
sleep 1; umount -R "{dir}/exec" 2>/dev/null; umount -R "{dir}/data" 2>/dev/null; rm -rf "{dir}""#,
            pid = self.pidfile.display(),
            dir = self.dir.display(),
        );
        if after_exit(&script) {
            Ok(())
        } else {
            Err("cannot start the daemon watchdog".into())
        }
    }
}

impl Drop for PrivateDaemon {
    fn drop(&mut self) {
        self.stop();
    }
}
